public import CustodyCore
public import CustodyIngest
public import CustodyManifest
public import Foundation

/// The recorder's clock read at dock (issue 5 item 4): how far it is from the station's, for the `recorder.docked`
/// entry, and the `clockAnomaly` gap when it drifted beyond GA/T 947's rule: more than `clock_drift_limit_seconds`
/// plus `clock_drift_seconds_per_day` (3) per day since the clock was last known good (``ClockBaseline``).
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

    /// The correction of the clip times ingested at this dock (issue 5 item 4): this reading's offset, named by the
    /// `recorder.docked` entry `docked` that records it; nil when the clock was not read. A zero offset is a
    /// correction too, so every clip of a dock whose clock was read says so (`recorderTime`).
    ///
    /// The offset is the one read at dock, before any `set_clock_at_dock`: the clips were recorded on the clock as
    /// it was found.
    public func correction(docked: StoredEntry?) -> ClockCorrection? {
        offsetSeconds.map { offset in
            ClockCorrection(
                offsetSeconds: offset,
                docked: docked.map { ClockCorrection.Docked(index: $0.index, leaf: $0.leafHash.hex) })
        }
    }

    /// The drift rule applied to one reading (docs/docking.md "Clock drift"): how far the clock moved since it was
    /// last known good, and how far it may have.
    public struct Assessment: Sendable, Equatable {
        /// The offset now minus the offset of the last known good reading (the offset itself when there is none:
        /// a clock never read is measured against the station's).
        public let driftSeconds: Int
        /// `clock_drift_limit_seconds` + `clock_drift_seconds_per_day` × the days since the last known good reading
        /// (rounded down to whole seconds); just the limit when there is none.
        public let allowedSeconds: Int
        /// The last known good reading, or nil.
        public let since: ClockBaseline?

        /// Whether the drift is within the rule; a reading within it is the next dock's baseline.
        public var withinRule: Bool { driftSeconds.magnitude <= allowedSeconds.magnitude }
    }

    /// GA/T 947's rule of at most `secondsPerDay` of drift per day since the clock was last known good (`baseline`),
    /// on top of a fixed `limitSeconds`; nil when the clock was not read.
    public func assess(limitSeconds: Int, secondsPerDay: Int, since baseline: ClockBaseline?) -> Assessment? {
        guard let offset = offsetSeconds else { return nil }
        guard let baseline else {
            return Assessment(driftSeconds: offset, allowedSeconds: limitSeconds, since: nil)
        }
        let days = max(0, stationTime.timeIntervalSince(baseline.stationTime)) / 86_400
        let allowed = limitSeconds + Int((Double(secondsPerDay) * days).rounded(.down))
        return Assessment(driftSeconds: offset - baseline.offsetSeconds, allowedSeconds: allowed, since: baseline)
    }

    /// The fields this reading and its assessment add to `recorder.docked`: `clockOffsetSeconds`, and
    /// `clockDrift` (null without a reading): `seconds`, `allowedSeconds`, `withinRule`, and `since`, the last known
    /// good reading (`index`, `leaf` of its `recorder.docked`, `offsetSeconds`, `time`) or null.
    public func dockedFields(_ assessment: Assessment?) -> [String: JSONValue] {
        var fields = dockedFields
        fields["clockDrift"] =
            assessment.map { assessment in
                .object([
                    "seconds": .int(Int64(assessment.driftSeconds)),
                    "allowedSeconds": .int(Int64(assessment.allowedSeconds)),
                    "withinRule": .bool(assessment.withinRule),
                    "since": assessment.since.map {
                        .object([
                            "index": .int(Int64($0.dockedIndex)), "leaf": .string($0.dockedLeaf),
                            "offsetSeconds": .int(Int64($0.offsetSeconds)),
                            "time": .string(RFC3339.format($0.stationTime)),
                        ])
                    } ?? .null,
                ])
            } ?? .null
        return fields
    }

    /// The `clockAnomaly` gap when |offset| exceeds `limitSeconds` (no earlier reading), keyed by the
    /// `recorder.docked` entry's index; its span is the dock time `at`.
    public func driftGap(limitSeconds: Int, dockedIndex: UInt64, at time: Date) -> DetectedGap? {
        assess(limitSeconds: limitSeconds, secondsPerDay: 0, since: nil).flatMap {
            driftGap($0, dockedIndex: dockedIndex, at: time)
        }
    }

    /// The `clockAnomaly` gap when `assessment` is beyond the rule, keyed `clockDrift:<docked index>`; its span is
    /// the dock time `at`, and its evidence names the offset, the drift, the baseline and the allowance.
    public func driftGap(_ assessment: Assessment, dockedIndex: UInt64, at time: Date) -> DetectedGap? {
        guard let offset = offsetSeconds, !assessment.withinRule else { return nil }
        let direction = offset > 0 ? "ahead of" : "behind"
        var evidence =
            "at dock the recorder's clock was \(offset.magnitude) s \(direction) the station's "
        if let since = assessment.since {
            let days = max(0, stationTime.timeIntervalSince(since.stationTime)) / 86_400
            evidence +=
                "(clock offset \(offset) s; drift \(assessment.driftSeconds) s since its last known good reading, "
                + "offset \(since.offsetSeconds) s at \(RFC3339.format(since.stationTime)) (entry \(since.dockedIndex)), "
                + "\(String(format: "%.1f", days)) days ago; allowed \(assessment.allowedSeconds) s)"
        } else {
            evidence += "(clock offset \(offset) s, limit \(assessment.allowedSeconds) s; no earlier reading)"
        }
        return DetectedGap(
            kind: .clockAnomaly, key: "clockDrift:\(dockedIndex)", before: nil, after: nil, start: time, end: time,
            evidence: evidence)
    }

    /// The `recording.gap` entry of ``driftGap(limitSeconds:dockedIndex:at:)``, referring to the `recorder.docked`
    /// entry `docked`; nil when the clock is within the limit or was not read.
    public func driftGapEntry(
        recorder: RecorderIdentity, limitSeconds: Int, docked: StoredEntry, at dockTime: Date, time: Date
    ) throws(ManifestError) -> ManifestEntry? {
        guard let assessment = assess(limitSeconds: limitSeconds, secondsPerDay: 0, since: nil) else { return nil }
        return try driftGapEntry(recorder: recorder, assessment: assessment, docked: docked, at: dockTime, time: time)
    }

    /// The `recording.gap` entry of ``driftGap(_:dockedIndex:at:)``, referring to the `recorder.docked` entry
    /// `docked`; nil when the drift is within the rule.
    public func driftGapEntry(
        recorder: RecorderIdentity, assessment: Assessment, docked: StoredEntry, at dockTime: Date, time: Date
    ) throws(ManifestError) -> ManifestEntry? {
        guard let gap = driftGap(assessment, dockedIndex: docked.index, at: dockTime) else { return nil }
        return try .recordingGap(
            gap, recorder: recorder, officer: nil, before: nil, after: nil, refersTo: docked, time: time)
    }
}
