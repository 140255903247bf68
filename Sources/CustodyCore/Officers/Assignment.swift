public import Foundation

/// A recorder handed to an officer from a time, until a time or until the next handover (Art 8).
public struct Assignment: Sendable, Equatable {
    /// The recorder's serial number.
    public let recorderSerial: String
    /// The officer's certificate number.
    public let officerCertificate: String
    /// When the officer took the recorder.
    public let from: Date
    /// When the officer gave it back; nil while still held.
    public let to: Date?
    /// The manifest index of the entry that recorded it; later entries win ties.
    public let entryIndex: UInt64

    /// Creates an assignment.
    public init(recorderSerial: String, officerCertificate: String, from: Date, to: Date?, entryIndex: UInt64) {
        self.recorderSerial = recorderSerial
        self.officerCertificate = officerCertificate
        self.from = from
        self.to = to
        self.entryIndex = entryIndex
    }

    /// Whether the recorder was with this officer at `time`: from ≤ time < to.
    public func covers(_ time: Date) -> Bool {
        from <= time && (to.map { time < $0 } ?? true)
    }
}

/// Who held a recorder when (Art 8): the policy that attributes a clip to an officer.
public enum AssignmentRegister {
    /// The certificate of the officer who held `serial` at `time`, or nil when no assignment covers it.
    ///
    /// When several assignments cover the time, the most recent handover (latest `from`) wins, then the latest
    /// entry: a new assignment supersedes an open-ended older one without editing it.
    public static func officer(holding serial: String, at time: Date, in assignments: [Assignment]) -> String? {
        assignments
            .filter { $0.recorderSerial == serial && $0.covers(time) }
            .max { ($0.from, $0.entryIndex) < ($1.from, $1.entryIndex) }?
            .officerCertificate
    }
}
