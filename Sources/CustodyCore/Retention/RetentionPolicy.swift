public import Foundation

/// When a clip's footage may be purged at the earliest (Art 25, Art 26).
///
/// Pure policy: the manifest supplies the facts (recording start, case links and their retention, holds) and this
/// says what they allow. Every rule only ever keeps footage longer.
public enum RetentionPolicy {
    /// The earliest time a clip may be purged.
    public enum EarliestPurge: Sendable, Equatable, CustomStringConvertible {
        /// Not before this instant: purge is allowed at or after it.
        case at(Date)
        /// Never while the reason stands (a hold, or a case link whose retention is not known).
        case never(String)

        public var description: String {
            switch self {
            case .at(let date): RFC3339.format(date)
            case .never(let reason): "never (\(reason))"
            }
        }

        /// Whether purge is allowed at `now`.
        public func allows(at now: Date) -> Bool {
            if case .at(let date) = self { return now >= date }
            return false
        }
    }

    /// A case the clip is linked to, with the retention recorded for it, if any.
    public struct CaseLink: Sendable, Equatable {
        public let caseID: String
        /// The case file's retention end (`custody retain`); nil while the case system has not given one.
        public let retainUntil: Date?

        public init(caseID: String, retainUntil: Date?) {
            self.caseID = caseID
            self.retainUntil = retainUntil
        }
    }

    /// `recordingStart` plus `years` calendar years in UTC (29 February plus one year is 28 February).
    public static func minimumRetentionEnd(recordingStart: Date, years: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .year, value: years, to: recordingStart) ?? .distantFuture
    }

    /// The earliest purge time of a clip recorded from `recordingStart`:
    /// - under a hold (Art 26): never;
    /// - linked to a case whose retention is not recorded: never, until it is (evidence follows its case file, Art 25);
    /// - otherwise the latest of recording start + `years` and every linked case's retention end.
    public static func earliestPurge(
        recordingStart: Date, years: Int, cases: [CaseLink], holds: [String]
    ) -> EarliestPurge {
        if let hold = holds.first { return .never("held: \(hold)") }
        if let open = cases.first(where: { $0.retainUntil == nil }) {
            return .never("linked to case \(open.caseID), whose retention is not recorded")
        }
        let base = minimumRetentionEnd(recordingStart: recordingStart, years: years)
        return .at(cases.compactMap(\.retainUntil).reduce(base, max))
    }
}
