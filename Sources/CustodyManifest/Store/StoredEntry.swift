public import CustodyCore
import Foundation
import GRDB

/// An entry as the log holds it: its index, its canonical bytes and its leaf hash.
public struct StoredEntry: Sendable, Equatable {
    /// The entry's position in the log, from 0.
    public let index: UInt64
    /// The canonical bytes.
    public let body: [UInt8]
    /// SHA-256(0x00 ‖ body) as stored.
    public let leafHash: SHA256Hash

    /// Creates a stored entry.
    public init(index: UInt64, body: [UInt8], leafHash: SHA256Hash) {
        self.index = index
        self.body = body
        self.leafHash = leafHash
    }

    init(row: Row) {
        let leaf: Data = row["leaf"]
        let body: Data = row["body"]
        self.index = UInt64(row["seq"] as Int64)
        self.body = Array(body)
        // A leaf of the wrong length cannot pass the table's CHECK; an all-zero stand-in keeps audits going.
        self.leafHash = SHA256Hash(bytes: leaf) ?? SHA256Hash(bytes: [UInt8](repeating: 0, count: 32))!
    }

    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A signed checkpoint as the log holds it.
public struct StoredCheckpoint: Sendable, Equatable {
    /// The tree size it signs.
    public let size: UInt64
    /// The root hash it signs.
    public let root: SHA256Hash
    /// The C2SP signed note.
    public let note: String

    /// Creates a stored checkpoint.
    public init(size: UInt64, root: SHA256Hash, note: String) {
        self.size = size
        self.root = root
        self.note = note
    }

    init(row: Row) {
        let root: Data = row["root"]
        self.size = UInt64(row["size"] as Int64)
        self.root = SHA256Hash(bytes: root) ?? SHA256Hash(bytes: [UInt8](repeating: 0, count: 32))!
        self.note = row["note"]
    }
}

/// An inclusion proof with everything a verifier needs (RFC 9162 §2.1.3).
public struct InclusionProof: Sendable, Equatable {
    public let index: UInt64
    public let size: UInt64
    public let leafHash: SHA256Hash
    public let path: [SHA256Hash]
    public let root: SHA256Hash

    /// Verifies the proof with the RFC 9162 verifier.
    public func verify() throws(ManifestError) {
        try MerkleProof.verifyInclusion(index: index, size: size, leafHash: leafHash, proof: path, root: root)
    }
}

/// A consistency proof with both roots (RFC 9162 §2.1.4).
public struct ConsistencyProof: Sendable, Equatable {
    public let oldSize: UInt64
    public let newSize: UInt64
    public let oldRoot: SHA256Hash
    public let newRoot: SHA256Hash
    public let path: [SHA256Hash]

    /// Verifies the proof with the RFC 9162 verifier.
    public func verify() throws(ManifestError) {
        try MerkleProof.verifyConsistency(
            oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: path)
    }
}
