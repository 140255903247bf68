import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody exception`: an upload-window exception (Art 23).
struct ExceptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exception",
        abstract: "Declare an upload-window exception (Art 23): footage recorded in a period is due after return.",
        discussion: """
            Clips of the recorder recorded between --from and --to get the deadline --returned + the window.
            Clips already ingested are re-evaluated by a new lateness.revised entry; their entries are never edited.
            """
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "The recorder's serial.") var recorder: String
    @Option(help: "Start of the period, RFC 3339.") var from: String
    @Option(help: "End of the period, RFC 3339.") var to: String
    @Option(help: "continuous, offsite or remote (Art 23).") var reason: String
    @Option(help: "When the officer returned to base, RFC 3339.") var returned: String

    func run() throws {
        guard let reason = WindowException.Reason(rawValue: reason) else {
            throw CLIError("--reason must be continuous, offsite or remote (Art 23)")
        }
        let start = try time(from, "--from")
        let end = try time(to, "--to")
        let back = try time(returned, "--returned")
        guard start < end else { throw CLIError("--to must be after --from") }
        guard back >= start else { throw CLIError("--returned must not be before --from") }
        let station = try global.openStation(readOnly: false)
        let store = station.store
        let window = station.configuration.upload.window
        let (exception, revisions) = try manifest { () throws(ManifestError) in
            let exception = try store.append(
                .windowException(serial: recorder, from: start, to: end, reason: reason, returned: back, time: Date()))
            let rule = WindowException(
                recorderSerial: recorder, from: start, to: end, reason: reason, returned: back, entryIndex: exception.index)
            var revised = [(clip: StoredEntry, deadline: Date, late: Bool)]()
            for clip in try store.clips(serial: recorder, recordedFrom: start, to: end) {
                let deadline = window.deadline(
                    serial: recorder, recordingStart: clip.recordingStart, recordingEnd: clip.recordingEnd,
                    exceptions: [rule]
                ).deadline
                revised.append(
                    (try store.entry(at: clip.entryIndex), deadline, window.isLate(ingestTime: clip.ingestTime, deadline: deadline)))
            }
            // Chunks keep each entry well under 64 KiB.
            var entries = [ManifestEntry]()
            var start = revised.startIndex
            while start < revised.endIndex {
                let chunk = Array(revised[start..<min(start + 200, revised.endIndex)])
                entries.append(try .latenessRevised(exception: exception, clips: chunk, time: Date()))
                start += 200
            }
            if !entries.isEmpty { _ = try store.append(contentsOf: entries) }
            return (exception, revised)
        }
        print(
            "exception recorded (entry \(exception.index)); \(revisions.count) clip\(revisions.count == 1 ? "" : "s") already ingested re-evaluated, "
                + "\(revisions.filter(\.late).count) still late")
    }
}

/// Parses an RFC 3339 option value.
func time(_ text: String, _ option: String) throws -> Date {
    guard let date = RFC3339.parse(text) else {
        throw CLIError("\(option) \"\(text)\" is not an RFC 3339 time, e.g. 2026-11-30T08:00:00+08:00")
    }
    return date
}
