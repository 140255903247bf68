import ArgumentParser
import CustodyCore
import CustodyIngest
import Foundation

/// `custody status`: which recorders are docked, in which bay, what is being copied and how far (from the status
/// file custodyd keeps in its runtime directory).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show docked recorders, their bays, and what is being copied.",
        discussion: """
            Reads status.json in the daemon's runtime directory (docking.runtime_directory). Exits 0 while custodyd
            runs, 1 when it does not.
            """)

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    @Flag(help: "Print the status file's JSON as it is.")
    var json = false

    func run() throws {
        let configuration = try global.loadConfiguration()
        let file = StationStatus.fileURL(runtimeDirectory: configuration.runtimeDirectory)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw CLIError("custodyd is not running (there is no \(file.path))")
        }
        let status: StationStatus
        do {
            status = try JSONDecoder().decode(StationStatus.self, from: data)
        } catch {
            throw CLIError("\(file.path) cannot be read: \(error)")
        }
        guard kill(status.pid, 0) == 0 || errno == EPERM else {
            throw CLIError(
                "custodyd is not running: process \(status.pid) has gone; \(file.path) is from \(status.updated)")
        }
        if json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let count = status.recorders.count
        print(
            "custodyd \(status.stopping ? "stopping" : "running") (pid \(status.pid), since \(status.started)): "
                + (count == 0 ? "no recorders docked" : "\(count) recorder\(count == 1 ? "" : "s") docked"))
        for recorder in status.recorders {
            var line =
                "  bay \(recorder.bay)  \(recorder.serial) (\(recorder.model))  \(recorder.device) "
                + "\(recorder.fileSystem)  \(recorder.state)"
            if recorder.filesTotal > 0 || recorder.state == "ingesting" {
                let percent = recorder.bytesTotal > 0 ? recorder.bytesCopied * 100 / recorder.bytesTotal : 100
                line +=
                    "  \(recorder.filesDone)/\(recorder.filesTotal) files  \(ByteCount(recorder.bytesCopied))/"
                    + "\(ByteCount(recorder.bytesTotal))  \(percent)%"
            }
            if recorder.state == "done" {
                line += "  (\(recorder.ingested) ingested, \(recorder.alreadyIngested) already in the manifest)"
            }
            if recorder.filesFailed > 0 { line += "  \(recorder.filesFailed) failed" }
            print(line)
            for copy in recorder.copying {
                print("      copying \(copy.path)  \(ByteCount(copy.bytesDone))/\(ByteCount(copy.size))")
            }
            if let error = recorder.error { print("      error: \(error)") }
        }
        for device in status.ignored {
            print("  ignored \(device.device): \(device.reason)")
        }
    }
}
