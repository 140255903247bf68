/// The canonical JSON encoding of manifest entries: the stored, hashed and served bytes (shared/DESIGN.md
/// "The manifest", docs/manifest.md).
///
/// Rules: UTF-8; no insignificant whitespace; object keys sorted by their UTF-8 bytes, each at most once;
/// integers only, in shortest form (no `-0`, no leading zeros, no fraction or exponent); strings escape only
/// `"`, `\` and control characters below U+0020 (`\b \t \n \f \r` in short form, the rest as `\u00xx` in
/// lowercase hex); every other character, `/` and non-ASCII included, is written as itself.
public enum CanonicalJSON {
    /// Objects and arrays nest at most this deep; deeper input is refused rather than risking the stack.
    public static let maximumDepth = 32

    /// Encodes `value` canonically.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (position, key) in keys.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy their bytes at once instead of one at a time.
        let copied =
            text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
                else { return false }
                out.append(contentsOf: bytes)
                return true
            } ?? false
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses `bytes` and accepts them only if they are exactly the canonical encoding of the value they hold.
    ///
    /// Throws ``CanonicalJSONError`` naming the byte offset and the rule broken; never traps on any input.
    public static func decode(_ bytes: some Collection<UInt8>) throws(CanonicalJSONError) -> JSONValue {
        var parser = CanonicalJSONParser(Array(bytes))
        let value = try parser.parseDocument()
        // Belt and braces: whatever the parser accepted must re-encode to the very same bytes.
        guard encode(value) == parser.input else {
            throw CanonicalJSONError(offset: 0, reason: "the text does not re-encode to the same bytes")
        }
        return value
    }
}

/// Input refused by the canonical JSON parser: where, and which rule it broke.
public struct CanonicalJSONError: Error, Equatable, CustomStringConvertible {
    /// The byte offset at which the problem was found.
    public let offset: Int
    /// The rule that was broken, for a person.
    public let reason: String

    public var description: String { "not canonical JSON at byte \(offset): \(reason)" }
}

/// A strict, non-recursive-descent-unbounded parser for ``CanonicalJSON``.
struct CanonicalJSONParser {
    let input: [UInt8]
    private var position = 0

    init(_ input: [UInt8]) { self.input = input }

    mutating func parseDocument() throws(CanonicalJSONError) -> JSONValue {
        guard !input.isEmpty else { throw fail("the input is empty") }
        let value = try parseValue(depth: 0)
        guard position == input.count else { throw fail("unexpected bytes after the value") }
        return value
    }

    private func fail(_ reason: String) -> CanonicalJSONError {
        CanonicalJSONError(offset: position, reason: reason)
    }

