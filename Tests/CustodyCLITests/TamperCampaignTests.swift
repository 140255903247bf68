import CustodyTesting
import Foundation
import Glibc
import Testing

/// The tamper campaign of issue 9: many random single-byte and row-level changes to a populated station's manifest
/// (the append-only triggers dropped by hand, as an administrator with a shell could) and to its stored footage. For
/// every change, on a fresh copy of the station, `custody verify --deep` must exit non-zero and name what was
/// changed: the entry's index, the subtree hash's level and index, the checkpoint's size, the object's digest, or the
/// query table. The count is `CUSTODY_TAMPER_CHANGES` (default 120; `make soak` runs 1000), the seed
/// `CUSTODY_TAMPER_SEED`.
///
/// Not in the campaign, because no verifier on the station alone can tell them from honest work (docs/fuzzing.md):
/// a row appended at the end of the log that continues it correctly (that is an append, and the feed serves it), and
/// a deleted checkpoint row that removes no entry (the case system holds the checkpoints it verified; `custody
/// verify --against` detects a rollback below one).
@Suite(.serialized) struct TamperCampaignTests {
    static let environment = ProcessInfo.processInfo.environment
    static let changeCount = environment["CUSTODY_TAMPER_CHANGES"].flatMap(Int.init) ?? 120
    static let seed = environment["CUSTODY_TAMPER_SEED"].flatMap { UInt64($0) } ?? 0x7A4_BE12

    /// A plain model that takes every file; the files are random bytes, so no MP4 parsing or ffmpeg is needed.
    static let model = """
        [[models]]
        name = "PLAIN"
        media = ["**/*.MP4"]
        """

    /// The station's manifest and store as they were before any change, read once.
    struct Snapshot {
        var entries: [(seq: Int, body: [UInt8], leaf: [UInt8])] = []
        var subtrees: [(level: Int, index: Int, hash: [UInt8])] = []
        var checkpoints: [(size: Int, root: [UInt8], note: [UInt8])] = []
        var triggers: [String] = []
        /// Each query table with its row count.
        var indexTables: [(name: String, rows: Int)] = []
        /// The clip index: each clip entry's index and digest.
        var indexedClips: [(entry: Int, sha256: String)] = []
        /// Each stored object: its digest and its path inside the state directory.
        var objects: [(digest: String, path: String)] = []
    }

    /// What a change touched, and so what the verifier's report must name.
    enum Target: CustomStringConvertible {
        case entries([Int])
        case subtree(level: Int, index: Int)
        case checkpoint(size: Int)
        case object(String)
        case table(String)

        var description: String {
            switch self {
            case .entries(let indexes): "entry \(indexes.map(String.init).joined(separator: " or "))"
            case .subtree(let level, let index): "subtree level \(level), index \(index)"
            case .checkpoint(let size): "checkpoint of size \(size)"
            case .object(let digest): "object \(digest)"
            case .table(let name): "query table \(name)"
            }
        }
    }

    /// One change: a description, the SQL to run (after dropping the triggers) or a footage edit, and its target.
    struct Change {
        var kind: String
        var detail: String
        var sql: String?
        var footage: ((URL) throws -> Void)?
        var target: Target
    }

    // MARK: - The station

