import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// The clip queries behind `GET /v1/clips/{sha256}`, case exports, officer-span links and the recorders page: each
/// filter is a condition on the `idx_clip` table, and each must select exactly the clips the old whole-table scans
/// selected.
@Suite struct ClipQueryTests {
    static let time = Date(timeIntervalSince1970: 1_795_939_200)

    /// Clips at `time`, +600 s and +1200 s on SN1 and one at +300 s on SN2 whose bytes equal SN1's first clip.
    static func store(in directory: TemporaryDirectory) throws -> (ManifestStore, [String]) {
        let store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        let officer = Officer(certificate: "64000123", name: "张伟")
        try store.append(try .officerRegistered(officer, time: time))
        var digests = [String]()
        let clips: [(serial: String, model: String, offset: Double, content: String)] = [
            ("SN1", "M1", 0, "clip 0"), ("SN1", "M1", 600, "clip 1"), ("SN1", "M1", 1200, "clip 2"),
            ("SN2", "M2", 300, "clip 0"),
        ]
        for (number, clip) in clips.enumerated() {
            let start = time.addingTimeInterval(clip.offset)
            let sha = SHA256Hash.of(Data(clip.content.utf8))
            try store.append(
                try .clipIngested(
                    ClipRecord(
                        recorder: RecorderIdentity(serial: clip.serial, model: clip.model),
                        path: RecorderPath("\(number).MP4")!, size: 10, modificationTime: start, sha256: sha,
                        recordingStart: start, recordingEnd: start.addingTimeInterval(60), timeSource: .mp4,
                        container: .mp4, durationMilliseconds: 60_000, officer: clip.serial == "SN1" ? officer : nil,
                        ingestTime: start.addingTimeInterval(3600), deadline: start, late: false),
                    verifiedBy: ["test"]))
            digests.append(sha.hex)
        }
        return (store, digests)
    }

    @Test func aDigestSelectsEveryRecordingOfThoseBytesAndNothingElse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, digests) = try Self.store(in: directory)
        #expect(try store.clips(sha256: digests[0]).map(\.serial) == ["SN2", "SN1"], "newest recording first")
        #expect(try store.clips(sha256: digests[2]).map(\.serial) == ["SN1"])
        #expect(try store.clips(sha256: String(repeating: "0", count: 64)).isEmpty)
    }

    @Test func aCaseSelectsItsLinkedClipsAndDropsUnlinkedOnes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, digests) = try Self.store(in: directory)
        _ = try store.linkClips([digests[1], digests[2]], toCase: "K-1", by: nil, time: Self.time)
        _ = try store.linkClips([digests[2]], toCase: "K-2", by: nil, time: Self.time)
        #expect(Set(try store.caseClips("K-1").map(\.sha256)) == [digests[1], digests[2]])
        _ = try store.unlinkClips([digests[1]], fromCase: "K-1", reason: "wrong case", by: nil, time: Self.time)
        #expect(try store.caseClips("K-1").map(\.sha256) == [digests[2]])
        #expect(try store.caseClips("K-2").map(\.sha256) == [digests[2]])
        #expect(try store.caseClips("K-3").isEmpty)
    }

    @Test func aSpanIncludesBothEndsAtWholeSecondsAndExcludesFractionsBeyondThem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, _) = try Self.store(in: directory)
        let starts = { (from: Double, to: Double) throws in
            try store.clips(serial: "SN1", recordedFrom: Self.time.addingTimeInterval(from), to: Self.time.addingTimeInterval(to))
                .map { $0.recordingStart.timeIntervalSince(Self.time) }
        }
        #expect(try starts(0, 600) == [600, 0], "both ends are inclusive")
        #expect(try starts(0.5, 1199.5) == [600], "0 is before 0.5 and 1200 after 1199.5")
        #expect(try starts(-10, 5000) == [1200, 600, 0])
        #expect(try starts(601, 1199).isEmpty)
        let linked = try store.linkClips(
            ofOfficer: "64000123", recordedFrom: Self.time.addingTimeInterval(1), to: Self.time.addingTimeInterval(1200),
            toCase: "K-9", by: nil, time: Self.time)
        #expect(linked.linkedClips == 2, "the officer's clips at +600 and +1200, not the one at 0 or SN2's")
    }

    @Test func recorderTotalsCountClipsAndTakeTheLatestIngest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, _) = try Self.store(in: directory)
        let totals = try store.recorderClipTotals().sorted { $0.serial < $1.serial }
        #expect(totals.map(\.serial) == ["SN1", "SN2"])
        #expect(totals.map(\.clips) == [3, 1])
        #expect(totals.map(\.model) == ["M1", "M2"])
        #expect(totals[0].lastIngest == Self.time.addingTimeInterval(1200 + 3600))
    }
}
