public import CustodyCore
public import CustodyManifest
public import Foundation

/// Re-hashing the footage store against the names of its objects and the clips of the manifest (Art 28).
///
/// `custody verify --deep` runs it at once; custodyd's scrub service paces it. Each finding is appended once as a
/// `store.corruption` entry: a later pass that finds the same thing reports it but does not append it again.
public struct StoreScrub: Sendable {
    /// Something wrong with the store.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public let sha256: String
        public let kind: ManifestEntry.CorruptionKind
        public let actual: String?
        public let detail: String

        public init(sha256: String, kind: ManifestEntry.CorruptionKind, actual: String?, detail: String) {
            self.sha256 = sha256
            self.kind = kind
            self.actual = actual
            self.detail = detail
        }

        public var description: String { "\(kind.rawValue) \(sha256): \(detail)" }
    }

    public let content: ContentStore
    public let store: ManifestStore

    public init(content: ContentStore, store: ManifestStore) {
        self.content = content
        self.store = store
    }

    /// The digests the store must hold: every clip's, except those whose clips were all purged.
    public func expectedDigests() throws(ManifestError) -> Set<String> {
        let purged = try store.purgedClips()
        var expected = Set<String>()
        for clip in try store.clips(limit: Int.max) where purged[clip.entryIndex] == nil {
            expected.insert(clip.sha256)
        }
        return expected
    }

    /// Checks one object's bytes against its name, hashing it chunk by chunk (`chunk` is told each chunk's size).
    public func check(_ object: ContentStore.StoredObject, chunk: (Int) -> Void = { _ in }) -> Finding? {
        do {
            let hasher = try ObjectHasher(url: object.url)
            while let count = try hasher.step() { chunk(count) }
            return finding(object, actual: hasher.finish())
        } catch {
            return Finding(sha256: object.name, kind: .unreadable, actual: nil, detail: "\(object.url.path): \(error)")
        }
    }

    /// The finding for an object whose bytes hash to `actual`, or nil when they match its name.
    public func finding(_ object: ContentStore.StoredObject, actual: SHA256Hash) -> Finding? {
        guard actual.hex != object.name else { return nil }
        return Finding(
            sha256: object.name, kind: .mismatch, actual: actual.hex,
            detail: "\(object.url.path) no longer hashes to its name: its bytes hash to \(actual.hex)")
    }

    /// The expected digests with no object in the store.
    ///
    /// Read `expected` before listing the store: an object is committed before its clip's entry, so every digest
    /// expected then is listed unless it is missing. A purge between the two is checked again here.
    public func missing(expected: Set<String>, present: [ContentStore.StoredObject]) throws(ManifestError) -> [Finding]
    {
        let names = Set(present.map(\.name))
        let stillExpected = try expectedDigests()
        let absent = expected.subtracting(names).filter {
            stillExpected.contains($0) && SHA256Hash(hex: $0).map { !content.contains($0) } ?? true
        }
        return absent.sorted().map {
            Finding(
                sha256: $0, kind: .missing, actual: nil,
                detail:
                    "a clip.ingested entry names \($0) but the store has no such object, and no clip.purged entry explains it"
            )
        }
    }

    /// Appends a `store.corruption` entry for each finding not already recorded (same digest and kind).
    @discardableResult
    public func record(_ findings: [Finding], time: Date = Date()) throws(ManifestError) -> [StoredEntry] {
        let known = Set(try store.corruptions().map { "\($0.kind) \($0.sha256)" })
        var seen = Set<String>()
        let new = try findings.filter {
            known.contains("\($0.kind.rawValue) \($0.sha256)") == false
                && seen.insert("\($0.kind.rawValue) \($0.sha256)").inserted
        }
        .map { finding throws(ManifestError) in
            try ManifestEntry.storeCorruption(
                sha256: finding.sha256, kind: finding.kind, actual: finding.actual, detail: finding.detail, time: time)
        }
        guard !new.isEmpty else { return [] }
        return try store.append(contentsOf: new)
    }
}
