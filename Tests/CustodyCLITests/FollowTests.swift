import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `custody follow`, the reference consumer of the feed: against a live custodyd it prints each entry exactly once and
/// advances its state; against a station that rewrites its history (validly signed, as a compromised station would)
/// it stops with exit status 3 and keeps both checkpoints.
@Suite(.serialized) struct FollowTests {
    /// Runs `custody follow URL --key KEY --state STATE --once` with the token in `CUSTODY_TOKEN`.
    static func follow(_ url: String, key: String, state: URL, token: String, _ extra: [String] = [])
        throws -> CommandRunner.Result
    {
        try CommandRunner.run(
            CommandRunner.custody, ["follow", url, "--key", key, "--state", state.path, "--once"] + extra,
            environment: ["CUSTODY_TOKEN": token])
    }

    /// The indexes of the printed JSON lines, checking each line's shape on the way.
    static func indexes(_ output: String) throws -> [Int64] {
        try output.split(separator: "\n").map { line in
            let value = try CanonicalJSON.decode(Array(line.utf8))
            let entry = try #require(value["entry"])
            let leaf = try #require(value["leaf"]?.stringValue)
            #expect(MerkleHash.leaf(CanonicalJSON.encode(entry)).hex == leaf)
            return try #require(value["index"]?.intValue)
        }
    }

    @Test func followingALiveStationPrintsEachEntryOnceAndAdvancesTheState() throws {
        let station = try CLITestStation()
        try station.setConfiguration("http", "port", "0")
        #expect(try station.custody(["append-note", "--text", "before", "--count", "3"]).status == 0)
        let added = try station.custody(["tokens", "add", "--name", "case-system", "--role", "caseSystem"])
        let token = try #require(added.standardOutput.split(separator: "\n").first.map(String.init))
        let key = try station.custody(["verifier-key"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let (daemon, err, _) = try station.startDaemon(until: "HTTP listening")
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            _ = err.fileHandleForReading.readDataToEndOfFile()
            daemon.waitUntilExit()
        }
        let port = try String(
            contentsOf: station.stateDirectory.appendingPathComponent("run/http.port"), encoding: .utf8
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let url = "http://127.0.0.1:\(port)"
        let state = station.folder.appendingPathComponent("follower/state.txt")
        try FileManager.default.createDirectory(at: state.deletingLastPathComponent(), withIntermediateDirectories: true)

        let first = try Self.follow(url, key: key, state: state, token: token, ["--page-size", "2"])
        #expect(first.status == 0, "\(first.standardError)")
        let signed = try String(contentsOf: state, encoding: .utf8)
        let size = try Checkpoint(text: try SignedNote(serialized: signed).text).size
        #expect(try Self.indexes(first.standardOutput) == Array(0..<Int64(size)))

        #expect(try station.custody(["append-note", "--text", "between", "--count", "2"]).status == 0)
        #expect(try station.custody(["checkpoint", "--sign"]).status == 0)
        let second = try Self.follow(url, key: key, state: state, token: token)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(try Self.indexes(second.standardOutput) == [Int64(size), Int64(size) + 1])
        #expect(second.standardOutput.contains("\"text\":\"between"))
        #expect(try String(contentsOf: state, encoding: .utf8) == station.custody(["checkpoint"]).standardOutput)

        let third = try Self.follow(url, key: key, state: state, token: token)
        #expect(third.status == 0)
        #expect(third.standardOutput.isEmpty)
        for run in [first, second, third] {
            #expect(!run.standardOutput.contains(token) && !run.standardError.contains(token))
        }

        let refused = try Self.follow(url, key: key, state: state, token: "custody_wrong")
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("401"))
    }

    // MARK: - A station that rewrites its history

    /// A feed served by `Tests/interop/feedserver.py` from a folder that the test switches between histories.
    final class FeedServer {
        let root: URL
        let process = Process()
        let url: String
        static let token = "custody_test-follow-token"

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("custody-feed-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [
                CommandRunner.packageRoot.appendingPathComponent("Tests/interop/feedserver.py").path, root.path,
                Self.token,
            ]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            // The server prints its port once it listens: reading that line is the synchronisation.
            var line = ""
            while !line.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += String(decoding: chunk, as: UTF8.self)
            }
            url = "http://127.0.0.1:\(line.trimmingCharacters(in: .whitespacesAndNewlines))"
        }

        deinit {
            // SIGKILL: the test process may hand its children a blocked SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: root)
        }

