import CustodyCore
import Foundation
import Testing

/// Each gap rule of docs/gaps.md finds its gap, of its kind, and nothing else (Art 19, Art 22).
@Suite struct GapDetectorTests {
    static let base = Date(timeIntervalSince1970: 1_796_025_600)  // 2026-11-30T08:00:00Z

    /// A detector for a model with 60-second segments, 5 s tolerance, a 120 s resume window.
    func detector(segments: Bool = true) -> GapDetector {
        var model = RecorderModel(name: "TEST")
        model.segmentMinutes = segments ? 1 : nil
        return GapDetector(model: model, upload: UploadConfiguration())
    }

    /// A recording of `seconds` starting `offset` seconds after the base, with a sequence number.
    func clip(
        _ entry: UInt64, at offset: Double, seconds: Double, sequence: Int? = nil,
        container: ClipRecord.Container = .mp4, ingestedAt: Double = 36_000
    ) -> TimelineClip {
        TimelineClip(
            entryIndex: entry, sha256: String(repeating: "0", count: 63) + String(entry % 10),
            start: Self.base.addingTimeInterval(offset), end: Self.base.addingTimeInterval(offset + seconds),
            durationMilliseconds: Int64(seconds * 1000), sequence: sequence, container: container,
            ingestTime: Self.base.addingTimeInterval(ingestedAt), officer: "64000123")
    }

    @Test func continuousSegmentChainHasNoGap() {
        let clips = (0..<5).map { clip(UInt64($0), at: Double($0) * 60 + 1, seconds: 60, sequence: $0 + 1) }
        #expect(detector().gaps(in: clips).isEmpty)
    }

    @Test func chainWithOneSegmentMissingIsOneBrokenChainNamingTheMissingNumber() {
        let clips = [
            clip(0, at: 0, seconds: 60, sequence: 1), clip(1, at: 60, seconds: 60, sequence: 2),
            clip(2, at: 180, seconds: 60, sequence: 4),
        ]
        let gaps = detector().gaps(in: clips)
        #expect(gaps.map(\.kind) == [.brokenChain])
        #expect(gaps.first?.before?.entryIndex == 1 && gaps.first?.after?.entryIndex == 2)
        #expect(gaps.first?.evidence.contains("file number 3 is missing") == true)
        #expect(gaps.first?.start == Self.base.addingTimeInterval(120))
        #expect(gaps.first?.end == Self.base.addingTimeInterval(180))
    }

    @Test func skippedSequenceNumberIsMissingSequence() {
        let clips = [
            clip(0, at: 0, seconds: 20, sequence: 7), clip(1, at: 3600, seconds: 20, sequence: 9),
        ]
        let gaps = detector(segments: false).gaps(in: clips)
        #expect(gaps.map(\.kind) == [.missingSequence])
        #expect(gaps.first?.evidence == "file number 8 is missing between 7 and 9")
    }

    @Test func unfinalizedRecordingIsAGap() {
        let gaps = detector().gaps(in: [clip(0, at: 0, seconds: 0, container: .unfinalized)])
        #expect(gaps.map(\.kind) == [.unfinalized])
    }

    @Test func twoIncidentsAnHourApartAreNotAGap() {
        let clips = [clip(0, at: 0, seconds: 20, sequence: 1), clip(1, at: 3620, seconds: 45, sequence: 2)]
        #expect(detector().gaps(in: clips).isEmpty)
        #expect(detector(segments: false).gaps(in: clips).isEmpty)
    }

    @Test func stopAndRestartWithinTheResumeWindowIsShortResume() {
        let clips = [clip(0, at: 0, seconds: 20, sequence: 1), clip(1, at: 50, seconds: 20, sequence: 2)]
        let gaps = detector().gaps(in: clips)
        #expect(gaps.map(\.kind) == [.shortResume])
        #expect(gaps.first?.evidence.contains("30 s later") == true)
        // Just outside the window: a separate incident.
        let apart = [clip(0, at: 0, seconds: 20, sequence: 1), clip(1, at: 141, seconds: 20, sequence: 2)]
        #expect(detector().gaps(in: apart).isEmpty)
    }

    @Test func backToBackFilesOfAnUnsegmentedModelAreOneRecording() {
        let clips = [clip(0, at: 0, seconds: 20, sequence: 1), clip(1, at: 22, seconds: 20, sequence: 2)]
        #expect(detector(segments: false).gaps(in: clips).isEmpty)
        // With a configured segment length, a short file followed at once is a stop and restart.
        #expect(detector(segments: true).gaps(in: clips).map(\.kind) == [.shortResume])
    }

    @Test func clockRunningAheadIsAClockAnomalyPerClip() {
        // Ingested at base+1h, but the clips claim to start two hours after that.
        let clips = [
            clip(0, at: 3 * 3600, seconds: 20, sequence: 1, ingestedAt: 3600),
            clip(1, at: 3 * 3600 + 3600, seconds: 20, sequence: 2, ingestedAt: 3600),
        ]
        let gaps = detector().gaps(in: clips)
        #expect(gaps.map(\.kind) == [.clockAnomaly, .clockAnomaly])
        #expect(Set(gaps.map(\.key)) == ["clockFuture:0", "clockFuture:1"])
    }

