import CustodyCore
import CustodyManifest

/// A deliberately naive transcription of RFC 6962 §2.1 (RFC 9162 §2.1.1–2.1.4) over a plain list of leaf hashes,
/// to check the production code against: MTH, PATH and SUBPROOF by their recursive definitions, and verifiers
/// that undo those recursions. No stored hashes, no bit tricks.
enum ReferenceMerkle {
    /// The largest power of two strictly below `n` (n ≥ 2): the RFC's k.
    static func split(_ n: Int) -> Int {
        Int(split(UInt64(n)))
    }

    /// The RFC's k for any size, without overflow: k < n ≤ 2k.
    static func split(_ n: UInt64) -> UInt64 {
        var k: UInt64 = 1
        while k <= (n - 1) / 2 { k *= 2 }
        return k
    }

    /// MTH(D[n]) where `leaves` holds the leaf hashes.
    static func mth(_ leaves: ArraySlice<SHA256Hash>) -> SHA256Hash {
        switch leaves.count {
        case 0: return SHA256Hash.of([UInt8]())
        case 1: return leaves.first!
        default:
            let k = split(leaves.count)
            let lo = leaves.startIndex
            return MerkleHash.node(mth(leaves[lo..<(lo + k)]), mth(leaves[(lo + k)...]))
        }
    }

    /// PATH(m, D[n]).
    static func path(_ m: Int, _ leaves: ArraySlice<SHA256Hash>) -> [SHA256Hash] {
        let n = leaves.count
        guard n > 1 else { return [] }
        let k = split(n)
        let lo = leaves.startIndex
        if m < k {
            return path(m, leaves[lo..<(lo + k)]) + [mth(leaves[(lo + k)...])]
        } else {
            return path(m - k, leaves[(lo + k)...]) + [mth(leaves[lo..<(lo + k)])]
        }
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true) for 0 < m < n; empty for m = n.
    static func proof(_ m: Int, _ leaves: ArraySlice<SHA256Hash>) -> [SHA256Hash] {
        m == leaves.count ? [] : subproof(m, leaves, true)
    }

    /// SUBPROOF(m, D[n], b).
    static func subproof(_ m: Int, _ leaves: ArraySlice<SHA256Hash>, _ b: Bool) -> [SHA256Hash] {
        let n = leaves.count
        if m == n { return b ? [] : [mth(leaves)] }
        let k = split(n)
        let lo = leaves.startIndex
        if m <= k {
            return subproof(m, leaves[lo..<(lo + k)], b) + [mth(leaves[(lo + k)...])]
        } else {
            return subproof(m - k, leaves[(lo + k)...], false) + [mth(leaves[lo..<(lo + k)])]
        }
    }

    /// The root that an inclusion proof leads to by undoing PATH's recursion, or nil if the proof cannot be a
    /// PATH for leaf `m` of a tree of `n` leaves (wrong length, index not below size).
    static func rootFromInclusion(index m: UInt64, size n: UInt64, leaf: SHA256Hash, proof: [SHA256Hash]) -> SHA256Hash?
    {
        guard m < n else { return nil }
        var remaining = proof[...]
        func walk(_ m: UInt64, _ n: UInt64) -> SHA256Hash? {
            if n == 1 { return leaf }
            guard let sibling = remaining.popLast() else { return nil }
            let k = split(n)
            if m < k {
                guard let left = walk(m, k) else { return nil }
                return MerkleHash.node(left, sibling)
            } else {
                guard let right = walk(m - k, n - k) else { return nil }
                return MerkleHash.node(sibling, right)
            }
        }
        guard let root = walk(m, n), remaining.isEmpty else { return nil }
        return root
    }

    /// Whether a consistency proof is accepted, by undoing SUBPROOF's recursion to recompute both roots.
    ///
    /// Equal sizes need an empty proof and equal roots; the empty tree needs an empty proof and the empty root.
    static func acceptsConsistency(
        old m: UInt64, new n: UInt64, oldRoot: SHA256Hash, newRoot: SHA256Hash, proof: [SHA256Hash]
    ) -> Bool {
        guard m <= n else { return false }
        if m == n { return proof.isEmpty && oldRoot == newRoot }
        if m == 0 { return proof.isEmpty && oldRoot == mth([]) }
        var remaining = proof[...]
        /// Returns (hash of the old tree's part in this subtree, hash of this whole subtree).
        func walk(_ m: UInt64, _ n: UInt64, _ b: Bool) -> (old: SHA256Hash, new: SHA256Hash)? {
            if m == n {
                if b { return (oldRoot, oldRoot) }
                guard let hash = remaining.popLast() else { return nil }
                return (hash, hash)
            }
            guard let sibling = remaining.popLast() else { return nil }
            let k = split(n)
            if m <= k {
                guard let inner = walk(m, k, b) else { return nil }
                return (inner.old, MerkleHash.node(inner.new, sibling))
            } else {
                guard let inner = walk(m - k, n - k, false) else { return nil }
                return (MerkleHash.node(sibling, inner.old), MerkleHash.node(sibling, inner.new))
            }
        }
        guard let roots = walk(m, n, true), remaining.isEmpty else { return false }
        return roots.old == oldRoot && roots.new == newRoot
    }
}

extension SHA256Hash {
    /// This hash with one bit flipped.
    func flippingBit(_ bit: Int) -> SHA256Hash {
        var bytes = self.bytes
        bytes[bit / 8 % bytes.count] ^= UInt8(1) << UInt8(bit % 8)
        return SHA256Hash(bytes: bytes)!
    }
}

/// Decodes hex written in a test (any even length, lowercase).
func hexBytes(_ text: String) -> [UInt8] {
    var bytes = [UInt8]()
    var iterator = text.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        bytes.append(UInt8(String([high, low]), radix: 16)!)
    }
    return bytes
}

/// A 32-byte hash written in a test as 64 lowercase hex digits.
func hash(_ hex: String) -> SHA256Hash {
    SHA256Hash(hex: hex)!
}
