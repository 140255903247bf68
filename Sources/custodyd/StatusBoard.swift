import CustodyCore
import CustodyIngest
import Foundation
import Glibc
import Logging

/// What the daemon shows of itself: `status.json` in the runtime directory (read by `custody status`) and the
/// sd_notify STATUS line ("2 recorders docked, 1 ingesting").
final class StatusBoard: @unchecked Sendable {
    let file: URL
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let started = RFC3339.format(Date())
    private let lock = NSLock()
    private var docks: [Dock] = []
    private var ignored: [String: StationStatus.IgnoredDevice] = [:]
    private var stopping = false
    private var lastSummary = ""
    private var warned = false

    init(runtimeDirectory: URL, notifier: SystemdNotifier, logger: Logger) {
        self.file = StationStatus.fileURL(runtimeDirectory: runtimeDirectory)
        self.notifier = notifier
        self.logger = logger
    }

    func add(_ dock: Dock) { locked { docks.append(dock) } }

    func remove(_ dock: Dock) { locked { docks.removeAll { $0 === dock } } }

    func ignore(syspath: String, device: String, reason: String) {
        locked { ignored[syspath] = .init(device: device, reason: reason) }
    }

    func forget(syspath: String) { _ = locked { ignored.removeValue(forKey: syspath) } }

    func setStopping() { locked { stopping = true } }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// "no recorders docked", "2 recorders docked, 1 ingesting".
    var summary: String {
        let states = locked { docks }.map { $0.snapshot.state }
        guard !states.isEmpty else { return "no recorders docked" }
        let ingesting = states.filter { $0 == "ingesting" || $0 == "mounting" }.count
        return "\(states.count) recorder\(states.count == 1 ? "" : "s") docked, \(ingesting) ingesting"
    }

    /// Writes `status.json` (atomically) and, when the summary changed, sends it as sd_notify STATUS.
    func publish() {
        let (current, ignoredNow, isStopping) = locked { (docks, ignored, stopping) }
        var status = StationStatus(pid: getpid(), started: started, updated: RFC3339.format(Date()))
        status.stopping = isStopping
        status.recorders = current.map(\.snapshot)
        status.ignored = ignoredNow.keys.sorted().compactMap { ignoredNow[$0] }
        do {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            // Write beside the file and rename over it: Foundation's `.atomic` on Linux leaves a
            // TemporaryDirectory.* folder in /tmp on every write.
            let temporary = file.appendingPathExtension("tmp")
            try encoder.encode(status).write(to: temporary)
            guard rename(temporary.path, file.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
            }
        } catch {
            if !locked({
                let first = !warned; warned = true; return first
            }) {
                return
            }
            logger.warning("cannot write the status file", metadata: ["file": "\(file.path)", "error": "\(error)"])
        }
        let text = summary
        let changed = locked {
            defer { lastSummary = text }
            return lastSummary != text
        }
        if changed { notifier.send(["STATUS=\(text)"]) }
    }

    /// Removes the status file: the daemon has stopped.
    func remove() {
        try? FileManager.default.removeItem(at: file)
    }
}
