import Foundation
import Glibc
import Logging
import ServiceLifecycle

/// Announces that the daemon is ready once the dock watcher has reported the recorders already present (and the
/// service group's signal handlers are installed, so a SIGTERM sent on seeing "ready" is always a graceful
/// shutdown): it logs "custodyd ready" and sends sd_notify READY=1. It pings the systemd watchdog while running,
/// and sends STOPPING=1 as soon as shutdown begins.
struct ReadinessService: Service {
    let logger: Logger
    let metadata: Logger.Metadata
    let notifier: SystemdNotifier
    let gate: ReadinessGate
    let board: StatusBoard

    func run() async throws {
        let opened: Void? = try? await cancelWhenGracefulShutdown { try await gate.wait() }
        if opened != nil {
            logger.info("custodyd ready", metadata: metadata)
            notifier.send(["READY=1", "STATUS=\(board.summary)", "MAINPID=\(getpid())"])
            if let interval = notifier.watchdogInterval {
                logger.info("pinging the systemd watchdog", metadata: ["watchdog.interval": "\(interval)"])
                while !Task.isShuttingDownGracefully {
                    notifier.send(["WATCHDOG=1"])
                    _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval / 2) }
                }
            } else {
                try? await gracefulShutdown()
            }
        }
        notifier.send(["STOPPING=1", "STATUS=stopping: copies in flight are rolled back"])
        logger.info("custodyd stopping")
    }
}

/// A one-shot gate: the dock service opens it once the recorders present at start are known.
final class ReadinessGate: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false

    /// Opens the gate (again does nothing).
    func open() {
        lock.lock()
        isOpen = true
        lock.unlock()
    }

    private var opened: Bool {
        lock.lock()
        defer { lock.unlock() }
        return isOpen
    }

    /// Returns once the gate is open; throws when the task is cancelled first.
    func wait() async throws {
        while !opened { try await Task.sleep(for: .milliseconds(20)) }
    }
}
