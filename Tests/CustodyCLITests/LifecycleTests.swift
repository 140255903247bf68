import CustodyCore
import CustodyTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Holds, retention and purge (Art 25, 26) and the store scrub (Art 28), through the real CLI.
@Suite struct LifecycleTests {
    static let admin = "64000999"
    /// The recording start (and modification time) of the first test file.
    static let recorded = RFC3339.parse("2026-03-01T08:00:00Z")!

    /// A station with three ingested clips, recorded at `recorded`, +100 s and +200 s, and an administrator.
    /// Returns the clips' digests in recording order.
    func station() throws -> (CLITestStation, [String]) {
        let station = try CLITestStation()
        try station.appendConfiguration(
            """
            [[models]]
            name = "PLAIN"
            media = ["**/*.MP4"]
            """)
        try station.setConfiguration("ingest", "reserve_bytes", "0")
        try #require(try station.custody(["officers", "add", "--cert", Self.admin, "--name", "管理员"]).status == 0)
        let recorder = station.folder.appendingPathComponent("recorder")
        try FileManager.default.createDirectory(at: recorder, withIntermediateDirectories: true)
        var digests = [String]()
        for number in 0..<3 {
            let file = recorder.appendingPathComponent("CLIP\(number).MP4")
            let bytes = Data((0..<(4096 + number * 1000)).map { UInt8(truncatingIfNeeded: $0 * (number + 3)) })
            try bytes.write(to: file)
            try FileManager.default.setAttributes(
                [.modificationDate: Self.recorded.addingTimeInterval(Double(number) * 100)], ofItemAtPath: file.path)
            digests.append(SHA256Hash.of(bytes).hex)
        }
        let ingest = try station.custody(["ingest", "--serial", "BWC1", "--model", "PLAIN", recorder.path])
        try #require(ingest.status == 0, "\(ingest.standardOutput)\(ingest.standardError)")
        return (station, digests)
    }

    func stored(_ station: CLITestStation, _ digest: String) -> Bool {
        let url = station.storeDirectory.appendingPathComponent(
            "sha256/\(digest.prefix(2))/\(digest.dropFirst(2).prefix(2))/\(digest)")
        return FileManager.default.fileExists(atPath: url.path)
    }

    func purge(_ station: CLITestStation, at time: Date) throws -> CommandRunner.Result {
        try station.custody(["purge", "--due", "--authorised-by", Self.admin, "--now", RFC3339.format(time)])
    }

    func entries(_ station: CLITestStation, type: String) throws -> [String] {
        try station.custody(["entries", "--limit", "100000"]).standardOutput.split(separator: "\n").map(String.init)
            .filter { $0.contains("\"type\":\"\(type)\"") }
    }

    func expectVerifies(_ station: CLITestStation, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try station.custody(["checkpoint", "--sign"]).status == 0, sourceLocation: sourceLocation)
        let verify = try station.custody(["verify", "--deep"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)", sourceLocation: sourceLocation)
    }

    @Test func nothingIsPurgedASecondEarlyAndHeldClipsNeverAre() throws {
        let (station, clips) = try station()
        let due = RetentionPolicy.minimumRetentionEnd(recordingStart: Self.recorded, years: 2)
        #expect(RFC3339.format(due) == "2028-03-01T08:00:00Z")
        let hold = try station.custody(["hold", "--clip", clips[1], "--reason", "dispute", "--by", Self.admin])
        #expect(hold.status == 0, "\(hold.standardError)")

        let early = try purge(station, at: due.addingTimeInterval(-1))
        #expect(early.status == 0, "\(early.standardError)")
        #expect(early.standardOutput.contains("nothing is due"))
        #expect(clips.allSatisfy { stored(station, $0) })
        #expect(try entries(station, type: "clip.purged").isEmpty)

        let dry = try station.custody(["purge", "--due", "--dry-run", "--now", RFC3339.format(due)])
        #expect(dry.status == 0 && dry.standardOutput.contains("due   \(clips[0])"))
        #expect(stored(station, clips[0]))

        let onTime = try purge(station, at: due)
        #expect(onTime.status == 0, "\(onTime.standardError)")
        #expect(!stored(station, clips[0]))
        #expect(stored(station, clips[1]) && stored(station, clips[2]))
        let purged = try entries(station, type: "clip.purged")
        #expect(purged.count == 1 && purged[0].contains(clips[0]) && purged[0].contains(Self.admin))

        // Years later the unheld clip goes; the held one stays, whatever the time.
        let later = try purge(station, at: due.addingTimeInterval(86_400 * 3650))
        #expect(later.status == 0)
        #expect(!stored(station, clips[2]))
        #expect(stored(station, clips[1]))
        #expect(later.standardOutput.contains("kept  \(clips[1])"))
        #expect(try entries(station, type: "clip.purged").count == 2)

        // Released, it is due like any other clip.
        #expect(try station.custody(["release", "--clip", clips[1], "--reason", "complaint withdrawn"]).status == 0)
        #expect(try purge(station, at: due.addingTimeInterval(86_400 * 3650)).status == 0)
        #expect(!stored(station, clips[1]))
        // The clips' entries stay; the manifest, its query tables and the (emptied) store verify.
        #expect(try entries(station, type: "clip.ingested").count == 3)
        #expect(try entries(station, type: "hold.released").count == 1)
        try expectVerifies(station)
        #expect(try station.custody(["reindex"]).status == 0)
    }

