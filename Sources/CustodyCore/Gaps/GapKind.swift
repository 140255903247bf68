/// The kinds of gap and interruption Custody registers (Art 19, Art 22; shared/DESIGN.md "Gaps and interruptions").
///
/// docs/gaps.md states each kind's rule.
public enum GapKind: String, Sendable, CaseIterable, Equatable {
    /// The file-name sequence numbers of a recorder skip one or more numbers.
    case missingSequence
    /// A full-length segment whose successor does not start within tolerance of its end.
    case brokenChain
    /// A recording cut before its index was written (no usable `moov`), e.g. by power loss.
    case unfinalized
    /// Recording stopped and started again within the resume window.
    case shortResume
    /// Recording times in the future, going backwards, or overlapping.
    case clockAnomaly
    /// Copying stopped before a file was complete; resolved by a later complete ingest.
    case ingestInterrupted
}
