import CustodyTesting
import Foundation
import Testing

/// Malformed requests to the CLI end in a clear message and a non-zero exit, never a crash (exit by signal).
@Suite struct CLIErrorTests {
    @Test func initIsCompleteFirstStepAndIdempotent() throws {
        let station = try CLITestStation()
        let again = try station.custody(["init"])
        #expect(again.status == 0)
        #expect(again.standardOutput.contains("existing"))
        let key = try station.custody(["verifier-key"])
        #expect(key.status == 0)
        #expect(again.standardOutput.contains(key.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(key.standardOutput.hasPrefix("test.example/station-1+"))
        let attributes = try FileManager.default.attributesOfItem(atPath: station.keyFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func missingConfigurationSaysToRunInit() throws {
        let result = try CommandRunner.custody(
            config: URL(fileURLWithPath: "/nonexistent/custody.toml"), ["entries"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("custody --config /nonexistent/custody.toml init"))
    }

    @Test func proofRequestsBeyondTheTreeAreRefusedClearly() throws {
        let station = try CLITestStation()
        #expect(try station.custody(["append-note", "--text", "one", "--count", "3"]).status == 0)
        let cases: [([String], String)] = [
            (["prove", "inclusion", "--index", "3"], "not in a tree of size 3"),
            (["prove", "inclusion", "--index", "0", "--size", "4"], "beyond the log"),
            (["prove", "inclusion", "--index", "18446744073709551615"], "not in a tree"),
            (["prove", "consistency", "--from", "0"], "at least 1"),
            (["prove", "consistency", "--from", "3", "--to", "2"], "larger than the new size"),
            (["prove", "consistency", "--from", "1", "--to", "99999999999999"], "beyond the log"),
        ]
        for (arguments, message) in cases {
            let result = try station.custody(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
        for arguments in [
            ["prove", "inclusion", "--index", "-1"], ["prove", "inclusion", "--index", "99999999999999999999999"],
            ["entries", "--limit", "-5"], ["prove", "inclusion", "--index", "abc"],
        ] {
            let result = try station.custody(arguments)
            #expect(result.status == 64, "\(arguments) should be a usage error: \(result.standardError)")
        }
    }

    @Test func oversizeNoteIsRefusedAndNothingIsAppended() throws {
        let station = try CLITestStation()
        let result = try station.custody(["append-note", "--text", String(repeating: "证", count: 30_000)])
        #expect(result.status == 1)
        #expect(result.standardError.contains("64 KiB"))
        #expect(try station.custody(["entries"]).standardOutput.isEmpty)
    }

    @Test func malformedKeysAndSavedCheckpointsAreRefusedClearly() throws {
        let station = try CLITestStation()
        #expect(try station.custody(["append-note", "--text", "x"]).status == 0)
        let badKey = try station.custody(["verify", "--key", "not-a-key"])
        #expect(badKey.status == 1)
        #expect(badKey.standardError.contains("not a verifier key"))
        let junk = station.folder.appendingPathComponent("junk.note")
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: junk)
        let badNote = try station.custody(["verify", "--against", junk.path])
        #expect(badNote.status == 1)
        #expect(badNote.standardOutput.contains("saved checkpoint"))
    }

    @Test func keyFileReadableByOthersIsRefused() throws {
        let station = try CLITestStation()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: station.keyFile.path)
        let result = try station.custody(["checkpoint", "--sign"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("chmod 600"))
    }

    @Test func configurationErrorsNameTheKey() throws {
        let station = try CLITestStation()
        try Data("[storage]\nstate_directory = \"state\"\n[manifest]\norgin = \"x\"\n".utf8).write(to: station.config)
        let result = try station.custody(["entries"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("unknown setting manifest.orgin"))
    }
}
