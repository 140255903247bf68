public import CustodyCore
public import Foundation

/// The entries of the evidence lifecycle after ingest: holds, case retention, purges and store corruption
/// (Art 25, 26, 28).
extension ManifestEntry {
    /// Why footage is held long-term (Art 26).
    public enum HoldReason: String, Sendable, CaseIterable {
        /// The subject disputes the enforcement and may complain.
        case dispute
        /// The subject evaded, refused or obstructed, or abused or assaulted officers.
        case obstruction
        /// Officers handled a public-health emergency.
        case emergency
        /// Another major or sensitive matter.
        case sensitive
    }

    /// The officer an administrator's act is recorded under.
    static func officerValue(_ officer: Officer) -> JSONValue {
        .object(["certificate": .string(officer.certificate), "name": .string(officer.name)])
    }

    static func clipList(_ clips: [(clip: StoredEntry, sha256: String)]) -> JSONValue {
        .array(clips.map { .object(["clip": reference($0.clip), "sha256": .string($0.sha256)]) })
    }

    /// A `hold.placed` entry (Art 26): the clips named (by entry), or a whole case whose clips are held while
    /// linked to it, with the clips linked when the hold was placed; `by` records who placed it, when known.
    public static func holdPlaced(
        caseID: String?, clips: [(clip: StoredEntry, sha256: String)], reason: HoldReason, note: String?,
        by requester: Requester?, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = [
            "scope": .string(caseID == nil ? "clip" : "case"), "reason": .string(reason.rawValue),
            "clips": clipList(clips), "case": caseID.map { .string($0) } ?? .null,
        ]
        if let note { fields["note"] = .string(note) }
        if let requester { fields["by"] = requester.entryValue }
        return try ManifestEntry(type: .holdPlaced, time: time, fields: fields)
    }

    /// A `hold.released` entry: ends a hold; the `hold.placed` entry stays. `by` records who released it.
    public static func holdReleased(
        hold: StoredEntry, reason: String, by requester: Requester?, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = ["hold": reference(hold), "reason": .string(reason)]
        if let requester { fields["by"] = requester.entryValue }
        return try ManifestEntry(type: .holdReleased, time: time, fields: fields)
    }

    /// A `case.retention` entry (Art 25): the case file is kept until `until`, and so is its footage.
    public static func caseRetention(caseID: String, until: Date, time: Date) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .caseRetention, time: time,
            fields: ["case": .string(caseID), "until": .string(RFC3339.format(until))])
    }

    /// A `clip.purged` entry (Art 25): the clip's footage was removed after its retention, on an administrator's
    /// authority. The clip's `clip.ingested` entry stays.
    public static func clipPurged(
        clip: StoredEntry, sha256: String, earliestPurge: Date, authorisedBy officer: Officer, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .clipPurged, time: time,
            fields: [
                "clip": reference(clip), "sha256": .string(sha256),
                "earliestPurge": .string(RFC3339.format(earliestPurge)), "authorisedBy": officerValue(officer),
            ])
    }

    /// What a scrub found wrong with a stored object (Art 28).
    public enum CorruptionKind: String, Sendable {
        /// The object's bytes no longer hash to its name.
        case mismatch
        /// A clip's object is gone although no `clip.purged` entry explains it.
        case missing
        /// The object could not be read.
        case unreadable
    }

    /// A `store.corruption` entry (Art 28).
    public static func storeCorruption(
        sha256: String, kind: CorruptionKind, actual: String?, detail: String, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .storeCorruption, time: time,
            fields: [
                "sha256": .string(sha256), "kind": .string(kind.rawValue),
                "actual": actual.map { .string($0) } ?? .null,
                "detail": .string(detail),
            ])
    }

    /// A `case.closed` entry: the enforcement action ended at `closed`; the archive is due 10 days later (Art 27).
    public static func caseClosed(caseID: String, closed: Date, time: Date) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .caseClosed, time: time, fields: ["case": .string(caseID), "closed": .string(RFC3339.format(closed))])
    }

    /// A `clip.archived` entry (Art 27): the case's clips were written to a package for disc, with the label whose
    /// canonical JSON hashes to `label`. The package carries this entry and its proof, so the label is proven too.
    public static func clipArchived(
        caseID: String, label: SHA256Hash, matter: String, place: String, method: String,
        clips: [(clip: StoredEntry, sha256: String)], time: Date
    ) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .clipArchived, time: time,
            fields: [
                "case": .string(caseID), "label": .string(label.hex), "matter": .string(matter),
                "place": .string(place),
                "method": .string(method), "clips": clipList(clips),
            ])
    }
}
