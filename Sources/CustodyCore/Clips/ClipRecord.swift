public import Foundation

/// Everything Custody states about one ingested file: the body of a `clip.ingested` entry (Art 8, 23, 25).
public struct ClipRecord: Sendable, Equatable {
    /// Where a clip's recording times came from.
    public enum TimeSource: String, Sendable {
        /// The MP4/QuickTime `mvhd` creation time and duration.
        case mp4
        /// The timestamp in the file name, per the model's pattern.
        case fileName
        /// The file's modification time on the recorder: the last resort.
        case modificationTime
    }

    /// A clip's times as the recorder's clock gave them, kept beside the corrected ``recordingStart`` and
    /// ``recordingEnd`` when the recorder's clock was read at dock (issue 5 item 4).
    public struct RecorderTime: Sendable, Equatable {
        /// When recording started, by the recorder's clock.
        public var recordingStart: Date
        /// When recording ended, by the recorder's clock.
        public var recordingEnd: Date
        /// The correction that made the station times from these.
        public var correction: ClockCorrection

        /// The recorder's own times `recordingStart` and `recordingEnd`, corrected by `correction`.
        public init(recordingStart: Date, recordingEnd: Date, correction: ClockCorrection) {
            self.recordingStart = recordingStart
            self.recordingEnd = recordingEnd
            self.correction = correction
        }
    }

    /// What kind of container the file is.
    public enum Container: String, Sendable {
        case mp4, quickTime, fragmentedMP4, unfinalized, other
    }

    /// The recorder.
    public var recorder: RecorderIdentity
    /// The path on the recorder.
    public var path: RecorderPath
    /// The size in bytes.
    public var size: UInt64
    /// The modification time on the recorder.
    public var modificationTime: Date
    /// The SHA-256 of the bytes: acquisition and verification hashes, equal, or the clip is not committed.
    public var sha256: SHA256Hash
    /// When recording started, by the station's clock where the recorder's clock was read at dock (``recorderTime``),
    /// else by the recorder's.
    public var recordingStart: Date
    /// When recording ended (equal to the start for stills and where the duration is unknown); the same clock as
    /// ``recordingStart``.
    public var recordingEnd: Date
    /// The recorder's own times and the correction applied to them, when its clock was read at dock; nil when it was
    /// not (mass storage, `custody ingest`, a failed reading), and the times above are the recorder's own.
    public var recorderTime: RecorderTime?
    /// Where the times came from.
    public var timeSource: TimeSource
    /// The container kind.
    public var container: Container
    /// The duration in milliseconds, when known.
    public var durationMilliseconds: Int64?
    /// The sequence number in the file name, where the model's pattern has one (gap detection uses it).
    public var sequence: Int?
    /// The officer who held the recorder at the recording start; nil is "unassigned", shown as such.
    public var officer: Officer?
    /// When the clip was committed.
    public var ingestTime: Date
    /// The Art 23 deadline.
    public var deadline: Date
    /// Whether the ingest missed the deadline.
    public var late: Bool

    /// Creates a record.
    public init(
        recorder: RecorderIdentity, path: RecorderPath, size: UInt64, modificationTime: Date, sha256: SHA256Hash,
        recordingStart: Date, recordingEnd: Date, timeSource: TimeSource, container: Container,
        durationMilliseconds: Int64?, sequence: Int? = nil, officer: Officer?, ingestTime: Date, deadline: Date,
        late: Bool, recorderTime: RecorderTime? = nil
    ) {
        self.recorder = recorder
        self.path = path
        self.size = size
        self.modificationTime = modificationTime
        self.sha256 = sha256
        self.recordingStart = recordingStart
        self.recordingEnd = recordingEnd
        self.timeSource = timeSource
        self.container = container
        self.durationMilliseconds = durationMilliseconds
        self.sequence = sequence
        self.officer = officer
        self.ingestTime = ingestTime
        self.deadline = deadline
        self.late = late
        self.recorderTime = recorderTime
    }
}
