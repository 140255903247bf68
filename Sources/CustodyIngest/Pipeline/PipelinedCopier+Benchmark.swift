public import CustodyCore

extension PipelinedCopier {
    /// What a benchmark copy stored.
    public struct BenchmarkCopy: Sendable {
        /// The acquisition hash, under which the copy was committed.
        public let digest: SHA256Hash
        /// The bytes copied.
        public let bytes: UInt64
    }

    /// Copies `stream` into `store` the way an ingest does (staging file reserved with `posix_fallocate`,
    /// SHA-256 in the same pass, O_DIRECT writes, `fsync`, commit by rename), without planning, verification or
    /// the manifest, so the benchmark harness (`Benchmarks/`) can time the copy apart from the verification read.
    ///
    /// Call ``ContentStore/verificationHash(of:progress:)`` afterwards to time the read-back; an ingest never
    /// registers a clip without it.
    public static func benchmarkCopy(
        from stream: any RecorderFileStream, size: UInt64, into store: ContentStore
    ) throws(IngestError) -> BenchmarkCopy {
        let staging = try store.createStagingFile(size: size)
        defer { staging.discard() }
        let result = try copy(from: stream, to: staging, progress: { _ in }, shouldStop: { false })
        _ = try store.commit(staging, digest: result.digest)
        return BenchmarkCopy(digest: result.digest, bytes: result.bytes)
    }
}
