import Foundation
import Testing

@testable import CustodyCore

/// Recorder file names are read by a compiled pattern (DESIGN "Time": the start comes from the name where the
/// model's pattern carries one).
@Suite struct FileNamePatternTests {
    static let plus8 = TimeZoneOffset("+08:00")!

    struct FieldCase: CustomTestStringConvertible, Sendable {
        let pattern: String
        let name: String
        let expected: FileNameFields?
        var testDescription: String { "\(pattern) ~ \(name)" }
    }

    static let fieldCases: [FieldCase] = [
        // {serial}: letters, digits and '-'.
        FieldCase(
            pattern: "{serial}_{officer}_{start}_{sequence}.MP4",
            name: "DSJ8A1234_64000123_20260301081530_0007.MP4",
            expected: FileNameFields(
                serial: "DSJ8A1234", officer: "64000123", start: Date(timeIntervalSince1970: 1_772_324_130),
                rawStart: "20260301081530", sequence: 7, rawSequence: "0007")),
        FieldCase(
            pattern: "{serial}_{officer}_{start}_{sequence}.MP4",
            name: "DSJ-8A-1234_PC0042_20260301081530_12.mp4",
            expected: FileNameFields(
                serial: "DSJ-8A-1234", officer: "PC0042", start: Date(timeIntervalSince1970: 1_772_324_130),
                rawStart: "20260301081530", sequence: 12, rawSequence: "12")),
        FieldCase(pattern: "{serial}.MP4", name: "DSJ 8A.MP4", expected: nil),
        FieldCase(pattern: "{serial}.MP4", name: ".MP4", expected: nil),
        FieldCase(pattern: "{serial}.MP4", name: "DSJ_8A.MP4", expected: nil),
        // {serial} takes as little as the rest allows.
        FieldCase(pattern: "{serial}-{*}.MP4", name: "AB-CD-EF.MP4", expected: FileNameFields(serial: "AB")),
        FieldCase(
            pattern: "{serial}-{officer}.MP4", name: "AB-12-X9.MP4",
            expected: FileNameFields(serial: "AB-12", officer: "X9")),
        // {officer}: letters and digits only, as many as possible.
        FieldCase(pattern: "{officer}.MP4", name: "PC-0042.MP4", expected: nil),
        FieldCase(pattern: "{officer}{*}.MP4", name: "PC0042.MP4", expected: FileNameFields(officer: "PC0042")),
        // {start}: exactly 14 digits.
        FieldCase(pattern: "{start}.MP4", name: "2026030108153.MP4", expected: nil),
        FieldCase(pattern: "{start}.MP4", name: "202603010815301.MP4", expected: nil),
        FieldCase(pattern: "{start}.MP4", name: "2026030108153X.MP4", expected: nil),
        FieldCase(
            pattern: "{start}{sequence}.MP4", name: "202603010815300042.MP4",
            expected: FileNameFields(
                start: Date(timeIntervalSince1970: 1_772_324_130), rawStart: "20260301081530", sequence: 42,
                rawSequence: "0042")),
        // {date} and {time}.
        FieldCase(
            pattern: "{date}_{time}_{sequence}.MP4", name: "20260301_081530_0001.MP4",
            expected: FileNameFields(
                start: Date(timeIntervalSince1970: 1_772_324_130), rawStart: "20260301081530", sequence: 1,
                rawSequence: "0001")),
        FieldCase(
            pattern: "{time}-{date}.MP4", name: "081530-20260301.MP4",
            expected: FileNameFields(start: Date(timeIntervalSince1970: 1_772_324_130), rawStart: "20260301081530")),
        FieldCase(pattern: "{date}_{time}.MP4", name: "2026031_081530.MP4", expected: nil),
        FieldCase(pattern: "{date}_{time}.MP4", name: "20260301_08153.MP4", expected: nil),
        // {sequence}: digits, as many as possible, leading zeros kept in the raw string.
        FieldCase(
            pattern: "{sequence}{*}.MP4", name: "12345.MP4",
            expected: FileNameFields(sequence: 12345, rawSequence: "12345")),
        FieldCase(pattern: "FILE{sequence}.MP4", name: "FILE.MP4", expected: nil),
        FieldCase(pattern: "FILE{sequence}.MP4", name: "FILE00A7.MP4", expected: nil),
        FieldCase(
            pattern: "FILE{sequence}.MP4", name: "FILE000000000000000000.MP4",
            expected: FileNameFields(sequence: 0, rawSequence: "000000000000000000")),
        FieldCase(
            pattern: "FILE{sequence}.MP4", name: "FILE999999999999999999.MP4",
            expected: FileNameFields(sequence: 999_999_999_999_999_999, rawSequence: "999999999999999999")),
        FieldCase(
            pattern: "FILE{sequence}.MP4", name: "FILE0000000000000000001.MP4",
            expected: FileNameFields(sequence: nil, rawSequence: "0000000000000000001")),
        // {*}: anything, including nothing and characters that are not ASCII.
        FieldCase(pattern: "{*}.MP4", name: ".MP4", expected: FileNameFields()),
        FieldCase(
            pattern: "{*}_{sequence}.MP4", name: "证据_A_0003.MP4",
            expected: FileNameFields(sequence: 3, rawSequence: "0003")),
        FieldCase(pattern: "IMG{*}", name: "img_0001.jpg", expected: FileNameFields()),
        // Literals: letters in either case, everything else exact, whole name.
        FieldCase(
            pattern: "FILE{sequence}.MP4", name: "file0042.mp4",
            expected: FileNameFields(sequence: 42, rawSequence: "0042")),
        FieldCase(pattern: "FILE{sequence}.MP4", name: "FILE0042.MOV", expected: nil),
        FieldCase(pattern: "FILE{sequence}.MP4", name: "FILE0042_MP4", expected: nil),
        FieldCase(pattern: "FILE{sequence}.MP4", name: "FILE0042.MP4.TMP", expected: nil),
        FieldCase(pattern: "FILE{sequence}.MP4", name: "XFILE0042.MP4", expected: nil),
        FieldCase(pattern: "Ä{sequence}", name: "ä1", expected: nil),
        FieldCase(pattern: "Ä{sequence}", name: "Ä1", expected: FileNameFields(sequence: 1, rawSequence: "1")),
    ]

