import CustodyCore
import Foundation
import GRDB

/// One problem `custody verify` found, naming the entry or checkpoint concerned.
public struct AuditFinding: Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem.
    public enum Kind: String, Sendable {
        case missingEntries, leafMismatch, invalidEntry, subtreeMismatch, subtreeCount
        case checkpointMalformed, checkpointSignature, checkpointRoot, checkpointBeyondLog, savedCheckpoint
    }

    /// What kind of problem.
    public let kind: Kind
    /// The entry index or checkpoint size concerned, where there is one.
    public let index: UInt64?
    /// What is wrong, for a person.
    public let message: String

    public var description: String { message }
}

/// What `custody verify` found: the size checked and every problem.
public struct AuditReport: Sendable {
    /// The number of entries checked.
    public var size: UInt64 = 0
    /// The number of checkpoints checked.
    public var checkpointsChecked = 0
    /// Every problem found; empty when the log verifies.
    public var findings: [AuditFinding] = []
    /// Whether the log verified.
    public var isClean: Bool { findings.isEmpty }

    mutating func add(_ kind: AuditFinding.Kind, _ index: UInt64?, _ message: String) {
        findings.append(AuditFinding(kind: kind, index: index, message: message))
    }
}

/// What the start-up tail check looked at.
public struct TailReport: Sendable, Equatable {
    /// The number of entries.
    public let size: UInt64
    /// The size of the latest checkpoint, if any.
    public let checkpointSize: UInt64?
    /// How many entries after the checkpoint were re-hashed.
    public let entriesChecked: UInt64
}

extension ManifestStore {
    /// The start-up check of the log's tail: dense seq, leaf = hash(body) for every entry after the latest
    /// checkpoint, subtree hashes above them consistent, the latest checkpoint's root equal to the stored tree's
    /// root at its size, and its signature valid. Throws naming the first problem: `.inconsistent` for the log,
    /// `.badSignature` or `.malformed` for the checkpoint.
    public func checkTail(verifier: NoteVerifier) throws(ManifestError) -> TailReport {
        try snapshot { db in
            let size = try Self.size(db)
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(seq) AS first FROM entry")!
            let count = UInt64(row["n"] as Int64)
            guard count == size, size == 0 || (row["first"] as Int64?) == 0 else {
                throw ManifestError(
                    .inconsistent,
                    "the manifest's entries are not dense: \(count) rows for \(size) positions; entries were removed. "
                        + "Run `custody verify` for a full report")
            }
            let hashes = DatabaseSubtreeHashes(db: db)
            let tree = MerkleTree(source: hashes)
            var checkpointSize: UInt64?
            if let latest = try Self.latestCheckpoint(db) {
                let checkpoint = try Self.openCheckpoint(latest, verifier: verifier)
                guard latest.size <= size else {
                    throw ManifestError(
                        .inconsistent,
                        "the latest checkpoint signs \(latest.size) entries but the log has \(size): entries were removed")
                }
                guard try tree.root(size: latest.size) == checkpoint.root else {
                    throw ManifestError(
                        .inconsistent,
                        "the stored tree at size \(latest.size) does not match its signed checkpoint: the log was altered")
                }
                checkpointSize = latest.size
            }
            let start = min(checkpointSize ?? 0, size == 0 ? 0 : size - 1)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT seq, body, leaf FROM entry WHERE seq >= ? ORDER BY seq", arguments: [Int64(start)])
            var checked: UInt64 = 0
            while let row = try rows.next() {
                let entry = StoredEntry(row: row)
                guard MerkleHash.leaf(entry.body) == entry.leafHash else {
                    throw ManifestError(
                        .inconsistent, "entry \(entry.index): its stored leaf hash does not match its body")
                }
                try ManifestEntry.validate(body: entry.body)
                var index = entry.index
                var level = 0
                while index & 1 == 1 {
                    let expected = MerkleHash.node(
                        try hashes.subtreeHash(level: level, index: index - 1),
                        try hashes.subtreeHash(level: level, index: index))
                    level += 1
                    index >>= 1
                    guard try hashes.subtreeHash(level: level, index: index) == expected else {
                        throw ManifestError(
                            .inconsistent, "the stored subtree hash at level \(level), index \(index) is wrong")
                    }
                }
                checked += 1
            }
            return TailReport(size: size, checkpointSize: checkpointSize, entriesChecked: checked)
        }
    }

    static func openCheckpoint(_ stored: StoredCheckpoint, verifier: NoteVerifier) throws(ManifestError) -> Checkpoint {
        let note = try SignedNote(serialized: stored.note)
        let text = try verifier.open(note)
        let checkpoint = try Checkpoint(text: text)
        guard checkpoint.origin == verifier.name else {
            throw ManifestError(
                .badSignature, "checkpoint \(stored.size) names origin \"\(checkpoint.origin)\", not \"\(verifier.name)\"")
        }
        guard checkpoint.size == stored.size, checkpoint.root == stored.root else {
            throw ManifestError(.inconsistent, "checkpoint row \(stored.size) does not match its signed text")
        }
        return checkpoint
    }

