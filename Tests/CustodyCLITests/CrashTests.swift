import CustodyManifest
import CustodyTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGKILL at random points while `custody` appends: the log always reopens, passes its tail check, and keeps
/// every entry that was reported committed (Art 28).
@Suite struct CrashTests {
    static let kills = 50

    @Test func killedAppendsNeverLoseACommittedEntry() throws {
        let station = try CLITestStation()
        var random = SeededGenerator(seed: 0x5EED_C0DE)
        var committed = [UInt64: String]()  // index → text, as reported by the killed process
        for round in 0..<Self.kills {
            let process = Process()
            process.executableURL = CommandRunner.custody
            process.arguments = [
                "--config", station.config.path, "append-note", "--text", "crash round \(round)",
                "--count", "100000", "--sign-every", "5",
            ]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Kill after a random number of reported commits (0 kills it during start-up), so the kill lands at an
            // arbitrary point of the next append or checkpoint, with no clock involved.
            let waitFor = Int(random.next() % 12)
            var buffer = Data()
            var lines = [String]()
            while lines.count < waitFor {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the process was not killed")
            var number = 0
            for line in lines where line.hasPrefix("appended entry ") {
                number += 1
                let index = try #require(UInt64(line.split(separator: " ")[2]))
                committed[index] = "crash round \(round) #\(number)"
            }

            // After each kill: the store opens, the tail check passes, and nothing reported committed is missing.
            let store = try ManifestStore.open(at: station.database)
            let verifier = try CheckpointKeyFile.load(from: station.keyFile).verifier
            let tail = try store.checkTail(verifier: verifier)
            let size = tail.size
            for index in committed.keys {
                try #require(index < size, "round \(round): committed entry \(index) is missing (size \(size))")
            }
            let stored = try store.entries(start: 0, limit: Int(size))
            for (index, text) in committed {
                let entry = try ManifestEntry(body: stored[Int(index)].body)
                #expect(entry.fields["text"]?.stringValue == text, "round \(round): entry \(index) changed")
            }
        }
        #expect(committed.count > Self.kills, "the campaign should have committed entries to check")
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)")
    }
}
