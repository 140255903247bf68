/// A manifest operation that failed: a stable code, a message that says what to do, and the underlying cause.
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    /// Stable codes, for scripts and tests.
    public enum Code: String, Sendable {
        /// An entry is not canonical, too large, or lacks `v`, `type` or `time`.
        case invalidEntry
        /// A proof, index or size request that cannot be answered for this tree.
        case invalidRequest
        /// A proof that does not verify.
        case proofRejected
        /// A note, checkpoint or key that cannot be parsed.
        case malformed
        /// A signature that does not verify with the expected key.
        case badSignature
        /// The stored manifest contradicts itself: the log may have been tampered with.
        case inconsistent
        /// The database refused or failed an operation.
        case database
        /// A key file that cannot be read, written or trusted.
        case key
        /// A file or directory that cannot be used.
        case io
        /// The log grew after the caller read it, so an append conditioned on its size was not made (nothing was
        /// written): read again and decide again.
        case conflict
    }

    /// What kind of failure this is.
    public let code: Code
    /// What failed and what to do, for a person.
    public let message: String
    /// The underlying error's description, if any.
    public let cause: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { "\(message) (\(cause))" } else { message }
    }
}
