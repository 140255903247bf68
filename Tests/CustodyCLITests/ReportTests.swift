import CustodyCore
import CustodyTesting
import Foundation
import Testing

/// `custody report` on a known scenario: every figure checked against a value worked out by hand (Art 29, 31).
@Suite struct ReportTests {
    static let hasFFmpeg = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")
    let scenario = ComplianceScenarioTests()

    func rows(_ station: CLITestStation, _ arguments: [String]) throws -> [String: [String: Any]] {
        let result = try station.custody(["report", "--json"] + arguments)
        try #require(result.status == 0, "\(result.standardError)")
        var out = [String: [String: Any]]()
        for line in result.standardOutput.split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            out[try #require(row["key"] as? String)] = row
        }
        return out
    }

    func gaps(_ row: [String: Any]?) -> [String: Int] {
        (row?["gaps"] as? [String: Int] ?? [:]).filter { $0.value != 0 }
    }

    @Test(.enabled(if: hasFFmpeg, "needs /usr/bin/ffmpeg")) func knownScenarioGivesTheHandComputedFigures() throws {
        let station = try CLITestStation()
        try station.appendConfiguration(
            """
            [[models]]
            name = "R"
            media = ["**/*.MP4"]
            file_name = "{serial}_{officer}_{start}_{sequence}.MP4"
            time_zone = "Z"
            resume_window_seconds = 120
            """)
        try station.setConfiguration("ingest", "reserve_bytes", "0")
        let now = Date()
        // Whole seconds, three days ago at 08:00 UTC: SN1's clips are late (ingested > 24 h after they ended).
        let dayStart = floor(now.timeIntervalSince1970 / 86_400) * 86_400 - 3 * 86_400
        let base = Date(timeIntervalSince1970: dayStart + 8 * 3600)
        for (cert, name) in [("64000123", "张伟"), ("64000456", "李娜"), ("64000789", "王芳")] {
            try #require(try station.custody(["officers", "add", "--cert", cert, "--name", name]).status == 0)
        }
        let handover = RFC3339.format(base.addingTimeInterval(-86_400))
        for (serial, cert) in [("SN1", "64000123"), ("SN2", "64000456"), ("SN3", "64000789")] {
            try #require(
                try station.custody(["assign", "--recorder", serial, "--officer", cert, "--from", handover]).status == 0
            )
        }
        func name(_ serial: String, _ cert: String, _ start: Date, _ sequence: Int) -> String {
            "\(serial)_\(cert)_\(RFC3339.format(start).filter(\.isNumber))_\(String(format: "%04d", sequence)).MP4"
        }
        // SN1 (64000123): 60 s; a 30 s pause, then 30 s (shortResume); number 3 missing, then 20 s two hours later.
        let sn1 = station.folder.appendingPathComponent("SN1")
        let sn1Clips: [(Double, Int, Int)] = [(0, 60, 1), (90, 30, 2), (7200, 20, 4)]
        for (offset, seconds, sequence) in sn1Clips {
            let start = base.addingTimeInterval(offset)
            try scenario.clip(
                sn1.appendingPathComponent(name("SN1", "64000123", start, sequence)), seconds: seconds, created: start)
        }
        // SN2 (64000456): one 40 s clip two hours ago, on time.
        let sn2 = station.folder.appendingPathComponent("SN2")
        let recent = Date(timeIntervalSince1970: floor(now.timeIntervalSince1970) - 7200)
        try scenario.clip(sn2.appendingPathComponent(name("SN2", "64000456", recent, 1)), seconds: 40, created: recent)
        for (serial, folder) in [("SN1", sn1), ("SN2", sn2)] {
            let ingest = try station.custody(["ingest", "--serial", serial, "--model", "R", folder.path])
            try #require(ingest.status == 0, "\(ingest.standardOutput)\(ingest.standardError)")
        }
        func size(_ folder: URL) throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: folder.path).reduce(0) {
                $0
                    + (try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent($1).path)[.size]
                        as! Int)
            }
        }
        let (bytes1, bytes2) = (try size(sn1), try size(sn2))
        // The short resume is explained; the missing number stays open.
        let gapList = try scenario.gaps(station)
        let resume = try #require(gapList.first { $0["kind"] as? String == "shortResume" })
        let resumed = try #require(
            try station.custody(["clips", "--json", "--recorder", "SN1"]).standardOutput.split(separator: "\n")
                .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .first { ($0["path"] as? String)?.hasSuffix("_0002.MP4") == true })
        try #require(
            try station.custody([
                "explain", String(try #require(resume["entry"] as? Int)), "--spoken", "--clip",
                try #require(resumed["sha256"] as? String),
            ]).status == 0)
        // A case closed 20 days ago and never archived.
        try #require(
            try station.custody(["link", "--case", "K-1", "--clip", try #require(resumed["sha256"] as? String)]).status
                == 0)
        try #require(
            try station.custody([
                "close", "--case", "K-1", "--at", RFC3339.format(now.addingTimeInterval(-20 * 86_400)),
            ]).status == 0)

        let period = [
            "--from", RFC3339.format(now.addingTimeInterval(-30 * 86_400)), "--to",
            RFC3339.format(now.addingTimeInterval(3600)),
        ]
        let byOfficer = try rows(station, period + ["--by", "officer"])
        #expect(Set(byOfficer.keys) == ["64000123", "64000456", "64000789", "TOTAL"])
        let a = byOfficer["64000123"], b = byOfficer["64000456"], c = byOfficer["64000789"], total = byOfficer["TOTAL"]
        #expect(
            a?["clips"] as? Int == 3 && a?["secondsRecorded"] as? Int == 60 + 30 + 20 && a?["bytes"] as? Int == bytes1)
        #expect(
            a?["lateClips"] as? Int == 3 && a?["unexplainedGaps"] as? Int == 1 && a?["overdueRecorders"] as? Int == 0)
        #expect(gaps(a) == ["shortResume": 1, "missingSequence": 1])
        #expect(b?["clips"] as? Int == 1 && b?["secondsRecorded"] as? Int == 40 && b?["bytes"] as? Int == bytes2)
        #expect(b?["lateClips"] as? Int == 0 && gaps(b).isEmpty && b?["overdueRecorders"] as? Int == 0)
        // SN3 was handed over four days ago and never docked: overdue, under its officer.
        #expect(c?["clips"] as? Int == 0 && c?["overdueRecorders"] as? Int == 1)
        #expect(total?["clips"] as? Int == 4 && total?["secondsRecorded"] as? Int == 150)
        #expect(total?["bytes"] as? Int == bytes1 + bytes2 && total?["lateClips"] as? Int == 3)
        #expect(gaps(total) == ["shortResume": 1, "missingSequence": 1] && total?["unexplainedGaps"] as? Int == 1)
        #expect(total?["overdueRecorders"] as? Int == 1 && total?["archivesMissed"] as? Int == 1)

        let byRecorder = try rows(station, period + ["--by", "recorder"])
        #expect(byRecorder["SN1"]?["clips"] as? Int == 3 && byRecorder["SN3"]?["overdueRecorders"] as? Int == 1)
        let byDay = try rows(station, period + ["--by", "day"])
        let day1 = String(RFC3339.format(base).prefix(10)), day2 = String(RFC3339.format(recent).prefix(10))
        #expect(byDay[day1]?["clips"] as? Int == 3 && byDay[day1]?["secondsRecorded"] as? Int == 110)
        #expect(byDay[day2]?["clips"] as? Int == (day1 == day2 ? 4 : 1))
        #expect(byDay["TOTAL"]?["archivesMissed"] as? Int == 1)

        // The last day only: SN2's clip; SN1's clips and gaps and the archive deadline fall before it.
        let lastDay = try rows(
            station, ["--from", RFC3339.format(now.addingTimeInterval(-86_400)), "--to", RFC3339.format(now)])
        #expect(lastDay["TOTAL"]?["clips"] as? Int == 1 && lastDay["TOTAL"]?["secondsRecorded"] as? Int == 40)
        #expect(gaps(lastDay["TOTAL"]).isEmpty && lastDay["TOTAL"]?["archivesMissed"] as? Int == 0)

        let csv = try station.custody(["report", "--csv", "--by", "officer"] + period)
        let lines = csv.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("officer,hours,clips,bytes,late,") == true)
        #expect(lines.last?.hasPrefix("TOTAL,0.04,4,\(bytes1 + bytes2),3,") == true, "\(csv.standardOutput)")
    }
}
