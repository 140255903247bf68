/// A docking step that failed: a stable code, what failed and where, and what to do.
public struct DeviceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable codes, for logs, entries and tests.
    public enum Code: String, Sendable {
        /// libudev could not be set up (no netlink, no /sys).
        case udev
        /// Mounting a recorder failed.
        case mount
        /// Unmounting a recorder failed.
        case unmount
        /// The runtime directory or a mount point cannot be used.
        case setup
        /// Wiping a recorder (remounting it read-write, deleting, syncing) failed.
        case wipe
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
