import CustodyCore
import CustodyDevices
import CustodyManifest
import CustodyTransport
import Foundation

/// The entries of docking: a recorder arriving in a bay and leaving it (shared/DESIGN.md "The manifest").
extension ManifestEntry {
    /// A `recorder.docked` entry: a recorder of a configured model was recognised in a bay.
    /// `clock` is the recorder's clock read at dock: its `clockOffsetSeconds` (recorder − station), null for a
    /// transport with no clock to read (mass storage); `drift` is the drift rule applied to it (`clockDrift`);
    /// `clockSet` is the clock set to the station's after the reading (`set_clock_at_dock`), or null.
    static func recorderDocked(
        _ recorder: DockedRecorder, clock: DockClock, drift: DockClock.Assessment?, clockSet: ClockSetting?,
        time: Date
    ) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .recorderDocked, time: time,
            fields: clock.dockedFields(drift).merging([
                "clockSet": clockSet?.dockedField ?? .null,
                "recorder": .object([
                    "serial": .string(recorder.identity.serial), "model": .string(recorder.identity.model),
                ]),
                "bay": .string(recorder.bay),
                "port": recorder.device.portPath.map { .string($0) } ?? .null,
                "device": .string(recorder.devnode),
                "fileSystem": .string(recorder.fileSystem),
                "usb": .string("\(recorder.device.vendorID ?? ""):\(recorder.device.productID ?? "")"),
            ]) { $1 })
    }

    /// A `recorder.undocked` entry: the dock of `recorder` ended (`removed` from the bay, or custodyd's
    /// `shutdown`), with what its ingest did; it refers to the `recorder.docked` entry by index and leaf hash.
    static func recorderUndocked(
        _ recorder: DockedRecorder, reason: String, docked: StoredEntry, counts: DockCounts, error: String?,
        time: Date
    ) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .recorderUndocked, time: time,
            fields: [
                "recorder": .object([
                    "serial": .string(recorder.identity.serial), "model": .string(recorder.identity.model),
                ]),
                "bay": .string(recorder.bay),
                "reason": .string(reason),
                "docked": .object(["index": .int(Int64(docked.index)), "leaf": .string(docked.leafHash.hex)]),
                "complete": .bool(counts.complete && error == nil),
                "counts": .object([
                    "ingested": .int(Int64(counts.ingested)),
                    "alreadyIngested": .int(Int64(counts.alreadyIngested)),
                    "failed": .int(Int64(counts.failed)),
                    "refused": .int(Int64(counts.refused)),
                    "notMedia": .int(Int64(counts.notMedia)),
                    "bytesCopied": .int(Int64(clamping: counts.bytesCopied)),
                ]),
                "error": error.map { .string($0) } ?? .null,
            ])
    }
}

/// What the ingest of one dock did, for its `recorder.undocked` entry.
struct DockCounts: Sendable, Equatable {
    var ingested = 0
    var alreadyIngested = 0
    var failed = 0
    var refused = 0
    var notMedia = 0
    var bytesCopied: UInt64 = 0
    /// Whether the ingest ran to its end (it may still have failed files).
    var complete = false
}

/// The entry of a wipe after verified ingest (`wipe_after_ingest`).
extension ManifestEntry {
    /// A `recorder.wiped` entry: the files deleted from `recorder`, each with the `clip.ingested` entry that
    /// proves its footage is in the store, and the planned files left on it, with why.
    static func recorderWiped(
        _ recorder: DockedRecorder, docked: StoredEntry?, deleted: [WipePlan.Item], kept: [(WipePlan.Item, String)],
        complete: Bool, error: String?, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        func file(_ item: WipePlan.Item) -> [String: JSONValue] {
            var fields: [String: JSONValue] = [
                "path": .string(item.target.path.display),
                "size": .int(Int64(clamping: item.target.size)),
                "clip": .object(["index": .int(Int64(item.entry.index)), "leaf": .string(item.entry.leafHash.hex)]),
            ]
            if !item.target.path.isUTF8 { fields["pathHex"] = .string(item.target.path.hex) }
            return fields
        }
        return try ManifestEntry(
            type: .recorderWiped, time: time,
            fields: [
                "recorder": .object([
                    "serial": .string(recorder.identity.serial), "model": .string(recorder.identity.model),
                ]),
                "bay": .string(recorder.bay),
                "docked": docked.map { .object(["index": .int(Int64($0.index)), "leaf": .string($0.leafHash.hex)]) }
                    ?? .null,
                "deleted": .array(deleted.map { .object(file($0)) }),
                "kept": .array(
                    kept.map { item, reason in
                        var fields = file(item)
                        fields["reason"] = .string(reason)
                        return .object(fields)
                    }),
                "complete": .bool(complete),
                "error": error.map { .string($0) } ?? .null,
            ])
    }
}
