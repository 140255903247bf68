public import CustodyCore
public import CustodyManifest

/// What one ingest of a recorder did.
public struct IngestSummary: Sendable {
    /// A file that could not be ingested, and why.
    public struct Failure: Sendable {
        public let path: RecorderPath
        public let error: IngestError
    }

    /// The recorder.
    public let recorder: RecorderIdentity
    /// Regular files found.
    public var filesListed = 0
    /// Files outside the model's media globs, left alone.
    public var notMedia = 0
    /// Media files the manifest already accounts for.
    public var alreadyIngested = 0
    /// Paths never read (links, devices, FIFOs…), each also a `clip.anomaly` entry.
    public var refused: [RefusedPath] = []
    /// The `clip.ingested` entries appended.
    public var ingested: [StoredEntry] = []
    /// Files that failed, each also an `ingest.interrupted` entry.
    public var failures: [Failure] = []
    /// The `recording.gap` entries this ingest registered.
    public var gaps: [StoredEntry] = []
    /// Why gap registration failed, if it did; the clips above are committed all the same.
    public var gapRegistrationError: IngestError?
    /// Bytes copied into the store.
    public var bytesCopied: UInt64 = 0

    init(recorder: RecorderIdentity) { self.recorder = recorder }
}
