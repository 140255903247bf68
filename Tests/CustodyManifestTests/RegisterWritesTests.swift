import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// The register writes shared by the CLI and HTTP (Sources/CustodyManifest/Register): who asked is recorded, a
/// repeated link appends nothing, and the refusals say what to do (Art 18, 21, 22, 26).
@Suite struct RegisterWritesTests {
    static let time = Date(timeIntervalSince1970: 1_795_939_200)

    /// A store with officer 64000123 and two clips of recorder SN1 recorded by that officer; returns the digests.
    static func store(in directory: TemporaryDirectory) throws -> (ManifestStore, [String]) {
        let store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        let officer = Officer(certificate: "64000123", name: "张伟")
        try store.append(try .officerRegistered(officer, time: time))
        var digests = [String]()
        for number in 0..<2 {
            let start = time.addingTimeInterval(Double(number) * 600)
            let sha = SHA256Hash.of(Data("clip \(number)".utf8))
            try store.append(
                try .clipIngested(
                    ClipRecord(
                        recorder: RecorderIdentity(serial: "SN1", model: "M"), path: RecorderPath("\(number).MP4")!,
                        size: 10, modificationTime: start, sha256: sha, recordingStart: start,
                        recordingEnd: start.addingTimeInterval(60), timeSource: .mp4, container: .mp4,
                        durationMilliseconds: 60_000, officer: officer, ingestTime: start, deadline: start, late: false),
                    verifiedBy: ["test"]))
            digests.append(sha.hex)
        }
        return (store, digests)
    }

    @Test func aTokenIsRecordedByNameAndRoleAndAnOfficerByCertificateAndName() {
        #expect(
            Requester.token(name: "case-system", role: .caseSystem).entryValue == [
                "role": "caseSystem", "token": "case-system",
            ])
        #expect(
            Requester.token(name: "wang", role: .officer, officer: "110001").entryValue
                == ["officer": "110001", "role": "officer", "token": "wang"])
        #expect(
            Requester.officer(Officer(certificate: "64000123", name: "张伟")).entryValue
                == ["certificate": "64000123", "name": "张伟"])
    }

    @Test func aLinkRecordsWhoAskedAndASecondLinkOfTheSameClipsAppendsNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, digests) = try Self.store(in: directory)
        let first = try store.linkClips(
            digests + [digests[0]], toCase: "K-1", by: .token(name: "cs", role: .caseSystem), time: Self.time)
        #expect(first.linkedClips == 2 && first.entries.count == 1)
        let entry = try ManifestEntry(body: try #require(first.entries.first).body)
        #expect(entry.fields["by"] == ["role": "caseSystem", "token": "cs"])
        #expect(entry.fields["clips"]?.arrayValue?.count == 2, "a digest named twice is linked once")
        let size = try store.size()
        let again = try store.linkClips([digests[1]], toCase: "K-1", by: nil, time: Self.time)
        #expect(again.linkedClips == 0 && again.entries.isEmpty)
        #expect(try store.size() == size)
    }

    @Test func theCLIFormsLeaveByOutOfLinksAndExplanations() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, digests) = try Self.store(in: directory)
        let link = try store.linkClips([digests[0]], toCase: "K-2", by: nil, time: Self.time)
        #expect(try ManifestEntry(body: try #require(link.entries.first).body).fields["by"] == nil)
    }

    @Test func refusalsAreInvalidRequestsThatSayWhatToDo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, digests) = try Self.store(in: directory)
        let size = try store.size()
        let attempts: [(String, () throws(ManifestError) -> Void)] = [
            (
                "case ID must be 1 to 128 bytes",
                { () throws(ManifestError) in _ = try store.linkClips(digests, toCase: "", by: nil, time: Self.time) }
            ),
            (
                "not a SHA-256",
                { () throws(ManifestError) in _ = try store.linkClips(["XYZ"], toCase: "K", by: nil, time: Self.time) }
            ),
            (
                "none of those clips is linked",
                { () throws(ManifestError) in
                    _ = try store.unlinkClips(digests, fromCase: "K", reason: "r", by: nil, time: Self.time)
                }
            ),
            (
                "give a reason",
                { () throws(ManifestError) in
                    _ = try store.releaseHolds(.caseID("K"), reason: "  ", by: nil, time: Self.time)
                }
            ),
            (
                "no open hold matches",
                { () throws(ManifestError) in
                    _ = try store.releaseHolds(.hold(0), reason: "r", by: nil, time: Self.time)
                }
            ),
            (
                "not a recording.gap",
                { () throws(ManifestError) in
                    _ = try store.explainGap(at: 0, .spoken(clipSHA256: digests[0]), by: nil, time: Self.time)
                }
            ),
            (
                "dispute, obstruction, emergency, sensitive",
                { () throws(ManifestError) in _ = try ManifestStore.holdReason("boredom") }
            ),
        ]
        for (message, attempt) in attempts {
            do throws(ManifestError) {
                try attempt()
                Issue.record("\(message): not refused")
            } catch {
                #expect(error.code == .invalidRequest && error.message.contains(message), "\(error.message)")
            }
        }
        #expect(try store.size() == size)
    }
}
