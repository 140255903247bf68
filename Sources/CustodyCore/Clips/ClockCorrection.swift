public import Foundation

/// How the times a recorder wrote become station times (shared/DESIGN.md "Time", issue 5 item 4): the recorder's
/// clock offset read at dock is subtracted from every time its clock gave a clip (the MP4 `mvhd` creation time, the
/// file-name timestamp or the modification time), so the Art 23 deadline, the gaps (Art 19, 22), the officer (Art 8)
/// and the retention (Art 25) are worked out on the station's clock.
///
/// One offset per dock: the one measured at that dock (docs/docking.md "Clock drift"), not one interpolated between
/// readings. A clip ingested without a reading (mass storage, `custody ingest`) has no correction.
public struct ClockCorrection: Sendable, Equatable {
    /// The `recorder.docked` entry that holds the reading.
    public struct Docked: Sendable, Equatable {
        /// Its index in the manifest.
        public let index: UInt64
        /// Its leaf hash, lowercase hex.
        public let leaf: String

        /// Names the entry at `index` with leaf hash `leaf`.
        public init(index: UInt64, leaf: String) {
            self.index = index
            self.leaf = leaf
        }
    }

    /// Recorder clock − station clock in whole seconds, as read at dock (`clockOffsetSeconds` of `recorder.docked`).
    public let offsetSeconds: Int
    /// The `recorder.docked` entry of the reading, when there is one.
    public let docked: Docked?

    /// A correction by `offsetSeconds` (recorder − station), read at the dock recorded by `docked`.
    public init(offsetSeconds: Int, docked: Docked? = nil) {
        self.offsetSeconds = offsetSeconds
        self.docked = docked
    }

    /// The station's time of `recorderTime`, a time the recorder's clock gave: `recorderTime` − offset.
    public func stationTime(ofRecorderTime recorderTime: Date) -> Date {
        recorderTime.addingTimeInterval(-Double(offsetSeconds))
    }
}
