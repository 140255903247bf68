import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

@testable import CustodyTransport

/// A simulated PTP/MTP recorder ingested through ``MTPRecorderSource`` by the real ``IngestService``: paths from the
/// folder chain, digests of the stored copies, concurrent workers taking turns on the one session, an unplug in the
/// middle of an object, and the recorder's clock.
@Suite struct MTPRecorderSourceTests {
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static let plus8 = TimeZoneOffset("+08:00")!

    /// A recorder with DCIM/100MEDIA/… clips and a loose file at the root; returns the responder and the contents.
    static func recorder(files: Int) -> (PTPSimulatedResponder, [String: [UInt8]]) {
        var objects: [PTPSimulatedResponder.Object] = [.folder(1, "DCIM"), .folder(2, "100MEDIA", parent: 1)]
        var contents = [String: [UInt8]]()
        for index in 0..<files {
            let content = bytes(1000 + index * 70_001, seed: UInt64(index + 1))
            let name = "CLIP\(index).MP4"
            objects.append(.file(UInt32(10 + index), name, .bytes(content), parent: 2))
            contents["DCIM/100MEDIA/" + name] = content
        }
        objects.append(.file(99, "LOG.TXT", .bytes(Array("log".utf8))))
        contents["LOG.TXT"] = Array("log".utf8)
        return (PTPSimulatedResponder(objects: objects), contents)
    }

    static func source(_ responder: PTPSimulatedResponder) throws -> MTPRecorderSource {
        let session = PTPSession(transport: responder)
        try session.openSession()
        return MTPRecorderSource(
            session: session, identity: RecorderIdentity(serial: "MTP0001", model: "MTPCAM"), localOffset: plus8)
    }

    @Test func listsObjectsByTheirFolderPathsWithSizesAndTimes() throws {
        let (responder, contents) = Self.recorder(files: 3)
        responder.add(.file(200, "ORPHAN.MP4", .bytes([1]), parent: 555))  // parent not on the device
        let listing = try Self.source(responder).listFiles()
        #expect(listing.files.map(\.path.display) == contents.keys.sorted())
        #expect(listing.files.map(\.size) == contents.keys.sorted().map { UInt64(contents[$0]!.count) })
        // 2026-11-29T08:15:30 at +08:00.
        #expect(listing.files.allSatisfy { $0.modificationTime == Date(timeIntervalSince1970: 1_795_911_330) })
        #expect(listing.refused.map(\.path.display) == ["ORPHAN.MP4"])
    }

    @Test func ingestsASimulatedRecordersFilesWithMatchingDigests() throws {
        let (responder, contents) = Self.recorder(files: 12)
        let station = try Station(concurrentFiles: 3)
        let source = try Self.source(responder)

        let summary = try station.service().ingest(source, model: RecorderModel(name: "MTPCAM"))

        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(summary.ingested.count == contents.count)
        var digests = [String: String]()
        for entry in try station.entries(.clipIngested) {
            digests[entry.fields["path"]?.stringValue ?? "?"] = entry.fields["sha256"]?.stringValue
        }
        #expect(digests == contents.mapValues { SHA256Hash.of($0).hex })
        #expect(try station.storedDigests() == Set(contents.values.map { SHA256Hash.of($0) }))

        // A second dock copies nothing new.
        let again = try station.service().ingest(source, model: RecorderModel(name: "MTPCAM"))
        #expect(again.ingested.isEmpty)
        #expect(again.alreadyIngested == contents.count)
    }

