import CustodyCore
import CustodyTesting
import GRDB
import Testing

@testable import CustodyManifest

/// The settings of every connection Custody opens (shared/DESIGN.md "The manifest": WAL, synchronous=FULL,
/// recursive_triggers=ON, STRICT tables).
@Suite("Manifest connections")
struct ManifestConnectionTests {
    struct Settings: Equatable {
        var journalMode: String?
        var synchronous: Int?
        var recursiveTriggers: Int?
    }

    static func settings(_ db: Database) throws -> Settings {
        Settings(
            journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode"),
            synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous"),
            recursiveTriggers: try Int.fetchOne(db, sql: "PRAGMA recursive_triggers"))
    }

    @Test func readAndWriteConnectionsUseWALFullSyncAndRecursiveTriggers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        let expected = Settings(journalMode: "wal", synchronous: 2, recursiveTriggers: 1)
        #expect(try store.read { try Self.settings($0) } == expected)
        let written = try store.write { try Self.settings($0) }
        #expect(written == expected)
    }

    @Test func readOnlyConnectionsUseRecursiveTriggers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.file("custody.sqlite")
        _ = try ManifestStore.open(at: url)
        let reader = try ManifestStore.open(at: url, readOnly: true)
        let settings = try reader.read { try Self.settings($0) }
        #expect(settings.journalMode == "wal")
        #expect(settings.recursiveTriggers == 1)
    }

    @Test func everyManifestTableIsStrict() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_list").filter {
                ["entry", "subtree", "checkpoint"].contains($0["name"])
            }
        }
        #expect(rows.count == 3)
        for row in rows {
            #expect(row["strict"] as Int? == 1, "\(row)")
        }
    }
}
