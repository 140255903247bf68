/// A duration as an MP4 file states it: a count of ticks in a timescale, kept exact.
public struct MP4Duration: Sendable, Hashable, CustomStringConvertible {
    /// The number of ticks.
    public let value: UInt64
    /// Ticks per second; never zero.
    public let timescale: UInt32

    /// Creates a duration, or returns nil when `timescale` is zero.
    public init?(value: UInt64, timescale: UInt32) {
        guard timescale > 0 else { return nil }
        self.value = value
        self.timescale = timescale
    }

    /// The duration in seconds (rounded to the nearest `Double`).
    public var seconds: Double { Double(value) / Double(timescale) }

    /// The exact ratio, such as `3400/1000 s`.
    public var description: String { "\(value)/\(timescale) s" }
}
