public import Foundation

/// An upload-window exception (Art 23): a recorder on continuous duty, duty away from base, or in a remote,
/// on-water or hard-to-reach area; its footage is due within the window after the officer returns.
public struct WindowException: Sendable, Equatable {
    /// The reasons Art 23 allows.
    public enum Reason: String, Sendable, CaseIterable {
        /// Continuous duty.
        case continuous
        /// Duty away from the base.
        case offsite
        /// Remote, on-water or hard-to-reach areas.
        case remote
    }

    /// The recorder's serial.
    public let recorderSerial: String
    /// The period of recording it covers.
    public let from: Date
    public let to: Date
    /// Why.
    public let reason: Reason
    /// When the officer returned to base.
    public let returned: Date
    /// The index of its `window.exception` entry.
    public let entryIndex: UInt64

    /// Creates an exception.
    public init(recorderSerial: String, from: Date, to: Date, reason: Reason, returned: Date, entryIndex: UInt64) {
        self.recorderSerial = recorderSerial
        self.from = from
        self.to = to
        self.reason = reason
        self.returned = returned
        self.entryIndex = entryIndex
    }

    /// Whether a clip of `serial` that started recording at `start` falls in this exception.
    public func covers(serial: String, start: Date) -> Bool {
        serial == recorderSerial && from <= start && start <= to
    }
}

extension UploadWindow {
    /// The deadline of a clip (Art 23): recording end + window, or, when an exception covers its recording start,
    /// return + window (the latest such exception by entry wins).
    public func deadline(
        serial: String, recordingStart: Date, recordingEnd: Date, exceptions: [WindowException]
    ) -> (deadline: Date, exception: WindowException?) {
        if let exception = exceptions.filter({ $0.covers(serial: serial, start: recordingStart) })
            .max(by: { $0.entryIndex < $1.entryIndex })
        {
            return (max(deadline(recordingEnd: recordingEnd), exception.returned.addingTimeInterval(length)), exception)
        }
        return (deadline(recordingEnd: recordingEnd), nil)
    }
}
