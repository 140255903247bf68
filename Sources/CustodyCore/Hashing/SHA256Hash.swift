public import Foundation
import Crypto

/// A SHA-256 digest: the identity of a clip and of every node in the manifest's Merkle tree.
///
/// Footage is content-addressed by it (Art 6, Art 28) and the manifest hashes with it (RFC 9162 §2.1).
public struct SHA256Hash: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number of bytes in a SHA-256 digest.
    public static let byteCount = 32

    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; returns nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses 64 lowercase hexadecimal characters; returns nil for anything else, including uppercase.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == Self.byteCount * 2 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        self.bytes = out
    }

    /// The digest of `data`.
    public static func of(_ data: some DataProtocol) -> SHA256Hash {
        SHA256Hash(bytes: Array(SHA256.hash(data: data)))!
    }

    /// The digest in lowercase hexadecimal, as it appears in entries and store paths.
    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount * 2)
        for byte in bytes {
            out.append(Self.hexDigits[Int(byte >> 4)])
            out.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digest in standard base64, as it appears in checkpoints.
    public var base64: String { Data(bytes).base64EncodedString() }

    public var description: String { hex }

    public static func < (lhs: SHA256Hash, rhs: SHA256Hash) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
