import GRDB

/// The manifest's SQLite schema: raw SQL migrations that only ever add (shared/STYLE.md habit 10).
///
/// Every table is STRICT. Triggers refuse UPDATE and DELETE, an entry whose seq is not the next one, a subtree
/// hash or checkpoint that already exists (so `INSERT OR REPLACE` fails even on a connection without
/// `recursive_triggers`), a subtree beyond the tree, and a checkpoint below the latest or beyond the tree.
/// Triggers stop accidents only; tamper evidence comes from signed checkpoints held elsewhere (Art 6, Art 28).
enum ManifestSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-manifest") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-index") { db in
            try db.execute(sql: ManifestIndex.v2)
            try ManifestIndex.rebuild(db)
        }
        return migrator
    }

    static let v1 = """
        CREATE TABLE entry (
            seq INTEGER PRIMARY KEY CHECK (seq >= 0),
            body BLOB NOT NULL CHECK (length(body) BETWEEN 1 AND 65535),
            leaf BLOB NOT NULL CHECK (length(leaf) = 32)
        ) STRICT;

        CREATE TABLE subtree (
            level INTEGER NOT NULL CHECK (level >= 1 AND level < 64),
            idx INTEGER NOT NULL CHECK (idx >= 0),
            hash BLOB NOT NULL CHECK (length(hash) = 32),
            PRIMARY KEY (level, idx)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE checkpoint (
            size INTEGER PRIMARY KEY CHECK (size >= 0),
            root BLOB NOT NULL CHECK (length(root) = 32),
            note TEXT NOT NULL
        ) STRICT;

        CREATE TRIGGER entry_append_only_update BEFORE UPDATE ON entry
        BEGIN SELECT RAISE(ABORT, 'custody: manifest entries are append-only (UPDATE refused)'); END;
        CREATE TRIGGER entry_append_only_delete BEFORE DELETE ON entry
        BEGIN SELECT RAISE(ABORT, 'custody: manifest entries are append-only (DELETE refused)'); END;
        CREATE TRIGGER entry_dense_seq BEFORE INSERT ON entry
        WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq) + 1, 0) FROM entry)
        BEGIN SELECT RAISE(ABORT, 'custody: a new entry must take the next seq'); END;

        CREATE TRIGGER subtree_append_only_update BEFORE UPDATE ON subtree
        BEGIN SELECT RAISE(ABORT, 'custody: subtree hashes are append-only (UPDATE refused)'); END;
        CREATE TRIGGER subtree_append_only_delete BEFORE DELETE ON subtree
        BEGIN SELECT RAISE(ABORT, 'custody: subtree hashes are append-only (DELETE refused)'); END;
        CREATE TRIGGER subtree_insert_once BEFORE INSERT ON subtree
        WHEN EXISTS (SELECT 1 FROM subtree WHERE level = NEW.level AND idx = NEW.idx)
        BEGIN SELECT RAISE(ABORT, 'custody: a subtree hash is written once (REPLACE refused)'); END;
        CREATE TRIGGER subtree_within_tree BEFORE INSERT ON subtree
        WHEN ((NEW.idx + 1) << NEW.level) > (SELECT COALESCE(MAX(seq) + 1, 0) FROM entry)
        BEGIN SELECT RAISE(ABORT, 'custody: a subtree hash must cover existing entries'); END;

        CREATE TRIGGER checkpoint_append_only_update BEFORE UPDATE ON checkpoint
        BEGIN SELECT RAISE(ABORT, 'custody: checkpoints are append-only (UPDATE refused)'); END;
        CREATE TRIGGER checkpoint_append_only_delete BEFORE DELETE ON checkpoint
        BEGIN SELECT RAISE(ABORT, 'custody: checkpoints are append-only (DELETE refused)'); END;
        CREATE TRIGGER checkpoint_insert_once BEFORE INSERT ON checkpoint
        WHEN EXISTS (SELECT 1 FROM checkpoint WHERE size >= NEW.size)
        BEGIN SELECT RAISE(ABORT, 'custody: a checkpoint must be larger than every earlier one'); END;
        CREATE TRIGGER checkpoint_within_tree BEFORE INSERT ON checkpoint
        WHEN NEW.size > (SELECT COALESCE(MAX(seq) + 1, 0) FROM entry)
        BEGIN SELECT RAISE(ABORT, 'custody: a checkpoint cannot cover entries that do not exist'); END;
        """
}