    /// Recomputes the whole log from the stored bytes and reports every problem: each entry re-parsed and
    /// re-hashed, the tree rebuilt without trusting stored hashes, every stored subtree hash compared, and every
    /// checkpoint's signature and root checked (Art 6, Art 28).
    ///
    /// `progress` is called with (entries done, total) after each batch.
    public func audit(
        verifier: NoteVerifier, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(ManifestError) -> AuditReport {
        try snapshot { db in
            var report = AuditReport()
            let size = try Self.size(db)
            report.size = size
            let checkpoints = try Row.fetchAll(db, sql: "SELECT size, root, note FROM checkpoint ORDER BY size")
                .map(StoredCheckpoint.init(row:))
            var pending = checkpoints[...]
            var frontier = MerkleFrontier()
            var treeBroken = false

            func checkCheckpoints(upTo treeSize: UInt64) {
                while let next = pending.first, next.size <= treeSize {
                    pending = pending.dropFirst()
                    report.checkpointsChecked += 1
                    let checkpoint: Checkpoint
                    do {
                        checkpoint = try Self.openCheckpoint(next, verifier: verifier)
                    } catch {
                        report.add(
                            error.code == .badSignature ? .checkpointSignature : .checkpointMalformed, next.size,
                            "checkpoint of size \(next.size): \(error.message)")
                        continue
                    }
                    if !treeBroken, checkpoint.root != frontier.root {
                        report.add(
                            .checkpointRoot, next.size,
                            "checkpoint of size \(next.size) signs root \(checkpoint.root.hex) but the entries give "
                                + "\(frontier.root.hex): entries before \(next.size) were changed, or this checkpoint "
                                + "disagrees with the others")
                    }
                }
            }

            checkCheckpoints(upTo: 0)
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, body, leaf FROM entry ORDER BY seq")
            var expected: UInt64 = 0
            let subtreeStatement = try db.cachedStatement(sql: "SELECT hash FROM subtree WHERE level = ? AND idx = ?")
            // Walks one checked chunk in order, for everything that needs the entries before it: the frontier, the
            // stored subtree hashes and the checkpoints.
            func walk(_ chunk: [StoredEntry], _ checks: [EntryCheck]) throws {
                for (entry, check) in zip(chunk, checks) {
                    if entry.index != expected {
                        report.add(
                            .missingEntries, expected,
                            "entries \(expected)..<\(entry.index) are missing: they were deleted behind the triggers")
                        treeBroken = true
                        expected = entry.index
                    }
                    if let invalid = check.invalid {
                        report.add(.invalidEntry, entry.index, "entry \(entry.index): \(invalid)")
                    }
                    let leaf = check.leaf
                    if leaf != entry.leafHash {
                        report.add(
                            .leafMismatch, entry.index,
                            "entry \(entry.index): the body does not hash to the stored leaf; the entry was changed")
                    }
                    if !treeBroken {
                        for node in frontier.append(leaf: leaf) {
                            let stored = try Data.fetchOne(subtreeStatement, arguments: [node.level, Int64(node.index)])
                            if stored.flatMap(SHA256Hash.init(bytes:)) != node.hash {
                                report.add(
                                    .subtreeMismatch, entry.index,
                                    "the stored subtree hash at level \(node.level), index \(node.index) "
                                        + "(\(Self.coveredEntries(level: node.level, index: node.index))) "
                                        + (stored == nil ? "is missing" : "does not match the entries under it"))
                            }
                        }
                        checkCheckpoints(upTo: frontier.size)
                    }
                    expected += 1
                    if expected % 4096 == 0 { progress?(expected, size) }
                }
            }
            // Parsing and leaf hashing need no other entry: each chunk is checked over the cores (ChunkCheck) while
            // this thread reads the next chunk, then walked in order here.
            var previous: (chunk: [StoredEntry], check: ChunkCheck)?
            var more = true
            while more {
                var chunk = [StoredEntry]()
                chunk.reserveCapacity(Self.auditChunk)
                while chunk.count < Self.auditChunk, let row = try rows.next() { chunk.append(StoredEntry(row: row)) }
                more = chunk.count == Self.auditChunk
                let current = chunk.isEmpty ? nil : (chunk: chunk, check: ChunkCheck(chunk))
                if let previous { try walk(previous.chunk, previous.check.wait()) }
                previous = current
            }
            if let previous { try walk(previous.chunk, previous.check.wait()) }
            progress?(expected, size)
            let subtreeRows = UInt64(try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM subtree") ?? 0)
            let expectedRows = size - UInt64(size.nonzeroBitCount)
            if subtreeRows != expectedRows {
                report.add(
                    .subtreeCount, nil,
                    "the log holds \(subtreeRows) subtree hashes where \(size) entries need \(expectedRows)")
            }
            // Name every stored subtree hash over leaves the log does not hold (the schema's trigger refuses them):
            // (idx + 1) << level > size, written so that no shift overflows.
            let beyond = try Row.fetchAll(
                db, sql: "SELECT level, idx FROM subtree WHERE idx >= (? >> level) ORDER BY level, idx",
                arguments: [Int64(size)])
            for row in beyond {
                let level: Int = row["level"]
                let index: Int64 = row["idx"]
                report.add(
                    .subtreeCount, nil,
                    "the stored subtree hash at level \(level), index \(index) "
                        + "(\(Self.coveredEntries(level: level, index: UInt64(index)))) covers entries the log "
                        + "does not hold (\(size)): it was added behind the triggers")
            }
            for checkpoint in pending {
                report.checkpointsChecked += 1
                report.add(
                    .checkpointBeyondLog, checkpoint.size,
                    "checkpoint of size \(checkpoint.size) signs more entries than the log holds (\(size)): "
                        + "signed entries \(size)..<\(checkpoint.size) were removed")
            }
            return report
        }
    }

    /// Entries the audit parses and hashes together, spread over the cores.
    static let auditChunk = 8192

    /// What one entry shows on its own: the hash of its body and, if it does not parse as a canonical entry, why.
    struct EntryCheck: Sendable {
        var leaf: SHA256Hash
        var invalid: String?
    }

    /// Re-parses and re-hashes every entry of `entries`, in parallel over the available cores; results in order.
    static func checkEntries(_ entries: [StoredEntry]) -> [EntryCheck] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, entries.count / 256)
        guard workers > 1 else { return entries.map(checkEntry) }
        let results = ParallelResults<EntryCheck>(count: entries.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for position in entries.count * worker / workers..<entries.count * (worker + 1) / workers {
                results.set(position, checkEntry(entries[position]))
            }
        }
        return results.collect()
    }

