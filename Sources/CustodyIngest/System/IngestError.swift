/// An ingest step that failed: a stable code, what failed and where, and what to do.
public struct IngestError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable codes, for entries, scripts and tests.
    public enum Code: String, Sendable {
        /// Reading the recorder failed (I/O error, device gone).
        case sourceRead
        /// The file on the recorder changed size or time while it was copied.
        case sourceChanged
        /// A path on the recorder is not a regular file, or escapes the recorder's root.
        case notRegularFile
        /// The store has no room for the file and its reserve.
        case storeFull
        /// Writing, syncing or renaming in the store failed.
        case storeWrite
        /// The stored copy does not hash to the acquisition hash.
        case verifyMismatch
        /// The recorder's root or the store cannot be used.
        case setup
        /// The ingest was cancelled (shutdown).
        case cancelled
    }

    /// What kind of failure this is.
    public let code: Code
    /// What failed and what to do, for a person.
    public let message: String
    /// The errno behind it, if any.
    public let errno: Int32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String { message }
}
