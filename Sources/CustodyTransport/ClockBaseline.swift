public import Foundation

/// A recorder's clock as last known good (GA/T 947's drift rule counts from it): an earlier dock's reading of the
/// clock that was within the drift rule, named by its `recorder.docked` entry.
public struct ClockBaseline: Sendable, Equatable {
    /// The index of that dock's `recorder.docked` entry.
    public let dockedIndex: UInt64
    /// Its leaf hash, lowercase hex.
    public let dockedLeaf: String
    /// Recorder clock − station clock then, in whole seconds.
    public let offsetSeconds: Int
    /// The station's time of that reading (the dock time).
    public let stationTime: Date

    /// Creates a baseline.
    public init(dockedIndex: UInt64, dockedLeaf: String, offsetSeconds: Int, stationTime: Date) {
        self.dockedIndex = dockedIndex
        self.dockedLeaf = dockedLeaf
        self.offsetSeconds = offsetSeconds
        self.stationTime = stationTime
    }
}
