import Foundation

/// The threads of one stage of an ingest: `count` threads of their own running `body`, and a wait for all of them.
///
/// Plain threads, not `DispatchQueue.concurrentPerform`: on Linux its extra iterations run on libdispatch's global
/// pool, which is as wide as the CPU count and shared by every caller, so with several recorders docked (or a
/// loaded pool) an ingest's `ingest.concurrent_files` workers often ran one after the other on the caller's thread.
final class StageThreads: Sendable {
    private let group = DispatchGroup()

    /// Starts `count` threads named `name`; each runs `body` with its index.
    init(count: Int, name: String, body: @escaping @Sendable (Int) -> Void) {
        for index in 0..<count {
            group.enter()
            let thread = Thread { [group] in
                body(index)
                group.leave()
            }
            thread.name = name
            thread.start()
        }
    }

    /// Blocks until every thread has returned from its body.
    func wait() { group.wait() }
}

/// A bounded first-in, first-out hand-over between the threads of two stages; `close` ends it once drained.
final class StageQueue<Job: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var closed = false
    private let capacity: Int

    /// A queue holding at most `capacity` jobs (at least 1) that no thread has taken yet.
    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds `job`, waiting while the queue is full.
    func put(_ job: Job) {
        condition.lock()
        defer { condition.unlock() }
        while jobs.count >= capacity { condition.wait() }
        jobs.append(job)
        condition.broadcast()
    }

    /// The next job, waiting for one; nil once the queue is closed and empty.
    func take() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !closed { condition.wait() }
        if jobs.isEmpty { return nil }
        let job = jobs.removeFirst()
        condition.broadcast()
        return job
    }

    /// No more jobs will come: takers return nil once the queue is empty.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
