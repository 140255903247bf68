import CustodyCore
import CustodyManifest
import Testing

/// Inclusion and consistency proofs (RFC 9162 §2.1.3–2.1.4) for every pair of sizes up to 64, checked against
/// ReferenceMerkle and against every single corruption a verifier must refuse.
@Suite("Merkle proofs")
struct MerkleProofTests {
    static let maximumSize = 64

    /// 64 leaves: the 8 reference inputs, then distinct bytes.
    static let leafHashes: [SHA256Hash] = (0..<maximumSize).map { index in
        index < 8
            ? MerkleHash.leaf(MerkleReferenceVectorTests.leafInputs[index])
            : MerkleHash.leaf(Array("leaf \(index)".utf8))
    }

    static let stored: InMemorySubtreeHashes = {
        var hashes = InMemorySubtreeHashes()
        for leaf in leafHashes { hashes.append(leaf: leaf) }
        return hashes
    }()

    static let roots: [SHA256Hash] = (0...maximumSize).map { ReferenceMerkle.mth(leafHashes[0..<$0]) }

    static func accepts(_ index: UInt64, _ size: UInt64, _ leaf: SHA256Hash, _ proof: [SHA256Hash], _ root: SHA256Hash)
        -> Bool
    {
        (try? MerkleProof.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof, root: root)) != nil
    }

    static func accepts(
        _ oldSize: UInt64, _ newSize: UInt64, _ oldRoot: SHA256Hash, _ newRoot: SHA256Hash, _ proof: [SHA256Hash]
    ) -> Bool {
        (try? MerkleProof.verifyConsistency(
            oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof)) != nil
    }

    @Test func rootsForEverySizeUpTo64MatchTheReference() throws {
        let tree = MerkleTree(source: Self.stored)
        var frontier = MerkleFrontier()
        #expect(try tree.root(size: 0) == Self.roots[0])
        for size in 1...Self.maximumSize {
            frontier.append(leaf: Self.leafHashes[size - 1])
            #expect(try tree.root(size: UInt64(size)) == Self.roots[size], "size \(size)")
            #expect(frontier.root == Self.roots[size], "size \(size)")
        }
    }

    @Test func inclusionProofsForEveryIndexAndSizeUpTo64MatchTheReferenceAndVerify() throws {
        let tree = MerkleTree(source: Self.stored)
        for size in 1...Self.maximumSize {
            for index in 0..<size {
                let proof = try tree.inclusionProof(index: UInt64(index), size: UInt64(size))
                #expect(proof == ReferenceMerkle.path(index, Self.leafHashes[0..<size]), "leaf \(index) of \(size)")
                try MerkleProof.verifyInclusion(
                    index: UInt64(index), size: UInt64(size), leafHash: Self.leafHashes[index], proof: proof,
                    root: Self.roots[size])
            }
        }
    }

    @Test func everyCorruptedInclusionProofIsRejected() throws {
        let tree = MerkleTree(source: Self.stored)
        var rejectedWrongParameters = 0
        for size in 1...Self.maximumSize {
            for index in 0..<size {
                let m = UInt64(index)
                let n = UInt64(size)
                let leaf = Self.leafHashes[index]
                let root = Self.roots[size]
                let proof = try tree.inclusionProof(index: m, size: n)
                let context = "leaf \(index) of \(size)"
                #expect(Self.accepts(m, n, leaf, proof, root), "\(context)")

                // A flipped bit in any one element, at either end of the hash.
                for position in proof.indices {
                    for bit in [0, 255] {
                        var corrupted = proof
                        corrupted[position] = corrupted[position].flippingBit(bit)
                        #expect(
                            !Self.accepts(m, n, leaf, corrupted, root), "\(context), element \(position) bit \(bit)")
                    }
                }
                // Truncated, extended at either end, or empty where a proof is required.
                if !proof.isEmpty {
                    #expect(!Self.accepts(m, n, leaf, Array(proof.dropLast()), root), "\(context), truncated")
                    #expect(!Self.accepts(m, n, leaf, Array(proof.dropFirst()), root), "\(context), first dropped")
                    #expect(!Self.accepts(m, n, leaf, [], root), "\(context), empty")
                }
                #expect(!Self.accepts(m, n, leaf, proof + [root], root), "\(context), extra element")
                #expect(!Self.accepts(m, n, leaf, proof + [leaf], root), "\(context), extra leaf")
                #expect(!Self.accepts(m, n, leaf, [leaf] + proof, root), "\(context), element prepended")
                // Wrong root or leaf.
                #expect(!Self.accepts(m, n, leaf, proof, root.flippingBit(7)), "\(context), wrong root")
                #expect(!Self.accepts(m, n, leaf, proof, MerkleHash.emptyRoot), "\(context), empty root")
                #expect(!Self.accepts(m, n, leaf.flippingBit(0), proof, root), "\(context), wrong leaf")
                if size > 1 {
                    let other = Self.leafHashes[(index + 1) % size]
                    #expect(!Self.accepts(m, n, other, proof, root), "\(context), another leaf")
                }

                // A wrong size or index: rejected unless the naive verifier, which undoes PATH's recursion,
                // also derives the same root (the proof then has exactly the same shape, e.g. leaf 0 of 3 and of 4).
                let wrong: [(UInt64, UInt64)] = [
                    (m, n + 1), (m, n - 1), (m, n * 2), (m, n / 2), (m + 1, n), (m &- 1, n), (m ^ 2, n), (m, 0),
                    (n, n), (UInt64.max, n), (m, UInt64.max),
                ]
                for (badIndex, badSize) in wrong where (badIndex, badSize) != (m, n) {
                    let expected =
                        ReferenceMerkle.rootFromInclusion(
                            index: badIndex, size: badSize, leaf: leaf, proof: proof) == root
                    let accepted = Self.accepts(badIndex, badSize, leaf, proof, root)
                    #expect(accepted == expected, "\(context) presented as leaf \(badIndex) of \(badSize)")
                    if !accepted { rejectedWrongParameters += 1 }
                    if badIndex != m, badSize == n {
                        // Within one tree, each leaf has its own path shape: a wrong index always fails.
                        #expect(!accepted, "\(context) presented as leaf \(badIndex)")
                    }
                }
            }
        }
        #expect(rejectedWrongParameters > 10_000)
    }

    @Test func consistencyProofsForEveryPairOfSizesUpTo64MatchTheReferenceAndVerify() throws {
        let tree = MerkleTree(source: Self.stored)
        for to in 1...Self.maximumSize {
            for from in 1...to {
                let proof = try tree.consistencyProof(from: UInt64(from), to: UInt64(to))
                #expect(proof == ReferenceMerkle.proof(from, Self.leafHashes[0..<to]), "\(from) -> \(to)")
                try MerkleProof.verifyConsistency(
                    oldSize: UInt64(from), newSize: UInt64(to), oldRoot: Self.roots[from], newRoot: Self.roots[to],
                    proof: proof)
            }
        }
    }

    @Test func everyCorruptedConsistencyProofIsRejected() throws {
        let tree = MerkleTree(source: Self.stored)
        for to in 1...Self.maximumSize {
            for from in 1...to {
                let m = UInt64(from)
                let n = UInt64(to)
                let oldRoot = Self.roots[from]
                let newRoot = Self.roots[to]
                let proof = try tree.consistencyProof(from: m, to: n)
                let context = "\(from) -> \(to)"
                #expect(Self.accepts(m, n, oldRoot, newRoot, proof), "\(context)")

                for position in proof.indices {
                    for bit in [0, 255] {
                        var corrupted = proof
                        corrupted[position] = corrupted[position].flippingBit(bit)
                        #expect(
                            !Self.accepts(m, n, oldRoot, newRoot, corrupted),
                            "\(context), element \(position) bit \(bit)")
                    }
                }
                if !proof.isEmpty {
                    #expect(!Self.accepts(m, n, oldRoot, newRoot, Array(proof.dropLast())), "\(context), truncated")
                    #expect(
                        !Self.accepts(m, n, oldRoot, newRoot, Array(proof.dropFirst())), "\(context), first dropped")
                    #expect(!Self.accepts(m, n, oldRoot, newRoot, []), "\(context), empty")
                    #expect(!Self.accepts(m, n, newRoot, oldRoot, proof), "\(context), roots swapped")
                    #expect(!Self.accepts(m, n, oldRoot, newRoot, [proof[0]] + proof), "\(context), first doubled")
                }
                #expect(!Self.accepts(m, n, oldRoot, newRoot, proof + [newRoot]), "\(context), extra element")
                #expect(!Self.accepts(m, n, oldRoot, newRoot, [oldRoot] + proof), "\(context), old root prepended")
                #expect(!Self.accepts(m, n, oldRoot.flippingBit(3), newRoot, proof), "\(context), wrong old root")
                #expect(!Self.accepts(m, n, oldRoot, newRoot.flippingBit(3), proof), "\(context), wrong new root")

                let wrong: [(UInt64, UInt64)] = [
                    (m + 1, n), (m - 1, n), (m, n + 1), (m, n - 1), (m ^ 2, n), (m, n * 2), (m, n / 2), (n, m),
                    (m, UInt64.max), (UInt64.max, n),
                ]
                for (badOld, badNew) in wrong where (badOld, badNew) != (m, n) {
                    let expected = ReferenceMerkle.acceptsConsistency(
                        old: badOld, new: badNew, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
                    #expect(
                        Self.accepts(badOld, badNew, oldRoot, newRoot, proof) == expected,
                        "\(context) presented as \(badOld) -> \(badNew)")
                }
            }
        }
    }

    @Test func trivialConsistencyProofsFollowTheRFCRules() {
        let root = Self.roots[5]
        // Equal sizes: empty proof and equal roots.
        #expect(Self.accepts(5, 5, root, root, []))
        #expect(!Self.accepts(5, 5, root, Self.roots[4], []))
        #expect(!Self.accepts(5, 5, root, root, [root]))
        // From the empty tree: empty proof, and the old root must be the empty tree's.
        #expect(Self.accepts(0, 5, MerkleHash.emptyRoot, root, []))
        #expect(!Self.accepts(0, 5, MerkleHash.emptyRoot, root, [root]))
        #expect(!Self.accepts(0, 5, root, root, []))
        #expect(Self.accepts(0, 0, MerkleHash.emptyRoot, MerkleHash.emptyRoot, []))
        // Backwards in time.
        #expect(!Self.accepts(5, 4, root, Self.roots[4], []))
        #expect(!Self.accepts(1, 0, Self.roots[1], MerkleHash.emptyRoot, []))
        // Different sizes need a proof.
        #expect(!Self.accepts(4, 5, Self.roots[4], root, []))
    }

    @Test func inclusionInAnEmptyTreeOrAtTheSizeIsRejected() {
        let leaf = Self.leafHashes[0]
        #expect(!Self.accepts(0, 0, leaf, [], MerkleHash.emptyRoot))
        #expect(!Self.accepts(0, 0, leaf, [], leaf))
        #expect(!Self.accepts(1, 1, leaf, [], leaf))
        #expect(Self.accepts(0, 1, leaf, [], leaf))
    }

    @Test func proofRequestsOutsideTheTreeThrowInvalidRequest() {
        let tree = MerkleTree(source: Self.stored)
        let n = UInt64(Self.maximumSize)
        let requests: [(String, () throws(ManifestError) -> Void)] = [
            ("index = size", { () throws(ManifestError) in _ = try tree.inclusionProof(index: 5, size: 5) }),
            ("index > size", { () throws(ManifestError) in _ = try tree.inclusionProof(index: 9, size: 5) }),
            ("empty tree", { () throws(ManifestError) in _ = try tree.inclusionProof(index: 0, size: 0) }),
            (
                "size beyond the leaves",
                { () throws(ManifestError) in _ = try tree.inclusionProof(index: 0, size: n + 1) }
            ),
            ("huge size", { () throws(ManifestError) in _ = try tree.inclusionProof(index: 0, size: .max) }),
            ("huge index", { () throws(ManifestError) in _ = try tree.inclusionProof(index: .max, size: .max) }),
            ("from 0", { () throws(ManifestError) in _ = try tree.consistencyProof(from: 0, to: 5) }),
            ("from > to", { () throws(ManifestError) in _ = try tree.consistencyProof(from: 6, to: 5) }),
            ("to beyond", { () throws(ManifestError) in _ = try tree.consistencyProof(from: 1, to: n + 1) }),
            ("huge to", { () throws(ManifestError) in _ = try tree.consistencyProof(from: 1, to: .max) }),
            ("huge from", { () throws(ManifestError) in _ = try tree.consistencyProof(from: .max, to: 5) }),
            ("root beyond", { () throws(ManifestError) in _ = try tree.root(size: n + 1) }),
            ("huge root", { () throws(ManifestError) in _ = try tree.root(size: .max) }),
        ]
        for (name, request) in requests {
            let error = #expect(throws: ManifestError.self, "\(name)") { try request() }
            #expect(error?.code == .invalidRequest, "\(name)")
        }
    }

    @Test func hashesOfOtherLengthsCannotBeConstructed() {
        #expect(SHA256Hash(bytes: [UInt8](repeating: 7, count: 31)) == nil)
        #expect(SHA256Hash(bytes: [UInt8](repeating: 7, count: 33)) == nil)
        #expect(SHA256Hash(bytes: [UInt8]()) == nil)
        #expect(SHA256Hash(bytes: [UInt8](repeating: 7, count: 32)) != nil)
        let valid = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
        #expect(SHA256Hash(hex: valid) != nil)
        #expect(SHA256Hash(hex: valid.uppercased()) == nil)
        #expect(SHA256Hash(hex: "5D" + valid.dropFirst(2)) == nil)
        #expect(SHA256Hash(hex: valid.dropLast()) == nil)
        #expect(SHA256Hash(hex: valid + "0") == nil)
        #expect(SHA256Hash(hex: valid + "00") == nil)
        #expect(SHA256Hash(hex: "g" + valid.dropFirst()) == nil)
        #expect(SHA256Hash(hex: " " + valid.dropFirst()) == nil)
        #expect(SHA256Hash(hex: "") == nil)
    }
}
