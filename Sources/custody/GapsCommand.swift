import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody gaps`: the register of gaps and interruptions (Art 19, Art 22).
struct GapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps", abstract: "List registered gaps and interruptions (Art 19, Art 22).",
        discussion: "A gap is open until an explanation refers to it or, for an interrupted ingest, a later complete ingest resolves it.")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Flag(help: "Only gaps still open (unexplained and unresolved).") var unexplained = false
    @Option(help: "Only this officer's gaps (certificate).") var officer: String?
    @Option(help: "Only this recorder's gaps (serial).") var recorder: String?
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let station = try global.openStation(readOnly: true)
        let gaps = try manifest { () throws(ManifestError) in
            try station.store.gaps(openOnly: unexplained, officer: officer, recorder: recorder)
        }
        for gap in gaps {
            let status =
                gap.resolvedBy.map { "resolved by entry \($0)" }
                ?? (gap.explanations > 0 ? "explained (\(gap.explanations))" : "UNEXPLAINED")
            if json {
                let value: JSONValue = .object([
                    "entry": .int(Int64(gap.entryIndex)), "kind": .string(gap.kind.rawValue),
                    "recorder": .string(gap.serial), "officer": gap.officer.map { .string($0) } ?? .null,
                    "start": .string(RFC3339.format(gap.start)), "end": .string(RFC3339.format(gap.end)),
                    "before": gap.beforeEntry.map { .int(Int64($0)) } ?? .null,
                    "after": gap.afterEntry.map { .int(Int64($0)) } ?? .null,
                    "explanations": .int(Int64(gap.explanations)),
                    "resolvedBy": gap.resolvedBy.map { .int(Int64($0)) } ?? .null, "open": .bool(gap.isOpen),
                    "evidence": .string(gap.evidence),
                ])
                print(String(decoding: CanonicalJSON.encode(value), as: UTF8.self))
            } else {
                print(
                    "\(gap.entryIndex)  \(gap.kind.rawValue)  \(gap.serial)  \(gap.officer ?? "UNASSIGNED")  "
                        + "\(RFC3339.format(gap.start)) → \(RFC3339.format(gap.end))  \(status)\n    \(gap.evidence)")
            }
        }
    }
}
