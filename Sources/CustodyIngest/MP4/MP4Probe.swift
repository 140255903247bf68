/// The outcome of probing a file: MP4 metadata, or a plain statement that the file is not MP4.
///
/// Not being MP4 is not an error: the pipeline copies and hashes such files (photos, audio) and
/// takes their time from the file name or modification time.
public enum MP4Probe: Sendable, Equatable {
    /// The file is ISO BMFF (MP4 or QuickTime); the metadata says how complete it is.
    case mp4(MP4Metadata)
    /// The file does not start like an MP4 or QuickTime movie (or is an ISO BMFF still image such as HEIF).
    case notMP4

    /// The metadata, or nil when the file is not MP4.
    public var metadata: MP4Metadata? {
        if case .mp4(let metadata) = self { metadata } else { nil }
    }
}
