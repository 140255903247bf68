/// A random-access, read-only view of a file's bytes, so the MP4 reader can walk boxes without loading the file.
///
/// Implementations must be safe to read from several threads at once and must never return more
/// than `count` bytes. A read that starts at or past `size` returns an empty array; a read that
/// runs past `size` returns only the bytes up to `size`.
public protocol ByteSource: Sendable {
    /// The number of bytes in the source.
    var size: UInt64 { get }

    /// Reads up to `count` bytes starting at `offset`; fewer only where the source ends.
    func read(at offset: UInt64, count: Int) throws -> [UInt8]
}
