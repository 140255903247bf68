import CustodyCore
import CustodyManifest
import Foundation
import Logging
import ServiceLifecycle

/// `custodyd`: the station daemon. It checks the manifest's tail, records its start, and runs its services until
/// SIGTERM or SIGINT, then shuts down gracefully.
@main
enum Daemon {
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["CUSTODY_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
            return handler
        }
        let logger = Logger(label: "custodyd")
        let arguments: DaemonArguments
        do {
            arguments = try DaemonArguments(CommandLine.arguments.dropFirst())
        } catch {
            FileHandle.standardError.write(Data("custodyd: \(error)\n\(DaemonArguments.usage)\n".utf8))
            exit(64)
        }
        if arguments.help {
            print(DaemonArguments.usage)
            return
        }
        do {
            try await run(configURL: arguments.configURL, logger: logger)
        } catch {
            logger.critical("custodyd stopped", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    static func run(configURL: URL, logger: Logger) async throws {
        let configuration = try CustodyConfiguration.load(from: configURL)
        let store = try ManifestStore.open(at: configuration.storage.databaseFile)
        let signer = try CheckpointKeyFile.load(from: configuration.storage.checkpointKeyFile)
        guard signer.name == configuration.manifest.origin else {
            throw ConfigurationError(
                "the signing key is named \"\(signer.name)\" but manifest.origin is \"\(configuration.manifest.origin)\"")
        }
        let tail: TailReport
        do {
            tail = try store.checkTail(verifier: signer.verifier)
        } catch {
            throw ManifestError(
                .inconsistent,
                "the manifest failed its start-up tail check, so custodyd will not append to it: \(error.message). "
                    + "Run `custody verify` for a full report and keep the database as evidence")
        }
        logger.info(
            "manifest tail verified",
            metadata: [
                "manifest.size": "\(tail.size)", "checkpoint.size": "\(tail.checkpointSize.map(String.init) ?? "none")",
                "manifest.path": "\(store.url.path)",
            ])
        let started = try ManifestEntry(
            type: .daemonStarted, time: Date(),
            fields: [
                "version": .string(CustodyVersion.current),
                "treeSize": .int(Int64(tail.size)),
                "checkpointSize": tail.checkpointSize.map { .int(Int64($0)) } ?? .null,
            ])
        try store.append(started)
        let checkpoints = CheckpointService(
            store: store, signer: signer, interval: configuration.manifest.checkpointInterval,
            logger: logger)
        checkpoints.signIfGrown()
        let readiness = ReadinessService(
            logger: logger, metadata: ["config": "\(configURL.path)", "version": "\(CustodyVersion.current)"])
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: checkpoints), .init(service: readiness)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("custodyd stopped cleanly")
    }
}

/// The daemon's command line: `custodyd [--config FILE]`.
struct DaemonArguments {
    static let usage = """
        usage: custodyd [--config FILE]
          --config FILE   the configuration (default: $CUSTODY_CONFIG, else /etc/custody/custody.toml)
        """

    var configURL: URL
    var help = false

    init(_ arguments: ArraySlice<String>) throws {
        var config = ProcessInfo.processInfo.environment["CUSTODY_CONFIG"] ?? "/etc/custody/custody.toml"
        var remaining = arguments
        while let argument = remaining.popFirst() {
            switch argument {
            case "--config":
                guard let value = remaining.popFirst() else { throw ConfigurationError("--config needs a file") }
                config = value
            case "--help", "-h":
                help = true
            default:
                throw ConfigurationError("unknown argument \(argument)")
            }
        }
        configURL = URL(fileURLWithPath: config).standardizedFileURL
    }
}
