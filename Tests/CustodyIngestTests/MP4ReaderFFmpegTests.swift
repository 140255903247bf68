import CustodyIngest
import CustodyTesting
import Foundation
import Testing

/// The reader against real files written by ffmpeg: every layout a camera or an export tool produces.
@Suite(
    .enabled(
        if: FFmpeg.isAvailable,
        "ffmpeg is not installed (looked in /usr/bin and on PATH); install it to run these tests")
)
struct MP4ReaderFFmpegTests {
    static let creationTime = Date(timeIntervalSince1970: 1_772_352_930)  // 2026-03-01T08:15:30Z
    static let clipSeconds = 3.4
    static let frameSeconds = 1.0 / 25

    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "custody-mp4")
    }

    /// Writes the test clip with `extraArguments` into `name` and returns its path.
    func clip(_ name: String, _ extraArguments: [String] = []) throws -> String {
        let path = directory.file(name).path
        try FFmpeg.run(FFmpeg.testInput + FFmpeg.testOutput + extraArguments, output: path)
        return path
    }

    func metadata(_ path: String) throws -> MP4Metadata {
        try #require(MP4Reader().probe(fileAtPath: path).metadata)
    }

    func expectFullClip(_ metadata: MP4Metadata, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(metadata.creationTime == Self.creationTime, sourceLocation: sourceLocation)
        let seconds = try #require(metadata.durationSeconds, sourceLocation: sourceLocation)
        #expect(
            abs(seconds - Self.clipSeconds) <= Self.frameSeconds, "duration \(seconds)", sourceLocation: sourceLocation)
    }

    /// The byte offsets of the top-level boxes of type `type`, found by a plain scan independent of the reader.
    func topLevelOffsets(of type: String, in path: String) throws -> [Int] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var offsets: [Int] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let size = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            if String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self) == type { offsets.append(offset) }
            guard size >= 8 else { break }
            offset += size
        }
        return offsets
    }

    @Test func movieAtEndGivesCreationTimeAndDuration() throws {
        let path = try clip("end.mp4")
        #expect(try topLevelOffsets(of: "moov", in: path)[0] > topLevelOffsets(of: "mdat", in: path)[0])
        let metadata = try metadata(path)
        #expect(metadata.kind == .finalized)
        #expect(metadata.majorBrand == "isom")
        #expect(!metadata.isFragmented && !metadata.isQuickTime)
        #expect(metadata.durationSource == .movieHeader)
        #expect(metadata.mediaDataBytes > 1000)
        try expectFullClip(metadata)
    }

    @Test func fastStartGivesCreationTimeAndDuration() throws {
        let path = try clip("fast.mp4", ["-movflags", "+faststart"])
        #expect(try topLevelOffsets(of: "moov", in: path)[0] < topLevelOffsets(of: "mdat", in: path)[0])
        let metadata = try metadata(path)
        #expect(metadata.kind == .finalized)
        try expectFullClip(metadata)
    }

    @Test(arguments: ["frag_keyframe+empty_moov", "frag_keyframe+empty_moov+default_base_moof"])
    func fragmentedWithEmptyMovieSumsFragments(flags: String) throws {
        let path = try clip("frag.mp4", ["-movflags", flags])
        let metadata = try metadata(path)
        #expect(metadata.kind == .finalized)
        #expect(metadata.isFragmented)
        #expect(metadata.fragmentCount == 4)  // a keyframe every 25 frames
        #expect(metadata.durationSource == .trackFragments)
        try expectFullClip(metadata)
    }

    @Test func fragmentedWithFirstFragmentInMovieBoxAddsItsSampleTable() throws {
        // Without empty_moov ffmpeg puts the first second in the moov's sample table and says 1 s in mvhd.
        let path = try clip("fragk.mp4", ["-movflags", "frag_keyframe"])
        let metadata = try metadata(path)
        #expect(metadata.isFragmented)
        #expect(metadata.fragmentCount == 3)
        #expect(metadata.durationSource == .trackFragments)
        try expectFullClip(metadata)
    }

    @Test func fragmentedWithAudioFirstTimesTheVideoTrack() throws {
        let path = directory.file("av.mp4").path
        try FFmpeg.run(
            FFmpeg.testInput + ["-f", "lavfi", "-i", "sine=duration=2", "-map", "1", "-map", "0"]
                + FFmpeg.testOutput + ["-movflags", "frag_keyframe+empty_moov"],
            output: path)
        let metadata = try metadata(path)
        #expect(metadata.durationSource == .trackFragments)
        try expectFullClip(metadata)
    }

    @Test func quickTimeMovieIsRead() throws {
        let metadata = try metadata(try clip("clip.mov"))
        #expect(metadata.majorBrand == "qt  ")
        #expect(metadata.isQuickTime)
        #expect(metadata.kind == .finalized)
        try expectFullClip(metadata)
    }

    @Test func quickTimeMovieWithoutFileTypeBoxIsRead() throws {
        let path = try clip("clip.mov")
        // Turn `ftyp` into `free`, as in QuickTime files older than the ftyp box.
        let ftyp = try #require(topLevelOffsets(of: "ftyp", in: path).first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.replaceSubrange(ftyp + 4..<ftyp + 8, with: Array("free".utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let metadata = try metadata(path)
        #expect(metadata.majorBrand == nil)
        #expect(metadata.isQuickTime)
        try expectFullClip(metadata)
    }

    func truncate(_ path: String, to fraction: Double) throws -> Int {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(Double(size) * fraction))
        try handle.close()
        return size
    }

    @Test func movieAtEndCutInMediaDataIsUnfinalized() throws {
        let path = try clip("cut.mp4")
        let fullSize = try truncate(path, to: 0.5)
        let metadata = try metadata(path)
        #expect(metadata.kind == .unfinalized)
        #expect(metadata.majorBrand == "isom")
        #expect(metadata.creationTime == nil && metadata.duration == nil)
        #expect(metadata.mediaDataBytes > UInt64(fullSize / 2 - 100) && metadata.mediaDataBytes < UInt64(fullSize / 2))
    }

    @Test func fastStartCutInMediaDataIsTruncatedButKeepsItsHeader() throws {
        let path = try clip("cutfast.mp4", ["-movflags", "+faststart"])
        _ = try truncate(path, to: 0.5)
        let metadata = try metadata(path)
        #expect(metadata.kind == .truncated)
        try expectFullClip(metadata)  // mvhd states the whole recording
    }

    @Test func fragmentedCutMidwayCountsOnlyCompleteFragments() throws {
        let path = try clip("cutfrag.mp4", ["-movflags", "frag_keyframe+empty_moov"])
        _ = try truncate(path, to: 0.6)
        let metadata = try metadata(path)
        #expect(metadata.kind == .truncated)
        #expect(metadata.creationTime == Self.creationTime)
        #expect(metadata.fragmentCount >= 1 && metadata.fragmentCount < 4)
        let seconds = try #require(metadata.durationSeconds)
        #expect(abs(seconds - Double(metadata.fragmentCount)) <= Self.frameSeconds)  // one second per fragment
    }
}
