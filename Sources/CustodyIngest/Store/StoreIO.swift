import Glibc

/// The system calls the pipeline makes on the store's files: `write` and `fsync` of staging copies, `fsync` of
/// store folders, and `read` of stored objects when they are verified.
///
/// Production always uses ``system``, plain calls to the C library. It is a seam for the fault-injection tests of
/// issue 9 (an I/O error, a full disk, a failed fsync, a short write or bytes that reach the disk wrong), which
/// set ``ContentStore/io`` to a value whose calls fail the way a disk does: returning -1 with `errno` set.
struct StoreIO: Sendable {
    /// `write(2)`.
    var write: @Sendable (_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int
    /// `read(2)`.
    var read: @Sendable (_ descriptor: Int32, _ into: UnsafeMutableRawPointer, _ count: Int) -> Int
    /// `fsync(2)`, of a file or a folder.
    var fsync: @Sendable (_ descriptor: Int32) -> Int32

    /// The C library's calls.
    static let system = StoreIO(
        write: { Glibc.write($0, $1, $2) }, read: { Glibc.read($0, $1, $2) }, fsync: { Glibc.fsync($0) })
}
