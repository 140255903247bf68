import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// The SQLite-backed store: stored subtree hashes give the same roots and proofs as the in-memory tree.
@Suite("ManifestStore")
struct ManifestStoreTests {
    static let entryCount = 37

    /// A store holding `entryCount` notes, appended one by one and in batches (so subtree hashes span commits).
    static func filledStore(in directory: TemporaryDirectory) throws -> (ManifestStore, [ManifestEntry]) {
        let store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        let entries = try SampleEntries.notes(entryCount)
        for entry in entries[0..<9] { try store.append(entry) }
        _ = try store.append(contentsOf: Array(entries[9..<20]))
        for entry in entries[20..<23] { try store.append(entry) }
        _ = try store.append(contentsOf: Array(entries[23...]))
        return (store, entries)
    }

    static func inMemory(_ entries: [ManifestEntry]) -> InMemorySubtreeHashes {
        var hashes = InMemorySubtreeHashes()
        for entry in entries { hashes.append(leaf: entry.leafHash) }
        return hashes
    }

    @Test func anEmptyStoreHasSizeZeroAndTheEmptyRoot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        #expect(try store.size() == 0)
        #expect(try store.root() == MerkleHash.emptyRoot)
        #expect(try store.latestCheckpoint() == nil)
        #expect(try store.entries(start: 0, limit: 10).isEmpty)
    }

    @Test func anAppendConditionedOnTheSizeIsMadeOnlyWhenNothingWasAppendedSince() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        let entries = try SampleEntries.notes(4)
        try store.append(entries[0])
        let planned = try store.size()
        try store.append(entries[1])  // another writer, between the caller's read and its append
        let root = try store.root()
        #expect {
            _ = try store.append(contentsOf: [entries[2], entries[3]], ifSizeIs: planned)
        } throws: { ($0 as? ManifestError)?.code == .conflict }
        #expect(try store.size() == 2, "nothing of the refused batch was appended")
        #expect(try store.root() == root)
        let stored = try store.append(contentsOf: [entries[2], entries[3]], ifSizeIs: 2)
        #expect(stored.map(\.index) == [2, 3])
        #expect(try store.root() == ReferenceMerkle.mth(entries.map(\.leafHash)[...]))
    }

    @Test func appendReturnsTheIndexBodyAndLeafHashAndEntriesReadBackTheSameBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, entries) = try Self.filledStore(in: directory)
        #expect(try store.size() == UInt64(Self.entryCount))
        let next = try SampleEntries.note("one more")
        let stored = try store.append(next)
        #expect(stored == StoredEntry(index: UInt64(Self.entryCount), body: next.body, leafHash: next.leafHash))
        #expect(stored.leafHash == MerkleHash.leaf(next.body))
        let readBack = try store.entries(start: 0, limit: 1000)
        #expect(readBack.map(\.body) == (entries + [next]).map(\.body))
        #expect(readBack.map(\.index) == Array(0...UInt64(Self.entryCount)))
        #expect(try store.entries(start: 30, limit: 3).map(\.index) == [30, 31, 32])
        #expect(try store.entry(at: 5).body == entries[5].body)
        #expect(try store.entry(at: 5).text == entries[5].text)
    }

    @Test func storeRootsForEverySizeEqualTheInMemoryReference() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, entries) = try Self.filledStore(in: directory)
        let leaves = entries.map(\.leafHash)
        let reference = MerkleTree(source: Self.inMemory(entries))
        for size in 0...Self.entryCount {
            let root = try store.root(size: UInt64(size))
            #expect(root == ReferenceMerkle.mth(leaves[0..<size]), "size \(size)")
            #expect(root == (try reference.root(size: UInt64(size))), "size \(size)")
        }
        #expect(try store.root() == ReferenceMerkle.mth(leaves[...]))
    }

    @Test func storeProofsEqualTheInMemoryProofsAndVerify() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, entries) = try Self.filledStore(in: directory)
        let reference = MerkleTree(source: Self.inMemory(entries))
        for size in 1...UInt64(Self.entryCount) {
            let root = try reference.root(size: size)
            for index in 0..<size {
                let proof = try store.inclusionProof(index: index, size: size)
                #expect(
                    proof.path == (try reference.inclusionProof(index: index, size: size)), "leaf \(index) of \(size)")
                #expect(proof.leafHash == entries[Int(index)].leafHash)
                #expect(proof.root == root)
                #expect(proof.index == index && proof.size == size)
                try proof.verify()
            }
            for from in 1...size {
                let proof = try store.consistencyProof(from: from, to: size)
                #expect(proof.path == (try reference.consistencyProof(from: from, to: size)), "\(from) -> \(size)")
                #expect(proof.oldRoot == (try reference.root(size: from)))
                #expect(proof.newRoot == root)
                try proof.verify()
            }
        }
        // Without a size, proofs are against the current tree.
        let current = try store.inclusionProof(index: 3)
        #expect(current.size == UInt64(Self.entryCount))
        try current.verify()
        let consistency = try store.consistencyProof(from: 10)
        #expect(consistency.newSize == UInt64(Self.entryCount))
        try consistency.verify()
    }

    @Test func requestsBeyondTheTreeThrowInvalidRequest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, _) = try Self.filledStore(in: directory)
        let n = UInt64(Self.entryCount)
        let requests: [(String, () throws(ManifestError) -> Void)] = [
            ("root beyond the log", { () throws(ManifestError) in _ = try store.root(size: n + 1) }),
            ("root of a huge size", { () throws(ManifestError) in _ = try store.root(size: .max) }),
            ("index = size", { () throws(ManifestError) in _ = try store.inclusionProof(index: 5, size: 5) }),
            ("index beyond the log", { () throws(ManifestError) in _ = try store.inclusionProof(index: n) }),
            ("index > size", { () throws(ManifestError) in _ = try store.inclusionProof(index: 9, size: 4) }),
            (
                "size beyond the log",
                { () throws(ManifestError) in _ = try store.inclusionProof(index: 0, size: n + 1) }
            ),
            ("size 0", { () throws(ManifestError) in _ = try store.inclusionProof(index: 0, size: 0) }),
            ("huge index", { () throws(ManifestError) in _ = try store.inclusionProof(index: .max) }),
            (
                "huge index and size",
                { () throws(ManifestError) in _ = try store.inclusionProof(index: .max, size: .max) }
            ),
            ("index Int64.max", { () throws(ManifestError) in _ = try store.inclusionProof(index: UInt64(Int64.max)) }),
            ("from 0", { () throws(ManifestError) in _ = try store.consistencyProof(from: 0, to: 5) }),
            ("from 0 to current", { () throws(ManifestError) in _ = try store.consistencyProof(from: 0) }),
            ("from > to", { () throws(ManifestError) in _ = try store.consistencyProof(from: 6, to: 5) }),
            ("from beyond the log", { () throws(ManifestError) in _ = try store.consistencyProof(from: n + 1) }),
            ("to beyond the log", { () throws(ManifestError) in _ = try store.consistencyProof(from: 1, to: n + 1) }),
            ("huge from", { () throws(ManifestError) in _ = try store.consistencyProof(from: .max) }),
            ("huge from and to", { () throws(ManifestError) in _ = try store.consistencyProof(from: .max, to: .max) }),
            ("huge to", { () throws(ManifestError) in _ = try store.consistencyProof(from: 1, to: .max) }),
            ("entry at the size", { () throws(ManifestError) in _ = try store.entry(at: n) }),
            ("entry Int64.max", { () throws(ManifestError) in _ = try store.entry(at: UInt64(Int64.max)) }),
            ("entry UInt64.max", { () throws(ManifestError) in _ = try store.entry(at: .max) }),
            ("negative limit", { () throws(ManifestError) in _ = try store.entries(start: 0, limit: -1) }),
            ("huge start", { () throws(ManifestError) in _ = try store.entries(start: .max, limit: 1) }),
        ]
        for (name, request) in requests {
            let error = #expect(throws: ManifestError.self, "\(name)") { try request() }
            #expect(error?.code == .invalidRequest, "\(name): \(String(describing: error))")
        }
    }

    @Test func requestsOnAnEmptyStoreThrowInvalidRequest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        let requests: [(String, () throws(ManifestError) -> Void)] = [
            ("inclusion", { () throws(ManifestError) in _ = try store.inclusionProof(index: 0) }),
            ("consistency", { () throws(ManifestError) in _ = try store.consistencyProof(from: 1) }),
            ("root", { () throws(ManifestError) in _ = try store.root(size: 1) }),
            ("entry", { () throws(ManifestError) in _ = try store.entry(at: 0) }),
        ]
        for (name, request) in requests {
            let error = #expect(throws: ManifestError.self, "\(name)") { try request() }
            #expect(error?.code == .invalidRequest, "\(name)")
        }
    }

    @Test func aBatchIsCommittedWhollyOrNotAtAll() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.file("custody.sqlite")
        let rootBefore: SHA256Hash = try {
            let store = try ManifestStore.open(at: url)
            try store.append(try SampleEntries.note("first"))
            return try store.root()
        }()
        // A test-only trigger makes the third entry of the next batch fail inside the transaction.
        let added = try SQLiteShell.run(
            "CREATE TRIGGER test_refuse_seq_3 BEFORE INSERT ON entry WHEN NEW.seq = 3 "
                + "BEGIN SELECT RAISE(ABORT, 'test: seq 3 refused'); END;", on: url)
        #expect(added.succeeded, "\(added)")
        let store = try ManifestStore.open(at: url)
        let error = #expect(throws: ManifestError.self) {
            _ = try store.append(contentsOf: try SampleEntries.notes(4))
        }
        #expect(error?.code == .database)
        #expect(try store.size() == 1)
        #expect(try store.root() == rootBefore)
        #expect(try store.root(size: 1) == rootBefore)
        // Entries 1 and 2 and their subtree hashes were rolled back with it: the next append still fits.
        let stored = try store.append(contentsOf: try SampleEntries.notes(2))
        #expect(stored.map(\.index) == [1, 2])
        try store.inclusionProof(index: 1).verify()
    }

    @Test func aReadOnlyStoreRefusesEveryWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.file("custody.sqlite")
        let writer = try ManifestStore.open(at: url)
        try writer.append(try SampleEntries.note("first"))
        let reader = try ManifestStore.open(at: url, readOnly: true)
        let appendError = #expect(throws: ManifestError.self) {
            _ = try reader.append(contentsOf: try SampleEntries.notes(3))
        }
        #expect(appendError?.code == .database)
        let signer = try NoteSigner.generate(name: "custody.test/reader")
        let signError = #expect(throws: ManifestError.self) { try reader.signCheckpoint(with: signer) }
        #expect(signError?.code == .database)
        #expect(try reader.size() == 1)
        #expect(try writer.size() == 1)
        #expect(try writer.checkpoints().isEmpty)
    }

    @Test func aReopenedStoreKeepsItsEntriesRootAndCheckpoints() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let signer = try NoteSigner.generate(name: "custody.test/reopen")
        let url = directory.file("custody.sqlite")
        let (root, checkpoint): (SHA256Hash, StoredCheckpoint) = try {
            let (store, _) = try Self.filledStore(in: directory)
            return (try store.root(), try store.signCheckpoint(with: signer))
        }()
        let reopened = try ManifestStore.open(at: url, readOnly: true)
        #expect(reopened.isReadOnly)
        #expect(try reopened.size() == UInt64(Self.entryCount))
        #expect(try reopened.root() == root)
        #expect(try reopened.latestCheckpoint() == checkpoint)
        let error = #expect(throws: ManifestError.self) { try reopened.signCheckpoint(with: signer) }
        #expect(error?.code == .database)
    }

    @Test func openingAMissingManifestReadOnlyFails() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: ManifestError.self) {
            _ = try ManifestStore.open(at: directory.file("absent.sqlite"), readOnly: true)
        }
        #expect(error?.code == .io)
        #expect(!FileManager.default.fileExists(atPath: directory.file("absent.sqlite").path))
    }

    @Test func signCheckpointSignsTheCurrentTreeOnceAndNeverTwiceForOneSize() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let signer = try NoteSigner.generate(name: "custody.test/station-01")
        let (store, _) = try Self.filledStore(in: directory)
        let first = try store.signCheckpoint(with: signer)
        #expect(first.size == UInt64(Self.entryCount))
        #expect(first.root == (try store.root()))
        let text = try signer.verifier.open(try SignedNote(serialized: first.note))
        #expect(try Checkpoint(text: text) == Checkpoint(origin: signer.name, size: first.size, root: first.root))
        // Nothing new: the same checkpoint comes back and no row is added.
        #expect(try store.signCheckpoint(with: signer) == first)
        #expect(try store.checkpoints().count == 1)
        try store.append(try SampleEntries.note("later"))
        let second = try store.signCheckpoint(with: signer)
        #expect(second.size == first.size + 1)
        #expect(try store.checkpoints() == [first, second])
        #expect(try store.latestCheckpoint() == second)
    }
}
