import CustodyCore
import CCustodySystem
import Crypto
import Foundation
import Glibc

/// Copies a recorder file into a staging file in one pass, computing its SHA-256 (the acquisition hash) as the
/// bytes go by.
///
/// Three threads share a ring of ``ringSize`` buffers of ``bufferSize`` bytes. The calling thread reads the
/// recorder into an empty buffer; a hashing thread feeds each full buffer to SHA-256 while a writer thread writes
/// the same buffer to the staging file, with O_DIRECT where the file system allows; a buffer is refilled once both
/// are done with it. Reading, hashing and writing overlap, so a copy goes at the pace of the slowest of the three
/// (the device, or SHA-256 on one core), not of their sum, and memory stays at 16 MiB per copy whatever the file
/// size. Each buffer is filled completely before it is handed over, so only the last write can be partial;
/// O_DIRECT is switched off for that one (it needs whole blocks).
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
        let ring = BufferRing(count: ringSize, capacity: bufferSize, consumers: 2)
        let writer = StagingWriter(staging: staging, ring: ring)
        let hasher = RingHasher(ring: ring)
        for body in [{ writer.run() }, { hasher.run() }] as [@Sendable () -> Void] {
            let thread = Thread(block: body)
            thread.stackSize = 1 << 20
            thread.start()
        }

        var total: UInt64 = 0
        var readError: IngestError?
        reading: while true {
            if let failure = ring.failure { readError = failure; break }
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
            total += UInt64(buffer.count)
            progress(buffer.count)
            let last = buffer.count < buffer.capacity
            ring.giveFull(buffer, last: last)
            if last { break }
        }
        if readError != nil { ring.abort() }
        writer.finished.wait()
        hasher.finished.wait()
        if let readError { throw readError }
        if let failure = ring.failure { throw failure }
        try SystemCall.retrying(.storeWrite, "syncing the copy in \(staging.url.path) failed") {
            staging.io.fsync(staging.descriptor.rawValue)
        }
        return Result(digest: hasher.digest!, bytes: total)
    }
}

/// The ring of buffers between the reader and its consumers (the writer and the hasher of a copy, or the hasher of
/// a verification read). A full buffer goes to every consumer in order, and back to the reader once each of them
/// has released it.
final class BufferRing: @unchecked Sendable {
    private let condition = NSCondition()
    private var empty: [AlignedBuffer]
    private var queues: [[(buffer: AlignedBuffer, last: Bool)]]
    private var holders: [ObjectIdentifier: Int] = [:]
    private var aborted = false
    private var firstFailure: IngestError?

    init(count: Int, capacity: Int, consumers: Int) {
        empty = (0..<count).map { _ in AlignedBuffer(capacity: capacity) }
        queues = Array(repeating: [], count: consumers)
    }

    /// The first failure reported by a consumer (or by the reader of a verification).
    var failure: IngestError? {
        condition.lock()
        defer { condition.unlock() }
        return firstFailure
    }

    /// An empty buffer, once one is free.
    func takeEmpty() -> AlignedBuffer {
        condition.lock()
        defer { condition.unlock() }
        while empty.isEmpty { condition.wait() }
        return empty.removeLast()
    }

    /// Returns a buffer the reader took but did not fill.
    func giveEmpty(_ buffer: AlignedBuffer) {
        condition.lock()
        empty.append(buffer)
        condition.broadcast()
        condition.unlock()
    }

    /// Hands a filled buffer to every consumer.
    func giveFull(_ buffer: AlignedBuffer, last: Bool) {
        condition.lock()
        holders[ObjectIdentifier(buffer)] = queues.count
        for consumer in queues.indices { queues[consumer].append((buffer, last)) }
        condition.broadcast()
        condition.unlock()
    }

    /// The next full buffer for `consumer`, or nil once the reader aborted and nothing is left for it.
    func takeFull(consumer: Int) -> (buffer: AlignedBuffer, last: Bool)? {
        condition.lock()
        defer { condition.unlock() }
        while queues[consumer].isEmpty && !aborted { condition.wait() }
        if queues[consumer].isEmpty { return nil }
        return queues[consumer].removeFirst()
    }

    /// A consumer is done with `buffer`; the last one to release it makes it empty again.
    func release(_ buffer: AlignedBuffer) {
        condition.lock()
        let key = ObjectIdentifier(buffer)
        let left = holders[key, default: 1] - 1
        if left == 0 {
            holders[key] = nil
            empty.append(buffer)
            condition.broadcast()
        } else {
            holders[key] = left
        }
        condition.unlock()
    }

    /// The reader stops: consumers finish what they were given and return.
    func abort() {
        condition.lock()
        aborted = true
        condition.broadcast()
        condition.unlock()
    }

    /// A consumer failed; the reader sees it before its next buffer.
    func fail(_ error: IngestError) {
        condition.lock()
        if firstFailure == nil { firstFailure = error }
        condition.broadcast()
        condition.unlock()
    }
}

/// The hashing side of a ring: feeds every full buffer, in order, to SHA-256.
final class RingHasher: @unchecked Sendable {
    let ring: BufferRing
    let consumer: Int
    let finished = DispatchSemaphore(value: 0)
    /// The digest, once the last buffer went through (nil if the reader aborted).
    private(set) var digest: SHA256Hash?

    init(ring: BufferRing, consumer: Int = 1) {
        self.ring = ring
        self.consumer = consumer
    }

    func run() {
        defer { finished.signal() }
        var hasher = SHA256()
        while let (buffer, last) = ring.takeFull(consumer: consumer) {
            hasher.update(bufferPointer: buffer.valid)
            ring.release(buffer)
            if last {
                digest = SHA256Hash(bytes: Array(hasher.finalize()))!
                return
            }
        }
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
        while let (buffer, last) = ring.takeFull(consumer: 0) {
            if !failed {
                do {
                    try write(buffer)
                } catch {
                    failed = true
                    ring.fail(error)
                }
            }
            ring.release(buffer)
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
                staging.io.write(fd, buffer.pointer + written, buffer.count - written)
            }
            written += count
        }
    }
}
