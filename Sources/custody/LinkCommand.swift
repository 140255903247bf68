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
        var selected = [ClipSummary]()
        let selection: String
        if let officer {
            let start = try time(from!, "--from")
            let end = try time(to!, "--to")
            selected = try manifest { () throws(ManifestError) in try store.clips(officer: officer, limit: Int.max) }
                .filter { $0.recordingStart >= start && $0.recordingStart <= end }
            selection = "officer \(officer) from \(RFC3339.format(start)) to \(RFC3339.format(end))"
            if selected.isEmpty { throw CLIError("officer \(officer) has no clips recorded in that span") }
        } else {
            for sha in clip {
                guard SHA256Hash(hex: sha) != nil else { throw CLIError("\(sha) is not a SHA-256 in lowercase hex") }
                let matches = try manifest { () throws(ManifestError) in try store.clips(sha256: sha) }
                guard !matches.isEmpty else { throw CLIError("no clip \(sha) is in the manifest (`custody clips`)") }
                selected += matches
            }
            selection = "by digest"
        }
        let already = Set(try manifest { () throws(ManifestError) in try store.caseClips(`case`) }.map(\.entryIndex))
        let new = selected.filter { !already.contains($0.entryIndex) }
        guard !new.isEmpty else {
            print("every selected clip is already linked to case \(`case`)")
            return
        }
        let count = try manifest { () throws(ManifestError) in
            var entries = [ManifestEntry]()
            var start = 0
            while start < new.count {
                let chunk = try new[start..<min(start + 200, new.count)].map { summary throws(ManifestError) in
                    (try store.entry(at: summary.entryIndex), summary.sha256)
                }
                entries.append(try .caseLinked(caseID: `case`, clips: chunk, selection: selection, time: Date()))
                start += 200
            }
            return try store.append(contentsOf: entries).count
        }
        print("linked \(new.count) clip\(new.count == 1 ? "" : "s") to case \(`case`) (\(count) entr\(count == 1 ? "y" : "ies"))")
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
        let store = station.store
        let linked = try manifest { () throws(ManifestError) in try store.caseClips(`case`) }
        let chosen = linked.filter { clip.contains($0.sha256) }
        guard !chosen.isEmpty else { throw CLIError("none of those clips is linked to case \(`case`) (`custody case \(`case`)`)") }
        let entry = try manifest { () throws(ManifestError) in
            let clips = try chosen.map { summary throws(ManifestError) in (try store.entry(at: summary.entryIndex), summary.sha256) }
            return try store.append(try .caseUnlinked(caseID: `case`, clips: clips, reason: reason, time: Date()))
        }
        print("unlinked \(chosen.count) clip\(chosen.count == 1 ? "" : "s") from case \(`case`) (entry \(entry.index))")
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