    /// Re-parses and re-hashes one entry.
    static func checkEntry(_ entry: StoredEntry) -> EntryCheck {
        var invalid: String?
        do {
            try ManifestEntry.validate(body: entry.body)
        } catch {
            invalid = error.message
        }
        return EntryCheck(leaf: MerkleHash.leaf(entry.body), invalid: invalid)
    }

    /// The leaves under the complete subtree at `level` and `index`, for a person: "entries 8..<12".
    static func coveredEntries(level: Int, index: UInt64) -> String {
        guard level < 64, index < UInt64(1) << (63 - level) else { return "beyond any log" }
        return "entries \(index << UInt64(level))..<\((index + 1) << UInt64(level))"
    }

    /// Checks the log against a checkpoint saved earlier (the case system's view): its signature, and that the
    /// log still holds the very tree it signed (by root and by consistency proof to the current tree).
    public func checkAgainst(savedNote: String, verifier: NoteVerifier) throws(ManifestError) -> Checkpoint {
        let note = try SignedNote(serialized: savedNote)
        let text = try verifier.open(note)
        let saved = try Checkpoint(text: text)
        guard saved.origin == verifier.name else {
            throw ManifestError(
                .badSignature, "the saved checkpoint is for origin \"\(saved.origin)\", not \"\(verifier.name)\"")
        }
        let size = try self.size()
        guard saved.size <= size else {
            throw ManifestError(
                .inconsistent,
                "the saved checkpoint signs \(saved.size) entries but the log now has \(size): signed entries were removed")
        }
        guard saved.size > 0 else { return saved }
        let proof = try consistencyProof(from: saved.size, to: size)
        guard proof.oldRoot == saved.root else {
            throw ManifestError(
                .inconsistent,
                "the log's tree at size \(saved.size) has root \(proof.oldRoot.hex), but the saved checkpoint signed "
                    + "\(saved.root.hex): the history was rewritten (the log forked)")
        }
        do {
            try MerkleProof.verifyConsistency(
                oldSize: saved.size, newSize: size, oldRoot: saved.root, newRoot: proof.newRoot, proof: proof.path)
        } catch {
            throw ManifestError(.inconsistent, "the consistency proof from the saved checkpoint fails: \(error.message)")
        }
        return saved
    }
}

/// Slots that parallel workers fill, each position exactly once, then read back in order by one thread.
/// The checks of one chunk of entries (``ManifestStore/checkEntries(_:)``), running on other threads until ``wait()``.
private final class ChunkCheck: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the checking thread before `done` is signalled; read only after waiting for it.
    private var checks = [ManifestStore.EntryCheck]()

    init(_ entries: [StoredEntry]) {
        DispatchQueue.global().async { [self] in
            checks = ManifestStore.checkEntries(entries)
            done.signal()
        }
    }

    /// The checks, in the entries' order, once they are done.
    func wait() -> [ManifestStore.EntryCheck] {
        done.wait()
        return checks
    }
}

private final class ParallelResults<Element>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Element?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Fills slot `position`; each position is written by one worker only.
    func set(_ position: Int, _ element: Element) { slots[position] = element }

    /// Every slot in order, once the workers are done.
    func collect() -> [Element] { slots.map { $0! } }
}
