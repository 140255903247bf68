import CustodyIngest
import CustodyTesting
import Testing

/// The box walker against 100,000 random and mutated files: it must always return or throw an
/// ``MP4Error``, never trap, loop or read more than the cap at once.
struct MP4ReaderFuzzTests {
    typealias B = MP4BoxBuilder

    static let caseCount = 100_000
    static let readCap = 4096

    /// Valid small files covering each layout the reader knows.
    static let seeds: [[UInt8]] = [
        B.movieAtEnd(),
        B.movieAtStart(),
        B.quickTimeWithoutFileType(),
        B.fragmentedMovie(),
        B.fragmentedMovie(movieExtendsDuration: 3400),
        B.ftyp("isom") + B.largeBox("mdat", B.media(40))
            + B.largeBox("moov", Array(B.movieBox(version: 1).dropFirst(8))),
        B.ftyp("qt  ") + B.movieBox() + B.zeroSizeBox("mdat", B.media(40)),
        B.ftyp("isom") + B.box("free") + B.zeroSizeBox("mdat", B.media(100)),
    ]

    static let knownTypes: Set<String> = [
        "ftyp", "moov", "mdat", "free", "wide", "mvhd", "trak", "tkhd", "mdia", "mdhd", "hdlr", "minf", "stbl",
        "stts", "mvex", "mehd", "trex", "moof", "mfhd", "traf", "tfhd", "trun",
    ]

    /// Offsets of every box header in `bytes`, found by type name so mutations can hit size fields.
    static func headerOffsets(_ bytes: [UInt8]) -> [Int] {
        (0..<max(0, bytes.count - 7)).filter {
            knownTypes.contains(String(decoding: bytes[$0 + 4..<$0 + 8], as: UTF8.self))
        }
    }

    static let extremeSizes: [UInt32] = [0, 1, 2, 7, 8, 9, 16, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]
    static let extremeLargeSizes: [UInt64] = [0, 1, 8, 15, 16, 17, 1 << 32, 1 << 62, 1 << 63, .max - 7, .max]

    static func overwrite(_ bytes: inout [UInt8], at offset: Int, with value: [UInt8]) {
        for (index, byte) in value.enumerated() where offset + index < bytes.count {
            bytes[offset + index] = byte
        }
    }

    static func mutate(_ seed: [UInt8], headers: [Int], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = seed
        let operation = Int.random(in: 0..<9, using: &random)
        func anyHeader() -> Int { headers.randomElement(using: &random) ?? 0 }
        func flipBits() {
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            }
        }
        func overwriteSizes() {
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let offset = anyHeader()
                let size =
                    Bool.random(using: &random)
                    ? extremeSizes.randomElement(using: &random) ?? 0
                    : UInt32(truncatingIfNeeded: bytes.count - offset + Int.random(in: -12...12, using: &random))
                overwrite(&bytes, at: offset, with: B.uint32(size))
            }
        }
        func truncate() {
            bytes.removeLast(Int.random(in: 0...bytes.count, using: &random))
        }
        switch operation {
        case 0:  // random bytes
            bytes = (0..<Int.random(in: 0...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 1:  // a valid opening, then random bytes
            bytes =
                Array(seed.prefix(Int.random(in: 8...40, using: &random)))
                + (0..<Int.random(in: 0...256, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 2:
            flipBits()
        case 3:
            overwriteSizes()
        case 4:  // a 64-bit largesize with an extreme value
            let offset = anyHeader()
            overwrite(&bytes, at: offset, with: B.uint32(1))
            let large =
                Bool.random(using: &random)
                ? extremeLargeSizes.randomElement(using: &random) ?? 0 : UInt64.random(in: 0...4096, using: &random)
            overwrite(&bytes, at: offset + 8, with: B.uint64(large))
        case 5:
            truncate()
        case 6:  // counts and versions: overwrite fields just after a header
            let offset = anyHeader() + 8 + 4 * Int.random(in: 0...3, using: &random)
            let value = Bool.random(using: &random) ? UInt32.max : UInt32.random(in: 0...UInt32.max, using: &random)
            overwrite(&bytes, at: offset, with: B.uint32(value))
        case 7:  // splice: delete or duplicate a range
            let start = Int.random(in: 0..<bytes.count, using: &random)
            let end = Int.random(in: start...bytes.count, using: &random)
            if Bool.random(using: &random) {
                bytes.removeSubrange(start..<end)
            } else {
                bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &random))
            }
        default:
            overwriteSizes()
            flipBits()
            truncate()
        }
        return bytes
    }

    /// A source that fails once a probe has made more reads than a walk that makes progress can need,
    /// so a walker stuck in a loop fails the test instead of hanging it.
    struct BudgetedSource: ByteSource {
        struct BudgetExceeded: Error {}
        let inner: InMemoryByteSource
        let budget: Int
        var size: UInt64 { inner.size }

        func read(at offset: UInt64, count: Int) throws -> [UInt8] {
            guard inner.readRequestCount < budget else { throw BudgetExceeded() }
            return try inner.read(at: offset, count: count)
        }
    }

    @Test func randomAndMutatedFilesEndInMetadataOrMP4ErrorWithBoundedReads() {
        let headers = Self.seeds.map(Self.headerOffsets)
        let reader = MP4Reader(limits: .init(maxParsedBoxSize: Self.readCap))
        var random = SeededGenerator(seed: 0x5EED_C057_0D1E)
        var outcomes: [String: Int] = [:]
        var failures = 0

        for testCase in 0..<Self.caseCount {
            let seedIndex = Int.random(in: 0..<Self.seeds.count, using: &random)
            let bytes = Self.mutate(Self.seeds[seedIndex], headers: headers[seedIndex], using: &random)
            let source = InMemoryByteSource(bytes)
            // Box headers occupy disjoint bytes, so a walk that makes progress reads fewer times than there are bytes.
            let budgeted = BudgetedSource(inner: source, budget: bytes.count + 16)
            // `probe` throws only MP4Error (typed throws): reaching the next line means no trap.
            let outcome: String
            do {
                switch try reader.probe(budgeted) {
                case .notMP4:
                    outcome = "notMP4"
                case .mp4(let metadata):
                    outcome = metadata.kind.rawValue
                    if metadata.mediaDataBytes > UInt64(bytes.count) || !(metadata.durationSeconds ?? 0).isFinite {
                        Issue.record("case \(testCase): implausible metadata \(metadata)")
                        failures += 1
                    }
                }
            } catch {
                outcome = error.code.rawValue
            }
            outcomes[outcome, default: 0] += 1
            if source.largestReadRequested > Self.readCap {
                Issue.record("case \(testCase): a read of \(source.largestReadRequested) bytes exceeds the cap")
                failures += 1
            }
            if outcome == MP4Error.Code.io.rawValue {
                Issue.record("case \(testCase): more than \(bytes.count + 16) reads of a \(bytes.count)-byte file")
                failures += 1
            }
            if failures > 10 { break }
        }

        // The mutations must reach every outcome, or the test exercises less than it claims.
        for expected in [
            "finalized", "truncated", "unfinalized", "notMP4", "sizeSmallerThanHeader",
            "boxExceedsParent", "boxExceedsFile", "zeroSizeNotAllowed", "malformedBox",
        ] {
            #expect(outcomes[expected, default: 0] > 0, "no case ended in \(expected): \(outcomes)")
        }
        #expect(outcomes.values.reduce(0, +) == Self.caseCount)
    }
}
