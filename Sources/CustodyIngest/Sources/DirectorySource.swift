public import CustodyCore
public import Foundation
import Glibc

/// A recorder presented as a mounted file system (mass storage), read through its root directory.
///
/// Every directory and file is opened relative to its parent's descriptor with `O_NOFOLLOW`, so a symbolic link,
/// even one swapped in after listing, is never followed and no path leaves the root. Device nodes, FIFOs and
/// sockets are reported, never opened for reading.
public struct DirectorySource: RecorderSource {
    /// Directories nest at most this deep below the root; deeper ones are refused.
    public static let maximumDepth = 32

    public let identity: RecorderIdentity
    /// The recorder's mount point.
    public let root: URL

    /// A source rooted at `root`, for the recorder `identity`.
    public init(root: URL, identity: RecorderIdentity) {
        self.root = root
        self.identity = identity
    }

    public func readClock() throws(IngestError) -> Date? { nil }

    public func listFiles() throws(IngestError) -> RecorderListing {
        let rootFD = try openRoot()
        var listing = RecorderListing(files: [], refused: [])
        try walk(directory: rootFD, prefix: [], depth: 0, into: &listing)
        listing.files.sort { $0.path < $1.path }
        listing.refused.sort { $0.path < $1.path }
        return listing
    }

    public func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
        var directory = try openRoot()
        let components = file.path.components
        for component in components.dropLast() {
            let fd = component.withNullTerminated { name in
                openat(directory.rawValue, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard fd >= 0 else {
                throw IngestError(
                    .sourceRead, "cannot open folder of \(file.path) on the recorder: \(SystemCall.describe(errno))",
                    errno: errno)
            }
            directory = FileDescriptor(fd)
        }
        // O_NONBLOCK: should a FIFO be swapped in after listing, opening it does not hang; fstat then refuses it.
        let fd = components.last!.withNullTerminated { name in
            openat(directory.rawValue, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        }
        guard fd >= 0 else {
            let error = errno
            throw IngestError(
                error == ELOOP ? .notRegularFile : .sourceRead,
                "cannot open \(file.path) on the recorder: \(SystemCall.describe(error))", errno: error)
        }
        let handle = FileDescriptor(fd)
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw IngestError(.notRegularFile, "\(file.path) is no longer a regular file on the recorder")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        return DirectoryFileStream(descriptor: handle, file: file)
    }

    private func openRoot() throws(IngestError) -> FileDescriptor {
        let fd = Glibc.open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw IngestError(
                .setup, "cannot open the recorder at \(root.path): \(SystemCall.describe(errno))", errno: errno)
        }
        return FileDescriptor(fd)
    }

    private func walk(
        directory: FileDescriptor, prefix: [UInt8], depth: Int, into listing: inout RecorderListing
    ) throws(IngestError) {
        let names = try Self.names(in: directory)
        for name in names {
            let pathBytes = prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name
            guard let path = RecorderPath(bytes: pathBytes) else { continue }
            var status = stat()
            let statResult = name.withNullTerminated { fstatat(directory.rawValue, $0, &status, AT_SYMLINK_NOFOLLOW) }
            guard statResult == 0 else {
                listing.refused.append(RefusedPath(path: path, reason: .unreadable))
                continue
            }
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                listing.files.append(
                    RecorderFile(
                        path: path, size: UInt64(max(status.st_size, 0)),
                        modificationTime: Date(
                            timeIntervalSince1970: Double(status.st_mtim.tv_sec)
                                + Double(status.st_mtim.tv_nsec) / 1e9)))
            case S_IFDIR:
                guard depth + 1 < Self.maximumDepth else {
                    listing.refused.append(RefusedPath(path: path, reason: .tooDeep))
                    continue
                }
                let fd = name.withNullTerminated {
                    openat(directory.rawValue, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
                guard fd >= 0 else {
                    listing.refused.append(RefusedPath(path: path, reason: .unreadable))
                    continue
                }
                try walk(directory: FileDescriptor(fd), prefix: pathBytes, depth: depth + 1, into: &listing)
            case S_IFLNK: listing.refused.append(RefusedPath(path: path, reason: .symbolicLink))
            case S_IFCHR, S_IFBLK: listing.refused.append(RefusedPath(path: path, reason: .deviceNode))
            case S_IFIFO: listing.refused.append(RefusedPath(path: path, reason: .fifo))
            case S_IFSOCK: listing.refused.append(RefusedPath(path: path, reason: .socket))
            default: listing.refused.append(RefusedPath(path: path, reason: .unknownType))
            }
        }
    }

    /// The names in a directory, without `.` and `..`, as raw bytes.
    private static func names(in directory: FileDescriptor) throws(IngestError) -> [[UInt8]] {
        let duplicate = dup(directory.rawValue)
        guard duplicate >= 0, let stream = fdopendir(duplicate) else {
            if duplicate >= 0 { close(duplicate) }
            throw IngestError(.sourceRead, "cannot list a folder on the recorder: \(SystemCall.describe(errno))")
        }
        defer { closedir(stream) }
        var names = [[UInt8]]()
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 {
                    throw IngestError(
                        .sourceRead, "listing a folder on the recorder failed: \(SystemCall.describe(errno))",
                        errno: errno)
                }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        return names
    }
}

/// An open regular file of a ``DirectorySource``.
final class DirectoryFileStream: RecorderFileStream {
    private let descriptor: FileDescriptor
    private let file: RecorderFile

    init(descriptor: FileDescriptor, file: RecorderFile) {
        self.descriptor = descriptor
        self.file = file
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        try SystemCall.retrying(.sourceRead, "reading \(file.path) from the recorder failed") {
            Glibc.read(descriptor.rawValue, buffer.baseAddress, buffer.count)
        }
    }

    func checkUnchanged() throws(IngestError) {
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0 else {
            throw IngestError(.sourceRead, "cannot re-check \(file.path) on the recorder: \(SystemCall.describe(errno))")
        }
        let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
        guard UInt64(max(status.st_size, 0)) == file.size,
            abs(modified - file.modificationTime.timeIntervalSince1970) < 0.000_001
        else {
            throw IngestError(
                .sourceChanged,
                "\(file.path) changed on the recorder while it was copied (size \(file.size) → \(status.st_size)); "
                    + "it will be copied again at the next dock")
        }
    }
}

extension Array where Element == UInt8 {
    /// Calls `body` with the bytes as a NUL-terminated C string.
    func withNullTerminated<T>(_ body: (UnsafePointer<CChar>) -> T) -> T {
        (self + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}
