public import CustodyCore
public import Foundation
import GRDB

/// The manifest on disk: the one type through which every entry, subtree hash and checkpoint is written.
///
/// SQLite through GRDB in WAL mode with `synchronous=FULL` (with NORMAL a committed entry can vanish on power loss
/// and the log would fork) and `recursive_triggers=ON` on every connection. Readers (CLI, HTTP) open it read-only.
/// Proofs cost O(log n) reads of stored subtree hashes (RFC 9162 §2.1), through cached statements; an append
/// transaction reads the tree's right edge once (O(log n)) and keeps it in memory for its batch.
public final class ManifestStore: Sendable {
    /// The database file.
    public let url: URL
    /// Whether this handle may write.
    public let isReadOnly: Bool
    private let pool: DatabasePool

    private init(url: URL, pool: DatabasePool, readOnly: Bool) {
        self.url = url
        self.pool = pool
        self.isReadOnly = readOnly
    }

    /// Opens (and, when writable, creates and migrates) the manifest at `url`.
    public static func open(at url: URL, readOnly: Bool = false) throws(ManifestError) -> ManifestStore {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA recursive_triggers = ON")
            if !readOnly { try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        if readOnly, !FileManager.default.fileExists(atPath: url.path) {
            throw ManifestError(.io, "there is no manifest at \(url.path); run `custody init` first")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: url.path, configuration: configuration)
            if !readOnly {
                // GRDB's DatabasePool sets synchronous=NORMAL on its writer when it enables WAL, after
                // prepareDatabase ran: set FULL again on that (single, long-lived) writer connection.
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
                try ManifestSchema.migrator.migrate(pool)
            } else if try pool.read({ try !$0.tableExists("entry") }) {
                throw ManifestError(.io, "\(url.path) is not a Custody manifest")
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(.database, "cannot open the manifest at \(url.path)", cause: String(describing: error))
        }
        return ManifestStore(url: url, pool: pool, readOnly: readOnly)
    }

    // MARK: - Database access with typed errors

    func read<T>(_ body: (Database) throws -> T) throws(ManifestError) -> T {
        do {
            return try pool.read(body)
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(.database, "reading the manifest failed", cause: String(describing: error))
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(ManifestError) -> T {
        guard !isReadOnly else { throw ManifestError(.database, "the manifest was opened read-only") }
        do {
            return try pool.write(body)
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(.database, "writing the manifest failed", cause: String(describing: error))
        }
    }

    // MARK: - Reading

    /// The number of entries.
    public func size() throws(ManifestError) -> UInt64 {
        try read { try Self.size($0) }
    }

    static func size(_ db: Database) throws -> UInt64 {
        UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq) + 1, 0) FROM entry") ?? 0)
    }

    /// Up to `limit` entries from index `start`, in order.
    public func entries(start: UInt64, limit: Int) throws(ManifestError) -> [StoredEntry] {
        guard start <= UInt64(Int64.max), limit >= 0 else {
            throw ManifestError(.invalidRequest, "start and limit must be non-negative")
        }
        return try read { db in
            try Row.fetchAll(
                db, sql: "SELECT seq, body, leaf FROM entry WHERE seq >= ? ORDER BY seq LIMIT ?",
                arguments: [Int64(start), limit]
            ).map(StoredEntry.init(row:))
        }
    }

    /// The entry at `index`.
    public func entry(at index: UInt64) throws(ManifestError) -> StoredEntry {
        guard let entry = try entries(start: index, limit: 1).first, entry.index == index else {
            throw ManifestError(.invalidRequest, "there is no entry \(index); the log has \(try size()) entries")
        }
        return entry
    }

    /// The Merkle root of the first `size` entries (the current size when nil).
    public func root(size: UInt64? = nil) throws(ManifestError) -> SHA256Hash {
        try read { db in
            let current = try Self.size(db)
            let size = size ?? current
            try Self.requireSize(size, within: current)
            return try MerkleTree(source: DatabaseSubtreeHashes(db: db)).root(size: size)
        }
    }

    /// The inclusion proof for entry `index` in the tree of `size` entries (the current size when nil).
    public func inclusionProof(index: UInt64, size: UInt64? = nil) throws(ManifestError) -> InclusionProof {
        try read { db in
            let current = try Self.size(db)
            let size = size ?? current
            try Self.requireSize(size, within: current)
            let tree = MerkleTree(source: DatabaseSubtreeHashes(db: db))
            let path = try tree.inclusionProof(index: index, size: size)
            let leaf = try DatabaseSubtreeHashes(db: db).subtreeHash(level: 0, index: index)
            return InclusionProof(index: index, size: size, leafHash: leaf, path: path, root: try tree.root(size: size))
        }
    }

    /// The consistency proof from the tree of `from` entries to that of `to` entries (the current size when nil).
    public func consistencyProof(from: UInt64, to: UInt64? = nil) throws(ManifestError) -> ConsistencyProof {
        try read { db in
            let current = try Self.size(db)
            let to = to ?? current
            try Self.requireSize(to, within: current)
            let tree = MerkleTree(source: DatabaseSubtreeHashes(db: db))
            let path = try tree.consistencyProof(from: from, to: to)
            return ConsistencyProof(
                oldSize: from, newSize: to, oldRoot: try tree.root(size: from), newRoot: try tree.root(size: to),
                path: path)
        }
    }

    static func requireSize(_ size: UInt64, within current: UInt64) throws(ManifestError) {
        guard size <= current else {
            throw ManifestError(
                .invalidRequest, "the tree size \(size) is beyond the log, which has \(current) entries")
        }
    }

    // MARK: - Appending

    /// Appends `entry` and returns its index and leaf hash once the transaction is durably committed.
    @discardableResult
    public func append(_ entry: ManifestEntry) throws(ManifestError) -> StoredEntry {
        try append(contentsOf: [entry])[0]
    }

    /// Appends `entries` in one transaction: all of them are committed, or none.
    ///
    /// The right edge of the tree (the hashes of its perfect subtrees, one per set bit of the size) is read once
    /// per transaction and kept in memory while the batch is appended, so each entry costs one leaf hash, the node
    /// hashes it completes and cached INSERT statements, never a read-back of subtree hashes.
    public func append(contentsOf entries: [ManifestEntry]) throws(ManifestError) -> [StoredEntry] {
        try write { db in try Self.append(entries, db: db) }
    }

    /// Appends `entries` in one transaction only if the log still holds `expectedSize` entries, the size the caller
    /// read before deciding on them; otherwise appends nothing and throws `conflict`. The check and the append are
    /// one write transaction, so no other writer can come between them (a purge must not follow a hold placed after
    /// it was planned, Art 26).
    public func append(contentsOf entries: [ManifestEntry], ifSizeIs expectedSize: UInt64) throws(ManifestError)
        -> [StoredEntry]
    {
        try write { db in
            let size = try Self.size(db)
            guard size == expectedSize else {
                throw ManifestError(
                    .conflict,
                    "the manifest grew from \(expectedSize) to \(size) entries since it was read; nothing was appended")
            }
            return try Self.append(entries, db: db)
        }
    }

    /// Appends `entries` within the write transaction `db`.
    private static func append(_ entries: [ManifestEntry], db: Database) throws -> [StoredEntry] {
        var stored = [StoredEntry]()
        stored.reserveCapacity(entries.count)
        let start = try Self.size(db)
        var frontier = try Self.frontier(size: start, source: DatabaseSubtreeHashes(db: db))
        let insertEntry = try db.cachedStatement(sql: "INSERT INTO entry (seq, body, leaf) VALUES (?, ?, ?)")
        let insertSubtree = try db.cachedStatement(sql: "INSERT INTO subtree (level, idx, hash) VALUES (?, ?, ?)")
        for entry in entries {
            let next = frontier.size
            let leaf = entry.leafHash
            try insertEntry.execute(arguments: [Int64(next), Data(entry.body), Data(leaf.bytes)])
            for node in frontier.append(leaf: leaf) {
                try insertSubtree.execute(arguments: [node.level, Int64(node.index), Data(node.hash.bytes)])
            }
            try ManifestIndex.apply(entry, index: next, db: db)
            stored.append(StoredEntry(index: next, body: entry.body, leafHash: leaf))
        }
        return stored
    }

    /// The right edge of the stored tree of `size` leaves: its perfect subtrees, largest (leftmost) first, read
    /// from `source` (popcount(size) reads).
    static func frontier(size: UInt64, source: some SubtreeHashSource) throws(ManifestError) -> MerkleFrontier {
        var subtrees = [(level: Int, hash: SHA256Hash)]()
        for level in stride(from: 63, through: 0, by: -1) where size & (UInt64(1) << UInt64(level)) != 0 {
            subtrees.append((level, try source.subtreeHash(level: level, index: (size >> UInt64(level)) - 1)))
        }
        return MerkleFrontier(size: size, subtrees: subtrees)
    }

    // MARK: - Checkpoints

    /// Signs a checkpoint of the current tree, unless the latest checkpoint already covers every entry, in which
    /// case that one is returned. Never signs two checkpoints of one size.
    @discardableResult
    public func signCheckpoint(with signer: NoteSigner) throws(ManifestError) -> StoredCheckpoint {
        try write { db in
            let size = try Self.size(db)
            if let latest = try Self.latestCheckpoint(db), latest.size == size { return latest }
            let root = try MerkleTree(source: DatabaseSubtreeHashes(db: db)).root(size: size)
            let checkpoint = Checkpoint(origin: signer.name, size: size, root: root)
            let note = try signer.sign(text: checkpoint.text)
            try db.execute(
                sql: "INSERT INTO checkpoint (size, root, note) VALUES (?, ?, ?)",
                arguments: [Int64(size), Data(root.bytes), note.serialized])
            return StoredCheckpoint(size: size, root: root, note: note.serialized)
        }
    }

    /// The most recent checkpoint, if one has been signed.
    public func latestCheckpoint() throws(ManifestError) -> StoredCheckpoint? {
        try read { try Self.latestCheckpoint($0) }
    }

    static func latestCheckpoint(_ db: Database) throws -> StoredCheckpoint? {
        try Row.fetchOne(db, sql: "SELECT size, root, note FROM checkpoint ORDER BY size DESC LIMIT 1")
            .map(StoredCheckpoint.init(row:))
    }

    /// Every checkpoint, smallest first.
    public func checkpoints() throws(ManifestError) -> [StoredCheckpoint] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT size, root, note FROM checkpoint ORDER BY size")
                .map(StoredCheckpoint.init(row:))
        }
    }

    /// Calls `body` with batches of entries in order from `start`, in one read transaction (a consistent snapshot).
    func forEachEntryBatch(
        from start: UInt64 = 0, batchSize: Int = 4096, _ body: ([StoredEntry], Database) throws -> Void
    ) throws(ManifestError) {
        try read { db in
            var next = Int64(start)
            while true {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT seq, body, leaf FROM entry WHERE seq >= ? ORDER BY seq LIMIT ?",
                    arguments: [next, batchSize])
                guard !rows.isEmpty else { return }
                let batch = rows.map(StoredEntry.init(row:))
                try body(batch, db)
                next = Int64(batch.last!.index) + 1
            }
        }
    }

    /// Runs `body` inside one read transaction.
    func snapshot<T>(_ body: (Database) throws -> T) throws(ManifestError) -> T {
        try read(body)
    }
}

/// Complete-subtree hashes read from the database: level 0 from `entry.leaf`, higher levels from `subtree`.
struct DatabaseSubtreeHashes: SubtreeHashSource {
    let db: Database

    func subtreeHash(level: Int, index: UInt64) throws(ManifestError) -> SHA256Hash {
        let data: Data?
        do {
            if level == 0 {
                data = try Data.fetchOne(
                    db.cachedStatement(sql: "SELECT leaf FROM entry WHERE seq = ?"), arguments: [Int64(index)])
            } else {
                data = try Data.fetchOne(
                    db.cachedStatement(sql: "SELECT hash FROM subtree WHERE level = ? AND idx = ?"),
                    arguments: [level, Int64(index)])
            }
        } catch {
            throw ManifestError(.database, "reading subtree hash \(level)/\(index) failed", cause: String(describing: error))
        }
        guard let data else {
            throw ManifestError(
                .inconsistent, "the stored subtree hash at level \(level), index \(index) is missing; run `custody verify`")
        }
        guard let digest = SHA256Hash(bytes: data) else {
            throw ManifestError(.inconsistent, "the stored subtree hash at level \(level), index \(index) is not 32 bytes")
        }
        return digest
    }
}
