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
                toml: "[[models]]\nname = \"X\"\nclock_drift_limit_seconds = -1", baseDirectory: URL(fileURLWithPath: "/"))
        }
    }

    @Test func aTransportWithoutAClockHasANullOffsetAndNoGap() throws {
        let clock = DockClock(recorderClock: nil, stationTime: Self.station)
        #expect(clock.offsetSeconds == nil)
        #expect(clock.dockedFields == ["clockOffsetSeconds": .null])
        #expect(clock.driftGap(limitSeconds: 0, dockedIndex: 0, at: Self.station) == nil)
    }

    @Test func aClockThatCannotBeReadIsNullWithTheReason() throws {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 1)
        responder.dateTime = "yesterday"
        let clock = DockClock.read(try MTPRecorderSourceTests.source(responder), now: { Self.station })
        #expect(clock.offsetSeconds == nil)
        #expect(clock.error?.isEmpty == false)
        #expect(clock.dockedFields == ["clockOffsetSeconds": .null])
    }
}
