import ArgumentParser
import CustodyManifest
import Foundation

/// `custody append-note`: an administrator's free-text entry in the manifest.
struct AppendNoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append-note",
        abstract: "Append an administrator's free-text note to the manifest.",
        discussion: "Each appended entry is printed only after it is durably committed."
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    @Option(help: "The note's text.")
    var text: String

    @Option(help: "Append this many notes, numbered (for drills and crash tests).")
    var count: Int = 1

    @Option(help: "Sign a checkpoint after every N notes (0: never).")
    var signEvery: Int = 0

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard signEvery >= 0 else { throw ValidationError("--sign-every must not be negative") }
    }

    func run() throws {
        let station = try global.openStation(readOnly: false)
        let signer = signEvery > 0 ? try station.signer() : nil
        let author = ProcessInfo.processInfo.environment["SUDO_USER"] ?? NSUserName()
        for number in 1...count {
            let noteText = count == 1 ? text : "\(text) #\(number)"
            let stored = try manifest { () throws(ManifestError) in
                let entry = try ManifestEntry(
                    type: .adminNote, time: Date(), fields: ["text": .string(noteText), "by": .string(author)])
                return try station.store.append(entry)
            }
            print("appended entry \(stored.index) leaf \(stored.leafHash.hex)")
            if let signer, number % signEvery == 0 {
                let checkpoint = try manifest { () throws(ManifestError) in try station.store.signCheckpoint(with: signer) }
                print("signed checkpoint \(checkpoint.size)")
            }
            fflush(nil)
        }
    }
}
