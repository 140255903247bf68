import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Glibc
import Testing

@testable import CustodyIngest

/// The ingest pipeline in process: sources that fail in every way a recorder can, concurrency, re-docking,
/// attribution and the upload window. Every scenario ends with a signed checkpoint and a clean audit.
@Suite struct IngestServiceTests {
    static let mebibyte = 1 << 20

    // MARK: - B1–B4 Copies that stop

    @Test func fileThatShrinksMidCopyIsInterruptedWithoutAPartialObject() throws {
        let station = try IngestStation()
        var generator = SeededGenerator(seed: 1)
        let shrinking = generator.bytes(10 * Self.mebibyte)
        let others = [("A.MP4", generator.bytes(1000)), ("Z.MP4", generator.bytes(5 * Self.mebibyte + 17))]
        try station.write("SHRINK.MP4", shrinking)
        for (name, bytes) in others { try station.write(name, bytes) }
        let source = FaultySource(
            base: station.source(), faults: ["SHRINK.MP4": .truncateAfterFirstRead(to: 5 * Self.mebibyte + 123)])

        let summary = try station.service().ingest(source, model: station.model)

        #expect(summary.ingested.count == 2)
        #expect(summary.failures.map(\.path.display) == ["SHRINK.MP4"])
        #expect(summary.failures.first?.error.code == .sourceChanged)
        let interruptions = try station.entries(.ingestInterrupted)
        try #require(interruptions.count == 1)
        let fields = interruptions[0].entry.fields
        #expect(fields["path"]?.stringValue == "SHRINK.MP4")
        #expect(fields["reason"]?.stringValue == "sourceChanged")
        #expect(fields["size"]?.intValue == Int64(shrinking.count))
        let bytesDone = try #require(fields["bytesDone"]?.intValue)
        #expect(bytesDone > 0 && bytesDone < Int64(shrinking.count))
        // The store holds exactly the other two files: no object for any prefix of the shrinking one.
        #expect(try station.storedObjects() == Dictionary(uniqueKeysWithValues: others.map { (SHA256Hash.of($0.1), $0.1) }))
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }

    @Test func fileThatVanishesBeforeOpenFailsAndTheRunContinues() throws {
        let station = try IngestStation()
        try station.write("A.MP4", Array("first".utf8))
        try station.write("GONE.MP4", Array("vanishes".utf8))
        try station.write("Z.MP4", Array("last".utf8))
        let source = FaultySource(base: station.source(), faults: ["GONE.MP4": .unlinkBeforeOpen])

        let summary = try station.service().ingest(source, model: station.model)

        #expect(Set(try station.entries(.clipIngested).compactMap { $0.entry.fields["path"]?.stringValue }) == ["A.MP4", "Z.MP4"])
        #expect(summary.failures.map(\.path.display) == ["GONE.MP4"])
        let interruptions = try station.entries(.ingestInterrupted)
        try #require(interruptions.count == 1)
        #expect(interruptions[0].entry.fields["path"]?.stringValue == "GONE.MP4")
        #expect(interruptions[0].entry.fields["reason"]?.stringValue == "sourceRead")
        #expect(interruptions[0].entry.fields["bytesDone"]?.intValue == 0)
        #expect(try station.storedObjects().keys.sorted() == [SHA256Hash.of(Array("first".utf8)), SHA256Hash.of(Array("last".utf8))].sorted())
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }

    @Test func readErrorMidStreamIsInterruptedAsSourceRead() throws {
        let station = try IngestStation()
        var generator = SeededGenerator(seed: 3)
        let failing = generator.bytes(10 * Self.mebibyte)
        let other = generator.bytes(4096)
        try station.write("BAD.MP4", failing)
        try station.write("GOOD.MP4", other)
        let source = FaultySource(base: station.source(), faults: ["BAD.MP4": .failRead(number: 2)])

        let summary = try station.service().ingest(source, model: station.model)

        #expect(summary.failures.map(\.path.display) == ["BAD.MP4"])
        #expect(summary.failures.first?.error.code == .sourceRead)
        let interruptions = try station.entries(.ingestInterrupted)
        try #require(interruptions.count == 1)
        #expect(interruptions[0].entry.fields["reason"]?.stringValue == "sourceRead")
        let bytesDone = try #require(interruptions[0].entry.fields["bytesDone"]?.intValue)
        #expect(bytesDone < Int64(failing.count))
        #expect(try station.storedObjects() == [SHA256Hash.of(other): other])
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }

