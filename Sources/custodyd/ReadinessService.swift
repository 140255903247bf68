import Logging
import ServiceLifecycle

/// Announces that the daemon is ready once the service group runs (its signal handlers are installed by then, so
/// a SIGTERM sent on seeing "ready" is always a graceful shutdown), then waits for shutdown.
///
/// The docking issue adds sd_notify READY and STOPPING here.
struct ReadinessService: Service {
    let logger: Logger
    let metadata: Logger.Metadata

    func run() async throws {
        logger.info("custodyd ready", metadata: metadata)
        try? await gracefulShutdown()
        logger.info("custodyd stopping")
    }
}
