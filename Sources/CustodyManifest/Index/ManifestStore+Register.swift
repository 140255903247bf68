public import CustodyCore
public import Foundation
import GRDB

/// A registered gap, as `custody gaps` lists it.
public struct GapSummary: Sendable, Equatable {
    /// The `recording.gap` entry's index.
    public let entryIndex: UInt64
    /// The gap's kind.
    public let kind: GapKind
    /// The recorder's serial.
    public let serial: String
    /// The officer's certificate, if the recorder was assigned.
    public let officer: String?
    /// The span.
    public let start: Date
    public let end: Date
    /// The clips on either side, by entry index.
    public let beforeEntry: UInt64?
    public let afterEntry: UInt64?
    /// How many explanations refer to it.
    public let explanations: Int
    /// For `ingestInterrupted`: the `clip.ingested` entry that completed the file, if one has.
    public let resolvedBy: UInt64?
    /// The evidence text of the entry.
    public let evidence: String

    /// Whether the gap still needs a person: not explained, and not resolved by a later ingest.
    public var isOpen: Bool { explanations == 0 && resolvedBy == nil }
}

/// The compliance register, answered from the query tables (Art 18–23).
extension ManifestStore {
    /// The recorder's clips as gap detection needs them, every dock included.
    public func timeline(serial: String) throws(ManifestError) -> [TimelineClip] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT entry, sha256, recording_start, recording_end, duration_ms, sequence, container,
                        ingest_time, officer
                    FROM idx_clip WHERE serial = ? ORDER BY recording_start, entry
                    """,
                arguments: [serial]
            ).map { row in
                TimelineClip(
                    entryIndex: UInt64(row["entry"] as Int64), sha256: row["sha256"],
                    start: Date(timeIntervalSince1970: Double(row["recording_start"] as Int64)),
                    end: Date(timeIntervalSince1970: Double(row["recording_end"] as Int64)),
                    durationMilliseconds: row["duration_ms"], sequence: (row["sequence"] as Int64?).map { Int($0) },
                    container: ClipRecord.Container(rawValue: row["container"]) ?? .other,
                    ingestTime: Date(timeIntervalSince1970: Double(row["ingest_time"] as Int64)),
                    officer: row["officer"])
            }
        }
    }

    /// The gap keys already registered for the recorder `serial`.
    public func registeredGapKeys(serial: String) throws(ManifestError) -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT key FROM idx_gap WHERE serial = ?", arguments: [serial]))
        }
    }

    /// The `ingest.interrupted` entries of the recorder `serial` that have no `recording.gap` yet.
    public func interruptionsWithoutGap(serial: String) throws(ManifestError) -> [StoredEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.seq, e.body, e.leaf FROM idx_interruption i JOIN entry e ON e.seq = i.entry
                    WHERE i.serial = ? AND NOT EXISTS (
                        SELECT 1 FROM idx_gap g WHERE g.serial = i.serial AND g.key = 'ingestInterrupted:' || i.entry)
                    ORDER BY i.entry
                    """,
                arguments: [serial]
            ).map(StoredEntry.init(row:))
        }
    }

    /// Registered gaps, oldest first, filtered.
    public func gaps(
        openOnly: Bool = false, officer: String? = nil, recorder: String? = nil
    ) throws(ManifestError) -> [GapSummary] {
        try read { db in
            var conditions = [String]()
            var arguments = StatementArguments()
            if let officer {
                conditions.append("g.officer = ?")
                _ = arguments.append(contentsOf: [officer])
            }
            if let recorder {
                conditions.append("g.serial = ?")
                _ = arguments.append(contentsOf: [recorder])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT g.*, e.body,
                        (SELECT COUNT(*) FROM idx_explanation x WHERE x.gap_entry = g.entry) AS explanations,
                        (SELECT i.resolved_by FROM idx_interruption i WHERE i.entry = g.refers_to) AS resolved_by
                    FROM idx_gap g JOIN entry e ON e.seq = g.entry \(filter) ORDER BY g.start_time, g.entry
                    """,
                arguments: arguments)
            return rows.compactMap { row -> GapSummary? in
                let body: Data = row["body"]
                let evidence = (try? ManifestEntry(body: Array(body)))?.fields["evidence"]?.stringValue ?? ""
                guard let kind = GapKind(rawValue: row["kind"]) else { return nil }
                let gap = GapSummary(
                    entryIndex: UInt64(row["entry"] as Int64), kind: kind, serial: row["serial"],
                    officer: row["officer"], start: Date(timeIntervalSince1970: Double(row["start_time"] as Int64)),
                    end: Date(timeIntervalSince1970: Double(row["end_time"] as Int64)),
                    beforeEntry: (row["before_entry"] as Int64?).map(UInt64.init),
                    afterEntry: (row["after_entry"] as Int64?).map(UInt64.init),
                    explanations: Int(row["explanations"] as Int64),
                    resolvedBy: (row["resolved_by"] as Int64?).map(UInt64.init), evidence: evidence)
                return openOnly && !gap.isOpen ? nil : gap
            }
        }
    }

    /// The upload-window exceptions of the recorder `serial` (all recorders when nil).
    public func windowExceptions(serial: String? = nil) throws(ManifestError) -> [WindowException] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM idx_window_exception \(serial == nil ? "" : "WHERE serial = ?") ORDER BY entry",
                arguments: serial.map { [$0] } ?? []
            ).compactMap { row in
                WindowException.Reason(rawValue: row["reason"]).map {
                    WindowException(
                        recorderSerial: row["serial"],
                        from: Date(timeIntervalSince1970: Double(row["from_time"] as Int64)),
                        to: Date(timeIntervalSince1970: Double(row["to_time"] as Int64)), reason: $0,
                        returned: Date(timeIntervalSince1970: Double(row["returned"] as Int64)),
                        entryIndex: UInt64(row["entry"] as Int64))
                }
            }
        }
    }

    /// The clips of `serial` whose recording started in `from...to`, with their current deadline and lateness.
    public func clips(serial: String, recordedFrom from: Date, to: Date) throws(ManifestError) -> [ClipSummary] {
        try clips(recorder: serial, recordedFrom: from, to: to, limit: Int.max)
    }

    /// The clip entries with digest `sha256` (the same bytes may come from several files).
    public func clips(sha256: String) throws(ManifestError) -> [ClipSummary] {
        try clips(sha256: sha256, limit: Int.max)
    }

    /// The clips currently linked to `caseID`.
    public func caseClips(_ caseID: String) throws(ManifestError) -> [ClipSummary] {
        try clips(linkedToCase: caseID, limit: Int.max)
    }

    /// The case links of the clip entry `clipEntry`, oldest first (Art 18, Art 21): the case, its `case.linked`
    /// entry, and the `case.unlinked` entry when the link was reversed.
    public func caseLinks(
        clipEntry: UInt64
    ) throws(ManifestError) -> [(caseID: String, linkEntry: UInt64, unlinkEntry: UInt64?)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT case_id, link_entry, unlink_entry FROM idx_case_link WHERE clip_entry = ? ORDER BY link_entry",
                arguments: [Int64(clipEntry)]
            ).map { row in
                (
                    caseID: row["case_id"], linkEntry: UInt64(row["link_entry"] as Int64),
                    unlinkEntry: (row["unlink_entry"] as Int64?).map(UInt64.init)
                )
            }
        }
    }

    /// For each recorder with an open assignment, the officer and when it was last docked (its latest ingest),
    /// for the overdue report (Art 23).
    public func assignedRecorders(at time: Date) throws(ManifestError) -> [(serial: String, officer: String, since: Date, lastIngest: Date?)] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.serial, a.certificate, a.from_time,
                        (SELECT MAX(ingest_time) FROM idx_clip c WHERE c.serial = a.serial) AS last_ingest
                    FROM idx_assignment a
                    WHERE a.from_time <= ? AND (a.to_time IS NULL OR a.to_time > ?)
                    ORDER BY a.serial, a.from_time DESC, a.entry DESC
                    """,
                arguments: [Int64(time.timeIntervalSince1970), Int64(time.timeIntervalSince1970)])
            var seen = Set<String>()
            var out = [(serial: String, officer: String, since: Date, lastIngest: Date?)]()
            for row in rows {
                let serial: String = row["serial"]
                guard seen.insert(serial).inserted else { continue }
                out.append(
                    (serial, row["certificate"], Date(timeIntervalSince1970: Double(row["from_time"] as Int64)),
                     (row["last_ingest"] as Int64?).map { Date(timeIntervalSince1970: Double($0)) }))
            }
            return out
        }
    }

    /// Checks the query tables against a rebuild from the entries alone; returns the tables that differ.
    ///
    /// Replays every entry into a fresh in-memory database and compares row by row, so it works on a read-only
    /// handle and changes nothing.
    public func indexDifferences() throws(ManifestError) -> [String] {
        let fresh: DatabaseQueue
        do {
            fresh = try DatabaseQueue()
            try fresh.write { db in
                try db.execute(sql: "CREATE TABLE entry (seq INTEGER PRIMARY KEY, body BLOB, leaf BLOB)")
                try db.execute(sql: ManifestIndex.v2)
            }
        } catch {
            throw ManifestError(.database, "cannot create a scratch index", cause: String(describing: error))
        }
        var differing = [String]()
        try read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, body FROM entry ORDER BY seq")
            try fresh.write { scratch in
                while let row = try rows.next() {
                    let body: Data = row["body"]
                    guard let entry = try? ManifestEntry(body: Array(body)) else { continue }
                    try ManifestIndex.apply(entry, index: UInt64(row["seq"] as Int64), db: scratch)
                }
            }
            for table in ManifestIndex.tables {
                let query = "SELECT * FROM \(table)"
                let stored = try Row.fetchAll(db, sql: query).map(\.description).sorted()
                let rebuilt = try fresh.read { try Row.fetchAll($0, sql: query) }.map(\.description).sorted()
                if stored != rebuilt { differing.append(table) }
            }
        }
        return differing
    }
}
