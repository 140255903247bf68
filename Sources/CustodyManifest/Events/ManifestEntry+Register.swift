public import CustodyCore
public import Foundation

/// The entries of the compliance register: gaps, explanations, upload-window exceptions and case links.
extension ManifestEntry {
    /// A reference to an earlier entry: its index and leaf hash.
    static func reference(_ entry: StoredEntry) -> JSONValue {
        .object(["index": .int(Int64(entry.index)), "leaf": .string(entry.leafHash.hex)])
    }

    /// A `recording.gap` entry (Art 19, Art 22): the recorder, the officer, the clips on either side (by entry),
    /// the time span, and the evidence.
    public static func recordingGap(
        _ gap: DetectedGap, recorder: RecorderIdentity, officer: Officer?, before: StoredEntry?, after: StoredEntry?,
        refersTo: StoredEntry? = nil, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = [
            "kind": .string(gap.kind.rawValue),
            "key": .string(gap.key),
            "recorder": .object(["serial": .string(recorder.serial), "model": .string(recorder.model)]),
            "officer": officer.map { .object(["certificate": .string($0.certificate), "name": .string($0.name)]) }
                ?? .null,
            "start": .string(RFC3339.format(gap.start)),
            "end": .string(RFC3339.format(gap.end)),
            "evidence": .string(gap.evidence),
            "before": before.map { reference($0) } ?? .null,
            "after": after.map { reference($0) } ?? .null,
        ]
        if let refersTo { fields["refersTo"] = reference(refersTo) }
        return try ManifestEntry(type: .recordingGap, time: time, fields: fields)
    }

    /// A `gap.explained` entry (Art 22) referring to the gap's entry; `by` records who recorded it, when known.
    public static func gapExplained(
        gap: StoredEntry, explanation: GapExplanation, by requester: Requester? = nil, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = ["gap": reference(gap)]
        if let requester { fields["by"] = requester.entryValue }
        switch explanation {
        case .spoken(let sha):
            fields["form"] = "spoken"
            fields["clip"] = .string(sha)
        case .written(let text, let signers):
            fields["form"] = "written"
            fields["text"] = .string(text)
            fields["signedBy"] = .array(signers.map { .string($0) })
        }
        return try ManifestEntry(type: .gapExplained, time: time, fields: fields)
    }

    /// A `window.exception` entry (Art 23).
    public static func windowException(
        serial: String, from: Date, to: Date, reason: WindowException.Reason, returned: Date, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .windowException, time: time,
            fields: [
                "recorder": .string(serial), "from": .string(RFC3339.format(from)), "to": .string(RFC3339.format(to)),
                "reason": .string(reason.rawValue), "returned": .string(RFC3339.format(returned)),
            ])
    }

    /// A `lateness.revised` entry: new deadlines for clips already ingested, after an exception (Art 23).
    public static func latenessRevised(
        exception: StoredEntry, clips: [(clip: StoredEntry, deadline: Date, late: Bool)], time: Date
    ) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(
            type: .latenessRevised, time: time,
            fields: [
                "exception": reference(exception),
                "clips": .array(
                    clips.map {
                        .object([
                            "clip": reference($0.clip), "deadline": .string(RFC3339.format($0.deadline)),
                            "late": .bool($0.late),
                        ])
                    }),
            ])
    }

    /// A `case.linked` entry (Art 18, Art 21): clips linked to a case of the case system; `by` records who linked
    /// them, when known.
    public static func caseLinked(
        caseID: String, clips: [(clip: StoredEntry, sha256: String)], selection: String, by requester: Requester? = nil,
        time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = [
            "case": .string(caseID), "selection": .string(selection),
            "clips": .array(clips.map { .object(["clip": reference($0.clip), "sha256": .string($0.sha256)]) }),
        ]
        if let requester { fields["by"] = requester.entryValue }
        return try ManifestEntry(type: .caseLinked, time: time, fields: fields)
    }

    /// A `case.unlinked` entry: reverses links; deletes nothing. `by` records who unlinked them, when known.
    public static func caseUnlinked(
        caseID: String, clips: [(clip: StoredEntry, sha256: String)], reason: String, by requester: Requester? = nil,
        time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var fields: [String: JSONValue] = [
            "case": .string(caseID), "reason": .string(reason),
            "clips": .array(clips.map { .object(["clip": reference($0.clip), "sha256": .string($0.sha256)]) }),
        ]
        if let requester { fields["by"] = requester.entryValue }
        return try ManifestEntry(type: .caseUnlinked, time: time, fields: fields)
    }
}
