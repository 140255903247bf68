import CustodyCore
import CustodyTesting
import Foundation
import Testing

/// The one time format of entries: RFC 3339, UTC, whole seconds, `Z`.
@Suite("RFC 3339")
struct RFC3339Tests {
    static let known: [(Int64, String)] = [
        (0, "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (1_709_210_096, "2024-02-29T12:34:56Z"),
        (-2_203_891_200, "1900-03-01T00:00:00Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"),
        (2_147_483_648, "2038-01-19T03:14:08Z"),
        (1_772_323_199, "2026-02-28T23:59:59Z"),
        (-62_135_596_800, "0001-01-01T00:00:00Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
    ]

    @Test func knownInstantsFormatAndParse() {
        for (seconds, text) in Self.known {
            #expect(RFC3339.format(secondsSinceEpoch: seconds) == text)
            #expect(RFC3339.format(Date(timeIntervalSince1970: TimeInterval(seconds))) == text)
            #expect(RFC3339.parseSeconds(text) == Double(seconds), "\(text)")
            #expect(RFC3339.parse(text) == Date(timeIntervalSince1970: TimeInterval(seconds)), "\(text)")
        }
    }

    @Test func fractionsOfASecondAreTruncatedTowardsThePast() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1.999)) == "1970-01-01T00:00:01Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
        #expect(RFC3339.parseSeconds("1970-01-01T00:00:01.25Z") == 1.25)
    }

    @Test func leapYearsFollowTheGregorianRules() {
        #expect(RFC3339.parse("2000-02-29T00:00:00Z") != nil)  // divisible by 400
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)  // divisible by 4
        #expect(RFC3339.parse("1900-02-29T00:00:00Z") == nil)  // divisible by 100 only
        #expect(RFC3339.parse("2100-02-29T00:00:00Z") == nil)
        #expect(RFC3339.parse("2026-02-29T00:00:00Z") == nil)
        #expect(
            RFC3339.parseSeconds("2024-03-01T00:00:00Z")! - RFC3339.parseSeconds("2024-02-28T00:00:00Z")! == 2 * 86_400)
        #expect(RFC3339.parseSeconds("2023-03-01T00:00:00Z")! - RFC3339.parseSeconds("2023-02-28T00:00:00Z")! == 86_400)
    }

    @Test func offsetsAreConvertedToUTC() {
        #expect(RFC3339.parse("2026-01-01T08:00:00+08:00") == RFC3339.parse("2026-01-01T00:00:00Z"))
        #expect(RFC3339.parse("2025-12-31T19:30:00-04:30") == RFC3339.parse("2026-01-01T00:00:00Z"))
        #expect(RFC3339.parse("2026-01-01T00:00:00+00:00") == RFC3339.parse("2026-01-01T00:00:00Z"))
        #expect(RFC3339.parse("2026-01-01T00:00:00-00:00") == RFC3339.parse("2026-01-01T00:00:00Z"))
        #expect(RFC3339.parse("2026-03-01T01:00:00+02:00").map(RFC3339.format) == "2026-02-28T23:00:00Z")
    }

    @Test(arguments: [
        "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z",
        "2026-01-01T23:59:60Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00 Z", "2026-01-01T00:00:00+0800",
        "2026-01-01T00:00:00+08", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+08:60", "2026-01-01 00:00:00Z",
        "2026-1-01T00:00:00Z", "26-01-01T00:00:00Z", "2026/01/01T00:00:00Z", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00ZZ", "2026-01-01T00:00:00Z ", " 2026-01-01T00:00:00Z", "+2026-01-01T00:00:00Z",
        "2026-01-01T0a:00:00Z", "", "Z", "2026-01-01", "2026-01-01T00:00Z",
    ])
    func invalidTimesAreRefused(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func formatAndParseRoundTripAcrossFourMillennia() {
        var generator = SeededGenerator(seed: 3339)
        for _ in 0..<5000 {
            let seconds = Int64.random(in: -62_135_596_800...253_402_300_799, using: &generator)
            let text = RFC3339.format(secondsSinceEpoch: seconds)
            #expect(text.utf8.count == 20)
            #expect(RFC3339.parseSeconds(text) == Double(seconds), "\(text)")
        }
    }

    @Test func formattingAgreesWithFoundationsGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SeededGenerator(seed: 1970)
        for _ in 0..<2000 {
            let seconds = Int64.random(in: -2_208_988_800...4_102_444_800, using: &generator)  // 1900 … 2100
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds))
            )
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!,
                parts.minute!, parts.second!)
            #expect(RFC3339.format(secondsSinceEpoch: seconds) == expected)
        }
    }
}
