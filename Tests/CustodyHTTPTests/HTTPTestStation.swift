import CustodyCore
import CustodyHTTP
import CustodyManifest
import CustodyTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization

/// A manifest with signed checkpoints, a tokens file with one token per role, and a footage folder, for route
/// tests through HummingbirdTesting.
final class HTTPTestStation: Sendable {
    let directory: TemporaryDirectory
    let store: ManifestStore
    let signer: NoteSigner
    let tokensFile: URL
    let footage: DirectoryFootage
    /// What the listener is told about docked recorders.
    let status = Mutex<StationStatus?>(nil)
    /// The text of one unrevoked token per role.
    let tokens: [AccessRole: String]

    init(entries: Int = 10) throws {
        directory = try TemporaryDirectory(prefix: "custody-http")
        store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        signer = try NoteSigner.generate(name: "custody.test/http")
        if entries > 0 {
            _ = try store.append(contentsOf: try SampleEntries.notes(entries))
            _ = try store.signCheckpoint(with: signer)
        }
        tokensFile = directory.file("keys/tokens.json")
        var register = TokenRegister()
        var tokens = [AccessRole: String]()
        for role in AccessRole.allCases {
            tokens[role] = try register.add(
                name: "test-\(role.rawValue)", role: role, officer: role == .officer ? "110001" : nil, time: Date())
        }
        try register.save(to: tokensFile)
        self.tokens = tokens
        footage = DirectoryFootage(root: directory.file("store"))
    }

    /// The dependencies of the listener; `store` replaces the station's manifest (e.g. a read-only one).
    func dependencies(store: ManifestStore? = nil) -> HTTPDependencies {
        var configuration = HTTPConfiguration()
        configuration.port = 0
        var dependencies = HTTPDependencies(
            configuration: configuration, store: store ?? self.store, tokens: TokenSource(url: tokensFile),
            footage: footage, status: { [self] in self.status.withLock { $0 } }, logger: Logger(label: "custody-http-test"))
        dependencies.eventPollInterval = .milliseconds(10)
        return dependencies
    }

    /// The application under test, served by HummingbirdTesting's in-process router client.
    func application(store: ManifestStore? = nil) -> some ApplicationProtocol {
        Application(router: CustodyHTTPServer.router(dependencies(store: store)))
    }

    /// The officer of the station's officer token.
    static let officer = Officer(certificate: "110001", name: "王小明")
    /// Another officer.
    static let otherOfficer = Officer(certificate: "110002", name: "李四")

    /// Stores `bytes` as footage and appends its `clip.ingested` entry, recorded by `officer` on recorder `serial`.
    @discardableResult
    func ingest(
        _ bytes: [UInt8], officer: Officer? = HTTPTestStation.officer, serial: String = "BWC-0001",
        name: String = "20261130_080000_0001.MP4", recorded: Date = Date(timeIntervalSince1970: 1_795_000_000)
    ) throws -> (sha256: SHA256Hash, entry: StoredEntry) {
        let digest = SHA256Hash.of(Data(bytes))
        try FileManager.default.createDirectory(at: footage.root, withIntermediateDirectories: true)
        try Data(bytes).write(to: footage.root.appendingPathComponent(digest.hex))
        let clip = ClipRecord(
            recorder: RecorderIdentity(serial: serial, model: "TestCam"), path: RecorderPath("DCIM/\(name)")!,
            size: UInt64(bytes.count), modificationTime: recorded.addingTimeInterval(60), sha256: digest,
            recordingStart: recorded, recordingEnd: recorded.addingTimeInterval(60), timeSource: .modificationTime,
            container: .mp4, durationMilliseconds: 60_000, officer: officer,
            ingestTime: recorded.addingTimeInterval(3600), deadline: recorded.addingTimeInterval(86_400), late: false)
        let entry = try store.append(.clipIngested(clip, verifiedBy: ["test"]))
        return (digest, entry)
    }

    /// Removes the footage of `clip` and appends its `clip.purged` entry, as `custody purge --due` does.
    @discardableResult
    func purge(_ clip: (sha256: SHA256Hash, entry: StoredEntry)) throws -> StoredEntry {
        try FileManager.default.removeItem(at: footage.root.appendingPathComponent(clip.sha256.hex))
        return try store.append(
            .clipPurged(
                clip: clip.entry, sha256: clip.sha256.hex, earliestPurge: Date(timeIntervalSince1970: 1_800_000_000),
                authorisedBy: Officer(certificate: "900001", name: "Admin"), time: Date()))
    }

    /// The `footage.read` entries of the manifest, parsed.
    func footageReads() throws -> [[String: JSONValue]] {
        try store.entries(start: 0, limit: Int(try store.size())).compactMap { stored in
            let entry = try ManifestEntry(body: stored.body)
            return entry.type == .footageRead ? entry.fields : nil
        }
    }

    /// The `Authorization` header of `role`'s token.
    func authorization(_ role: AccessRole) -> HTTPFields {
        [.authorization: "Bearer \(tokens[role]!)"]
    }

    deinit { directory.remove() }
}

/// Footage in a plain folder, by digest, for route tests.
struct DirectoryFootage: FootageLocator {
    let root: URL

    func path(of digest: SHA256Hash) -> String? {
        let path = root.appendingPathComponent(digest.hex).path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
