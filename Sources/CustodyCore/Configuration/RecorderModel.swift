/// A recorder model from `[[models]]` in the configuration: what its media are and how its files are named.
public struct RecorderModel: Sendable, Equatable {
    /// `name`: the model's name, written into every entry of its clips.
    public var name: String
    /// `media`: globs, relative to the recorder's root, naming its footage; other files are left alone.
    public var media: [MediaGlob]
    /// `file_name`: the pattern of its file names, if they carry fields (serial, officer, time, sequence).
    public var fileName: FileNamePattern?
    /// `time_zone`: the offset of the clock that writes times into file names (recorders use local time).
    public var timeZone: TimeZoneOffset
    /// `verify_source`: after the copy, read the file on the recorder a second time and compare its hash.
    public var verifySource: Bool

    /// A model with every default: all files are media, no file-name pattern, UTC, no source re-read.
    public init(name: String) {
        self.name = name
        self.media = [try! MediaGlob("**")]
        self.fileName = nil
        self.timeZone = .utc
        self.verifySource = false
    }

    /// Whether the file at `relativePath` is one of this model's media files.
    public func isMedia(_ relativePath: String) -> Bool {
        media.matches(relativePath)
    }
}

/// The `[ingest]` table.
public struct IngestConfiguration: Sendable, Equatable {
    /// `concurrent_files`: how many files copy at once.
    public var concurrentFiles = 2
    /// `reserve_bytes`: free space always kept on the store; a file that would eat into it is refused.
    public var reserveBytes: UInt64 = 1 << 30

    /// The defaults.
    public init() {}
}

/// The `[upload]` table (Art 23).
public struct UploadConfiguration: Sendable, Equatable {
    /// `window_hours`: footage must be stored within this many hours after recording ends.
    public var windowHours = 24

    /// The defaults.
    public init() {}

    /// The window as a policy value.
    public var window: UploadWindow { UploadWindow(hours: windowHours) }
}
