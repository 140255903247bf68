public import CustodyCore

/// One entry as `GET /v1/entries` serves it: its index, its leaf hash and its body, the exact canonical JSON that was
/// hashed (docs/http.md "The feed").
public struct FeedEntry: Sendable, Equatable {
    /// The entry's index in the log.
    public let index: UInt64
    /// The leaf hash the server claims: SHA-256(0x00 ‖ body), RFC 9162 §2.1.1.
    public let leaf: SHA256Hash
    /// The entry's canonical JSON text.
    public let body: String

    /// Creates an entry.
    public init(index: UInt64, leaf: SHA256Hash, body: String) {
        self.index = index
        self.leaf = leaf
        self.body = body
    }
}