    @Test func cancelledCopyIsRolledBackAndRecorded() throws {
        let station = try IngestStation()
        var generator = SeededGenerator(seed: 4)
        let bytes = generator.bytes(10 * Self.mebibyte)
        try station.write("LONG.MP4", bytes)
        let copied = Tally()

        let summary = try station.service().ingest(
            station.source(), model: station.model, progress: { copied.set($0.bytesCopied) },
            shouldStop: { copied.value > 0 })

        #expect(summary.ingested.isEmpty)
        #expect(summary.failures.first?.error.code == .cancelled)
        let interruptions = try station.entries(.ingestInterrupted)
        try #require(interruptions.count == 1)
        #expect(interruptions[0].entry.fields["reason"]?.stringValue == "cancelled")
        let bytesDone = try #require(interruptions[0].entry.fields["bytesDone"]?.intValue)
        #expect(bytesDone > 0 && bytesDone < Int64(bytes.count))
        #expect(try station.entries(.clipIngested).isEmpty)
        #expect(try station.storedObjects().isEmpty)
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }

    @Test func cleaningStagingRemovesLeftoversButNeverACopyInFlight() throws {
        let station = try IngestStation()
        let live = try station.content.createStagingFile(size: 4096)
        let leftover = station.content.staging.appendingPathComponent("999999-dead.part")
        try Data("left by a process that died".utf8).write(to: leftover)

        #expect(station.content.cleanStaging() == 1)
        #expect(try station.stagingContents() == [live.url.lastPathComponent])
        live.discard()
        #expect(try station.stagingContents().isEmpty)
    }

    // MARK: - B5–B7 Exact copies

    @Test func concurrentCopiesOfAwkwardSizesAreExact() throws {
        let station = try IngestStation()
        station.configuration.ingest.concurrentFiles = 3
        let four = 4 * Self.mebibyte
        let sizes = [
            1, 4095, 4096, 8192, 65_543, Self.mebibyte, four - 1, four, four + 1, 2 * four, 2 * four + 4096,
            9 * Self.mebibyte,
        ]
        var generator = SeededGenerator(seed: 5)
        var files = [String: [UInt8]]()
        for (position, size) in sizes.enumerated() {
            let name = String(format: "F%02d_%d.MP4", position, size)
            files[name] = generator.bytes(size)
            try station.write(name, files[name]!)
        }

        let summary = try station.service().ingest(station.source(), model: station.model)

        #expect(summary.failures.isEmpty, "\(summary.failures.map(\.error.message))")
        let ingested = try station.entries(.clipIngested)
        #expect(ingested.count == 12)
        for (_, entry) in ingested {
            let name = try #require(entry.fields["path"]?.stringValue)
            let bytes = try #require(files[name])
            #expect(entry.fields["sha256"]?.stringValue == SHA256Hash.of(bytes).hex, "\(name)")
            #expect(entry.fields["size"]?.intValue == Int64(bytes.count), "\(name)")
        }
        // Every object's bytes are its source's bytes, and it is named by their SHA-256.
        #expect(try station.storedObjects() == Dictionary(uniqueKeysWithValues: files.values.map { (SHA256Hash.of($0), $0) }))
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }

