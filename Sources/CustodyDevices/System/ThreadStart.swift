import Foundation

/// Hands a worker thread's set-up result (nil, or why it could not start) to the caller that started it: the dock
/// watcher's udev thread, the USB hotplug monitor's event thread.
final class ThreadStart<Failure: Error & Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var done = false
    private var failure: Failure?

    func signal(_ error: Failure?) {
        condition.lock()
        done = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Failure? {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        return failure
    }
}
