// How many threads run the two iterations of `DispatchQueue.concurrentPerform(iterations: 2)` when N threads call
// it at once and each iteration blocks for 200 ms, as a copy blocks on I/O (Benchmarks/NOTES.md, "Copy and
// verification as two stages"). Not part of the package:
//
//     swiftc -O Benchmarks/dispatch-width.swift -o /tmp/dispatch-width
//     for n in 1 2 8 32; do /tmp/dispatch-width $n; done
import Dispatch
import Foundation

final class Tally: @unchecked Sendable {
    let lock = NSLock()
    var serial = 0
    var parallel = 0
}

let callers = Int(CommandLine.arguments.dropFirst().first ?? "8") ?? 8
let tally = Tally()
let group = DispatchGroup()
let start = Date()
for _ in 0..<callers {
    group.enter()
    let thread = Thread {
        let lock = NSLock()
        nonisolated(unsafe) var threads = Set<UInt>()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            lock.lock()
            threads.insert(UInt(bitPattern: Int(pthread_self())))
            lock.unlock()
            usleep(200_000)
        }
        tally.lock.lock()
        if threads.count == 1 { tally.serial += 1 } else { tally.parallel += 1 }
        tally.lock.unlock()
        group.leave()
    }
    thread.start()
}
group.wait()
print(
    "\(callers) callers: both iterations on one thread in \(tally.serial), on two threads in \(tally.parallel); "
        + String(format: "%.2f s (0.20 s if every call ran both at once)", Date().timeIntervalSince(start)))
