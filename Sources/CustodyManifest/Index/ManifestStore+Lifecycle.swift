public import CustodyCore
public import Foundation
import GRDB

/// A hold as `custody holds` lists it (Art 26).
public struct HoldSummary: Sendable, Equatable {
    /// The `hold.placed` entry's index.
    public let entryIndex: UInt64
    /// `clip` or `case`.
    public let scope: String
    /// The case, for a case hold.
    public let caseID: String?
    /// The Art 26 reason.
    public let reason: String
    /// The clips the hold named when placed (by entry index).
    public let clipEntries: [UInt64]
    /// The `hold.released` entry, if released.
    public let releasedBy: UInt64?
}

/// A clip's retention: what `custody purge` decides on (Art 25, Art 26).
public struct ClipRetention: Sendable, Equatable {
    public let clip: ClipSummary
    /// The earliest purge time the entries allow.
    public let earliestPurge: RetentionPolicy.EarliestPurge
    /// The `clip.purged` entry, if the footage was purged.
    public let purgedBy: UInt64?
}

extension ManifestIndex {
    /// Updates the lifecycle query tables for one appended entry (holds, case retention, purges, corruption).
    static func applyLifecycle(_ entry: ManifestEntry, index: UInt64, db: Database) throws {
        let fields = entry.fields
        switch entry.type {
        case .holdPlaced:
            guard let scope = fields["scope"]?.stringValue, let reason = fields["reason"]?.stringValue else { return }
            try db.execute(
                sql: "INSERT INTO idx_hold (entry, scope, case_id, reason) VALUES (?, ?, ?, ?)",
                arguments: [Int64(index), scope, fields["case"]?.stringValue, reason])
            for item in fields["clips"]?.arrayValue ?? [] {
                guard let clip = item["clip"]?["index"]?.intValue else { continue }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO idx_hold_clip (hold_entry, clip_entry) VALUES (?, ?)",
                    arguments: [Int64(index), clip])
            }
        case .holdReleased:
            guard let hold = fields["hold"]?["index"]?.intValue else { return }
            try db.execute(
                sql: "UPDATE idx_hold SET released_by = ? WHERE entry = ? AND released_by IS NULL",
                arguments: [Int64(index), hold])
        case .caseRetention:
            guard let caseID = fields["case"]?.stringValue,
                let until = fields["until"]?.stringValue.flatMap(RFC3339.parseSeconds)
            else { return }
            try db.execute(
                sql: "INSERT INTO idx_case_retention (entry, case_id, until) VALUES (?, ?, ?)",
                arguments: [Int64(index), caseID, Int64(until)])
        case .clipPurged:
            guard let clip = fields["clip"]?["index"]?.intValue, let sha = fields["sha256"]?.stringValue else { return }
            try db.execute(
                sql: "INSERT OR IGNORE INTO idx_purge (clip_entry, sha256, entry) VALUES (?, ?, ?)",
                arguments: [clip, sha, Int64(index)])
        case .caseClosed:
            guard let caseID = fields["case"]?.stringValue,
                let closed = fields["closed"]?.stringValue.flatMap(RFC3339.parseSeconds)
            else { return }
            try db.execute(
                sql: "INSERT INTO idx_case_closed (entry, case_id, closed) VALUES (?, ?, ?)",
                arguments: [Int64(index), caseID, Int64(closed)])
        case .clipArchived:
            guard let caseID = fields["case"]?.stringValue, let time = RFC3339.parseSeconds(entry.time) else { return }
            try db.execute(
                sql: "INSERT INTO idx_archive (entry, case_id, time, clips) VALUES (?, ?, ?, ?)",
                arguments: [Int64(index), caseID, Int64(time), fields["clips"]?.arrayValue?.count ?? 0])
        case .storeCorruption:
            guard let sha = fields["sha256"]?.stringValue, let kind = fields["kind"]?.stringValue else { return }
            try db.execute(
                sql: "INSERT INTO idx_corruption (entry, sha256, kind) VALUES (?, ?, ?)",
                arguments: [Int64(index), sha, kind])
        default:
            return
        }
    }
}

