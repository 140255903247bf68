import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Glibc
import Testing

@testable import CustodyIngest

/// Issue 9 item 3, hostile recorders in process: paths swapped for links or FIFOs between listing and reading,
/// links to `..` and `/`, a path longer than PATH_MAX, and a device that reports one serial while carrying another
/// recorder's files. (The cases through the `custody` binary, with time and memory measured, are in
/// `HostileRecorderBoundsTests`; that file lists what older tests already cover.)
@Suite struct HostileRecorderTests {
    /// Bytes outside the recorder that must never reach the store.
    static let secret = Array("outside the recorder: never to be read".utf8)

    @Test func pathsSwappedForLinksOrFIFOsAfterListingAreNeverFollowed() throws {
        let station = try IngestStation()
        let outside = try station.makeRecorder("outside")
        try Data(Self.secret).write(to: outside.appendingPathComponent("A.MP4"))
        try Data(Self.secret).write(to: outside.appendingPathComponent("secret"))
        let root = station.recorder
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("DCIM"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("SUB"), withIntermediateDirectories: true)
        try station.write("DCIM/A.MP4", Array("folder to be swapped".utf8))
        try station.write("SUB/B.MP4", Array("file to be swapped for a link".utf8))
        try station.write("SUB/C.MP4", Array("file to be swapped for a FIFO".utf8))
        try station.write("SUB/D.MP4", Array("an honest clip".utf8))
        // Present at listing: links to the parent and to the root.
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("UP").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("ROOT").path, withDestinationPath: "/")
        let swaps: [String: @Sendable () -> Void] = [
            "DCIM/A.MP4": {
                precondition(
                    rename(root.appendingPathComponent("DCIM").path, root.appendingPathComponent("OLD").path) == 0)
                precondition(symlink(outside.path, root.appendingPathComponent("DCIM").path) == 0)
            },
            "SUB/B.MP4": {
                let path = root.appendingPathComponent("SUB/B.MP4").path
                precondition(unlink(path) == 0 && symlink(outside.appendingPathComponent("secret").path, path) == 0)
            },
            "SUB/C.MP4": {
                let path = root.appendingPathComponent("SUB/C.MP4").path
                precondition(unlink(path) == 0 && mkfifo(path, 0o644) == 0)
            },
        ]

        let summary = try station.service().ingest(
            SwappingSource(base: station.source(), swaps: swaps), model: station.model)

        #expect(Set(summary.refused.map(\.path.display)) == ["ROOT", "UP"])
        #expect(summary.refused.allSatisfy { $0.reason == .symbolicLink })
        #expect(Set(summary.failures.map(\.path.display)) == ["DCIM/A.MP4", "SUB/B.MP4", "SUB/C.MP4"])
        let reasons = Dictionary(
            uniqueKeysWithValues: try station.entries(.ingestInterrupted).map {
                ($0.entry.fields["path"]?.stringValue ?? "", $0.entry.fields["reason"]?.stringValue ?? "")
            })
        #expect(reasons == ["DCIM/A.MP4": "sourceRead", "SUB/B.MP4": "notRegularFile", "SUB/C.MP4": "notRegularFile"])
        #expect(
            try station.storedObjects() == [SHA256Hash.of(Array("an honest clip".utf8)): Array("an honest clip".utf8)])
        #expect(try station.anomalies("refusedPath").count == 2)
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }

    @Test func pathLongerThanPathMaxIsIngestedExactly() throws {
        let station = try IngestStation()
        let component = String(repeating: "D", count: 250)
        let depth = 18  // 18 × 251 bytes: over PATH_MAX (4096), within the 32-folder limit
        var fd = open(station.recorder.path, O_RDONLY | O_DIRECTORY)
        try #require(fd >= 0)
        for _ in 0..<depth {
            try #require(mkdirat(fd, component, 0o755) == 0)
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = next
            try #require(fd >= 0)
        }
        let bytes = Array("a clip at the bottom of a very long path".utf8)
        let file = openat(fd, "CLIP.MP4", O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(file >= 0)
        _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
        close(file)
        close(fd)
        defer {  // FileManager cannot remove a path this long; rm works through the folders one at a time
            _ = try? CommandRunner.run(URL(fileURLWithPath: "/bin/rm"), ["-rf", station.recorder.path])
        }
        let path = Array(repeating: component, count: depth).joined(separator: "/") + "/CLIP.MP4"
        try #require(path.utf8.count > PATH_MAX)

        let summary = try station.service().ingest(station.source(), model: station.model)

        #expect(summary.failures.isEmpty, "\(summary.failures.map(\.error.message))")
        let clips = try station.entries(.clipIngested)
        try #require(clips.count == 1)
        #expect(clips[0].entry.fields["path"]?.stringValue == path)
        #expect(clips[0].entry.fields["sha256"]?.stringValue == SHA256Hash.of(bytes).hex)
        #expect(try station.storedObjects() == [SHA256Hash.of(bytes): bytes])
        try station.expectAuditClean()
    }

    @Test func deviceCarryingAnotherRecordersFilesGetsRecordsOfItsOwnFlaggedAsSerialMismatch() throws {
        let station = try IngestStation()
        let model = IngestStation.gaT947Model
        let names = (1...3).map { "BWC0001_64000123_2026112916153\($0)_000\($0).MP4" }
        for name in names { try station.write(name, Array("recorded by BWC0001: \(name)".utf8)) }
        _ = try station.service().ingest(station.source(serial: "BWC0001"), model: model)
        let before = try station.entries(.clipIngested)
        #expect(before.count == 3)

        // A device that says it is BWC0002, carrying a copy of BWC0001's card.
        let clone = try station.service().ingest(station.source(serial: "BWC0002"), model: model)

        #expect(clone.ingested.count == 3)
        #expect(clone.failures.isEmpty)
        let clips = try station.entries(.clipIngested)
        let serials = clips.map { $0.entry.fields["recorder"]?["serial"]?.stringValue ?? "" }
        #expect(serials == ["BWC0001", "BWC0001", "BWC0001", "BWC0002", "BWC0002", "BWC0002"])
        // BWC0001's records are untouched; each of BWC0002's is flagged; the bytes are stored once.
        #expect(Array(clips.prefix(3).map(\.stored)) == before.map(\.stored))
        let mismatches = try station.anomalies("serialMismatch")
        #expect(mismatches.count == 3)
        #expect(mismatches.allSatisfy { $0.entry.fields["recorder"]?["serial"]?.stringValue == "BWC0002" })
        #expect(try station.anomalies("changedOnRecorder").isEmpty)
        #expect(try station.storedObjects().count == 3)
        // Each recorder docked again: nothing new for either.
        for serial in ["BWC0001", "BWC0002"] {
            let again = try station.service().ingest(station.source(serial: serial), model: model)
            #expect(again.ingested.isEmpty && again.alreadyIngested == 3, "\(serial)")
        }
        try station.expectAuditClean()
    }
}

/// A recorder that swaps a path (for a link, a FIFO, …) right before it is opened, after it was listed.
struct SwappingSource: RecorderSource {
    let base: DirectorySource
    let swaps: [String: @Sendable () -> Void]

    var identity: RecorderIdentity { base.identity }
    func listFiles() throws(IngestError) -> RecorderListing { try base.listFiles() }
    func readClock() throws(IngestError) -> Date? { nil }

    func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
        swaps[file.path.display]?()
        return try base.open(file)
    }
}
