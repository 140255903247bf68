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
