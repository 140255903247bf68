import CustodyCore
import CustodyIngest
import Foundation

/// A recorder folder of which only the named files are listed: one file of a folder that holds several.
struct FilteredSource: RecorderSource {
    let inner: any RecorderSource
    let names: Set<String>

    var identity: RecorderIdentity { inner.identity }

    func listFiles() throws(IngestError) -> RecorderListing {
        var listing = try inner.listFiles()
        listing.files = listing.files.filter { names.contains($0.path.display) }
        return listing
    }

    func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream { try inner.open(file) }

    func readClock() throws(IngestError) -> Date? { try inner.readClock() }
}
