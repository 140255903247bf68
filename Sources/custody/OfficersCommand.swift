import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody officers`: the officer register (Art 8).
struct OfficersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "officers", abstract: "Register and list officers (Art 8).",
        subcommands: [Add.self, List.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an officer (an officer.registered entry).")
        @ParentCommand var custody: CustodyCommand
        var global: GlobalOptions { custody.global }
        @Option(help: "The enforcement-certificate number.") var cert: String
        @Option(help: "The officer's name.") var name: String

        func validate() throws {
            guard Officer.isValidCertificate(cert) else {
                throw ValidationError("--cert must be 1-32 letters, digits or hyphens")
            }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.utf8.count <= 200 else {
                throw ValidationError("--name must be non-empty and at most 200 bytes")
            }
        }

        func run() throws {
            let station = try global.openStation(readOnly: false)
            let entry = try manifest { () throws(ManifestError) in
                try station.store.registerOfficer(Officer(certificate: cert, name: name), time: Date())
            }
            print("registered officer \(cert) \(name) (entry \(entry.index))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered officers.")
        @ParentCommand var custody: CustodyCommand
        var global: GlobalOptions { custody.global }

        func run() throws {
            let station = try global.openStation(readOnly: true)
            for officer in try manifest({ () throws(ManifestError) in try station.store.officers() }) {
                print("\(officer.certificate)  \(officer.name)")
            }
        }
    }
}

/// `custody assign`: hands a recorder to an officer (Art 8).
struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Record that an officer holds a recorder (an assignment.recorded entry).",
        discussion: """
            Clips are attributed to the officer who held the recorder when recording started. A later assignment
            supersedes an open-ended earlier one from its --from time; nothing is edited.
            """
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "The recorder's serial number.") var recorder: String
    @Option(help: "The officer's certificate number (registered with `custody officers add`).") var officer: String
    @Option(help: "From when, RFC 3339 (default: now).") var from: String?
    @Option(help: "Until when, RFC 3339 (default: until the next assignment).") var to: String?

    func run() throws {
        let station = try global.openStation(readOnly: false)
        guard try manifest({ () throws(ManifestError) in try station.store.officer(certificate: officer) }) != nil else {
            throw CLIError("officer \(officer) is not registered; run `custody officers add --cert \(officer) --name …` first")
        }
        let start = try from.map { text in
            guard let date = RFC3339.parse(text) else { throw CLIError("--from \"\(text)\" is not an RFC 3339 time") }
            return date
        } ?? Date()
        let end = try to.map { text in
            guard let date = RFC3339.parse(text) else { throw CLIError("--to \"\(text)\" is not an RFC 3339 time") }
            return date
        }
        if let end, end <= start { throw CLIError("--to must be after --from") }
        let entry = try manifest { () throws(ManifestError) in
            try station.store.append(
                .assignmentRecorded(serial: recorder, certificate: officer, from: start, to: end, time: Date()))
        }
        print("recorder \(recorder) assigned to officer \(officer) from \(RFC3339.format(start))"
            + (end.map { " to \(RFC3339.format($0))" } ?? "") + " (entry \(entry.index))")
    }
}
