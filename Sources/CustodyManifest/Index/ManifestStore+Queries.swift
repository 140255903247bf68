public import CustodyCore
public import Foundation
import GRDB

/// What the index knows about a file already ingested from a recorder.
public struct IngestedFile: Sendable, Equatable {
    /// The `clip.ingested` entry's index.
    public let entryIndex: UInt64
    /// Its digest.
    public let sha256: SHA256Hash
    /// The size when ingested.
    public let size: UInt64
    /// The modification time when ingested, whole seconds since the epoch.
    public let modifiedSeconds: Int64
}

/// One line of `custody clips`.
public struct ClipSummary: Sendable, Equatable {
    public let entryIndex: UInt64
    public let sha256: String
    public let serial: String
    public let model: String
    public let path: RecorderPath?
    public let size: UInt64
    public let recordingStart: Date
    public let recordingEnd: Date
    public let officerCertificate: String?
    public let late: Bool
    public let ingestTime: Date
}

/// The officer register and the ingest queries, answered from the query tables.
extension ManifestStore {
    /// Registers an officer and appends the entry (Art 8).
    @discardableResult
    public func registerOfficer(_ officer: Officer, time: Date) throws(ManifestError) -> StoredEntry {
        try append(.officerRegistered(officer, time: time))
    }

    /// The officer with `certificate`, if registered.
    public func officer(certificate: String) throws(ManifestError) -> Officer? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT certificate, name FROM idx_officer WHERE certificate = ?", arguments: [certificate])
                .map { Officer(certificate: $0["certificate"], name: $0["name"]) }
        }
    }

    /// Every registered officer, by certificate.
    public func officers() throws(ManifestError) -> [Officer] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT certificate, name FROM idx_officer ORDER BY certificate")
                .map { Officer(certificate: $0["certificate"], name: $0["name"]) }
        }
    }

    /// Every assignment of the recorder `serial`, in entry order.
    public func assignments(serial: String) throws(ManifestError) -> [Assignment] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM idx_assignment WHERE serial = ? ORDER BY entry", arguments: [serial]
            ).map { row in
                Assignment(
                    recorderSerial: row["serial"], officerCertificate: row["certificate"],
                    from: Date(timeIntervalSince1970: Double(row["from_time"] as Int64)),
                    to: (row["to_time"] as Int64?).map { Date(timeIntervalSince1970: Double($0)) },
                    entryIndex: UInt64(row["entry"] as Int64))
            }
        }
    }

    /// The latest ingest of `path` from the recorder `serial`, if any.
    public func ingestedFile(serial: String, path: RecorderPath) throws(ManifestError) -> IngestedFile? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT entry, sha256, size, modified FROM idx_file_seen WHERE serial = ? AND path = ?",
                arguments: [serial, Data(path.bytes)]
            ).flatMap { row in
                SHA256Hash(hex: row["sha256"] as String).map {
                    IngestedFile(
                        entryIndex: UInt64(row["entry"] as Int64), sha256: $0, size: UInt64(row["size"] as Int64),
                        modifiedSeconds: row["modified"])
                }
            }
        }
    }

    /// The `ingest.interrupted` entries for this path of the recorder `serial` that no complete ingest has
    /// resolved yet, oldest first.
    public func openInterruptions(serial: String, path: RecorderPath) throws(ManifestError) -> [StoredEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.seq, e.body, e.leaf FROM idx_interruption i JOIN entry e ON e.seq = i.entry
                    WHERE i.serial = ? AND i.path = ? AND i.resolved_by IS NULL ORDER BY i.entry
                    """,
                arguments: [serial, Data(path.bytes)]
            ).map(StoredEntry.init(row:))
        }
    }

    /// Whether a `refusedPath` anomaly was already recorded for this path of the recorder `serial`, for `reason`.
    public func refusalRecorded(serial: String, path: RecorderPath, reason: String) throws(ManifestError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM idx_refused_path WHERE serial = ? AND path = ? AND reason = ?)",
                arguments: [serial, Data(path.bytes), reason]) ?? false
        }
    }

    /// Ingested clips, newest recording first, optionally only one recorder's, one officer's, those of one digest,
    /// those linked to a case now, those whose recording started within a span, or the late ones. Every filter is
    /// a condition on the query table (its indexes), never a scan of all clips.
    public func clips(
        recorder: String? = nil, officer: String? = nil, sha256: String? = nil, linkedToCase caseID: String? = nil,
        recordedFrom from: Date? = nil, to: Date? = nil, lateOnly: Bool = false, limit: Int = 1000
    ) throws(ManifestError) -> [ClipSummary] {
        // Recording times are stored in whole seconds: t >= from exactly when t >= ceil(from), t <= to when t <= floor(to).
        let filters: [(condition: String, value: (any DatabaseValueConvertible)?)] = [
            ("serial = ?", recorder),
            ("officer = ?", officer),
            ("sha256 = ?", sha256),
            ("entry IN (SELECT clip_entry FROM idx_case_link WHERE case_id = ? AND unlink_entry IS NULL)", caseID),
            ("recording_start >= ?", from.map { Int64($0.timeIntervalSince1970.rounded(.up)) }),
            ("recording_start <= ?", to.map { Int64($0.timeIntervalSince1970.rounded(.down)) }),
        ]
        var conditions = [String]()
        var arguments = StatementArguments()
        for case let (condition, value?) in filters {
            conditions.append(condition)
            _ = arguments.append(contentsOf: [value])
        }
        if lateOnly { conditions.append("late = 1") }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        _ = arguments.append(contentsOf: [limit])
        let query = "SELECT * FROM idx_clip \(filter) ORDER BY recording_start DESC, entry DESC LIMIT ?"
        return try read { db in
            try Row.fetchAll(db, sql: query, arguments: arguments).map { row in
                ClipSummary(
                    entryIndex: UInt64(row["entry"] as Int64), sha256: row["sha256"], serial: row["serial"],
                    model: row["model"], path: RecorderPath(bytes: Array(row["path"] as Data)),
                    size: UInt64(row["size"] as Int64),
                    recordingStart: Date(timeIntervalSince1970: Double(row["recording_start"] as Int64)),
                    recordingEnd: Date(timeIntervalSince1970: Double(row["recording_end"] as Int64)),
                    officerCertificate: row["officer"], late: (row["late"] as Int64) != 0,
                    ingestTime: Date(timeIntervalSince1970: Double(row["ingest_time"] as Int64)))
            }
        }
    }

    /// Each recorder that has ingested clips: its serial, the model of its latest ingest, how many clips and when
    /// the latest was ingested (one grouped query, not a walk over every clip).
    public func recorderClipTotals() throws(ManifestError) -> [(serial: String, model: String, clips: Int, lastIngest: Date)] {
        try read { db in
            // SQLite takes the bare `model` column from the row holding MAX(ingest_time).
            try Row.fetchAll(
                db,
                sql: "SELECT serial, model, COUNT(*) AS clips, MAX(ingest_time) AS last FROM idx_clip GROUP BY serial"
            ).map { row in
                (
                    serial: row["serial"], model: row["model"], clips: row["clips"],
                    lastIngest: Date(timeIntervalSince1970: Double(row["last"] as Int64))
                )
            }
        }
    }

    /// Rebuilds the query tables from the entries.
    public func reindex() throws(ManifestError) {
        try write { db in try ManifestIndex.rebuild(db) }
    }
}