        /// Writes what the feed serves for `store` at `size` (its signed checkpoint `note`) and serves it from now on.
        func serve(_ store: ManifestStore, size: UInt64, note: String, as name: String) throws {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            func write(_ file: String, _ value: JSONValue) throws {
                try Data(CanonicalJSON.encode(value)).write(to: folder.appendingPathComponent(file))
            }
            try Data(note.utf8).write(to: folder.appendingPathComponent("checkpoint"))
            let entries = try store.entries(start: 0, limit: Int(size))
            try write(
                "entries.json",
                .array(entries.map { ["index": .int(Int64($0.index)), "leaf": .string($0.leafHash.hex), "body": .string($0.text)] }))
            for from in 1...size {
                let proof = try store.consistencyProof(from: from, to: size)
                try write(
                    "consistency-\(from)-\(size).json",
                    [
                        "from": .int(Int64(from)), "to": .int(Int64(size)), "old_root": .string(proof.oldRoot.hex),
                        "new_root": .string(proof.newRoot.hex), "proof": .array(proof.path.map { .string($0.hex) }),
                    ])
                let inclusion = try store.inclusionProof(index: from - 1, size: from)
                try write(
                    "inclusion-\(from - 1)-\(from).json",
                    [
                        "index": .int(Int64(from - 1)), "size": .int(Int64(from)),
                        "leaf": .string(inclusion.leafHash.hex), "root": .string(inclusion.root.hex),
                        "proof": .array(inclusion.path.map { .string($0.hex) }),
                    ])
            }
            let link = root.appendingPathComponent("current")
            let next = root.appendingPathComponent("current.next")
            try FileManager.default.createSymbolicLink(atPath: next.path, withDestinationPath: folder.path)
            guard rename(next.path, link.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        }
    }

    /// Two stores signed by one key with a common prefix of 10 entries, then 5 different ones each; the rewritten one
    /// grows 4 more. Returns the stores and their checkpoint notes by size.
    static func histories(_ directory: TemporaryDirectory) throws
        -> (original: ManifestStore, rewritten: ManifestStore, notes: [String: String], key: String)
    {
        let signer = try NoteSigner.generate(name: "test.example/station-1")
        let original = try ManifestStore.open(at: directory.file("original.sqlite"))
        let rewritten = try ManifestStore.open(at: directory.file("rewritten.sqlite"))
        let prefix = try SampleEntries.notes(10)
        var notes = [String: String]()
        _ = try original.append(contentsOf: prefix + SampleEntries.notes(5, prefix: "original"))
        notes["original-15"] = try original.signCheckpoint(with: signer).note
        _ = try rewritten.append(contentsOf: prefix + SampleEntries.notes(5, prefix: "rewritten"))
        notes["rewritten-15"] = try rewritten.signCheckpoint(with: signer).note
        _ = try rewritten.append(contentsOf: SampleEntries.notes(4, prefix: "later"))
        notes["rewritten-19"] = try rewritten.signCheckpoint(with: signer).note
        return (original, rewritten, notes, signer.verifier.verifierKey)
    }

    @Test(arguments: [15, 19])
    func aRewrittenHistoryIsDetectedAsAForkAndBothCheckpointsAreKept(rewrittenSize: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (original, rewritten, notes, key) = try Self.histories(directory)
        let server = try FeedServer()
        let state = directory.file("follower/state.txt")
        try FileManager.default.createDirectory(at: state.deletingLastPathComponent(), withIntermediateDirectories: true)

        try server.serve(original, size: 15, note: notes["original-15"]!, as: "original")
        let first = try Self.follow(server.url, key: key, state: state, token: FeedServer.token, ["--page-size", "4"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(try Self.indexes(first.standardOutput) == Array(0..<15))
        #expect(try String(contentsOf: state, encoding: .utf8) == notes["original-15"])

        let conflicting = notes["rewritten-\(rewrittenSize)"]!
        try server.serve(rewritten, size: UInt64(rewrittenSize), note: conflicting, as: "rewritten")
        let second = try Self.follow(server.url, key: key, state: state, token: FeedServer.token)
        #expect(second.status == 3)
        #expect(second.standardOutput.isEmpty, "nothing from the rewritten history may be printed")
        #expect(second.standardError.contains("FORK"))
        #expect(second.standardError.contains(state.path))
        #expect(try String(contentsOf: state, encoding: .utf8) == notes["original-15"], "the stored checkpoint stays")
        let evidence = URL(fileURLWithPath: state.path + ".fork-\(rewrittenSize).txt")
        #expect(try String(contentsOf: evidence, encoding: .utf8) == conflicting)

        // Following again stops again, and keeps the earlier evidence file.
        let third = try Self.follow(server.url, key: key, state: state, token: FeedServer.token)
        #expect(third.status == 3)
        #expect(try String(contentsOf: evidence, encoding: .utf8) == conflicting)
        #expect(FileManager.default.fileExists(atPath: state.path + ".fork-\(rewrittenSize)-2.txt"))
    }
}
