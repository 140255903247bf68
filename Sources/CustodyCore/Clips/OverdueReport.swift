public import Foundation

/// Recorders out longer than the upload window (Art 23): assigned, and not docked since for longer than it.
public enum OverdueReport {
    /// An overdue recorder.
    public struct Item: Sendable, Equatable {
        public let serial: String
        public let officer: String
        /// The later of the handover and the last ingest.
        public let outSince: Date
        /// How long past the window.
        public let overdueBy: TimeInterval
    }

    /// The overdue recorders among `recorders` (serial, officer, assignment start, last ingest) at `now`.
    public static func overdue(
        recorders: [(serial: String, officer: String, since: Date, lastIngest: Date?)], window: UploadWindow,
        now: Date
    ) -> [Item] {
        recorders.compactMap { recorder in
            let outSince = max(recorder.since, recorder.lastIngest ?? recorder.since)
            let overdueBy = now.timeIntervalSince(outSince) - window.length
            guard overdueBy > 0 else { return nil }
            return Item(serial: recorder.serial, officer: recorder.officer, outSince: outSince, overdueBy: overdueBy)
        }
    }
}
