public import CustodyCore

/// The verifiers of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), as a consumer of the feed runs them.
public enum MerkleProof {
    /// Checks that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`.
    public static func verifyInclusion(
        index: UInt64, size: UInt64, leafHash: SHA256Hash, proof: [SHA256Hash], root: SHA256Hash
    ) throws(ManifestError) {
        guard index < size else {
            throw ManifestError(.proofRejected, "inclusion proof: index \(index) is not below the tree size \(size)")
        }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else {
                throw ManifestError(.proofRejected, "inclusion proof: \(proof.count) hashes is too long for this tree")
            }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = MerkleHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else {
            throw ManifestError(.proofRejected, "inclusion proof: \(proof.count) hashes is too short for this tree")
        }
        guard r == root else {
            throw ManifestError(.proofRejected, "inclusion proof: the computed root does not match")
        }
    }

    /// Checks that the tree of `oldSize` leaves with root `oldRoot` is a prefix of the tree of `newSize` leaves with
    /// root `newRoot`.
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: SHA256Hash, newRoot: SHA256Hash, proof: [SHA256Hash]
    ) throws(ManifestError) {
        guard oldSize <= newSize else {
            throw ManifestError(.proofRejected, "consistency proof: the old size \(oldSize) is above the new size \(newSize)")
        }
        if oldSize == newSize {
            guard proof.isEmpty else {
                throw ManifestError(.proofRejected, "consistency proof: equal sizes need an empty proof")
            }
            guard oldRoot == newRoot else {
                throw ManifestError(.proofRejected, "consistency proof: two trees of the same size have different roots")
            }
            return
        }
        if oldSize == 0 {
            guard proof.isEmpty else {
                throw ManifestError(.proofRejected, "consistency proof: the empty tree needs an empty proof")
            }
            guard oldRoot == MerkleHash.emptyRoot else {
                throw ManifestError(.proofRejected, "consistency proof: the old root is not the empty tree's root")
            }
            return
        }
        guard !proof.isEmpty else {
            throw ManifestError(.proofRejected, "consistency proof: the proof is empty but the sizes differ")
        }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else {
                throw ManifestError(.proofRejected, "consistency proof: \(proof.count) hashes is too long")
            }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else {
            throw ManifestError(.proofRejected, "consistency proof: \(proof.count) hashes is too short")
        }
        guard fr == oldRoot else {
            throw ManifestError(.proofRejected, "consistency proof: it does not lead to the old root")
        }
        guard sr == newRoot else {
            throw ManifestError(.proofRejected, "consistency proof: it does not lead to the new root")
        }
    }
}
