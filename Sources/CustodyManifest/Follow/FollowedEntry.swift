public import CustodyCore

/// An entry that `custody follow` has verified: its leaf hash recomputed from its body, and its inclusion in a signed
/// checkpoint proven.
public struct FollowedEntry: Sendable, Equatable {
    /// The entry's index in the log.
    public let index: UInt64
    /// Its leaf hash, SHA-256(0x00 ‖ body) (RFC 9162 §2.1.1).
    public let leaf: SHA256Hash
    /// The entry itself, parsed from its canonical JSON.
    public let entry: JSONValue

    /// Creates a verified entry.
    public init(index: UInt64, leaf: SHA256Hash, entry: JSONValue) {
        self.index = index
        self.leaf = leaf
        self.entry = entry
    }

    /// The line `custody follow` prints: `{"entry":{…},"index":I,"leaf":"hex"}` in canonical JSON, so the entry's
    /// bytes inside the line are exactly the bytes that were hashed.
    public var jsonLine: String {
        String(decoding: CanonicalJSON.encode(["entry": entry, "index": .int(Int64(index)), "leaf": .string(leaf.hex)]),
            as: UTF8.self)
    }
}
