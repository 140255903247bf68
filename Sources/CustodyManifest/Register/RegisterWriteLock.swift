import Foundation

/// Serializes the register writes of one process that check the manifest before they append (a link skips clips
/// already linked; a release needs an open hold), so two requests served at once cannot both pass the check and
/// append twice. Another process (the CLI beside custodyd) is not covered: its writes are rare and by hand.
enum RegisterWriteLock {
    private static let lock = NSLock()

    /// Runs `body` while no other register write of this process runs.
    static func withLock<T>(_ body: () throws(ManifestError) -> T) throws(ManifestError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
