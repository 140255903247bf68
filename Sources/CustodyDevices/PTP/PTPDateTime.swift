public import CustodyCore
public import Foundation

/// A PTP DateTime string, `YYYYMMDDThhmmss[.s][Z|±hhmm]` (ISO 15740 §5.5.4, after ISO 8601), parsed strictly.
///
/// Without `Z` or an offset the time is the device's local time, whose offset the device does not say: the
/// caller supplies the recorder model's configured offset (``date(assuming:)``).
public struct PTPDateTime: Sendable, Equatable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Tenths of a second, when given.
    public var tenths: Int?
    /// The offset the string states (`Z` is UTC), or nil for local time.
    public var offset: TimeZoneOffset?

    /// Parses `text`; anything else than the format above, or a date that does not exist, is
    /// ``PTPError/Code/dateTime``.
    public init(_ text: String) throws(PTPError) {
        let bytes = Array(text.utf8)
        func fail(_ why: String) -> PTPError {
            PTPError(
                .dateTime, "recorder clock \"\(text)\" is not a PTP DateTime (YYYYMMDDThhmmss[.s][Z|±hhmm]): \(why)")
        }
        func number(_ start: Int, _ count: Int) throws(PTPError) -> Int {
            guard start + count <= bytes.count else { throw fail("too short") }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw fail("a digit is expected") }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 15, bytes[8] == UInt8(ascii: "T") else { throw fail("too short or no T") }
        year = try number(0, 4)
        month = try number(4, 2)
        day = try number(6, 2)
        hour = try number(9, 2)
        minute = try number(11, 2)
        second = try number(13, 2)
        var index = 15
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            tenths = try number(index + 1, 1)
            index += 2
        }
        if index == bytes.count {
            offset = nil
        } else if bytes[index] == UInt8(ascii: "Z"), index + 1 == bytes.count {
            offset = .utc
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"), index + 5 == bytes.count {
            let hours = try number(index + 1, 2)
            let minutes = try number(index + 3, 2)
            guard hours < 24, minutes < 60 else { throw fail("the offset is out of range") }
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            offset = TimeZoneOffset(secondsEastOfUTC: sign * (hours * 3600 + minutes * 60))
        } else {
            throw fail("unexpected characters after the time")
        }
        guard CivilDate.isValid(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { throw fail("no such date or time") }
    }

    /// The string for `date` at `offset` (whole seconds; `Z` for UTC, else `±hhmm`; no suffix when
    /// `offset` is nil, the date then being written in UTC wall time).
    public init(date: Date, offset: TimeZoneOffset?) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + (offset?.secondsEastOfUTC ?? 0)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        (year, month, day) = CivilDate.date(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        tenths = nil
        self.offset = offset
    }

    /// The instant, reading a string without an offset as local time at `localOffset`.
    public func date(assuming localOffset: TimeZoneOffset) -> Date {
        let local = CivilDate.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        let utc = local - (offset ?? localOffset).secondsEastOfUTC
        return Date(timeIntervalSince1970: Double(utc) + Double(tenths ?? 0) / 10)
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(hour, 2) + pad(minute, 2) + pad(second, 2)
        if let tenths { text += "." + String(tenths) }
        if let offset {
            if offset.secondsEastOfUTC == 0 {
                text += "Z"
            } else {
                let magnitude = abs(offset.secondsEastOfUTC)
                text +=
                    (offset.secondsEastOfUTC < 0 ? "-" : "+") + pad(magnitude / 3600, 2) + pad(magnitude % 3600 / 60, 2)
            }
        }
        return text
    }

}
