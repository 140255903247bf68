import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody explain`: records an officer's explanation of a gap (Art 22).
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a gap (Art 22): by voice on the resumed clip, or in writing signed by two officers.",
        discussion: """
            custody explain GAP --spoken --clip SHA256
            custody explain GAP --written "text" --signed-by CERT1 --signed-by CERT2
            A gap can be explained again; every explanation stands.
            """
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Argument(help: "The gap's entry index (from `custody gaps`).") var gap: UInt64
    @Flag(help: "The resumed clip carries the officer's spoken reason.") var spoken = false
    @Option(help: "With --spoken: the SHA-256 of the clip that carries it.") var clip: String?
    @Option(help: "A written explanation.") var written: String?
    @Option(help: "With --written: an officer's certificate; give two or more distinct officers.") var signedBy: [String] = []

    func validate() throws {
        guard spoken != (written != nil) else {
            throw ValidationError("give either --spoken --clip SHA256 or --written TEXT --signed-by CERT …")
        }
        if spoken && clip == nil { throw ValidationError("--spoken needs --clip SHA256") }
        if !spoken && clip != nil { throw ValidationError("--clip goes with --spoken") }
        if spoken && !signedBy.isEmpty { throw ValidationError("--signed-by goes with --written") }
    }

    func run() throws {
        let station = try global.openStation(readOnly: false)
        let explanation: GapExplanation =
            spoken ? .spoken(clipSHA256: clip!) : .written(text: written!, signedBy: signedBy)
        let entry = try manifest { () throws(ManifestError) in
            try station.store.explainGap(at: gap, explanation, by: nil, time: Date())
        }
        print("gap \(gap) explained (\(spoken ? "spoken" : "written"); entry \(entry.index))")
    }
}
