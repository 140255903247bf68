/// A PTP/MTP step that failed: a stable code, what failed and where, and what to do.
///
/// A recorder is untrusted input: every wrong length, wrong transaction ID or short read ends as one of these,
/// never as a trap, and never as an allocation sized by a length the device declared.
public struct PTPError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable codes, for logs, entries and tests.
    public enum Code: String, Sendable {
        /// A container's length field disagrees with its type or with the bytes that follow (ISO 15740 / USB SIC §7).
        case containerLength
        /// A container of another type, operation or code than the phase expects.
        case unexpectedContainer
        /// A data or response container carries another transaction ID than the command's.
        case transactionID
        /// A dataset (DeviceInfo, ObjectInfo, arrays, strings) is cut short or malformed.
        case malformedDataset
        /// A dataset the host would have to hold in memory is larger than the cap.
        case datasetTooLarge
        /// An object's data phase is not the size its ObjectInfo or object property list states.
        case sizeMismatch
        /// The device answered with a response code other than OK.
        case response
        /// The device did not answer within the timeout (a stalled endpoint).
        case timeout
        /// The device went away (unplugged, reset) in the middle of a transaction.
        case disconnected
        /// Any other transport failure.
        case transport
        /// The session is not in a state for this operation (not open, a transaction in flight, broken).
        case sessionState
        /// A PTP DateTime string that does not follow `YYYYMMDDThhmmss[.s][Z|±hhmm]`.
        case dateTime
    }

    /// What kind of failure this is.
    public let code: Code
    /// What failed and what to do, for a person.
    public let message: String
    /// The PTP response code, for ``Code/response``.
    public let responseCode: UInt16?

    /// Creates an error.
    public init(_ code: Code, _ message: String, responseCode: UInt16? = nil) {
        self.code = code
        self.message = message
        self.responseCode = responseCode
    }

    public var description: String { message }
}
