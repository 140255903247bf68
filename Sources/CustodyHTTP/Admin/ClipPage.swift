import CustodyCore
import CustodyManifest
import Foundation

/// `/admin/clips/{sha256}`: a clip — digest, times, officer, recorder, cases, holds — with each `clip.ingested`
/// entry of those bytes and its RFC 9162 inclusion proof against the latest signed checkpoint (Art 6, 8, 21, 26, 28).
struct ClipPage {
    static let name = "clip"

    /// One `clip.ingested` entry with these bytes (the same bytes may come from several files).
    struct Ingest {
        let index: UInt64
        let serial: String
        let model: String
        let path: String
        let size: String
        let recordingStart: String
        let recordingEnd: String
        let duration: String
        let ingestTime: String
        let late: Bool
        let officer: String?
        let officerName: String?
        let cases: [String]
        let holds: [String]
        let held: Bool
        /// The entry's exact canonical JSON.
        let body: String
        let leaf: String
        let proof: Proof?
    }

    /// An inclusion proof of an entry in the tree of the latest checkpoint.
    struct Proof {
        let treeSize: UInt64
        let root: String
        let path: [String]
        /// Whether recomputing the root from the leaf and the path gives the checkpoint's root.
        let verified: Bool
    }

    let sha256: String
    let ingests: [Ingest]
    let checkpointSize: UInt64?
    /// The signed checkpoint's text.
    let checkpoint: String?

    /// The page, or nil when no clip has this digest.
    static func build(store: ManifestStore, sha256: String) throws(ManifestError) -> ClipPage? {
        let clips = try store.clips(sha256: sha256)
        guard !clips.isEmpty else { return nil }
        let names = try OfficerNames(store)
        let held = try store.heldClips()
        let checkpoint = try store.latestCheckpoint()
        var ingests = [Ingest]()
        for clip in clips.sorted(by: { $0.entryIndex < $1.entryIndex }) {
            let entry = try store.entry(at: clip.entryIndex)
            var proof: Proof?
            if let checkpoint, clip.entryIndex < checkpoint.size {
                let inclusion = try store.inclusionProof(index: clip.entryIndex, size: checkpoint.size)
                proof = Proof(
                    treeSize: checkpoint.size, root: checkpoint.root.hex, path: inclusion.path.map(\.hex),
                    verified: (try? MerkleProof.verifyInclusion(
                        index: clip.entryIndex, size: checkpoint.size, leafHash: entry.leafHash, proof: inclusion.path,
                        root: checkpoint.root)) != nil)
            }
            let holds = held[clip.entryIndex] ?? []
            ingests.append(
                Ingest(
                    index: clip.entryIndex, serial: clip.serial, model: clip.model, path: clip.path?.display ?? "",
                    size: "\(AdminFormat.bytes(clip.size)) (\(clip.size) bytes)",
                    recordingStart: AdminFormat.time(clip.recordingStart),
                    recordingEnd: AdminFormat.time(clip.recordingEnd),
                    duration: AdminFormat.duration(clip.recordingEnd.timeIntervalSince(clip.recordingStart)),
                    ingestTime: AdminFormat.time(clip.ingestTime), late: clip.late,
                    officer: clip.officerCertificate, officerName: names.name(clip.officerCertificate),
                    cases: try store.linkedCases(clipEntry: clip.entryIndex), holds: holds, held: !holds.isEmpty,
                    body: entry.text, leaf: entry.leafHash.hex, proof: proof))
        }
        return ClipPage(
            sha256: sha256, ingests: ingests, checkpointSize: checkpoint?.size, checkpoint: checkpoint?.note)
    }

    static let template = """
        {{<layout}}{{$content}}
        {{#page}}
        <p>SHA-256 <span class="hash" id="digest">{{sha256}}</span></p>
        {{#ingests}}
        <h2>Entry {{index}}</h2>
        <table class="clip">
        <tr><th>Recorder</th><td>{{serial}} <span class="muted">{{model}}</span></td></tr>
        <tr><th>File</th><td>{{path}}, {{size}}</td></tr>
        <tr><th>Recorded (UTC)</th><td>{{recordingStart}} → {{recordingEnd}} ({{duration}})</td></tr>
        <tr><th>Ingested (UTC)</th><td>{{ingestTime}}{{#late}} <span class="late">late (Art 23)</span>{{/late}}</td></tr>
        <tr><th>Officer</th><td>{{#officerName}}<span class="officer-name">{{officerName}}</span> {{/officerName}}{{#officer}}<span class="muted">{{officer}}</span>{{/officer}}{{^officer}}<span class="muted">unassigned</span>{{/officer}}</td></tr>
        <tr><th>Cases</th><td>{{#cases}}<span class="case">{{.}}</span> {{/cases}}{{^cases}}<span class="muted">none</span>{{/cases}}</td></tr>
        <tr><th>Holds</th><td>{{#holds}}{{.}}<br>{{/holds}}{{^held}}<span class="muted">none</span>{{/held}}</td></tr>
        <tr><th>Leaf hash</th><td class="hash">{{leaf}}</td></tr>
        </table>
        <h3>Entry</h3>
        <pre class="entry">{{body}}</pre>
        <h3>Inclusion proof (RFC 9162 §2.1.3)</h3>
        {{#proof}}
        <p>In the tree of size {{treeSize}} with root <span class="hash">{{root}}</span>:
        {{#verified}}<strong>verified</strong>{{/verified}}{{^verified}}<span class="error">does not verify</span>{{/verified}}</p>
        <ol class="proof">{{#path}}<li class="hash">{{.}}</li>{{/path}}</ol>
        {{/proof}}
        {{^proof}}<p class="muted">Not yet in a signed checkpoint; custodyd signs one within a minute.</p>{{/proof}}
        {{/ingests}}
        {{#checkpoint}}<h2>Latest checkpoint</h2><pre id="checkpoint">{{checkpoint}}</pre>{{/checkpoint}}
        {{/page}}
        {{/content}}{{/layout}}
        """
}
