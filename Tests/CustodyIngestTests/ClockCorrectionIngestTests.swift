import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

@testable import CustodyIngest

/// Clip times corrected by the recorder clock offset read at dock (issue 5 item 4): the `clip.ingested` entry's
/// `recordingStart`/`recordingEnd` are station times (recorder time − offset), `recorderTime` keeps the recorder's,
/// and the officer (Art 8), the deadline and lateness (Art 23), the index and the gaps (Art 19, 22) use the corrected
/// times.
@Suite struct ClockCorrectionIngestTests {
    /// A GA/T 947 clip named for 16:15:30 at +08:00, not MP4: by the recorder's clock it starts and ends at
    /// 08:15:30Z (`timeSource` fileName).
    static let name = "BWC0001_64000123_20261129161530_0001.MP4"
    static let rawEnd = RFC3339.parse("2026-11-29T08:15:30Z")!
    static let docked = ClockCorrection.Docked(
        index: 7, leaf: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")

    struct Case: Sendable, CustomTestStringConvertible {
        /// Recorder clock − station clock read at dock; nil: not read.
        var offset: Int?
        /// The ingest time, in seconds after the recorder's (raw) recording end.
        var ingestAfterRawEnd: Double
        var start: String
        var deadline: String
        var late: Bool
        /// Whether officer 64000123, assigned from 08:15:00Z, held the recorder at the (corrected) start.
        var held: Bool

        var testDescription: String { "offset \(offset.map(String.init) ?? "nil")" }
    }

    static let cases = [
        // 90 s ahead: raw end 23 h 59 min before the ingest, corrected end 24 h 1 min: late; recorded at 08:14:00Z,
        // before the assignment.
        Case(
            offset: 90, ingestAfterRawEnd: 24 * 3600 - 60, start: "2026-11-29T08:14:00Z",
            deadline: "2026-11-30T08:14:00Z", late: true, held: false),
        // An hour behind: raw end 24 h 30 min before the ingest (late by the recorder), corrected 23 h 30 min: on time.
        Case(
            offset: -3600, ingestAfterRawEnd: 24 * 3600 + 1800, start: "2026-11-29T09:15:30Z",
            deadline: "2026-11-30T09:15:30Z", late: false, held: true),
        // Not read: the recorder's times, as before.
        Case(
            offset: nil, ingestAfterRawEnd: 24 * 3600 - 60, start: "2026-11-29T08:15:30Z",
            deadline: "2026-11-30T08:15:30Z", late: false, held: true),
    ]

    @Test(arguments: cases)
    func clipTimesAreCorrectedByTheDockOffsetAndTheWindowAndOfficerFollowThem(_ c: Case) throws {
        let station = try IngestStation()
        station.configuration.upload.windowHours = 24
        try station.store.registerOfficer(Officer(certificate: "64000123", name: "张伟"), time: Date())
        _ = try station.store.append(
            .assignmentRecorded(
                serial: "BWC0001", certificate: "64000123", from: RFC3339.parse("2026-11-29T08:15:00Z")!, to: nil,
                time: Date()))
        try station.write(Self.name, Array("clip".utf8))
        let ingestTime = Self.rawEnd.addingTimeInterval(c.ingestAfterRawEnd)
        let clock = c.offset.map { ClockCorrection(offsetSeconds: $0, docked: Self.docked) }

        let summary = try station.service(now: { ingestTime })
            .ingest(station.source(), model: IngestStation.gaT947Model, clock: clock)

        #expect(summary.ingested.count == 1)
        let fields = try #require(try station.entries(.clipIngested).first?.entry.fields)
        #expect(fields["recordingStart"]?.stringValue == c.start)
        #expect(fields["recordingEnd"]?.stringValue == c.start)
        #expect(fields["timeSource"]?.stringValue == "fileName")
        #expect(fields["deadline"]?.stringValue == c.deadline)
        #expect(fields["late"]?.boolValue == c.late)
        #expect(fields["modified"] != nil)
        if let offset = c.offset {
            let expected: JSONValue = .object([
                "recordingStart": "2026-11-29T08:15:30Z", "recordingEnd": "2026-11-29T08:15:30Z",
                "clockOffsetSeconds": .int(Int64(offset)),
                "docked": .object(["index": 7, "leaf": .string(Self.docked.leaf)]),
            ])
            #expect(fields["recorderTime"] == expected)
        } else {
            #expect(fields["recorderTime"] == nil)
        }
        let held: JSONValue = .object(["certificate": "64000123", "name": "张伟"])
        #expect(fields["officer"] == (c.held ? held : .null))
        #expect(try station.anomalies("officerMismatch").count == (c.held ? 0 : 1))

        // The index, which every report, the late list, retention and gap detection read, holds the corrected times.
        let clip = try #require(try station.store.clips().first)
        #expect(RFC3339.format(clip.recordingStart) == c.start)
        #expect(RFC3339.format(clip.recordingEnd) == c.start)
        #expect(clip.late == c.late)
        #expect(try station.store.clips(lateOnly: true).count == (c.late ? 1 : 0))
        #expect(try station.store.timeline(serial: "BWC0001").map { RFC3339.format($0.start) } == [c.start])
        try station.expectAuditClean()
    }

    @Test(arguments: [(offset: 10_800, gap: false), (offset: nil, gap: true)] as [(offset: Int?, gap: Bool)])
    func aClipFromAClockAheadIsNotInTheFutureOnceCorrected(offset: Int?, gap: Bool) throws {
        let station = try IngestStation()
        try station.write(Self.name, Array("clip".utf8))
        // Ingested two hours before the recorder's time of the clip: in the future unless corrected (3 h ahead).
        let ingestTime = Self.rawEnd.addingTimeInterval(-2 * 3600)

        let summary = try station.service(now: { ingestTime })
            .ingest(
                station.source(), model: IngestStation.gaT947Model,
                clock: offset.map { ClockCorrection(offsetSeconds: $0) })

        #expect(summary.gapRegistrationError == nil)
        let fields = try #require(try station.entries(.clipIngested).first?.entry.fields)
        #expect(fields["recordingStart"]?.stringValue == (gap ? "2026-11-29T08:15:30Z" : "2026-11-29T05:15:30Z"))
        if gap {
            #expect(fields["recorderTime"] == nil)
        } else {
            #expect(fields["recorderTime"]?["clockOffsetSeconds"]?.intValue == 10_800)
            #expect(fields["recorderTime"]?["docked"] == .some(JSONValue.null))
        }
        let keys = try station.entries(.recordingGap).compactMap { $0.entry.fields["key"]?.stringValue }
        #expect(keys.filter { $0.hasPrefix("clockFuture:") }.count == (gap ? 1 : 0), "\(keys)")
        try station.expectAuditClean()
    }

    @Test func aZeroOffsetIsRecordedAndChangesNoTime() throws {
        let station = try IngestStation()
        try station.write(Self.name, Array("clip".utf8))

        _ = try station.service(now: { Self.rawEnd.addingTimeInterval(3600) })
            .ingest(
                station.source(), model: IngestStation.gaT947Model,
                clock: ClockCorrection(offsetSeconds: 0, docked: Self.docked))

        let fields = try #require(try station.entries(.clipIngested).first?.entry.fields)
        #expect(fields["recordingStart"]?.stringValue == "2026-11-29T08:15:30Z")
        #expect(fields["recorderTime"]?["recordingStart"]?.stringValue == "2026-11-29T08:15:30Z")
        #expect(fields["recorderTime"]?["clockOffsetSeconds"]?.intValue == 0)
        try station.expectAuditClean()
    }
}
