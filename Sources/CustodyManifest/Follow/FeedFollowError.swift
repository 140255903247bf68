/// Why following a feed stopped: a fork of the log, or a response that does not verify.
public struct FeedFollowError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for scripts and for the exit code.
    public enum Kind: Sendable, Equatable {
        /// The log forked: the served checkpoint is validly signed but cannot extend the stored one (it is smaller,
        /// the same size with another root, or its consistency proof fails). Both checkpoints are evidence.
        case fork
        /// A response that does not verify (bad signature, wrong origin, an entry or proof that does not match the
        /// signed checkpoint) or cannot be parsed. Nothing is printed from it and the stored checkpoint stays.
        case rejected
    }

    /// Fork or rejection.
    public let kind: Kind
    /// What failed and what to do, for a person.
    public let message: String
    /// The validly signed checkpoint note that conflicts with the stored one; set for ``Kind/fork``.
    public let conflictingNote: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, conflictingNote: String? = nil) {
        self.kind = kind
        self.message = message
        self.conflictingNote = conflictingNote
    }

    public var description: String { message }
}
