import CustodyCore
import CustodyManifest
import Foundation
import Testing

/// What `HTTPTestStation.populateRegister()` put in the manifest, for the write routes' tests and for the contract
/// test's placeholders in docs/openapi.yaml (`x-test-request`): `{clip}` = clips[1], `{linkedClip}` = clips[0],
/// `{linkedCase}`, `{gap}` = ownGap, `{hold}`, `{officer}` and `{officer2}` = officers.
struct RegisterFixture {
    /// The SHA-256 of three clips of recorder `SN-HTTP-1`, recorded by officer 110001 (the officer token's).
    let clips: [String]
    /// A `recording.gap` registered under officer 110001, between clips 0 and 1.
    let ownGap: UInt64
    /// A `recording.gap` registered under officer 110002, between clips 1 and 2.
    let otherGap: UInt64
    /// The certificates of the registered officers 110001 (王伟) and 110002 (李娜).
    let officers: [String]
    /// A case to which clip 0 is linked.
    let linkedCase: String
    /// An open clip hold (`dispute`) on clip 2.
    let hold: UInt64
    /// An entry that is not a `recording.gap` (a note).
    let notAGap: UInt64 = 0

    /// `text` with the placeholders of docs/openapi.yaml's `x-test-request` replaced by this station's values.
    func fill(_ text: String) -> String {
        [
            ("{clip}", clips[1]), ("{linkedClip}", clips[0]), ("{linkedCase}", linkedCase), ("{gap}", "\(ownGap)"),
            ("{hold}", "\(hold)"), ("{officer}", officers[0]), ("{officer2}", officers[1]),
        ].reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}

extension HTTPTestStation {
    /// Appends two officers, three clips of one recorder, two gaps, a case link and an open hold after the station's
    /// notes, each made by the manifest's own entry factories, and signs a checkpoint.
    func populateRegister() throws -> RegisterFixture {
        let recorder = RecorderIdentity(serial: "SN-HTTP-1", model: "TEST")
        let wang = Officer(certificate: "110001", name: "王伟")
        let li = Officer(certificate: "110002", name: "李娜")
        _ = try store.append(contentsOf: [
            try .officerRegistered(wang, time: Self.base), try .officerRegistered(li, time: Self.base),
        ])
        let clips = try appendClips(3, recorder: recorder, officer: wang)
        let digests = try clips.map { try #require(try ManifestEntry(body: $0.body).fields["sha256"]?.stringValue) }
        func gap(_ number: Int, officer: Officer) throws -> StoredEntry {
            let start = Self.base.addingTimeInterval(Double(number) * 600 + 300)
            let detected = DetectedGap(
                kind: .shortResume, key: "test:\(number)", before: nil, after: nil, start: start,
                end: start.addingTimeInterval(60), evidence: "recording stopped for 60 s")
            return try store.append(
                try .recordingGap(
                    detected, recorder: recorder, officer: officer, before: clips[number], after: clips[number + 1],
                    time: Self.base.addingTimeInterval(3600)))
        }
        let ownGap = try gap(0, officer: wang)
        let otherGap = try gap(1, officer: li)
        _ = try store.linkClips([digests[0]], toCase: "CASE-LINKED", by: nil, time: Self.base)
        let hold = try store.placeHold(
            on: .clips([digests[2]]), reason: .dispute, note: nil, by: .officer(wang), time: Self.base)
        _ = try store.signCheckpoint(with: signer)
        return RegisterFixture(
            clips: digests, ownGap: ownGap.index, otherGap: otherGap.index,
            officers: [wang.certificate, li.certificate],
            linkedCase: "CASE-LINKED", hold: hold.index)
    }

    /// Appends `count` `clip.ingested` entries of `recorder`, recorded by `officer` ten minutes apart from `base`,
    /// each with its own bytes, and returns them.
    func appendClips(_ count: Int, recorder: RecorderIdentity, officer: Officer?) throws -> [StoredEntry] {
        try (0..<count).map { number in
            let start = Self.base.addingTimeInterval(Double(number) * 600)
            let record = ClipRecord(
                recorder: recorder, path: RecorderPath("DCIM/\(number).MP4")!, size: 1000, modificationTime: start,
                sha256: SHA256Hash.of(Data("\(recorder.serial) clip \(number)".utf8)), recordingStart: start,
                recordingEnd: start.addingTimeInterval(300), timeSource: .mp4, container: .mp4,
                durationMilliseconds: 300_000, sequence: number + 1, officer: officer,
                ingestTime: start.addingTimeInterval(3600), deadline: start.addingTimeInterval(86_400), late: false)
            return try store.append(try .clipIngested(record, verifiedBy: ["test"]))
        }
    }

    /// 2026-11-29T08:00:00Z, the fixture's first recording.
    static let base = Date(timeIntervalSince1970: 1_795_939_200)
}
