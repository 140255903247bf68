import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody overdue`: recorders out longer than the upload window (Art 23).
struct OverdueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overdue",
        abstract: "List assigned recorders not docked within the upload window (Art 23).",
        discussion: "A recorder is overdue when it is assigned and its last ingest (or its handover, if none since) is older than the window.")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    func run() throws {
        let station = try global.openStation(readOnly: true)
        let now = Date()
        let report = try manifest { () throws(ManifestError) in
            try OverdueReport.overdue(
                recorders: station.store.assignedRecorders(at: now), window: station.configuration.upload.window,
                now: now)
        }
        for item in report {
            print(
                "\(item.serial)  officer \(item.officer)  out since \(RFC3339.format(item.outSince))  "
                    + "\(Int(item.overdueBy / 3600)) h past the window")
        }
        if report.isEmpty { print("no recorder is overdue") }
    }
}
