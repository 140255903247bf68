import CustodyCore
import CCustodySystem
import Crypto
import Foundation
import Glibc

/// Copies a recorder file into a staging file in one pass, computing its SHA-256 (the acquisition hash) as the
/// bytes go by.
///
/// The calling thread reads and hashes; a writer thread writes, with O_DIRECT where the file system allows, so
/// hashing hides behind the device. They hand each other a ring of ``ringSize`` buffers of ``bufferSize`` bytes:
/// memory stays at 16 MiB per copy whatever the file size. Each buffer is filled completely before it is handed
/// over, so only the last write can be partial; O_DIRECT is switched off for that one (it needs whole blocks).
public enum PipelinedCopier {
    /// The size of each buffer.
    public static let bufferSize = 4 << 20
    /// The number of buffers in the ring.
    public static let ringSize = 4

    /// The result of a copy.
    struct Result {
        let digest: SHA256Hash
        let bytes: UInt64
    }

    /// Copies `stream` into `staging` and syncs it; `progress` is called with each buffer's byte count;
    /// `shouldStop` is polled between buffers.
    static func copy(
        from stream: any RecorderFileStream, to staging: StagingFile, progress: (Int) -> Void,
        shouldStop: () -> Bool
    ) throws(IngestError) -> Result {
        let ring = BufferRing(count: ringSize, capacity: bufferSize)
        let writer = StagingWriter(staging: staging, ring: ring)
        let thread = Thread { writer.run() }
        thread.stackSize = 1 << 20
        thread.start()

        var hasher = SHA256()
        var total: UInt64 = 0
        var readError: IngestError?
        reading: while true {
            if let failure = ring.writerFailure { readError = failure; break }
            if shouldStop() {
                readError = IngestError(.cancelled, "the copy was stopped")
                break
            }
            let buffer = ring.takeEmpty()
            buffer.count = 0
            while buffer.count < buffer.capacity {
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer.full[buffer.count...])
                let count: Int
                do {
                    count = try stream.read(into: slice)
                } catch {
                    ring.giveEmpty(buffer)
                    readError = error
                    break reading
                }
                if count == 0 { break }
                buffer.count += count
            }
            hasher.update(bufferPointer: buffer.valid)
            total += UInt64(buffer.count)
            progress(buffer.count)
            let last = buffer.count < buffer.capacity
            ring.giveFull(buffer, last: last)
            if last { break }
        }
        if readError != nil { ring.abort() }
        writer.finished.wait()
        if let readError { throw readError }
        if let failure = ring.writerFailure { throw failure }
        try SystemCall.retrying(.storeWrite, "syncing the copy in \(staging.url.path) failed") {
            fsync(staging.descriptor.rawValue)
        }
        return Result(digest: SHA256Hash(bytes: Array(hasher.finalize()))!, bytes: total)
    }
}

/// The ring of buffers between the reader and the writer.
final class BufferRing: @unchecked Sendable {
    private let condition = NSCondition()
    private var empty: [AlignedBuffer]
    private var full: [(AlignedBuffer, Bool)] = []
    private var aborted = false
    private var failure: IngestError?

    init(count: Int, capacity: Int) {
        empty = (0..<count).map { _ in AlignedBuffer(capacity: capacity) }
    }

    var writerFailure: IngestError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    func takeEmpty() -> AlignedBuffer {
        condition.lock()
        defer { condition.unlock() }
        while empty.isEmpty { condition.wait() }
        return empty.removeLast()
    }

    func giveEmpty(_ buffer: AlignedBuffer) {
        condition.lock()
        empty.append(buffer)
        condition.broadcast()
        condition.unlock()
    }

    func giveFull(_ buffer: AlignedBuffer, last: Bool) {
        condition.lock()
        full.append((buffer, last))
        condition.broadcast()
        condition.unlock()
    }

    /// The next full buffer, or nil once the reader aborted.
    func takeFull() -> (AlignedBuffer, Bool)? {
        condition.lock()
        defer { condition.unlock() }
        while full.isEmpty && !aborted { condition.wait() }
        if full.isEmpty { return nil }
        return full.removeFirst()
    }

    func abort() {
        condition.lock()
        aborted = true
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ error: IngestError) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }
}

/// The writer side: writes full buffers in order until the last one, or until the reader aborts.
final class StagingWriter: @unchecked Sendable {
    let staging: StagingFile
    let ring: BufferRing
    let finished = DispatchSemaphore(value: 0)

    init(staging: StagingFile, ring: BufferRing) {
        self.staging = staging
        self.ring = ring
    }

    func run() {
        defer { finished.signal() }
        var failed = false
        while let (buffer, last) = ring.takeFull() {
            if !failed {
                do {
                    try write(buffer)
                } catch {
                    failed = true
                    ring.fail(error)
                }
            }
            ring.giveEmpty(buffer)
            if last { return }
        }
    }

    private func write(_ buffer: AlignedBuffer) throws(IngestError) {
        let fd = staging.descriptor.rawValue
        if staging.direct && buffer.count % AlignedBuffer.alignment != 0 {
            // O_DIRECT needs whole blocks: the file's tail goes through the page cache.
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags & ~custody_o_direct())
            staging.direct = false
        }
        var written = 0
        while written < buffer.count {
            let count = try SystemCall.retrying(.storeWrite, "writing the copy to \(staging.url.path) failed") {
                Glibc.write(fd, buffer.pointer + written, buffer.count - written)
            }
            written += count
        }
    }
}
