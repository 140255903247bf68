import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// The start-up tail check, the full audit and the check against a saved checkpoint, on manifests tampered with
/// by hand: triggers dropped with the `sqlite3` tool, then rows changed as an attacker with file access could.
@Suite("Manifest verification")
struct ManifestVerificationTests {
    static let origin = "custody.test/station-01"

    /// A manifest of 10 entries with checkpoints at sizes 6 and 8, made and closed by ManifestStore.
    struct Fixture {
        let directory: TemporaryDirectory
        let url: URL
        let signer: NoteSigner
        var verifier: NoteVerifier { signer.verifier }

        init(entries: Int = 10, checkpoints: [Int] = [6, 8], prefix: String = "note") throws {
            directory = try TemporaryDirectory()
            url = directory.file("custody.sqlite")
            signer = try NoteSigner.generate(name: ManifestVerificationTests.origin)
            let store = try ManifestStore.open(at: url)
            let all = try SampleEntries.notes(entries, prefix: prefix)
            var appended = 0
            for size in checkpoints + [entries] {
                _ = try store.append(contentsOf: Array(all[appended..<size]))
                appended = size
                if size != entries || checkpoints.contains(entries) { try store.signCheckpoint(with: signer) }
            }
        }

        func open() throws -> ManifestStore { try ManifestStore.open(at: url) }

        /// Runs SQL on the closed manifest with every trigger dropped first.
        func tamper(_ sql: String) throws {
            let output = try SQLiteShell.run(
                """
                DROP TRIGGER entry_append_only_update; DROP TRIGGER entry_append_only_delete;
                DROP TRIGGER entry_dense_seq; DROP TRIGGER subtree_append_only_update;
                DROP TRIGGER subtree_append_only_delete; DROP TRIGGER subtree_insert_once;
                DROP TRIGGER subtree_within_tree; DROP TRIGGER checkpoint_append_only_update;
                DROP TRIGGER checkpoint_append_only_delete; DROP TRIGGER checkpoint_insert_once;
                DROP TRIGGER checkpoint_within_tree;
                \(sql)
                """, on: url)
            guard output.succeeded else { throw SQLiteShellError(output: output) }
        }

        /// Replaces entry `seq`'s body (and, if asked, its leaf so that the two agree).
        func replaceBody(of seq: Int, with text: String, recomputeLeaf: Bool) throws {
            let forged = try SampleEntries.note(text)
            let leaf = recomputeLeaf ? ", leaf = \(SQLiteShell.blobLiteral(forged.leafHash.bytes))" : ""
            try tamper("UPDATE entry SET body = \(SQLiteShell.blobLiteral(forged.body))\(leaf) WHERE seq = \(seq);")
        }

        func remove() { directory.remove() }
    }

    /// What a TailReport says, comparable (TailReport has no public initializer).
    struct Tail: Equatable {
        let size: UInt64
        let checkpointSize: UInt64?
        let entriesChecked: UInt64

        init(_ size: UInt64, _ checkpointSize: UInt64?, _ entriesChecked: UInt64) {
            self.size = size
            self.checkpointSize = checkpointSize
            self.entriesChecked = entriesChecked
        }

        init(_ report: TailReport) {
            self.init(report.size, report.checkpointSize, report.entriesChecked)
        }
    }

    static func kinds(_ report: AuditReport) -> Set<AuditFinding.Kind> { Set(report.findings.map(\.kind)) }

    // MARK: - Clean logs

