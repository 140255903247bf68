public import CustodyCore
import Glibc

/// One file's pass through one stage of an ingest, with its start and end on the monotonic clock: what an
/// ``IngestService`` reports to its `stageTrace`, so a benchmark can see whether copies, verifications and
/// registrations overlap as designed (`custody-bench throttled --trace`).
public struct IngestStageEvent: Sendable {
    /// A stage of one file's way through the pipeline.
    public enum Stage: String, Sendable {
        /// Copy + SHA-256 + `fsync` of the staging file.
        case copy
        /// The rename into the store and the folder's `fsync`.
        case commit
        /// The read-back of the stored object and its SHA-256 (the verification hash).
        case verification
        /// Analysis of the stored copy and the durable `clip.ingested` entry.
        case registration
    }

    /// The file on the recorder.
    public let path: RecorderPath
    /// The stage.
    public let stage: Stage
    /// When the stage began, in nanoseconds of `CLOCK_MONOTONIC`.
    public let started: UInt64
    /// When it ended (successfully or not), in nanoseconds of `CLOCK_MONOTONIC`.
    public let finished: UInt64

    /// Nanoseconds of `CLOCK_MONOTONIC` now.
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
