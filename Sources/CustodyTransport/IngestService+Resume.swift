public import CustodyCore
public import CustodyIngest
import CustodyManifest

extension IngestService {
    /// Ingests `source`, a PTP/MTP recorder read through `recorder`, resuming within the dock after a stall
    /// (docs/ptp.md "Resuming after a stall").
    ///
    /// A stall, a timeout or a protocol fault breaks the session: the file being read ends as `ingest.interrupted`
    /// with the bytes done (Art 22), and `recorder` re-opens the session for the files after it. When a session
    /// broke and reading can go on (``MTPRecorderSource/canResume``), one more pass copies what the first left: the
    /// interrupted files, each tried once more. Its `clip.ingested` resolves the interruption, as a later dock's
    /// would. Both passes correct clip times by the same `clock`. `source` is `recorder` or a wrapper of it (custodyd's status board).
    public func ingest(
        _ source: any RecorderSource, resuming recorder: MTPRecorderSource, model: RecorderModel,
        clock: ClockCorrection? = nil, progress: @escaping @Sendable (IngestProgress) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws(IngestError) -> IngestSummary {
        let first = try ingest(source, model: model, clock: clock, progress: progress, shouldStop: shouldStop)
        guard !first.failures.isEmpty, recorder.canResume, !shouldStop() else { return first }
        let retry: IngestSummary
        do {
            retry = try ingest(source, model: model, clock: clock, progress: progress, shouldStop: shouldStop)
        } catch {
            // The recorder did not list again: the first pass's interruptions stand, for the next dock.
            return first
        }
        return first.resumed(by: retry)
    }
}

extension IngestSummary {
    /// This pass followed by `retry`, a pass over the same recorder in the same dock: the clips of both; the
    /// failures of the retry, and those of this pass that the retry did not reach.
    func resumed(by retry: IngestSummary) -> IngestSummary {
        var merged = self
        let retried = Set(
            retry.ingested.compactMap { try? ManifestEntry(body: $0.body).fields["path"]?.stringValue }
                + retry.failures.map(\.path.display))
        merged.failures = retry.failures + failures.filter { !retried.contains($0.path.display) }
        merged.ingested += retry.ingested
        merged.bytesCopied += retry.bytesCopied
        merged.gaps += retry.gaps
        merged.gapRegistrationError = retry.gapRegistrationError
        return merged
    }
}
