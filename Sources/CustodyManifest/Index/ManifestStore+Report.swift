public import CustodyCore
public import Foundation

/// One row of the supervision report (Art 29, Art 31).
public struct ComplianceRow: Sendable, Equatable {
    /// The officer's certificate, the recorder's serial, the UTC day (YYYY-MM-DD), or `TOTAL`.
    public let key: String
    public var secondsRecorded: Int64 = 0
    public var clips = 0
    public var bytes: UInt64 = 0
    public var lateClips = 0
    public var gapsByKind: [String: Int] = [:]
    public var unexplainedGaps = 0
    public var overdueRecorders = 0
    public var archivesMissed = 0

    public init(key: String) { self.key = key }

    /// Hours recorded, to two decimals as the report prints them.
    public var hoursRecorded: Double { Double(secondsRecorded) / 3600 }

    mutating func add(_ other: ComplianceRow) {
        secondsRecorded += other.secondsRecorded
        clips += other.clips
        bytes += other.bytes
        lateClips += other.lateClips
        for (kind, count) in other.gapsByKind { gapsByKind[kind, default: 0] += count }
        unexplainedGaps += other.unexplainedGaps
        overdueRecorders += other.overdueRecorders
        archivesMissed += other.archivesMissed
    }
}

/// How report rows are grouped.
public enum ComplianceGrouping: String, Sendable, CaseIterable {
    case officer, recorder, day
}

/// The supervision report, from the query tables (Art 29, Art 31).
extension ManifestStore {
    /// Rows for the period `from ..< to`, grouped, with a `TOTAL` row last.
    ///
    /// - Clips, hours (recording end − start), bytes and late clips count clips whose recording started in the period.
    /// - Gaps (by kind, and those still open) count `recording.gap` entries whose span starts in the period.
    /// - Overdue recorders are those overdue at `to` (or `now`, if earlier), by their assigned officer and serial.
    /// - Archives missed are cases whose 10-day archive deadline (Art 27) fell in the period and passed before
    ///   `min(to, now)` without an archive by then; they have no officer or recorder, so they count in day rows and
    ///   the total only.
    /// A clip or gap with no officer is grouped under `UNASSIGNED`.
    public func complianceReport(
        from: Date, to: Date, by grouping: ComplianceGrouping?, window: UploadWindow, now: Date
    ) throws(ManifestError) -> [ComplianceRow] {
        var rows = [String: ComplianceRow]()
        func day(_ date: Date) -> String { String(RFC3339.format(date).prefix(10)) }
        func key(officer: String?, serial: String, date: Date) -> String {
            switch grouping {
            case .officer: officer ?? "UNASSIGNED"
            case .recorder: serial
            case .day: day(date)
            case nil: "TOTAL"
            }
        }
        for clip in try clips(limit: Int.max) where clip.recordingStart >= from && clip.recordingStart < to {
            let k = key(officer: clip.officerCertificate, serial: clip.serial, date: clip.recordingStart)
            rows[k, default: ComplianceRow(key: k)].clips += 1
            rows[k]!.secondsRecorded += Int64(clip.recordingEnd.timeIntervalSince(clip.recordingStart))
            rows[k]!.bytes += clip.size
            if clip.late { rows[k]!.lateClips += 1 }
        }
        for gap in try gaps() where gap.start >= from && gap.start < to {
            let k = key(officer: gap.officer, serial: gap.serial, date: gap.start)
            rows[k, default: ComplianceRow(key: k)].gapsByKind[gap.kind.rawValue, default: 0] += 1
            if gap.isOpen { rows[k]!.unexplainedGaps += 1 }
        }
        let cutoff = min(to, now)
        for item in OverdueReport.overdue(recorders: try assignedRecorders(at: cutoff), window: window, now: cutoff) {
            let k = key(officer: item.officer, serial: item.serial, date: cutoff.addingTimeInterval(-1))
            rows[k, default: ComplianceRow(key: k)].overdueRecorders += 1
        }
        for missed in try missedArchives(now: cutoff) where missed.deadline >= from && missed.deadline < to {
            let k = grouping == .day ? day(missed.deadline) : "TOTAL"
            rows[k, default: ComplianceRow(key: k)].archivesMissed += 1
        }
        var total = rows["TOTAL"] ?? ComplianceRow(key: "TOTAL")
        let grouped = rows.values.filter { $0.key != "TOTAL" }.sorted { $0.key < $1.key }
        for row in grouped { total.add(row) }
        return grouped + [total]
    }
}
