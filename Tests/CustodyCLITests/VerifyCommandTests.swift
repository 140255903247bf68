import CustodyTesting
import Foundation
import Testing

/// `custody verify` exits 0 on an intact log and 1, naming the problem, on each kind of tampering.
@Suite struct VerifyCommandTests {
    /// A station with 10 notes and checkpoints at 4 and 10.
    func populated() throws -> CLITestStation {
        let station = try CLITestStation()
        #expect(try station.custody(["append-note", "--text", "note", "--count", "4"]).status == 0)
        #expect(try station.custody(["checkpoint", "--sign"]).status == 0)
        #expect(try station.custody(["append-note", "--text", "more", "--count", "6"]).status == 0)
        #expect(try station.custody(["checkpoint", "--sign"]).status == 0)
        return station
    }

    @Test func intactLogVerifies() throws {
        let station = try populated()
        let result = try station.custody(["verify"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("manifest verified: 10 entries, 2 checkpoints"))
    }

    @Test func changedEntryBodyIsDetected() throws {
        let station = try populated()
        try station.sqlite("DROP TRIGGER entry_append_only_update; UPDATE entry SET body = CAST(replace(CAST(body AS TEXT), 'note', 'NOTE') AS BLOB) WHERE seq = 2;")
        let result = try station.custody(["verify"])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("entry 2: the body does not hash to the stored leaf"))
    }

    @Test func removedTailBelowSignedCheckpointIsDetected() throws {
        let station = try populated()
        try station.sqlite("DROP TRIGGER entry_append_only_delete; DELETE FROM entry WHERE seq >= 8;")
        let result = try station.custody(["verify"])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("checkpoint of size 10 signs more entries than the log holds (8)"))
    }

    @Test func checkpointSignedByAnotherKeyIsDetected() throws {
        let station = try populated()
        let other = try CLITestStation()
        #expect(try other.custody(["append-note", "--text", "other"]).status == 0)
        let forged = try other.custody(["checkpoint", "--sign"]).standardOutput
        // Same origin, same size 1 text would be a different tree; swap the note of checkpoint 4 for the forged one.
        try station.sqlite(
            "DROP TRIGGER checkpoint_append_only_update; UPDATE checkpoint SET note = '\(forged.replacingOccurrences(of: "'", with: "''"))' WHERE size = 4;"
        )
        let result = try station.custody(["verify"])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("checkpoint of size 4"))
        #expect(result.standardOutput.contains("signed by another key") || result.standardOutput.contains("does not verify"))
    }

    @Test func savedCheckpointDetectsRollbackAndRewrite() throws {
        let station = try populated()
        let saved = station.folder.appendingPathComponent("saved.note")
        try Data(try station.custody(["checkpoint"]).standardOutput.utf8).write(to: saved)
        #expect(try station.custody(["append-note", "--text", "later"]).status == 0)
        let fine = try station.custody(["verify", "--against", saved.path])
        #expect(fine.status == 0)
        #expect(fine.standardOutput.contains("saved checkpoint of size 10 is a prefix"))

        // Roll back below the saved checkpoint, removing the signed checkpoint rows too: the saved copy still knows.
        try station.sqlite(
            "DROP TRIGGER entry_append_only_delete; DROP TRIGGER checkpoint_append_only_delete; "
                + "DELETE FROM entry WHERE seq >= 9; DELETE FROM checkpoint WHERE size >= 10; DELETE FROM subtree;")
        let rolledBack = try station.custody(["verify", "--against", saved.path])
        #expect(rolledBack.status == 1)
        #expect(rolledBack.standardOutput.contains("signed entries were removed"))
    }
}
