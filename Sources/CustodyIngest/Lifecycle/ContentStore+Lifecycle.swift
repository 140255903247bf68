public import CustodyCore
public import Foundation
import Glibc

/// Removal after retention and enumeration for scrubbing (Art 25, Art 28).
extension ContentStore {
    /// Removes the purged object `digest` and syncs its folder; true when it was there. Only `custody purge` calls
    /// this, after appending the `clip.purged` entries that explain it and checking the clips are not held.
    public func removePurged(_ digest: SHA256Hash) throws(IngestError) -> Bool {
        let url = objectURL(for: digest)
        guard unlink(url.path) == 0 else {
            if errno == ENOENT { return false }
            throw IngestError(.storeWrite, "cannot remove the purged object \(url.path): \(SystemCall.describe(errno))")
        }
        let fd = Glibc.open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
        return true
    }

    /// A stored object as found on disk.
    public struct StoredObject: Sendable, Equatable {
        /// The file's name: the digest it claims.
        public let name: String
        public let url: URL
        public let size: UInt64
    }

    /// Every regular file under `sha256/`, in name order.
    public func storedObjects() -> [StoredObject] {
        let base = root.appendingPathComponent("sha256")
        guard
            let walker = FileManager.default.enumerator(
                at: base, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey])
        else { return [] }
        var out = [StoredObject]()
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey]),
                values.isRegularFile == true
            else { continue }
            out.append(StoredObject(name: url.lastPathComponent, url: url, size: UInt64(values.fileSize ?? 0)))
        }
        return out.sorted { $0.name < $1.name }
    }
}
