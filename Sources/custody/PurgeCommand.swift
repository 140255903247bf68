import ArgumentParser
import CustodyCore
import CustodyIngest
import CustodyManifest
import Foundation

/// `custody purge --due`: removes footage whose retention has run out, on an administrator's authority (Art 25).
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove footage past its retention (Art 25); held clips (Art 26) are never purged.",
        discussion: """
            custody purge --due --dry-run                   lists what is due, changes nothing
            custody purge --due --authorised-by CERT        purges it, one clip.purged entry per clip

            A clip is due at recording start + retention.years, or later when a linked case is kept longer
            (`custody retain`); never while it is held or linked to a case whose retention is not recorded.
            Bytes shared by several clips are removed only when every one of them is due. Every clip's
            clip.ingested entry stays in the manifest for ever.
            """)

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Flag(help: "Purge every clip that is due (required: there is no other selection).") var due = false
    @Flag(help: "List what would be purged; change nothing.") var dryRun = false
    @Option(help: "The registered officer (administrator) authorising the purge, by certificate.")
    var authorisedBy: String?
    @Option(help: .hidden) var now: String?

    func validate() throws {
        guard due else { throw ValidationError("give --due: purge removes only footage whose retention has run out") }
        guard dryRun || authorisedBy != nil else {
            throw ValidationError(
                "a purge needs --authorised-by CERT (an administrator's authorisation); or use --dry-run")
        }
    }

    func run() throws {
        let station = try global.openStation(readOnly: dryRun)
        let store = station.store
        let instant = try now.map { try time($0, "--now") } ?? Date()
        let officer = try authorisedBy.map { try registeredOfficer(store, $0, option: "--authorised-by") }
        // Read before planning: the entries are appended only if nothing was appended since (a hold, a link, a new
        // clip of the same bytes), in the same transaction as the check.
        let plannedAt = try manifest { () throws(ManifestError) in try store.size() }
        let plan = try Self.plan(store, years: station.configuration.retention.years, now: instant)
        for (clip, reason) in plan.kept { print("kept  \(clip.clip.sha256)  entry \(clip.clip.entryIndex): \(reason)") }
        guard !plan.due.isEmpty else {
            print("nothing is due for purge at \(RFC3339.format(instant))")
            return
        }
        let bytes = plan.due.reduce(into: [String: UInt64]()) { $0[$1.clip.sha256] = $1.clip.size }.values.reduce(0, +)
        if dryRun {
            for item in plan.due {
                print(
                    "due   \(item.clip.sha256)  entry \(item.clip.entryIndex)  \(item.clip.serial)  recorded \(RFC3339.format(item.clip.recordingStart))  purge from \(item.earliestPurge)"
                )
            }
            print(
                "\(plan.due.count) clip\(plan.due.count == 1 ? "" : "s") due (\(bytes) bytes); nothing purged (--dry-run)"
            )
            return
        }
        let content: ContentStore
        do {
            content = try ContentStore(
                root: station.configuration.storage.storeDirectory,
                staging: station.configuration.storage.stagingDirectory)
        } catch {
            throw CLIError(error.description)
        }
        // The entries first: a crash after them leaves bytes the manifest calls purged (removed by the next purge),
        // never footage gone without an entry explaining it.
        let entries = try manifest { () throws(ManifestError) in
            try plan.due.map { item throws(ManifestError) in
                guard case .at(let earliest) = item.earliestPurge else {
                    throw ManifestError(.invalidRequest, "clip \(item.clip.entryIndex) is not due")
                }
                return try ManifestEntry.clipPurged(
                    clip: try store.entry(at: item.clip.entryIndex), sha256: item.clip.sha256, earliestPurge: earliest,
                    authorisedBy: officer!, time: instant)
            }
        }
        let stored: [StoredEntry]
        do throws(ManifestError) {
            stored = try store.append(contentsOf: entries, ifSizeIs: plannedAt)
        } catch where error.code == .conflict {
            throw CLIError(
                "the manifest changed while the purge was planned (\(error.message)); nothing was purged. "
                    + "Run the purge again")
        } catch {
            throw CLIError(error.description)
        }
        var removed = 0
        for sha in Set(plan.due.map(\.clip.sha256)).sorted() {
            do {
                if try content.removePurged(SHA256Hash(hex: sha)!) { removed += 1 }
            } catch {
                printError("warning: \(error.description)")
            }
        }
        removed += Self.removeLeftovers(
            store, content: content, years: station.configuration.retention.years, now: instant)
        print(
            "purged \(stored.count) clip\(stored.count == 1 ? "" : "s") (entries \(stored.first!.index)-\(stored.last!.index)), "
                + "removed \(removed) object\(removed == 1 ? "" : "s"), \(bytes) bytes, authorised by \(officer!.certificate)"
        )
    }

    /// What a purge at `now` would remove, and the clips past their minimum kept for another reason.
    static func plan(
        _ store: ManifestStore, years: Int, now: Date
    ) throws -> (due: [ClipRetention], kept: [(ClipRetention, String)]) {
        let all = try manifest { () throws(ManifestError) in try store.retention(years: years) }
        let live = all.filter { $0.purgedBy == nil }
        let blockedDigests = Set(live.filter { !$0.earliestPurge.allows(at: now) }.map(\.clip.sha256))
        var due = [ClipRetention]()
        var kept = [(ClipRetention, String)]()
        for item in live where item.earliestPurge.allows(at: now) {
            if blockedDigests.contains(item.clip.sha256) {
                kept.append((item, "the same bytes belong to another clip that is not due"))
            } else {
                due.append(item)
            }
        }
        for item in live where !item.earliestPurge.allows(at: now) {
            if case .never(let reason) = item.earliestPurge,
                RetentionPolicy.minimumRetentionEnd(recordingStart: item.clip.recordingStart, years: years) <= now
            {
                kept.append((item, reason))
            }
        }
        return (due, kept)
    }

    /// Removes objects whose clips were all purged before but whose bytes remain (a purge cut short).
    static func removeLeftovers(_ store: ManifestStore, content: ContentStore, years: Int, now: Date) -> Int {
        guard let all = try? manifest({ () throws(ManifestError) in try store.retention(years: years) }) else {
            return 0
        }
        let live = Set(all.filter { $0.purgedBy == nil }.map(\.clip.sha256))
        var removed = 0
        for sha in Set(all.filter { $0.purgedBy != nil }.map(\.clip.sha256)).subtracting(live) {
            guard let digest = SHA256Hash(hex: sha), content.contains(digest) else { continue }
            if (try? content.removePurged(digest)) == true { removed += 1 }
        }
        return removed
    }
}
