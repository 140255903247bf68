import CustodyCore
import CustodyIngest
import Foundation

/// A recorder whose link delivers at most a set rate: a USB 2.0 card (35 MB/s) or a fast USB 3 recorder
/// (400 MB/s), simulated over a faster source. Every file of the recorder shares the one ``TokenBucket``.
struct ThrottledSource: RecorderSource {
    let inner: any RecorderSource
    let bucket: TokenBucket

    var identity: RecorderIdentity { inner.identity }

    func listFiles() throws(IngestError) -> RecorderListing { try inner.listFiles() }

    func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
        ThrottledStream(inner: try inner.open(file), bucket: bucket)
    }

    func readClock() throws(IngestError) -> Date? { try inner.readClock() }
}

/// An open file of a ``ThrottledSource``: reads at most one transfer (1 MiB) at a time, each paid for in tokens.
final class ThrottledStream: RecorderFileStream {
    static let transfer = 1 << 20
    private let inner: any RecorderFileStream
    private let bucket: TokenBucket

    init(inner: any RecorderFileStream, bucket: TokenBucket) {
        self.inner = inner
        self.bucket = bucket
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        let count = try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, Self.transfer)]))
        if count > 0 { bucket.take(count) }
        return count
    }

    func checkUnchanged() throws(IngestError) { try inner.checkUnchanged() }
}