    @Test func overlappingOrBackwardsRecordingsAreClockAnomalies() {
        let overlap = [clip(0, at: 0, seconds: 60, sequence: 1), clip(1, at: 30, seconds: 20, sequence: 2)]
        #expect(detector(segments: false).gaps(in: overlap).map(\.kind) == [.clockAnomaly])
        let backwards = [clip(0, at: 3600, seconds: 10, sequence: 1), clip(1, at: 0, seconds: 10, sequence: 2)]
        #expect(detector(segments: false).gaps(in: backwards).map(\.kind) == [.clockAnomaly])
    }

    @Test func stillsMakeNoTimeGapsButCountInSequences() {
        let clips = [
            clip(0, at: 0, seconds: 20, sequence: 1), clip(1, at: 30, seconds: 0, sequence: 2, container: .other),
            clip(2, at: 3600, seconds: 20, sequence: 3),
        ]
        #expect(detector().gaps(in: clips).isEmpty)
    }

    @Test func detectionIsDeterministicAndKeysAreStable() {
        let clips = [
            clip(0, at: 0, seconds: 60, sequence: 1), clip(1, at: 200, seconds: 20, sequence: 4),
            clip(2, at: 240, seconds: 0, container: .unfinalized),
        ]
        let first = detector().gaps(in: clips)
        #expect(first == detector().gaps(in: clips.reversed()))
        #expect(Set(first.map(\.key)).count == first.count)
    }
}

/// The Art 22 rules for explanations.
@Suite struct GapExplanationTests {
    let registered: Set<String> = ["64000123", "64000456"]

    @Test func writtenNeedsTwoDistinctRegisteredOfficers() {
        let check = { (explanation: GapExplanation) in explanation.problem(isRegistered: registered.contains) }
        #expect(check(.written(text: "device fault", signedBy: ["64000123", "64000456"])) == nil)
        #expect(check(.written(text: "device fault", signedBy: ["64000123"]))?.contains("at least two") == true)
        #expect(check(.written(text: "device fault", signedBy: ["64000123", "64000123"]))?.contains("same officer") == true)
        #expect(check(.written(text: "device fault", signedBy: ["64000123", "99999999"]))?.contains("not registered") == true)
        #expect(check(.written(text: "  ", signedBy: ["64000123", "64000456"]))?.contains("needs its text") == true)
        #expect(check(.spoken(clipSHA256: "xyz"))?.contains("SHA-256") == true)
    }
}

/// Art 23: exceptions move the deadline only for clips recorded in their period.
@Suite struct WindowExceptionTests {
    @Test func exceptionMovesDeadlineOnlyInsideItsPeriod() {
        let window = UploadWindow(hours: 24)
        let day = 86_400.0
        let base = Date(timeIntervalSince1970: 1_796_025_600)
        let exception = WindowException(
            recorderSerial: "SN1", from: base, to: base.addingTimeInterval(3 * day), reason: .remote,
            returned: base.addingTimeInterval(4 * day), entryIndex: 9)
        let inside = window.deadline(
            serial: "SN1", recordingStart: base.addingTimeInterval(day), recordingEnd: base.addingTimeInterval(day + 60),
            exceptions: [exception])
        #expect(inside.deadline == base.addingTimeInterval(5 * day))
        #expect(inside.exception == exception)
        let outside = window.deadline(
            serial: "SN1", recordingStart: base.addingTimeInterval(-day), recordingEnd: base.addingTimeInterval(-day + 60),
            exceptions: [exception])
        #expect(outside.deadline == base.addingTimeInterval(60))
        let otherRecorder = window.deadline(
            serial: "SN2", recordingStart: base.addingTimeInterval(day), recordingEnd: base.addingTimeInterval(day + 60),
            exceptions: [exception])
        #expect(otherRecorder.exception == nil)
    }

    @Test func overdueCountsFromTheLaterOfHandoverAndLastIngest() {
        let now = Date(timeIntervalSince1970: 1_796_025_600)
        let window = UploadWindow(hours: 24)
        let report = OverdueReport.overdue(
            recorders: [
                ("SN1", "64000123", now.addingTimeInterval(-50 * 3600), now.addingTimeInterval(-30 * 3600)),
                ("SN2", "64000456", now.addingTimeInterval(-50 * 3600), now.addingTimeInterval(-2 * 3600)),
                ("SN3", "64000789", now.addingTimeInterval(-10 * 3600), nil),
                ("SN4", "64000111", now.addingTimeInterval(-25 * 3600), nil),
            ], window: window, now: now)
        #expect(report.map(\.serial) == ["SN1", "SN4"])
        #expect(abs((report.first?.overdueBy ?? 0) - 6 * 3600) < 0.001)
    }
}
