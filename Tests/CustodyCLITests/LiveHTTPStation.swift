import CustodyTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A station with custodyd running and listening on a free loopback port, a caseSystem token, and the daemon's log
/// drained in the background; the daemon is stopped with SIGTERM when this goes away.
final class LiveHTTPStation {
    let station: CLITestStation
    let daemon: Process
    let port: UInt16
    let token: String
    private let drained = DispatchGroup()

    /// Creates the station with `notes` entries besides the daemon's own, then starts custodyd.
    init(notes: Int) throws {
        station = try CLITestStation()
        try station.setConfiguration("http", "port", "0")
        if notes > 0 {
            #expect(try station.custody(["append-note", "--text", "load", "--count", "\(notes)"]).status == 0)
        }
        let added = try station.custody(["tokens", "add", "--name", "consumer", "--role", "caseSystem"])
        token = try #require(added.standardOutput.split(separator: "\n").first.map(String.init))
        let (daemon, err, startLog) = try station.startDaemon(until: "HTTP listening")
        self.daemon = daemon
        drained.enter()
        let log = err.fileHandleForReading
        DispatchQueue.global().async { [drained] in
            _ = log.readDataToEndOfFile()
            drained.leave()
        }
        let portText = try? String(
            contentsOf: station.stateDirectory.appendingPathComponent("run/http.port"), encoding: .utf8)
        guard let port = portText.flatMap({ UInt16($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
            throw CLIStartError(log: startLog)
        }
        self.port = port
    }

    deinit { stop() }

    private func stop() {
        if daemon.isRunning { kill(daemon.processIdentifier, SIGTERM) }
        daemon.waitUntilExit()
        drained.wait()
    }

    /// custodyd's resident set size in KiB, from /proc.
    func residentKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(daemon.processIdentifier)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? ""))
    }

    /// One authenticated GET on a fresh connection.
    func get(_ path: String) throws -> (status: Int, body: [UInt8])? {
        try RawConnection.get(port: port, path, token: token)
    }
}

/// custodyd did not report a port.
struct CLIStartError: Error, CustomStringConvertible {
    let log: String
    var description: String { "custodyd did not start listening:\n\(log)" }
}
