public import CustodyCore
public import Foundation
import CCustodySystem
import Crypto
import Glibc

/// The station's footage: content-addressed files `store/sha256/ab/cd/<hex>`, mode 0440, never rewritten
/// (Art 6, Art 28), with copies in flight in `staging/` on the same file system so the final rename is atomic.
public struct ContentStore: Sendable {
    /// The store's root (`store/`).
    public let root: URL
    /// The staging folder.
    public let staging: URL
    /// The system calls on the store's files: ``StoreIO/system``, except in fault-injection tests.
    var io = StoreIO.system

    /// A store at `root` staging in `staging`; creates both folders if needed.
    public init(root: URL, staging: URL) throws(IngestError) {
        self.root = root
        self.staging = staging
        do {
            for folder in [root, staging] {
                try FileManager.default.createDirectory(
                    at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            }
        } catch {
            throw IngestError(.setup, "cannot create the store at \(root.path): \(error.localizedDescription)")
        }
    }

    /// Where the object with `digest` lives.
    public func objectURL(for digest: SHA256Hash) -> URL {
        let hex = digest.hex
        return root.appendingPathComponent("sha256").appendingPathComponent(String(hex.prefix(2)))
            .appendingPathComponent(String(hex.dropFirst(2).prefix(2))).appendingPathComponent(hex)
    }

    /// Whether an object with `digest` is stored.
    public func contains(_ digest: SHA256Hash) -> Bool {
        FileManager.default.fileExists(atPath: objectURL(for: digest).path)
    }

    /// Bytes available to Custody on the store's file system.
    public func availableBytes() throws(IngestError) -> UInt64 {
        var info = statvfs()
        try SystemCall.retrying(.setup, "cannot read the free space of \(root.path)") { statvfs(root.path, &info) }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    // MARK: - Staging

    /// Creates an exclusive staging file, locked (flock) for as long as it is open so that clean-up by another
    /// process leaves it alone, and reserves `size` bytes where the file system can.
    func createStagingFile(size: UInt64) throws(IngestError) -> StagingFile {
        var attempts = 0
        while true {
            attempts += 1
            let name = "\(getpid())-\(UUID().uuidString).part"
            let url = staging.appendingPathComponent(name)
            var direct = true
            var fd = Glibc.open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | custody_o_direct(), 0o600)
            if fd < 0 && errno == EINVAL {
                direct = false  // tmpfs and some FUSE file systems refuse custody_o_direct()
                fd = Glibc.open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            }
            guard fd >= 0 else {
                throw IngestError(
                    .storeWrite, "cannot create a staging file in \(staging.path): \(SystemCall.describe(errno))",
                    errno: errno)
            }
            // Between open and flock the file is unlocked, so a `cleanStaging` running in another ingest may take it
            // for a dead process's leftover, lock it and unlink it. Such a file is no longer ours (the copy would
            // fail at the rename): give it up and start again under a new name.
            let locked = flock(fd, LOCK_EX | LOCK_NB) == 0
            let lockTaken = !locked && errno == EWOULDBLOCK
            var status = stat()
            if lockTaken || (fstat(fd, &status) == 0 && status.st_nlink == 0) {
                close(fd)
                guard attempts < 5 else {
                    throw IngestError(
                        .storeWrite, "staging files in \(staging.path) keep being removed while they are created")
                }
                continue
            }
            return try reserve(
                StagingFile(url: url, descriptor: FileDescriptor(fd), direct: direct, io: io), size: size)
        }
    }

    /// Reserves `size` bytes for a new staging file where the file system can; discards it when they do not fit.
    private func reserve(_ file: StagingFile, size: UInt64) throws(IngestError) -> StagingFile {
        let fd = file.descriptor.rawValue
        if size > 0 {
            let result = posix_fallocate(fd, 0, off_t(clamping: size))
            if result == ENOSPC {
                file.discard()
                throw IngestError(
                    .storeFull,
                    "\(size) bytes do not fit: the store ran out of room while reserving them (other copies took it). "
                        + "Free space or add storage, then dock again", errno: ENOSPC)
            }
        }
        return file
    }

    /// Removes staging files left by processes that died (those no live process holds a lock on).
    @discardableResult
    public func cleanStaging() -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: staging.path) else { return 0 }
        var removed = 0
        for name in names where name.hasSuffix(".part") {
            let path = staging.appendingPathComponent(name).path
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if flock(fd, LOCK_EX | LOCK_NB) == 0, unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    // MARK: - Commit and verify

    /// Moves a complete, synced staging file into the store under `digest`, read-only, and syncs the folder.
    ///
    /// If the object already exists (the same bytes came before), the staging file is discarded.
    func commit(_ file: StagingFile, digest: SHA256Hash) throws(IngestError) -> CommitOutcome {
        let target = objectURL(for: digest)
        try makeFolders(for: target)
        guard fchmod(file.descriptor.rawValue, 0o440) == 0 else {
            throw IngestError(.storeWrite, "cannot make \(file.url.path) read-only: \(SystemCall.describe(errno))")
        }
        let renamed = custody_rename_noreplace(file.url.path, target.path)
        if renamed != 0 {
            let error = errno
            if error == EEXIST {
                file.discard()
                return .alreadyPresent
            }
            throw IngestError(
                .storeWrite, "cannot move the copy into the store at \(target.path): \(SystemCall.describe(error))",
                errno: error)
        }
        file.committed = true
        try syncFolder(target.deletingLastPathComponent())
        return .stored
    }

    /// Reads the stored object back from the disk, not the page cache (custody_o_direct(), else after dropping the
    /// cached pages), and returns its SHA-256: the verification hash.
    ///
    /// A reading thread keeps the disk busy while the calling thread hashes, through a ring of
    /// ``PipelinedCopier/ringSize`` buffers: the read-back costs the longer of reading and hashing, not their sum.
    public func verificationHash(of digest: SHA256Hash, progress: (Int) -> Void = { _ in }) throws(IngestError)
        -> SHA256Hash
    {
        let path = objectURL(for: digest).path
        var fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | custody_o_direct() | O_NOFOLLOW)
        if fd < 0 && errno == EINVAL {
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            if fd >= 0 { _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) }
        }
        guard fd >= 0 else {
            throw IngestError(.storeWrite, "cannot reopen \(path) to verify it: \(SystemCall.describe(errno))", errno: errno)
        }
        let ring = BufferRing(count: PipelinedCopier.ringSize, capacity: PipelinedCopier.bufferSize, consumers: 1)
        let reader = StoredObjectReader(descriptor: FileDescriptor(fd), path: path, ring: ring, io: io)
        let thread = Thread { reader.run() }
        thread.stackSize = 1 << 20
        thread.start()
        var hasher = SHA256()
        var complete = false
        while let (buffer, last) = ring.takeFull(consumer: 0) {
            hasher.update(bufferPointer: buffer.valid)
            progress(buffer.count)
            ring.release(buffer)
            if last {
                complete = true
                break
            }
        }
        reader.finished.wait()
        if let failure = ring.failure { throw failure }
        guard complete else { throw IngestError(.storeWrite, "reading back \(path) stopped before its end") }
        return SHA256Hash(bytes: Array(hasher.finalize()))!
    }

    /// Removes an object that failed verification and was never committed to the manifest.
    func removeUncommitted(_ digest: SHA256Hash) {
        let url = objectURL(for: digest)
        _ = chmod(url.path, 0o600)
        _ = unlink(url.path)
    }

    private func makeFolders(for target: URL) throws(IngestError) {
        var missing = [URL]()
        var folder = target.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.path), folder.path.count > root.path.count {
            missing.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        for created in missing.reversed() {
            if mkdir(created.path, 0o750) != 0 && errno != EEXIST {
                throw IngestError(
                    .storeWrite, "cannot create \(created.path): \(SystemCall.describe(errno))", errno: errno)
            }
            try syncFolder(created.deletingLastPathComponent())
        }
    }

    private func syncFolder(_ folder: URL) throws(IngestError) {
        let fd = Glibc.open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw IngestError(.storeWrite, "cannot open \(folder.path) to sync it: \(SystemCall.describe(errno))")
        }
        defer { close(fd) }
        try SystemCall.retrying(.storeWrite, "syncing \(folder.path) failed") { io.fsync(fd) }
    }
}

