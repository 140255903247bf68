/// A fixed offset from UTC, as a recorder model's configuration states it, for reading the local times that
/// recorders write into file names.
///
/// Recorders keep no time-zone rules: a model's clock is set to local time and stays at one offset, so a fixed
/// offset (not a named zone with daylight-saving rules) is what turns a name's time into an instant.
/// The text form is the RFC 3339 §5.6 `time-offset`: `Z`, `+hh:mm` or `-hh:mm`.
public struct TimeZoneOffset: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// Seconds east of UTC: `+08:00` is 28 800, `-05:30` is −19 800.
    public let secondsEastOfUTC: Int

    /// UTC itself (`Z`).
    public static let utc = TimeZoneOffset(uncheckedSeconds: 0)

    /// Creates an offset of whole minutes, less than 24 hours either way; nil otherwise.
    public init?(secondsEastOfUTC seconds: Int) {
        guard seconds.magnitude < 86_400, seconds % 60 == 0 else { return nil }
        self.secondsEastOfUTC = seconds
    }

    /// Parses `Z` (or `z`), `+hh:mm` or `-hh:mm` with hh below 24 and mm below 60 (RFC 3339 §5.6); nil otherwise.
    ///
    /// `-00:00` is read as UTC.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        if bytes == [UInt8(ascii: "Z")] || bytes == [UInt8(ascii: "z")] {
            self = .utc
            return
        }
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            bytes[3] == UInt8(ascii: ":")
        else { return nil }
        func digit(_ index: Int) -> Int? {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            return Int(byte - UInt8(ascii: "0"))
        }
        guard let h1 = digit(1), let h2 = digit(2), let m1 = digit(4), let m2 = digit(5) else { return nil }
        let hours = h1 * 10 + h2
        let minutes = m1 * 10 + m2
        guard hours < 24, minutes < 60 else { return nil }
        let magnitude = hours * 3600 + minutes * 60
        self.init(uncheckedSeconds: bytes[0] == UInt8(ascii: "-") ? -magnitude : magnitude)
    }

    private init(uncheckedSeconds seconds: Int) {
        self.secondsEastOfUTC = seconds
    }

    /// The offset as `+hh:mm` or `-hh:mm` (UTC is `+00:00`), which ``init(_:)`` reads back.
    public var description: String {
        let magnitude = secondsEastOfUTC.magnitude
        let hours = magnitude / 3600
        let minutes = magnitude % 3600 / 60
        let sign = secondsEastOfUTC < 0 ? "-" : "+"
        return sign + (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
    }
}
