public import Foundation

/// The upload rule of Art 23: footage must be stored within a window (24 hours by default) after recording ends.
public struct UploadWindow: Sendable, Equatable {
    /// The length of the window.
    public let length: TimeInterval

    /// Creates a window of `hours` hours.
    public init(hours: Int) {
        self.length = TimeInterval(hours) * 3600
    }

    /// The deadline for a clip whose recording ended at `recordingEnd`.
    public func deadline(recordingEnd: Date) -> Date {
        recordingEnd.addingTimeInterval(length)
    }

    /// Whether footage ingested at `ingestTime` missed `deadline`.
    public func isLate(ingestTime: Date, deadline: Date) -> Bool {
        ingestTime > deadline
    }
}
