import CustodyCore
public import CustodyManifest
public import Foundation

/// The recorder's clock set to the station's at dock, after it was read (`set_clock_at_dock`; issue 5 item 4):
/// the time written (SetDevicePropValue DateTime, 0x5011) and the clock read back, for `recorder.docked`'s
/// `clockSet`. A clock set this way is the recorder's last known good reading for the next dock's drift rule.
public struct ClockSetting: Sendable, Equatable {
    /// The station time written to the recorder (whole seconds, at the model's `time_zone`).
    public let stationTime: Date
    /// Recorder clock − station clock read back right after, in whole seconds; nil when it could not be read.
    public let offsetAfterSeconds: Int?
    /// Why setting or reading back failed, or nil.
    public let error: String?

    /// Creates a record of a setting.
    public init(stationTime: Date, offsetAfterSeconds: Int?, error: String?) {
        self.stationTime = stationTime
        self.offsetAfterSeconds = offsetAfterSeconds
        self.error = error
    }

    /// Sets the clock of `source` to the station's time `now()`, then reads it back.
    public static func set(_ source: MTPRecorderSource, now: () -> Date = { Date() }) -> ClockSetting {
        let target = now()
        do {
            try source.setClock(to: target)
        } catch {
            return ClockSetting(stationTime: target, offsetAfterSeconds: nil, error: error.message)
        }
        let after = DockClock.read(source, now: now)
        return ClockSetting(stationTime: target, offsetAfterSeconds: after.offsetSeconds, error: after.error)
    }

    /// `recorder.docked`'s `clockSet`: `time` (what was written, RFC 3339), `offsetAfterSeconds` (an integer or
    /// null) and `error` (null when the clock was set and read back).
    public var dockedField: JSONValue {
        .object([
            "time": .string(RFC3339.format(stationTime)),
            "offsetAfterSeconds": offsetAfterSeconds.map { .int(Int64($0)) } ?? .null,
            "error": error.map { .string($0) } ?? .null,
        ])
    }
}
