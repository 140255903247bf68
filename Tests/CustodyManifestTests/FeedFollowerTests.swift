import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// `custody follow`'s state machine, fed from real `ManifestStore`s: it releases each entry once, verified, and stops
/// on a fork (a smaller checkpoint, a same-size one with another root, a longer one that does not extend the stored
/// one) whatever the signature says.
@Suite("FeedFollower")
struct FeedFollowerTests {
    /// A station's log: a store and the checkpoints it signed, answering the follower's requests as the feed would.
    final class History {
        let store: ManifestStore
        let signer: NoteSigner
        private(set) var notes: [UInt64: String] = [:]
        var served: UInt64 = 0

        init(_ directory: TemporaryDirectory, _ name: String, signer: NoteSigner) throws {
            store = try ManifestStore.open(at: directory.file("\(name).sqlite"))
            self.signer = signer
        }

        /// Appends `entries` and signs a checkpoint of the new size, which the feed then serves.
        func grow(_ entries: [ManifestEntry]) throws {
            _ = try store.append(contentsOf: entries)
            let checkpoint = try store.signCheckpoint(with: signer)
            notes[checkpoint.size] = checkpoint.note
            served = checkpoint.size
        }

        func answer(_ request: FeedFollower.Request) throws -> FeedFollower.Response {
            switch request {
            case .checkpoint:
                return .checkpoint(notes[served]!)
            case .consistency(let from, let to):
                return .consistency(try store.consistencyProof(from: from, to: to).path)
            case .inclusion(let index, let size):
                let proof = try store.inclusionProof(index: index, size: size)
                return .inclusion(leaf: proof.leafHash, proof: proof.path)
            case .entries(let start, let limit):
                let page = try store.entries(start: start, limit: min(limit, Int(served - start)))
                return .entries(page.map { FeedEntry(index: $0.index, leaf: $0.leafHash, body: $0.text) })
            }
        }
    }

    /// Runs one poll to its end and returns the entries released, in order.
    static func poll(
        _ follower: inout FeedFollower, _ answer: (FeedFollower.Request) throws -> FeedFollower.Response
    ) throws -> [FollowedEntry] {
        var released = [FollowedEntry]()
        while let request = follower.next {
            released += try follower.receive(answer(request))
        }
        return released
    }

    static let signer = try! NoteSigner.generate(name: "test.example/station-1")

