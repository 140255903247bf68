/// One fuzz input through ``MP4Reader/probe(_:)``, with the reader's promises as invariants (issue 9,
/// docs/fuzzing.md).
///
/// Shared by the libFuzzer target `Fuzz/FuzzMP4Reader` and by the regression tests that replay the kept corpus and
/// crashers in every `make test`.
public enum MP4ReaderFuzzCheck {
    /// The read cap the fuzzer runs with: small, so that streamed tables cross chunk boundaries often.
    static let readCap = 4096

    /// A source that refuses reads beyond a budget, so a walk that stops making progress ends instead of hanging.
    struct BudgetedSource: ByteSource {
        struct BudgetExceeded: Error {}
        let inner: InMemoryByteSource
        let budget: Int
        var size: UInt64 { inner.size }

        func read(at offset: UInt64, count: Int) throws -> [UInt8] {
            guard inner.readRequestCount < budget else { throw BudgetExceeded() }
            return try inner.read(at: offset, count: count)
        }
    }

    /// Probes `bytes` as a file and returns a description of the first broken promise, or nil when all hold.
    ///
    /// The promises: the probe returns metadata or throws ``MP4Error`` (a trap is found by the fuzzer as a crash); no
    /// single read exceeds the cap; a walk makes progress (box headers occupy disjoint bytes, so it needs fewer reads
    /// than the file has bytes); the media bytes counted fit in the file and the duration is finite; and probing the
    /// same bytes again gives the same answer.
    public static func check(_ bytes: [UInt8]) -> String? {
        let reader = MP4Reader(limits: .init(maxParsedBoxSize: readCap))
        let source = InMemoryByteSource(bytes)
        let budget = bytes.count + 16
        let first = Result { () throws(MP4Error) in try reader.probe(BudgetedSource(inner: source, budget: budget)) }
        if source.largestReadRequested > readCap {
            return "a read of \(source.largestReadRequested) bytes exceeds the cap of \(readCap)"
        }
        switch first {
        case .failure(let error) where error.code == .io:
            return "more than \(budget) reads of a \(bytes.count)-byte file: the walk does not make progress"
        case .success(.mp4(let metadata)):
            if metadata.mediaDataBytes > UInt64(bytes.count) {
                return "\(metadata.mediaDataBytes) media bytes counted in a \(bytes.count)-byte file"
            }
            if let seconds = metadata.durationSeconds, !seconds.isFinite || seconds < 0 {
                return "the duration \(seconds) s is not a finite, non-negative number"
            }
            if metadata.fragmentCount > bytes.count / 8 {
                return "\(metadata.fragmentCount) fragments counted in a \(bytes.count)-byte file"
            }
        default:
            break
        }
        let second = Result { () throws(MP4Error) in try reader.probe(InMemoryByteSource(bytes)) }
        switch (first, second) {
        case (.success(let a), .success(let b)) where a == b: return nil
        case (.failure(let a), .failure(let b)) where a.code == b.code: return nil
        default: return "probing the same bytes twice gave different answers: \(first) and \(second)"
        }
    }
}
