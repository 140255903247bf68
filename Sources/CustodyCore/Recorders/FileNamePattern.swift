import Foundation

/// How one recorder model names its files, compiled once from the configuration and used to read each name's
/// serial, officer number, start time and sequence number.
///
/// A pattern is literal text with named fields in braces:
///
/// | field | matches |
/// |---|---|
/// | `{serial}` | the device serial: one or more of `A–Z a–z 0–9 -`, as few as the rest of the name allows |
/// | `{officer}` | the officer or certificate number: one or more of `A–Z a–z 0–9`, as many as possible |
/// | `{start}` | exactly 14 digits, `YYYYMMDDhhmmss`, local time of the recorder |
/// | `{date}`, `{time}` | exactly 8 digits `YYYYMMDD` and 6 digits `hhmmss`; always used together |
/// | `{sequence}` | one or more digits, as many as possible |
/// | `{*}` | any characters, none included, as few as possible; may appear more than once |
///
/// Everything else is literal. Letters in literal text match either case (`.MP4` matches `.mp4`) because the
/// FAT and exFAT file systems recorders use do not distinguish case; other characters must be exactly equal.
/// Braces always delimit fields: a pattern cannot contain a literal `{` or `}` (use `{*}` to skip one).
/// The whole name must match. Where a name could be split more than one way, the preferences in the table
/// decide, from left to right.
///
/// Matching never backtracks: it first works out, from the end of the pattern backwards, which positions of the
/// name each remaining part of the pattern can match from, then reads the fields in one pass. Its cost is
/// proportional to the pattern's length times the name's, so hostile names cannot make it slow.
public struct FileNamePattern: Sendable, Hashable, CustomStringConvertible {
    /// The fields a pattern can carry, by their names in braces.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case serial, officer, start, date, time, sequence
    }

    /// The longest pattern accepted, in UTF-8 bytes.
    public static let maximumPatternLength = 1024
    /// The longest name that can match, in UTF-8 bytes (Linux's `PATH_MAX`; a file name is at most 255 bytes on
    /// the file systems recorders use, so a longer one is hostile, not a clip).
    public static let maximumNameLength = 4096

    /// The pattern as configured.
    public let pattern: String
    /// The fields the pattern carries.
    public let fields: Set<Field>
    let tokens: [Token]

    /// Compiles `pattern`, refusing one that is empty, longer than ``maximumPatternLength``, has an unclosed or
    /// unopened brace, names an unknown field or one field twice, or uses `{date}` without `{time}` (or the
    /// reverse) or either together with `{start}`.
    public init(_ pattern: String) throws(FileNamePatternError) {
        self.pattern = pattern
        func fail(_ code: FileNamePatternError.Code, _ message: String) -> FileNamePatternError {
            FileNamePatternError(code, pattern: pattern, message: message)
        }
        guard !pattern.isEmpty else {
            throw fail(
                .empty,
                "the pattern is empty; write the recorder's file name with fields, "
                    + "for example {serial}_{officer}_{start}_{sequence}.MP4 (\(FileNamePatternError.validFields))")
        }
        guard pattern.utf8.count <= Self.maximumPatternLength else {
            throw fail(
                .tooLong,
                "the pattern is \(pattern.utf8.count) bytes long; at most "
                    + "\(Self.maximumPatternLength) are accepted")
        }
        var tokens: [Token] = []
        var fields: Set<Field> = []
        var literal: [UInt8] = []
        var fieldName: String?
        var fieldStart = 0
        for (position, scalar) in pattern.unicodeScalars.enumerated() {
            if var name = fieldName {
                switch scalar {
                case "{":
                    throw fail(
                        .unbalancedBrace,
                        "the '{' at character \(fieldStart + 1) is not closed before the "
                            + "next '{' at character \(position + 1); fields cannot nest; "
                            + FileNamePatternError.validFields)
                case "}":
                    fieldName = nil
                    let token: Token
                    if name == "*" {
                        token = .anything
                    } else if let field = Field(rawValue: name) {
                        guard fields.insert(field).inserted else {
                            throw fail(
                                .duplicateField,
                                "{\(name)} appears more than once; each field may appear "
                                    + "once (only {*} may repeat)")
                        }
                        token = Token(field)
                    } else {
                        throw fail(
                            .unknownField,
                            "unknown field {\(name)} at character \(fieldStart + 1); "
                                + FileNamePatternError.validFields)
                    }
                    if !literal.isEmpty {
                        tokens.append(.literal(literal))
                        literal = []
                    }
                    // Two `{*}` in a row match exactly what one does.
                    if !(token == .anything && tokens.last == .anything) {
                        tokens.append(token)
                    }
                default:
                    name.unicodeScalars.append(scalar)
                    fieldName = name
                }
            } else {
                switch scalar {
                case "{":
                    fieldName = ""
                    fieldStart = position
                case "}":
                    throw fail(
                        .unbalancedBrace,
                        "the '}' at character \(position + 1) has no '{' before it; "
                            + "fields are written in braces: " + FileNamePatternError.validFields)
                default:
                    literal.append(contentsOf: Self.folded(Array(String(scalar).utf8)))
                }
            }
        }
        if fieldName != nil {
            throw fail(
                .unbalancedBrace,
                "the '{' at character \(fieldStart + 1) is never closed; "
                    + "fields are written in braces: " + FileNamePatternError.validFields)
        }
        if !literal.isEmpty {
            tokens.append(.literal(literal))
        }
        if fields.contains(.date) != fields.contains(.time) {
            let (has, lacks) = fields.contains(.date) ? ("date", "time") : ("time", "date")
            throw fail(
                .incompleteDateTime,
                "{\(has)} needs {\(lacks)} too (or use {start} for 14 digits "
                    + "YYYYMMDDhhmmss)")
        }
        if fields.contains(.start), fields.contains(.date) {
            throw fail(
                .conflictingTime,
                "{start} cannot be used together with {date} and {time}; "
                    + "use either {start} or the pair {date} and {time}")
        }
        self.fields = fields
        self.tokens = tokens
    }

    /// Whether the pattern carries the recording start time (`{start}` or `{date}` with `{time}`).
    public var carriesStart: Bool { fields.contains(.start) || fields.contains(.date) }

    public var description: String { pattern }

    /// Reads the fields from `fileName` (a name only, no directory), or returns nil if the name does not have the
    /// pattern's form.
    ///
    /// The start time in the name is read as local time at `timeZone`, the model's fixed offset. A name whose
    /// time digits are not a real date and time still matches, with ``FileNameFields/start`` nil (see there).
    /// Names longer than ``maximumNameLength`` bytes never match.
    public func match(_ fileName: String, timeZone: TimeZoneOffset) -> FileNameFields? {
        var steps = 0
        return match(fileName, timeZone: timeZone, steps: &steps)
    }

    /// ``match(_:timeZone:)``, adding the number of elementary steps it took to `steps` (for tests that bound the
    /// work done on hostile input).
    func match(_ fileName: String, timeZone: TimeZoneOffset, steps: inout Int) -> FileNameFields? {
        let name = Array(fileName.utf8)
        guard name.count <= Self.maximumNameLength else { return nil }
        let n = name.count
        let folded = Self.folded(name)
        // Lengths of the runs of each character class starting at each position (one extra zero at the end).
        let digitRun = Self.runLengths(name, steps: &steps) { $0 >= 0x30 && $0 <= 0x39 }
        let alphanumericRun = Self.runLengths(name, steps: &steps) { Self.isAlphanumeric($0) }
        let serialRun = Self.runLengths(name, steps: &steps) { Self.isAlphanumeric($0) || $0 == 0x2D }

        // reachable[t][p]: tokens t... match exactly name[p...]. Computed from the last token backwards,
        // in time proportional to (n + 1) per token (times the literal's length for literals).
        var reachable = [[Bool]](repeating: [], count: tokens.count + 1)
        reachable[tokens.count] = [Bool](repeating: false, count: n + 1)
        reachable[tokens.count][n] = true
        for t in tokens.indices.reversed() {
            let next = reachable[t + 1]
            var current = [Bool](repeating: false, count: n + 1)
            switch tokens[t] {
            case .literal(let bytes):
                for p in 0...n where p + bytes.count <= n && next[p + bytes.count] {
                    var equal = true
                    for i in bytes.indices {
                        steps += 1
                        if folded[p + i] != bytes[i] {
                            equal = false
                            break
                        }
                    }
                    current[p] = equal
                }
                steps += n + 1
            case .digits(_, let count):
                for p in 0...n {
                    current[p] = digitRun[p] >= count && next[p + count]
                }
                steps += n + 1
            case .serial, .officer, .sequence:
                let run = tokens[t] == .serial ? serialRun : tokens[t] == .officer ? alphanumericRun : digitRun
                // nearest[p]: the first e >= p with next[e], or n + 1 if none.
                let nearest = Self.nearestTrue(next, steps: &steps)
                for p in 0..<n where run[p] > 0 {
                    current[p] = nearest[p + 1] <= p + run[p]
                }
                steps += n + 1
            case .anything:
                var any = false
                for p in (0...n).reversed() {
                    any = any || next[p]
                    current[p] = any
                }
                steps += n + 1
            }
            reachable[t] = current
        }
        guard reachable[0][0] else { return nil }

        // One pass forwards, taking at each variable token the preferred end from which the rest still matches.
        var fields = FileNameFields()
        var rawDate = ""
        var rawTime = ""
        var p = 0
        for (t, token) in tokens.enumerated() {
            let next = reachable[t + 1]
            var end: Int
            switch token {
            case .literal(let bytes):
                end = p + bytes.count
            case .digits(_, let count):
                end = p + count
            case .serial, .anything:
                end = token == .serial ? p + 1 : p
                while !next[end] {
                    steps += 1
                    end += 1
                }
            case .officer, .sequence:
                end = p + (token == .officer ? alphanumericRun[p] : digitRun[p])
                while !next[end] {
                    steps += 1
                    end -= 1
                }
            }
            let text = String(decoding: name[p..<end], as: UTF8.self)
            switch token {
            case .serial: fields.serial = text
            case .officer: fields.officer = text
            case .sequence:
                fields.rawSequence = text
                fields.sequence = text.utf8.count <= 18 ? Int(text) : nil
            case .digits(.date, _): rawDate = text
            case .digits(.time, _): rawTime = text
            case .digits(_, _): fields.rawStart = text
            case .literal, .anything: break
            }
            p = end
        }
        if fields.rawStart == nil, !rawDate.isEmpty {
            fields.rawStart = rawDate + rawTime
        }
        if let rawStart = fields.rawStart {
            fields.start = Self.localTime(Array(rawStart.utf8), timeZone: timeZone)
        }
        return fields
    }

    /// Reads 14 ASCII digits `YYYYMMDDhhmmss` as a local time at `timeZone`; nil if they are not a real date
    /// and time of the proleptic Gregorian calendar.
    static func localTime(_ digits: [UInt8], timeZone: TimeZoneOffset) -> Date? {
        guard digits.count == 14 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int {
            digits[from..<(from + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        let year = number(0, 4)
        let month = number(4, 2)
        let day = number(6, 2)
        let hour = number(8, 2)
        let minute = number(10, 2)
        let second = number(12, 2)
        guard CivilDate.isValid(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        let seconds =
            CivilDate.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            - timeZone.secondsEastOfUTC
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// ASCII letters lowered; every other byte unchanged.
    private static func folded(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }

    private static func runLengths(_ bytes: [UInt8], steps: inout Int, _ member: (UInt8) -> Bool) -> [Int] {
        var run = [Int](repeating: 0, count: bytes.count + 1)
        for i in bytes.indices.reversed() where member(bytes[i]) {
            run[i] = run[i + 1] + 1
        }
        steps += bytes.count + 1
        return run
    }

    private static func nearestTrue(_ flags: [Bool], steps: inout Int) -> [Int] {
        var nearest = [Int](repeating: flags.count, count: flags.count + 1)
        for i in flags.indices.reversed() {
            nearest[i] = flags[i] ? i : nearest[i + 1]
        }
        steps += flags.count + 1
        return nearest
    }
}

extension FileNamePattern {
    /// One compiled piece of a pattern.
    enum Token: Hashable, Sendable {
        /// Literal bytes, ASCII letters lowered.
        case literal([UInt8])
        /// Exactly `count` digits: `{start}` (14), `{date}` (8) or `{time}` (6).
        case digits(Field, count: Int)
        case serial, officer, sequence
        /// `{*}`.
        case anything

        init(_ field: Field) {
            switch field {
            case .serial: self = .serial
            case .officer: self = .officer
            case .sequence: self = .sequence
            case .start: self = .digits(.start, count: 14)
            case .date: self = .digits(.date, count: 8)
            case .time: self = .digits(.time, count: 6)
            }
        }
    }
}

extension FileNamePattern {
    /// GA/T 947-style names: device serial, officer number, local start time and sequence number, separated by
    /// underscores, for example `DSJ8A1234_64000123_20260301081530_0007.MP4`.
    public static let gaT947 = builtIn("{serial}_{officer}_{start}_{sequence}.MP4")

    /// Camera-style (DCIM) names: local date, local time and sequence number, for example
    /// `20260301_081530_0001.MP4`. They carry no serial or officer: those come from the recorder's identity.
    public static let dcimDateTime = builtIn("{date}_{time}_{sequence}.MP4")

    /// Names that carry only a sequence number, for example `FILE0042.MP4`; the start time must come from the
    /// MP4 `mvhd` box (DESIGN "Time").
    public static let fileSequence = builtIn("FILE{sequence}.MP4")

    private static func builtIn(_ pattern: String) -> FileNamePattern {
        do {
            return try FileNamePattern(pattern)
        } catch {
            fatalError("built-in file-name pattern does not compile: \(error)")
        }
    }
}

/// A file-name pattern that cannot be compiled: a stable code, the pattern, and what is wrong with it.
public struct FileNamePatternError: Error, CustomStringConvertible, Hashable, Sendable {
    /// Stable codes, for scripts and tests.
    public enum Code: String, Sendable, Hashable {
        /// The pattern is empty.
        case empty
        /// The pattern is longer than ``FileNamePattern/maximumPatternLength``.
        case tooLong
        /// A `{` without its `}`, a `}` without its `{`, or a `{` inside a field.
        case unbalancedBrace
        /// A name in braces that is not a field.
        case unknownField
        /// A field that appears twice.
        case duplicateField
        /// `{date}` without `{time}` or the reverse.
        case incompleteDateTime
        /// `{start}` together with `{date}` and `{time}`.
        case conflictingTime
    }

    static let validFields = "the fields are {serial}, {officer}, {start}, {date} with {time}, {sequence} and {*}"

    /// What kind of mistake this is.
    public let code: Code
    /// The pattern as configured.
    public let pattern: String
    /// What is wrong and how to write it instead, for a person.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, pattern: String, message: String) {
        self.code = code
        self.pattern = pattern
        self.message = message
    }

    public var description: String { "file-name pattern \"\(pattern)\": \(message)" }
}
