import CustodyCore
import CustodyManifest
import Foundation

/// A populated station for the admin pages: two officers (one with a Chinese name, one with a hostile name), two
/// recorders assigned to them, three clips (one late, one linked to a case and held), a gap and a signed checkpoint.
///
/// Times are relative to now so that the pages' default periods (the last 30 days) include them.
extension HTTPTestStation {
    /// The officer with a Chinese name, and their recorder.
    static let officerName = "王小明"
    static let officerCertificate = "110001"
    static let recorder = "REC0001"
    /// An officer whose name would run a script if a page did not escape it.
    static let hostileName = "<script>alert(\"custody\")</script>"
    static let hostileCertificate = "110002"
    static let hostileRecorder = "REC0002"
    /// The case the first clip is linked to.
    static let caseID = "CASE-2026-0042"
    /// The gap's evidence text.
    static let gapEvidence = "sequence 0007 then 0009: 0008 is missing"

    /// The digest of sample clip `n` (0, 1, 2).
    static func clipDigest(_ n: Int) -> String {
        SHA256Hash.of(Data("custody admin sample clip \(n)".utf8)).hex
    }

    /// The station with the population appended and a new checkpoint signed; returns the entry indexes of the
    /// clips, in order, and of the gap.
    @discardableResult
    func populate(now: Date = Date()) throws -> (clips: [UInt64], gap: UInt64) {
        let day: TimeInterval = 86_400
        let officer = Officer(certificate: Self.officerCertificate, name: Self.officerName)
        let hostile = Officer(certificate: Self.hostileCertificate, name: Self.hostileName)
        try store.registerOfficer(officer, time: now - 10 * day)
        try store.registerOfficer(hostile, time: now - 10 * day)
        _ = try store.append(
            .assignmentRecorded(
                serial: Self.recorder, certificate: officer.certificate, from: now - 10 * day, to: nil,
                time: now - 10 * day))
        _ = try store.append(
            .assignmentRecorded(
                serial: Self.hostileRecorder, certificate: hostile.certificate, from: now - 10 * day, to: nil,
                time: now - 10 * day))
        func clip(_ n: Int, serial: String, officer: Officer, start: Date, ingest: Date, sequence: Int) throws
            -> StoredEntry
        {
            let end = start + 600
            let deadline = end + day
            let record = ClipRecord(
                recorder: RecorderIdentity(serial: serial, model: "DSJ-T1"),
                path: RecorderPath("DCIM/100MEDIA/\(serial)_\(String(format: "%04d", sequence)).MP4")!,
                size: 52_428_800 + UInt64(n), modificationTime: end, sha256: SHA256Hash(hex: Self.clipDigest(n))!,
                recordingStart: start, recordingEnd: end, timeSource: .mp4, container: .mp4,
                durationMilliseconds: 600_000, sequence: sequence, officer: officer, ingestTime: ingest,
                deadline: deadline, late: ingest > deadline)
            return try store.append(.clipIngested(record, verifiedBy: ["sha256-reread"]))
        }
        let first = try clip(
            0, serial: Self.recorder, officer: officer, start: now - 2 * day, ingest: now - 2 * day + 3600, sequence: 7)
        let second = try clip(
            1, serial: Self.recorder, officer: officer, start: now - 2 * day + 1200, ingest: now - 3600,
            sequence: 9)
        let third = try clip(
            2, serial: Self.hostileRecorder, officer: hostile, start: now - 5 * day, ingest: now - 5 * day + 3600,
            sequence: 1)
        let gap = try store.append(
            .recordingGap(
                DetectedGap(
                    kind: .missingSequence, key: "missingSequence:8", before: nil, after: nil,
                    start: now - 2 * day + 600,
                    end: now - 2 * day + 1200, evidence: Self.gapEvidence),
                recorder: RecorderIdentity(serial: Self.recorder, model: "DSJ-T1"), officer: officer, before: first,
                after: second, time: now - 1 * day))
        _ = try store.append(
            .caseLinked(
                caseID: Self.caseID, clips: [(first, Self.clipDigest(0))], selection: "sha256", time: now - 1 * day))
        _ = try store.append(
            .holdPlaced(
                caseID: nil, clips: [(first, Self.clipDigest(0))], reason: .dispute, note: nil, by: nil,
                time: now - 1 * day))
        _ = try store.signCheckpoint(with: signer)
        return ([first.index, second.index, third.index], gap.index)
    }
}
