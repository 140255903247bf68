import CustodyCore
import Foundation
import GRDB

/// Query tables derived from the entries: caches that make "is this file ingested?", "who held this recorder?" and
/// listings fast. The entries are the truth; `custody reindex` rebuilds these from them (issue "Compliance
/// register").
///
/// They are written in the same transaction as the entry they derive from, so they never disagree after a crash.
enum ManifestIndex {
    static let v2 = """
        CREATE TABLE idx_officer (
            certificate TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            entry INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE idx_assignment (
            entry INTEGER PRIMARY KEY,
            serial TEXT NOT NULL,
            certificate TEXT NOT NULL,
            from_time INTEGER NOT NULL,
            to_time INTEGER
        ) STRICT;
        CREATE INDEX idx_assignment_by_serial ON idx_assignment (serial);

        CREATE TABLE idx_clip (
            entry INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL,
            serial TEXT NOT NULL,
            model TEXT NOT NULL,
            path BLOB NOT NULL,
            size INTEGER NOT NULL,
            modified INTEGER NOT NULL,
            recording_start INTEGER NOT NULL,
            recording_end INTEGER NOT NULL,
            officer TEXT,
            late INTEGER NOT NULL,
            deadline INTEGER NOT NULL,
            ingest_time INTEGER NOT NULL,
            duration_ms INTEGER,
            sequence INTEGER,
            container TEXT NOT NULL
        ) STRICT;
        CREATE INDEX idx_clip_by_file ON idx_clip (serial, path);
        CREATE INDEX idx_clip_by_officer ON idx_clip (officer);
        CREATE INDEX idx_clip_by_sha256 ON idx_clip (sha256);

        CREATE TABLE idx_file_seen (
            serial TEXT NOT NULL,
            path BLOB NOT NULL,
            size INTEGER NOT NULL,
            modified INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            entry INTEGER NOT NULL,
            PRIMARY KEY (serial, path)
        ) STRICT;

        CREATE TABLE idx_interruption (
            entry INTEGER PRIMARY KEY,
            serial TEXT NOT NULL,
            path BLOB NOT NULL,
            resolved_by INTEGER
        ) STRICT;
        CREATE INDEX idx_interruption_by_file ON idx_interruption (serial, path);

        CREATE TABLE idx_gap (
            entry INTEGER PRIMARY KEY,
            serial TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            officer TEXT,
            start_time INTEGER NOT NULL,
            end_time INTEGER NOT NULL,
            before_entry INTEGER,
            after_entry INTEGER,
            refers_to INTEGER
        ) STRICT;
        CREATE UNIQUE INDEX idx_gap_by_key ON idx_gap (serial, key);

        CREATE TABLE idx_explanation (
            entry INTEGER PRIMARY KEY,
            gap_entry INTEGER NOT NULL,
            form TEXT NOT NULL
        ) STRICT;
        CREATE INDEX idx_explanation_by_gap ON idx_explanation (gap_entry);

        CREATE TABLE idx_window_exception (
            entry INTEGER PRIMARY KEY,
            serial TEXT NOT NULL,
            from_time INTEGER NOT NULL,
            to_time INTEGER NOT NULL,
            reason TEXT NOT NULL,
            returned INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE idx_case_link (
            case_id TEXT NOT NULL,
            clip_entry INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            link_entry INTEGER NOT NULL,
            unlink_entry INTEGER,
            PRIMARY KEY (case_id, clip_entry, link_entry)
        ) STRICT;

        CREATE TABLE idx_refused_path (
            serial TEXT NOT NULL,
            path BLOB NOT NULL,
            reason TEXT NOT NULL,
            entry INTEGER NOT NULL,
            PRIMARY KEY (serial, path, reason)
        ) STRICT;

        CREATE TABLE idx_hold (
            entry INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,
            case_id TEXT,
            reason TEXT NOT NULL,
            released_by INTEGER
        ) STRICT;
        CREATE INDEX idx_hold_by_case ON idx_hold (case_id);

        CREATE TABLE idx_hold_clip (
            hold_entry INTEGER NOT NULL,
            clip_entry INTEGER NOT NULL,
            PRIMARY KEY (hold_entry, clip_entry)
        ) STRICT;

        CREATE TABLE idx_case_retention (
            entry INTEGER PRIMARY KEY,
            case_id TEXT NOT NULL,
            until INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE idx_purge (
            clip_entry INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL,
            entry INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE idx_corruption (
            entry INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL,
            kind TEXT NOT NULL
        ) STRICT;

        CREATE TABLE idx_case_closed (
            entry INTEGER PRIMARY KEY,
            case_id TEXT NOT NULL,
            closed INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE idx_archive (
            entry INTEGER PRIMARY KEY,
            case_id TEXT NOT NULL,
            time INTEGER NOT NULL,
            clips INTEGER NOT NULL
        ) STRICT;
        """

