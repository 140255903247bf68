import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyManifest
import Foundation

/// What a wipe after verified ingest may delete from a docked recorder (`wipe_after_ingest`): every media file
/// still on it whose `clip.ingested` entry is committed, verified, and describes the file as it is now.
///
/// A file qualifies only when all of these hold:
/// - its path matches the model's media globs;
/// - the manifest's record of the path (serial, path) has the file's current size and modification time;
/// - that record's entry is a committed `clip.ingested` entry of this recorder and path, with the same size, its
///   `sha256` (the acquisition hash, which the pipeline committed only because it equalled the verification hash)
///   equal to the record's, and `verifiedBy` naming `storeReread`;
/// - the store holds the object with that digest, of that size.
///
/// The plan covers earlier docks too: a wipe cut off by an unplug (or a dock that ingested with wiping off, then
/// had it turned on) finishes at the next dock.
struct WipePlan {
    /// A file to delete and the `clip.ingested` entry that covers it.
    struct Item {
        let target: WipeTarget
        let entry: StoredEntry
    }

    var items: [Item] = []

    init(
        listing: RecorderListing, model: RecorderModel, serial: String, store: ManifestStore, content: ContentStore
    ) throws(ManifestError) {
        for file in listing.files where model.isMedia(file.path.display) {
            let modified = Int64(file.modificationTime.timeIntervalSince1970.rounded(.down))
            guard let record = try store.ingestedFile(serial: serial, path: file.path), record.size == file.size,
                record.modifiedSeconds == modified
            else { continue }
            let stored = try store.entry(at: record.entryIndex)
            guard Self.verifies(stored, record: record, serial: serial, path: file.path),
                Self.storeHolds(record, content: content)
            else { continue }
            items.append(
                Item(target: WipeTarget(path: file.path, size: file.size, modifiedSeconds: modified), entry: stored))
        }
    }

    /// Whether `stored` is a committed `clip.ingested` entry for `path` of `serial` that agrees with `record`.
    static func verifies(_ stored: StoredEntry, record: IngestedFile, serial: String, path: RecorderPath) -> Bool {
        guard let entry = try? ManifestEntry(body: stored.body), entry.type == .clipIngested else { return false }
        let fields = entry.fields
        let pathMatches =
            if let hex = fields["pathHex"]?.stringValue { hex == path.hex } else {
                fields["path"]?.stringValue == path.display && path.isUTF8
            }
        return pathMatches && fields["recorder"]?["serial"]?.stringValue == serial
            && fields["size"]?.intValue == Int64(clamping: record.size)
            && fields["sha256"]?.stringValue == record.sha256.hex
            && (fields["verifiedBy"]?.arrayValue ?? []).contains(.string("storeReread"))
    }

    /// Whether the content store holds the object of `record`, with its size.
    static func storeHolds(_ record: IngestedFile, content: ContentStore) -> Bool {
        guard
            let attributes = try? FileManager.default.attributesOfItem(
                atPath: content.objectURL(for: record.sha256).path),
            let size = attributes[.size] as? NSNumber
        else { return false }
        return size.uint64Value == record.size
    }
}