    @Test func purgeNeedsARegisteredAdministrator() throws {
        let (station, clips) = try station()
        let far = Self.recorded.addingTimeInterval(86_400 * 3650)
        let anonymous = try station.custody(["purge", "--due", "--now", RFC3339.format(far)])
        #expect(anonymous.status != 0)
        let unknown = try station.custody([
            "purge", "--due", "--authorised-by", "99999999", "--now", RFC3339.format(far),
        ])
        #expect(unknown.status != 0 && unknown.standardError.contains("not a registered officer"))
        #expect(clips.allSatisfy { stored(station, $0) })
        #expect(try entries(station, type: "clip.purged").isEmpty)
    }

    @Test func caseClipsFollowTheCaseRetentionAndACaseHold() throws {
        let (station, clips) = try station()
        #expect(try station.custody(["link", "--case", "K-1", "--clip", clips[0]]).status == 0)
        let minimum = RetentionPolicy.minimumRetentionEnd(recordingStart: Self.recorded, years: 2)
        // Linked to a case whose retention is unknown: kept past the minimum.
        #expect(try purge(station, at: minimum.addingTimeInterval(86_400)).status == 0)
        #expect(stored(station, clips[0]))
        #expect(!stored(station, clips[1]))

        let until = try #require(RFC3339.parse("2031-06-30T00:00:00Z"))
        #expect(try station.custody(["retain", "--case", "K-1", "--until", RFC3339.format(until)]).status == 0)
        #expect(try purge(station, at: until.addingTimeInterval(-1)).status == 0)
        #expect(stored(station, clips[0]))

        // A hold on the case holds its clips past the case's retention too.
        #expect(try station.custody(["hold", "--case", "K-1", "--reason", "sensitive"]).status == 0)
        #expect(try purge(station, at: until.addingTimeInterval(86_400 * 365)).status == 0)
        #expect(stored(station, clips[0]))
        #expect(try station.custody(["release", "--case", "K-1", "--reason", "closed"]).status == 0)
        #expect(try purge(station, at: until).status == 0)
        #expect(!stored(station, clips[0]))
        try expectVerifies(station)
    }

    /// Flips the first byte of a stored object behind Custody's back.
    func corrupt(_ station: CLITestStation, _ digest: String) throws {
        let url = station.storeDirectory.appendingPathComponent(
            "sha256/\(digest.prefix(2))/\(digest.dropFirst(2).prefix(2))/\(digest)")
        #expect(chmod(url.path, 0o640) == 0)
        var bytes = try Data(contentsOf: url)
        bytes[0] ^= 0x01
        try bytes.write(to: url)
        #expect(chmod(url.path, 0o440) == 0)
    }

    @Test func deepVerifyFindsTheCorruptObjectAndNothingElse() throws {
        let (station, clips) = try station()
        try expectVerifies(station)
        #expect(try entries(station, type: "store.corruption").isEmpty)
        try corrupt(station, clips[1])
        let plain = try station.custody(["verify"])
        #expect(plain.status == 0, "plain verify does not read the store")
        let deep = try station.custody(["verify", "--deep"])
        #expect(deep.status == 1)
        #expect(deep.standardOutput.contains("mismatch \(clips[1])"))
        #expect(!deep.standardOutput.contains(clips[0]) && !deep.standardOutput.contains(clips[2]))
        var found = try entries(station, type: "store.corruption")
        #expect(found.count == 1 && found[0].contains(clips[1]) && found[0].contains("\"kind\":\"mismatch\""))
        // Found again, recorded once.
        #expect(try station.custody(["verify", "--deep"]).status == 1)
        #expect(try entries(station, type: "store.corruption").count == 1)

        // An object removed without a purge is missing; a purged one is not.
        let url = station.storeDirectory.appendingPathComponent(
            "sha256/\(clips[2].prefix(2))/\(clips[2].dropFirst(2).prefix(2))/\(clips[2])")
        try FileManager.default.removeItem(at: url)
        let missing = try station.custody(["verify", "--deep"])
        #expect(missing.standardOutput.contains("missing \(clips[2])"))
        #expect(!missing.standardOutput.contains(clips[0]))
        found = try entries(station, type: "store.corruption")
        #expect(found.count == 2)
        #expect(try purge(station, at: Self.recorded.addingTimeInterval(86_400 * 3650)).status == 0)
        let after = try station.custody(["verify", "--deep"])
        #expect(after.status == 0, "\(after.standardOutput)")
    }

    @Test func daemonScrubFindsTheCorruptObjectAndNothingElse() throws {
        let (station, clips) = try station()
        try station.setConfiguration("docking", "enabled", "false")
        try station.setConfiguration("scrub", "bytes_per_second", "100000000")
        try corrupt(station, clips[0])
        let (process, err, log) = try station.startDaemon(until: "store scrubbed")
        kill(process.processIdentifier, SIGTERM)
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(log.contains("store scrubbed"), "\(log)")
        let found = try entries(station, type: "store.corruption")
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.contains(clips[0]) == true)
        #expect(!found.joined().contains(clips[1]) && !found.joined().contains(clips[2]))
    }
}
