import CustodyCore
import CustodyManifest
import Foundation
import Logging
import ServiceLifecycle

/// Checks every hour for recorders out longer than the upload window and logs each (Art 23).
///
/// The report itself is `custody overdue`; this makes the daemon's journal show it without anyone asking.
struct OverdueService: Service {
    let store: ManifestStore
    let window: UploadWindow
    let interval: Duration
    let logger: Logger

    func run() async throws {
        check()  // once at start, whatever else happens
        while !Task.isShuttingDownGracefully {
            let slept: Void? = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if slept == nil { break }
            check()
        }
    }

    /// Logs one warning per overdue recorder; logs and carries on if the manifest cannot be read.
    func check() {
        do {
            let now = Date()
            for item in OverdueReport.overdue(recorders: try store.assignedRecorders(at: now), window: window, now: now) {
                logger.warning(
                    "recorder overdue",
                    metadata: [
                        "recorder.serial": "\(item.serial)", "officer.certificate": "\(item.officer)",
                        "recorder.outSince": "\(RFC3339.format(item.outSince))",
                        "recorder.hoursOverdue": "\(Int(item.overdueBy / 3600))",
                    ])
            }
        } catch {
            logger.error("checking overdue recorders failed", metadata: ["error": "\(error)"])
        }
    }
}
