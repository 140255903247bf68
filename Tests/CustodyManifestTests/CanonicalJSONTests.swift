import CustodyManifest
import CustodyTesting
import Testing

/// The canonical JSON of manifest entries: one encoding per value, and a parser that accepts nothing else.
@Suite("Canonical JSON")
struct CanonicalJSONTests {
    static func text(_ value: JSONValue) -> String {
        String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }

    static func decode(_ text: String) throws(CanonicalJSONError) -> JSONValue {
        try CanonicalJSON.decode(Array(text.utf8))
    }

    // MARK: - Encoding

    /// The audit's fast scanner and the parser agree on each input (CanonicalJSONFuzzCheck's invariants): the
    /// scanner never accepts what the parser refuses, and decides every valid input whose keys are plain ASCII.
    @Test(arguments: [
        #"{"path":"DCIM/100/CLIP0001.MP4","recorder":{"model":"M","serial":"SN1"},"size":10,"time":"2026-11-30T08:15:00Z","type":"clip.ingested","v":1}"#,
        #"{"name":"王小明","time":"2026-11-30T08:15:00Z","type":"officer.registered","v":1}"#,
        #"{"a":[1,-2,0,9223372036854775807,-9223372036854775808,true,false,null,[],{}],"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"s":"tab\tquote\"back\\slash\u001f\u0000/","time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"type":"x.y","time":"2026-11-30T08:15:00Z","v":1}"#,
        #"{"time":"2026-11-30T08:15:00Z", "type":"x.y","v":1}"#,
        #"{"n":-0,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"n":01,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"n":1.0,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"n":1e3,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"n":9223372036854775808,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"n":-9223372036854775809,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"n":12345678901234567890,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"s":"\u00+4","time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"s":"\u001F","time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"s":"\u0008","time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"s":"\u0020","time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"s":"\/","time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        "{\"s\":\"raw\ttab\",\"time\":\"2026-11-30T08:15:00Z\",\"type\":\"x.y\",\"v\":1}",
        #"{"a":1,"a":2,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        #"{"e\u0301":1,"é":2,"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#,
        "{\"e\u{301}\":1,\"é\":2,\"time\":\"2026-11-30T08:15:00Z\",\"type\":\"x.y\",\"v\":1}",
        #"{"time":"2026-11-30T08:15:00.5Z","type":"x.y","v":1}"#,
        #"{"time":"2026-11-30T08:15:00Z","type":"X","v":1}"#,
        #"{"time":"2026-11-30T08:15:00Z","type":"x.y","v":2}"#,
        #"{"time":"2026-11-30T08:15:00Z","type":"x.y"}"#,
        #"{"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}x"#,
        #"[{"time":"2026-11-30T08:15:00Z","type":"x.y","v":1}]"#,
        String(repeating: "[", count: 33) + String(repeating: "]", count: 33),
        String(repeating: "[", count: 32) + String(repeating: "]", count: 32),
        "", "nul", "-", "\"", "{", "{\"a\"", "{\"a\":", "[1,]", "{\"a\":1,}",
    ])
    func theAuditsFastScannerAgreesWithTheParser(_ text: String) {
        #expect(CanonicalJSONFuzzCheck.check(Array(text.utf8)) == nil)
    }

