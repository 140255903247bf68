import CustodyCore
import Foundation
import Testing

@testable import CustodyDevices

/// PTP DateTime strings (ISO 15740 §5.5.4): `YYYYMMDDThhmmss[.s][Z|±hhmm]`, read strictly.
@Suite struct PTPDateTimeTests {
    static let plus8 = TimeZoneOffset("+08:00")!

    @Test func localTimeIsReadAtTheModelsOffset() throws {
        let time = try PTPDateTime("20261130T080000")
        #expect(time.offset == nil)
        // 08:00 at +08:00 is midnight UTC.
        #expect(time.date(assuming: Self.plus8) == Date(timeIntervalSince1970: 1_795_996_800))
    }

    @Test func utcAndExplicitOffsetsOverrideTheModelsOffset() throws {
        #expect(
            try PTPDateTime("20261130T000000Z").date(assuming: Self.plus8) == Date(timeIntervalSince1970: 1_795_996_800)
        )
        #expect(
            try PTPDateTime("20261129T193000-0430").date(assuming: Self.plus8)
                == Date(timeIntervalSince1970: 1_795_996_800))
        #expect(
            try PTPDateTime("20261130T000000.5Z").date(assuming: .utc) == Date(timeIntervalSince1970: 1_795_996_800.5))
    }

    @Test func leapDayExistsOnlyInLeapYears() throws {
        _ = try PTPDateTime("20280229T120000")
        #expect(performing: { try PTPDateTime("20260229T120000") }, throws: { ($0 as? PTPError)?.code == .dateTime })
    }

    @Test(arguments: [
        "", "2026113T080000", "20261130 080000", "20261130T0800", "20261301T000000", "20261100T000000",
        "20261130T240000", "20261130T086000", "20261130T080060", "20261130T080000+08", "20261130T080000+0800Z",
        "20261130T080000.", "20261130T080000X", "2026-11-30T08:00:00Z", "20261130T080000+2400",
    ])
    func malformedStringsAreRefused(text: String) {
        #expect(performing: { try PTPDateTime(text) }, throws: { ($0 as? PTPError)?.code == .dateTime })
    }

    @Test(arguments: [0, 1_795_996_800, 951_825_599, 4_102_444_799] as [Double])
    func formattingRoundTrips(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        for offset in [nil, TimeZoneOffset.utc, Self.plus8, TimeZoneOffset("-05:30")!] {
            let text = PTPDateTime(date: date, offset: offset).description
            #expect(try PTPDateTime(text).date(assuming: .utc) == date, "\(text)")
        }
        #expect(
            PTPDateTime(date: Date(timeIntervalSince1970: 1_795_996_800), offset: Self.plus8).description
                == "20261130T080000+0800")
    }
}