    /// Updates the query tables for one appended entry.
    static func apply(_ entry: ManifestEntry, index: UInt64, db: Database) throws {
        let fields = entry.fields
        switch entry.type {
        case .officerRegistered:
            guard let certificate = fields["certificate"]?.stringValue, let name = fields["name"]?.stringValue else {
                return
            }
            try execute(
                db,
                sql: """
                    INSERT INTO idx_officer (certificate, name, entry) VALUES (?, ?, ?)
                    ON CONFLICT (certificate) DO UPDATE SET name = excluded.name, entry = excluded.entry
                    """,
                arguments: [certificate, name, Int64(index)])
        case .assignmentRecorded:
            guard let serial = fields["recorder"]?.stringValue, let certificate = fields["officer"]?.stringValue,
                let from = fields["from"]?.stringValue.flatMap(RFC3339.parseSeconds)
            else { return }
            let to = fields["to"]?.stringValue.flatMap(RFC3339.parseSeconds)
            try execute(
                db,
                sql: "INSERT INTO idx_assignment (entry, serial, certificate, from_time, to_time) VALUES (?, ?, ?, ?, ?)",
                arguments: [Int64(index), serial, certificate, Int64(from), to.map { Int64($0) }])
        case .clipIngested:
            guard let recorder = fields["recorder"], let serial = recorder["serial"]?.stringValue,
                let model = recorder["model"]?.stringValue, let sha = fields["sha256"]?.stringValue,
                let size = fields["size"]?.intValue, let path = Self.pathBytes(fields),
                let modified = fields["modified"]?.stringValue.flatMap(RFC3339.parseSeconds),
                let start = fields["recordingStart"]?.stringValue.flatMap(RFC3339.parseSeconds),
                let end = fields["recordingEnd"]?.stringValue.flatMap(RFC3339.parseSeconds),
                let ingest = RFC3339.parseSeconds(entry.time)
            else { return }
            try execute(
                db,
                sql: """
                    INSERT INTO idx_clip (entry, sha256, serial, model, path, size, modified, recording_start,
                        recording_end, officer, late, deadline, ingest_time, duration_ms, sequence, container)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    Int64(index), sha, serial, model, Data(path), size, Int64(modified), Int64(start), Int64(end),
                    fields["officer"]?["certificate"]?.stringValue, fields["late"]?.boolValue == true ? 1 : 0,
                    fields["deadline"]?.stringValue.flatMap(RFC3339.parseSeconds).map { Int64($0) } ?? Int64(end),
                    Int64(ingest), fields["durationMs"]?.intValue, fields["sequence"]?.intValue,
                    fields["container"]?.stringValue ?? "other",
                ])
            try seen(serial: serial, path: path, size: size, modified: Int64(modified), sha256: sha, index: index, db: db)
            for reference in fields["resolves"]?.arrayValue ?? [] {
                guard let resolved = reference["index"]?.intValue else { continue }
                try execute(
                    db,
                    sql: "UPDATE idx_interruption SET resolved_by = ? WHERE entry = ?", arguments: [Int64(index), resolved])
            }
        case .ingestInterrupted:
            guard let serial = fields["recorder"]?["serial"]?.stringValue, let path = Self.pathBytes(fields) else {
                return
            }
            try execute(
                db,
                sql: "INSERT INTO idx_interruption (entry, serial, path) VALUES (?, ?, ?)",
                arguments: [Int64(index), serial, Data(path)])
        case .clipAnomaly where fields["kind"]?.stringValue == "modifiedTimeChanged":
            guard let serial = fields["recorder"]?["serial"]?.stringValue, let sha = fields["sha256"]?.stringValue,
                let size = fields["size"]?.intValue, let path = Self.pathBytes(fields),
                let modified = fields["modified"]?.stringValue.flatMap(RFC3339.parseSeconds)
            else { return }
            try seen(serial: serial, path: path, size: size, modified: Int64(modified), sha256: sha, index: index, db: db)
        case .recordingGap:
            guard let serial = fields["recorder"]?["serial"]?.stringValue, let key = fields["key"]?.stringValue,
                let kind = fields["kind"]?.stringValue,
                let start = fields["start"]?.stringValue.flatMap(RFC3339.parseSeconds),
                let end = fields["end"]?.stringValue.flatMap(RFC3339.parseSeconds)
            else { return }
            try execute(
                db,
                sql: """
                    INSERT OR IGNORE INTO idx_gap (entry, serial, key, kind, officer, start_time, end_time,
                        before_entry, after_entry, refers_to)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    Int64(index), serial, key, kind, fields["officer"]?["certificate"]?.stringValue, Int64(start),
                    Int64(end), fields["before"]?["index"]?.intValue, fields["after"]?["index"]?.intValue,
                    fields["refersTo"]?["index"]?.intValue,
                ])
        case .gapExplained:
            guard let gap = fields["gap"]?["index"]?.intValue, let form = fields["form"]?.stringValue else { return }
            try execute(
                db,
                sql: "INSERT INTO idx_explanation (entry, gap_entry, form) VALUES (?, ?, ?)",
                arguments: [Int64(index), gap, form])
        case .windowException:
            guard let serial = fields["recorder"]?.stringValue, let reason = fields["reason"]?.stringValue,
                let from = fields["from"]?.stringValue.flatMap(RFC3339.parseSeconds),
                let to = fields["to"]?.stringValue.flatMap(RFC3339.parseSeconds),
                let returned = fields["returned"]?.stringValue.flatMap(RFC3339.parseSeconds)
            else { return }
            try execute(
                db,
                sql: """
                    INSERT INTO idx_window_exception (entry, serial, from_time, to_time, reason, returned)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [Int64(index), serial, Int64(from), Int64(to), reason, Int64(returned)])
        case .latenessRevised:
            for item in fields["clips"]?.arrayValue ?? [] {
                guard let clip = item["clip"]?["index"]?.intValue, let late = item["late"]?.boolValue,
                    let deadline = item["deadline"]?.stringValue.flatMap(RFC3339.parseSeconds)
                else { continue }
                try execute(
                    db,
                    sql: "UPDATE idx_clip SET late = ?, deadline = ? WHERE entry = ?",
                    arguments: [late ? 1 : 0, Int64(deadline), clip])
            }
        case .caseLinked:
            guard let caseID = fields["case"]?.stringValue else { return }
            for item in fields["clips"]?.arrayValue ?? [] {
                guard let clip = item["clip"]?["index"]?.intValue, let sha = item["sha256"]?.stringValue else {
                    continue
                }
                try execute(
                    db,
                    sql: "INSERT OR IGNORE INTO idx_case_link (case_id, clip_entry, sha256, link_entry) VALUES (?, ?, ?, ?)",
                    arguments: [caseID, clip, sha, Int64(index)])
            }
        case .caseUnlinked:
            guard let caseID = fields["case"]?.stringValue else { return }
            for item in fields["clips"]?.arrayValue ?? [] {
                guard let clip = item["clip"]?["index"]?.intValue else { continue }
                try execute(
                    db,
                    sql: "UPDATE idx_case_link SET unlink_entry = ? WHERE case_id = ? AND clip_entry = ? AND unlink_entry IS NULL",
                    arguments: [Int64(index), caseID, clip])
            }
        case .clipAnomaly where fields["kind"]?.stringValue == "refusedPath":
            guard let serial = fields["recorder"]?["serial"]?.stringValue, let path = Self.pathBytes(fields),
                let reason = fields["reason"]?.stringValue
            else { return }
            try execute(
                db,
                sql: "INSERT OR IGNORE INTO idx_refused_path (serial, path, reason, entry) VALUES (?, ?, ?, ?)",
                arguments: [serial, Data(path), reason, Int64(index)])
        case .holdPlaced, .holdReleased, .caseRetention, .clipPurged, .storeCorruption, .caseClosed, .clipArchived:
            try applyLifecycle(entry, index: index, db: db)
        default:
            return
        }
    }

    /// Runs one INSERT or UPDATE through the connection's statement cache: the same few statements run for every
    /// appended entry, and preparing them again each time cost more than running them.
    private static func execute(_ db: Database, sql: String, arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// Records the latest state of a recorder file that the manifest accounts for.
    private static func seen(
        serial: String, path: [UInt8], size: Int64, modified: Int64, sha256: String, index: UInt64, db: Database
    ) throws {
        try execute(
            db,
            sql: """
                INSERT INTO idx_file_seen (serial, path, size, modified, sha256, entry) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (serial, path) DO UPDATE SET size = excluded.size, modified = excluded.modified,
                    sha256 = excluded.sha256, entry = excluded.entry
                """,
            arguments: [serial, Data(path), size, modified, sha256, Int64(index)])
    }

    /// The exact path bytes of an entry: `pathHex` when the path is not UTF-8, else `path`.
    static func pathBytes(_ fields: [String: JSONValue]) -> [UInt8]? {
        if let hex = fields["pathHex"]?.stringValue {
            var bytes = [UInt8]()
            var characters = Array(hex.utf8)[...]
            while characters.count >= 2 {
                guard let byte = UInt8(String(decoding: characters.prefix(2), as: UTF8.self), radix: 16) else {
                    return nil
                }
                bytes.append(byte)
                characters = characters.dropFirst(2)
            }
            return characters.isEmpty ? bytes : nil
        }
        return fields["path"]?.stringValue.map { Array($0.utf8) }
    }

    /// The query tables, for rebuilding and comparing.
    static let tables = [
        "idx_officer", "idx_assignment", "idx_clip", "idx_file_seen", "idx_interruption", "idx_refused_path",
        "idx_gap", "idx_explanation", "idx_window_exception", "idx_case_link",
        "idx_hold", "idx_hold_clip", "idx_case_retention", "idx_purge", "idx_corruption", "idx_case_closed",
        "idx_archive",
    ]

    /// Empties the query tables and replays every entry into them.
    static func rebuild(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM idx_officer; DELETE FROM idx_assignment; DELETE FROM idx_clip; DELETE FROM idx_file_seen; "
                + "DELETE FROM idx_refused_path; DELETE FROM idx_interruption; DELETE FROM idx_gap; "
                + "DELETE FROM idx_explanation; DELETE FROM idx_window_exception; DELETE FROM idx_case_link; "
                + "DELETE FROM idx_hold; DELETE FROM idx_hold_clip; DELETE FROM idx_case_retention; "
                + "DELETE FROM idx_purge; DELETE FROM idx_corruption; DELETE FROM idx_case_closed; DELETE FROM idx_archive;")
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, body FROM entry ORDER BY seq")
        while let row = try rows.next() {
            let body: Data = row["body"]
            guard let entry = try? ManifestEntry(body: Array(body)) else { continue }
            try apply(entry, index: UInt64(row["seq"] as Int64), db: db)
        }
    }
}
