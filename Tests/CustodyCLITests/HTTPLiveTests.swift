import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// custodyd as a process, its HTTP listener on a free port, and curl as the client: the feed, a clip, the footage
/// and byte ranges checked against `sha256sum` of the same bytes of the original file, 410 for purged footage, and
/// no token text in custodyd's log (docs/http.md).
@Suite struct HTTPLiveTests {
    static let admin = "64000999"
    static let curl = URL(fileURLWithPath: "/usr/bin/curl")

    /// Runs `bash -c script`, for `sha256sum`, `tail -c` and `head -c` on the original files.
    static func shell(_ script: String) throws -> String {
        let result = try CommandRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script])
        try #require(result.status == 0, "\(script): \(result.standardError)")
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `curl` with the token; the body goes to `output`; returns the HTTP status.
    static func get(
        _ port: Int, _ path: String, token: String, headers: [String] = [], output: URL
    ) throws -> Int {
        var arguments = [
            "-sS", "-o", output.path, "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)",
        ]
        for header in headers { arguments += ["-H", header] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let result = try CommandRunner.run(curl, arguments)
        try #require(result.status == 0, "curl \(path): \(result.standardError)")
        return try #require(Int(result.standardOutput))
    }

    @Test func curlReadsTheFeedAClipItsFootageAndRangesAndGets410ForPurgedFootage() throws {
        let station = try CLITestStation()
        try station.appendConfiguration(
            """
            [[models]]
            name = "PLAIN"
            media = ["**/*.MP4"]
            """)
        try station.setConfiguration("ingest", "reserve_bytes", "0")
        try station.setConfiguration("http", "port", "0")
        let runtime = station.folder.appendingPathComponent("run")
        try station.setConfiguration("docking", "runtime_directory", "\"\(runtime.path)\"")
        try #require(try station.custody(["officers", "add", "--cert", Self.admin, "--name", "管理员"]).status == 0)

        // Two recordings: a recent one of 300 000 bytes (several 128 KiB reads), and one from 2020, purged below.
        let recorder = station.folder.appendingPathComponent("recorder")
        try FileManager.default.createDirectory(at: recorder, withIntermediateDirectories: true)
        let kept = recorder.appendingPathComponent("KEPT.MP4")
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }).write(to: kept)
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: kept.path)
        let old = recorder.appendingPathComponent("OLD.MP4")
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 13) }).write(to: old)
        let oldTime = RFC3339.parse("2020-03-01T08:00:00Z")!
        try FileManager.default.setAttributes([.modificationDate: oldTime], ofItemAtPath: old.path)
        let keptDigest = try Self.shell("sha256sum '\(kept.path)' | cut -d' ' -f1")
        let oldDigest = try Self.shell("sha256sum '\(old.path)' | cut -d' ' -f1")
        let ingest = try station.custody(["ingest", "--serial", "BWC1", "--model", "PLAIN", recorder.path])
        try #require(ingest.status == 0, "\(ingest.standardOutput)\(ingest.standardError)")
        let purge = try station.custody([
            "purge", "--due", "--authorised-by", Self.admin, "--now",
            RFC3339.format(oldTime.addingTimeInterval(3 * 366 * 86_400)),
        ])
        try #require(purge.status == 0, "\(purge.standardOutput)\(purge.standardError)")

        let added = try station.custody(["tokens", "add", "--name", "case-system", "--role", "caseSystem"])
        try #require(added.status == 0, "\(added.standardError)")
        let token = try #require(
            added.standardOutput.split(whereSeparator: \.isWhitespace).map(String.init)
                .first { $0.hasPrefix(TokenRegister.tokenPrefix) })

        let (process, err, startLog) = try station.startDaemon(until: "HTTP listening")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try #require(process.isRunning, "custodyd did not start: \(startLog)")
        let port = try #require(
            Int(
                try String(contentsOf: runtime.appendingPathComponent("http.port"), encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        let body = station.folder.appendingPathComponent("body")
        func text() throws -> String { try String(contentsOf: body, encoding: .utf8) }

        // The feed.
        #expect(try Self.get(port, "/v1/checkpoint", token: token, output: body) == 200)
        #expect(try text().hasPrefix("test.example/station-1\n"))
        #expect(try Self.get(port, "/v1/entries?start=0&limit=1000", token: token, output: body) == 200)
        #expect(try text().contains(keptDigest))
        #expect(try Self.get(port, "/v1/events?after=0&max=2", token: token, output: body) == 200)
        #expect(try text().contains("id: 1\n") && text().contains("id: 2\n"))

        // The clip and its footage, whole and in slices.
        #expect(try Self.get(port, "/v1/clips/\(keptDigest)", token: token, output: body) == 200)
        #expect(try text().contains("\"serial\":\"BWC1\""))
        #expect(try Self.get(port, "/v1/clips/\(keptDigest)/content", token: token, output: body) == 200)
        #expect(try Self.shell("sha256sum '\(body.path)' | cut -d' ' -f1") == keptDigest)
        let slices: [(range: String, original: String)] = [
            ("bytes=0-0", "head -c 1"),
            ("bytes=1000-200999", "tail -c +1001 | head -c 200000"),
            ("bytes=131071-131073", "tail -c +131072 | head -c 3"),
            ("bytes=299000-", "tail -c +299001"),
            ("bytes=-4096", "tail -c 4096"),
            ("bytes=250000-999999", "tail -c +250001"),
        ]
        for slice in slices {
            #expect(
                try Self.get(
                    port, "/v1/clips/\(keptDigest)/content", token: token, headers: ["Range: \(slice.range)"],
                    output: body) == 206, "\(slice.range)")
            let served = try Self.shell("sha256sum < '\(body.path)' | cut -d' ' -f1")
            let original = try Self.shell("cat '\(kept.path)' | \(slice.original) | sha256sum | cut -d' ' -f1")
            #expect(served == original, "\(slice.range)")
        }
        #expect(
            try Self.get(
                port, "/v1/clips/\(keptDigest)/content", token: token, headers: ["Range: bytes=300000-"], output: body)
                == 416)
        #expect(try Self.get(port, "/v1/clips/..%2F..%2Fetc%2Fpasswd/content", token: token, output: body) == 400)

        // Purged footage: 410, naming the clip.purged entry.
        #expect(try Self.get(port, "/v1/clips/\(oldDigest)/content", token: token, output: body) == 410)
        #expect(try text().contains("clip.purged"))

        // An endless event stream, open when custodyd is told to stop: it must end cleanly (curl exits 0 only when
        // the chunked response was finished, not cut).
        let follower = Process()
        follower.executableURL = Self.curl
        follower.arguments = [
            "-sS", "-N", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)/v1/events",
        ]
        let followed = Pipe()
        follower.standardOutput = followed
        try follower.run()
        var stream = ""
        while !stream.contains("retry:") {
            let chunk = followed.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            stream += String(decoding: chunk, as: UTF8.self)
        }
        #expect(stream.contains("retry:"), "the event stream did not start")

        kill(process.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0, "the event stream was cut instead of ended")
        let log = startLog + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(!log.contains(token), "the token's text is in custodyd's log")
        #expect(!log.contains(String(token.dropFirst(TokenRegister.tokenPrefix.count).prefix(16))))
        #expect(log.contains("case-system"), "the token's name should be in custodyd's log")

        // Every download (1 whole, 6 ranges) is an entry; refused ones (416, 400, 410) are not.
        let reads = try station.custody(["entries", "--limit", "100000"]).standardOutput.split(separator: "\n")
            .filter { $0.contains("\"type\":\"footage.read\"") }
        #expect(reads.count == 7)
        #expect(reads.allSatisfy { $0.contains("\"name\":\"case-system\"") && $0.contains(keptDigest) })
        // The read entries are ordinary entries: the manifest still verifies with them.
        #expect(try station.custody(["checkpoint", "--sign"]).status == 0)
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
    }
}
