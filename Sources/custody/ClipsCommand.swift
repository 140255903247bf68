import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody clips`: what is in the store.
struct ClipsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clips", abstract: "List ingested clips, newest recording first.")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    @Option(help: "Only this recorder's clips (serial).") var recorder: String?
    @Option(help: "Only this officer's clips (certificate number).") var officer: String?
    @Flag(help: "Only clips ingested after their Art 23 deadline.") var late = false
    @Option(help: "At most this many clips.") var limit = 1000
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let station = try global.openStation(readOnly: true)
        let clips = try manifest { () throws(ManifestError) in
            try station.store.clips(recorder: recorder, officer: officer, lateOnly: late, limit: limit)
        }
        for clip in clips {
            if json {
                let value: JSONValue = .object([
                    "entry": .int(Int64(clip.entryIndex)), "sha256": .string(clip.sha256),
                    "recorder": .string(clip.serial), "model": .string(clip.model),
                    "path": .string(clip.path?.display ?? ""), "size": .int(Int64(clamping: clip.size)),
                    "recordingStart": .string(RFC3339.format(clip.recordingStart)),
                    "recordingEnd": .string(RFC3339.format(clip.recordingEnd)),
                    "officer": clip.officerCertificate.map { .string($0) } ?? .null, "late": .bool(clip.late),
                    "ingestTime": .string(RFC3339.format(clip.ingestTime)),
                ])
                print(String(decoding: CanonicalJSON.encode(value), as: UTF8.self))
            } else {
                print(
                    [
                        RFC3339.format(clip.recordingStart), clip.serial, clip.officerCertificate ?? "UNASSIGNED",
                        clip.late ? "LATE" : "on time", String(clip.sha256.prefix(16)), clip.path?.display ?? "?",
                    ].joined(separator: "  "))
            }
        }
    }
}
