public import Foundation

/// Runs the built `custody` and `custodyd` executables in tests, the way an administrator would.
public enum CommandRunner {
    /// The folder holding the built executables: `$CUSTODY_BIN_DIR`, else the folder of the running test
    /// bundle, else `.build/debug` of this package.
    public static var binaryDirectory: URL {
        if let explicit = ProcessInfo.processInfo.environment["CUSTODY_BIN_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for candidate in [runner.deletingLastPathComponent(), runner.deletingLastPathComponent().deletingLastPathComponent()]
        where FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("custody").path) {
            return candidate
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    /// The root of this package's sources.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The `custody` CLI.
    public static var custody: URL { binaryDirectory.appendingPathComponent("custody") }
    /// The `custodyd` daemon.
    public static var custodyd: URL { binaryDirectory.appendingPathComponent("custodyd") }

    /// What a finished command printed and how it exited.
    public struct Result: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// Runs `executable` with `arguments` to completion.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a chatty command cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }

    /// Runs `custody --config <config> arguments…`.
    public static func custody(config: URL, _ arguments: [String]) throws -> Result {
        try run(custody, ["--config", config.path] + arguments)
    }
}