    @Test(arguments: [[0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xE4, 0xB8]] as [[UInt8]])
    func invalidUTF8InAStringIsRefusedByBoth(_ bad: [UInt8]) {
        let bytes = Array(#"{"s":""#.utf8) + bad + Array(#"","time":"2026-11-30T08:15:00Z","type":"x.y","v":1}"#.utf8)
        #expect(CanonicalJSONFuzzCheck.check(bytes) == nil)
        #expect((try? CanonicalJSON.decode(bytes)) == nil)
    }

    @Test func scalarsEncodeInTheirShortestForm() {
        #expect(Self.text(.null) == "null")
        #expect(Self.text(.bool(true)) == "true")
        #expect(Self.text(.bool(false)) == "false")
        #expect(Self.text(.int(0)) == "0")
        #expect(Self.text(.int(-1)) == "-1")
        #expect(Self.text(.int(Int64.max)) == "9223372036854775807")
        #expect(Self.text(.int(Int64.min)) == "-9223372036854775808")
        #expect(Self.text(.string("")) == "\"\"")
        #expect(Self.text(.array([])) == "[]")
        #expect(Self.text(.object([:])) == "{}")
        #expect(Self.text([1, "a", nil, [true]]) == "[1,\"a\",null,[true]]")
    }

    @Test func objectKeysAreSortedByTheirUTF8Bytes() throws {
        // "B" (0x42) < "a" (0x61) < "é" (0xC3 0xA9); a key sorts before its extensions.
        let value: JSONValue = ["é": 1, "a": 2, "B": 3, "aa": 4, "a\u{0}": 5, "": 6, "\u{7f}": 7, "Z": 8, "😀": 9]
        #expect(
            Self.text(value) == "{\"\":6,\"B\":3,\"Z\":8,\"a\":2,\"a\\u0000\":5,\"aa\":4,\"\u{7f}\":7,\"é\":1,\"😀\":9}")
        // Not Unicode scalar or UTF-16 order: U+FF61 (EF BD A1) sorts before U+1F600 (F0 9F 98 80) in both,
        // but U+E000 (EE 80 80) vs U+10000 (F0 90 80 80) differ between UTF-16 and UTF-8.
        let tricky: JSONValue = ["\u{10000}": 1, "\u{E000}": 2]
        #expect(Self.text(tricky) == "{\"\u{E000}\":2,\"\u{10000}\":1}")
        // Not Swift's String order either, which compares normalized text: a decomposed "Å" (41 CC 8A) sorts
        // before "B" (42) by bytes, but after it as a String (U+00C5).
        let decomposed: JSONValue = ["B": 1, "A\u{30A}": 2]
        #expect(Self.text(decomposed) == "{\"A\u{30A}\":2,\"B\":1}")
        #expect(try CanonicalJSON.decode(CanonicalJSON.encode(decomposed)) == decomposed)
        #expect(throws: CanonicalJSONError.self) { try Self.decode("{\"B\":1,\"A\u{30A}\":2}") }
        // Nested objects are sorted too.
        #expect(Self.text(["b": ["d": 1, "c": 2], "a": []]) == "{\"a\":[],\"b\":{\"c\":2,\"d\":1}}")
    }

    @Test func stringsEscapeOnlyQuoteBackslashAndControlCharacters() {
        #expect(Self.text("\"") == #""\"""#)
        #expect(Self.text("\\") == #""\\""#)
        #expect(Self.text("\u{8}\t\n\u{c}\r") == #""\b\t\n\f\r""#)
        #expect(Self.text("\u{0}\u{1}\u{1f}\u{b}\u{e}") == #""\u0000\u0001\u001f\u000b\u000e""#)
        #expect(Self.text("a/b") == #""a/b""#)
        #expect(Self.text("\u{7f}") == "\"\u{7f}\"")
        #expect(Self.text("é 日本 😀 \u{2028}") == "\"é 日本 😀 \u{2028}\"")
        #expect(CanonicalJSON.encode("é") == [0x22, 0xC3, 0xA9, 0x22])
        #expect(Self.text(" ") == "\" \"")
    }

    @Test func everyControlCharacterHasExactlyOneEncodingAndRoundTrips() throws {
        let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        let hex = Array("0123456789abcdef")
        for byte in UInt8(0)..<0x20 {
            let expected = short[byte] ?? "\\u00" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            let value = JSONValue.string(String(UnicodeScalar(byte)))
            #expect(Self.text(value) == "\"\(expected)\"", "byte \(byte)")
            #expect(try Self.decode("\"\(expected)\"") == value, "byte \(byte)")
        }
    }

    // MARK: - Round trips

