import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody report`: figures for supervision and assessment (Art 29, Art 31).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Hours recorded, clips, bytes, late clips, gaps, overdue recorders and missed archives (Art 29, 31).",
        discussion: """
            custody report --from T --to T [--by officer|recorder|day] [--csv|--json]
            The period is from ≤ t < to. docs/lifecycle.md says what each column counts.
            """)

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "Start of the period, RFC 3339 (included).") var from: String
    @Option(help: "End of the period, RFC 3339 (excluded).") var to: String
    @Option(help: "Group rows by officer, recorder or day (UTC).") var by: String?
    @Flag(help: "Comma-separated values with a header line.") var csv = false
    @Flag(help: "One JSON object per row.") var json = false
    @Option(help: .hidden) var now: String?

    func validate() throws {
        if let by, ComplianceGrouping(rawValue: by) == nil {
            throw ValidationError("--by must be officer, recorder or day")
        }
        if csv && json { throw ValidationError("give --csv or --json, not both") }
    }

    func run() throws {
        let station = try global.openStation(readOnly: true)
        let start = try time(from, "--from")
        let end = try time(to, "--to")
        guard start < end else { throw CLIError("--from must be before --to") }
        let instant = try now.map { try time($0, "--now") } ?? Date()
        let rows = try manifest { () throws(ManifestError) in
            try station.store.complianceReport(
                from: start, to: end, by: by.flatMap(ComplianceGrouping.init(rawValue:)),
                window: station.configuration.upload.window, now: instant)
        }
        let kinds = GapKind.allCases.map(\.rawValue)
        if json {
            for row in rows {
                var gaps = [String: JSONValue]()
                for kind in kinds { gaps[kind] = .int(Int64(row.gapsByKind[kind] ?? 0)) }
                let value: JSONValue = .object([
                    "key": .string(row.key), "secondsRecorded": .int(row.secondsRecorded),
                    "clips": .int(Int64(row.clips)),
                    "bytes": .int(Int64(clamping: row.bytes)), "lateClips": .int(Int64(row.lateClips)),
                    "gaps": .object(gaps), "unexplainedGaps": .int(Int64(row.unexplainedGaps)),
                    "overdueRecorders": .int(Int64(row.overdueRecorders)),
                    "archivesMissed": .int(Int64(row.archivesMissed)),
                ])
                print(String(decoding: CanonicalJSON.encode(value), as: UTF8.self))
            }
            return
        }
        let header =
            [by ?? "scope", "hours", "clips", "bytes", "late"] + kinds.map { "gaps_\($0)" }
            + ["unexplained", "overdue", "archives_missed"]
        func cells(_ row: ComplianceRow) -> [String] {
            [row.key, String(format: "%.2f", row.hoursRecorded), "\(row.clips)", "\(row.bytes)", "\(row.lateClips)"]
                + kinds.map { "\(row.gapsByKind[$0] ?? 0)" }
                + ["\(row.unexplainedGaps)", "\(row.overdueRecorders)", "\(row.archivesMissed)"]
        }
        if csv {
            print(header.joined(separator: ","))
            for row in rows {
                print(
                    cells(row).map {
                        $0.contains(",") || $0.contains("\"")
                            ? "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" : $0
                    }.joined(separator: ","))
            }
            return
        }
        let table = [header] + rows.map(cells)
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for line in table {
            print(
                line.indices.map {
                    $0 == 0
                        ? line[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[$0] - line[$0].count) + line[$0]
                }.joined(separator: "  "))
        }
    }
}
