import CustodyCore
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl reload custodyd`) re-reads the configuration and takes its recorder models, bays and mount
/// programs for the recorders that dock from then on. A configuration that does not load is refused with an
/// error in the log, and the models in use stay.
struct ReloadService: Service {
    let configURL: URL
    let settings: DockSettings
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            notifier.send(["RELOADING=1"])
            do {
                let configuration = try CustodyConfiguration.load(from: configURL)
                settings.reload(configuration)
                logger.info(
                    "reloaded recorder models",
                    metadata: [
                        "config": "\(configURL.path)",
                        "models": "\(configuration.models.map(\.name).joined(separator: ","))",
                    ])
            } catch {
                logger.error(
                    "reloading the configuration failed; the models in use stay",
                    metadata: ["config": "\(configURL.path)", "error": "\(error)"])
            }
            notifier.send(["READY=1"])
        }
    }
}
