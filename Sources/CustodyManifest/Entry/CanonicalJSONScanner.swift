/// A fast check that bytes are canonical JSON, without building the value: the audit's path for the entries it
/// only needs to prove well-formed (`custody verify`, issue 10).
///
/// It enforces the rules of ``CanonicalJSON`` byte by byte, as ``CanonicalJSONParser`` does, but allocates nothing
/// for ASCII text and never re-encodes. It only ever answers "canonical" for input the parser accepts: where the
/// parser's answer hangs on more than bytes (object keys that are not plain ASCII, which the parser also compares
/// as Swift strings, i.e. by canonical equivalence), or the input breaks a rule, it answers `undecided` and the
/// caller takes the parser's path, which names the problem. ``CanonicalJSONFuzzCheck`` compares the two on every
/// fuzz input.
struct CanonicalJSONScanner {
    /// The answer: canonical, with the byte ranges of the top-level object's members by key (when the document is
    /// an object), or undecided.
    enum Verdict {
        case canonical(members: [String: Range<Int>])
        case undecided
    }

    private let input: [UInt8]
    private var position = 0
    private var members = [String: Range<Int>]()

    private struct Undecided: Error {}

    /// Scans `input`.
    static func scan(_ input: [UInt8]) -> Verdict {
        var scanner = CanonicalJSONScanner(input: input)
        do {
            guard !input.isEmpty else { return .undecided }
            try scanner.value(depth: 0)
            guard scanner.position == input.count else { return .undecided }
            return .canonical(members: scanner.members)
        } catch {
            return .undecided
        }
    }

    private init(input: [UInt8]) { self.input = input }

    private var current: UInt8? { position < input.count ? input[position] : nil }

    private mutating func literal(_ text: StaticString) throws(Undecided) {
        let count = text.utf8CodeUnitCount
        guard position + count <= input.count else { throw Undecided() }
        let bytes = UnsafeBufferPointer(start: text.utf8Start, count: count)
        for offset in 0..<count where input[position + offset] != bytes[offset] { throw Undecided() }
        position += count
    }

    private mutating func value(depth: Int) throws(Undecided) {
        guard let byte = current else { throw Undecided() }
        switch byte {
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try integer()
        case UInt8(ascii: "["):
            guard depth < CanonicalJSON.maximumDepth else { throw Undecided() }
            position += 1
            if current == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                try value(depth: depth + 1)
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return
                default: throw Undecided()
                }
            }
        case UInt8(ascii: "{"):
            guard depth < CanonicalJSON.maximumDepth else { throw Undecided() }
            position += 1
            if current == UInt8(ascii: "}") {
                position += 1
                return
            }
            var previous: Range<Int>?
            while true {
                let key = try plainKey()
                if let previous {
                    // Strictly ascending by bytes: sorted, and no key twice.
                    guard input[previous].lexicographicallyPrecedes(input[key]) else { throw Undecided() }
                }
                previous = key
                guard current == UInt8(ascii: ":") else { throw Undecided() }
                position += 1
                let start = position
                try value(depth: depth + 1)
                if depth == 0 { members[String(decoding: input[key], as: UTF8.self)] = start..<position }
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return
                default: throw Undecided()
                }
            }
        default:
            throw Undecided()
        }
    }

    /// An object key of printable ASCII without escapes; returns the range of its bytes between the quotes. Any
    /// other key is left to the parser.
    private mutating func plainKey() throws(Undecided) -> Range<Int> {
        guard current == UInt8(ascii: "\"") else { throw Undecided() }
        let start = position + 1
        var end = start
        while end < input.count, input[end] >= 0x20, input[end] < 0x80, input[end] != UInt8(ascii: "\""),
            input[end] != UInt8(ascii: "\\")
        {
            end += 1
        }
        guard end < input.count, input[end] == UInt8(ascii: "\"") else { throw Undecided() }
        position = end + 1
        return start..<end
    }

    /// A string value: raw bytes from U+0020 up except `"` and `\`, valid UTF-8, and only the canonical escapes.
    private mutating func string() throws(Undecided) {
        position += 1  // opening quote
        var runStart = position
        var ascii = true
        var decoded: [UInt8]?  // only once an escape was met: the string as the parser builds it
        while true {
            guard let byte = current else { throw Undecided() }
            switch byte {
            case UInt8(ascii: "\""):
                if var decoded {
                    decoded.append(contentsOf: input[runStart..<position])
                    guard String(validating: decoded, as: UTF8.self) != nil else { throw Undecided() }
                } else if !ascii {
                    guard String(validating: input[runStart..<position], as: UTF8.self) != nil else { throw Undecided() }
                }
                position += 1
                return
            case UInt8(ascii: "\\"):
                var text = decoded ?? []
                text.append(contentsOf: input[runStart..<position])
                text.append(try escape())
                decoded = text
                runStart = position
            case 0x00..<0x20:
                throw Undecided()
            default:
                if byte >= 0x80 { ascii = false }
                position += 1
            }
        }
    }

    /// One escape at `position`, as the encoder writes it: the byte it stands for.
    private mutating func escape() throws(Undecided) -> UInt8 {
        guard position + 1 < input.count else { throw Undecided() }
        let byte: UInt8
        switch input[position + 1] {
        case UInt8(ascii: "\""): byte = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): byte = UInt8(ascii: "\\")
        case UInt8(ascii: "b"): byte = 0x08
        case UInt8(ascii: "t"): byte = 0x09
        case UInt8(ascii: "n"): byte = 0x0A
        case UInt8(ascii: "f"): byte = 0x0C
        case UInt8(ascii: "r"): byte = 0x0D
        case UInt8(ascii: "u"):
            guard position + 6 <= input.count, input[position + 2] == UInt8(ascii: "0"),
                input[position + 3] == UInt8(ascii: "0"),
                let high = Self.lowercaseHex(input[position + 4]), high < 2,
                let low = Self.lowercaseHex(input[position + 5])
            else { throw Undecided() }
            let value = high << 4 | low
            guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value) else { throw Undecided() }
            position += 6
            return value
        default: throw Undecided()
        }
        position += 2
        return byte
    }

    private static func lowercaseHex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// An integer in shortest form within the 64-bit signed range.
    private mutating func integer() throws(Undecided) {
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        let digitsStart = position
        var magnitude: UInt64 = 0
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            guard position - digitsStart < 19 else { throw Undecided() }  // 19 digits always fit in a UInt64
            magnitude = magnitude * 10 + UInt64(byte - UInt8(ascii: "0"))
            position += 1
        }
        let count = position - digitsStart
        guard count > 0 else { throw Undecided() }
        if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw Undecided()
        }
        guard input[digitsStart] != UInt8(ascii: "0") || count == 1 else { throw Undecided() }  // leading zero
        guard !(negative && magnitude == 0) else { throw Undecided() }  // -0
        guard magnitude <= (negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)) else { throw Undecided() }
    }
}
