public import CustodyCore
public import Foundation
import Glibc

/// A file a wipe may delete: its path on the recorder and the size and modification time it had when its
/// `clip.ingested` entry was committed.
public struct WipeTarget: Sendable, Equatable {
    /// The path relative to the recorder's root.
    public let path: RecorderPath
    /// The size the manifest holds for it.
    public let size: UInt64
    /// The modification time the manifest holds for it, whole seconds since the epoch.
    public let modifiedSeconds: Int64

    /// A target.
    public init(path: RecorderPath, size: UInt64, modifiedSeconds: Int64) {
        self.path = path
        self.size = size
        self.modifiedSeconds = modifiedSeconds
    }
}

/// Deletes verified files from a recorder mounted read-write, one at a time, re-checking each just before.
///
/// Every folder on a file's path is opened with `openat(O_DIRECTORY|O_NOFOLLOW)` from the mount's root, so a path
/// that now runs through a symbolic link is never followed; the file itself is checked with
/// `fstatat(AT_SYMLINK_NOFOLLOW)` (a regular file with the planned size and modification time) and removed with
/// `unlinkat` in the folder it was checked in. ``sync()`` then fsyncs every folder touched.
public final class RecorderEraser {
    /// Why a target was not deleted, or that it was.
    public enum Outcome: Sendable, Equatable {
        /// The file was unlinked.
        case deleted
        /// The file was left on the recorder, for this reason.
        case kept(String)
    }

    private let root: URL
    private let rootDescriptor: Int32
    /// Folders something was unlinked from, open until ``sync()``.
    private var touched: [Int32] = []

    /// Opens the root of the read-write mount at `root`.
    public init(root: URL) throws(DeviceError) {
        self.root = root
        self.rootDescriptor = try SystemCall.retrying(.wipe, "cannot open \(root.path) to wipe it") {
            open(root.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
    }

    deinit {
        for descriptor in touched { close(descriptor) }
        close(rootDescriptor)
    }

    /// Deletes `target` if it is still a regular file, reached without symbolic links, with its planned size and
    /// modification time; otherwise leaves it and says why.
    public func erase(_ target: WipeTarget) -> Outcome {
        let components = target.path.bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard let name = components.last,
            components.allSatisfy({
                !$0.isEmpty && $0.elementsEqual([0x2E]) == false && !$0.elementsEqual([0x2E, 0x2E])
            })
        else { return .kept("the path is not a plain relative path") }
        var folder = rootDescriptor
        for component in components.dropLast() {
            let next = Self.withCString(component) {
                openat(folder, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let error = errno
            if folder != rootDescriptor { close(folder) }
            guard next >= 0 else {
                return .kept(
                    error == ELOOP || error == ENOTDIR
                        ? "a folder on its path is now a symbolic link or not a folder"
                        : "a folder on its path cannot be opened: \(SystemCall.describe(error))")
            }
            folder = next
        }
        var info = stat()
        let statResult = Self.withCString(name) { fstatat(folder, $0, &info, AT_SYMLINK_NOFOLLOW) }
        let statError = errno
        func keep(_ reason: String) -> Outcome {
            if folder != rootDescriptor { close(folder) }
            return .kept(reason)
        }
        guard statResult == 0 else { return keep("it cannot be examined: \(SystemCall.describe(statError))") }
        guard info.st_mode & S_IFMT == S_IFREG else { return keep("it is no longer a regular file") }
        guard UInt64(info.st_size) == target.size, Int64(info.st_mtim.tv_sec) == target.modifiedSeconds else {
            return keep(
                "it changed since the plan (now \(info.st_size) bytes, modified \(info.st_mtim.tv_sec); the manifest "
                    + "holds \(target.size) bytes, modified \(target.modifiedSeconds))")
        }
        let unlinked = Self.withCString(name) { unlinkat(folder, $0, 0) }
        let unlinkError = errno
        guard unlinked == 0 else { return keep("it cannot be deleted: \(SystemCall.describe(unlinkError))") }
        if folder != rootDescriptor { touched.append(folder) }
        return .deleted
    }

    /// Makes the deletions durable: fsyncs every folder a file was deleted from, and the root. (The remount
    /// read-only that follows writes back the rest of the file system.)
    public func sync() throws(DeviceError) {
        for descriptor in touched {
            try SystemCall.retrying(.wipe, "fsync of a folder of \(root.path) failed") { fsync(descriptor) }
        }
        try SystemCall.retrying(.wipe, "fsync of \(root.path) failed") { fsync(rootDescriptor) }
    }

    private static func withCString<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafePointer<CChar>) -> R) -> R {
        let array = Array(bytes) + [0]
        return array.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: array.count) { body($0) }
        }
    }
}
