import CustodyCore
import CustodyManifest
public import Foundation

/// Checks an archive package (or a mounted disc) on its own, with no station database (Art 27, Art 28).
///
/// Every problem is reported with the file it concerns; nothing stops at the first one.
public struct ArchiveVerifier: Sendable {
    /// What a verification found.
    public struct Report: Sendable {
        public var problems: [String] = []
        public var clips = 0
        public var caseID: String?
        public var checkpointSize: UInt64?
        public var verifierKey: String?
    }

    public let root: URL
    /// A verifier key held elsewhere (the case system's); else the package's own `verifier.key`.
    public let trustedKey: String?

    public init(root: URL, trustedKey: String? = nil) {
        self.root = root
        self.trustedKey = trustedKey
    }

    private func bytes(_ name: String, _ report: inout Report) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(name).path) else {
            report.problems.append("\(name): missing or unreadable")
            return nil
        }
        return Array(data)
    }

    public func verify() -> Report {
        var report = Report()
        // The checkpoint and its key.
        var checkpoint: Checkpoint?
        let keyText =
            trustedKey
            ?? bytes(ArchivePackage.verifierKey, &report).map {
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        if let keyText, let note = bytes(ArchivePackage.checkpoint, &report) {
            report.verifierKey = keyText
            do {
                let verifier = try NoteVerifier(verifierKey: keyText)
                let text = try verifier.open(try SignedNote(serialized: String(decoding: note, as: UTF8.self)))
                let parsed = try Checkpoint(text: text)
                if parsed.origin != verifier.name {
                    report.problems.append(
                        "\(ArchivePackage.checkpoint): origin \(parsed.origin) is not the key's name \(verifier.name)")
                } else {
                    checkpoint = parsed
                    report.checkpointSize = parsed.size
                }
            } catch {
                report.problems.append("\(ArchivePackage.checkpoint): \(error.message)")
            }
        }
        // The label, through the clip.archived entry that names its digest.
        guard let labelBytes = bytes(ArchivePackage.label, &report) else { return report }
        let label: JSONValue
        do {
            label = try CanonicalJSON.decode(labelBytes)
        } catch {
            report.problems.append("\(ArchivePackage.label): \(error.description)")
            return report
        }
        report.caseID = label["case"]?.stringValue
        if let text = bytes(ArchivePackage.labelText, &report),
            SHA256Hash.of(text).hex != label["labelText"]?.stringValue
        {
            report.problems.append("\(ArchivePackage.labelText): its bytes are not the ones label.json names (changed)")
        }
        // Every entry in the package, each proven in the checkpoint's tree.
        var archiveEntries = [(UInt64, ManifestEntry)]()
        for index in entryFiles() {
            guard let body = bytes(ArchivePackage.entry(index), &report) else { continue }
            if let entry = try? ManifestEntry(body: body) {
                if entry.type == .clipArchived { archiveEntries.append((index, entry)) }
            } else {
                report.problems.append("\(ArchivePackage.entry(index)): not a well-formed manifest entry (changed)")
            }
            checkEntry(index: index, body: body, checkpoint: checkpoint, &report)
        }
        let labelDigest = SHA256Hash.of(labelBytes).hex
        guard let (_, archive) = archiveEntries.first(where: { $0.1.fields["label"]?.stringValue == labelDigest })
        else {
            report.problems.append(
                "\(ArchivePackage.label): no clip.archived entry in entries/ names its SHA-256 \(labelDigest) (the label was changed, or its entry is missing)"
            )
            return report
        }
        // Each clip: its bytes, its entry, its proof, and its place in the archive entry.
        let archivedClips = (archive.fields["clips"]?.arrayValue ?? []).compactMap {
            item -> (UInt64, String, String)? in
            guard let index = item["clip"]?["index"]?.intValue, let leaf = item["clip"]?["leaf"]?.stringValue,
                let sha = item["sha256"]?.stringValue
            else { return nil }
            return (UInt64(index), leaf, sha)
        }
        for (index, leaf, sha) in archivedClips {
            report.clips += 1
            let entryName = ArchivePackage.entry(index)
            if let body = bytes(entryName, &report) {
                if MerkleHash.leaf(body).hex != leaf {
                    report.problems.append(
                        "\(entryName): its leaf hash is not the one the clip.archived entry names (changed)")
                }
                if let entry = try? ManifestEntry(body: body) {
                    if entry.type != .clipIngested || entry.fields["sha256"]?.stringValue != sha {
                        report.problems.append("\(entryName): not the clip.ingested entry of \(sha)")
                    }
                }
            }
            let clipName = ArchivePackage.clip(sha)
            let url = root.appendingPathComponent(clipName)
            if !FileManager.default.fileExists(atPath: url.path) {
                report.problems.append("\(clipName): missing")
            } else if let actual = try? ArchivePackage.sha256(of: url) {
                if actual.hex != sha {
                    report.problems.append("\(clipName): its bytes hash to \(actual.hex), not to its name (changed)")
                }
            } else {
                report.problems.append("\(clipName): unreadable")
            }
        }
        let labelled = Set((label["clips"]?.arrayValue ?? []).compactMap { $0["sha256"]?.stringValue })
        if labelled != Set(archivedClips.map(\.2)) {
            report.problems.append("\(ArchivePackage.label): its clips are not the clips of the clip.archived entry")
        }
        return report
    }

    /// The indexes of `entries/<index>.json`.
    private func entryFiles() -> [UInt64] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("entries").path)) ?? []
        return names.compactMap { $0.hasSuffix(".json") ? UInt64($0.dropLast(5)) : nil }.sorted()
    }

    /// Checks that `body` is entry `index` of the checkpoint's tree by its proof file.
    private func checkEntry(index: UInt64, body: [UInt8], checkpoint: Checkpoint?, _ report: inout Report) {
        let name = ArchivePackage.proof(index)
        guard let proofBytes = bytes(name, &report) else { return }
        guard let proof = try? CanonicalJSON.decode(proofBytes), proof["index"]?.intValue == Int64(index),
            let size = proof["size"]?.intValue, let root = proof["root"]?.stringValue.flatMap({ SHA256Hash(hex: $0) }),
            let path = proof["proof"]?.arrayValue?.compactMap({ $0.stringValue.flatMap { SHA256Hash(hex: $0) } })
        else {
            report.problems.append("\(name): not a well-formed inclusion proof for entry \(index)")
            return
        }
        do {
            try MerkleProof.verifyInclusion(
                index: index, size: UInt64(size), leafHash: MerkleHash.leaf(body), proof: path, root: root)
        } catch {
            report.problems.append(
                "\(ArchivePackage.entry(index)) or \(name): entry \(index) is not proven by its proof (one was changed): \(error.message)"
            )
        }
        if let checkpoint, checkpoint.size != UInt64(size) || checkpoint.root != root {
            report.problems.append("\(name): its tree (size \(size)) is not the signed checkpoint's")
        }
    }
}
