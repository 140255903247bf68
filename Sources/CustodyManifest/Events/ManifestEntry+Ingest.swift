public import CustodyCore
public import Foundation

/// The entries of ingest and of the officer register: how domain records become entry fields and back.
extension ManifestEntry {
    /// A `clip.ingested` entry for `clip`, timed at its ingest (Art 8, 23, 25).
    ///
    /// `resolves` lists the `ingest.interrupted` entries of the same file that this complete ingest resolves. When the
    /// recorder's clock was read at dock, `recordingStart` and `recordingEnd` are the corrected (station) times and
    /// `recorderTime` keeps the recorder's own: `recordingStart`, `recordingEnd`, `clockOffsetSeconds` and `docked`
    /// (`index`, `leaf` of the `recorder.docked` entry of the reading, or null).
    public static func clipIngested(
        _ clip: ClipRecord, verifiedBy: [String], resolves: [StoredEntry] = []
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = [
            "recorder": .object(["serial": .string(clip.recorder.serial), "model": .string(clip.recorder.model)]),
            "path": .string(clip.path.display),
            "size": .int(Int64(clamping: clip.size)),
            "modified": .string(RFC3339.format(clip.modificationTime)),
            "sha256": .string(clip.sha256.hex),
            "recordingStart": .string(RFC3339.format(clip.recordingStart)),
            "recordingEnd": .string(RFC3339.format(clip.recordingEnd)),
            "timeSource": .string(clip.timeSource.rawValue),
            "container": .string(clip.container.rawValue),
            "officer": clip.officer.map { .object(["certificate": .string($0.certificate), "name": .string($0.name)]) }
                ?? .null,
            "deadline": .string(RFC3339.format(clip.deadline)),
            "late": .bool(clip.late),
            "verifiedBy": .array(verifiedBy.map { .string($0) }),
        ]
        if !clip.path.isUTF8 { fields["pathHex"] = .string(clip.path.hex) }
        if let duration = clip.durationMilliseconds { fields["durationMs"] = .int(duration) }
        if let sequence = clip.sequence { fields["sequence"] = .int(Int64(sequence)) }
        if let recorderTime = clip.recorderTime {
            let correction = recorderTime.correction
            fields["recorderTime"] = .object([
                "recordingStart": .string(RFC3339.format(recorderTime.recordingStart)),
                "recordingEnd": .string(RFC3339.format(recorderTime.recordingEnd)),
                "clockOffsetSeconds": .int(Int64(correction.offsetSeconds)),
                "docked": correction.docked.map {
                    .object(["index": .int(Int64(clamping: $0.index)), "leaf": .string($0.leaf)])
                } ?? .null,
            ])
        }
        if !resolves.isEmpty {
            fields["resolves"] = .array(
                resolves.map { .object(["index": .int(Int64($0.index)), "leaf": .string($0.leafHash.hex)]) })
        }
        return try ManifestEntry(type: .clipIngested, time: clip.ingestTime, fields: fields)
    }

    /// An `officer.registered` entry (Art 8).
    public static func officerRegistered(_ officer: Officer, time: Date) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .officerRegistered, time: time,
            fields: ["certificate": .string(officer.certificate), "name": .string(officer.name)])
    }

    /// An `assignment.recorded` entry: a recorder handed to an officer (Art 8).
    public static func assignmentRecorded(
        serial: String, certificate: String, from: Date, to: Date?, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .assignmentRecorded, time: time,
            fields: [
                "recorder": .string(serial), "officer": .string(certificate), "from": .string(RFC3339.format(from)),
                "to": to.map { .string(RFC3339.format($0)) } ?? .null,
            ])
    }

    /// A `clip.anomaly` entry: something about a clip a person must look at.
    public static func clipAnomaly(
        kind: String, recorder: RecorderIdentity, path: RecorderPath, sha256: SHA256Hash?, detail: String,
        refersTo: StoredEntry?, time: Date, size: UInt64? = nil, modified: Date? = nil
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = [
            "kind": .string(kind),
            "recorder": .object(["serial": .string(recorder.serial), "model": .string(recorder.model)]),
            "path": .string(path.display),
            "detail": .string(detail),
            "sha256": sha256.map { .string($0.hex) } ?? .null,
        ]
        if !path.isUTF8 { fields["pathHex"] = .string(path.hex) }
        if let size { fields["size"] = .int(Int64(clamping: size)) }
        if let modified { fields["modified"] = .string(RFC3339.format(modified)) }
        if let refersTo {
            fields["refersTo"] = .object(["index": .int(Int64(refersTo.index)), "leaf": .string(refersTo.leafHash.hex)])
        }
        return try ManifestEntry(type: .clipAnomaly, time: time, fields: fields)
    }

    /// A `clip.anomaly` entry of kind `refusedPath`: a path on a recorder that was never read (Art 28).
    public static func pathRefused(
        recorder: RecorderIdentity, path: RecorderPath, reason: String, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = [
            "kind": .string("refusedPath"),
            "recorder": .object(["serial": .string(recorder.serial), "model": .string(recorder.model)]),
            "path": .string(path.display),
            "reason": .string(reason),
            "detail": .string("not read: \(reason); a recorder holds only regular files and folders"),
            "sha256": .null,
        ]
        if !path.isUTF8 { fields["pathHex"] = .string(path.hex) }
        return try ManifestEntry(type: .clipAnomaly, time: time, fields: fields)
    }

    /// An `ingest.interrupted` entry: a copy stopped before the file was committed (Art 22).
    public static func ingestInterrupted(
        recorder: RecorderIdentity, path: RecorderPath, size: UInt64, bytesDone: UInt64, reason: String,
        detail: String, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = [
            "recorder": .object(["serial": .string(recorder.serial), "model": .string(recorder.model)]),
            "path": .string(path.display),
            "size": .int(Int64(clamping: size)),
            "bytesDone": .int(Int64(clamping: bytesDone)),
            "reason": .string(reason),
            "detail": .string(detail),
        ]
        if !path.isUTF8 { fields["pathHex"] = .string(path.hex) }
        return try ManifestEntry(type: .ingestInterrupted, time: time, fields: fields)
    }
}
