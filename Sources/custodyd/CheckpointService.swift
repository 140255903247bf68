import CustodyManifest
import Logging
import ServiceLifecycle

/// Signs a checkpoint on a schedule whenever the manifest has grown, and once more on graceful shutdown
/// (shared/DESIGN.md "Checkpoints").
struct CheckpointService: Service {
    let store: ManifestStore
    let signer: NoteSigner
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            let slept: Void? = try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: interval)
            }
            if slept == nil && !Task.isShuttingDownGracefully { break }
            signIfGrown()
        }
        signIfGrown()
    }

    /// Signs a checkpoint if entries were appended since the last one; logs and carries on if signing fails.
    func signIfGrown() {
        do {
            let before = try store.latestCheckpoint()?.size
            let checkpoint = try store.signCheckpoint(with: signer)
            if checkpoint.size != before {
                logger.info(
                    "signed checkpoint",
                    metadata: ["checkpoint.size": "\(checkpoint.size)", "checkpoint.root": "\(checkpoint.root.hex)"])
            }
        } catch {
            logger.error("signing a checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
