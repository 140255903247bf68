import CustodyCore

/// One fuzz input through the inclusion and consistency proof verifiers of ``MerkleProof``, checking that they
/// accept exactly the proofs the tree produces (issue 9, docs/fuzzing.md).
///
/// Shared by the libFuzzer target `Fuzz/FuzzMerkleProof` and by the regression tests that replay the kept corpus and
/// crashers in every `make test`.
///
/// An input is read as: byte 0, the tree size (1–128); byte 1, the leaf index or the old size; byte 2, bit 0, which
/// verifier; then mutations of four bytes each (kind, target, position, bit) applied to a valid proof and its
/// claims: flip a bit, drop, duplicate, swap or insert a hash, cut the proof, claim another index, leaf or old root.
/// The tree size and the new root are never mutated: a checkpoint signs them together, and the RFC 9162 verifiers
/// do not bind a root to a size by themselves.
public enum MerkleProofFuzzCheck {
    /// The largest tree an input can ask for.
    static let maximumSize = 128

    /// Leaf `i` is SHA-256(0x00 ‖ i ‖ "leaf"); every tree of up to 128 leaves is a prefix of this one.
    static let leaves: [SHA256Hash] = (0..<maximumSize).map { MerkleHash.leaf([UInt8($0)] + Array("leaf".utf8)) }

    static let hashes: InMemorySubtreeHashes = {
        var hashes = InMemorySubtreeHashes()
        for leaf in leaves { hashes.append(leaf: leaf) }
        return hashes
    }()

    static var tree: MerkleTree<InMemorySubtreeHashes> { MerkleTree(source: hashes) }

    /// Runs the input and returns a description of the first invariant that does not hold, or nil when all hold:
    /// the unmutated proof is accepted, and a mutated one is accepted only if it is again exactly what the tree
    /// produces for what it claims.
    public static func check(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 3 else { return nil }
        let size = UInt64(bytes[0]) % UInt64(maximumSize) + 1
        let operations = stride(from: 3, to: bytes.count - 3, by: 4).map { Array(bytes[$0..<$0 + 4]) }
        do {
            if bytes[2] & 1 == 0 {
                return try checkInclusion(size: size, index: UInt64(bytes[1]) % size, operations: operations)
            }
            return try checkConsistency(size: size, oldSize: UInt64(bytes[1]) % size + 1, operations: operations)
        } catch {
            return "the tree could not produce a proof: \(error.message)"
        }
    }

    /// Applies one mutation of `proof`'s hashes, or returns false if `operation` is not one.
    static func mutate(_ proof: inout [SHA256Hash], _ operation: [UInt8]) -> Bool {
        let target = Int(operation[1])
        let position = Int(operation[2])
        switch operation[0] % 8 {
        case 0 where !proof.isEmpty:
            var raw = proof[target % proof.count].bytes
            raw[position % 32] ^= 1 << (operation[3] % 8)
            proof[target % proof.count] = SHA256Hash(bytes: raw)!
        case 1 where !proof.isEmpty:
            proof.remove(at: target % proof.count)
        case 2 where !proof.isEmpty:
            proof.insert(proof[target % proof.count], at: position % (proof.count + 1))
        case 3 where !proof.isEmpty:
            proof.swapAt(target % proof.count, position % proof.count)
        case 4:
            proof.insert(leaves[target % leaves.count], at: position % (proof.count + 1))
        case 5:
            proof.removeLast(proof.count - target % (proof.count + 1))
        default:
            return false
        }
        return true
    }

    static func checkInclusion(size: UInt64, index: UInt64, operations: [[UInt8]]) throws(ManifestError) -> String? {
        let root = try tree.root(size: size)
        var claimedIndex = index
        var leaf = leaves[Int(index)]
        var proof = try tree.inclusionProof(index: index, size: size)
        for operation in operations {
            if mutate(&proof, operation) { continue }
            // Not a change of the proof's hashes: a change of what it claims.
            if operation[0] % 8 == 6 {
                claimedIndex = UInt64(operation[1]) % (size + 1)  // size itself is out of range, and must be refused
            } else {
                leaf = leaves[Int(operation[1]) % leaves.count]
            }
        }
        let accepted =
            (try? MerkleProof.verifyInclusion(
                index: claimedIndex, size: size, leafHash: leaf, proof: proof, root: root)) != nil
        var genuine = false
        if claimedIndex < size, leaf == leaves[Int(claimedIndex)] {
            genuine = proof == (try tree.inclusionProof(index: claimedIndex, size: size))
        }
        if accepted != genuine {
            return "inclusion of leaf \(claimedIndex) in a tree of \(size) with a proof of \(proof.count) hashes: "
                + (genuine ? "a genuine proof was refused" : "a proof the tree does not produce was accepted")
        }
        return nil
    }

    static func checkConsistency(
        size: UInt64, oldSize: UInt64, operations: [[UInt8]]
    ) throws(ManifestError) -> String? {
        let root = try tree.root(size: size)
        var claimedOldSize = oldSize
        var oldRoot = try tree.root(size: oldSize)
        var proof = try tree.consistencyProof(from: oldSize, to: size)
        for operation in operations {
            if mutate(&proof, operation) { continue }
            // Not a change of the proof's hashes: a change of what it claims.
            if operation[0] % 8 == 6 {
                claimedOldSize = UInt64(operation[1]) % (size + 2)  // size + 1 is beyond the tree, and must be refused
            } else {
                oldRoot = try tree.root(size: UInt64(operation[1]) % size + 1)
            }
        }
        let accepted =
            (try? MerkleProof.verifyConsistency(
                oldSize: claimedOldSize, newSize: size, oldRoot: oldRoot, newRoot: root, proof: proof)) != nil
        let genuine: Bool
        if claimedOldSize == 0 {
            genuine = oldRoot == MerkleHash.emptyRoot && proof.isEmpty
        } else if claimedOldSize > size {
            genuine = false
        } else {
            let genuineRoot = try tree.root(size: claimedOldSize)
            let genuineProof = try tree.consistencyProof(from: claimedOldSize, to: size)
            genuine = oldRoot == genuineRoot && proof == genuineProof
        }
        if accepted != genuine {
            return "consistency from \(claimedOldSize) to \(size) with a proof of \(proof.count) hashes: "
                + (genuine ? "a genuine proof was refused" : "a proof the tree does not produce was accepted")
        }
        return nil
    }
}
