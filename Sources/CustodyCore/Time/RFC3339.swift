public import Foundation

/// Formats and parses the one time format that appears in entries: RFC 3339 in UTC, whole seconds, `Z` suffix.
///
/// Written by hand rather than with a date formatter so the bytes never depend on locale or platform
/// (entries are hashed; see docs/manifest.md).
public enum RFC3339 {
    /// Formats `date` as `YYYY-MM-DDThh:mm:ssZ`, truncating fractions of a second.
    public static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return format(secondsSinceEpoch: seconds)
    }

    /// Formats seconds since 1970-01-01T00:00:00Z.
    public static func format(secondsSinceEpoch seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilDate.date(fromDays: Int(days))
        return pad(Int64(year), 4) + "-" + pad(Int64(month), 2) + "-" + pad(Int64(day), 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2) + "Z"
    }

    /// Parses an RFC 3339 time with a `Z` or `±hh:mm` offset and optional fractional seconds.
    ///
    /// Returns nil for anything that is not a valid date and time (month 13, 25 o'clock, 30 February).
    public static func parse(_ text: String) -> Date? {
        guard let seconds = parseSeconds(text) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// Parses like ``parse(_:)`` and returns seconds since the epoch, fractions included.
    public static func parseSeconds(_ text: String) -> Double? {
        let c = Array(text.utf8)
        guard c.count >= 20 else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= c.count else { return nil }
            var value: Int64 = 0
            for i in from..<(from + count) {
                guard c[i] >= 48, c[i] <= 57 else { return nil }
                value = value * 10 + Int64(c[i] - 48)
            }
            return value
        }
        guard let year = digits(0, 4), c[4] == 45, let month = digits(5, 2), c[7] == 45, let day = digits(8, 2),
            c[10] == 84 || c[10] == 116, let hour = digits(11, 2), c[13] == 58, let minute = digits(14, 2),
            c[16] == 58, let second = digits(17, 2)
        else { return nil }
        guard
            CivilDate.isValid(
                year: Int(year), month: Int(month), day: Int(day), hour: Int(hour), minute: Int(minute),
                second: Int(second))
        else { return nil }
        var position = 19
        var fraction = 0.0
        if position < c.count, c[position] == 46 {
            position += 1
            var scale = 0.1
            let start = position
            while position < c.count, c[position] >= 48, c[position] <= 57 {
                fraction += Double(c[position] - 48) * scale
                scale /= 10
                position += 1
            }
            guard position > start else { return nil }
        }
        guard position < c.count else { return nil }
        var offset: Int64 = 0
        if c[position] == 90 || c[position] == 122 {
            position += 1
        } else if c[position] == 43 || c[position] == 45 {
            guard let oh = digits(position + 1, 2), position + 3 < c.count, c[position + 3] == 58,
                let om = digits(position + 4, 2), oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (c[position] == 43 ? 1 : -1)
            position += 6
        } else {
            return nil
        }
        guard position == c.count else { return nil }
        let seconds = Int64(
            CivilDate.seconds(
                year: Int(year), month: Int(month), day: Int(day), hour: Int(hour), minute: Int(minute),
                second: Int(second))) - offset
        return Double(seconds) + fraction
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
