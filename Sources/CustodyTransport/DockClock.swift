public import CustodyCore
public import CustodyIngest
public import CustodyManifest
public import Foundation

/// The recorder's clock read at dock (issue 5 item 4): how far it is from the station's, for the `recorder.docked`
/// entry, and the `clockAnomaly` gap when that is more than the model's `clock_drift_limit_seconds`.
public struct DockClock: Sendable, Equatable {
    /// Recorder clock − station clock in whole seconds (rounded); nil when the transport cannot read the clock
    /// (mass storage) or the reading failed.
    public let offsetSeconds: Int?
    /// The station's time of the reading.
    public let stationTime: Date
    /// Why the clock could not be read, when reading it failed.
    public let error: String?

    /// A reading: the recorder said `recorderClock` (nil: it has no clock to read) at station time `stationTime`.
    public init(recorderClock: Date?, stationTime: Date, error: String? = nil) {
        self.offsetSeconds = recorderClock.map { Int(($0.timeIntervalSince(stationTime)).rounded()) }
        self.stationTime = stationTime
        self.error = error
    }

    /// Reads the clock of `source`; the station's time is taken by `now` right after the recorder answers.
    public static func read(_ source: any RecorderSource, now: () -> Date = { Date() }) -> DockClock {
        do {
            let clock = try source.readClock()
            return DockClock(recorderClock: clock, stationTime: now())
        } catch {
            return DockClock(recorderClock: nil, stationTime: now(), error: error.message)
        }
    }

    /// The fields this reading adds to `recorder.docked`: `clockOffsetSeconds` (an integer, or null).
    public var dockedFields: [String: JSONValue] {
        ["clockOffsetSeconds": offsetSeconds.map { .int(Int64($0)) } ?? .null]
    }

    /// The `clockAnomaly` gap when |offset| exceeds `limitSeconds`, keyed by the `recorder.docked` entry's index;
    /// its span is the dock time `at`.
    public func driftGap(limitSeconds: Int, dockedIndex: UInt64, at time: Date) -> DetectedGap? {
        guard let offset = offsetSeconds, offset.magnitude > limitSeconds.magnitude else { return nil }
        let direction = offset > 0 ? "ahead of" : "behind"
        return DetectedGap(
            kind: .clockAnomaly, key: "clockDrift:\(dockedIndex)", before: nil, after: nil, start: time, end: time,
            evidence: "at dock the recorder's clock was \(offset.magnitude) s \(direction) the station's "
                + "(clock offset \(offset) s, limit \(limitSeconds) s)")
    }

    /// The `recording.gap` entry of ``driftGap(limitSeconds:dockedIndex:at:)``, referring to the `recorder.docked`
    /// entry `docked`; nil when the clock is within the limit or was not read.
    public func driftGapEntry(
        recorder: RecorderIdentity, limitSeconds: Int, docked: StoredEntry, at dockTime: Date, time: Date
    ) throws(ManifestError) -> ManifestEntry? {
        guard let gap = driftGap(limitSeconds: limitSeconds, dockedIndex: docked.index, at: dockTime) else {
            return nil
        }
        return try .recordingGap(
            gap, recorder: recorder, officer: nil, before: nil, after: nil, refersTo: docked, time: time)
    }
}
