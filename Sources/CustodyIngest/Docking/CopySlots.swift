import Foundation

/// A station-wide limit on files copied at once, shared by the ingests of every docked recorder
/// (`docking.max_concurrent_copies`).
///
/// Each ingest still runs `ingest.concurrent_files` copy threads; a file holds a slot from the start of its copy
/// to the end of its verification and registration (on a verification thread), and a copy thread waits for a free
/// slot before it starts the next file.
public final class CopySlots: @unchecked Sendable {
    /// At most this many files copy at once.
    public let limit: Int
    private let condition = NSCondition()
    private var used = 0

    /// A limiter allowing `limit` copies at once (at least 1).
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Slots in use now.
    public var inUse: Int {
        condition.lock()
        defer { condition.unlock() }
        return used
    }

    /// Waits for a free slot and takes it; returns false, taking none, once `shouldStop` says so.
    func acquire(unless shouldStop: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while used >= limit {
            if shouldStop() { return false }
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
        }
        used += 1
        return true
    }

    /// Gives a slot back.
    func release() {
        condition.lock()
        used -= 1
        condition.signal()
        condition.unlock()
    }
}
