import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody init`: the complete first step on a new station.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the configuration (if missing), the state directory, the manifest and the signing key.",
        discussion: """
            If the configuration file does not exist yet, one is written with documented defaults and a state
            directory named `state` beside it. Running init again changes nothing and prints the verifier key.
            """
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    @Option(help: "The checkpoint origin (the log's name) for a new configuration, e.g. example.gov/station-04.")
    var origin: String?

    @Option(help: "The state directory for a new configuration (default: `state` beside the configuration file).")
    var stateDirectory: String?

    func run() throws {
        let configURL = global.configURL
        var wroteConfiguration = false
        if !FileManager.default.fileExists(atPath: configURL.path) {
            let origin = origin ?? "custody.invalid/\(ProcessInfo.processInfo.hostName.split(separator: ".").first ?? "station")"
            do {
                try ManifestConfiguration.validate(origin: origin)
            } catch {
                throw CLIError(error.message)
            }
            let text = DefaultConfiguration.text(stateDirectory: stateDirectory ?? "state", origin: origin)
            do {
                try FileManager.default.createDirectory(
                    at: configURL.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: configURL, options: .withoutOverwriting)
            } catch {
                throw CLIError("cannot write the configuration \(configURL.path): \(error.localizedDescription)")
            }
            wroteConfiguration = true
        } else if origin != nil || stateDirectory != nil {
            throw CLIError(
                "\(configURL.path) already exists; --origin and --state-directory only apply to a new configuration. "
                    + "Edit the file instead.")
        }
        let configuration = try global.loadConfiguration()
        let storage = configuration.storage
        do {
            for folder in [storage.stateDirectory, storage.storeDirectory, storage.stagingDirectory] {
                try FileManager.default.createDirectory(
                    at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            }
        } catch {
            throw CLIError("cannot create the state directory \(storage.stateDirectory.path): \(error.localizedDescription)")
        }
        let store = try manifest { () throws(ManifestError) in try ManifestStore.open(at: storage.databaseFile) }
        let keyExisted = FileManager.default.fileExists(atPath: storage.checkpointKeyFile.path)
        let station = Station(configuration: configuration, store: store)
        if !keyExisted {
            _ = try manifest { () throws(ManifestError) in
                try CheckpointKeyFile.create(at: storage.checkpointKeyFile, name: configuration.manifest.origin)
            }
        }
        let signer = try station.signer()
        let size = try manifest { () throws(ManifestError) in try store.size() }
        print("Custody station ready.")
        print("  configuration  \(configURL.path)\(wroteConfiguration ? " (written with defaults)" : "")")
        print("  state          \(storage.stateDirectory.path)")
        print("  manifest       \(storage.databaseFile.path) (\(size) entries)")
        print("  signing key    \(storage.checkpointKeyFile.path) (\(keyExisted ? "existing" : "new"), mode 0600)")
        print("Verifier key (give it to the case system; it verifies every checkpoint):")
        print(signer.verifier.verifierKey)
    }
}

/// `custody verifier-key`: prints the key that verifies this station's checkpoints.
struct VerifierKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifier-key", abstract: "Print the verifier key of this station's checkpoints.")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    func run() throws {
        let station = try global.openStation(readOnly: true)
        print(try station.signer().verifier.verifierKey)
    }
}
