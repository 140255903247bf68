import CustodyCore
import Foundation
import Testing

/// Entry times are written by our own formatter, so their bytes never depend on locale or platform.
@Suite struct RFC3339KnownValueTests {
    @Test func formatsKnownInstantsInUTC() {
        #expect(RFC3339.format(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(secondsSinceEpoch: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(RFC3339.format(secondsSinceEpoch: -1) == "1969-12-31T23:59:59Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_796_083_199.9)) == "2026-11-30T23:59:59Z")
    }

    @Test func parsesOffsetsAndRejectsImpossibleDates() {
        #expect(RFC3339.parseSeconds("2026-03-01T16:15:30+08:00") == 1_772_352_930)
        #expect(RFC3339.parseSeconds("2026-03-01T08:15:30Z") == 1_772_352_930)
        #expect(RFC3339.parse("2026-02-29T00:00:00Z") == nil)
        #expect(RFC3339.parse("2026-01-01T24:00:00Z") == nil)
        #expect(RFC3339.parse("2026-01-01T00:00:00") == nil)
    }
}
