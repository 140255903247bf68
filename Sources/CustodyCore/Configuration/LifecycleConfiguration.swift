/// The `[retention]` table: how long footage is kept at least (Art 25).
public struct RetentionConfiguration: Sendable, Equatable {
    /// `retention.years`: footage is kept at least this many years from its recording start (default 2, Art 25).
    public var years = 2

    /// The defaults.
    public init() {}
}

/// The `[scrub]` table: how custodyd re-hashes the footage store in the background (Art 28).
public struct ScrubConfiguration: Sendable, Equatable {
    /// `scrub.enabled`: whether custodyd scrubs the store (default true).
    public var enabled = true
    /// `scrub.bytes_per_second`: the re-hash rate, so a scrub never starves ingest (default 16 MiB/s).
    public var bytesPerSecond: UInt64 = 16 << 20
    /// `scrub.pause_seconds`: the rest between two full passes over the store (default 86400, a day).
    public var pauseSeconds = 86_400

    /// The defaults.
    public init() {}
}
