/// A file's path on a recorder, relative to its root, exactly as the recorder's file system spells it.
///
/// A recorder is untrusted input: names may hold newlines, control characters or bytes that are not UTF-8.
/// The bytes are kept exactly; ``display`` is the text for entries and people: the path itself when it is valid
/// UTF-8, else every byte outside printable ASCII and every `%` as `%XX`, so no two paths share a display.
public struct RecorderPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The path's bytes, components separated by `/`, never starting with `/` and never holding `.` or `..`.
    public let bytes: [UInt8]

    /// Wraps relative path bytes; returns nil for an empty path, an absolute path, an empty, `.` or `..`
    /// component, or a NUL byte.
    public init?(bytes: [UInt8]) {
        guard !bytes.isEmpty, !bytes.contains(0) else { return nil }
        let components = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for component in components {
            guard !component.isEmpty, component.elementsEqual([UInt8(ascii: ".")]) == false,
                component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) == false
            else { return nil }
        }
        self.bytes = bytes
    }

    /// Wraps a relative path given as text.
    public init?(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Whether the path is valid UTF-8.
    public var isUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// The path as text: itself when valid UTF-8, else percent-escaped (see the type's documentation).
    public var display: String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var out = ""
        for byte in bytes {
            if byte >= 0x21 && byte < 0x7F && byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// The last component.
    public var fileName: RecorderPath {
        let last = bytes.split(separator: UInt8(ascii: "/")).last.map(Array.init) ?? bytes
        return RecorderPath(bytes: last) ?? self
    }

    /// The path's components.
    public var components: [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "/")).map(Array.init)
    }

    /// The path bytes in lowercase hex, for entries whose path is not UTF-8.
    public var hex: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    public var description: String { display }

    public static func < (lhs: RecorderPath, rhs: RecorderPath) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
