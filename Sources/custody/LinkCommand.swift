import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody link`: links clips to a case of the case system (Art 18, Art 21).
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Link clips to a case (Art 18, Art 21): by digest, or every clip of an officer in a span.",
        discussion: """
            custody link --case ID --clip SHA256 [--clip SHA256 …]
            custody link --case ID --officer CERT --from T --to T
            """
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "The case ID in the case system.") var `case`: String
    @Option(help: "A clip's SHA-256 (repeatable).") var clip: [String] = []
    @Option(help: "Every clip of this officer (certificate) recorded in --from…--to.") var officer: String?
    @Option(help: "Start of the span, RFC 3339.") var from: String?
    @Option(help: "End of the span, RFC 3339.") var to: String?

    func validate() throws {
        guard !`case`.isEmpty, `case`.utf8.count <= 128 else { throw ValidationError("--case must be 1-128 bytes") }
        guard clip.isEmpty != (officer == nil) else {
            throw ValidationError("give either --clip SHA256 … or --officer CERT --from T --to T")
        }
        if officer != nil && (from == nil || to == nil) { throw ValidationError("--officer needs --from and --to") }
    }

    func run() throws {
        let station = try global.openStation(readOnly: false)
        let store = station.store
        let outcome: ManifestStore.CaseLinkOutcome
        if let officer {
            let start = try time(from!, "--from")
            let end = try time(to!, "--to")
            outcome = try manifest { () throws(ManifestError) in
                try store.linkClips(ofOfficer: officer, recordedFrom: start, to: end, toCase: `case`, by: nil, time: Date())
            }
        } else {
            outcome = try manifest { () throws(ManifestError) in
                try store.linkClips(clip, toCase: `case`, by: nil, time: Date())
            }
        }
        guard outcome.linkedClips > 0 else {
            print("every selected clip is already linked to case \(`case`)")
            return
        }
        let count = outcome.entries.count
        print(
            "linked \(outcome.linkedClips) clip\(outcome.linkedClips == 1 ? "" : "s") to case \(`case`) "
                + "(\(count) entr\(count == 1 ? "y" : "ies"))")
    }
}

/// `custody unlink`: reverses a link with a new entry; deletes nothing.
struct UnlinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlink", abstract: "Reverse a case link with a case.unlinked entry (the link entry stays).")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "The case ID.") var `case`: String
    @Option(help: "A linked clip's SHA-256 (repeatable).") var clip: [String]
    @Option(help: "Why the link is reversed.") var reason: String

    func run() throws {
        let station = try global.openStation(readOnly: false)
        let (entry, count) = try manifest { () throws(ManifestError) in
            try station.store.unlinkClips(clip, fromCase: `case`, reason: reason, by: nil, time: Date())
        }
        print("unlinked \(count) clip\(count == 1 ? "" : "s") from case \(`case`) (entry \(entry.index))")
    }
}

/// `custody case`: a case's clips with their gaps and lateness.
struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case", abstract: "List a case's clips with their lateness and the gaps beside them.")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Argument(help: "The case ID.") var caseID: String

    func run() throws {
        let station = try global.openStation(readOnly: true)
        let clips = try manifest { () throws(ManifestError) in try station.store.caseClips(caseID) }
        guard !clips.isEmpty else {
            print("case \(caseID) has no linked clips")
            return
        }
        let gaps = try manifest { () throws(ManifestError) in try station.store.gaps() }
        print("case \(caseID): \(clips.count) clip\(clips.count == 1 ? "" : "s")")
        for clip in clips.sorted(by: { $0.recordingStart < $1.recordingStart }) {
            print(
                "  \(RFC3339.format(clip.recordingStart))  \(clip.serial)  \(clip.officerCertificate ?? "UNASSIGNED")  "
                    + "\(clip.late ? "LATE" : "on time")  \(clip.sha256)")
            for gap in gaps where gap.beforeEntry == clip.entryIndex || gap.afterEntry == clip.entryIndex {
                print("      gap \(gap.entryIndex) \(gap.kind.rawValue): \(gap.isOpen ? "UNEXPLAINED" : "explained or resolved") — \(gap.evidence)")
            }
        }
    }
}

/// `custody reindex`: rebuilds the query tables from the entries.
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild every query table (clips, officers, gaps, links…) from the manifest entries.",
        discussion: "The entries are the truth; the tables are caches. `custody verify` checks that they agree.")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    func run() throws {
        let station = try global.openStation(readOnly: false)
        try manifest { () throws(ManifestError) in try station.store.reindex() }
        let differing = try manifest { () throws(ManifestError) in try station.store.indexDifferences() }
        guard differing.isEmpty else { throw CLIError("the rebuilt tables still differ: \(differing.joined(separator: ", "))") }
        print("query tables rebuilt from \(try manifest { () throws(ManifestError) in try station.store.size() }) entries")
    }
}
