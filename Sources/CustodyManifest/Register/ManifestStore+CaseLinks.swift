import CustodyCore
public import Foundation

/// Links between clips and cases of the case system (Art 18, Art 21): the checks and entries shared by
/// `custody link` / `custody unlink` and `POST /v1/cases/{id}/links` / `…/unlinks`, so both say the same.
extension ManifestStore {
    /// The most clips one `case.linked` entry names; a larger link is written as several entries in one commit.
    public static let clipsPerLinkEntry = 200

    /// What a link request did.
    public struct CaseLinkOutcome: Sendable, Equatable {
        /// How many clips were newly linked: none when every clip named was linked to the case already.
        public let linkedClips: Int
        /// The `case.linked` entries appended, in order; empty when nothing was new.
        public let entries: [StoredEntry]
    }

    /// Checks a case ID of the case system: 1–128 bytes of UTF-8 without control characters.
    public static func validateCaseID(_ caseID: String) throws(ManifestError) {
        guard (1...128).contains(caseID.utf8.count),
            !caseID.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw ManifestError(
                .invalidRequest,
                "a case ID must be 1 to 128 bytes of UTF-8 without control characters; give the case system's ID")
        }
    }

    /// The clip entries with the digests `digests`, in the order named, each once (the same bytes may come from
    /// several files, and then each of those clips is named). Refuses malformed and unknown digests.
    public func clipsNamed(_ digests: [String]) throws(ManifestError) -> [ClipSummary] {
        guard !digests.isEmpty else { throw ManifestError(.invalidRequest, "name at least one clip by its SHA-256") }
        for sha in digests where SHA256Hash(hex: sha) == nil {
            throw ManifestError(
                .invalidRequest, "\(sha) is not a SHA-256 in lowercase hex; give the clip's 64-digit digest")
        }
        let all = Dictionary(grouping: try clips(limit: Int.max), by: \.sha256)
        var seen = Set<UInt64>()
        var named = [ClipSummary]()
        for sha in digests {
            guard let matches = all[sha] else {
                throw ManifestError(
                    .invalidRequest,
                    "no clip \(sha) is in the manifest; give the SHA-256 of an ingested clip (`custody clips`)")
            }
            for clip in matches.sorted(by: { $0.entryIndex < $1.entryIndex })
            where seen.insert(clip.entryIndex).inserted {
                named.append(clip)
            }
        }
        return named
    }

    /// Links the clips with the digests `digests` to `caseID` with `case.linked` entries (Art 18, Art 21).
    ///
    /// Clips already linked (and not unlinked) are skipped; when every clip is, nothing is appended.
    public func linkClips(
        _ digests: [String], toCase caseID: String, by requester: Requester?, time: Date
    ) throws(ManifestError) -> CaseLinkOutcome {
        try Self.validateCaseID(caseID)
        return try link(try clipsNamed(digests), toCase: caseID, selection: "by digest", by: requester, time: time)
    }

    /// Links every clip of the officer `certificate` whose recording started in `from...to` to `caseID`.
    public func linkClips(
        ofOfficer certificate: String, recordedFrom from: Date, to: Date, toCase caseID: String,
        by requester: Requester?,
        time: Date
    ) throws(ManifestError) -> CaseLinkOutcome {
        try Self.validateCaseID(caseID)
        let selected = try clips(officer: certificate, recordedFrom: from, to: to, limit: Int.max)
        guard !selected.isEmpty else {
            throw ManifestError(.invalidRequest, "officer \(certificate) has no clips recorded in that span")
        }
        let selection = "officer \(certificate) from \(RFC3339.format(from)) to \(RFC3339.format(to))"
        return try link(selected, toCase: caseID, selection: selection, by: requester, time: time)
    }

    func link(
        _ selected: [ClipSummary], toCase caseID: String, selection: String, by requester: Requester?, time: Date
    ) throws(ManifestError) -> CaseLinkOutcome {
        try RegisterWriteLock.withLock { () throws(ManifestError) in
            try appendLinks(selected, toCase: caseID, selection: selection, by: requester, time: time)
        }
    }

    private func appendLinks(
        _ selected: [ClipSummary], toCase caseID: String, selection: String, by requester: Requester?, time: Date
    ) throws(ManifestError) -> CaseLinkOutcome {
        let already = Set(try caseClips(caseID).map(\.entryIndex))
        let new = selected.filter { !already.contains($0.entryIndex) }
        guard !new.isEmpty else { return CaseLinkOutcome(linkedClips: 0, entries: []) }
        var entries = [ManifestEntry]()
        var start = 0
        while start < new.count {
            let chunk = try new[start..<min(start + Self.clipsPerLinkEntry, new.count)].map {
                summary throws(ManifestError) in (try entry(at: summary.entryIndex), summary.sha256)
            }
            entries.append(
                try .caseLinked(caseID: caseID, clips: chunk, selection: selection, by: requester, time: time))
            start += Self.clipsPerLinkEntry
        }
        return CaseLinkOutcome(linkedClips: new.count, entries: try append(contentsOf: entries))
    }

    /// Reverses the links of the clips with the digests `digests` to `caseID` with one `case.unlinked` entry; the
    /// `case.linked` entries stay. Digests not linked to the case are skipped; refuses when none is linked.
    public func unlinkClips(
        _ digests: [String], fromCase caseID: String, reason: String, by requester: Requester?, time: Date
    ) throws(ManifestError) -> (entry: StoredEntry, clips: Int) {
        try Self.validateCaseID(caseID)
        guard !digests.isEmpty else { throw ManifestError(.invalidRequest, "name at least one clip by its SHA-256") }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ManifestError(.invalidRequest, "say why the link is reversed: give a reason")
        }
        return try RegisterWriteLock.withLock { () throws(ManifestError) in
            let chosen = try caseClips(caseID).filter { digests.contains($0.sha256) }
            guard !chosen.isEmpty else {
                throw ManifestError(
                    .invalidRequest,
                    "none of those clips is linked to case \(caseID) (`custody case \(caseID)` lists them)")
            }
            let clips = try chosen.map { summary throws(ManifestError) in
                (try entry(at: summary.entryIndex), summary.sha256)
            }
            let stored = try append(
                try .caseUnlinked(caseID: caseID, clips: clips, reason: reason, by: requester, time: time))
            return (stored, chosen.count)
        }
    }
}
