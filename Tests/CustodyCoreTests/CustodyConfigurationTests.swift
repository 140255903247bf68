import CustodyCore
import Foundation
import Testing

/// The TOML configuration: defaults, relative paths, and a clear refusal of anything unknown or mistyped.
@Suite("CustodyConfiguration")
struct CustodyConfigurationTests {
    static let base = URL(fileURLWithPath: "/etc/custody", isDirectory: true)

    static func parse(_ text: String) throws(ConfigurationError) -> CustodyConfiguration {
        try CustodyConfiguration(toml: text, baseDirectory: base)
    }

    static func message(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func anEmptyFileGivesEveryDefault() throws {
        let configuration = try Self.parse("")
        #expect(configuration.storage.stateDirectory.path == "/var/lib/custody")
        #expect(configuration.manifest.origin == "custody.invalid/station")
        #expect(configuration.manifest.checkpointInterval == .seconds(60))
        #expect(configuration == CustodyConfiguration(stateDirectory: URL(fileURLWithPath: "/var/lib/custody")))
        #expect(configuration.storage.databaseFile.path == "/var/lib/custody/custody.sqlite")
        #expect(configuration.storage.checkpointKeyFile.path == "/var/lib/custody/keys/checkpoint.key")
    }

    @Test func everyKeyIsRead() throws {
        let configuration = try Self.parse(
            """
            [storage]
            state_directory = "/srv/custody"

            [manifest]
            origin = "custody.example.org/station-01"
            checkpoint_interval_seconds = 15
            """)
        #expect(configuration.storage.stateDirectory.path == "/srv/custody")
        #expect(configuration.manifest.origin == "custody.example.org/station-01")
        #expect(configuration.manifest.checkpointInterval == .seconds(15))
    }

    @Test func aRelativeStateDirectoryIsResolvedAgainstTheConfigurationsFolder() throws {
        #expect(
            try Self.parse("[storage]\nstate_directory = \"state\"").storage.stateDirectory.path == "/etc/custody/state"
        )
        #expect(try Self.parse("[storage]\nstate_directory = \"../var/x\"").storage.stateDirectory.path == "/etc/var/x")
        #expect(
            try Self.parse("[storage]\nstate_directory = \"./a/./b\"").storage.stateDirectory.path == "/etc/custody/a/b"
        )
    }

    @Test func loadReadsAFileAndResolvesAgainstItsFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "custody-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("custody.toml")
        try "[storage]\nstate_directory = \"state\"\n".write(to: file, atomically: true, encoding: .utf8)
        let configuration = try CustodyConfiguration.load(from: file)
        #expect(
            configuration.storage.stateDirectory.path == folder.appendingPathComponent("state").standardizedFileURL.path
        )
        let missing = #expect(throws: ConfigurationError.self) {
            try CustodyConfiguration.load(from: folder.appendingPathComponent("absent.toml"))
        }
        #expect(missing?.message.contains("absent.toml") == true)
    }

    @Test(arguments: [
        ("colour = 1", "colour"),
        ("[storage]\nstate_dir = \"/x\"", "storage.state_dir"),
        ("[manifest]\ncheckpoint_interval = 5", "manifest.checkpoint_interval"),
        ("[manifests]\norigin = \"a\"", "manifests"),
    ])
    func unknownKeysAreRefusedByName(_ text: String, _ key: String) {
        let message = Self.message(text)
        #expect(message?.contains("unknown setting \(key)") == true, "\(message ?? "accepted")")
    }

    @Test(arguments: [
        ("[storage]\nstate_directory = 5", "storage.state_directory must be a string"),
        ("[storage]\nstate_directory = true", "storage.state_directory must be a string"),
        ("[storage]\nstate_directory = \"\"", "storage.state_directory must not be empty"),
        ("[manifest]\norigin = 1", "manifest.origin must be a string"),
        ("[manifest]\ncheckpoint_interval_seconds = \"60\"", "manifest.checkpoint_interval_seconds must be an integer"),
        ("[manifest]\ncheckpoint_interval_seconds = 1.5", "manifest.checkpoint_interval_seconds must be an integer"),
        ("storage = \"/var/lib/custody\"", "storage must be a table"),
        ("manifest = 3", "manifest must be a table"),
    ])
    func wrongTypesAreRefusedByName(_ text: String, _ expected: String) {
        let message = Self.message(text)
        #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
    }

    @Test(arguments: ["has space", "a+b", "", "tab\\there", "line\\nbreak", "del\\u007f"])
    func anOriginThatCannotNameAKeyIsRefused(_ origin: String) {
        let message = Self.message("[manifest]\norigin = \"\(origin)\"")
        #expect(message?.contains("manifest.origin") == true, "\(message ?? "accepted")")
    }

    @Test(arguments: [0, -1, -60])
    func aCheckpointIntervalBelowOneSecondIsRefused(_ seconds: Int) {
        let message = Self.message("[manifest]\ncheckpoint_interval_seconds = \(seconds)")
        #expect(message?.contains("at least 1") == true, "\(message ?? "accepted")")
        #expect(throws: Never.self) { try Self.parse("[manifest]\ncheckpoint_interval_seconds = 1") }
    }

    @Test func invalidTOMLIsRefusedWithALineNumber() {
        let message = Self.message("[storage]\nstate_directory = \"unterminated\n")
        #expect(message?.contains("not valid TOML") == true)
        #expect(message?.contains("line 2") == true, "\(message ?? "accepted")")
    }
}