    @Test(arguments: fieldCases)
    func readsFieldsFromNames(_ testCase: FieldCase) throws {
        let pattern = try FileNamePattern(testCase.pattern)
        #expect(pattern.match(testCase.name, timeZone: Self.plus8) == testCase.expected)
    }

    struct RefusalCase: CustomTestStringConvertible, Sendable {
        let pattern: String
        let code: FileNamePatternError.Code
        let says: String
        var testDescription: String { "\(code): \(pattern)" }
    }

    static let refusals: [RefusalCase] = [
        RefusalCase(pattern: "", code: .empty, says: "empty"),
        RefusalCase(pattern: "{serial", code: .unbalancedBrace, says: "never closed"),
        RefusalCase(pattern: "FILE{sequence}.MP4}", code: .unbalancedBrace, says: "has no '{'"),
        RefusalCase(pattern: "{ser{ial}}", code: .unbalancedBrace, says: "cannot nest"),
        RefusalCase(pattern: "{seq}.MP4", code: .unknownField, says: "unknown field {seq}"),
        RefusalCase(pattern: "{Serial}.MP4", code: .unknownField, says: "unknown field {Serial}"),
        RefusalCase(pattern: "{}.MP4", code: .unknownField, says: "unknown field {}"),
        RefusalCase(pattern: "{ serial }.MP4", code: .unknownField, says: "unknown field { serial }"),
        RefusalCase(pattern: "{serial}_{serial}.MP4", code: .duplicateField, says: "{serial} appears more than once"),
        RefusalCase(pattern: "{sequence}{sequence}", code: .duplicateField, says: "{sequence} appears more than once"),
        RefusalCase(pattern: "{date}.MP4", code: .incompleteDateTime, says: "{date} needs {time}"),
        RefusalCase(pattern: "{time}.MP4", code: .incompleteDateTime, says: "{time} needs {date}"),
        RefusalCase(pattern: "{start}_{date}_{time}.MP4", code: .conflictingTime, says: "either {start}"),
        RefusalCase(
            pattern: String(repeating: "A", count: FileNamePattern.maximumPatternLength + 1), code: .tooLong,
            says: "at most 1024"),
    ]

