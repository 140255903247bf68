import CustodyCore
import CustodyHTTP
import CustodyIngest
import CustodyManifest
import Foundation
import Logging
import ServiceLifecycle

/// custodyd's HTTP listener, built from the configuration: the feed, footage, writes, admin pages and metrics of
/// CustodyHTTP over the daemon's own manifest and content store (docs/http.md).
enum HTTPListener {
    /// The file in the runtime directory where custodyd writes the port it listens on, once it listens (useful with
    /// `http.port = 0`, as the tests use).
    static func portFile(runtimeDirectory: URL) -> URL {
        runtimeDirectory.appendingPathComponent("http.port")
    }

    /// The listener as a service, or nil when `http.enabled` is false.
    static func make(
        configuration: CustodyConfiguration, store: ManifestStore, logger: Logger
    ) throws -> (any Service)? {
        guard configuration.http.enabled else {
            logger.info("HTTP disabled (http.enabled = false)")
            return nil
        }
        let content = try ContentStore(
            root: configuration.storage.storeDirectory, staging: configuration.storage.stagingDirectory)
        let runtimeDirectory = configuration.runtimeDirectory
        let dependencies = HTTPDependencies(
            configuration: configuration.http, store: store, tokens: TokenSource(url: configuration.tokensFile),
            footage: StoreFootage(content: content),
            status: { StationStatus.read(runtimeDirectory: runtimeDirectory) },
            logger: logger, uploadWindow: configuration.upload.window)
        let http = configuration.http
        return try CustodyHTTPServer.application(dependencies) { port in
            let file = portFile(runtimeDirectory: runtimeDirectory)
            try? FileManager.default.createDirectory(at: runtimeDirectory, withIntermediateDirectories: true)
            try? Data("\(port)\n".utf8).write(to: file)
            logger.info(
                "HTTP listening",
                metadata: [
                    "http.host": "\(http.host)", "http.port": "\(port)", "http.tls": "\(http.usesTLS)",
                    "http.tokensFile": "\(configuration.tokensFile.path)",
                ])
        }
    }
}

/// The content store's objects as the HTTP module sees them.
struct StoreFootage: FootageLocator {
    let content: ContentStore

    func path(of digest: SHA256Hash) -> String? {
        content.contains(digest) ? content.objectURL(for: digest).path : nil
    }
}