    @Test func verifySourceRereadsTheRecorder() throws {
        let station = try IngestStation()
        try station.write("A.MP4", Array("clip A".utf8))
        var rereading = station.model
        rereading.verifySource = true

        _ = try station.service().ingest(station.source(serial: "PLAIN1"), model: station.model)
        _ = try station.service().ingest(station.source(serial: "REREAD1"), model: rereading)
        let verifiedBy = try station.entries(.clipIngested).map { stored in
            (stored.entry.fields["recorder"]?["serial"]?.stringValue, stored.entry.fields["verifiedBy"])
        }
        #expect(verifiedBy.count == 2)
        #expect(verifiedBy.first { $0.0 == "PLAIN1" }?.1 == ["storeReread"])
        #expect(verifiedBy.first { $0.0 == "REREAD1" }?.1 == ["storeReread", "sourceReread"])

        // A recorder that reads back different bytes the second time fails the re-read.
        let flaky = FaultySource(base: station.source(serial: "FLAKY1"), faults: ["A.MP4": .changeOnSecondOpen])
        let summary = try station.service().ingest(flaky, model: rereading)
        #expect(summary.ingested.isEmpty)
        #expect(summary.failures.first?.error.code == .sourceChanged)
        #expect(try station.entries(.ingestInterrupted).map { $0.entry.fields["reason"]?.stringValue } == ["sourceChanged"])
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }

    @Test func sixtyFourMebibyteFileIsCopiedExactly() throws {
        let station = try IngestStation()
        var generator = SeededGenerator(seed: 7)
        let bytes = generator.bytes(64 * Self.mebibyte + 1)
        try station.write("BIG.MP4", bytes)

        let summary = try station.service().ingest(station.source(), model: station.model)

        #expect(summary.failures.isEmpty)
        #expect(summary.bytesCopied == UInt64(bytes.count))
        #expect(try station.entries(.clipIngested).first?.entry.fields["sha256"]?.stringValue == SHA256Hash.of(bytes).hex)
        #expect(try station.storedObjects() == [SHA256Hash.of(bytes): bytes])
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }

    // MARK: - B8 Re-docking

    @Test func redockedPathWithNewBytesIsFlaggedAndATouchedFileIsNotCopiedTwice() throws {
        let station = try IngestStation()
        let first = Array("the original recording".utf8)
        let second = Array("a different recording!".utf8)
        let t0 = Date(timeIntervalSince1970: 1_795_000_000)
        try station.write("CLIP.MP4", first, modified: t0)
        _ = try station.service().ingest(station.source(), model: station.model)
        let original = try #require(try station.entries(.clipIngested).first)

        // Different bytes under the same path: a second clip, and an anomaly pointing at the first.
        try station.write("CLIP.MP4", second, modified: t0.addingTimeInterval(60))
        let redock = try station.service().ingest(station.source(), model: station.model)
        #expect(redock.ingested.count == 1)
        let ingested = try station.entries(.clipIngested)
        #expect(ingested.map { $0.entry.fields["sha256"]?.stringValue } == [SHA256Hash.of(first).hex, SHA256Hash.of(second).hex])
        let changed = try station.anomalies("changedOnRecorder")
        try #require(changed.count == 1)
        #expect(changed[0].entry.fields["refersTo"]?["index"]?.intValue == Int64(original.stored.index))
        #expect(changed[0].entry.fields["refersTo"]?["leaf"]?.stringValue == original.stored.leafHash.hex)
        #expect(changed[0].entry.fields["sha256"]?.stringValue == SHA256Hash.of(second).hex)

        // The same bytes with only a new modification time: no new clip, one anomaly.
        try station.touch("CLIP.MP4", modified: t0.addingTimeInterval(120))
        let touched = try station.service().ingest(station.source(), model: station.model)
        #expect(touched.ingested.isEmpty)
        #expect(touched.failures.isEmpty)
        #expect(try station.entries(.clipIngested).count == 2)
        let retimed = try station.anomalies("modifiedTimeChanged")
        try #require(retimed.count == 1)
        #expect(retimed[0].entry.fields["refersTo"]?["index"]?.intValue == Int64(ingested[1].stored.index))

        // Docked again unchanged: nothing is planned and nothing is appended.
        let size = try station.store.size()
        let again = try station.service().ingest(station.source(), model: station.model)
        #expect(again.ingested.isEmpty && again.failures.isEmpty)
        #expect(again.alreadyIngested == 1)
        #expect(try station.store.size() == size)
        #expect(try station.storedObjects().count == 2)
        try station.expectAuditClean()
    }

