import CustodyIngest
import CustodyTesting
import Foundation
import Testing

/// The reader on hand-built files: each layout ISO/IEC 14496-12 and QuickTime allow, built byte by byte.
struct MP4ReaderStructureTests {
    typealias B = MP4BoxBuilder

    func probe(_ bytes: [UInt8], limits: MP4Reader.Limits = .init()) throws -> MP4Probe {
        try MP4Reader(limits: limits).probe(InMemoryByteSource(bytes))
    }

    func metadata(_ bytes: [UInt8]) throws -> MP4Metadata {
        try #require(try probe(bytes).metadata)
    }

    @Test func versionZeroMovieHeaderGivesUnixCreationTimeAndDuration() throws {
        let metadata = try metadata(B.movieAtEnd())
        #expect(metadata.kind == .finalized)
        #expect(metadata.creationTime == Date(timeIntervalSince1970: B.creationUnix))
        #expect(metadata.duration == MP4Duration(value: 3400, timescale: 1000))
        #expect(metadata.durationSource == .movieHeader)
        #expect(metadata.majorBrand == "isom")
        #expect(metadata.compatibleBrands == ["isom", "iso2", "avc1", "mp41"])
        #expect(metadata.mediaDataBytes == 64)
    }

    @Test func versionOneMovieHeaderReads64BitTimesAndDuration() throws {
        // 2100-01-01T00:00:00Z does not fit the 32-bit 1904 epoch; a duration of 2^33 ticks does not fit 32 bits.
        let creation: UInt64 = 4_102_444_800 + 2_082_844_800
        let bytes =
            B.ftyp("isom")
            + B.box(
                "moov",
                children: [
                    B.mvhd(
                        version: 1, creation: creation, modification: creation + 60,
                        timescale: 90_000, duration: 1 << 33)
                ])
        let metadata = try metadata(bytes)
        #expect(metadata.creationTime == Date(timeIntervalSince1970: 4_102_444_800))
        #expect(metadata.modificationTime == Date(timeIntervalSince1970: 4_102_444_860))
        #expect(metadata.duration == MP4Duration(value: 1 << 33, timescale: 90_000))
    }

    @Test func zeroCreationTimeIsNil() throws {
        let bytes = B.ftyp("isom") + B.box("moov", children: [B.mvhd(creation: 0, timescale: 1000, duration: 10)])
        let metadata = try metadata(bytes)
        #expect(metadata.creationTime == nil)
        #expect(metadata.duration?.seconds == 0.01)
    }

    @Test func unknownMovieDurationFallsBackToTheVideoMediaHeader() throws {
        let bytes =
            B.ftyp("isom")
            + B.box(
                "moov",
                children: [
                    B.mvhd(creation: B.creation1904, timescale: 1000, duration: 0xFFFF_FFFF),
                    B.trak(id: 1, handler: "soun", timescale: 48000, duration: 48000),
                    B.trak(id: 2, timescale: 12800, duration: 43520),
                ])
        let metadata = try metadata(bytes)
        #expect(metadata.duration == MP4Duration(value: 43520, timescale: 12800))
        #expect(metadata.durationSource == .mediaHeader)
    }

    @Test func largeSizeBoxesAreFollowed() throws {
        let bytes =
            B.ftyp("isom") + B.largeBox("mdat", B.media(100)) + B.largeBox("moov", Array(B.movieBox().dropFirst(8)))
        let metadata = try metadata(bytes)
        #expect(metadata.kind == .finalized)
        #expect(metadata.mediaDataBytes == 100)
        #expect(metadata.duration?.seconds == 3.4)
    }

    @Test func zeroSizeLastBoxExtendsToEndOfFile() throws {
        let metadata = try metadata(B.ftyp("isom") + B.movieBox() + B.zeroSizeBox("mdat", B.media(500)))
        #expect(metadata.kind == .finalized)
        #expect(metadata.mediaDataBytes == 500)
        #expect(metadata.creationTime == Date(timeIntervalSince1970: B.creationUnix))
    }

