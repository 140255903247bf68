public import CustodyCore

/// Where the hashes of complete subtrees are kept: level 0 holds leaf hashes, level L index K the hash of leaves
/// K·2^L ..< (K+1)·2^L.
///
/// Storing these lets roots and proofs be computed in O(log n) reads, with no rebuild (RFC 9162 §2.1).
public protocol SubtreeHashSource {
    /// The hash of the complete subtree at `level` and `index`; throws if it is not stored.
    func subtreeHash(level: Int, index: UInt64) throws(ManifestError) -> SHA256Hash
}

/// Complete-subtree hashes held in memory: for tests and for verifying a log from its entries alone.
public struct InMemorySubtreeHashes: SubtreeHashSource, Sendable {
    /// `levels[L][K]` is the hash of the complete subtree at level L, index K.
    public private(set) var levels: [[SHA256Hash]] = []

    /// An empty tree.
    public init() {}

    /// The number of leaves.
    public var size: UInt64 { UInt64(levels.first?.count ?? 0) }

    /// Appends a leaf hash and records every subtree it completes; returns the new nodes as (level, index, hash).
    @discardableResult
    public mutating func append(leaf: SHA256Hash) -> [(level: Int, index: UInt64, hash: SHA256Hash)] {
        var completed = [(level: Int, index: UInt64, hash: SHA256Hash)]()
        var hash = leaf
        var level = 0
        while true {
            if levels.count == level { levels.append([]) }
            levels[level].append(hash)
            let index = UInt64(levels[level].count - 1)
            if level > 0 { completed.append((level, index, hash)) }
            guard index & 1 == 1 else { break }
            hash = MerkleHash.node(levels[level][Int(index - 1)], hash)
            level += 1
        }
        return completed
    }

    public func subtreeHash(level: Int, index: UInt64) throws(ManifestError) -> SHA256Hash {
        guard level < levels.count, index < UInt64(levels[level].count) else {
            throw ManifestError(.invalidRequest, "no subtree at level \(level) index \(index)")
        }
        return levels[level][Int(index)]
    }
}
