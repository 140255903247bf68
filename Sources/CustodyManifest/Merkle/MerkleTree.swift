public import CustodyCore

/// Roots and proofs of RFC 9162 §2.1 computed from stored complete-subtree hashes, in O(log n) reads.
///
/// Each function follows the RFC's recursive definition (MTH, PATH, SUBPROOF); a range of leaves that forms a
/// complete, aligned subtree is read from the source instead of being recomputed.
public struct MerkleTree<Source: SubtreeHashSource> {
    /// The stored hashes.
    public let source: Source

    /// Wraps `source`.
    public init(source: Source) { self.source = source }

    /// The root of the tree of the first `size` leaves (MTH, RFC 9162 §2.1.1).
    public func root(size: UInt64) throws(ManifestError) -> SHA256Hash {
        size == 0 ? MerkleHash.emptyRoot : try rangeHash(0, size)
    }

    /// The inclusion proof for leaf `index` in the tree of `size` leaves (PATH, RFC 9162 §2.1.3.1).
    public func inclusionProof(index: UInt64, size: UInt64) throws(ManifestError) -> [SHA256Hash] {
        guard index < size else {
            throw ManifestError(
                .invalidRequest, "leaf index \(index) is not in a tree of size \(size); the index must be below the size")
        }
        var proof = [SHA256Hash]()
        try path(index, 0, size, into: &proof)
        return proof
    }

    /// The consistency proof from the tree of `from` leaves to the tree of `to` leaves (SUBPROOF, RFC 9162 §2.1.4.1).
    ///
    /// `from` must be at least 1 (every tree extends the empty tree; there is nothing to prove) and at most `to`.
    public func consistencyProof(from: UInt64, to: UInt64) throws(ManifestError) -> [SHA256Hash] {
        guard from >= 1 else {
            throw ManifestError(
                .invalidRequest, "a consistency proof needs an old size of at least 1; every tree extends the empty tree")
        }
        guard from <= to else {
            throw ManifestError(.invalidRequest, "the old size \(from) is larger than the new size \(to)")
        }
        var proof = [SHA256Hash]()
        if from < to { try subproof(from, 0, to, complete: true, into: &proof) }
        return proof
    }

    private func path(_ m: UInt64, _ lo: UInt64, _ hi: UInt64, into proof: inout [SHA256Hash]) throws(ManifestError) {
        let n = hi - lo
        guard n > 1 else { return }
        let k = largestPowerOfTwo(below: n)
        if m < k {
            try path(m, lo, lo + k, into: &proof)
            proof.append(try rangeHash(lo + k, hi))
        } else {
            try path(m - k, lo + k, hi, into: &proof)
            proof.append(try rangeHash(lo, lo + k))
        }
    }

    private func subproof(
        _ m: UInt64, _ lo: UInt64, _ hi: UInt64, complete: Bool, into proof: inout [SHA256Hash]
    ) throws(ManifestError) {
        let n = hi - lo
        if m == n {
            if !complete { proof.append(try rangeHash(lo, hi)) }
            return
        }
        let k = largestPowerOfTwo(below: n)
        if m <= k {
            try subproof(m, lo, lo + k, complete: complete, into: &proof)
            proof.append(try rangeHash(lo + k, hi))
        } else {
            try subproof(m - k, lo + k, hi, complete: false, into: &proof)
            proof.append(try rangeHash(lo, lo + k))
        }
    }

    /// MTH of leaves lo ..< hi, where lo is aligned as every range in the RFC's recursion is.
    func rangeHash(_ lo: UInt64, _ hi: UInt64) throws(ManifestError) -> SHA256Hash {
        let n = hi - lo
        if n & (n - 1) == 0 {
            guard lo % n == 0 else {
                throw ManifestError(.invalidRequest, "leaves \(lo)..<\(hi) do not form a subtree")
            }
            return try source.subtreeHash(level: n.trailingZeroBitCount, index: lo / n)
        }
        let k = largestPowerOfTwo(below: n)
        return MerkleHash.node(try rangeHash(lo, lo + k), try rangeHash(lo + k, hi))
    }
}

/// The largest power of two strictly below `n` (n ≥ 2).
func largestPowerOfTwo(below n: UInt64) -> UInt64 {
    UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
}
