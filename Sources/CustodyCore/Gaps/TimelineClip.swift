public import Foundation

/// One clip on a recorder's timeline, as gap detection sees it.
public struct TimelineClip: Sendable, Equatable {
    /// The index of its `clip.ingested` entry.
    public let entryIndex: UInt64
    /// Its digest.
    public let sha256: String
    /// When recording started and ended.
    public let start: Date
    public let end: Date
    /// The duration, when the container states one.
    public let durationMilliseconds: Int64?
    /// The file-name sequence number, if any.
    public let sequence: Int?
    /// The container kind (``ClipRecord/Container`` raw value).
    public let container: ClipRecord.Container
    /// When it was ingested.
    public let ingestTime: Date
    /// The officer's certificate, if assigned.
    public let officer: String?

    /// Creates a timeline clip.
    public init(
        entryIndex: UInt64, sha256: String, start: Date, end: Date, durationMilliseconds: Int64?, sequence: Int?,
        container: ClipRecord.Container, ingestTime: Date, officer: String?
    ) {
        self.entryIndex = entryIndex
        self.sha256 = sha256
        self.start = start
        self.end = end
        self.durationMilliseconds = durationMilliseconds
        self.sequence = sequence
        self.container = container
        self.ingestTime = ingestTime
        self.officer = officer
    }

    /// Whether the clip is a recording (video), as opposed to a still or another file.
    public var isRecording: Bool { container != .other }
}
