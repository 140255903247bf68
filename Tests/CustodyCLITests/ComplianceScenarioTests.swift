import CustodyCore
import CustodyTesting
import Foundation
import Testing

/// A simulated shift through the real CLI: each expected gap is found with the right kind and no other; the
/// explanation rules hold; exceptions change lateness only inside their period; case links; and reindex rebuilds
/// identical state (Art 18–23).
@Suite(.serialized) struct ComplianceScenarioTests {
    static let hasFFmpeg = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")

    /// Writes an MP4 of `seconds` (tiny, 2 fps) at `path`, created at `created` when given.
    func clip(_ path: URL, seconds: Int, created: Date?) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        var arguments = [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
            "testsrc=duration=\(seconds):size=64x48:rate=2", "-pix_fmt", "yuv420p",
        ]
        if let created { arguments += ["-metadata", "creation_time=\(RFC3339.format(created))"] }
        let result = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/ffmpeg"), arguments + [path.path])
        try #require(result.status == 0, "ffmpeg: \(result.standardError)")
    }

    func name(_ serial: String, _ start: Date, _ sequence: Int) -> String {
        let text = RFC3339.format(start).filter(\.isNumber)  // YYYYMMDDhhmmss
        return "\(serial)_64000123_\(text)_\(String(format: "%04d", sequence)).MP4"
    }

    func configure(_ station: CLITestStation) throws {
        let model = """

            [[models]]
            name = "SHIFT"
            media = ["**/*.MP4"]
            file_name = "{serial}_{officer}_{start}_{sequence}.MP4"
            time_zone = "Z"
            segment_minutes = 1
            segment_tolerance_seconds = 5
            resume_window_seconds = 120
            """
        let handle = try FileHandle(forWritingTo: station.config)
        handle.seekToEndOfFile()
        handle.write(Data(model.utf8))
        try handle.close()
        for (cert, name) in [("64000123", "张伟"), ("64000456", "李娜"), ("64000789", "王芳")] {
            #expect(try station.custody(["officers", "add", "--cert", cert, "--name", name]).status == 0)
        }
        for serial in ["SN1", "SN2", "SN3"] {
            #expect(
                try station.custody([
                    "assign", "--recorder", serial, "--officer", "64000123", "--from", "2026-01-01T00:00:00Z",
                ]).status == 0)
        }
    }

    func gaps(_ station: CLITestStation, _ extra: [String] = []) throws -> [[String: Any]] {
        let result = try station.custody(["gaps", "--json"] + extra)
        try #require(result.status == 0, "\(result.standardError)")
        return try result.standardOutput.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test(.enabled(if: hasFFmpeg, "needs /usr/bin/ffmpeg")) func simulatedShift() throws {
        let station = try CLITestStation()
        try configure(station)
        let folder = station.folder.appendingPathComponent("SN1")
        let media = folder.appendingPathComponent("DCIM/100MEDIA")
        let day = try #require(RFC3339.parse("2026-11-29T08:00:00Z"))
        func at(_ seconds: Double) -> Date { day.addingTimeInterval(seconds) }
        // A segment chain 1-2-(3 missing)-4-5, recording stopped mid-segment 5.
        try clip(media.appendingPathComponent(name("SN1", at(0), 1)), seconds: 60, created: at(0))
        try clip(media.appendingPathComponent(name("SN1", at(60), 2)), seconds: 60, created: at(60))
        try clip(media.appendingPathComponent(name("SN1", at(180), 4)), seconds: 60, created: at(180))
        try clip(media.appendingPathComponent(name("SN1", at(240), 5)), seconds: 25, created: at(240))
        // A 30-second stop and restart an hour later.
        try clip(media.appendingPathComponent(name("SN1", at(3600), 6)), seconds: 20, created: at(3600))
        try clip(media.appendingPathComponent(name("SN1", at(3650), 7)), seconds: 20, created: at(3650))
        // A separate incident an hour after that; then number 9 is missing.
        try clip(media.appendingPathComponent(name("SN1", at(7200), 8)), seconds: 20, created: at(7200))
        try clip(media.appendingPathComponent(name("SN1", at(10_800), 10)), seconds: 20, created: at(10_800))
        // A power-cut recording: the file ends inside mdat, so it has no moov; its time comes from its name.
        let cut = media.appendingPathComponent(name("SN1", at(14_400), 11))
        try clip(cut, seconds: 20, created: at(14_400))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: cut.path)[.size] as? Int)
        try FileHandle(forWritingTo: cut).truncate(atOffset: UInt64(size / 2))

        let ingest = try station.custody(["ingest", "--serial", "SN1", "--model", "SHIFT", folder.path])
        #expect(ingest.status == 0, "\(ingest.standardOutput)\(ingest.standardError)")
        #expect(ingest.standardOutput.contains("9 clips ingested"))

        var found = try gaps(station)
        #expect(found.compactMap { $0["kind"] as? String }.sorted() == [
            "brokenChain", "missingSequence", "shortResume", "unfinalized",
        ].sorted(), "\(found)")
        let chain = try #require(found.first { $0["kind"] as? String == "brokenChain" })
        #expect((chain["evidence"] as? String)?.contains("file number 3 is missing") == true)
        #expect(chain["start"] as? String == "2026-11-29T08:02:00Z")
        #expect(chain["officer"] as? String == "64000123")
        let missing = try #require(found.first { $0["kind"] as? String == "missingSequence" })
        #expect(missing["evidence"] as? String == "file number 9 is missing between 8 and 10")

        // Docking again registers nothing new: each gap is registered once.
        #expect(try station.custody(["ingest", "--serial", "SN1", "--model", "SHIFT", folder.path]).status == 0)
        #expect(try gaps(station).count == found.count)

        // Explanations (Art 22).
        let resume = try #require(found.first { $0["kind"] as? String == "shortResume" })
        let resumeIndex = String(try #require(resume["entry"] as? Int))
        let refusals: [([String], String)] = [
            (["--written", "fault", "--signed-by", "64000123"], "at least two officers"),
            (["--written", "fault", "--signed-by", "64000123", "--signed-by", "64000123"], "same officer signed twice"),
            (["--written", "fault", "--signed-by", "64000123", "--signed-by", "11111111"], "not registered"),
            (["--spoken", "--clip", String(repeating: "a", count: 64)], "no clip"),
        ]
        for (arguments, message) in refusals {
            let result = try station.custody(["explain", resumeIndex] + arguments)
            #expect(result.status != 0, "\(arguments) should be refused")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
        let notAGap = try station.custody(["explain", "0", "--spoken", "--clip", String(repeating: "a", count: 64)])
        #expect(notAGap.standardError.contains("not a recording.gap"))
        let resumedClip = try #require(
            try station.custody(["clips", "--json", "--recorder", "SN1"]).standardOutput.split(separator: "\n")
                .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .first { ($0["path"] as? String)?.hasSuffix("_0007.MP4") == true })
        let sha7 = try #require(resumedClip["sha256"] as? String)
        #expect(try station.custody(["explain", resumeIndex, "--spoken", "--clip", sha7]).status == 0)
        let chainIndex = String(try #require(chain["entry"] as? Int))
        #expect(
            try station.custody([
                "explain", chainIndex, "--written", "电池故障 battery failed", "--signed-by", "64000123", "--signed-by",
                "64000456",
            ]).status == 0)
        found = try gaps(station, ["--unexplained"])
        #expect(found.compactMap { $0["kind"] as? String }.sorted() == ["missingSequence", "unfinalized"])

        // A recorder whose clock is two hours fast: each clip is a clockAnomaly, and nothing else.
        let fast = station.folder.appendingPathComponent("SN2")
        let ahead = Date().addingTimeInterval(7200)
        try clip(fast.appendingPathComponent(name("SN2", ahead, 1)), seconds: 20, created: ahead)
        try clip(
            fast.appendingPathComponent(name("SN2", ahead.addingTimeInterval(600), 2)), seconds: 20,
            created: ahead.addingTimeInterval(600))
        #expect(try station.custody(["ingest", "--serial", "SN2", "--model", "SHIFT", fast.path]).status == 0)
        #expect(try gaps(station, ["--recorder", "SN2"]).map { $0["kind"] as? String } == ["clockAnomaly", "clockAnomaly"])
    }

    @Test(.enabled(if: hasFFmpeg, "needs /usr/bin/ffmpeg")) func exceptionsCaseLinksAndReindex() throws {
        let station = try CLITestStation()
        try configure(station)
        let folder = station.folder.appendingPathComponent("SN3")
        let now = Date()
        let inside = now.addingTimeInterval(-72 * 3600)
        let outside = now.addingTimeInterval(-120 * 3600)
        try clip(folder.appendingPathComponent(name("SN3", inside, 1)), seconds: 20, created: inside)
        try clip(folder.appendingPathComponent(name("SN3", outside, 2)), seconds: 20, created: outside)
        #expect(try station.custody(["ingest", "--serial", "SN3", "--model", "SHIFT", folder.path]).status == 0)
        #expect(try station.custody(["clips", "--late", "--json"]).standardOutput.split(separator: "\n").count == 2)

        let exception = try station.custody([
            "exception", "--recorder", "SN3", "--from", RFC3339.format(now.addingTimeInterval(-96 * 3600)),
            "--to", RFC3339.format(now.addingTimeInterval(-48 * 3600)), "--reason", "remote",
            "--returned", RFC3339.format(now.addingTimeInterval(-3600)),
        ])
        #expect(exception.status == 0, "\(exception.standardError)")
        #expect(exception.standardOutput.contains("1 clip already ingested re-evaluated, 0 still late"))
        let late = try station.custody(["clips", "--late", "--json"]).standardOutput.split(separator: "\n")
        #expect(late.count == 1)
        #expect(late.first?.contains("_0002.MP4") == true, "only the clip outside the period stays late")
        #expect(try station.custody(["exception", "--recorder", "SN3", "--from", "x", "--to", "y", "--reason", "holiday", "--returned", "z"]).status != 0)

        // Case links are entries; unlinking reverses without deleting.
        let clips = try station.custody(["clips", "--json"]).standardOutput.split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let sha = try #require(clips.first?["sha256"] as? String)
        #expect(try station.custody(["link", "--case", "XZCF-2026-0042", "--clip", sha]).status == 0)
        let byOfficer = try station.custody([
            "link", "--case", "XZCF-2026-0043", "--officer", "64000123", "--from",
            RFC3339.format(now.addingTimeInterval(-200 * 3600)), "--to", RFC3339.format(now),
        ])
        #expect(byOfficer.standardOutput.contains("linked 2 clips"))
        #expect(try station.custody(["case", "XZCF-2026-0042"]).standardOutput.contains(sha))
        #expect(try station.custody(["unlink", "--case", "XZCF-2026-0042", "--clip", sha, "--reason", "wrong case"]).status == 0)
        #expect(try station.custody(["case", "XZCF-2026-0042"]).standardOutput.contains("no linked clips"))
        let entries = try station.custody(["entries"]).standardOutput
        #expect(entries.contains("\"type\":\"case.linked\"") && entries.contains("\"type\":\"case.unlinked\""))

        // Reindex on a copy of the database rebuilds identical state; verify checks tables against entries.
        let copy = try CLITestStation()
        let backup = try station.sqlite(".backup '\(copy.database.path)'")
        try #require(backup.status == 0, "\(backup.standardError)")
        try FileManager.default.removeItem(at: copy.config)
        try FileManager.default.copyItem(at: station.config, to: copy.config)
        try? FileManager.default.removeItem(at: copy.folder.appendingPathComponent("state/keys/checkpoint.key"))
        try FileManager.default.copyItem(at: station.keyFile, to: copy.keyFile)
        #expect(try copy.custody(["reindex"]).status == 0)
        for listing in [["gaps", "--json"], ["clips", "--json"], ["officers"], ["case", "XZCF-2026-0043"]] {
            #expect(try copy.custody(listing).standardOutput == (try station.custody(listing).standardOutput), "\(listing)")
        }
        #expect(try station.custody(["verify"]).status == 0)
        try station.sqlite("UPDATE idx_clip SET late = 1 - late;")
        let verify = try station.custody(["verify"])
        #expect(verify.status == 1)
        #expect(verify.standardOutput.contains("idx_clip disagrees with the entries"))
        #expect(try station.custody(["reindex"]).status == 0)
        #expect(try station.custody(["verify"]).status == 0)
    }
}
