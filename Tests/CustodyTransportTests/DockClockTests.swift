import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

@testable import CustodyTransport

/// The recorder's clock at dock (issue 5 item 4): a simulated recorder whose clock is off by known amounts, read
/// through ``MTPRecorderSource``; the offset for `recorder.docked`, and the `clockAnomaly` gap beyond the model's
/// `clock_drift_limit_seconds`.
@Suite struct DockClockTests {
    static let station = Date(timeIntervalSince1970: 1_795_996_800)

    /// An MTP source whose clock reads `offset` seconds from ``station`` (it keeps local time at +08:00).
    static func source(clockOffset offset: Int) throws -> MTPRecorderSource {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 1)
        responder.dateTime =
            PTPDateTime(date: station.addingTimeInterval(Double(offset) + 8 * 3600), offset: nil).description
        return try MTPRecorderSourceTests.source(responder)
    }

    @Test(arguments: [(4, 0), (-30, 0), (31, 1), (7200, 1), (-7200, 1)])
    func readsTheOffsetAndRegistersDriftBeyondTheLimit(offset: Int, gaps: Int) throws {
        let clock = DockClock.read(try Self.source(clockOffset: offset), now: { Self.station })
        #expect(clock.offsetSeconds == offset)
        #expect(clock.error == nil)
        #expect(clock.dockedFields == ["clockOffsetSeconds": .int(Int64(offset))])

        let station = try Station(concurrentFiles: 1)
        let docked = try station.store.append(
            try ManifestEntry(type: .recorderDocked, time: Self.station, fields: clock.dockedFields))
        let recorder = RecorderIdentity(serial: "MTP0001", model: "MTPCAM")
        if let entry = try clock.driftGapEntry(
            recorder: recorder, limitSeconds: RecorderModel(name: "MTPCAM").clockDriftLimitSeconds, docked: docked,
            at: Self.station, time: Self.station)
        {
            _ = try station.store.append(entry)
        }

        let registered = try station.entries(.recordingGap)
        #expect(registered.count == gaps)
        guard let gap = registered.first else { return }
        #expect(gap.fields["kind"]?.stringValue == "clockAnomaly")
        #expect(gap.fields["key"]?.stringValue == "clockDrift:\(docked.index)")
        #expect(gap.fields["evidence"]?.stringValue?.contains("clock offset \(offset) s, limit 30 s") == true)
        #expect(gap.fields["start"]?.stringValue == RFC3339.format(Self.station))
        #expect(gap.fields["end"]?.stringValue == RFC3339.format(Self.station))
        #expect(gap.fields["refersTo"]?["index"]?.intValue == Int64(docked.index))
        #expect(try station.entries(.recorderDocked).first?.fields["clockOffsetSeconds"]?.intValue == Int64(offset))
    }

    @Test func theLimitComesFromTheModel() throws {
        let clock = DockClock(recorderClock: Self.station.addingTimeInterval(7200), stationTime: Self.station)
        #expect(clock.driftGap(limitSeconds: 7200, dockedIndex: 3, at: Self.station) == nil)
        let gap = try #require(clock.driftGap(limitSeconds: 7199, dockedIndex: 3, at: Self.station))
        #expect(gap.key == "clockDrift:3")
        #expect(gap.kind == .clockAnomaly)
        #expect(gap.evidence.contains("7200 s ahead of the station's"))

        let configuration = try CustodyConfiguration(
            toml: """
                [[models]]
                name = "MTPCAM"
                clock_drift_limit_seconds = 7200
                [[models]]
                name = "OTHER"
                """, baseDirectory: URL(fileURLWithPath: "/"))
        #expect(configuration.models.map(\.clockDriftLimitSeconds) == [7200, 30])
        #expect(throws: ConfigurationError.self) {
            try CustodyConfiguration(
                toml: "[[models]]\nname = \"X\"\nclock_drift_limit_seconds = -1",
                baseDirectory: URL(fileURLWithPath: "/"))
        }
    }

    @Test func aTransportWithoutAClockHasANullOffsetAndNoGap() throws {
        let clock = DockClock(recorderClock: nil, stationTime: Self.station)
        #expect(clock.offsetSeconds == nil)
        #expect(clock.dockedFields == ["clockOffsetSeconds": .null])
        #expect(clock.driftGap(limitSeconds: 0, dockedIndex: 0, at: Self.station) == nil)
    }

    @Test(arguments: [-3600, 0, 90])
    func aReadClockCorrectsTheDocksClipsByItsOffsetNamingItsDockedEntry(offset: Int) throws {
        let clock = DockClock.read(try Self.source(clockOffset: offset), now: { Self.station })
        let station = try Station(concurrentFiles: 1)
        _ = try station.store.append(try ManifestEntry(type: .adminNote, time: Self.station, fields: ["text": "first"]))
        let docked = try station.store.append(
            try ManifestEntry(type: .recorderDocked, time: Self.station, fields: clock.dockedFields))

        let correction = try #require(clock.correction(docked: docked))
        #expect(correction.offsetSeconds == offset)
        #expect(correction.docked == ClockCorrection.Docked(index: 1, leaf: docked.leafHash.hex))
        let recorded = Self.station.addingTimeInterval(Double(offset))
        #expect(correction.stationTime(ofRecorderTime: recorded) == Self.station)
    }

    @Test func aClockNotReadCorrectsNothing() throws {
        #expect(DockClock(recorderClock: nil, stationTime: Self.station).correction(docked: nil) == nil)
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 1)
        responder.dateTime = "yesterday"
        let failed = DockClock.read(try MTPRecorderSourceTests.source(responder), now: { Self.station })
        #expect(failed.correction(docked: nil) == nil)
    }

    @Test func aClockThatCannotBeReadIsNullWithTheReason() throws {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 1)
        responder.dateTime = "yesterday"
        let clock = DockClock.read(try MTPRecorderSourceTests.source(responder), now: { Self.station })
        #expect(clock.offsetSeconds == nil)
        #expect(clock.error?.isEmpty == false)
        #expect(clock.dockedFields == ["clockOffsetSeconds": .null])
    }

    // MARK: - GA/T 947: at most 3 s a day since the clock was last known good

    static func baseline(offset: Int, daysAgo: Double) -> ClockBaseline {
        ClockBaseline(
            dockedIndex: 7, dockedLeaf: String(repeating: "ab", count: 32), offsetSeconds: offset,
            stationTime: station.addingTimeInterval(-daysAgo * 86_400))
    }

    @Test(arguments: [
        // (offset now, baseline offset, days since, drift, allowed, within)
        (40, 5, 10.0, 35, 60, true), (100, 5, 10.0, 95, 60, false), (-31, 0, 0.0, -31, 30, false),
        (34, 0, 1.5, 34, 34, true), (35, 0, 1.5, 35, 34, false), (3600, 3590, 2.0, 10, 36, true),
    ])
    func driftIsMeasuredFromTheLastKnownGoodReadingAtThreeSecondsADay(
        offset: Int, base: Int, days: Double, drift: Int, allowed: Int, within: Bool
    ) throws {
        let clock = DockClock(recorderClock: Self.station.addingTimeInterval(Double(offset)), stationTime: Self.station)
        let baseline = Self.baseline(offset: base, daysAgo: days)
        let assessment = try #require(clock.assess(limitSeconds: 30, secondsPerDay: 3, since: baseline))
        #expect(assessment.driftSeconds == drift)
        #expect(assessment.allowedSeconds == allowed)
        #expect(assessment.withinRule == within)
        #expect(assessment.since == baseline)
        let gap = clock.driftGap(assessment, dockedIndex: 9, at: Self.station)
        #expect((gap == nil) == within)
        if let gap {
            #expect(gap.key == "clockDrift:9")
            #expect(gap.evidence.contains("drift \(drift) s since its last known good reading"), "\(gap.evidence)")
            #expect(gap.evidence.contains("allowed \(allowed) s"), "\(gap.evidence)")
        }
        let fields = clock.dockedFields(assessment)
        #expect(fields["clockOffsetSeconds"] == .int(Int64(offset)))
        #expect(fields["clockDrift"]?["seconds"] == .int(Int64(drift)))
        #expect(fields["clockDrift"]?["allowedSeconds"] == .int(Int64(allowed)))
        #expect(fields["clockDrift"]?["withinRule"] == .bool(within))
        #expect(fields["clockDrift"]?["since"]?["index"] == .int(7))
        #expect(fields["clockDrift"]?["since"]?["offsetSeconds"] == .int(Int64(base)))
    }

    @Test func withoutAnEarlierReadingTheOffsetItselfIsHeldToTheFixedLimit() throws {
        let clock = DockClock(recorderClock: Self.station.addingTimeInterval(31), stationTime: Self.station)
        let assessment = try #require(clock.assess(limitSeconds: 30, secondsPerDay: 3, since: nil))
        #expect(assessment == DockClock.Assessment(driftSeconds: 31, allowedSeconds: 30, since: nil))
        #expect(clock.dockedFields(assessment)["clockDrift"]?["since"] == .null)
        #expect(
            DockClock(recorderClock: nil, stationTime: Self.station).assess(
                limitSeconds: 30, secondsPerDay: 3, since: nil) == nil)
        #expect(DockClock(recorderClock: nil, stationTime: Self.station).dockedFields(nil)["clockDrift"] == .null)
    }

    @Test func theDriftPerDayIsConfiguredPerModelAndDefaultsToGAT947sThreeSeconds() throws {
        let configuration = try CustodyConfiguration(
            toml: """
                [[models]]
                name = "MTPCAM"
                clock_drift_seconds_per_day = 1
                [[models]]
                name = "OTHER"
                """, baseDirectory: URL(fileURLWithPath: "/"))
        #expect(configuration.models.map(\.clockDriftSecondsPerDay) == [1, 3])
        #expect(throws: ConfigurationError.self) {
            try CustodyConfiguration(
                toml: "[[models]]\nname = \"X\"\nclock_drift_seconds_per_day = -1",
                baseDirectory: URL(fileURLWithPath: "/"))
        }
    }

    // MARK: - Setting the clock at dock

    @Test func theClockIsSetToTheStationsInTheModelsTimeZoneAndReadBack() throws {
        let source = try Self.source(clockOffset: 7200)
        let clock = DockClock.read(source, now: { Self.station })
        #expect(clock.offsetSeconds == 7200)
        let setting = ClockSetting.set(source, now: { Self.station })
        #expect(setting.error == nil)
        #expect(setting.offsetAfterSeconds == 0)
        #expect(setting.stationTime == Self.station)
        #expect(
            setting.dockedField
                == .object([
                    "time": .string(RFC3339.format(Self.station)), "offsetAfterSeconds": .int(0), "error": .null,
                ]))
    }

    @Test func theClockIsWrittenAsLocalTimeWithoutASuffix() throws {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 1)
        let source = try MTPRecorderSourceTests.source(responder)
        _ = ClockSetting.set(source, now: { Self.station })
        // 1_795_996_800 is 2026-11-30T00:00:00Z; the recorder keeps +08:00.
        #expect(responder.dateTimeWrites == ["20261130T080000"])
    }

    @Test func aClockThatCannotBeSetIsRecordedWithTheReason() throws {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 1)
        let source = try MTPRecorderSourceTests.source(responder)
        responder.dateTime = nil
        let setting = ClockSetting.set(source, now: { Self.station })
        #expect(setting.offsetAfterSeconds == nil)
        #expect(setting.error?.contains("setting the recorder's clock") == true, "\(setting.error ?? "")")
        #expect(setting.dockedField["error"]?.stringValue?.isEmpty == false)
    }

    @Test func settingTheClockIsConfiguredPerModelAndOffByDefault() throws {
        let configuration = try CustodyConfiguration(
            toml: "[[models]]\nname = \"A\"\nset_clock_at_dock = true\n[[models]]\nname = \"B\"",
            baseDirectory: URL(fileURLWithPath: "/"))
        #expect(configuration.models.map(\.setClockAtDock) == [true, false])
    }
}
