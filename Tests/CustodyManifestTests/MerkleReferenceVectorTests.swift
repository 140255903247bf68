import CustodyCore
import CustodyManifest
import Testing

/// The RFC 6962 reference values published in transparency-dev/merkle `testonly/constants.go` and
/// `proof/verify_test.go` (the certificate-transparency C++ test values).
@Suite("Merkle tree reference vectors (RFC 6962)")
struct MerkleReferenceVectorTests {
    static let leafInputs: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map(hexBytes)

    /// Roots of the trees of the first 0…8 leaves.
    static let roots: [SHA256Hash] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map(hash)

    /// Hashes of every complete subtree of the 8-leaf tree, by level then index.
    static let nodeHashes: [[SHA256Hash]] = [
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        [
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        [
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ].map { $0.map(hash) }

    static var leafHashes: [SHA256Hash] { leafInputs.map { MerkleHash.leaf($0) } }

    static func inMemoryTree() -> InMemorySubtreeHashes {
        var hashes = InMemorySubtreeHashes()
        for leaf in leafHashes { hashes.append(leaf: leaf) }
        return hashes
    }

    @Test func emptyRootIsTheSHA256OfNoBytes() {
        #expect(MerkleHash.emptyRoot == Self.roots[0])
        #expect(MerkleHash.emptyRoot == SHA256Hash.of([UInt8]()))
    }

    @Test func leafAndNodeHashesAreDomainSeparated() {
        // Leaf = SHA-256(0x00 ‖ data); node = SHA-256(0x01 ‖ left ‖ right).
        #expect(MerkleHash.leaf([]) == SHA256Hash.of([0x00]))
        #expect(MerkleHash.leaf([0x10]) == SHA256Hash.of([0x00, 0x10]))
        let a = Self.leafHashes[0]
        let b = Self.leafHashes[1]
        #expect(MerkleHash.node(a, b) == SHA256Hash.of([0x01] + a.bytes + b.bytes))
        #expect(MerkleHash.node(a, b) != MerkleHash.node(b, a))
    }

    @Test func merkleTreeRootsMatchPublishedRootsForSizes0Through8() throws {
        let tree = MerkleTree(source: Self.inMemoryTree())
        for size in 0...8 {
            #expect(try tree.root(size: UInt64(size)) == Self.roots[size], "size \(size)")
        }
    }

    @Test func frontierRootsMatchPublishedRootsForSizes0Through8() {
        var frontier = MerkleFrontier()
        #expect(frontier.root == Self.roots[0])
        for (index, leaf) in Self.leafHashes.enumerated() {
            frontier.append(leaf: leaf)
            #expect(frontier.size == UInt64(index + 1))
            #expect(frontier.root == Self.roots[index + 1], "size \(index + 1)")
        }
    }

    @Test func naiveReferenceMTHMatchesPublishedRoots() {
        // The reference implementation the proof tests rely on is itself checked against the published values.
        for size in 0...8 {
            #expect(ReferenceMerkle.mth(Self.leafHashes[0..<size]) == Self.roots[size], "size \(size)")
        }
    }

    @Test func storedSubtreeHashesMatchPublishedNodeHashes() {
        let hashes = Self.inMemoryTree()
        #expect(hashes.levels == Self.nodeHashes)
        #expect(hashes.size == 8)
    }

    @Test func frontierReportsTheSameCompletedSubtreesAsTheStoredHashes() {
        var frontier = MerkleFrontier()
        var stored = InMemorySubtreeHashes()
        for leaf in Self.leafHashes {
            let fromFrontier = frontier.append(leaf: leaf).map { "\($0.level)/\($0.index)/\($0.hash.hex)" }
            let fromStore = stored.append(leaf: leaf).map { "\($0.level)/\($0.index)/\($0.hash.hex)" }
            #expect(fromFrontier == fromStore)
        }
    }

    /// transparency-dev/merkle `proof/verify_test.go`: (leaf index, tree size, proof).
    static let publishedInclusionProofs: [(UInt64, UInt64, [SHA256Hash])] = [
        (0, 1, []),
        (
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ].map(hash)
        ),
        (
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ].map(hash)
        ),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"].map(hash)),
        (
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ].map(hash)
        ),
    ]

    /// transparency-dev/merkle `proof/verify_test.go`: (old size, new size, proof).
    static let publishedConsistencyProofs: [(UInt64, UInt64, [SHA256Hash])] = [
        (1, 1, []),
        (
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ].map(hash)
        ),
        (
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ].map(hash)
        ),
        (
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ].map(hash)
        ),
        (
            6, 7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ].map(hash)
        ),
    ]

    @Test func inclusionProofsMatchPublishedProofsAndVerify() throws {
        let tree = MerkleTree(source: Self.inMemoryTree())
        for (index, size, expected) in Self.publishedInclusionProofs {
            let proof = try tree.inclusionProof(index: index, size: size)
            #expect(proof == expected, "leaf \(index) of \(size)")
            try MerkleProof.verifyInclusion(
                index: index, size: size, leafHash: Self.leafHashes[Int(index)], proof: expected,
                root: Self.roots[Int(size)])
        }
    }

    @Test func consistencyProofsMatchPublishedProofsAndVerify() throws {
        let tree = MerkleTree(source: Self.inMemoryTree())
        for (from, to, expected) in Self.publishedConsistencyProofs {
            let proof = try tree.consistencyProof(from: from, to: to)
            #expect(proof == expected, "\(from) -> \(to)")
            try MerkleProof.verifyConsistency(
                oldSize: from, newSize: to, oldRoot: Self.roots[Int(from)], newRoot: Self.roots[Int(to)],
                proof: expected)
        }
    }
}
