import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// The options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: $CUSTODY_CONFIG, else /etc/custody/custody.toml).")
    var config: String?

    /// The configuration file's location.
    var configURL: URL {
        let path = config ?? ProcessInfo.processInfo.environment["CUSTODY_CONFIG"] ?? "/etc/custody/custody.toml"
        return URL(fileURLWithPath: path).standardizedFileURL
    }

    /// Loads the configuration.
    func loadConfiguration() throws -> CustodyConfiguration {
        do {
            return try CustodyConfiguration.load(from: configURL)
        } catch {
            throw CLIError(error.message)
        }
    }

    /// Opens the station: configuration and manifest.
    func openStation(readOnly: Bool) throws -> Station {
        let configuration = try loadConfiguration()
        let store: ManifestStore
        do {
            store = try ManifestStore.open(at: configuration.storage.databaseFile, readOnly: readOnly)
        } catch {
            throw CLIError(error.description)
        }
        return Station(configuration: configuration, store: store)
    }
}

/// An opened station: its configuration and manifest.
struct Station {
    let configuration: CustodyConfiguration
    let store: ManifestStore

    /// Loads the checkpoint signing key and checks it belongs to this station's origin.
    func signer() throws -> NoteSigner {
        let signer: NoteSigner
        do {
            signer = try CheckpointKeyFile.load(from: configuration.storage.checkpointKeyFile)
        } catch {
            throw CLIError(error.description)
        }
        guard signer.name == configuration.manifest.origin else {
            throw CLIError(
                "the signing key is named \"\(signer.name)\" but manifest.origin is \"\(configuration.manifest.origin)\"; "
                    + "the origin names the log and cannot change under the same key")
        }
        return signer
    }
}

/// A failure the CLI reports in one sentence that says what to do.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Wraps a manifest call so its error reaches the user as a sentence.
func manifest<T>(_ body: () throws(ManifestError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw CLIError(error.description)
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
