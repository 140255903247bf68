import CustodyCore
import CustodyIngest
import CustodyManifest
import Foundation
import Logging
import ServiceLifecycle

/// Re-hashes every stored object at `scrub.bytes_per_second`, pass after pass, and appends `store.corruption` for
/// any object whose bytes no longer match its name or any clip's object that is missing (Art 28).
struct ScrubService: Service {
    let scrub: StoreScrub
    let bytesPerSecond: UInt64
    let pause: Duration
    let logger: Logger

    /// The service for `configuration`, or nil when `scrub.enabled` is false.
    static func make(configuration: CustodyConfiguration, store: ManifestStore, logger: Logger) throws -> ScrubService?
    {
        guard configuration.scrub.enabled else { return nil }
        let content = try ContentStore(
            root: configuration.storage.storeDirectory, staging: configuration.storage.stagingDirectory)
        return ScrubService(
            scrub: StoreScrub(content: content, store: store), bytesPerSecond: configuration.scrub.bytesPerSecond,
            pause: .seconds(configuration.scrub.pauseSeconds), logger: logger)
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            guard await pass() else { break }
            let slept: Void? = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            if slept == nil { break }
        }
    }

    /// One paced pass over the store; false when shutdown interrupted it.
    func pass() async -> Bool {
        let started = ContinuousClock.now
        do {
            let expected = try scrub.expectedDigests()
            let objects = scrub.content.storedObjects()
            var findings = [StoreScrub.Finding]()
            var bytes: UInt64 = 0
            for object in objects {
                guard let finding = try await check(object, bytes: &bytes) else { return false }
                if let found = finding { findings.append(found) }
            }
            findings += try scrub.missing(expected: expected, present: objects)
            let recorded = try scrub.record(findings)
            for finding in findings {
                logger.error(
                    "stored object corrupt",
                    metadata: [
                        "clip.sha256": "\(finding.sha256)", "corruption.kind": "\(finding.kind.rawValue)",
                        "corruption.detail": "\(finding.detail)",
                    ])
            }
            logger.info(
                "store scrubbed",
                metadata: [
                    "scrub.objects": "\(objects.count)", "scrub.bytes": "\(bytes)",
                    "scrub.findings": "\(findings.count)",
                    "scrub.recorded": "\(recorded.count)", "scrub.duration": "\(ContinuousClock.now - started)",
                ])
        } catch {
            logger.error("scrubbing the store failed", metadata: ["error": "\(error)"])
        }
        return true
    }

    /// Hashes one object a chunk at a time, sleeping so the rate stays under `bytesPerSecond`; nil on shutdown.
    private func check(_ object: ContentStore.StoredObject, bytes: inout UInt64) async throws -> StoreScrub.Finding?? {
        let hasher: ObjectHasher
        do {
            hasher = try ObjectHasher(url: object.url)
        } catch {
            return .some(StoreScrub.Finding(sha256: object.name, kind: .unreadable, actual: nil, detail: "\(error)"))
        }
        while true {
            let count: Int?
            do {
                count = try hasher.step()
            } catch {
                return .some(
                    StoreScrub.Finding(sha256: object.name, kind: .unreadable, actual: nil, detail: "\(error)"))
            }
            guard let count else { break }
            bytes += UInt64(count)
            let seconds = Double(count) / Double(bytesPerSecond)
            let slept: Void? = try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            }
            if slept == nil || Task.isShuttingDownGracefully { return nil }
        }
        return .some(scrub.finding(object, actual: hasher.finish()))
    }
}
