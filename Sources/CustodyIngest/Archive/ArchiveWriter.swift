import Crypto
import CustodyCore
public import CustodyManifest
public import Foundation

/// Writes a case's archive package for disc (Art 27): clips checked against their digests while copied, the label,
/// a `clip.archived` entry, a checkpoint signed over it, and every entry with its inclusion proof.
public struct ArchiveWriter: Sendable {
    /// The label's facts besides the clips (Art 27: matter, time, place, method, officers).
    public struct Label: Sendable {
        public let caseID: String
        public let matter: String
        public let place: String
        public let method: String

        public init(caseID: String, matter: String, place: String, method: String) {
            self.caseID = caseID
            self.matter = matter
            self.place = place
            self.method = method
        }
    }

    /// What was written.
    public struct Result: Sendable {
        public let directory: URL
        public let clips: Int
        public let bytes: UInt64
        public let archiveEntry: StoredEntry
        public let checkpointSize: UInt64
    }

    public let store: ManifestStore
    public let content: ContentStore
    public let signer: NoteSigner

    public init(store: ManifestStore, content: ContentStore, signer: NoteSigner) {
        self.store = store
        self.content = content
        self.signer = signer
    }

    /// Writes the package into `directory`, which must not exist; it appears complete or not at all.
    public func write(_ label: Label, to directory: URL, time: Date = Date()) throws -> Result {
        guard !FileManager.default.fileExists(atPath: directory.path) else {
            throw ArchiveError("\(directory.path) already exists; give a new folder")
        }
        let clips = try store.caseClips(label.caseID).sorted {
            ($0.recordingStart, $0.entryIndex) < ($1.recordingStart, $1.entryIndex)
        }
        guard !clips.isEmpty else {
            throw ArchiveError("case \(label.caseID) has no linked clips (`custody case \(label.caseID)`)")
        }
        let purged = try store.purgedClips()
        if let gone = clips.first(where: { purged[$0.entryIndex] != nil }) {
            throw ArchiveError(
                "clip \(gone.sha256) of case \(label.caseID) was purged (entry \(purged[gone.entryIndex]!)); it cannot be archived"
            )
        }
        let partial = directory.deletingLastPathComponent()
            .appendingPathComponent(".\(directory.lastPathComponent).partial-\(UUID().uuidString)")
        let manager = FileManager.default
        try manager.createDirectory(at: partial.appendingPathComponent("clips"), withIntermediateDirectories: true)
        try manager.createDirectory(at: partial.appendingPathComponent("entries"), withIntermediateDirectories: true)
        try manager.createDirectory(at: partial.appendingPathComponent("proofs"), withIntermediateDirectories: true)
        var finished = false
        defer { if !finished { try? manager.removeItem(at: partial) } }

        // Footage first, each copy checked against its name: a corrupt object is never archived as evidence.
        var bytes: UInt64 = 0
        for sha in Set(clips.map(\.sha256)).sorted() {
            let digest = SHA256Hash(hex: sha)!
            let target = partial.appendingPathComponent(ArchivePackage.clip(sha))
            try manager.copyItem(at: content.objectURL(for: digest), to: target)
            let copied = try ArchivePackage.sha256(of: target)
            guard copied == digest else {
                throw ArchiveError(
                    "the stored object \(sha) hashes to \(copied.hex): run `custody verify --deep`; nothing was archived"
                )
            }
            _ = chmod(target.path, 0o444)
            bytes += UInt64((try manager.attributesOfItem(atPath: target.path)[.size] as? NSNumber)?.uint64Value ?? 0)
        }

        var officers = [Officer]()
        for certificate in Set(clips.compactMap(\.officerCertificate)).sorted() {
            officers.append(try store.officer(certificate: certificate) ?? Officer(certificate: certificate, name: ""))
        }
        let from = clips.map(\.recordingStart).min()!
        let to = clips.map(\.recordingEnd).max()!
        let text = Self.labelText(
            label, from: from, to: to, officers: officers, clips: clips, time: time, origin: signer.name)
        try Data(text.utf8).write(to: partial.appendingPathComponent(ArchivePackage.labelText))
        let labelValue: JSONValue = .object([
            "case": .string(label.caseID), "matter": .string(label.matter), "place": .string(label.place),
            "method": .string(label.method), "from": .string(RFC3339.format(from)), "to": .string(RFC3339.format(to)),
            "officers": .array(
                officers.map { .object(["certificate": .string($0.certificate), "name": .string($0.name)]) }),
            "clips": .array(
                clips.map {
                    .object([
                        "sha256": .string($0.sha256), "entry": .int(Int64($0.entryIndex)), "size": .int(Int64($0.size)),
                        "recorder": .string($0.serial), "officer": $0.officerCertificate.map { .string($0) } ?? .null,
                        "recordingStart": .string(RFC3339.format($0.recordingStart)),
                        "recordingEnd": .string(RFC3339.format($0.recordingEnd)),
                    ])
                }),
            "labelText": .string(SHA256Hash.of(Data(text.utf8)).hex), "origin": .string(signer.name),
            "created": .string(RFC3339.format(time)),
        ])
        let labelBytes = CanonicalJSON.encode(labelValue)
        try Data(labelBytes).write(to: partial.appendingPathComponent(ArchivePackage.label))

        // The entry that proves the label, then a checkpoint over it.
        let clipEntries = try clips.map { ($0, try store.entry(at: $0.entryIndex)) }
        guard clipEntries.count <= 200 else {
            throw ArchiveError("a package holds at most 200 clips; this case has \(clips.count)")
        }
        let archived = try store.append(
            try .clipArchived(
                caseID: label.caseID, label: SHA256Hash.of(labelBytes), matter: label.matter, place: label.place,
                method: label.method, clips: clipEntries.map { ($0.1, $0.0.sha256) }, time: time))
        let checkpoint = try store.signCheckpoint(with: signer)
        for entry in clipEntries.map(\.1) + [archived] {
            try Data(entry.body).write(to: partial.appendingPathComponent(ArchivePackage.entry(entry.index)))
            let proof = try store.inclusionProof(index: entry.index, size: checkpoint.size)
            try proof.verify()
            try Data(ArchivePackage.proofJSON(proof)).write(
                to: partial.appendingPathComponent(ArchivePackage.proof(entry.index)))
        }
        try Data(checkpoint.note.utf8).write(to: partial.appendingPathComponent(ArchivePackage.checkpoint))
        try Data((signer.verifier.verifierKey + "\n").utf8).write(
            to: partial.appendingPathComponent(ArchivePackage.verifierKey))
        try Data(ArchivePackage.readmeText.utf8).write(to: partial.appendingPathComponent(ArchivePackage.readme))
        try Self.writeSums(partial)
        try manager.moveItem(at: partial, to: directory)
        finished = true
        return Result(
            directory: directory, clips: clips.count, bytes: bytes, archiveEntry: archived,
            checkpointSize: checkpoint.size)
    }

