import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Glibc
import Testing

@testable import CustodyIngest

/// Issue 9 item 2, faults of the recorder: reads that return a few bytes at a time, an I/O error or a device gone
/// part-way (or at the first read), a file that ends before its listed size, and one that runs on past it.
///
/// (`IngestServiceTests` already covers a read error by read number, a file that shrinks or vanishes, and a
/// recorder that reads differently the second time; `DockingTests` a recorder pulled out of its bay mid-copy.)
/// Short reads give an exact copy. Every other fault ends in an `ingest.interrupted` entry naming the bytes done,
/// with nothing in the store or staging; the next ingest of a healthy recorder completes and resolves it.
@Suite struct RecorderFaultTests {
    static let mebibyte = 1 << 20

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let behaviour: FlakyStream.Behaviour
        /// The interruption's reason, or nil when the copy must succeed.
        let reason: String?
        /// The interruption's `bytesDone`.
        let bytesDone: Int64
        let detail: String

        var testDescription: String { name }
    }

    static let size = 9 * mebibyte + 1234
    static let cases: [Case] = [
        Case(
            name: "reads of a few bytes at a time", behaviour: .shortReads(seed: 9), reason: nil, bytesDone: 0,
            detail: ""),
        Case(
            name: "EIO part-way", behaviour: .fail(at: 5 * mebibyte + 7, errno: EIO), reason: "sourceRead",
            bytesDone: Int64(4 * mebibyte), detail: "Input/output error"),
        Case(
            name: "EIO at the first read", behaviour: .fail(at: 0, errno: EIO), reason: "sourceRead", bytesDone: 0,
            detail: "Input/output error"),
        Case(
            name: "device gone (ENODEV) in the last buffer", behaviour: .fail(at: 8 * mebibyte + 100, errno: ENODEV),
            reason: "sourceRead", bytesDone: Int64(8 * mebibyte), detail: "No such device"),
        Case(
            name: "ends before its listed size", behaviour: .endEarly(at: 6 * mebibyte), reason: "sourceChanged",
            bytesDone: Int64(6 * mebibyte), detail: "were listed"),
        Case(
            name: "runs on past its listed size", behaviour: .runOn(extra: 10), reason: "sourceChanged",
            bytesDone: Int64(size + 10), detail: "were listed"),
    ]

    @Test(arguments: cases)
    func recorderFaultEndsInAnEntryAndTheNextIngestCompletes(_ test: Case) throws {
        let station = try IngestStation()
        var generator = SeededGenerator(seed: 0x5EAD)
        let victim = generator.bytes(Self.size)
        let other = generator.bytes(4097)
        try station.write("A.MP4", victim)
        try station.write("B.MP4", other)
        let source = FlakySource(base: station.source(), faults: ["A.MP4": test.behaviour])

        let summary = try station.service().ingest(source, model: station.model)

        let ingested = try station.entries(.clipIngested)
        for (_, entry) in ingested {
            let path = try #require(entry.fields["path"]?.stringValue)
            #expect(entry.fields["sha256"]?.stringValue == SHA256Hash.of(path == "A.MP4" ? victim : other).hex)
        }
        #expect(try station.stagingContents().isEmpty)
        if let reason = test.reason {
            #expect(summary.failures.map(\.path.display) == ["A.MP4"])
            let interruptions = try station.entries(.ingestInterrupted)
            try #require(interruptions.count == 1)
            let fields = interruptions[0].entry.fields
            #expect(fields["reason"]?.stringValue == reason)
            #expect(fields["bytesDone"]?.intValue == test.bytesDone)
            #expect(fields["detail"]?.stringValue?.contains(test.detail) == true, "\(fields)")
            #expect(Set(try station.storedObjects().keys) == [SHA256Hash.of(other)])
        } else {
            #expect(summary.failures.isEmpty, "\(summary.failures.map(\.error.message))")
            #expect(Set(try station.storedObjects().keys) == [SHA256Hash.of(victim), SHA256Hash.of(other)])
        }

        let again = try station.service().ingest(station.source(), model: station.model)
        #expect(again.failures.isEmpty)
        let clips = try station.entries(.clipIngested)
        #expect(clips.count == 2)
        if test.reason != nil {
            #expect(clips.last?.entry.fields["resolves"]?.arrayValue?.count == 1)
        }
        // storedObjects() requires each object to hash to its name, so comparing names compares bytes.
        #expect(Set(try station.storedObjects().keys) == [SHA256Hash.of(victim), SHA256Hash.of(other)])
        try station.expectAuditClean()
    }
}

/// A recorder whose chosen files misbehave as a ``FlakyStream`` says, around a ``DirectorySource``.
struct FlakySource: RecorderSource {
    let base: DirectorySource
    let faults: [String: FlakyStream.Behaviour]

    var identity: RecorderIdentity { base.identity }
    func listFiles() throws(IngestError) -> RecorderListing { try base.listFiles() }
    func readClock() throws(IngestError) -> Date? { nil }

    func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
        let stream = try base.open(file)
        guard let behaviour = faults[file.path.display] else { return stream }
        return FlakyStream(base: stream, behaviour: behaviour)
    }
}

/// A recorder file stream that reads short, fails, ends early or runs on.
final class FlakyStream: RecorderFileStream {
    enum Behaviour: Sendable {
        /// Each read returns between 1 and 64 KiB + 1 bytes, seeded.
        case shortReads(seed: UInt64)
        /// The read that would pass byte `at` fails with `errno` (bytes before it are returned first).
        case fail(at: Int, errno: Int32)
        /// The file ends after `at` bytes, whatever its listed size.
        case endEarly(at: Int)
        /// `extra` bytes follow the file's end.
        case runOn(extra: Int)
    }

    private let base: any RecorderFileStream
    private let behaviour: Behaviour
    private var offset = 0
    private var random: SeededGenerator
    private var ranOn = false

    init(base: any RecorderFileStream, behaviour: Behaviour) {
        self.base = base
        self.behaviour = behaviour
        if case .shortReads(let seed) = behaviour {
            random = SeededGenerator(seed: seed)
        } else {
            random = SeededGenerator(seed: 0)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        var limit = buffer.count
        switch behaviour {
        case .shortReads:
            limit = min(limit, 1 + Int(random.next() % 65_537))
        case .fail(let at, let error):
            if offset >= at {
                throw IngestError(
                    .sourceRead, "reading from the recorder failed: \(String(cString: strerror(error)))", errno: error)
            }
            limit = min(limit, at - offset)
        case .endEarly(let at):
            limit = min(limit, at - offset)
            if limit == 0 { return 0 }
        case .runOn(let extra):
            if ranOn { return 0 }
            let count = try base.read(into: buffer)
            if count > 0 {
                offset += count
                return count
            }
            ranOn = true
            let tail = min(extra, buffer.count)
            for index in 0..<tail { buffer[index] = 0xAB }
            offset += tail
            return tail
        }
        let count = try base.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<limit]))
        offset += count
        return count
    }

    func checkUnchanged() throws(IngestError) { try base.checkUnchanged() }
}
