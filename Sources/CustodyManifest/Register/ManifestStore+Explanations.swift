public import CustodyCore
public import Foundation

/// Explanations of gaps (Art 22): the checks and entries shared by `custody explain` and
/// `POST /v1/gaps/{index}/explanations`, so both say the same.
extension ManifestStore {
    /// A `recording.gap` entry, with what an explanation is checked against.
    public struct RegisteredGap: Sendable, Equatable {
        /// The gap's entry.
        public let entry: StoredEntry
        /// The recorder the gap is on.
        public let recorderSerial: String?
        /// The certificate of the officer the gap was registered under, if any (docs/gaps.md).
        public let officerCertificate: String?
    }

    /// The `recording.gap` entry at `index`; refuses an index past the log or an entry of another type.
    public func registeredGap(at index: UInt64) throws(ManifestError) -> RegisteredGap {
        let stored = try entry(at: index)
        let parsed = try ManifestEntry(body: stored.body)
        guard parsed.type == .recordingGap else {
            throw ManifestError(
                .invalidRequest,
                "entry \(index) is a \(parsed.type), not a recording.gap; `custody gaps` lists the gaps")
        }
        return RegisteredGap(
            entry: stored, recorderSerial: parsed.fields["recorder"]?["serial"]?.stringValue,
            officerCertificate: parsed.fields["officer"]?["certificate"]?.stringValue)
    }

    /// Records `explanation` of the gap at `index` with a `gap.explained` entry (Art 22).
    ///
    /// A spoken explanation names a clip of the gap's recorder; a written one is signed by two or more distinct
    /// registered officers. A gap can be explained again, and every explanation stands.
    public func explainGap(
        at index: UInt64, _ explanation: GapExplanation, by requester: Requester?, time: Date
    ) throws(ManifestError) -> StoredEntry {
        let gap = try registeredGap(at: index)
        if case .spoken(let sha) = explanation, SHA256Hash(hex: sha) == nil {
            throw ManifestError(
                .invalidRequest, "the clip must be a SHA-256 in lowercase hex: the resumed clip's digest")
        }
        let officers = Set(try self.officers().map(\.certificate))
        if let problem = explanation.problem(isRegistered: { officers.contains($0) }) {
            throw ManifestError(.invalidRequest, problem)
        }
        if case .spoken(let sha) = explanation {
            let serial = gap.recorderSerial
            guard try clips(sha256: sha).contains(where: { $0.serial == serial }) else {
                throw ManifestError(
                    .invalidRequest,
                    "no clip \(sha) of recorder \(serial ?? "?") is in the manifest; give the SHA-256 of the resumed clip "
                        + "(`custody clips --recorder \(serial ?? "SN")`)")
            }
        }
        return try append(try .gapExplained(gap: gap.entry, explanation: explanation, by: requester, time: time))
    }
}
