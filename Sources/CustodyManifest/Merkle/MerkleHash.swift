public import CustodyCore
import Crypto

/// The hashing of RFC 9162 §2.1.1 (and RFC 6962 §2.1): domain-separated leaf and node hashes.
public enum MerkleHash {
    /// The root of the empty tree: SHA-256 of no bytes.
    public static let emptyRoot = SHA256Hash(hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")!

    /// The hash of a leaf: SHA-256(0x00 ‖ data).
    public static func leaf(_ data: some Sequence<UInt8>) -> SHA256Hash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: Array(data))
        return SHA256Hash(bytes: Array(hasher.finalize()))!
    }

    /// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
    public static func node(_ left: SHA256Hash, _ right: SHA256Hash) -> SHA256Hash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return SHA256Hash(bytes: Array(hasher.finalize()))!
    }
}