    static func labelText(
        _ label: Label, from: Date, to: Date, officers: [Officer], clips: [ClipSummary], time: Date, origin: String
    ) -> String {
        var lines = [
            "CASE      \(label.caseID)",
            "MATTER    \(label.matter)",
            "TIME      \(RFC3339.format(from)) to \(RFC3339.format(to))",
            "PLACE     \(label.place)",
            "METHOD    \(label.method)",
            "OFFICERS  "
                + (officers.isEmpty
                    ? "(none assigned)" : officers.map { "\($0.name) \($0.certificate)" }.joined(separator: "; ")),
            "STATION   \(origin)",
            "ARCHIVED  \(RFC3339.format(time))",
            "",
            "CLIPS (\(clips.count))",
        ]
        for clip in clips {
            lines.append(
                "  \(RFC3339.format(clip.recordingStart))  \(clip.serial)  \(clip.officerCertificate ?? "UNASSIGNED")  "
                    + "\(clip.size) bytes  clips/\(clip.sha256)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func writeSums(_ folder: URL) throws {
        var lines = [String]()
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        else { return }
        var files = [String]()
        for case let url as URL in walker
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1)))
        }
        for file in files.sorted() {
            lines.append("\(try ArchivePackage.sha256(of: folder.appendingPathComponent(file)).hex)  \(file)")
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(
            to: folder.appendingPathComponent(ArchivePackage.sums))
    }
}

/// An archive that cannot be written or does not verify, in a sentence that says where.
public struct ArchiveError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