    @Test func zeroSizeMediaDataWithoutMovieIsUnfinalized() throws {
        let metadata = try metadata(B.ftyp("isom") + B.box("free") + B.zeroSizeBox("mdat", B.media(500)))
        #expect(metadata.kind == .unfinalized)
        #expect(metadata.majorBrand == "isom")
        #expect(metadata.mediaDataBytes == 500)
        #expect(metadata.creationTime == nil && metadata.duration == nil)
    }

    @Test func mediaDataRunningPastEndWithoutMovieIsUnfinalized() throws {
        let bytes = B.ftyp("isom") + B.lyingBox("mdat", size: 1_000_000, B.media(300))
        let metadata = try metadata(bytes)
        #expect(metadata.kind == .unfinalized)
        #expect(metadata.mediaDataBytes == 300)
    }

    @Test func placeholderSizedMediaDataFollowedByMediaIsUnfinalized() throws {
        // A camera that writes `mdat` with size 8 and fills it in at the end, cut before the end:
        // the media after the header is not boxes.
        let media: [UInt8] = [0x00, 0x00, 0x0A, 0x2B, 0x65, 0x88, 0x84, 0x00] + B.media(200)
        let metadata = try metadata(B.ftyp("isom") + B.box("mdat") + media)
        #expect(metadata.kind == .unfinalized)
    }

    @Test func movieBoxCutByEndOfFileIsUnfinalized() throws {
        let bytes = B.movieAtEnd()
        let metadata = try metadata(Array(bytes.dropLast(40)))
        #expect(metadata.kind == .unfinalized)
        #expect(metadata.mediaDataBytes == 64)
    }

    @Test func headerOfMovieCutByEndOfFileIsUnfinalized() throws {
        let bytes = B.ftyp("isom") + B.box("mdat", B.media(64)) + B.uint32(0x1000) + Array("mo".utf8)
        #expect(try metadata(bytes).kind == .unfinalized)
    }

    @Test func zeroPaddingAfterTheLastBoxIsIgnored() throws {
        #expect(try metadata(B.movieAtStart() + [0, 0, 0, 0, 0]).kind == .finalized)
        #expect(try metadata(B.movieAtStart() + [UInt8](repeating: 0, count: 300)).kind == .finalized)
        #expect(try metadata(B.movieAtStart() + [0, 0, 0, 9]).kind == .truncated)
    }

    @Test func mediaDataCutAfterMovieIsTruncated() throws {
        let bytes = B.movieAtStart(mediaBytes: 400)
        let metadata = try metadata(Array(bytes.dropLast(100)))
        #expect(metadata.kind == .truncated)
        #expect(metadata.mediaDataBytes == 300)
        #expect(metadata.duration?.seconds == 3.4)
    }

    @Test func quickTimeWithoutFileTypeIsRead() throws {
        let metadata = try metadata(B.quickTimeWithoutFileType())
        #expect(metadata.majorBrand == nil)
        #expect(metadata.isQuickTime)
        #expect(metadata.kind == .finalized)
        #expect(metadata.duration?.seconds == 3.4)
    }

    @Test(arguments: ["moov", "mdat", "free", "skip", "wide"])
    func quickTimeMayStartWith(type: String) throws {
        let first = type == "moov" ? B.movieBox() : B.box(type, B.media(16))
        let rest = type == "moov" ? B.box("mdat", B.media(16)) : B.movieBox()
        let metadata = try metadata(first + rest)
        #expect(metadata.kind == .finalized)
        #expect(metadata.creationTime == Date(timeIntervalSince1970: B.creationUnix))
    }

    @Test func quickTimeZeroTerminatorInsideAContainerIsAccepted() throws {
        let movie = B.box("moov", Array(B.movieBox().dropFirst(8)) + [0, 0, 0, 0])
        #expect(try metadata(B.ftyp("qt  ") + movie).duration?.seconds == 3.4)
    }

