import CustodyIngest
import CustodyTesting
import Foundation
import Testing

/// The pread-backed byte source: exact reads, short reads at the end, and refusal of links and non-files.
struct FileByteSourceTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "custody-mp4")
    }

    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let path = directory.file(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func readsExactRangesAndStopsAtTheEnd() throws {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        let source = try FileByteSource(path: try write(bytes, to: "data"))
        #expect(source.size == 1000)
        #expect(try source.read(at: 0, count: 10) == Array(bytes[0..<10]))
        #expect(try source.read(at: 500, count: 100) == Array(bytes[500..<600]))
        #expect(try source.read(at: 990, count: 100) == Array(bytes[990..<1000]))
        #expect(try source.read(at: 1000, count: 10) == [])
        #expect(try source.read(at: .max, count: 10) == [])
        #expect(try source.read(at: 0, count: 0) == [])
    }

    @Test func hugeCountAllocatesOnlyWhatTheFileHolds() throws {
        let source = try FileByteSource(path: try write([1, 2, 3], to: "small"))
        #expect(try source.read(at: 1, count: .max) == [2, 3])
    }

    @Test func symbolicLinkIsRefused() throws {
        let target = try write([0], to: "target")
        let link = directory.file("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let error = try #require(throws: MP4Error.self) { try FileByteSource(path: link) }
        #expect(error.code == .io)
        #expect(error.path == link)
        #expect(error.message.contains("symbolic link"))
    }

    @Test func directoryAndMissingFileAreRefused() throws {
        for path in [directory.url.path, directory.file("missing").path] {
            let error = try #require(throws: MP4Error.self) { try FileByteSource(path: path) }
            #expect(error.code == .io)
            #expect(error.path == path)
        }
    }

    @Test func probingAFileAttachesItsPathToErrors() throws {
        let bytes = MP4BoxBuilder.ftyp("isom") + MP4BoxBuilder.lyingBox("free", size: 3) + MP4BoxBuilder.media(16)
        let path = try write(bytes, to: "bad.mp4")
        let error = try #require(throws: MP4Error.self) { try MP4Reader().probe(fileAtPath: path) }
        #expect(error.code == .sizeSmallerThanHeader)
        #expect(error.path == path)
        #expect(error.description.contains(path))
    }

    @Test func probingAFileMatchesProbingItsBytes() throws {
        let bytes = MP4BoxBuilder.fragmentedMovie()
        let fromFile = try MP4Reader().probe(fileAtPath: try write(bytes, to: "frag.mp4"))
        #expect(fromFile == (try MP4Reader().probe(InMemoryByteSource(bytes))))
        #expect(fromFile.metadata?.durationSeconds == 3.4)
    }
}
