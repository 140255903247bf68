public import Foundation

/// What a recorder's file name says about its clip, read by a ``FileNamePattern``.
///
/// A field the pattern does not carry is nil. The raw strings are the characters exactly as the recorder wrote
/// them, so an entry can quote the name's own evidence even where it cannot be interpreted (an impossible date,
/// a sequence number too long for an integer).
public struct FileNameFields: Sendable, Hashable {
    /// The device serial from `{serial}`, as written.
    public var serial: String?
    /// The officer or certificate number from `{officer}`, as written.
    public var officer: String?
    /// The recording start from `{start}` or `{date}` + `{time}`, read as local time at the model's offset.
    ///
    /// Nil when the pattern carries no time, and also when the name's digits are not a real calendar date and
    /// time (month 13, 30 February, 29 February of a common year, hour 24, minute or second 60). The name
    /// still matches in that case, so the clip is still recognised and ``rawStart`` keeps the digits; the caller
    /// should treat a pattern that carries a time but yields no `start` as a clock anomaly (DESIGN "Time").
    public var start: Date?
    /// The digits of the time as `YYYYMMDDhhmmss` (for `{date}` + `{time}`, the two concatenated).
    public var rawStart: String?
    /// The value of `{sequence}`, leading zeros ignored; nil when more than 18 digits were written.
    public var sequence: Int?
    /// The digits of `{sequence}` as written, leading zeros kept (`"0007"`).
    public var rawSequence: String?

    /// Creates fields; every one defaults to absent.
    public init(
        serial: String? = nil,
        officer: String? = nil,
        start: Date? = nil,
        rawStart: String? = nil,
        sequence: Int? = nil,
        rawSequence: String? = nil
    ) {
        self.serial = serial
        self.officer = officer
        self.start = start
        self.rawStart = rawStart
        self.sequence = sequence
        self.rawSequence = rawSequence
    }
}