    @Test func uuidBoxesAreSkipped() throws {
        let uuid = B.uint32(8 + 16 + 10) + Array("uuid".utf8) + [UInt8](repeating: 0xAB, count: 16) + B.media(10)
        let metadata = try metadata(B.ftyp("isom") + uuid + B.movieBox() + B.box("mdat", B.media(8)))
        #expect(metadata.kind == .finalized)
        #expect(metadata.mediaDataBytes == 8)
    }

    @Test func fragmentedMovieSumsTheVideoTrackWithFragmentAndTrackDefaults() throws {
        let metadata = try metadata(B.fragmentedMovie())
        #expect(metadata.isFragmented)
        #expect(metadata.fragmentCount == 2)
        #expect(metadata.duration == MP4Duration(value: 43520, timescale: 12800))
        #expect(metadata.durationSource == .trackFragments)
        #expect(metadata.mediaDataBytes == 64)
    }

    @Test func fragmentedMovieUsesMovieExtendsHeaderWhenPresent() throws {
        let metadata = try metadata(B.fragmentedMovie(movieExtendsDuration: 3500))
        #expect(metadata.duration == MP4Duration(value: 3500, timescale: 1000))
        #expect(metadata.durationSource == .movieExtendsHeader)
    }

    @Test func truncatedFragmentedMovieIgnoresMovieExtendsHeaderAndCountsCompleteFragments() throws {
        let bytes = B.fragmentedMovie(movieExtendsDuration: 3500, mediaBytes: 32)
        // Cut inside the second moof: only the first fragment (25 video samples of 512) is complete.
        let secondMoof = try #require(
            bytes.indices.last { Array(bytes[$0..<min($0 + 4, bytes.count)]) == Array("moof".utf8) })
        let metadata = try metadata(Array(bytes[..<(secondMoof + 20)]))
        #expect(metadata.kind == .truncated)
        #expect(metadata.fragmentCount == 1)
        #expect(metadata.duration == MP4Duration(value: 12800, timescale: 12800))
        #expect(metadata.durationSource == .trackFragments)
    }

    @Test func notMP4InputsAreReportedAsSuch() throws {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF\0".utf8) + B.media(100)
        let wav = Array("RIFF".utf8) + B.uint32(0x2400_0000) + Array("WAVEfmt ".utf8) + B.media(100)
        var generator = SeededGenerator(seed: 7)
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let heif =
            B.ftyp("heic", compatible: ["mif1", "heic"]) + B.box("meta", B.media(40)) + B.box("mdat", B.media(40))
        for bytes in [jpeg, wav, noise, [], Array("ftyp".utf8), heif] {
            #expect(try probe(bytes) == .notMP4)
        }
    }

    @Test func readsNeverExceedTheCapWhateverSizesAreDeclared() throws {
        // mdat claims 2^62 bytes, a trun claims a table it does not have.
        let hugeMediaData = B.uint32(1) + Array("mdat".utf8) + B.uint64(1 << 62) + B.media(1000)
        let source = InMemoryByteSource(B.movieAtStart() + hugeMediaData)
        let metadata = try #require(try MP4Reader(limits: .init(maxParsedBoxSize: 256)).probe(source).metadata)
        #expect(metadata.kind == .truncated)
        #expect(source.largestReadRequested <= 256)

        let fragmented = InMemoryByteSource(B.fragmentedMovie())
        _ = try MP4Reader(limits: .init(maxParsedBoxSize: 64)).probe(fragmented)
        #expect(fragmented.largestReadRequested <= 64)
        #expect(fragmented.readRequestCount > 0)
    }

    @Test func boxesUpToTheDepthLimitAreAccepted() throws {
        var nested = B.box("trak")
        for _ in 0..<15 { nested = B.box("trak", nested) }  // innermost trak at depth 16
        let bytes = B.ftyp("isom") + B.box("moov", children: [B.mvhd(creation: 1, timescale: 1, duration: 1), nested])
        #expect(try metadata(bytes).kind == .finalized)
    }
}
