import CustodyCore
import CustodyManifest

/// What to copy from a recorder: its media files that the manifest does not already account for.
///
/// A file is known by (recorder serial, path, size, modification time in whole seconds, since FAT keeps two-second
/// times). A known path whose size or time moved is copied again; the service then flags it if its bytes differ.
struct IngestPlan {
    struct Item {
        let file: RecorderFile
        /// What the manifest holds for the same path, when this is a re-ingest of a changed file.
        let previous: IngestedFile?
    }

    var work: [Item] = []
    var notMedia = 0
    var alreadyIngested = 0

    init(listing: RecorderListing, model: RecorderModel, serial: String, store: ManifestStore) throws(IngestError) {
        for file in listing.files {
            guard model.isMedia(file.path.display) else {
                notMedia += 1
                continue
            }
            let previous = try mapManifest { () throws(ManifestError) in
                try store.ingestedFile(serial: serial, path: file.path)
            }
            if let previous, previous.size == file.size,
                previous.modifiedSeconds == Int64(file.modificationTime.timeIntervalSince1970.rounded(.down))
            {
                alreadyIngested += 1
                continue
            }
            work.append(Item(file: file, previous: previous))
        }
    }
}