    @Test func aFirstPollReleasesEveryEntryOnceInOrderAndKeepsTheCheckpoint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let history = try History(directory, "a", signer: Self.signer)
        let entries = try SampleEntries.notes(37)
        try history.grow(entries)
        var follower = try FeedFollower(verifier: Self.signer.verifier, storedNote: nil, pageSize: 10)
        let released = try Self.poll(&follower, history.answer)
        #expect(released.map(\.index) == Array(0..<37))
        #expect(released.map(\.leaf) == entries.map(\.leafHash))
        #expect(released.map { CanonicalJSON.encode($0.entry) } == entries.map(\.body))
        #expect(follower.checkpointToStore?.note == history.notes[37])
    }

    @Test func aLaterPollReleasesOnlyTheNewEntriesForEveryPairOfSizes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let history = try History(directory, "a", signer: Self.signer)
        var sizes = [UInt64]()
        for count in [1, 1, 1, 2, 3, 1, 7, 16, 1, 5] {
            try history.grow(try SampleEntries.notes(count, prefix: "grow \(history.served)"))
            sizes.append(history.served)
        }
        let all = try history.store.entries(start: 0, limit: 1000)
        for (position, old) in sizes.enumerated() {
            for new in sizes[(position + 1)...] {
                history.served = new
                var follower = try FeedFollower(
                    verifier: Self.signer.verifier, storedNote: history.notes[old], pageSize: 3)
                let released = try Self.poll(&follower, history.answer)
                #expect(released.map(\.index) == Array(old..<new), "\(old) → \(new)")
                #expect(released.map(\.leaf) == all[Int(old)..<Int(new)].map(\.leafHash), "\(old) → \(new)")
                #expect(follower.checkpointToStore?.checkpoint.size == new)
            }
        }
    }

    @Test func aPollWithNothingNewReleasesNothingAndStoresNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let history = try History(directory, "a", signer: Self.signer)
        try history.grow(try SampleEntries.notes(5))
        var follower = try FeedFollower(verifier: Self.signer.verifier, storedNote: history.notes[5])
        #expect(try Self.poll(&follower, history.answer).isEmpty)
        #expect(follower.checkpointToStore == nil)
    }

    /// Two histories signed by the same key with a common prefix of 10 entries: what a compromised station serves.
    static func forkedHistories(_ directory: TemporaryDirectory) throws -> (History, History) {
        let original = try History(directory, "original", signer: Self.signer)
        let rewritten = try History(directory, "rewritten", signer: Self.signer)
        let prefix = try SampleEntries.notes(10)
        try original.grow(prefix)
        try rewritten.grow(prefix)
        try original.grow(try SampleEntries.notes(5, prefix: "original"))
        try rewritten.grow(try SampleEntries.notes(5, prefix: "rewritten"))
        try rewritten.grow(try SampleEntries.notes(4, prefix: "later"))
        return (original, rewritten)
    }

    @Test func aSameSizeCheckpointWithAnotherRootIsAForkAndCarriesTheConflictingNote() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (original, rewritten) = try Self.forkedHistories(directory)
        rewritten.served = 15
        var follower = try FeedFollower(verifier: Self.signer.verifier, storedNote: original.notes[15])
        let error = try #require(throws: FeedFollowError.self) { try Self.poll(&follower, rewritten.answer) }
        #expect(error.kind == .fork)
        #expect(error.conflictingNote == rewritten.notes[15])
        #expect(error.message.contains("FORK"))
    }

    @Test func aLongerRewrittenHistoryFailsItsConsistencyProofAndIsAFork() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (original, rewritten) = try Self.forkedHistories(directory)
        var follower = try FeedFollower(verifier: Self.signer.verifier, storedNote: original.notes[15])
        var released = [FollowedEntry]()
        let error = try #require(throws: FeedFollowError.self) {
            while let request = follower.next { released += try follower.receive(rewritten.answer(request)) }
        }
        #expect(error.kind == .fork)
        #expect(error.conflictingNote == rewritten.notes[19])
        #expect(released.isEmpty)
        #expect(follower.checkpointToStore == nil)
    }

    @Test func aSmallerCheckpointIsAFork() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (_, rewritten) = try Self.forkedHistories(directory)
        rewritten.served = 15
        var follower = try FeedFollower(verifier: Self.signer.verifier, storedNote: rewritten.notes[19])
        let error = try #require(throws: FeedFollowError.self) { try Self.poll(&follower, rewritten.answer) }
        #expect(error.kind == .fork)
        #expect(error.conflictingNote == rewritten.notes[15])
    }

    @Test func entriesFromAnotherHistoryWithTheirOwnLeafHashesAreRejectedBeforeAnyIsReleased() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (original, rewritten) = try Self.forkedHistories(directory)
        rewritten.served = 15
        var follower = try FeedFollower(verifier: Self.signer.verifier, storedNote: nil, pageSize: 4)
        var released = [FollowedEntry]()
        // The checkpoint and proofs are the original's; the entries are the rewritten history's.
        let error = try #require(throws: FeedFollowError.self) {
            while let request = follower.next {
                let answer: FeedFollower.Response
                if case .entries = request { answer = try rewritten.answer(request) } else { answer = try original.answer(request) }
                released += try follower.receive(answer)
            }
        }
        #expect(error.kind == .rejected)
        #expect(released.map(\.index) == Array(0..<8))  // the pages wholly within the common prefix
        #expect(follower.checkpointToStore == nil)
    }

    @Test func anEntryWhoseBodyDoesNotHashToItsLeafIsRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let history = try History(directory, "a", signer: Self.signer)
        try history.grow(try SampleEntries.notes(3))
        var follower = try FeedFollower(verifier: Self.signer.verifier, storedNote: nil)
        let error = try #require(throws: FeedFollowError.self) {
            try Self.poll(&follower) { request in
                guard case .entries(let entries) = try history.answer(request) else { return try history.answer(request) }
                let altered = FeedEntry(index: 1, leaf: entries[1].leaf, body: entries[2].body)
                return .entries([entries[0], altered, entries[2]])
            }
        }
        #expect(error.kind == .rejected)
        #expect(error.message.contains("entry 1"))
    }

    @Test func aCheckpointSignedByAnotherKeyIsRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let impostor = try NoteSigner.generate(name: "test.example/station-1")
        let history = try History(directory, "a", signer: impostor)
        try history.grow(try SampleEntries.notes(3))
        var follower = try FeedFollower(verifier: Self.signer.verifier, storedNote: nil)
        let error = try #require(throws: FeedFollowError.self) { try Self.poll(&follower, history.answer) }
        #expect(error.kind == .rejected)
        #expect(throws: FeedFollowError.self) {
            try FeedFollower(verifier: Self.signer.verifier, storedNote: history.notes[3])
        }
    }

    @Test func theRightEdgeRebuiltFromTheLastLeafsAuditPathGivesTheRootForEverySizeUpTo64() throws {
        var frontier = MerkleFrontier()
        var hashes = InMemorySubtreeHashes()
        let leaves = (0..<64).map { MerkleHash.leaf(Array("leaf \($0)".utf8)) }
        for size in UInt64(1)...64 {
            frontier.append(leaf: leaves[Int(size) - 1])
            hashes.append(leaf: leaves[Int(size) - 1])
            let path = try MerkleTree(source: hashes).inclusionProof(index: size - 1, size: size)
            var rebuilt = try MerkleFrontier(size: size, lastLeaf: leaves[Int(size) - 1], auditPath: path)
            #expect(rebuilt.root == frontier.root, "size \(size)")
            rebuilt.append(leaf: MerkleHash.leaf(Array("next".utf8)))
            var grown = frontier
            grown.append(leaf: MerkleHash.leaf(Array("next".utf8)))
            #expect(rebuilt.root == grown.root, "size \(size) + 1")
            #expect(throws: ManifestError.self) {
                try MerkleFrontier(size: size, lastLeaf: leaves[Int(size) - 1], auditPath: path + [leaves[0]])
            }
        }
    }

    @Test func theFeedsJSONParsesIntoResponsesAndAProofForOtherSizesIsRefused() throws {
        let leaf = MerkleHash.leaf(Array("{}".utf8))
        let entries = "{\"entries\":[{\"body\":\"{}\",\"index\":0,\"leaf\":\"\(leaf.hex)\"}],\"size\":1}"
        #expect(
            try FeedFollower.Response(parsing: Array(entries.utf8), answering: .entries(start: 0, limit: 10))
                == .entries([FeedEntry(index: 0, leaf: leaf, body: "{}")]))
        let proof = "{\"from\":1,\"new_root\":\"\(leaf.hex)\",\"old_root\":\"\(leaf.hex)\",\"proof\":[\"\(leaf.hex)\"],\"to\":2}"
        #expect(
            try FeedFollower.Response(parsing: Array(proof.utf8), answering: .consistency(from: 1, to: 2))
                == .consistency([leaf]))
        #expect(throws: FeedFollowError.self) {
            try FeedFollower.Response(parsing: Array(proof.utf8), answering: .consistency(from: 1, to: 3))
        }
        #expect(throws: FeedFollowError.self) {
            try FeedFollower.Response(parsing: Array("{\"entries\": []}".utf8), answering: .entries(start: 0, limit: 1))
        }
    }
}
