import Foundation
import Glibc
import Testing

/// custodyd inside a controller process (a umockdev testbed): commands go to the controller's standard input, one
/// answer line each. ``DockRig`` (mass storage, scripts/umockdev-dock) and ``MTPDockRig`` (a fake PTP/MTP USB
/// device) are its two controllers; this class holds what they share: the process, the line protocol, custodyd's
/// start and stop, its log, the manifest entries and the status file.
class DaemonController {
    let station: CLITestStation
    /// custodyd's standard output and error.
    let log: URL
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()
    /// The controller's name in failure messages.
    private let name: String

    /// Starts `executable arguments…` (the controller, not yet custodyd), with `environment` added to its own.
    init(
        station: CLITestStation, name: String, executable: String, arguments: (_ log: URL) -> [String],
        environment: [String: String] = [:]
    ) throws {
        self.station = station
        self.name = name
        log = station.folder.appendingPathComponent("custodyd.log")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(log)
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
    }

    deinit {
        try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Sends one command and returns its one-line answer.
    @discardableResult
    func send(_ command: String) throws -> String {
        try input.fileHandleForWriting.write(contentsOf: Data((command + "\n").utf8))
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer = Data(buffer[(newline + 1)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            try #require(!chunk.isEmpty, "\(name) ended; custodyd log:\n\(daemonLog)")
            buffer += chunk
        }
    }

    /// Sends `command` and requires the answer `ok`.
    func require(_ command: String) throws {
        let reply = try send(command)
        try #require(reply == "ok", "\(command): \(reply)")
    }

    /// Starts custodyd and requires its READY=1.
    func start() throws {
        let reply = try send("start")
        try #require(reply == "ready", "\(reply); custodyd log:\n\(daemonLog)")
    }

    /// Stops custodyd with SIGTERM; returns its exit status.
    func stop() throws -> Int32? {
        let reply = try send("stop")
        return reply.hasPrefix("exited ") ? Int32(reply.dropFirst(7)) : nil
    }

    var daemonLog: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Every manifest entry, parsed, with `_index` and `_leaf`.
    func entries() throws -> [[String: Any]] {
        let result = try station.custody(["entries", "--json", "--limit", "100000"])
        try #require(result.status == 0, "\(result.standardError)")
        return try result.standardOutput.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            var body = try #require(object?["body"] as? [String: Any])
            body["_index"] = object?["index"]
            body["_leaf"] = object?["leaf"]
            return body
        }
    }

    /// Entries of `type`.
    func entries(_ type: String) throws -> [[String: Any]] {
        try entries().filter { $0["type"] as? String == type }
    }

    /// The daemon's status file, parsed.
    func status() -> [String: Any]? {
        let file = station.stateDirectory.appendingPathComponent("run/status.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// The status of the recorder `serial`.
    func recorder(_ serial: String) -> [String: Any]? {
        (status()?["recorders"] as? [[String: Any]])?.first { $0["serial"] as? String == serial }
    }

    /// Polls `condition` until it holds; fails the test (with the daemon's log) after `seconds`, a safety net for a
    /// condition that never comes, not a measure of speed.
    func waitUntil(_ what: String, seconds: Double = 120, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        Issue.record("timed out waiting until \(what); custodyd log:\n\(daemonLog)")
        throw CancellationError()
    }
}
