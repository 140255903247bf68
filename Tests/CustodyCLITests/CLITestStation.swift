import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// A station created with `custody init` in a temporary folder, removed afterwards.
final class CLITestStation {
    let folder: URL
    let config: URL
    /// The station's state directory: `state` beside the configuration unless given to ``init(stateDirectory:)``.
    let stateDirectory: URL

    /// Creates the station; `stateDirectory`, when given, is passed to `custody init --state-directory`.
    init(stateDirectory: URL? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("custody-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        config = folder.appendingPathComponent("custody.toml")
        self.stateDirectory = stateDirectory ?? folder.appendingPathComponent("state")
        var arguments = ["init", "--origin", "test.example/station-1"]
        if let stateDirectory { arguments += ["--state-directory", stateDirectory.path] }
        let result = try custody(arguments)
        try #require(result.status == 0, "custody init failed: \(result.standardError)")
        // Tests run in parallel: each daemon listens on a port of its own (written to `httpPortFile` once bound).
        try setConfiguration("http", "port", "0")
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    var database: URL { stateDirectory.appendingPathComponent("custody.sqlite") }
    var keyFile: URL { stateDirectory.appendingPathComponent("keys/checkpoint.key") }
    /// The content store's root, holding `sha256/ab/cd/<hex>`.
    var storeDirectory: URL { stateDirectory.appendingPathComponent("store") }
    /// Where copies in flight live.
    var stagingDirectory: URL { stateDirectory.appendingPathComponent("staging") }
    /// Where a running custodyd writes the HTTP port it listens on (the runtime directory defaults to `run`).
    var httpPortFile: URL { stateDirectory.appendingPathComponent("run/http.port") }

    func custody(_ arguments: [String]) throws -> CommandRunner.Result {
        try CommandRunner.custody(config: config, arguments)
    }

    /// Appends TOML (a `[[models]]` table, an `[ingest]` table…) to the station's configuration file.
    func appendConfiguration(_ toml: String) throws {
        let handle = try FileHandle(forWritingTo: config)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + toml + "\n").utf8))
    }

    /// Sets `key = value` (`value` already written as TOML) in the configuration's `[table]`: replaces the key's
    /// line when the table has one, else adds it under the table's header, appending the table when missing.
    func setConfiguration(_ table: String, _ key: String, _ value: String) throws {
        var lines = try String(contentsOf: config, encoding: .utf8).components(separatedBy: "\n")
        let line = "\(key) = \(value)"
        func trimmed(_ index: Int) -> String { lines[index].trimmingCharacters(in: .whitespaces) }
        if let header = lines.indices.first(where: { trimmed($0) == "[\(table)]" }) {
            var end = header + 1
            while end < lines.count, !trimmed(end).hasPrefix("[") { end += 1 }
            if let existing = (header + 1..<end).first(where: {
                trimmed($0).hasPrefix("\(key) ") || trimmed($0).hasPrefix("\(key)=")
            }) {
                lines[existing] = line
            } else {
                lines.insert(line, at: header + 1)
            }
        } else {
            lines += ["[\(table)]", line, ""]
        }
        try Data(lines.joined(separator: "\n").utf8).write(to: config)
    }

    /// Starts custodyd on this station and returns once its log shows `line` (or it exited), with that log.
    func startDaemon(until line: String = "custodyd ready") throws -> (Process, Pipe, String) {
        let process = Process()
        process.executableURL = CommandRunner.custodyd
        process.arguments = ["--config", config.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var log = ""
        while !log.contains(line) {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the daemon exited
            log += String(decoding: chunk, as: UTF8.self)
        }
        return (process, err, log)
    }

    /// Runs plain SQL with the sqlite3 shell: a connection opened without Custody's code.
    @discardableResult
    func sqlite(_ sql: String) throws -> CommandRunner.Result {
        try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/sqlite3"), [database.path, sql])
    }
}