    /// Builds a station with ingested footage from two recorders, notes, and checkpoints along the way, the last one
    /// covering every entry (so that removing the newest entry is removing a signed one).
    func populatedStation(work: TemporaryDirectory) throws -> CLITestStation {
        let station = try CLITestStation()
        try station.appendConfiguration(Self.model)
        try station.setConfiguration("ingest", "reserve_bytes", "1048576")
        var random = SeededGenerator(seed: Self.seed)
        for (recorder, files) in [("SN1", 4), ("SN2", 3)] {
            let folder = work.file(recorder)
            let media = folder.appendingPathComponent("DCIM/100MEDIA")
            try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
            for number in 1...files {
                let count = Int.random(in: 2_000...40_000, using: &random)
                let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
                try Data(bytes).write(to: media.appendingPathComponent("\(recorder)_\(number).MP4"))
            }
            let ingest = try station.custody(["ingest", "--serial", recorder, "--model", "PLAIN", folder.path])
            try #require(ingest.status == 0, "custody ingest failed: \(ingest.standardError)")
            try #require(
                try station.custody(["append-note", "--text", "after \(recorder)", "--count", "5"]).status == 0)
            try #require(try station.custody(["checkpoint", "--sign"]).status == 0)
        }
        try #require(try station.custody(["append-note", "--text", "tail", "--count", "3"]).status == 0)
        try #require(try station.custody(["checkpoint", "--sign"]).status == 0)
        return station
    }

    /// Runs SQL that must succeed on `database`, returning its rows split on `|`.
    func query(_ sql: String, _ database: URL) throws -> [[String]] {
        let output = try SQLiteShell.run(sql, on: database)
        guard output.succeeded else { throw SQLiteShellError(output: output) }
        return output.standardOutput.split(separator: "\n").map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
    }

    func snapshot(_ station: CLITestStation) throws -> Snapshot {
        let database = station.database
        var snapshot = Snapshot()
        snapshot.entries = try query("SELECT seq, hex(body), hex(leaf) FROM entry ORDER BY seq", database).map {
            (Int($0[0])!, Self.bytes(hex: $0[1]), Self.bytes(hex: $0[2]))
        }
        snapshot.subtrees = try query("SELECT level, idx, hex(hash) FROM subtree ORDER BY level, idx", database).map {
            (Int($0[0])!, Int($0[1])!, Self.bytes(hex: $0[2]))
        }
        snapshot.checkpoints = try query("SELECT size, hex(root), hex(note) FROM checkpoint ORDER BY size", database)
            .map { (Int($0[0])!, Self.bytes(hex: $0[1]), Self.bytes(hex: $0[2])) }
        snapshot.triggers = try query("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name", database)
            .map { $0[0] }
        for name in try query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'idx\\_%' ESCAPE '\\' ORDER BY name",
            database
        ).map({ $0[0] }) {
            let rows = Int(try query("SELECT COUNT(*) FROM \(name)", database)[0][0])!
            snapshot.indexTables.append((name, rows))
        }
        snapshot.indexedClips = try query("SELECT entry, sha256 FROM idx_clip ORDER BY entry", database).map {
            (Int($0[0])!, $0[1])
        }
        let store = station.storeDirectory.path
        for path in try FileManager.default.subpathsOfDirectory(atPath: store) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: store + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                snapshot.objects.append((URL(fileURLWithPath: path).lastPathComponent, "store/" + path))
            }
        }
        snapshot.objects.sort { $0.digest < $1.digest }
        return snapshot
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    // MARK: - The changes

    /// `bytes` with one byte changed to another value.
    static func flipOne(_ bytes: [UInt8], using random: inout SeededGenerator) -> (bytes: [UInt8], offset: Int) {
        var changed = bytes
        let offset = Int.random(in: 0..<bytes.count, using: &random)
        changed[offset] ^= UInt8.random(in: 1...255, using: &random)
        return (changed, offset)
    }

    static func blob(_ bytes: [UInt8]) -> String { SQLiteShell.blobLiteral(bytes) }
    static func text(_ bytes: [UInt8]) -> String { "CAST(\(SQLiteShell.blobLiteral(bytes)) AS TEXT)" }

    /// Draws one change of a kind chosen at random.
    static func draw(_ snapshot: Snapshot, using random: inout SeededGenerator) -> Change {
        let entries = snapshot.entries
        let size = entries.count
        switch Int.random(in: 0..<15, using: &random) {
        case 0, 1:
            let entry = entries.randomElement(using: &random)!
            let (body, offset) = flipOne(entry.body, using: &random)
            return Change(
                kind: "entry body byte", detail: "seq \(entry.seq) byte \(offset)",
                sql: "UPDATE entry SET body = \(blob(body)) WHERE seq = \(entry.seq);", target: .entries([entry.seq]))
        case 2:
            let entry = entries.randomElement(using: &random)!
            let (leaf, offset) = flipOne(entry.leaf, using: &random)
            return Change(
                kind: "leaf hash byte", detail: "seq \(entry.seq) byte \(offset)",
                sql: "UPDATE entry SET leaf = \(blob(leaf)) WHERE seq = \(entry.seq);", target: .entries([entry.seq]))
        case 3:
            let node = snapshot.subtrees.randomElement(using: &random)!
            let (hash, offset) = flipOne(node.hash, using: &random)
            return Change(
                kind: "subtree hash byte", detail: "level \(node.level) index \(node.index) byte \(offset)",
                sql: "UPDATE subtree SET hash = \(blob(hash)) WHERE level = \(node.level) AND idx = \(node.index);",
                target: .subtree(level: node.level, index: node.index))
        case 4, 5:
            let checkpoint = snapshot.checkpoints.randomElement(using: &random)!
            let (note, offset) = flipOne(checkpoint.note, using: &random)
            return Change(
                kind: "checkpoint note byte", detail: "size \(checkpoint.size) byte \(offset)",
                sql: "UPDATE checkpoint SET note = \(text(note)) WHERE size = \(checkpoint.size);",
                target: .checkpoint(size: checkpoint.size))
        case 6:
            let checkpoint = snapshot.checkpoints.randomElement(using: &random)!
            let (root, offset) = flipOne(checkpoint.root, using: &random)
            return Change(
                kind: "checkpoint root byte", detail: "size \(checkpoint.size) byte \(offset)",
                sql: "UPDATE checkpoint SET root = \(blob(root)) WHERE size = \(checkpoint.size);",
                target: .checkpoint(size: checkpoint.size))
        case 7:
            let entry = entries.randomElement(using: &random)!
            return Change(
                kind: "entry row deleted", detail: "seq \(entry.seq)",
                sql: "DELETE FROM entry WHERE seq = \(entry.seq);",
                target: .entries([entry.seq]))
        case 8:
            // Two rows with different bodies swap places, each keeping its own (correct) leaf hash.
            let first = entries.randomElement(using: &random)!
            var second = entries.randomElement(using: &random)!
            while second.body == first.body { second = entries.randomElement(using: &random)! }
            return Change(
                kind: "entry rows swapped", detail: "seq \(first.seq) and \(second.seq)",
                sql: """
                    UPDATE entry SET body = \(blob(second.body)), leaf = \(blob(second.leaf)) WHERE seq = \(first.seq);
                    UPDATE entry SET body = \(blob(first.body)), leaf = \(blob(first.leaf)) WHERE seq = \(second.seq);
                    """, target: .entries([first.seq, second.seq]))
        case 9:
            // A copy of an existing row, correctly hashed, inserted past the end with a gap before it.
            let entry = entries.randomElement(using: &random)!
            let seq = size + Int.random(in: 1...3, using: &random)
            return Change(
                kind: "entry row inserted after a gap", detail: "copy of seq \(entry.seq) at seq \(seq)",
                sql: "INSERT INTO entry (seq, body, leaf) VALUES (\(seq), \(blob(entry.body)), \(blob(entry.leaf)));",
                target: .entries(Array(size..<seq)))
        case 10:
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                let node = snapshot.subtrees.randomElement(using: &random)!
                return Change(
                    kind: "subtree row deleted", detail: "level \(node.level) index \(node.index)",
                    sql: "DELETE FROM subtree WHERE level = \(node.level) AND idx = \(node.index);",
                    target: .subtree(level: node.level, index: node.index))
            case 1:
                // A subtree hash for leaves the log does not have (any level: the schema allows up to 63).
                let level = Int.random(in: 1...8, using: &random)
                let index = (size >> level) + Int.random(in: 1...4, using: &random)
                let hash = snapshot.subtrees.randomElement(using: &random)!.hash
                return Change(
                    kind: "subtree row inserted", detail: "level \(level) index \(index)",
                    sql: "INSERT INTO subtree (level, idx, hash) VALUES (\(level), \(index), \(blob(hash)));",
                    target: .subtree(level: level, index: index))
            default:
                let first = snapshot.subtrees.randomElement(using: &random)!
                var second = snapshot.subtrees.randomElement(using: &random)!
                while second.hash == first.hash { second = snapshot.subtrees.randomElement(using: &random)! }
                return Change(
                    kind: "subtree hashes swapped",
                    detail: "level \(first.level) index \(first.index) and level \(second.level) index \(second.index)",
                    sql: """
                        UPDATE subtree SET hash = \(blob(second.hash))
                            WHERE level = \(first.level) AND idx = \(first.index);
                        UPDATE subtree SET hash = \(blob(first.hash))
                            WHERE level = \(second.level) AND idx = \(second.index);
                        """, target: .subtree(level: first.level, index: first.index))
            }
        case 11:
            if Bool.random(using: &random), snapshot.checkpoints.count >= 2 {
                let pair = snapshot.checkpoints.shuffled(using: &random).prefix(2)
                let (first, second) = (pair.first!, pair.last!)
                return Change(
                    kind: "checkpoint notes swapped", detail: "sizes \(first.size) and \(second.size)",
                    sql: """
                        UPDATE checkpoint SET note = \(text(second.note)) WHERE size = \(first.size);
                        UPDATE checkpoint SET note = \(text(first.note)) WHERE size = \(second.size);
                        """, target: .checkpoint(size: first.size))
            }
            // A genuine note filed under another size (within the log, so only its text can tell).
            let checkpoint = snapshot.checkpoints.randomElement(using: &random)!
            let sizes = Set(snapshot.checkpoints.map(\.size))
            let other = (1...size).filter { !sizes.contains($0) }.randomElement(using: &random)!
            return Change(
                kind: "checkpoint row inserted", detail: "note of size \(checkpoint.size) at size \(other)",
                sql: "INSERT INTO checkpoint (size, root, note) VALUES (\(other), \(blob(checkpoint.root)), "
                    + "\(text(checkpoint.note)));", target: .checkpoint(size: other))
        case 12 where Bool.random(using: &random):
            // The clip index names another digest for a clip: the scrub would then look for the wrong object.
            let clip = snapshot.indexedClips.randomElement(using: &random)!
            let (digest, offset) = flipOne(Array(clip.sha256.utf8), using: &random)
            return Change(
                kind: "query table byte", detail: "idx_clip entry \(clip.entry) sha256 byte \(offset)",
                sql: "UPDATE idx_clip SET sha256 = \(text(digest)) WHERE entry = \(clip.entry);",
                target: .table("idx_clip"))
        case 12:
            let table = snapshot.indexTables.filter { $0.rows > 0 }.randomElement(using: &random)!
            let row = Int.random(in: 0..<table.rows, using: &random)
            // Delete one row of the cache; the verifier rebuilds the tables from the entries and compares.
            return Change(
                kind: "query table row deleted", detail: "\(table.name) row \(row)",
                sql:
                    "DELETE FROM \(table.name) WHERE rowid IN (SELECT rowid FROM \(table.name) LIMIT 1 OFFSET \(row));",
                target: .table(table.name))
        case 13:
            let object = snapshot.objects.randomElement(using: &random)!
            return Change(
                kind: "stored object deleted", detail: object.digest,
                footage: { root in
                    try FileManager.default.removeItem(at: root.appendingPathComponent(object.path))
                }, target: .object(object.digest))
        default:
            let object = snapshot.objects.randomElement(using: &random)!
            let offsetSeed = random.next()
            let mask = UInt8.random(in: 1...255, using: &random)
            return Change(
                kind: "stored object byte", detail: object.digest,
                footage: { root in
                    let url = root.appendingPathComponent(object.path)
                    var bytes = Array(try Data(contentsOf: url))
                    bytes[Int(offsetSeed % UInt64(bytes.count))] ^= mask
                    // Objects are 0440: make the file writable for the change, then put the mode back.
                    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: url.path)
                    try Data(bytes).write(to: url)
                    try FileManager.default.setAttributes([.posixPermissions: 0o440], ofItemAtPath: url.path)
                }, target: .object(object.digest))
        }
    }

    // MARK: - Naming

    /// Whether `report` names `target`.
    static func names(_ report: String, _ target: Target) -> Bool {
        switch target {
        case .entries(let indexes):
            return indexes.contains { index in
                report.contains("entry \(index):") || report.contains("entry \(index) ")
                    || ranges(in: report).contains { $0.contains(index) }
            }
        case .subtree(let level, let index):
            return report.contains("level \(level), index \(index) ")
        case .checkpoint(let size):
            return report.contains("checkpoint of size \(size):") || report.contains("checkpoint of size \(size) ")
        case .object(let digest):
            return report.contains(digest)
        case .table(let name):
            return report.contains("query table \(name) ")
        }
    }

    /// Every "entries A..<B" range a report names.
    static func ranges(in report: String) -> [Range<Int>] {
        report.matches(of: /entries (\d+)\.\.<(\d+)/).compactMap { match in
            guard let lower = Int(match.1), let upper = Int(match.2), lower < upper else { return nil }
            return lower..<upper
        }
    }

    // MARK: - The campaign

    @Test func everyRandomChangeIsCaughtAndNamed() throws {
        let work = try TemporaryDirectory(prefix: "custody-tamper")
        let station = try populatedStation(work: work)
        let snapshot = try snapshot(station)
        try #require(snapshot.entries.count >= 20, "only \(snapshot.entries.count) entries")
        try #require(snapshot.objects.count == 7, "stored objects: \(snapshot.objects.map(\.path))")
        try #require(snapshot.checkpoints.count == 3, "checkpoints at \(snapshot.checkpoints.map(\.size))")
        try #require(snapshot.indexedClips.count == 7, "indexed clips: \(snapshot.indexedClips.map(\.entry))")
        let pristine = work.file("pristine-state")
        try #require(
            try CommandRunner.run(URL(fileURLWithPath: "/bin/cp"), ["-a", station.stateDirectory.path, pristine.path])
                .status == 0)
        let dropTriggers = snapshot.triggers.map { "DROP TRIGGER \($0);" }.joined()

        func freshCopy() throws {
            try? FileManager.default.removeItem(at: station.stateDirectory)
            let copy = try CommandRunner.run(
                URL(fileURLWithPath: "/bin/cp"), ["-a", pristine.path, station.stateDirectory.path])
            try #require(copy.status == 0, "cp: \(copy.standardError)")
        }

        // The restore check: the unmodified copy verifies, deep, before and after the campaign.
        try freshCopy()
        let clean = try station.custody(["verify", "--deep"])
        try #require(clean.status == 0, "the untouched station does not verify: \(clean.standardOutput)")

        var random = SeededGenerator(seed: Self.seed)
        var caught = 0
        var byKind: [String: Int] = [:]
        for number in 0..<Self.changeCount {
            let change = Self.draw(snapshot, using: &random)
            try freshCopy()
            if let sql = change.sql {
                let output = try SQLiteShell.run(dropTriggers + sql, on: station.database)
                try #require(output.succeeded, "change \(number) (\(change.kind), \(change.detail)): \(output)")
            }
            try change.footage?(station.stateDirectory)
            let result = try station.custody(["verify", "--deep"])
            let report = result.standardOutput + result.standardError
            if result.status != 0 && Self.names(report, change.target) {
                caught += 1
                byKind[change.kind, default: 0] += 1
            } else {
                Issue.record(
                    """
                    change \(number) (\(change.kind), \(change.detail); seed \(Self.seed)): verify exited \
                    \(result.status) and must exit non-zero naming \(change.target); it printed:
                    \(report)
                    """)
            }
        }

        try freshCopy()
        #expect(try station.custody(["verify", "--deep"]).status == 0, "the unmodified copy no longer verifies")
        #expect(caught == Self.changeCount)
        print("tamper campaign: \(Self.changeCount) changes applied, \(caught) caught and named (seed \(Self.seed))")
        for (kind, count) in byKind.sorted(by: { $0.key < $1.key }) { print("  \(kind): \(count)") }
    }
}