    private mutating func expect(_ literal: String) throws(CanonicalJSONError) {
        for byte in literal.utf8 {
            guard position < input.count, input[position] == byte else {
                throw fail("expected \"\(literal)\"")
            }
            position += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(CanonicalJSONError) -> JSONValue {
        guard position < input.count else { throw fail("unexpected end of input") }
        switch input[position] {
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .int(try parseInteger())
        case UInt8(ascii: "["):
            guard depth < CanonicalJSON.maximumDepth else { throw fail("nested deeper than \(CanonicalJSON.maximumDepth)") }
            position += 1
            var elements = [JSONValue]()
            if position < input.count, input[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                elements.append(try parseValue(depth: depth + 1))
                guard position < input.count else { throw fail("unterminated array") }
                if input[position] == UInt8(ascii: ",") {
                    position += 1
                } else if input[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(elements)
                } else {
                    throw fail("expected ',' or ']' (no whitespace is allowed)")
                }
            }
        case UInt8(ascii: "{"):
            guard depth < CanonicalJSON.maximumDepth else { throw fail("nested deeper than \(CanonicalJSON.maximumDepth)") }
            position += 1
            var members = [String: JSONValue]()
            if position < input.count, input[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            var previousKey: [UInt8]? = nil
            while true {
                guard position < input.count, input[position] == UInt8(ascii: "\"") else {
                    throw fail("expected a string key")
                }
                let keyOffset = position
                let key = try parseString()
                let keyBytes = Array(key.utf8)
                if let previousKey {
                    guard previousKey.lexicographicallyPrecedes(keyBytes) else {
                        throw CanonicalJSONError(
                            offset: keyOffset, reason: "object keys must be unique and sorted by their UTF-8 bytes")
                    }
                }
                guard members[key] == nil else {
                    throw CanonicalJSONError(offset: keyOffset, reason: "duplicate object key")
                }
                previousKey = keyBytes
                guard position < input.count, input[position] == UInt8(ascii: ":") else {
                    throw fail("expected ':' (no whitespace is allowed)")
                }
                position += 1
                members[key] = try parseValue(depth: depth + 1)
                guard position < input.count else { throw fail("unterminated object") }
                if input[position] == UInt8(ascii: ",") {
                    position += 1
                } else if input[position] == UInt8(ascii: "}") {
                    position += 1
                    return .object(members)
                } else {
                    throw fail("expected ',' or '}' (no whitespace is allowed)")
                }
            }
        default:
            throw fail("unexpected byte 0x\(String(input[position], radix: 16)); only canonical JSON values are allowed")
        }
    }

    private mutating func parseInteger() throws(CanonicalJSONError) -> Int64 {
        let start = position
        var negative = false
        if input[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        let digitsStart = position
        while position < input.count, input[position] >= UInt8(ascii: "0"), input[position] <= UInt8(ascii: "9") {
            position += 1
        }
        let digits = input[digitsStart..<position]
        guard !digits.isEmpty else { throw CanonicalJSONError(offset: start, reason: "a number needs digits") }
        if position < input.count,
            [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(input[position])
        {
            throw CanonicalJSONError(offset: start, reason: "only integers are allowed")
        }
        guard digits.first != UInt8(ascii: "0") || digits.count == 1 else {
            throw CanonicalJSONError(offset: start, reason: "leading zeros are not allowed")
        }
        guard !(negative && digits == [UInt8(ascii: "0")]) else {
            throw CanonicalJSONError(offset: start, reason: "-0 is not allowed")
        }
        guard digits.count <= 19,
            let magnitude = UInt64(String(decoding: digits, as: UTF8.self)),
            negative ? magnitude <= UInt64(Int64.max) + 1 : magnitude <= UInt64(Int64.max)
        else {
            throw CanonicalJSONError(offset: start, reason: "integer out of the 64-bit signed range")
        }
        return negative ? (magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)) : Int64(magnitude)
    }

    private mutating func parseString() throws(CanonicalJSONError) -> String {
        let start = position
        // Most strings hold no escape and no control character: validate the bytes up to the closing quote in place,
        // without copying them out first. Anything else takes the byte-by-byte path below, which names the problem.
        var end = position + 1
        while end < input.count, input[end] >= 0x20, input[end] != UInt8(ascii: "\""),
            input[end] != UInt8(ascii: "\\")
        {
            end += 1
        }
        if end < input.count, input[end] == UInt8(ascii: "\"") {
            guard let text = String(validating: input[(start + 1)..<end], as: UTF8.self) else {
                throw CanonicalJSONError(offset: start, reason: "the string is not valid UTF-8")
            }
            position = end + 1
            return text
        }
        position += 1  // opening quote
        var out = [UInt8]()
        while true {
            guard position < input.count else { throw CanonicalJSONError(offset: start, reason: "unterminated string") }
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                // Validate UTF-8 strictly: overlong forms, surrogates and stray bytes are refused.
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw CanonicalJSONError(offset: start, reason: "the string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                guard position + 1 < input.count else { throw fail("unterminated escape") }
                let escaped = input[position + 1]
                switch escaped {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "u"):
                    guard position + 6 <= input.count,
                        input[position + 2] == UInt8(ascii: "0"), input[position + 3] == UInt8(ascii: "0")
                    else {
                        throw fail("\\u escapes are only for control characters (\\u0000-\\u001f)")
                    }
                    // Two lowercase hex digits exactly: `UInt8(_:radix:)` alone would also take "+4".
                    let digits = input[(position + 4)..<(position + 6)]
                    let hex = String(decoding: digits, as: UTF8.self)
                    guard digits.allSatisfy({ CanonicalJSON.hexDigits.contains($0) }),
                        let value = UInt8(hex, radix: 16), value < 0x20,
                        ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value)
                    else {
                        throw fail("\\u escape must be a lowercase control character without a short form")
                    }
                    out.append(value)
                    position += 4
                default:
                    throw fail("escape \\\(Character(Unicode.Scalar(escaped))) is not canonical")
                }
                position += 2
            case 0x00..<0x20:
                throw fail("control characters must be escaped")
            default:
                out.append(byte)
                position += 1
            }
        }
    }
}
