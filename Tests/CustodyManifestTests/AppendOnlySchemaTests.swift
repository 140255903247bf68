import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// The manifest's schema refuses changes on its own, on a connection opened without any of Custody's code
/// (the `sqlite3` tool, `recursive_triggers` off), so that `INSERT OR REPLACE` and UPSERT cannot slip past.
@Suite("Append-only schema on a plain sqlite3 connection")
struct AppendOnlySchemaTests {
    /// The state every case starts from: 10 entries, checkpoints at sizes 6 and 9.
    static let entryCount = 10

    /// Creates the manifest with ManifestStore and closes it again.
    static func makeManifest(in directory: TemporaryDirectory) throws -> URL {
        let url = directory.file("custody.sqlite")
        let signer = try NoteSigner.generate(name: "custody.test/station-01")
        do {
            let store = try ManifestStore.open(at: url)
            _ = try store.append(contentsOf: try SampleEntries.notes(6))
            try store.signCheckpoint(with: signer)
            _ = try store.append(contentsOf: try SampleEntries.notes(3, prefix: "more"))
            try store.signCheckpoint(with: signer)
            try store.append(try SampleEntries.note("after the checkpoints"))
            #expect(try store.size() == UInt64(entryCount))
        }
        return url
    }

    /// A valid entry's body and leaf, so that only the position is wrong in the inserts below.
    static let values: String = {
        let entry = try! SampleEntries.note("forged")
        return "\(SQLiteShell.blobLiteral(entry.body)), \(SQLiteShell.blobLiteral(entry.leafHash.bytes))"
    }()

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let sql: String
        /// The trigger message that refuses it (for an UPSERT, SQLite runs the BEFORE INSERT trigger first).
        let messages: [String]

