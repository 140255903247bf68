import Foundation

/// A byte source over bytes already in memory, for tests and for prefixes buffered by a transport.
///
/// It records the largest single read requested, so tests can check that a reader's memory use
/// is bounded no matter what sizes the data declares.
public final class InMemoryByteSource: ByteSource, @unchecked Sendable {
    /// The bytes this source serves.
    public let bytes: [UInt8]
    // Sendable by hand: `statistics` is only touched while `lock` is held.
    private let lock = NSLock()
    private var statistics = Statistics()

    private struct Statistics {
        var largestRequest = 0
        var requestCount = 0
    }

    /// Creates a source that serves `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The number of bytes in the source.
    public var size: UInt64 { UInt64(bytes.count) }

    /// The largest `count` any call to ``read(at:count:)`` has asked for so far.
    public var largestReadRequested: Int { lock.withLock { statistics.largestRequest } }

    /// How many times ``read(at:count:)`` has been called so far.
    public var readRequestCount: Int { lock.withLock { statistics.requestCount } }

    /// Reads up to `count` bytes starting at `offset`; fewer only where the bytes end.
    public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        lock.withLock {
            statistics.largestRequest = max(statistics.largestRequest, count)
            statistics.requestCount += 1
        }
        guard count > 0, offset < size else { return [] }
        let start = Int(offset)
        let end = start + min(count, bytes.count - start)
        return Array(bytes[start..<end])
    }
}
