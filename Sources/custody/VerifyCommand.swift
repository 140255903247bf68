import ArgumentParser
import CustodyManifest
import Foundation

/// `custody verify`: recomputes the whole manifest from its stored bytes (Art 6, Art 28).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the manifest from its stored bytes and check every checkpoint.",
        discussion: """
            Exits 0 when the log verifies and 1 with a report of every problem otherwise.
            With --against, also checks that the log still holds the tree a saved checkpoint signed
            (the case system's view): nothing signed was removed or rewritten.
            """
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    @Option(help: "A signed checkpoint saved earlier, to check the log against.")
    var against: String?

    @Option(help: "Verify with this verifier key instead of the station's own key file.")
    var key: String?

    @Flag(help: "Also re-hash every stored object (Art 28); appends store.corruption for each that fails.")
    var deep = false

    func run() throws {
        let station = try global.openStation(readOnly: true)
        let verifier = try manifest { () throws(ManifestError) in
            if let key { return try NoteVerifier(verifierKey: key) }
            return try CheckpointKeyFile.load(from: station.configuration.storage.checkpointKeyFile).verifier
        }
        let interactive = isatty(STDERR_FILENO) == 1
        let report = try manifest { () throws(ManifestError) in
            try station.store.audit(verifier: verifier) { done, total in
                if interactive { FileHandle.standardError.write(Data("\rverifying \(done)/\(total) entries".utf8)) }
            }
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        var problems = report.findings.map(\.message)
        let differing = try manifest { () throws(ManifestError) in try station.store.indexDifferences() }
        for table in differing {
            problems.append(
                "the query table \(table) disagrees with the entries; the entries are the truth: run `custody reindex`")
        }
        if deep { problems += try deepScrub() }
        var againstLine: String?
        if let against {
            guard let data = FileManager.default.contents(atPath: against) else {
                throw CLIError("cannot read the saved checkpoint \(against)")
            }
            if let text = String(validating: data, as: UTF8.self) {
                do {
                    let saved = try station.store.checkAgainst(savedNote: text, verifier: verifier)
                    againstLine = "the saved checkpoint of size \(saved.size) is a prefix of the log"
                } catch {
                    problems.append("saved checkpoint \(against): \(error.message)")
                }
            } else {
                problems.append("saved checkpoint \(against): not a signed note (the file is not UTF-8 text)")
            }
        }
        if problems.isEmpty {
            print("manifest verified: \(report.size) entries, \(report.checkpointsChecked) checkpoints")
            if let againstLine { print(againstLine) }
            return
        }
        print("MANIFEST DOES NOT VERIFY: \(problems.count) problem\(problems.count == 1 ? "" : "s")")
        for problem in problems.prefix(200) { print("  - \(problem)") }
        if problems.count > 200 { print("  … and \(problems.count - 200) more") }
        print("Keep this database and its checkpoints as evidence; do not repair it by hand.")
        throw ExitCode(1)
    }
}
