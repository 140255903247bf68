import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// Every kept fuzz input of the manifest's parsers, the seed corpus and the crashers found (`Fuzz/corpus/<name>`,
/// `Fuzz/regressions/<name>`), replayed through the very checks the libFuzzer targets run, so that a regression
/// fails `make test` without the fuzzer runtime (docs/fuzzing.md).
@Suite struct FuzzRegressionTests {
    @Test func canonicalJSONInputsKeepTheirInvariants() throws {
        try FuzzInputs.replay("canonical-json", minimum: 5, CanonicalJSONFuzzCheck.check)
    }

    @Test func signedNoteInputsKeepTheirInvariants() throws {
        try FuzzInputs.replay("signed-note", minimum: 3, SignedNoteFuzzCheck.check)
    }

    @Test func merkleProofInputsKeepTheirInvariants() throws {
        try FuzzInputs.replay("merkle-proof", minimum: 4, MerkleProofFuzzCheck.check)
    }

    /// The checks are not vacuous: each refuses an input that breaks its invariant by construction.
    @Test func checksReportWhatTheyCheck() throws {
        // A valid entry is accepted and kept byte for byte; the same entry with whitespace is refused, not reported.
        let entry = try SampleEntries.note("fuzz")
        #expect(CanonicalJSONFuzzCheck.check(entry.body) == nil)
        #expect(try ManifestEntry(body: entry.body).body == entry.body)
        #expect(CanonicalJSONFuzzCheck.check(Array(" ".utf8) + entry.body) == nil)
        // An unmutated proof must verify: a tree of 5 leaves, leaf 3, inclusion and consistency.
        #expect(MerkleProofFuzzCheck.check([5, 3, 0]) == nil)
        #expect(MerkleProofFuzzCheck.check([5, 3, 1]) == nil)
        // A seed note opens with the fixed key and its text was signed.
        for note in SignedNoteFuzzCheck.seedNotes {
            #expect(SignedNoteFuzzCheck.check(Array(note.utf8)) == nil)
        }
    }

    /// Writes the seed corpus when `CUSTODY_FUZZ_WRITE_SEEDS=1`: real entry bodies, signed notes and proof inputs.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CUSTODY_FUZZ_WRITE_SEEDS"] == "1"))
    func writeSeedCorpus() throws {
        func write(_ name: String, _ file: String, _ bytes: [UInt8]) throws {
            let folder = FuzzInputs.folder.appendingPathComponent("corpus").appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: folder.appendingPathComponent(file))
        }
        let time = SampleEntries.time
        let digest = SHA256Hash.of(Data("clip".utf8)).hex
        let entries: [ManifestEntry] = [
            try SampleEntries.note("note 0"),
            try ManifestEntry(
                type: .clipIngested, time: time,
                fields: [
                    "sha256": .string(digest), "size": .int(1_048_576), "recorder": .string("BWC0001"),
                    "path": .string("DCIM/100MEDIA/BWC0001_64000123_20261129161530_0001.MP4"),
                    "officer": .string("64000123"), "name": .string("张伟 \"quoted\"\n\t\\"),
                    "start": .string("2026-11-29T08:15:30Z"), "duration": .int(-9_223_372_036_854_775_808),
                    "flags": .array([.bool(true), .bool(false), .null, .int(0)]),
                    "refers": .object(["index": .int(3), "leaf": .string(digest), "nested": .object([:])]),
                ]),
            try ManifestEntry(type: .recordingGap, time: time, fields: ["kind": .string("missingSequence")]),
        ]
        for (position, entry) in entries.enumerated() {
            try write("canonical-json", "entry-\(position).json", entry.body)
        }
        try write("canonical-json", "values.json", Array(#"[0,-1,9223372036854775807,"\u001f",[],{},[[[]]]]"#.utf8))
        try write("canonical-json", "escapes.json", Array(#"{"\"":"\\","\b":"\u0000é/"}"#.utf8))
        for (position, note) in SignedNoteFuzzCheck.seedNotes.enumerated() {
            try write("signed-note", "note-\(position).txt", Array(note.utf8))
        }
        let signer = try NoteSigner.generate(name: "test.example/station-1")
        let checkpoint = Checkpoint(origin: signer.name, size: 10, root: MerkleHash.leaf([1]))
        try write("signed-note", "checkpoint.txt", Array(try signer.sign(text: checkpoint.text).serialized.utf8))
        try write("signed-note", "verifier-key.txt", Array(signer.verifier.verifierKey.utf8))
        try write("merkle-proof", "inclusion-5-3", [4, 3, 0])
        try write("merkle-proof", "consistency-5-3", [4, 2, 1])
        try write("merkle-proof", "inclusion-64-17-mutated", [63, 17, 0, 0, 1, 5, 3, 2, 0, 1, 0, 6, 18, 0, 0])
        try write("merkle-proof", "consistency-100-64-mutated", [99, 63, 1, 1, 0, 0, 0, 4, 7, 2, 0, 7, 9, 0, 0])
    }
}
