public import CustodyCore

/// The right edge of a Merkle tree being built leaf by leaf: one hash per complete subtree, O(log n) memory.
///
/// Used to recompute a log from its entries alone, as `custody verify` does, without trusting stored hashes.
public struct MerkleFrontier: Sendable {
    private var stack: [(level: Int, hash: SHA256Hash)] = []
    /// The number of leaves appended.
    public private(set) var size: UInt64 = 0

    /// An empty tree.
    public init() {}

    /// The frontier of the tree of `size` leaves, rebuilt from its last leaf and that leaf's audit path
    /// (RFC 9162 §2.1.3.1): for the rightmost leaf every sibling is a left subtree, and the siblings above the
    /// lowest perfect subtree are exactly the tree's other perfect subtrees, smallest first.
    ///
    /// This lets a consumer that trusts a checkpoint of `size` append new leaves and recompute later roots. Check the
    /// proof against the checkpoint's root first (``MerkleProof/verifyInclusion(index:size:leafHash:proof:root:)``);
    /// this initializer only checks the path's length.
    public init(size: UInt64, lastLeaf: SHA256Hash, auditPath: [SHA256Hash]) throws(ManifestError) {
        guard size >= 1 else {
            throw ManifestError(.invalidRequest, "a tree of size 0 has no last leaf; start from MerkleFrontier()")
        }
        let lowest = size.trailingZeroBitCount
        let higherLevels = (lowest + 1..<64).filter { size & (1 << UInt64($0)) != 0 }
        guard auditPath.count == lowest + higherLevels.count else {
            throw ManifestError(
                .proofRejected,
                "the last leaf's audit path has \(auditPath.count) hashes; a tree of size \(size) needs "
                    + "\(lowest + higherLevels.count)")
        }
        var hash = lastLeaf
        for sibling in auditPath.prefix(lowest) { hash = MerkleHash.node(sibling, hash) }
        // The larger subtrees, leftmost (largest) first, then the one holding the last leaf.
        let larger = zip(higherLevels, auditPath.dropFirst(lowest)).reversed().map { (level: $0.0, hash: $0.1) }
        stack = larger + [(level: lowest, hash: hash)]
        self.size = size
    }

    /// The frontier of the tree of `size` leaves from its perfect subtrees, largest (leftmost) first: one per set
    /// bit of `size`, at that bit's level. The caller vouches for the hashes (the store reads them back from its
    /// own subtree table, which `custody verify` checks).
    init(size: UInt64, subtrees: [(level: Int, hash: SHA256Hash)]) {
        stack = subtrees
        self.size = size
    }

    /// Appends a leaf hash and returns the complete subtrees (level ≥ 1) it finished, lowest first.
    @discardableResult
    public mutating func append(leaf: SHA256Hash) -> [(level: Int, index: UInt64, hash: SHA256Hash)] {
        var completed = [(level: Int, index: UInt64, hash: SHA256Hash)]()
        stack.append((0, leaf))
        let leafIndex = size
        size += 1
        while stack.count >= 2, stack[stack.count - 1].level == stack[stack.count - 2].level {
            let right = stack.removeLast()
            let left = stack.removeLast()
            let level = right.level + 1
            let hash = MerkleHash.node(left.hash, right.hash)
            stack.append((level, hash))
            completed.append((level, leafIndex >> UInt64(level), hash))
        }
        return completed
    }

    /// The root of the leaves appended so far (RFC 9162 §2.1.1).
    public var root: SHA256Hash {
        guard var accumulator = stack.last?.hash else { return MerkleHash.emptyRoot }
        for entry in stack.dropLast().reversed() {
            accumulator = MerkleHash.node(entry.hash, accumulator)
        }
        return accumulator
    }
}