    // MARK: - B9 Attribution

    @Test func clipsAreAttributedToTheOfficerHoldingTheRecorderAtRecordingStart() throws {
        let station = try IngestStation()
        let model = IngestStation.gaT947Model
        try station.store.registerOfficer(Officer(certificate: "64000123", name: "张伟"), time: Date())
        try station.store.registerOfficer(Officer(certificate: "64000999", name: "李娜"), time: Date())
        _ = try station.store.append(
            .assignmentRecorded(
                serial: "BWC0001", certificate: "64000123", from: RFC3339.parse("2026-11-29T00:00:00Z")!, to: nil,
                time: Date()))
        let assigned = try station.makeRecorder("assigned")
        let names = [
            "BWC0001_64000123_20261129161530_0001.MP4",  // held by 64000123 since 00:00Z; the name agrees
            "BWC0001_64000999_20261129162000_0002.MP4",  // the name carries another officer
            "BWC0002_64000123_20261129163000_0003.MP4",  // the name carries another recorder
            "BWC0001_64000123_20261128120000_0004.MP4",  // recorded (04:00Z) before the handover
        ]
        for name in names { try station.write(name, Array(name.utf8), in: assigned) }
        let unassigned = try station.makeRecorder("unassigned")
        try station.write("BWC0009_64000123_20261129161530_0001.MP4", Array("unassigned".utf8), in: unassigned)

        _ = try station.service().ingest(station.source(serial: "BWC0001", root: assigned), model: model)
        _ = try station.service().ingest(station.source(serial: "BWC0009", root: unassigned), model: model)

        var clips = [String: [String: JSONValue]]()
        for (_, entry) in try station.entries(.clipIngested) {
            clips[entry.fields["path"]!.stringValue!] = entry.fields
        }
        #expect(clips.count == 5)
        let held: JSONValue = .object(["certificate": "64000123", "name": "张伟"])
        #expect(clips[names[0]]?["officer"] == held)
        #expect(clips[names[0]]?["recordingStart"]?.stringValue == "2026-11-29T08:15:30Z")
        #expect(clips[names[0]]?["sequence"]?.intValue == 1)
        #expect(clips[names[1]]?["officer"] == held)
        #expect(clips[names[2]]?["officer"] == held)
        #expect(clips[names[3]]?["officer"] == .null)
        #expect(clips["BWC0009_64000123_20261129161530_0001.MP4"]?["officer"] == .null)

        let mismatches = try station.anomalies("officerMismatch").map { $0.entry.fields["path"]?.stringValue }
        #expect(Set(mismatches) == [names[1], names[3], "BWC0009_64000123_20261129161530_0001.MP4"])
        #expect(try station.anomalies("serialMismatch").map { $0.entry.fields["path"]?.stringValue } == [names[2]])
        try station.expectAuditClean()
    }

    // MARK: - B10 The upload window

    @Test(arguments: [(hours: 25.0, late: true), (hours: 23.0, late: false)])
    func clipIngestedAfterItsWindowIsLate(hours: Double, late: Bool) throws {
        let station = try IngestStation()
        station.configuration.upload.windowHours = 24
        // A non-MP4 clip named for 16:15:30 at +08:00: it starts and ends at 08:15:30Z.
        let end = RFC3339.parse("2026-11-29T08:15:30Z")!
        try station.write("BWC0001_64000123_20261129161530_0001.MP4", Array("clip".utf8))

        _ = try station.service(now: { end.addingTimeInterval(hours * 3600) })
            .ingest(station.source(), model: IngestStation.gaT947Model)

        let fields = try #require(try station.entries(.clipIngested).first?.entry.fields)
        #expect(fields["recordingEnd"]?.stringValue == "2026-11-29T08:15:30Z")
        #expect(fields["deadline"]?.stringValue == "2026-11-30T08:15:30Z")
        #expect(fields["late"]?.boolValue == late)
        #expect(try station.store.clips(lateOnly: true).count == (late ? 1 : 0))
        try station.expectAuditClean()
    }
}

