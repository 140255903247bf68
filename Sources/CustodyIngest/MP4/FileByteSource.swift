import Glibc

/// A byte source over a regular file, read with `pread` so nothing but the requested bytes is loaded.
///
/// The file is opened `O_RDONLY | O_CLOEXEC | O_NOFOLLOW`: a symbolic link on a recorder's storage is
/// refused rather than followed. The size is taken once, when the file is opened; the descriptor is
/// closed when the source is released.
public final class FileByteSource: ByteSource {
    /// The path the file was opened from.
    public let path: String
    /// The file's size when it was opened.
    public let size: UInt64
    private let descriptor: Int32

    /// Opens the regular file at `path` for reading.
    ///
    /// - Throws: ``MP4Error`` with code ``MP4Error/Code/io`` when the file cannot be opened, is a
    ///   symbolic link, or is not a regular file.
    public init(path: String) throws(MP4Error) {
        let descriptor = Self.retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard descriptor >= 0 else {
            let code = errno
            let hint =
                code == ELOOP ? "it is a symbolic link, which is never followed" : "check it exists and is readable"
            throw MP4Error(.io, "Cannot open the file: \(hint).", path: path, cause: Self.describe(errno: code))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw MP4Error(.io, "Cannot inspect the opened file.", path: path, cause: Self.describe(errno: code))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw MP4Error(.io, "Not a regular file; only regular files are read.", path: path)
        }
        self.path = path
        self.size = UInt64(clamping: status.st_size)
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Reads up to `count` bytes at `offset` with `pread`, retrying interrupted and short reads.
    ///
    /// Never allocates more than the bytes left between `offset` and ``size``.
    public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0, offset < size, offset <= UInt64(Int64.max) else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        var failure: Int32?
        let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
            initialized = 0
            guard let base = buffer.baseAddress else { return }
            while initialized < wanted {
                let position = off_t(offset) + off_t(initialized)
                let result = pread(descriptor, base + initialized, wanted - initialized, position)
                if result > 0 {
                    initialized += result
                } else if result == 0 {
                    return  // The file shrank since it was opened.
                } else if errno != EINTR {
                    failure = errno
                    return
                }
            }
        }
        if let failure {
            throw MP4Error(
                .io, "Cannot read the file; the device may have been unplugged.", offset: offset, path: path,
                cause: Self.describe(errno: failure))
        }
        return bytes
    }

    private static func retryingInterrupts(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    private static func describe(errno code: Int32) -> String {
        if let text = strerror(code) { "errno \(code): \(String(cString: text))" } else { "errno \(code)" }
    }
}
