import Foundation

/// How far an ingest has come: for the CLI's progress line and, later, `custody status`.
public struct IngestProgress: Sendable, Equatable {
    /// Files planned for copying.
    public var filesTotal = 0
    /// Files finished (committed, skipped as identical, or failed).
    public var filesDone = 0
    /// Files that failed.
    public var filesFailed = 0
    /// Bytes planned.
    public var bytesTotal: UInt64 = 0
    /// Bytes read from the recorder so far.
    public var bytesCopied: UInt64 = 0
    /// Seconds since the copy began.
    public var elapsed: Double = 0

    /// Bytes per second so far.
    public var throughput: Double { elapsed > 0 ? Double(bytesCopied) / elapsed : 0 }
}

/// A thread-safe tally of ``IngestProgress`` that reports each change.
final class ProgressTally: @unchecked Sendable {
    private let lock = NSLock()
    private var progress = IngestProgress()
    private let started = Date()
    private let report: @Sendable (IngestProgress) -> Void

    init(files: Int, bytes: UInt64, report: @escaping @Sendable (IngestProgress) -> Void) {
        progress.filesTotal = files
        progress.bytesTotal = bytes
        self.report = report
    }

    func copied(_ bytes: Int) { update { $0.bytesCopied += UInt64(bytes) } }

    func finished(failed: Bool) {
        update {
            $0.filesDone += 1
            if failed { $0.filesFailed += 1 }
        }
    }

    private func update(_ change: (inout IngestProgress) -> Void) {
        lock.lock()
        change(&progress)
        progress.elapsed = Date().timeIntervalSince(started)
        let snapshot = progress
        lock.unlock()
        report(snapshot)
    }
}