        var testDescription: String { name }
    }

    static let entryUpdate = "custody: manifest entries are append-only (UPDATE refused)"
    static let entryDelete = "custody: manifest entries are append-only (DELETE refused)"
    static let entryNextSeq = "custody: a new entry must take the next seq"
    static let subtreeUpdate = "custody: subtree hashes are append-only (UPDATE refused)"
    static let subtreeDelete = "custody: subtree hashes are append-only (DELETE refused)"
    static let subtreeOnce = "custody: a subtree hash is written once (REPLACE refused)"
    static let subtreeWithin = "custody: a subtree hash must cover existing entries"
    static let checkpointUpdate = "custody: checkpoints are append-only (UPDATE refused)"
    static let checkpointDelete = "custody: checkpoints are append-only (DELETE refused)"
    static let checkpointLarger = "custody: a checkpoint must be larger than every earlier one"
    static let checkpointWithin = "custody: a checkpoint cannot cover entries that do not exist"

    static let cases: [Case] = [
        Case(name: "UPDATE entry body", sql: "UPDATE entry SET body = x'7b7d' WHERE seq = 3", messages: [entryUpdate]),
        Case(name: "UPDATE every entry", sql: "UPDATE entry SET leaf = leaf", messages: [entryUpdate]),
        Case(name: "UPDATE entry seq", sql: "UPDATE entry SET seq = seq + 100 WHERE seq = 9", messages: [entryUpdate]),
        Case(name: "DELETE FROM entry", sql: "DELETE FROM entry", messages: [entryDelete]),
        Case(name: "DELETE the last entry", sql: "DELETE FROM entry WHERE seq = 9", messages: [entryDelete]),
        Case(
            name: "INSERT OR REPLACE an existing entry",
            sql: "INSERT OR REPLACE INTO entry (seq, body, leaf) VALUES (3, \(values))", messages: [entryNextSeq]),
        Case(
            name: "REPLACE the last entry", sql: "REPLACE INTO entry (seq, body, leaf) VALUES (9, \(values))",
            messages: [entryNextSeq]),
        Case(
            name: "UPSERT an existing entry",
            sql:
                "INSERT INTO entry (seq, body, leaf) VALUES (3, \(values)) ON CONFLICT(seq) DO UPDATE SET body=excluded.body",
            messages: [entryNextSeq]),
        Case(
            name: "INSERT OR IGNORE an existing entry",
            sql: "INSERT OR IGNORE INTO entry (seq, body, leaf) VALUES (3, \(values))", messages: [entryNextSeq]),
        Case(
            name: "INSERT beyond the next seq (size + 5)",
            sql: "INSERT INTO entry (seq, body, leaf) VALUES (\(entryCount + 5), \(values))", messages: [entryNextSeq]),
        Case(
            name: "INSERT at size - 1",
            sql: "INSERT INTO entry (seq, body, leaf) VALUES (\(entryCount - 1), \(values))", messages: [entryNextSeq]),
        Case(
            name: "INSERT two rows, the second not next (the first is rolled back with it)",
            sql:
                "INSERT INTO entry (seq, body, leaf) VALUES (\(entryCount), \(values)), (\(entryCount + 2), \(values))",
            messages: [entryNextSeq]),
        Case(
            name: "UPDATE subtree", sql: "UPDATE subtree SET hash = zeroblob(32) WHERE level = 1 AND idx = 0",
            messages: [subtreeUpdate]),
        Case(name: "DELETE FROM subtree", sql: "DELETE FROM subtree", messages: [subtreeDelete]),
        Case(
            name: "INSERT OR REPLACE an existing subtree",
            sql: "INSERT OR REPLACE INTO subtree (level, idx, hash) VALUES (1, 0, zeroblob(32))",
            messages: [subtreeOnce]
        ),
        Case(
            name: "UPSERT an existing subtree",
            sql:
                "INSERT INTO subtree (level, idx, hash) VALUES (2, 1, zeroblob(32)) ON CONFLICT(level, idx) DO UPDATE SET hash = excluded.hash",
            messages: [subtreeOnce]),
        Case(
            name: "INSERT a subtree beyond the tree",
            sql: "INSERT INTO subtree (level, idx, hash) VALUES (1, 5, zeroblob(32))", messages: [subtreeWithin]),
        Case(
            name: "INSERT a subtree of a higher level beyond the tree",
            sql: "INSERT INTO subtree (level, idx, hash) VALUES (4, 0, zeroblob(32))", messages: [subtreeWithin]),
        Case(
            name: "UPDATE checkpoint", sql: "UPDATE checkpoint SET note = 'x' WHERE size = 9",
            messages: [checkpointUpdate]),
        Case(
            name: "DELETE FROM checkpoint", sql: "DELETE FROM checkpoint WHERE size = 6", messages: [checkpointDelete]),
        Case(
            name: "INSERT OR REPLACE the latest checkpoint",
            sql: "INSERT OR REPLACE INTO checkpoint (size, root, note) VALUES (9, zeroblob(32), 'forged')",
            messages: [checkpointLarger]),
        Case(
            name: "UPSERT the latest checkpoint",
            sql:
                "INSERT INTO checkpoint (size, root, note) VALUES (9, zeroblob(32), 'forged') ON CONFLICT(size) DO UPDATE SET note = excluded.note",
            messages: [checkpointLarger]),
        Case(
            name: "INSERT a checkpoint beyond the log",
            sql: "INSERT INTO checkpoint (size, root, note) VALUES (\(entryCount + 1), zeroblob(32), 'forged')",
            messages: [checkpointWithin]),
        Case(
            name: "INSERT a checkpoint below the latest",
            sql: "INSERT INTO checkpoint (size, root, note) VALUES (7, zeroblob(32), 'forged')",
            messages: [checkpointLarger]),
        Case(
            name: "INSERT a checkpoint of the empty tree",
            sql: "INSERT INTO checkpoint (size, root, note) VALUES (0, zeroblob(32), 'forged')",
            messages: [checkpointLarger]),
    ]

    @Test(arguments: cases)
    func aPlainConnectionIsRefusedByTheTriggersAndNothingChanges(_ refused: Case) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try Self.makeManifest(in: directory)
        let before = try SQLiteShell.dumpManifest(url)
        #expect(before.contains("checkpoint|9|"))

        let output = try SQLiteShell.run("PRAGMA recursive_triggers = OFF; \(refused.sql);", on: url)
        #expect(output.status != 0, "\(output)")
        #expect(refused.messages.contains { output.standardError.contains($0) }, "\(output)")

        #expect(try SQLiteShell.dumpManifest(url) == before)
        let store = try ManifestStore.open(at: url, readOnly: true)
        #expect(try store.size() == UInt64(Self.entryCount))
    }

    @Test func aPlainConnectionMayStillAppendAtTheNextPosition() throws {
        // The refusals above are the triggers', not SQL mistakes: the same statements at the right place pass.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try Self.makeManifest(in: directory)
        let next = Self.entryCount
        let output = try SQLiteShell.run(
            """
            PRAGMA recursive_triggers = OFF;
            INSERT INTO entry (seq, body, leaf) VALUES (\(next), \(Self.values));
            INSERT INTO entry (seq, body, leaf) VALUES (\(next + 1), \(Self.values));
            INSERT INTO subtree (level, idx, hash) VALUES (1, 5, zeroblob(32));
            INSERT INTO checkpoint (size, root, note) VALUES (\(next + 2), zeroblob(32), 'forged');
            SELECT COUNT(*) FROM entry;
            """, on: url)
        #expect(output.succeeded, "\(output)")
        #expect(output.standardOutput == "\(next + 2)\n")
    }

    @Test func theManifestIsInWALModeAndEveryTableIsStrict() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try Self.makeManifest(in: directory)
        let output = try SQLiteShell.run(
            """
            PRAGMA journal_mode;
            SELECT name, strict FROM pragma_table_list WHERE name IN ('entry', 'subtree', 'checkpoint') ORDER BY name;
            """, on: url)
        #expect(output.succeeded, "\(output)")
        #expect(output.standardOutput == "wal\ncheckpoint|1\nentry|1\nsubtree|1\n")
    }
}
