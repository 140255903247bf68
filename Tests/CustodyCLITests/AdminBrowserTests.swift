import CustodyCore
import CustodyTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The admin pages in a real browser (issue 7): a station built with the `custody` CLI from ffmpeg sample clips,
/// served by a real custodyd, loaded by headless Chromium through `Tests/browser/admin_pages.py`, which signs in
/// through the login form, checks each page's content (a known clip, a known gap, the officer's Chinese name as DOM
/// text) and saves a screenshot per page in `.build/test-artifacts/admin/`.
///
/// `make test` sets `CUSTODY_BROWSER_TESTS=1`: then a missing Chromium, chromedriver or Selenium fails the test.
/// Outside make the test is skipped when they are missing.
@Suite(.serialized) struct AdminBrowserTests {
    static let tools = ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/ffmpeg", "/usr/bin/python3"]
    static let required = ProcessInfo.processInfo.environment["CUSTODY_BROWSER_TESTS"] == "1"
    static let available =
        tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
        && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/selenium")
    /// Where the screenshots go.
    static let artifacts = CommandRunner.packageRoot.appendingPathComponent(".build/test-artifacts/admin")
    static let officerName = "王小明"
    static let officerCertificate = "64000123"

    /// Writes an MP4 of `seconds` (tiny, 2 fps) at `path`, created at `created`.
    func clip(_ path: URL, seconds: Int, created: Date) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/ffmpeg"),
            [
                "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                "testsrc=duration=\(seconds):size=64x48:rate=2", "-pix_fmt", "yuv420p", "-metadata",
                "creation_time=\(RFC3339.format(created))", path.path,
            ])
        try #require(result.status == 0, "ffmpeg: \(result.standardError)")
    }

    @Test(
        .enabled(
            if: required || available,
            "needs chromium, chromium-driver, python3-selenium and ffmpeg (`make test` installs them and requires this test)"
        ))
    func theAdminPagesInHeadlessChromium() throws {
        for tool in Self.tools {
            try #require(
                FileManager.default.isExecutableFile(atPath: tool),
                "\(tool) is missing: run `make deps-test` (scripts/apt-ensure installs chromium and chromium-driver)")
        }
        try #require(
            FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/selenium"),
            "Selenium is missing: run `make deps-test` (python3-selenium)")
        let station = try CLITestStation()
        try station.appendConfiguration(
            """
            [[models]]
            name = "BROWSER"
            media = ["**/*.MP4"]
            file_name = "{serial}_{officer}_{start}_{sequence}.MP4"
            time_zone = "Z"
            """)
        try station.setConfiguration("http", "port", "0")
        #expect(
            try station.custody(["officers", "add", "--cert", Self.officerCertificate, "--name", Self.officerName])
                .status == 0)
        #expect(try station.custody(["officers", "add", "--cert", "64000456", "--name", "李娜"]).status == 0)
        let now = Date()
        let handover = RFC3339.format(now.addingTimeInterval(-5 * 86_400))
        #expect(
            try station.custody([
                "assign", "--recorder", "SN1", "--officer", Self.officerCertificate, "--from", handover,
            ])
            .status == 0)
        // Three clips two days ago (late: the window is 24 h), numbers 1, 2 and 4: number 3 is a missing sequence.
        let start = try #require(RFC3339.parse(RFC3339.format(now.addingTimeInterval(-2 * 86_400))))
        let media = station.folder.appendingPathComponent("SN1/DCIM/100MEDIA")
        for (offset, sequence) in [(0.0, 1), (120.0, 2), (600.0, 4)] {
            let at = start.addingTimeInterval(offset)
            let stamp = RFC3339.format(at).filter(\.isNumber)
            try clip(
                media.appendingPathComponent(
                    "SN1_\(Self.officerCertificate)_\(stamp)_\(String(format: "%04d", sequence)).MP4"),
                seconds: 20, created: at)
        }
        let ingest = try station.custody([
            "ingest", "--serial", "SN1", "--model", "BROWSER", station.folder.appendingPathComponent("SN1").path,
        ])
        try #require(ingest.status == 0, "\(ingest.standardOutput)\(ingest.standardError)")
        let clips = try station.custody(["clips", "--json"]).standardOutput.split(separator: "\n")
        let oldest = try #require(clips.last)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(oldest.utf8)) as? [String: Any])
        let digest = try #require(first["sha256"] as? String)
        let gaps = try station.custody(["gaps", "--json"]).standardOutput.split(separator: "\n")
        let firstGap = try #require(gaps.first)
        let gap = try #require(try JSONSerialization.jsonObject(with: Data(firstGap.utf8)) as? [String: Any])
        let added = try station.custody(["tokens", "add", "--name", "browser-test", "--role", "admin"])
        try #require(added.status == 0, "\(added.standardError)")
        let token = try #require(
            added.standardOutput.split(separator: "\n").map(String.init).first { $0.hasPrefix("custody_") })

        let (daemon, err, log) = try station.startDaemon(until: "HTTP listening")
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            _ = err.fileHandleForReading.readDataToEndOfFile()
            daemon.waitUntilExit()
        }
        try #require(log.contains("HTTP listening"), "custodyd did not listen: \(log)")
        let portText = try String(
            contentsOf: station.stateDirectory.appendingPathComponent("run/http.port"), encoding: .utf8)
        let port = try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)))

        let expect: [String: Any] = [
            "digest": digest, "gap_entry": try #require(gap["entry"] as? Int),
            "gap_kind": try #require(gap["kind"] as? String), "officer_name": Self.officerName,
            "officer_certificate": Self.officerCertificate, "recorder": "SN1",
        ]
        try? FileManager.default.removeItem(at: Self.artifacts)
        let started = Date()
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [CommandRunner.packageRoot.appendingPathComponent("Tests/browser/admin_pages.py").path],
            environment: [
                "CUSTODY_URL": "http://127.0.0.1:\(port)", "CUSTODY_TOKEN": token,
                "CUSTODY_EXPECT": String(decoding: try JSONSerialization.data(withJSONObject: expect), as: UTF8.self),
                "CUSTODY_ARTIFACTS": Self.artifacts.path,
            ])
        print("admin_pages.py (\(Int(Date().timeIntervalSince(started))) s):\n\(result.standardOutput)")
        #expect(result.status == 0, "admin_pages.py failed:\n\(result.standardOutput)\n\(result.standardError)")
        #expect(result.standardOutput.contains(" passed, 0 failed"))
        for page in ["login", "log", "clip", "recorders", "gaps", "late", "compliance"] {
            #expect(
                FileManager.default.fileExists(atPath: Self.artifacts.appendingPathComponent("\(page).png").path),
                "no screenshot of \(page)")
        }
    }
}
