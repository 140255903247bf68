import Foundation

/// A token bucket (GCRA): lets `bytesPerSecond` through on average with bursts of at most `burstBytes`, by
/// sleeping the caller. One bucket stands for one recorder's link, shared by all its open files.
final class TokenBucket: @unchecked Sendable {
    /// The sustained rate.
    let bytesPerSecond: Double
    private let burstNanoseconds: UInt64
    private let lock = NSLock()
    private var theoreticalArrival: UInt64 = 0

    init(bytesPerSecond: Double, burstBytes: Int = 256 << 10) {
        self.bytesPerSecond = bytesPerSecond
        self.burstNanoseconds = UInt64(Double(burstBytes) / bytesPerSecond * 1e9)
    }

    /// Blocks until `count` more bytes may pass.
    func take(_ count: Int) {
        lock.lock()
        let now = Stopwatch.nanoseconds()
        theoreticalArrival = max(now, theoreticalArrival) + UInt64(Double(count) / bytesPerSecond * 1e9)
        let release = theoreticalArrival > burstNanoseconds ? theoreticalArrival - burstNanoseconds : 0
        lock.unlock()
        if release > now { Stopwatch.sleep(nanoseconds: release - now) }
    }
}