/// What committing a copy did.
enum CommitOutcome: Equatable {
    /// The copy became the stored object.
    case stored
    /// The object was already stored; the copy was discarded.
    case alreadyPresent
}

/// A copy in flight. It deletes itself unless it was committed.
final class StagingFile: @unchecked Sendable {
    let url: URL
    let descriptor: FileDescriptor
    /// Whether the descriptor was opened with custody_o_direct().
    var direct: Bool
    /// The system calls that write and sync it.
    let io: StoreIO
    var committed = false
    private var discarded = false

    init(url: URL, descriptor: FileDescriptor, direct: Bool, io: StoreIO = .system) {
        self.url = url
        self.descriptor = descriptor
        self.direct = direct
        self.io = io
    }

    func discard() {
        guard !committed, !discarded else { return }
        discarded = true
        _ = unlink(url.path)
    }

    deinit { discard() }
}

/// The reading side of a verification: reads a stored object into the ring's buffers until its end.
final class StoredObjectReader: @unchecked Sendable {
    let descriptor: FileDescriptor
    let path: String
    let ring: BufferRing
    let io: StoreIO
    let finished = DispatchSemaphore(value: 0)

    init(descriptor: FileDescriptor, path: String, ring: BufferRing, io: StoreIO = .system) {
        self.descriptor = descriptor
        self.path = path
        self.ring = ring
        self.io = io
    }

    func run() {
        defer { finished.signal() }
        while true {
            let buffer = ring.takeEmpty()
            buffer.count = 0
            do {
                while buffer.count < buffer.capacity {
                    let count = try SystemCall.retrying(.storeWrite, "reading back \(path) failed") {
                        io.read(descriptor.rawValue, buffer.pointer + buffer.count, buffer.capacity - buffer.count)
                    }
                    if count == 0 { break }
                    buffer.count += count
                }
            } catch {
                ring.giveEmpty(buffer)
                ring.fail(error)
                ring.abort()
                return
            }
            let last = buffer.count < buffer.capacity
            ring.giveFull(buffer, last: last)
            if last { return }
        }
    }
}
