public import Foundation

/// What the MP4 reader learned about one ISO BMFF (MP4 or QuickTime) file, finished or not.
public struct MP4Metadata: Sendable, Equatable {
    /// How complete the file is.
    public enum Kind: String, Sendable {
        /// A movie box (`moov`) was read and every top-level box ends within the file.
        case finalized
        /// A movie box was read but the file ends inside a later box (the tail of `mdat`, or a
        /// movie fragment); the header describes more media than the file holds.
        case truncated
        /// No movie box: the recording was cut (for example by power loss) before the camera wrote
        /// its index. Media may be present; creation time and duration are unknown.
        case unfinalized
    }

    /// Where ``MP4Metadata/duration`` came from.
    public enum DurationSource: String, Sendable {
        /// The movie header (`mvhd`), ISO/IEC 14496-12 §8.2.2.
        case movieHeader
        /// The movie extends header (`mvex/mehd`) of a fragmented file, §8.8.2.
        case movieExtendsHeader
        /// The sum of the sample durations of the first video track (or first track), in the
        /// movie box's sample table and in every complete movie fragment (`trun`, `tfhd`, `trex`), §8.8.
        case trackFragments
        /// The media header (`mdhd`) of the first video track (or first track), when `mvhd` gives none.
        case mediaHeader
    }

    /// How complete the file is.
    public var kind: Kind
    /// The major brand from `ftyp` (such as `"isom"` or `"qt  "`), or nil when the file has no `ftyp`.
    public var majorBrand: String?
    /// The compatible brands from `ftyp`, in file order.
    public var compatibleBrands: [String]
    /// The `mvhd` creation time as a date, or nil when it is zero or there is no `mvhd`.
    ///
    /// ISO/IEC 14496-12 defines it as seconds since 1904-01-01 00:00 UTC. Some cameras write local
    /// time instead; the value is what the file claims, not a verified fact.
    public var creationTime: Date?
    /// The `mvhd` modification time as a date, or nil when it is zero or there is no `mvhd`.
    public var modificationTime: Date?
    /// The presentation duration, or nil when the file does not say.
    public var duration: MP4Duration?
    /// Where ``duration`` came from, or nil when it is nil.
    public var durationSource: DurationSource?
    /// Whether the file is fragmented (its movie box has an `mvex` box).
    public var isFragmented: Bool
    /// The number of complete movie fragments (`moof`) in the file.
    public var fragmentCount: Int
    /// The number of media-data (`mdat`) payload bytes present in the file, counting a cut `mdat`
    /// up to the end of the file.
    public var mediaDataBytes: UInt64

    /// Creates metadata; the reader fills it in.
    public init(
        kind: Kind,
        majorBrand: String? = nil,
        compatibleBrands: [String] = [],
        creationTime: Date? = nil,
        modificationTime: Date? = nil,
        duration: MP4Duration? = nil,
        durationSource: DurationSource? = nil,
        isFragmented: Bool = false,
        fragmentCount: Int = 0,
        mediaDataBytes: UInt64 = 0
    ) {
        self.kind = kind
        self.majorBrand = majorBrand
        self.compatibleBrands = compatibleBrands
        self.creationTime = creationTime
        self.modificationTime = modificationTime
        self.duration = duration
        self.durationSource = durationSource
        self.isFragmented = isFragmented
        self.fragmentCount = fragmentCount
        self.mediaDataBytes = mediaDataBytes
    }

    /// Whether the file is a QuickTime movie: major brand `qt  `, or no `ftyp` at all.
    public var isQuickTime: Bool { majorBrand == nil || majorBrand == "qt  " }

    /// The duration in seconds, or nil when unknown.
    public var durationSeconds: Double? { duration?.seconds }
}
