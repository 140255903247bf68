import ArgumentParser
import CustodyManifest

/// `custody checkpoint`: prints, or signs and prints, the latest checkpoint.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the latest signed checkpoint (a C2SP signed note).",
        discussion: "With --sign, first sign a checkpoint of the current tree if it has grown since the last one."
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    @Flag(help: "Sign a checkpoint of the current tree now.")
    var sign = false

    func run() throws {
        let station = try global.openStation(readOnly: !sign)
        if sign {
            let signer = try station.signer()
            let checkpoint = try manifest { () throws(ManifestError) in try station.store.signCheckpoint(with: signer) }
            print(checkpoint.note, terminator: "")
            return
        }
        guard let checkpoint = try manifest({ () throws(ManifestError) in try station.store.latestCheckpoint() }) else {
            throw CLIError("no checkpoint has been signed yet; run `custody checkpoint --sign`")
        }
        print(checkpoint.note, terminator: "")
    }
}
