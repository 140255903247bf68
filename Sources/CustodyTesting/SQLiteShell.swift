public import Foundation

/// Runs the `sqlite3` command-line tool on a database file: a plain connection opened without any of Custody's
/// code, settings or pragmas, as an administrator with shell access would open the manifest.
///
/// Used to show that the manifest's schema refuses changes by itself, and to tamper with a manifest on purpose.
public enum SQLiteShell {
    /// Where Debian installs the tool.
    public static let executable = URL(fileURLWithPath: "/usr/bin/sqlite3")

    /// What one run of the tool printed, and how it exited.
    public struct Output: Sendable, CustomStringConvertible {
        /// The exit status; 0 when every statement succeeded.
        public let status: Int32
        /// What the tool printed on standard output.
        public let standardOutput: String
        /// What the tool printed on standard error (error messages, such as a trigger's).
        public let standardError: String

        /// Whether the tool exited with status 0 and printed no error.
        public var succeeded: Bool { status == 0 && standardError.isEmpty }

        public var description: String {
            "sqlite3 exited \(status); stdout: \(standardOutput); stderr: \(standardError)"
        }
    }

    /// Runs `sql` (one or more statements) on the database at `database`, stopping at the first error.
    public static func run(_ sql: String, on database: URL) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-bail", "-batch", database.path, sql]
        let standardOutput = Pipe()
        let standardError = Pipe()
        process.standardOutput = standardOutput
        process.standardError = standardError
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = standardOutput.fileHandleForReading.readDataToEndOfFile()
        let error = standardError.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            standardOutput: String(decoding: output, as: UTF8.self),
            standardError: String(decoding: error, as: UTF8.self))
    }

    /// Every row of the manifest's three tables, as text, in a fixed order: to show that data did not change.
    public static func dumpManifest(_ database: URL) throws -> String {
        let output = try run(
            """
            SELECT 'entry', seq, hex(body), hex(leaf) FROM entry ORDER BY seq;
            SELECT 'subtree', level, idx, hex(hash) FROM subtree ORDER BY level, idx;
            SELECT 'checkpoint', size, hex(root), hex(note) FROM checkpoint ORDER BY size;
            """, on: database)
        guard output.succeeded else { throw SQLiteShellError(output: output) }
        return output.standardOutput
    }

    /// Formats bytes as an SQL blob literal, `x'…'`.
    public static func blobLiteral(_ bytes: some Sequence<UInt8>) -> String {
        "x'"
            + bytes.map { byte in
                let text = String(byte, radix: 16)
                return byte < 16 ? "0" + text : text
            }.joined() + "'"
    }

    /// Quotes text as an SQL string literal.
    public static func textLiteral(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// The `sqlite3` tool failed where the test expected it to succeed.
public struct SQLiteShellError: Error, CustomStringConvertible {
    /// What the tool printed.
    public let output: SQLiteShell.Output

    /// Wraps what the tool printed.
    public init(output: SQLiteShell.Output) {
        self.output = output
    }

    public var description: String { output.description }
}