/// Holds, retention, purges and corruption, answered from the query tables (Art 25, 26, 28).
extension ManifestStore {
    /// Every hold, oldest first; only those not released when `openOnly`.
    public func holds(openOnly: Bool = false) throws(ManifestError) -> [HoldSummary] {
        try read { db in
            let clips = try Row.fetchAll(
                db, sql: "SELECT hold_entry, clip_entry FROM idx_hold_clip ORDER BY clip_entry")
            var byHold = [Int64: [UInt64]]()
            for row in clips { byHold[row["hold_entry"], default: []].append(UInt64(row["clip_entry"] as Int64)) }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM idx_hold \(openOnly ? "WHERE released_by IS NULL" : "") ORDER BY entry"
            ).map { row in
                let entry: Int64 = row["entry"]
                return HoldSummary(
                    entryIndex: UInt64(entry), scope: row["scope"], caseID: row["case_id"], reason: row["reason"],
                    clipEntries: byHold[entry] ?? [], releasedBy: (row["released_by"] as Int64?).map(UInt64.init))
            }
        }
    }

    /// For every clip under a hold that is not released, the holds' descriptions (Art 26): the clips a hold named,
    /// and every clip linked now to a case under a case hold.
    public func heldClips() throws(ManifestError) -> [UInt64: [String]] {
        try read { db in
            var held = [UInt64: [String]]()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT c.clip_entry, h.entry, h.reason FROM idx_hold h JOIN idx_hold_clip c ON c.hold_entry = h.entry
                    WHERE h.released_by IS NULL
                    UNION
                    SELECT l.clip_entry, h.entry, h.reason FROM idx_hold h JOIN idx_case_link l ON l.case_id = h.case_id
                    WHERE h.released_by IS NULL AND h.scope = 'case' AND l.unlink_entry IS NULL
                    """)
            {
                held[UInt64(row["clip_entry"] as Int64), default: []].append(
                    "hold \(row["entry"] as Int64) (\(row["reason"] as String))")
            }
            return held
        }
    }

    /// The latest retention end recorded for each case (Art 25).
    public func caseRetentions() throws(ManifestError) -> [String: Date] {
        try read { db in
            var out = [String: Date]()
            for row in try Row.fetchAll(
                db, sql: "SELECT case_id, MAX(until) AS until FROM idx_case_retention GROUP BY case_id")
            {
                out[row["case_id"]] = Date(timeIntervalSince1970: Double(row["until"] as Int64))
            }
            return out
        }
    }

    /// The `clip.purged` entry of each purged clip, by clip entry.
    public func purgedClips() throws(ManifestError) -> [UInt64: UInt64] {
        try read { db in
            var out = [UInt64: UInt64]()
            for row in try Row.fetchAll(db, sql: "SELECT clip_entry, entry FROM idx_purge") {
                out[UInt64(row["clip_entry"] as Int64)] = UInt64(row["entry"] as Int64)
            }
            return out
        }
    }

    /// Every clip with its earliest purge time under `years` of minimum retention, oldest recording first.
    public func retention(years: Int) throws(ManifestError) -> [ClipRetention] {
        let held = try heldClips()
        let retentions = try caseRetentions()
        let purged = try purgedClips()
        let links = try read { db in
            var out = [UInt64: Set<String>]()
            for row in try Row.fetchAll(
                db, sql: "SELECT clip_entry, case_id FROM idx_case_link WHERE unlink_entry IS NULL")
            {
                out[UInt64(row["clip_entry"] as Int64), default: []].insert(row["case_id"])
            }
            return out
        }
        return try clips(limit: Int.max).reversed().map { clip in
            let cases = (links[clip.entryIndex] ?? []).sorted().map {
                RetentionPolicy.CaseLink(caseID: $0, retainUntil: retentions[$0])
            }
            return ClipRetention(
                clip: clip,
                earliestPurge: RetentionPolicy.earliestPurge(
                    recordingStart: clip.recordingStart, years: years, cases: cases, holds: held[clip.entryIndex] ?? []),
                purgedBy: purged[clip.entryIndex])
        }
    }

    /// The digests `store.corruption` entries name, with the kinds recorded.
    public func corruptions() throws(ManifestError) -> [(entryIndex: UInt64, sha256: String, kind: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT entry, sha256, kind FROM idx_corruption ORDER BY entry").map {
                (UInt64($0["entry"] as Int64), $0["sha256"], $0["kind"])
            }
        }
    }

    /// Cases closed (latest closure) whose archive deadline — closure + `days` — passed before `now` with no
    /// `clip.archived` entry for the case by then (Art 27).
    public func missedArchives(
        now: Date, days: Int = 10
    ) throws(ManifestError) -> [(caseID: String, closed: Date, deadline: Date, archivedLate: Date?)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.case_id, MAX(c.closed) AS closed,
                        (SELECT MIN(a.time) FROM idx_archive a WHERE a.case_id = c.case_id) AS archived
                    FROM idx_case_closed c GROUP BY c.case_id ORDER BY closed, c.case_id
                    """
            ).compactMap { row in
                let closed = Date(timeIntervalSince1970: Double(row["closed"] as Int64))
                let deadline = closed.addingTimeInterval(Double(days) * 86_400)
                let archived = (row["archived"] as Int64?).map { Date(timeIntervalSince1970: Double($0)) }
                guard deadline < now, archived.map({ $0 > deadline }) ?? true else { return nil }
                return (row["case_id"], closed, deadline, archived)
            }
        }
    }
}
