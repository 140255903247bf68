import Testing

@testable import CustodyCore

/// A recorder model's media are the files its globs name, relative to the recorder's root.
@Suite struct MediaGlobTests {
    struct MatchCase: CustomTestStringConvertible, Sendable {
        let glob: String
        let path: String
        let matches: Bool
        var testDescription: String { "\(glob) \(matches ? "~" : "!~") \(path)" }
    }

    static let cases: [MatchCase] = [
        // `**` is zero or more whole segments.
        MatchCase(glob: "DCIM/**/*.MP4", path: "DCIM/A.MP4", matches: true),
        MatchCase(glob: "DCIM/**/*.MP4", path: "DCIM/100MEDIA/A.MP4", matches: true),
        MatchCase(glob: "DCIM/**/*.MP4", path: "DCIM/1/2/3/A.MP4", matches: true),
        MatchCase(glob: "DCIM/**/*.MP4", path: "DCIM/A.MOV", matches: false),
        MatchCase(glob: "DCIM/**/*.MP4", path: "A.MP4", matches: false),
        MatchCase(glob: "DCIM/**/*.MP4", path: "OTHER/DCIM/A.MP4", matches: false),
        MatchCase(glob: "DCIM/**/*.MP4", path: "DCIM/100MEDIA", matches: false),
        MatchCase(glob: "DCIM/**/*.MP4", path: "DCIM/A.MP4/B", matches: false),
        MatchCase(glob: "**/*.JPG", path: "A.JPG", matches: true),
        MatchCase(glob: "**/*.JPG", path: "X/Y/A.JPG", matches: true),
        MatchCase(glob: "**/*.JPG", path: "X/Y/A.JPG.TMP", matches: false),
        MatchCase(glob: "**/DCIM/**/*.MP4", path: "DCIM/A.MP4", matches: true),
        MatchCase(glob: "**/DCIM/**/*.MP4", path: "X/DCIM/Y/A.MP4", matches: true),
        MatchCase(glob: "**/DCIM/**/*.MP4", path: "X/DCIMX/Y/A.MP4", matches: false),
        MatchCase(glob: "**", path: "A", matches: true),
        MatchCase(glob: "**", path: "A/B/C", matches: true),
        MatchCase(glob: "DCIM/**", path: "DCIM/A/B", matches: true),
        MatchCase(glob: "DCIM/**", path: "DCIMX/A", matches: false),
        MatchCase(glob: "**/**/*.MP4", path: "A.MP4", matches: true),
        MatchCase(glob: "A/**/B/**/C", path: "A/B/C", matches: true),
        MatchCase(glob: "A/**/B/**/C", path: "A/X/B/Y/Z/C", matches: true),
        MatchCase(glob: "A/**/B/**/C", path: "A/X/C/Y/B", matches: false),
        // `*` and `?` stay within a segment.
        MatchCase(glob: "RECORD/*.mp4", path: "RECORD/X.MP4", matches: true),
        MatchCase(glob: "RECORD/*.mp4", path: "RECORD/.mp4", matches: true),
        MatchCase(glob: "RECORD/*.mp4", path: "RECORD/SUB/X.mp4", matches: false),
        MatchCase(glob: "*.MP4", path: "DCIM/A.MP4", matches: false),
        MatchCase(glob: "*", path: "A/B", matches: false),
        MatchCase(glob: "A?B", path: "A/B", matches: false),
        MatchCase(glob: "A?B", path: "AXB", matches: true),
        MatchCase(glob: "A?B", path: "AB", matches: false),
        MatchCase(glob: "FILE????.MP4", path: "FILE0001.MP4", matches: true),
        MatchCase(glob: "FILE????.MP4", path: "FILE001.MP4", matches: false),
        MatchCase(glob: "*_*_*.MP4", path: "A_B_C.MP4", matches: true),
        MatchCase(glob: "*_*_*.MP4", path: "A_B.MP4", matches: false),
        MatchCase(glob: "a**b", path: "axxb", matches: true),
        MatchCase(glob: "a**b", path: "ax/xb", matches: false),
        // Letters in either case (ASCII only); other characters exact; no classes or escapes.
        MatchCase(glob: "DCIM/**/*.MP4", path: "dcim/100media/a.mp4", matches: true),
        MatchCase(glob: "record/*.MP4", path: "RECORD/A.mp4", matches: true),
        MatchCase(glob: "[A].MP4", path: "[a].mp4", matches: true),
        MatchCase(glob: "[A].MP4", path: "A.MP4", matches: false),
        MatchCase(glob: "证据/*.MP4", path: "证据/A.mp4", matches: true),
        MatchCase(glob: "Ä.MP4", path: "ä.MP4", matches: false),
        MatchCase(glob: "*.MP4", path: "._A.MP4", matches: true),
        // Only clean relative paths match.
        MatchCase(glob: "**/*.MP4", path: "/DCIM/A.MP4", matches: false),
        MatchCase(glob: "**/*.MP4", path: "DCIM//A.MP4", matches: false),
        MatchCase(glob: "**/*.MP4", path: "DCIM/../A.MP4", matches: false),
        MatchCase(glob: "**/*.MP4", path: "./A.MP4", matches: false),
        MatchCase(glob: "**", path: "DCIM/", matches: false),
        MatchCase(glob: "**", path: "", matches: false),
        MatchCase(glob: "*", path: "..", matches: false),
    ]

    @Test(arguments: cases)
    func matchesPaths(_ testCase: MatchCase) throws {
        let glob = try MediaGlob(testCase.glob)
        #expect(glob.matches(testCase.path) == testCase.matches)
    }

