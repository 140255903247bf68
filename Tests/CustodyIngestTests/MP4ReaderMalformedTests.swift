import CustodyIngest
import Testing

/// The reader on files whose boxes lie about their sizes or exceed the limits: each ends in a specific error code.
struct MP4ReaderMalformedTests {
    typealias B = MP4BoxBuilder

    /// Probes `bytes` and returns the error code, recording an issue if the probe does not throw.
    func errorCode(
        _ bytes: [UInt8], limits: MP4Reader.Limits = .init(), sourceLocation: SourceLocation = #_sourceLocation
    ) -> MP4Error.Code? {
        do {
            let result = try MP4Reader(limits: limits).probe(InMemoryByteSource(bytes))
            Issue.record("expected an MP4Error, got \(result)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error.code
        }
    }

    func movie(_ children: [[UInt8]]) -> [UInt8] {
        B.ftyp("isom") + B.box("moov", children: children) + B.box("mdat", B.media(16))
    }

    let header = B.mvhd(creation: B.creation1904, timescale: 1000, duration: 3400)

    @Test func sizeSmallerThanHeaderIsRejected() {
        #expect(errorCode(B.ftyp("isom") + B.lyingBox("free", size: 4) + B.media(32)) == .sizeSmallerThanHeader)
        #expect(errorCode(movie([B.lyingBox("mvhd", size: 7, B.media(8))])) == .sizeSmallerThanHeader)
    }

    @Test func largeSizeSmallerThanItsHeaderIsRejected() {
        let bytes = B.ftyp("isom") + B.uint32(1) + Array("free".utf8) + B.uint64(12) + B.media(32)
        #expect(errorCode(bytes) == .sizeSmallerThanHeader)
    }

    @Test func childPastItsParentIsRejected() {
        let tooBig = B.lyingBox("mvhd", size: 200, Array(header.dropFirst(8)))
        #expect(errorCode(movie([tooBig])) == .boxExceedsParent)
    }

    @Test func childWithHugeLargeSizeIsRejected() {
        let huge = B.uint32(1) + Array("trak".utf8) + B.uint64(.max) + B.media(16)
        #expect(errorCode(movie([header, huge])) == .boxExceedsParent)
    }

    @Test func headerCutByItsParentIsRejected() {
        #expect(errorCode(movie([header, [1, 2, 3, 4, 5]])) == .boxExceedsParent)
    }

    @Test func fileTypePastEndOfFileIsRejected() {
        #expect(errorCode(B.lyingBox("ftyp", size: 5000, Array("isom".utf8) + B.uint32(0))) == .boxExceedsFile)
    }

    @Test func unknownBoxPastEndOfFileAfterMovieIsRejected() {
        #expect(errorCode(B.movieAtEnd() + B.lyingBox("junk", size: 0x7FFF_FFFF, B.media(8))) == .boxExceedsFile)
    }

    @Test func zeroSizeInsideAContainerIsRejected() {
        // Read naively, a size-0 child would never advance: this must end, with an error.
        #expect(errorCode(movie([header, B.zeroSizeBox("trak", B.media(8))])) == .zeroSizeNotAllowed)
        #expect(errorCode(movie([B.zeroSizeBox("free"), header])) == .zeroSizeNotAllowed)
    }

    @Test func nestingDeeperThanTheLimitIsRejected() {
        var nested = B.box("trak")
        for _ in 0..<16 { nested = B.box("trak", nested) }  // innermost trak at depth 17
        #expect(errorCode(movie([header, nested])) == .nestingTooDeep)
    }

    @Test func moreBoxesThanTheLimitAreRejected() {
        let bytes = B.ftyp("isom") + (0..<100).flatMap { _ in B.box("free") } + B.movieBox()
        #expect(errorCode(bytes, limits: .init(maxBoxCount: 50)) == .tooManyBoxes)
    }

    @Test func fileTypeLargerThanTheCapIsRejected() {
        let bytes = B.ftyp("isom", compatible: Array(repeating: "isom", count: 40)) + B.movieBox()
        #expect(errorCode(bytes, limits: .init(maxParsedBoxSize: 64)) == .boxTooLarge)
    }

    @Test func headersTooShortForTheirFieldsAreRejected() {
        #expect(errorCode(movie([B.fullBox("mvhd", B.media(8))])) == .malformedBox)
        #expect(errorCode(movie([B.fullBox("mvhd", version: 1, B.media(24))])) == .malformedBox)
        #expect(errorCode(B.box("ftyp", Array("isom".utf8)) + B.movieBox()) == .malformedBox)
    }

    @Test func unknownHeaderVersionIsRejected() {
        #expect(errorCode(movie([B.fullBox("mvhd", version: 2, B.media(40))])) == .malformedBox)
    }

    @Test func trackRunClaimingMoreSamplesThanItHoldsIsRejected() throws {
        var bytes = B.fragmentedMovie()
        let trun = try #require(bytes.indices.first { Array(bytes[$0..<$0 + 4]) == Array("trun".utf8) })
        bytes.replaceSubrange(trun + 8..<trun + 12, with: B.uint32(0xFFFF_FFFF))  // sample_count
        #expect(errorCode(bytes) == .malformedBox)
    }

    @Test func sampleDurationsOverflowingAreRejected() {
        let moov = B.box(
            "moov",
            children: [
                header,
                B.trak(
                    id: 1, timescale: 1000, duration: 0, timeToSample: [(0xFFFF_FFFF, 0xFFFF_FFFF), (3, 0xFFFF_FFFF)]),
                B.box("mvex", children: [B.trex(trackID: 1, defaultDuration: 1)]),
            ])
        #expect(errorCode(B.ftyp("iso5") + moov) == .malformedBox)
    }

    @Test func errorsCarryOffsetAndBoxType() throws {
        let bytes = movie([header, B.lyingBox("trak", size: 500)])
        let error = try #require(throws: MP4Error.self) { try MP4Reader().probe(InMemoryByteSource(bytes)) }
        #expect(error.code == .boxExceedsParent)
        #expect(error.boxType == "trak")
        #expect(error.offset == UInt64(B.ftyp("isom").count + 8 + header.count))
        #expect(error.description.contains("file name or modification time"))
    }
}
