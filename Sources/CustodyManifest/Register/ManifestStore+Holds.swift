import CustodyCore
public import Foundation

/// Placing and releasing holds (Art 26): the checks and entries shared by `custody hold` / `custody release` and
/// `POST /v1/holds` / `POST /v1/holds/{index}/release`, so both say the same.
extension ManifestStore {
    /// The most clips one `hold.placed` entry names.
    public static let clipsPerHold = 200

    /// What a hold covers.
    public enum HoldTarget: Sendable, Equatable {
        /// The clips with these SHA-256 digests.
        case clips([String])
        /// Every clip linked to this case, now or later, while the hold stands.
        case caseID(String)
    }

    /// Which open holds a release ends.
    public enum HoldRelease: Sendable, Equatable {
        /// The hold whose `hold.placed` entry has this index.
        case hold(UInt64)
        /// Every open clip hold that names a clip with this SHA-256.
        case clip(String)
        /// Every open hold on this case.
        case caseID(String)
    }

    /// Parses an Art 26 reason, refusing anything else with a message that lists the four.
    public static func holdReason(_ text: String) throws(ManifestError) -> ManifestEntry.HoldReason {
        guard let reason = ManifestEntry.HoldReason(rawValue: text) else {
            throw ManifestError(
                .invalidRequest,
                "the reason must be one of dispute, obstruction, emergency, sensitive (Art 26); got \"\(text)\"")
        }
        return reason
    }

    /// Holds `target` long-term with a `hold.placed` entry (Art 26). A case hold names the clips linked now (at most
    /// 200) and holds every clip linked to the case while it stands.
    public func placeHold(
        on target: HoldTarget, reason: ManifestEntry.HoldReason, note: String?, by requester: Requester?, time: Date
    ) throws(ManifestError) -> StoredEntry {
        let summaries: [ClipSummary]
        let caseID: String?
        switch target {
        case .clips(let digests):
            summaries = try clipsNamed(digests)
            guard summaries.count <= Self.clipsPerHold else {
                throw ManifestError(
                    .invalidRequest, "hold at most \(Self.clipsPerHold) clips at once; place several holds")
            }
            caseID = nil
        case .caseID(let id):
            try Self.validateCaseID(id)
            summaries = Array(try caseClips(id).prefix(Self.clipsPerHold))
            caseID = id
        }
        let clips = try summaries.map { summary throws(ManifestError) in
            (try entry(at: summary.entryIndex), summary.sha256)
        }
        return try append(
            try .holdPlaced(caseID: caseID, clips: clips, reason: reason, note: note, by: requester, time: time))
    }

    /// Ends the open holds `release` selects with one `hold.released` entry each; the `hold.placed` entries stay.
    /// Refuses when no open hold matches.
    public func releaseHolds(
        _ release: HoldRelease, reason: String, by requester: Requester?, time: Date
    ) throws(ManifestError) -> [(hold: HoldSummary, entry: StoredEntry)] {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ManifestError(.invalidRequest, "say why the hold ends: give a reason")
        }
        return try RegisterWriteLock.withLock { () throws(ManifestError) in
            let open = try holds(openOnly: true)
            let chosen: [HoldSummary]
            switch release {
            case .hold(let index):
                chosen = open.filter { $0.entryIndex == index }
            case .caseID(let caseID):
                chosen = open.filter { $0.caseID == caseID }
            case .clip(let sha):
                let entries = Set(try clipsNamed([sha]).map(\.entryIndex))
                chosen = open.filter { $0.scope == "clip" && !entries.isDisjoint(with: $0.clipEntries) }
            }
            guard !chosen.isEmpty else {
                throw ManifestError(
                    .invalidRequest, "no open hold matches; `custody holds` lists the open holds by entry index")
            }
            let entries = try chosen.map { hold throws(ManifestError) in
                try ManifestEntry.holdReleased(
                    hold: try entry(at: hold.entryIndex), reason: reason, by: requester, time: time)
            }
            return zip(chosen, try append(contentsOf: entries)).map { (hold: $0, entry: $1) }
        }
    }
}
