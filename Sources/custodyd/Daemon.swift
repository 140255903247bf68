import CustodyCore
import CustodyDevices
import CustodyHTTP
import CustodyIngest
import CustodyManifest
import Foundation
import Logging
import ServiceLifecycle

/// `custodyd`: the station daemon. It checks the manifest's tail, records its start, and runs its services until
/// SIGTERM or SIGINT, then shuts down gracefully.
@main
enum Daemon {
    static func main() async {
        let level = ProcessInfo.processInfo.environment["CUSTODY_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let toJournal = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in
            if toJournal { return JournalLogHandler(logLevel: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
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
        let notifier = SystemdNotifier()
        let board = StatusBoard(runtimeDirectory: configuration.runtimeDirectory, notifier: notifier, logger: logger)
        let gate = ReadinessGate()
        let settings = DockSettings(configuration)
        let readiness = ReadinessService(
            logger: logger, metadata: ["config": "\(configURL.path)", "version": "\(CustodyVersion.current)"],
            notifier: notifier, gate: gate, board: board)
        // Shut down in reverse order: reloads stop, STOPPING=1 is sent, docks roll back and record their undock,
        // and the checkpoint service signs a last checkpoint covering all of it.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: checkpoints)]
        services.append(
            .init(
                service: OverdueService(
                    store: store, window: configuration.upload.window, interval: .seconds(3600), logger: logger)))
        if let scrub = try ScrubService.make(configuration: configuration, store: store, logger: logger) {
            services.append(.init(service: scrub))  // the store scrub (Art 28), paced by [scrub]
        }
        if configuration.docking.enabled {
            let content = try ContentStore(
                root: configuration.storage.storeDirectory, staging: configuration.storage.stagingDirectory)
            // Copies left by a process that died, removed once before any dock starts (live ones are locked and
            // kept, e.g. a `custody ingest` running beside the daemon).
            content.cleanStaging()
            let ingest = IngestService(
                store: store, content: content, configuration: configuration,
                copySlots: CopySlots(limit: configuration.docking.maxConcurrentCopies))
            services.append(
                .init(
                    service: DockService(
                        watcher: DockWatcher(
                            tag: configuration.docking.tag,
                            usbHotplug: configuration.docking.mtpWatcher == .libusb
                                ? DockWatcher.usbHotplugMatches(for: configuration.models) : nil,
                            logger: logger),
                        ingest: ingest,
                        store: store, content: content, settings: settings, board: board, gate: gate, logger: logger)))
            logger.info(
                "docking enabled",
                metadata: [
                    "docking.tag": "\(configuration.docking.tag)",
                    "docking.mtpWatcher": "\(configuration.docking.mtpWatcher.rawValue)",
                    "docking.runtimeDirectory": "\(configuration.runtimeDirectory.path)",
                    "docking.models": "\(configuration.models.filter { $0.usbVendorID != nil }.map(\.name).joined(separator: ","))",
                ])
        } else {
            gate.open()
            logger.info("docking disabled (docking.enabled = false)")
        }
        if let http = try HTTPListener.make(configuration: configuration, store: store, logger: logger) {
            services.append(.init(service: http))  // feed, footage, writes, admin pages, metrics (docs/http.md)
        }
        services.append(.init(service: readiness))
        services.append(
            .init(service: ReloadService(configURL: configURL, settings: settings, notifier: notifier, logger: logger)))
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Time-boxed: a copy in flight stops at its next 4 MiB buffer; the unit's TimeoutStopSec is longer.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(30)
        let group = ServiceGroup(configuration: groupConfiguration)
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
