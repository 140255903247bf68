import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// Looks up a registered officer for `--by` / `--authorised-by`.
func registeredOfficer(_ store: ManifestStore, _ certificate: String, option: String) throws -> Officer {
    guard let officer = try manifest({ () throws(ManifestError) in try store.officer(certificate: certificate) }) else {
        throw CLIError("\(option) \(certificate) is not a registered officer (`custody officers`)")
    }
    return officer
}

/// `custody hold`: preserves footage long-term (Art 26); a held clip is never purged.
struct HoldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Hold clips or a whole case long-term (Art 26); held footage is never purged.",
        discussion: """
            custody hold --clip SHA256 [--clip …] --reason dispute|obstruction|emergency|sensitive [--note T] [--by CERT]
            custody hold --case ID --reason …       every clip linked to the case while the hold stands
            """)

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "A clip's SHA-256 (repeatable).") var clip: [String] = []
    @Option(help: "A case ID: holds every clip linked to it, now and later.") var `case`: String?
    @Option(help: "dispute, obstruction, emergency or sensitive (Art 26).") var reason: String
    @Option(help: "Free text for the record.") var note: String?
    @Option(help: "The registered officer placing the hold (certificate).") var by: String?

    func validate() throws {
        guard clip.isEmpty != (`case` == nil) else { throw ValidationError("give either --clip SHA256 … or --case ID") }
        guard ManifestEntry.HoldReason(rawValue: reason) != nil else {
            throw ValidationError("--reason must be one of dispute, obstruction, emergency, sensitive (Art 26)")
        }
    }

    func run() throws {
        let station = try global.openStation(readOnly: false)
        let store = station.store
        let officer = try by.map { try registeredOfficer(store, $0, option: "--by") }
        let target: ManifestStore.HoldTarget = `case`.map { ManifestStore.HoldTarget.caseID($0) } ?? .clips(clip)
        let entry = try manifest { () throws(ManifestError) in
            try store.placeHold(
                on: target, reason: try ManifestStore.holdReason(reason), note: note, by: officer.map { .officer($0) },
                time: Date())
        }
        let clips = try manifest { () throws(ManifestError) in try ManifestEntry(body: entry.body) }
            .fields["clips"]?.arrayValue?.count ?? 0
        let what =
            `case`.map { "case \($0) (\(clips) clip\(clips == 1 ? "" : "s") linked now)" }
            ?? "\(clips) clip\(clips == 1 ? "" : "s")"
        print("hold \(entry.index) placed on \(what): \(reason)")
    }
}

/// `custody release`: ends holds with a `hold.released` entry; the hold entry stays.
struct ReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release holds (Art 26) on clips or a case, or one hold by its entry index.",
        discussion: "custody release (--hold INDEX | --clip SHA256 | --case ID) --reason TEXT [--by CERT]")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "The hold.placed entry index.") var hold: UInt64?
    @Option(help: "Release every clip hold naming this SHA-256.") var clip: String?
    @Option(help: "Release every hold on this case.") var `case`: String?
    @Option(help: "Why the hold ends.") var reason: String
    @Option(help: "The registered officer releasing it (certificate).") var by: String?

    func validate() throws {
        guard [hold != nil, clip != nil, `case` != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give one of --hold INDEX, --clip SHA256 or --case ID")
        }
    }

    func run() throws {
        let station = try global.openStation(readOnly: false)
        let store = station.store
        let officer = try by.map { try registeredOfficer(store, $0, option: "--by") }
        let release: ManifestStore.HoldRelease =
            if let hold { .hold(hold) } else if let clip { .clip(clip) } else { .caseID(`case`!) }
        let released = try manifest { () throws(ManifestError) in
            try store.releaseHolds(release, reason: reason, by: officer.map { .officer($0) }, time: Date())
        }
        for (hold, entry) in released { print("hold \(hold.entryIndex) released (entry \(entry.index))") }
    }
}

/// `custody holds`: lists holds.
struct HoldsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "holds", abstract: "List holds (Art 26).")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Flag(help: "Also list released holds.") var all = false

    func run() throws {
        let station = try global.openStation(readOnly: true)
        let holds = try manifest { () throws(ManifestError) in try station.store.holds(openOnly: !all) }
        for hold in holds {
            let what = hold.caseID.map { "case \($0)" } ?? "\(hold.clipEntries.count) clip(s)"
            let state = hold.releasedBy.map { "released by entry \($0)" } ?? "OPEN"
            print("hold \(hold.entryIndex)  \(hold.reason)  \(what)  \(state)")
        }
        if holds.isEmpty { print("no \(all ? "" : "open ")holds") }
    }
}

/// `custody retain`: records the case file's retention end, which the case's footage follows (Art 25).
struct RetainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retain",
        abstract: "Record how long a case file is kept; its linked clips are kept as long (Art 25).",
        discussion: """
            Until a case's retention is recorded, its linked clips are never purged. When several are recorded,
            the furthest end counts: retention only ever extends.
            """)

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "The case ID.") var `case`: String
    @Option(help: "The case file's retention end, RFC 3339.") var until: String

    func run() throws {
        let station = try global.openStation(readOnly: false)
        let end = try time(until, "--until")
        let entry = try manifest { () throws(ManifestError) in
            try station.store.append(try .caseRetention(caseID: `case`, until: end, time: Date()))
        }
        print("case \(`case`) kept until \(RFC3339.format(end)) (entry \(entry.index))")
    }
}