    @Test(arguments: refusals)
    func refusesMalformedPatterns(_ refusal: RefusalCase) {
        #expect {
            try FileNamePattern(refusal.pattern)
        } throws: { error in
            guard let error = error as? FileNamePatternError else { return false }
            return error.code == refusal.code && error.pattern == refusal.pattern
                && error.message.contains(refusal.says) && error.description.contains("\"\(refusal.pattern)\"")
        }
    }

    @Test func unknownFieldMessageListsTheValidFields() throws {
        let error = try #require(throws: FileNamePatternError.self) { try FileNamePattern("{seq}") }
        for field in ["{serial}", "{officer}", "{start}", "{date}", "{time}", "{sequence}", "{*}"] {
            #expect(error.message.contains(field), "missing \(field)")
        }
    }

    @Test func acceptsTheLongestAllowedPattern() throws {
        let text = String(repeating: "A", count: FileNamePattern.maximumPatternLength)
        let pattern = try FileNamePattern(text)
        #expect(
            pattern.match(String(repeating: "a", count: FileNamePattern.maximumPatternLength), timeZone: .utc) != nil)
    }

    @Test func reportsWhichFieldsItCarries() throws {
        #expect(FileNamePattern.gaT947.fields == [.serial, .officer, .start, .sequence])
        #expect(FileNamePattern.gaT947.carriesStart)
        #expect(FileNamePattern.dcimDateTime.fields == [.date, .time, .sequence])
        #expect(FileNamePattern.dcimDateTime.carriesStart)
        #expect(FileNamePattern.fileSequence.fields == [.sequence])
        #expect(!FileNamePattern.fileSequence.carriesStart)
        #expect(try FileNamePattern("{*}.MP4").fields.isEmpty)
    }

    // MARK: Shipped examples

    @Test func gaT947ExampleReadsEveryField() throws {
        #expect(FileNamePattern.gaT947.pattern == "{serial}_{officer}_{start}_{sequence}.MP4")
        let fields = try #require(
            FileNamePattern.gaT947.match("DSJ8A1234_64000123_20260301081530_0007.MP4", timeZone: Self.plus8))
        #expect(fields.serial == "DSJ8A1234")
        #expect(fields.officer == "64000123")
        #expect(fields.start == Date(timeIntervalSince1970: 1_772_324_130))  // 2026-03-01T00:15:30Z
        #expect(fields.sequence == 7)
        #expect(fields.rawSequence == "0007")
        #expect(fields.rawStart == "20260301081530")
    }

    @Test func dcimExampleReadsDateTimeAndSequence() throws {
        #expect(FileNamePattern.dcimDateTime.pattern == "{date}_{time}_{sequence}.MP4")
        let fields = try #require(
            FileNamePattern.dcimDateTime.match("20260301_081530_0001.MP4", timeZone: TimeZoneOffset("-05:30")!))
        #expect(fields.start == Date(timeIntervalSince1970: 1_772_372_730))  // 2026-03-01T13:45:30Z
        #expect(fields.sequence == 1)
        #expect(fields.serial == nil)
        #expect(fields.officer == nil)
    }

    @Test func fileSequenceExampleHasNoTime() throws {
        #expect(FileNamePattern.fileSequence.pattern == "FILE{sequence}.MP4")
        let fields = try #require(FileNamePattern.fileSequence.match("FILE0042.MP4", timeZone: Self.plus8))
        #expect(fields == FileNameFields(sequence: 42, rawSequence: "0042"))
        #expect(FileNamePattern.fileSequence.match("20260301_081530_0001.MP4", timeZone: Self.plus8) == nil)
    }

    // MARK: Time

    struct TimeCase: CustomTestStringConvertible, Sendable {
        let digits: String
        let offset: String
        let epoch: Int?
        var testDescription: String { "\(digits) \(offset)" }
    }

    static let timeCases: [TimeCase] = [
        TimeCase(digits: "20260301081530", offset: "Z", epoch: 1_772_352_930),
        TimeCase(digits: "20260301081530", offset: "+00:00", epoch: 1_772_352_930),
        TimeCase(digits: "20260301081530", offset: "+08:00", epoch: 1_772_324_130),
        TimeCase(digits: "20260301081530", offset: "-05:30", epoch: 1_772_372_730),
        TimeCase(digits: "20260101000000", offset: "+08:00", epoch: 1_767_196_800),  // 2025-12-31T16:00:00Z
        TimeCase(digits: "19700101000000", offset: "Z", epoch: 0),
        TimeCase(digits: "20261231235959", offset: "Z", epoch: 1_798_761_599),
        // Leap years: every 4th, not every 100th, but every 400th.
        TimeCase(digits: "20240229120000", offset: "Z", epoch: 1_709_208_000),
        TimeCase(digits: "20000229235959", offset: "Z", epoch: 951_868_799),
        TimeCase(digits: "20260229000000", offset: "Z", epoch: nil),
        TimeCase(digits: "19000229000000", offset: "Z", epoch: nil),
        TimeCase(digits: "20240230000000", offset: "Z", epoch: nil),
        // Month and day ranges.
        TimeCase(digits: "20260430000000", offset: "Z", epoch: 1_777_507_200),
        TimeCase(digits: "20260431000000", offset: "Z", epoch: nil),
        TimeCase(digits: "20260132000000", offset: "Z", epoch: nil),
        TimeCase(digits: "20260100000000", offset: "Z", epoch: nil),
        TimeCase(digits: "20260001000000", offset: "Z", epoch: nil),
        TimeCase(digits: "20261301000000", offset: "Z", epoch: nil),
        // Hours, minutes, seconds (no leap second).
        TimeCase(digits: "20260101240000", offset: "Z", epoch: nil),
        TimeCase(digits: "20260101236000", offset: "Z", epoch: nil),
        TimeCase(digits: "20260101235960", offset: "Z", epoch: nil),
        TimeCase(digits: "00000000000000", offset: "Z", epoch: nil),
    ]

    @Test(arguments: timeCases)
    func readsLocalTimeAtTheModelsOffset(_ testCase: TimeCase) throws {
        let offset = try #require(TimeZoneOffset(testCase.offset))
        let fields = try #require(FileNamePattern.gaT947.match("SN_1_\(testCase.digits)_1.MP4", timeZone: offset))
        #expect(fields.start == testCase.epoch.map { Date(timeIntervalSince1970: TimeInterval($0)) })
        #expect(fields.rawStart == testCase.digits)
        // The same time written as {date}_{time} is read the same way.
        let date = String(testCase.digits.prefix(8))
        let time = String(testCase.digits.suffix(6))
        let split = try #require(FileNamePattern.dcimDateTime.match("\(date)_\(time)_1.MP4", timeZone: offset))
        #expect(split.start == fields.start)
        #expect(split.rawStart == testCase.digits)
    }

    @Test func impossibleTimeStillMatchesSoTheClipIsRecognised() throws {
        let fields = try #require(
            FileNamePattern.gaT947.match("DSJ8A1234_64000123_20260230081530_0008.MP4", timeZone: Self.plus8))
        #expect(fields.start == nil)
        #expect(fields.rawStart == "20260230081530")
        #expect(fields.serial == "DSJ8A1234")
        #expect(fields.sequence == 8)
    }

    // MARK: Hostile input

    /// Work is bounded by a constant times (pattern bytes + 1) × (name bytes + 1), whatever the input.
    static func bound(_ pattern: FileNamePattern, _ name: String) -> Int {
        4 * (pattern.pattern.utf8.count + 1) * (name.utf8.count + 1)
    }

    @Test func longNameIsRejectedWithLinearWork() {
        let name = String(repeating: "a", count: 4096)
        var steps = 0
        #expect(FileNamePattern.gaT947.match(name, timeZone: .utc, steps: &steps) == nil)
        #expect(steps > 0)
        #expect(steps <= Self.bound(.gaT947, name))
    }

    @Test func nameOfTheLongestLengthMatchesAndOneLongerDoesNot() throws {
        let pattern = try FileNamePattern("{*}_{sequence}.MP4")
        let filler = String(repeating: "x", count: FileNamePattern.maximumNameLength - "_1.MP4".utf8.count)
        let fields = pattern.match(filler + "_1.MP4", timeZone: .utc)
        #expect(fields?.sequence == 1)
        #expect(pattern.match("x" + filler + "_1.MP4", timeZone: .utc) == nil)
    }

    @Test func twoThousandStarsInANameAreOrdinaryCharacters() throws {
        let pattern = try FileNamePattern("{*}_{sequence}.MP4")
        let name = String(repeating: "*", count: 2000) + "_0001.MP4"
        var steps = 0
        #expect(pattern.match(name, timeZone: .utc, steps: &steps)?.sequence == 1)
        #expect(steps <= Self.bound(pattern, name))
        #expect(
            try FileNamePattern("FILE{sequence}.MP4").match(String(repeating: "*", count: 2000), timeZone: .utc) == nil)
    }

    @Test func patternWithManyWildcardsAgainstAHostileNameDoesLinearWork() throws {
        // A classic exponential case for backtracking matchers: many `{*}a` then a letter that never comes.
        let pattern = try FileNamePattern(String(repeating: "{*}a", count: 250) + "b")
        let name = String(repeating: "a", count: 4096)
        var steps = 0
        #expect(pattern.match(name, timeZone: .utc, steps: &steps) == nil)
        #expect(steps <= Self.bound(pattern, name))
        let matching = String(repeating: "a", count: 4095) + "b"
        var matchingSteps = 0
        #expect(pattern.match(matching, timeZone: .utc, steps: &matchingSteps) == FileNameFields())
        #expect(matchingSteps <= Self.bound(pattern, matching))
    }

    @Test func hyphenatedHostileSerialIsSplitWithLinearWork() throws {
        let pattern = try FileNamePattern("{serial}-{officer}")
        let name = String(repeating: "a-", count: 2047) + "a"
        var steps = 0
        let fields = pattern.match(name, timeZone: .utc, steps: &steps)
        #expect(fields?.serial == String(repeating: "a-", count: 2046) + "a")
        #expect(fields?.officer == "a")
        #expect(steps <= Self.bound(pattern, name))
    }

    @Test func repeatedWildcardsCompileToOne() throws {
        let pattern = try FileNamePattern(String(repeating: "{*}", count: 300))
        #expect(pattern.tokens == [.anything])
        #expect(pattern.match(String(repeating: "x", count: 4096), timeZone: .utc) == FileNameFields())
    }
}

