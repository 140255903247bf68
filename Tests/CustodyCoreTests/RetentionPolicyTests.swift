import CustodyCore
import Foundation
import Testing

/// The earliest purge time of a clip (Art 25, Art 26).
@Suite struct RetentionPolicyTests {
    let start = RFC3339.parse("2026-03-01T08:00:00Z")!

    @Test func minimumIsCalendarYearsFromRecordingStartInUTC() throws {
        #expect(
            RFC3339.format(RetentionPolicy.minimumRetentionEnd(recordingStart: start, years: 2))
                == "2028-03-01T08:00:00Z")
        let leap = try #require(RFC3339.parse("2028-02-29T23:59:59Z"))
        #expect(
            RFC3339.format(RetentionPolicy.minimumRetentionEnd(recordingStart: leap, years: 1))
                == "2029-02-28T23:59:59Z")
    }

    @Test func purgeIsAllowedFromTheEarliestTimeAndNotASecondBefore() {
        let earliest = RetentionPolicy.earliestPurge(recordingStart: start, years: 2, cases: [], holds: [])
        let end = RetentionPolicy.minimumRetentionEnd(recordingStart: start, years: 2)
        #expect(earliest == .at(end))
        #expect(!earliest.allows(at: end.addingTimeInterval(-1)))
        #expect(earliest.allows(at: end))
    }

    @Test func aCaseExtendsButNeverShortensAndAnUnknownCaseRetentionKeeps() throws {
        let later = try #require(RFC3339.parse("2035-01-01T00:00:00Z"))
        let sooner = try #require(RFC3339.parse("2027-01-01T00:00:00Z"))
        let minimum = RetentionPolicy.minimumRetentionEnd(recordingStart: start, years: 2)
        #expect(
            RetentionPolicy.earliestPurge(
                recordingStart: start, years: 2, cases: [.init(caseID: "A", retainUntil: later)], holds: [])
                == .at(later))
        #expect(
            RetentionPolicy.earliestPurge(
                recordingStart: start, years: 2, cases: [.init(caseID: "A", retainUntil: sooner)], holds: [])
                == .at(minimum))
        let unknown = RetentionPolicy.earliestPurge(
            recordingStart: start, years: 2,
            cases: [.init(caseID: "A", retainUntil: later), .init(caseID: "B", retainUntil: nil)], holds: [])
        #expect(!unknown.allows(at: .distantFuture))
    }

    @Test func aHeldClipIsNeverDue() throws {
        let held = RetentionPolicy.earliestPurge(
            recordingStart: start, years: 2, cases: [], holds: ["hold 7 (dispute)"])
        #expect(!held.allows(at: .distantFuture))
    }
}