    @Test func aRecorderUnpluggedMidObjectIsInterruptedWithTheBytesDone() throws {
        let (responder, contents) = Self.recorder(files: 4)
        let buffer = PipelinedCopier.bufferSize
        let long = Self.bytes(2 * buffer + 500_000, seed: 77)
        responder.add(.file(50, "LONG.MP4", .bytes(long), parent: 2))  // last in path order
        // Unplugged 12 345 bytes into LONG.MP4's third copy buffer: two whole buffers were copied.
        responder.faults = [.disconnect(.getObject, afterBytes: UInt64(2 * buffer + 12_345), handle: 50)]
        let station = try Station(concurrentFiles: 1)
        let source = try Self.source(responder)

        let summary = try station.service().ingest(source, model: RecorderModel(name: "MTPCAM"))

        // LONG.MP4 stops mid-object; LOG.TXT, after it in path order, fails fast on the broken session.
        #expect(summary.failures.map(\.path.display) == ["DCIM/100MEDIA/LONG.MP4", "LOG.TXT"])
        #expect(summary.failures.allSatisfy { $0.error.code == .sourceRead })
        let interruptions = try station.entries(.ingestInterrupted)
        try #require(interruptions.count == 2)
        #expect(interruptions[0].fields["path"]?.stringValue == "DCIM/100MEDIA/LONG.MP4")
        #expect(interruptions[0].fields["reason"]?.stringValue == "sourceRead")
        #expect(interruptions[0].fields["bytesDone"]?.intValue == Int64(2 * buffer))
        #expect(interruptions[1].fields["path"]?.stringValue == "LOG.TXT")
        #expect(interruptions[1].fields["bytesDone"]?.intValue == 0)
        // Everything copied before the unplug is in the store, whole; nothing of LONG.MP4 is.
        let before = contents.filter { $0.key != "LOG.TXT" }
        #expect(try station.storedDigests() == Set(before.values.map { SHA256Hash.of($0) }))
    }

    @Test(arguments: [-125, 0, 3, 86_400 + 17])
    func readsTheRecordersClock(offset: Int) throws {
        let (responder, _) = Self.recorder(files: 1)
        let station = Date(timeIntervalSince1970: 1_795_996_800)
        responder.dateTime =
            PTPDateTime(date: station.addingTimeInterval(Double(offset) + 8 * 3600), offset: nil)
            .description
        let clock = try #require(try Self.source(responder).readClock())
        #expect(clock.timeIntervalSince(station) == Double(offset))
    }

    @Test func aMalformedClockIsASourceReadError() throws {
        let (responder, _) = Self.recorder(files: 1)
        responder.dateTime = "yesterday"
        #expect(
            performing: { try Self.source(responder).readClock() },
            throws: { ($0 as? IngestError)?.code == .sourceRead })
    }
}

/// A station in a temporary folder: a manifest and a content store.
final class Station {
    let directory: TemporaryDirectory
    var configuration: CustodyConfiguration
    let store: ManifestStore
    let content: ContentStore

    init(concurrentFiles: Int) throws {
        directory = try TemporaryDirectory(prefix: "custody-mtp")
        configuration = CustodyConfiguration(stateDirectory: directory.file("state"))
        configuration.ingest.reserveBytes = 0
        configuration.ingest.concurrentFiles = concurrentFiles
        let storage = configuration.storage
        try FileManager.default.createDirectory(at: storage.stateDirectory, withIntermediateDirectories: true)
        store = try ManifestStore.open(at: storage.databaseFile)
        content = try ContentStore(root: storage.storeDirectory, staging: storage.stagingDirectory)
    }

    func service() -> IngestService {
        IngestService(store: store, content: content, configuration: configuration)
    }

    func entries(_ type: EntryType) throws -> [ManifestEntry] {
        try store.entries(start: 0, limit: 100_000).map { try ManifestEntry(body: $0.body) }.filter { $0.type == type }
    }

    /// The digests of the stored objects, each re-hashed from its bytes.
    func storedDigests() throws -> Set<SHA256Hash> {
        var digests = Set<SHA256Hash>()
        let enumerator = try #require(FileManager.default.enumerator(atPath: content.root.path))
        while let relative = enumerator.nextObject() as? String {
            let url = content.root.appendingPathComponent(relative)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            if isFolder.boolValue { continue }
            let digest = SHA256Hash.of(Array(try Data(contentsOf: url)))
            #expect(digest.hex == url.lastPathComponent, "object \(relative) holds other bytes")
            digests.insert(digest)
        }
        return digests
    }
}
