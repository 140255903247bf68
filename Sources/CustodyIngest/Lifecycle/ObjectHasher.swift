import Crypto
public import CustodyCore
public import Foundation

/// Hashes one stored object a chunk at a time, so a caller can pace a scrub (Art 28) or show progress.
public final class ObjectHasher {
    private let handle: FileHandle
    private var hasher = SHA256()
    /// The chunk size read per ``step()``.
    public static let chunkSize = 1 << 20

    /// Opens `url` for reading.
    public init(url: URL) throws(IngestError) {
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw IngestError(.storeWrite, "cannot open \(url.path) to re-hash it: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// Reads and hashes the next chunk; returns its byte count, or nil at the end.
    public func step() throws(IngestError) -> Int? {
        let data: Data?
        do {
            data = try handle.read(upToCount: Self.chunkSize)
        } catch {
            throw IngestError(.storeWrite, "reading a stored object failed: \(error.localizedDescription)")
        }
        guard let data, !data.isEmpty else { return nil }
        hasher.update(data: data)
        return data.count
    }

    /// The digest of everything read.
    public func finish() -> SHA256Hash {
        SHA256Hash(bytes: Array(hasher.finalize()))!
    }
}