// MARK: - Fixtures

/// A station for in-process ingest tests, in a temporary folder: a manifest, a content store and a recorder folder.
final class IngestStation {
    /// A GA/T 947 model whose file names carry local (+08:00) times.
    static let gaT947Model: RecorderModel = {
        var model = RecorderModel(name: "DSJ-V8")
        model.fileName = .gaT947
        model.timeZone = TimeZoneOffset("+08:00")!
        return model
    }()

    let directory: TemporaryDirectory
    var configuration: CustodyConfiguration
    let store: ManifestStore
    let content: ContentStore
    /// The default recorder's root.
    let recorder: URL
    /// Every file is media; names carry nothing.
    let model = RecorderModel(name: "PLAIN")

    init() throws {
        directory = try TemporaryDirectory(prefix: "custody-ingest-service")
        configuration = CustodyConfiguration(stateDirectory: directory.file("state"))
        configuration.ingest.reserveBytes = 0
        let storage = configuration.storage
        try FileManager.default.createDirectory(at: storage.stateDirectory, withIntermediateDirectories: true)
        store = try ManifestStore.open(at: storage.databaseFile)
        content = try ContentStore(root: storage.storeDirectory, staging: storage.stagingDirectory)
        recorder = directory.file("recorder")
        try FileManager.default.createDirectory(at: recorder, withIntermediateDirectories: true)
    }

    func service(now: @escaping @Sendable () -> Date = { Date() }) -> IngestService {
        IngestService(store: store, content: content, configuration: configuration, now: now)
    }

    func source(serial: String = "BWC0001", root: URL? = nil) -> DirectorySource {
        DirectorySource(root: root ?? recorder, identity: RecorderIdentity(serial: serial, model: model.name))
    }

    func makeRecorder(_ name: String) throws -> URL {
        let url = directory.file(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a file on the recorder, replacing any, with a whole-second modification time.
    func write(_ path: String, _ bytes: [UInt8], in root: URL? = nil, modified: Date? = nil) throws {
        let url = (root ?? recorder).appendingPathComponent(path)
        try Data(bytes).write(to: url)
        if let modified { try touch(path, in: root, modified: modified) }
    }

    /// Sets a recorder file's modification time.
    func touch(_ path: String, in root: URL? = nil, modified: Date) throws {
        let url = (root ?? recorder).appendingPathComponent(path)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: url.path)
    }

    /// The entries of `type`, in order.
    func entries(_ type: EntryType) throws -> [(stored: StoredEntry, entry: ManifestEntry)] {
        try store.entries(start: 0, limit: 100_000).map { ($0, try ManifestEntry(body: $0.body)) }
            .filter { $0.1.type == type }
    }

    /// The `clip.anomaly` entries of `kind`.
    func anomalies(_ kind: String) throws -> [(stored: StoredEntry, entry: ManifestEntry)] {
        try entries(.clipAnomaly).filter { $0.entry.fields["kind"]?.stringValue == kind }
    }

    /// Every object in the store by name, each required to hash to its name and to sit at `sha256/ab/cd/<hex>`.
    func storedObjects() throws -> [SHA256Hash: [UInt8]] {
        var objects = [SHA256Hash: [UInt8]]()
        let root = content.root
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        while let relative = enumerator.nextObject() as? String {
            let url = root.appendingPathComponent(relative)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            if isFolder.boolValue { continue }
            let digest = try #require(SHA256Hash(hex: url.lastPathComponent), "not an object: \(relative)")
            #expect(content.objectURL(for: digest) == url, "misplaced object: \(relative)")
            let bytes = Array(try Data(contentsOf: url))
            #expect(SHA256Hash.of(bytes) == digest, "object \(relative) holds other bytes")
            objects[digest] = bytes
        }
        return objects
    }

    func stagingContents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: content.staging.path)
    }

    /// Signs a checkpoint and requires a clean audit of the whole manifest.
    func expectAuditClean(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let signer = try NoteSigner.generate(name: "test.example/ingest")
        _ = try store.signCheckpoint(with: signer)
        let report = try store.audit(verifier: signer.verifier)
        let size = try store.size()
        #expect(report.isClean, "\(report.findings)", sourceLocation: sourceLocation)
        #expect(report.checkpointsChecked == 1, sourceLocation: sourceLocation)
        #expect(report.size == size, sourceLocation: sourceLocation)
    }
}

