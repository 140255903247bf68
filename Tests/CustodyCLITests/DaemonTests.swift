import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `custodyd` checks the manifest's tail before it appends anything, records its start, signs checkpoints, and
/// stops cleanly on SIGTERM.
@Suite struct DaemonTests {
    @Test func startsRecordsItsStartSignsAndStopsCleanlyOnSIGTERM() throws {
        let station = try CLITestStation()
        #expect(try station.custody(["append-note", "--text", "before the daemon"]).status == 0)
        let (process, err, log) = try station.startDaemon()
        #expect(log.contains("manifest tail verified"))
        kill(process.processIdentifier, SIGTERM)
        let rest = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(rest.contains("custodyd stopped cleanly"))

        let entries = try station.custody(["entries"]).standardOutput.split(separator: "\n")
        #expect(entries.count == 2)
        #expect(entries.last?.contains("\"type\":\"daemon.started\"") == true)
        #expect(entries.last?.contains("\"treeSize\":1") == true)
        // The daemon signed a checkpoint covering its own start entry.
        let checkpoint = try station.custody(["checkpoint"]).standardOutput.split(separator: "\n")
        #expect(checkpoint.count >= 3 && checkpoint[1] == "2")
        #expect(try station.custody(["verify"]).status == 0)
    }

    @Test func refusesToStartOnAManifestThatFailsItsTailCheck() throws {
        let station = try CLITestStation()
        #expect(try station.custody(["append-note", "--text", "signed", "--count", "3"]).status == 0)
        #expect(try station.custody(["checkpoint", "--sign"]).status == 0)
        #expect(try station.custody(["append-note", "--text", "unsigned"]).status == 0)
        try station.sqlite(
            "DROP TRIGGER entry_append_only_update; UPDATE entry SET body = CAST('{}' AS BLOB) WHERE seq = 3;")
        let (process, _, log) = try station.startDaemon()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(log.contains("start-up tail check"))
        #expect(log.contains("custody verify"))
        let entries = try station.custody(["entries"]).standardOutput.split(separator: "\n")
        #expect(entries.count == 4, "custodyd must not append to a manifest that failed its tail check")
    }

    @Test func logsOverdueRecordersAtStart() throws {
        let station = try CLITestStation()
        #expect(try station.custody(["officers", "add", "--cert", "64000123", "--name", "张伟"]).status == 0)
        let handover = RFC3339.format(Date().addingTimeInterval(-72 * 3600))
        #expect(try station.custody(["assign", "--recorder", "OUT1", "--officer", "64000123", "--from", handover]).status == 0)
        #expect(try station.custody(["assign", "--recorder", "FRESH1", "--officer", "64000123"]).status == 0)
        let (process, err, log) = try station.startDaemon()
        kill(process.processIdentifier, SIGTERM)
        let rest = log + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(rest.contains("recorder overdue"))
        #expect(rest.contains("recorder.serial=OUT1"))
        #expect(!rest.contains("recorder.serial=FRESH1"))
    }

    @Test func documentedExampleConfigurationIsValid() throws {
        let station = try CLITestStation()
        var text = try String(
            contentsOf: CommandRunner.packageRoot.appendingPathComponent("config/custody.toml"), encoding: .utf8)
        // Point the example at this station so the daemon can run on it; every other key stays as documented.
        text = text.replacingOccurrences(of: "\"/var/lib/custody\"", with: "\"state\"")
            .replacingOccurrences(of: "\"custody.invalid/station\"", with: "\"test.example/station-1\"")
        try Data(text.utf8).write(to: station.config)
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardError)")
    }
}