    @Test func aCleanManifestPassesTheTailCheckAndTheAudit() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let tail = Tail(try store.checkTail(verifier: fixture.verifier))
        #expect(tail == Tail(10, 8, 2))
        var progress = [(UInt64, UInt64)]()
        let report = try store.audit(verifier: fixture.verifier) { progress.append(($0, $1)) }
        #expect(report.isClean, "\(report.findings)")
        #expect(report.size == 10)
        #expect(report.checkpointsChecked == 2)
        #expect(progress.last.map { $0 == (10, 10) } == true)
    }

    @Test func theTailCheckRehashesEverythingWithoutACheckpointAndTheLastEntryWhenAllAreSigned() throws {
        let unsigned = try Fixture(checkpoints: [])
        defer { unsigned.remove() }
        #expect(Tail(try unsigned.open().checkTail(verifier: unsigned.verifier)) == Tail(10, nil, 10))
        let signed = try Fixture(checkpoints: [6, 10])
        defer { signed.remove() }
        #expect(Tail(try signed.open().checkTail(verifier: signed.verifier)) == Tail(10, 10, 1))
        let empty = try Fixture(entries: 0, checkpoints: [])
        defer { empty.remove() }
        #expect(Tail(try empty.open().checkTail(verifier: empty.verifier)) == Tail(0, nil, 0))
        #expect(try empty.open().audit(verifier: empty.verifier).isClean)
    }

    @Test func theTailCheckAndAuditRefuseAnotherStationsVerifier() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let stranger = try NoteSigner.generate(name: Self.origin).verifier
        let store = try fixture.open()
        let error = #expect(throws: ManifestError.self) { try store.checkTail(verifier: stranger) }
        #expect(error?.code == .badSignature)
        let report = try store.audit(verifier: stranger)
        #expect(report.findings.filter { $0.kind == .checkpointSignature }.compactMap(\.index) == [6, 8])
    }

    // MARK: - (a) a changed entry body

    @Test func aChangedBodyAfterTheLatestCheckpointFailsTheTailCheckAndTheAudit() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.replaceBody(of: 9, with: "rewritten", recomputeLeaf: false)
        let store = try fixture.open()
        let error = #expect(throws: ManifestError.self) { try store.checkTail(verifier: fixture.verifier) }
        #expect(error?.code == .inconsistent)
        #expect(error?.message.contains("entry 9") == true)
        let report = try store.audit(verifier: fixture.verifier)
        #expect(report.findings.contains { $0.kind == .leafMismatch && $0.index == 9 })
    }

    @Test func aChangedBodyBelowACheckpointIsFoundByTheAudit() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.replaceBody(of: 2, with: "rewritten", recomputeLeaf: false)
        let report = try fixture.open().audit(verifier: fixture.verifier)
        #expect(report.findings.contains { $0.kind == .leafMismatch && $0.index == 2 })
        // Rebuilt from the bodies, the tree no longer has the signed roots.
        #expect(report.findings.filter { $0.kind == .checkpointRoot }.compactMap(\.index) == [6, 8])
        #expect(!report.findings.contains { $0.kind == .leafMismatch && $0.index != 2 })
    }

    @Test func aBodyThatIsNoLongerAnEntryIsReported() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.tamper("UPDATE entry SET body = CAST('{\"v\":1}' AS BLOB) WHERE seq = 3;")
        let report = try fixture.open().audit(verifier: fixture.verifier)
        #expect(report.findings.contains { $0.kind == .invalidEntry && $0.index == 3 })
        #expect(report.findings.contains { $0.kind == .leafMismatch && $0.index == 3 })
    }

    /// The audit parses and hashes entries in chunks spread over the cores: a log longer than one chunk, with a
    /// changed body in the first chunk and a non-entry in the second, is reported at exactly those indexes.
    @Test func theAuditOfALogLongerThanOneChunkNamesEachTamperedEntryAtItsIndex() throws {
        let size = 9000
        let fixture = try Fixture(entries: size, checkpoints: [1000, 8500])
        defer { fixture.remove() }
        let clean = try fixture.open().audit(verifier: fixture.verifier)
        #expect(clean.isClean, "\(clean.findings)")
        #expect(clean.size == UInt64(size) && clean.checkpointsChecked == 2)
        let forged = try SampleEntries.note("rewritten")
        try fixture.tamper(
            "UPDATE entry SET body = \(SQLiteShell.blobLiteral(forged.body)) WHERE seq = 700; "
                + "UPDATE entry SET body = CAST('{\"v\":1}' AS BLOB) WHERE seq = 8300;")
        let report = try fixture.open().audit(verifier: fixture.verifier)
        #expect(report.findings.filter { $0.kind == .leafMismatch }.compactMap(\.index) == [700, 8300])
        #expect(report.findings.filter { $0.kind == .invalidEntry }.compactMap(\.index) == [8300])
        #expect(report.findings.filter { $0.kind == .checkpointRoot }.compactMap(\.index) == [1000, 8500])
    }

    // MARK: - (b) removed entries

    @Test func aRemovedTailEntryBelowASignedCheckpointFailsBothChecks() throws {
        let fixture = try Fixture(checkpoints: [6, 10])
        defer { fixture.remove() }
        try fixture.tamper("DELETE FROM entry WHERE seq = 9;")
        let store = try fixture.open()
        #expect(try store.size() == 9)
        let error = #expect(throws: ManifestError.self) { try store.checkTail(verifier: fixture.verifier) }
        #expect(error?.code == .inconsistent)
        let report = try store.audit(verifier: fixture.verifier)
        #expect(report.findings.contains { $0.kind == .checkpointBeyondLog && $0.index == 10 })
        #expect(report.findings.contains { $0.kind == .subtreeCount })
    }

    @Test func aRemovedMiddleEntryFailsBothChecks() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.tamper("DELETE FROM entry WHERE seq = 4;")
        let store = try fixture.open()
        let error = #expect(throws: ManifestError.self) { try store.checkTail(verifier: fixture.verifier) }
        #expect(error?.code == .inconsistent)
        let report = try store.audit(verifier: fixture.verifier)
        #expect(report.findings.contains { $0.kind == .missingEntries && $0.index == 4 })
    }

    // MARK: - (c) a checkpoint signed by another key

    @Test func aLatestCheckpointSignedByAnotherKeyFailsBothChecks() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let impostor = try NoteSigner.generate(name: Self.origin)
        let latest = try #require(try fixture.open().latestCheckpoint())
        let text = Checkpoint(origin: Self.origin, size: latest.size, root: latest.root).text
        let forged = try impostor.sign(text: text).serialized
        try fixture.tamper(
            "UPDATE checkpoint SET note = \(SQLiteShell.textLiteral(forged)) WHERE size = \(latest.size);")
        let store = try fixture.open()
        let error = #expect(throws: ManifestError.self) { try store.checkTail(verifier: fixture.verifier) }
        #expect(error?.code == .badSignature)
        let report = try store.audit(verifier: fixture.verifier)
        #expect(report.findings.map(\.kind) == [.checkpointSignature])
        #expect(report.findings.first?.index == 8)
    }

    @Test func aNewCheckpointInsertedWithAnotherKeyIsFoundByTheAudit() throws {
        // Triggers allow a larger checkpoint: only the signature check stops it.
        let fixture = try Fixture()
        defer { fixture.remove() }
        let impostor = try NoteSigner.generate(name: Self.origin)
        let root = try fixture.open().root(size: 10)
        let forged = try impostor.sign(text: Checkpoint(origin: Self.origin, size: 10, root: root).text).serialized
        let output = try SQLiteShell.run(
            "INSERT INTO checkpoint (size, root, note) VALUES (10, \(SQLiteShell.blobLiteral(root.bytes)), \(SQLiteShell.textLiteral(forged)));",
            on: fixture.url)
        #expect(output.succeeded, "\(output)")
        let report = try fixture.open().audit(verifier: fixture.verifier)
        #expect(report.findings.map(\.kind) == [.checkpointSignature])
        #expect(report.findings.first?.index == 10)
        #expect(throws: ManifestError.self) { try fixture.open().checkTail(verifier: fixture.verifier) }
    }

    @Test func aCheckpointRowThatDisagreesWithItsSignedTextIsReported() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.tamper("UPDATE checkpoint SET root = zeroblob(32) WHERE size = 6;")
        let report = try fixture.open().audit(verifier: fixture.verifier)
        #expect(report.findings.map(\.kind) == [.checkpointMalformed])
        #expect(report.findings.first?.index == 6)
    }

    // MARK: - (d) two checkpoints that disagree

    @Test func aCorrectlySignedCheckpointOfAnotherRootIsFoundByBothChecks() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // The real key signs a checkpoint of size 9 whose root is not the log's (e.g. a forked log).
        let forgedRoot = SHA256Hash.of(Array("another history".utf8))
        let note = try fixture.signer.sign(text: Checkpoint(origin: Self.origin, size: 9, root: forgedRoot).text)
        let output = try SQLiteShell.run(
            "INSERT INTO checkpoint (size, root, note) VALUES (9, \(SQLiteShell.blobLiteral(forgedRoot.bytes)), \(SQLiteShell.textLiteral(note.serialized)));",
            on: fixture.url)
        #expect(output.succeeded, "\(output)")
        let store = try fixture.open()
        let error = #expect(throws: ManifestError.self) { try store.checkTail(verifier: fixture.verifier) }
        #expect(error?.code == .inconsistent)
        let report = try store.audit(verifier: fixture.verifier)
        #expect(report.findings.map(\.kind) == [.checkpointRoot])
        #expect(report.findings.first?.index == 9)
    }

    // MARK: - (e) a changed body with its leaf recomputed

    @Test func aChangedBodyAndLeafBelowACheckpointIsFoundByTheSubtreeAndCheckpointChecks() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.replaceBody(of: 2, with: "rewritten", recomputeLeaf: true)
        let report = try fixture.open().audit(verifier: fixture.verifier)
        let kinds = Self.kinds(report)
        #expect(!kinds.contains(.leafMismatch))
        #expect(kinds.contains(.subtreeMismatch))
        #expect(report.findings.filter { $0.kind == .checkpointRoot }.compactMap(\.index) == [6, 8])
    }

    @Test func aChangedBodyAndLeafAfterTheCheckpointFailsTheTailCheck() throws {
        // Entry 8 is the first after the checkpoint at 8; its stored parent (level 1, index 4) gives it away.
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.replaceBody(of: 8, with: "rewritten", recomputeLeaf: true)
        let store = try fixture.open()
        let error = #expect(throws: ManifestError.self) { try store.checkTail(verifier: fixture.verifier) }
        #expect(error?.code == .inconsistent)
        #expect(Self.kinds(try store.audit(verifier: fixture.verifier)).contains(.subtreeMismatch))
    }

    @Test func aChangedBodyAndLeafOnTheRaggedEdgeOfTheCheckpointFailsTheTailCheckByRoot() throws {
        // With a checkpoint at 5, leaf 4 enters the signed root directly: the root no longer matches.
        let fixture = try Fixture(entries: 7, checkpoints: [5])
        defer { fixture.remove() }
        try fixture.replaceBody(of: 4, with: "rewritten", recomputeLeaf: true)
        let store = try fixture.open()
        let error = #expect(throws: ManifestError.self) { try store.checkTail(verifier: fixture.verifier) }
        #expect(error?.code == .inconsistent)
        #expect(error?.message.contains("does not match its signed checkpoint") == true)
        let report = try store.audit(verifier: fixture.verifier)
        #expect(report.findings.contains { $0.kind == .checkpointRoot && $0.index == 5 })
    }

    @Test func aChangedSubtreeHashIsFoundByBothChecks() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.tamper("UPDATE subtree SET hash = zeroblob(32) WHERE level = 1 AND idx = 4;")
        let store = try fixture.open()
        #expect(throws: ManifestError.self) { try store.checkTail(verifier: fixture.verifier) }
        let report = try store.audit(verifier: fixture.verifier)
        #expect(report.findings.contains { $0.kind == .subtreeMismatch })
    }

    // MARK: - checkAgainst(savedNote:verifier:)

    @Test func anEarlierSavedCheckpointIsConsistentWithTheGrownLog() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let saved = try #require(try store.checkpoints().first)
        #expect(saved.size == 6)
        try store.append(try SampleEntries.note("later"))
        let checkpoint = try store.checkAgainst(savedNote: saved.note, verifier: fixture.verifier)
        #expect(checkpoint.size == 6)
        #expect(checkpoint.root == saved.root)
        // The latest checkpoint, at the current size, too.
        let latest = try store.signCheckpoint(with: fixture.signer)
        #expect(try store.checkAgainst(savedNote: latest.note, verifier: fixture.verifier).size == 11)
    }

    @Test func aSavedCheckpointFromAnotherHistoryIsInconsistent() throws {
        // Store B holds different entries under the same key: a rewritten log.
        let original = try Fixture()
        defer { original.remove() }
        let saved = try #require(try original.open().latestCheckpoint())
        let rewritten = try Fixture(prefix: "other")
        defer { rewritten.remove() }
        let store = try ManifestStore.open(at: rewritten.url)
        let error = #expect(throws: ManifestError.self) {
            try store.checkAgainst(savedNote: saved.note, verifier: original.verifier)
        }
        #expect(error?.code == .inconsistent)
    }

    @Test func aLogRolledBackBelowTheSavedCheckpointIsInconsistent() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let saved = try #require(try fixture.open().latestCheckpoint())
        try fixture.tamper("DELETE FROM entry WHERE seq >= 7; DELETE FROM checkpoint WHERE size = 8;")
        let store = try fixture.open()
        let error = #expect(throws: ManifestError.self) {
            try store.checkAgainst(savedNote: saved.note, verifier: fixture.verifier)
        }
        #expect(error?.code == .inconsistent)
        // And the rolled-back log itself no longer shows the loss to the tail check: only the saved note does.
        _ = try store.checkTail(verifier: fixture.verifier)
    }

    @Test func aSavedCheckpointWithABadSignatureOrOriginIsRefused() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let impostor = try NoteSigner.generate(name: Self.origin)
        let root = try store.root(size: 6)
        let forged = try impostor.sign(text: Checkpoint(origin: Self.origin, size: 6, root: root).text)
        let badSignature = #expect(throws: ManifestError.self) {
            try store.checkAgainst(savedNote: forged.serialized, verifier: fixture.verifier)
        }
        #expect(badSignature?.code == .badSignature)
        let wrongOrigin = try fixture.signer.sign(text: Checkpoint(origin: "elsewhere", size: 6, root: root).text)
        let originError = #expect(throws: ManifestError.self) {
            try store.checkAgainst(savedNote: wrongOrigin.serialized, verifier: fixture.verifier)
        }
        #expect(originError?.code == .badSignature)
        let garbled = #expect(throws: ManifestError.self) {
            try store.checkAgainst(savedNote: "not a note", verifier: fixture.verifier)
        }
        #expect(garbled?.code == .malformed)
    }
}