/// A model's fixed offset from UTC, as configured (RFC 3339 §5.6 `time-offset`).
@Suite struct TimeZoneOffsetTests {
    @Test(arguments: [
        ("+08:00", 28_800), ("-05:30", -19_800), ("Z", 0), ("z", 0), ("+00:00", 0), ("-00:00", 0),
        ("+14:00", 50_400), ("-12:00", -43_200), ("+05:45", 20_700), ("+23:59", 86_340),
    ])
    func parsesOffsets(_ text: String, _ seconds: Int) throws {
        let offset = try #require(TimeZoneOffset(text))
        #expect(offset.secondsEastOfUTC == seconds)
    }

    @Test(arguments: [
        "", "08:00", "+8:00", "+08", "+0800", "+08:0", "+24:00", "+08:60", "UTC", "+08:00 ", " +08:00", "ZZ",
        "+0a:00", "−05:30", "+08:00Z",
    ])
    func refusesMalformedOffsets(_ text: String) {
        #expect(TimeZoneOffset(text) == nil)
    }

    @Test(arguments: ["+08:00", "-05:30", "+00:00", "+14:00", "-00:30"])
    func descriptionReadsBack(_ text: String) throws {
        let offset = try #require(TimeZoneOffset(text))
        #expect(offset.description == text)
        #expect(TimeZoneOffset(offset.description) == offset)
    }

    @Test func utcIsWrittenAsZeroOffset() {
        #expect(TimeZoneOffset("Z")?.description == "+00:00")
        #expect(TimeZoneOffset.utc.secondsEastOfUTC == 0)
    }

    @Test func secondsMustBeWholeMinutesWithinADay() {
        #expect(TimeZoneOffset(secondsEastOfUTC: 28_800)?.description == "+08:00")
        #expect(TimeZoneOffset(secondsEastOfUTC: -1_800)?.description == "-00:30")
        #expect(TimeZoneOffset(secondsEastOfUTC: 86_400) == nil)
        #expect(TimeZoneOffset(secondsEastOfUTC: -86_400) == nil)
        #expect(TimeZoneOffset(secondsEastOfUTC: 30) == nil)
    }
}