/// A recorder that misbehaves on chosen files, around a ``DirectorySource``.
struct FaultySource: RecorderSource {
    enum Fault: Sendable {
        /// The file is cut to `size` bytes right after the first read.
        case truncateAfterFirstRead(to: Int)
        /// The file is deleted after listing, before it is opened.
        case unlinkBeforeOpen
        /// Read number `number` (from 1) fails.
        case failRead(number: Int)
        /// From the second open on, the file holds other bytes of the same size and time.
        case changeOnSecondOpen
    }

    let base: DirectorySource
    let faults: [String: Fault]
    private let opens = Tally()

    init(base: DirectorySource, faults: [String: Fault]) {
        self.base = base
        self.faults = faults
    }

    var identity: RecorderIdentity { base.identity }

    func listFiles() throws(IngestError) -> RecorderListing { try base.listFiles() }

    func readClock() throws(IngestError) -> Date? { nil }

    func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
        let url = base.root.appendingPathComponent(file.path.display)
        switch faults[file.path.display] {
        case nil:
            return try base.open(file)
        case .unlinkBeforeOpen:
            precondition(unlink(url.path) == 0)
            return try base.open(file)
        case .changeOnSecondOpen:
            opens.add(1)
            if opens.value == 2 {
                var bytes = Array(try! Data(contentsOf: url))
                bytes[0] ^= 0xFF
                try! Data(bytes).write(to: url)
                try! FileManager.default.setAttributes(
                    [.modificationDate: file.modificationTime], ofItemAtPath: url.path)
            }
            return try base.open(file)
        case let fault?:
            return FaultyStream(base: try base.open(file), fault: fault, url: url)
        }
    }
}

/// A stream that fails or truncates its file as its ``FaultySource/Fault`` says.
final class FaultyStream: RecorderFileStream {
    let base: any RecorderFileStream
    let fault: FaultySource.Fault
    let url: URL
    private var reads = 0

    init(base: any RecorderFileStream, fault: FaultySource.Fault, url: URL) {
        self.base = base
        self.fault = fault
        self.url = url
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        reads += 1
        if case .failRead(let number) = fault, reads == number {
            throw IngestError(.sourceRead, "injected read error", errno: EIO)
        }
        let count = try base.read(into: buffer)
        if case .truncateAfterFirstRead(let size) = fault, reads == 1 {
            precondition(truncate(url.path, off_t(size)) == 0)
        }
        return count
    }

    func checkUnchanged() throws(IngestError) { try base.checkUnchanged() }
}

/// A number shared between threads.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var current: UInt64 = 0

    var value: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func set(_ value: UInt64) {
        lock.lock()
        current = value
        lock.unlock()
    }

    func add(_ amount: UInt64) {
        lock.lock()
        current += amount
        lock.unlock()
    }
}

extension SeededGenerator {
    /// The next `count` pseudo-random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < count {
                let word = next()
                withUnsafeBytes(of: word) { raw in
                    buffer.baseAddress!.advanced(by: offset)
                        .copyMemory(from: raw.baseAddress!, byteCount: min(8, count - offset))
                }
                offset += 8
            }
        }
        return bytes
    }
}
