import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// A station created with `custody init` in a temporary folder, removed afterwards.
final class CLITestStation {
    let folder: URL
    let config: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("custody-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        config = folder.appendingPathComponent("custody.toml")
        let result = try custody(["init", "--origin", "test.example/station-1"])
        try #require(result.status == 0, "custody init failed: \(result.standardError)")
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    var database: URL { folder.appendingPathComponent("state/custody.sqlite") }
    var keyFile: URL { folder.appendingPathComponent("state/keys/checkpoint.key") }

    func custody(_ arguments: [String]) throws -> CommandRunner.Result {
        try CommandRunner.custody(config: config, arguments)
    }

    /// Runs plain SQL with the sqlite3 shell: a connection opened without Custody's code.
    @discardableResult
    func sqlite(_ sql: String) throws -> CommandRunner.Result {
        try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/sqlite3"), [database.path, sql])
    }
}
