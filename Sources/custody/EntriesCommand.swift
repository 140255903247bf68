import ArgumentParser
import CustodyCore
import CustodyManifest

/// `custody entries`: lists manifest entries.
struct EntriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entries", abstract: "List manifest entries in order.")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    @Option(help: "The first index to list.")
    var start: UInt64 = 0

    @Option(help: "At most this many entries.")
    var limit: Int = 1000

    @Flag(help: "One JSON object per line: {\"index\":N,\"leaf\":\"<hex>\",\"body\":<the entry>}.")
    var json = false

    func validate() throws {
        guard start <= UInt64(Int64.max) else { throw ValidationError("--start is beyond any log") }
        guard limit >= 0 else { throw ValidationError("--limit must not be negative") }
    }

    func run() throws {
        let station = try global.openStation(readOnly: true)
        let entries = try manifest { () throws(ManifestError) in
            try station.store.entries(start: start, limit: limit)
        }
        for entry in entries {
            if json {
                print("{\"index\":\(entry.index),\"leaf\":\"\(entry.leafHash.hex)\",\"body\":\(entry.text)}")
            } else {
                print("\(entry.index)\t\(entry.text)")
            }
        }
    }
}