    @Test func aSetMatchesWhenAnyGlobMatches() throws {
        let globs = [try MediaGlob("DCIM/**/*.MP4"), try MediaGlob("RECORD/*.mp4")]
        #expect(globs.matches("DCIM/100/A.MP4"))
        #expect(globs.matches("RECORD/B.MP4"))
        #expect(!globs.matches("RECORD/SUB/B.MP4"))
        #expect(!globs.matches("LOG/A.TXT"))
        #expect(![MediaGlob]().matches("DCIM/A.MP4"))
    }

    struct RefusalCase: CustomTestStringConvertible, Sendable {
        let glob: String
        let code: MediaGlobError.Code
        let says: String
        var testDescription: String { "\(code): \(glob)" }
    }

    static let refusals: [RefusalCase] = [
        RefusalCase(glob: "", code: .empty, says: "empty"),
        RefusalCase(glob: "/DCIM/*.MP4", code: .absolute, says: "relative"),
        RefusalCase(glob: "/", code: .absolute, says: "relative"),
        RefusalCase(glob: "..", code: .parentSegment, says: "outside"),
        RefusalCase(glob: "../*.MP4", code: .parentSegment, says: "outside"),
        RefusalCase(glob: "DCIM/../*.MP4", code: .parentSegment, says: "outside"),
        RefusalCase(glob: "DCIM/..", code: .parentSegment, says: "outside"),
        RefusalCase(glob: "./DCIM/*.MP4", code: .dotSegment, says: "'.'"),
        RefusalCase(glob: "DCIM//*.MP4", code: .emptySegment, says: "empty segment"),
        RefusalCase(glob: "DCIM/", code: .emptySegment, says: "empty segment"),
        RefusalCase(glob: "DCIM\\*.MP4", code: .backslash, says: "'/'"),
        RefusalCase(
            glob: String(repeating: "A", count: MediaGlob.maximumPatternLength + 1), code: .tooLong,
            says: "at most 1024"),
    ]

    @Test(arguments: refusals)
    func refusesUnsafeOrMalformedGlobs(_ refusal: RefusalCase) {
        #expect {
            try MediaGlob(refusal.glob)
        } throws: { error in
            guard let error = error as? MediaGlobError else { return false }
            return error.code == refusal.code && error.pattern == refusal.glob && error.message.contains(refusal.says)
                && error.description.contains("\"\(refusal.glob)\"")
        }
    }

    @Test(arguments: ["...", "..a", "a..", ".hidden/*.MP4", "**/..MP4"])
    func acceptsDotsThatAreNotDotSegments(_ text: String) throws {
        _ = try MediaGlob(text)
    }

    @Test func repeatedDoubleStarsCompileToOne() throws {
        let glob = try MediaGlob("**/**/**/*.MP4")
        #expect(glob.segments == [nil, Array("*.mp4".utf8)])
    }

    // MARK: Hostile input

    /// Work is bounded by a constant times (pattern bytes + 1) × (path bytes + 1), whatever the input.
    static func bound(_ glob: MediaGlob, _ path: String) -> Int {
        4 * (glob.pattern.utf8.count + 1) * (path.utf8.count + 1)
    }

    @Test func deepPathIsRejectedWithBoundedWork() throws {
        let glob = try MediaGlob("**/a/**/a/**/a/**/*.MOV")
        let path = String(repeating: "a/", count: 2000) + "x.MP4"
        var steps = 0
        #expect(!glob.matches(path, steps: &steps))
        #expect(steps > 0)
        #expect(steps <= Self.bound(glob, path))
        var matchingSteps = 0
        #expect(glob.matches(String(repeating: "a/", count: 2000) + "x.MOV", steps: &matchingSteps))
        #expect(matchingSteps <= Self.bound(glob, path))
    }

    @Test func longNameAgainstManyStarsIsRejectedWithBoundedWork() throws {
        let glob = try MediaGlob(String(repeating: "*a", count: 500) + "*b")
        let path = String(repeating: "a", count: 4096)
        var steps = 0
        #expect(!glob.matches(path, steps: &steps))
        #expect(steps <= Self.bound(glob, path))
        #expect(glob.matches(path + "b"))
    }

    @Test func longLiteralAfterAStarIsTheWorstCaseAndStillBounded() throws {
        let glob = try MediaGlob("*" + String(repeating: "a", count: 1000) + "b")
        let path = String(repeating: "a", count: 4096)
        var steps = 0
        #expect(!glob.matches(path, steps: &steps))
        #expect(steps <= Self.bound(glob, path))
        let segments = try MediaGlob("**/" + String(repeating: "a/", count: 300) + "b")
        let deep = String(repeating: "a/", count: 2047) + "a"
        var segmentSteps = 0
        #expect(!segments.matches(deep, steps: &segmentSteps))
        #expect(segmentSteps <= Self.bound(segments, deep))
    }

    @Test func twoThousandStarsInANameAreOrdinaryCharacters() throws {
        let glob = try MediaGlob("DCIM/**/*.MP4")
        let path = "DCIM/" + String(repeating: "*", count: 2000) + ".MP4"
        var steps = 0
        #expect(glob.matches(path, steps: &steps))
        #expect(steps <= Self.bound(glob, path))
        #expect(!glob.matches("DCIM/" + String(repeating: "*", count: 2000)))
    }

    @Test func deepPathAgainstManySegmentsWithStarsIsBounded() throws {
        let glob = try MediaGlob(Array(repeating: "*a*", count: 100).joined(separator: "/") + "/b")
        let path = Array(repeating: "xa", count: 1365).joined(separator: "/")
        var steps = 0
        #expect(!glob.matches(path, steps: &steps))
        #expect(steps <= Self.bound(glob, path))
    }
}