    /// A random value: strings mixing ASCII, controls, quotes, backslashes and multi-byte characters.
    static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth >= 4 ? 4 : 6), using: &generator)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: return .int([0, -1, 1, Int64.max, Int64.min, 10, -10][Int.random(in: 0..<7, using: &generator)])
            case 1: return .int(Int64.random(in: -1000...1000, using: &generator))
            default: return .int(Int64.random(in: Int64.min...Int64.max, using: &generator))
            }
        case 3: return .string(randomString(using: &generator))
        case 4:
            let count = Int.random(in: 0..<5, using: &generator)
            return .array((0..<count).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var members = [String: JSONValue]()
            for _ in 0..<Int.random(in: 0..<6, using: &generator) {
                members[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(members)
        }
    }

    static let alphabet: [Unicode.Scalar] = [
        "a", "b", "z", "A", "Z", "0", "9", " ", "/", "\"", "\\", "\u{0}", "\u{8}", "\u{9}", "\u{a}", "\u{c}", "\u{d}",
        "\u{1f}", "\u{7f}", "\u{80}", "é", "ß", "\u{301}", "日", "\u{FFFF}", "\u{E000}", "😀", "\u{10FFFF}", "\u{2028}",
    ]

    static func randomString(using generator: inout SeededGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0..<8, using: &generator) {
            scalars.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return String(scalars)
    }

    @Test func randomValuesRoundTripAndReEncodeToTheSameBytes() throws {
        var generator = SeededGenerator(seed: 0x6962_6a73)
        for round in 0..<4000 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let bytes = CanonicalJSON.encode(value)
            let decoded = try CanonicalJSON.decode(bytes)
            #expect(decoded == value, "round \(round): \(Self.text(value))")
            #expect(CanonicalJSON.encode(decoded) == bytes, "round \(round)")
        }
    }

    // MARK: - Rejections

    @Test(arguments: [
        // Whitespace anywhere.
        " 1", "1 ", "\n1", "[1, 2]", "[ 1]", "[1 ]", "{\"a\": 1}", "{\"a\" :1}", "{ \"a\":1}", "{\"a\":1 }", "\t[]",
        "[1,\r2]",
        // Keys out of order or repeated.
        "{\"b\":1,\"a\":2}", "{\"a\":1,\"B\":2}", "{\"é\":1,\"z\":2}", "{\"aa\":1,\"a\":2}", "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"a\":1}",
        // Numbers other than shortest-form 64-bit integers.
        "1.0", "1.5", "0.1", "1e3", "1E3", "-1e-3", "01", "00", "-01", "-0", "+1", "-", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "99999999999999999999", ".5", "0x10", "Infinity", "NaN",
        // Escapes that are not the one canonical form.
        "\"\\/\"", "\"\\u00e9\"", "\"\\u001F\"", "\"\\u000a\"", "\"\\u0008\"", "\"\\u0009\"", "\"\\u000c\"",
        "\"\\u000d\"", "\"\\u0022\"", "\"\\u005c\"", "\"\\u0041\"", "\"\\u007f\"", "\"\\ud83d\\ude00\"", "\"\\x41\"",
        "\"\\a\"", "\"\\'\"", "\"\\u00\"", "\"\\u00+f\"", "\"\\u00-1\"", "\"\\u001\"", "\"\\", "\"\\u",
        // Raw control characters inside strings.
        "\"a\nb\"", "\"\t\"", "\"\u{0}\"", "\"\u{1f}\"",
        // Unterminated values, structure errors, trailing bytes.
        "\"abc", "\"", "[1", "[1,", "[1,]", "[,1]", "{\"a\":1", "{\"a\"", "{\"a\":}", "{\"a\":1,}", "{1:2}", "{a:1}",
        "{\"a\"1}", "[]]", "{}}", "1 2", "12a", "nul", "nulll", "tru", "True", "FALSE", "null,", "[]{}", "''", "'a'",
        // Empty input.
        "",
    ])
    func nonCanonicalTextIsRejected(_ text: String) {
        #expect(throws: CanonicalJSONError.self) { try Self.decode(text) }
    }

    @Test(
        arguments: [
            [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
            [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong "/" in three bytes
            [0x22, 0xFF, 0x22],  // never valid in UTF-8
            [0x22, 0xFE, 0x22],
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // surrogate U+D800
            [0x22, 0xED, 0xBF, 0xBF, 0x22],  // surrogate U+DFFF
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0x80, 0x22],  // lone continuation byte
            [0x22, 0xC3, 0x22],  // truncated sequence
            [0x22, 0xE6, 0x97, 0x22],
            [0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D],  // invalid key
            [0xEF, 0xBB, 0xBF, 0x31],  // byte order mark
            [0xC3, 0xA9],  // a bare character outside any string
        ] as [[UInt8]])
    func invalidUTF8IsRejected(_ bytes: [UInt8]) {
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.decode(bytes) }
    }

    @Test func nestingIsLimitedToTheMaximumDepth() throws {
        let depth = CanonicalJSON.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try Self.decode(deepest) != .null)
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(throws: CanonicalJSONError.self) { try Self.decode(tooDeep) }
        let objects = String(repeating: "{\"a\":", count: depth + 1) + "1" + String(repeating: "}", count: depth + 1)
        #expect(throws: CanonicalJSONError.self) { try Self.decode(objects) }
        let mixed = String(repeating: "[{\"a\":", count: depth) + "1" + String(repeating: "}]", count: depth)
        #expect(throws: CanonicalJSONError.self) { try Self.decode(mixed) }
        // Far deeper than any stack would allow recursing into: refused, not a crash.
        let hostile = String(repeating: "[", count: 200_000)
        #expect(throws: CanonicalJSONError.self) { try Self.decode(hostile) }
    }

    @Test func acceptedExamplesDecodeToTheExpectedValues() throws {
        #expect(
            try Self.decode("{\"B\":3,\"a\":[1,-2,\"\\n\"],\"é\":null}") == ["B": 3, "a": [1, -2, "\n"], "é": nil])
        #expect(try Self.decode("\"a/b\"") == "a/b")
        #expect(try Self.decode("\"\u{7f}\"") == "\u{7f}")
        #expect(try Self.decode("-9223372036854775808") == .int(Int64.min))
        #expect(try Self.decode("9223372036854775807") == .int(Int64.max))
        #expect(try Self.decode("0") == 0)
        #expect(try Self.decode("\"\\u001f\"") == "\u{1f}")
    }

    @Test func errorsNameTheOffsetOfTheProblem() {
        let error = #expect(throws: CanonicalJSONError.self) { try Self.decode("[1,2, 3]") }
        #expect(error?.offset == 5)
        #expect(error?.description.contains("byte 5") == true)
    }

    // MARK: - Mutations

    @Test func randomMutationsOfValidEncodingsAreRejectedOrExactlyCanonical() {
        var generator = SeededGenerator(seed: 0x6d75_7461)
        let interesting: [UInt8] =
            Array(" \t\n\r\"\\/{}[],:-+.0123456789eEuabfnrtl".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xFF]
        var accepted = 0
        var rejected = 0
        for _ in 0..<6000 {
            var bytes = CanonicalJSON.encode(Self.randomValue(depth: 2, using: &generator))
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let randomByte =
                    Bool.random(using: &generator)
                    ? interesting[Int.random(in: 0..<interesting.count, using: &generator)]
                    : UInt8.random(in: 0...255, using: &generator)
                let position = Int.random(in: 0...bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where position < bytes.count: bytes[position] = randomByte
                case 1 where position < bytes.count: bytes.remove(at: position)
                case 2 where position + 1 < bytes.count: bytes.swapAt(position, position + 1)
                default: bytes.insert(randomByte, at: position)
                }
            }
            do {
                let value = try CanonicalJSON.decode(bytes)
                #expect(CanonicalJSON.encode(value) == bytes, "\(bytes)")
                accepted += 1
            } catch {
                rejected += 1
            }
        }
        // Both outcomes happen: the property is not checked vacuously.
        #expect(accepted > 50)
        #expect(rejected > 3000)
    }
}
