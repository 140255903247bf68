import CustodyCore
import CustodyIngest
import CustodyManifest
import Foundation

/// A fresh station for one measurement: its own manifest, content store and staging folder under `directory`.
struct BenchStation {
    /// The model every benchmark recorder is: every file is media, no name pattern, no source re-read.
    static let model = RecorderModel(name: "BENCH")

    let directory: URL
    let store: ManifestStore
    let content: ContentStore
    let configuration: CustodyConfiguration

    /// Removes whatever is at `directory` and creates an empty station there.
    init(fresh directory: URL) throws {
        try Self.remove(directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = CustodyConfiguration(stateDirectory: directory)
        configuration.ingest.reserveBytes = 64 << 20
        configuration.models = [Self.model]
        self.directory = directory
        self.configuration = configuration
        store = try ManifestStore.open(at: configuration.storage.databaseFile)
        content = try ContentStore(
            root: configuration.storage.storeDirectory, staging: configuration.storage.stagingDirectory)
    }

    /// A service on this station.
    func service() -> IngestService {
        IngestService(store: store, content: content, configuration: configuration)
    }

    /// Ingests `source` and checks that every listed file went in; returns the bytes copied.
    @discardableResult
    static func ingest(_ source: any RecorderSource, with service: IngestService, expecting files: Int) throws -> UInt64 {
        let summary = try service.ingest(source, model: model)
        guard summary.failures.isEmpty, summary.ingested.count == files else {
            throw BenchError(
                "ingest of \(source.identity.serial) ingested \(summary.ingested.count) of \(files) files; failures: "
                    + summary.failures.map { "\($0.path): \($0.error.message)" }.joined(separator: "; "))
        }
        return summary.bytesCopied
    }

    /// Deletes a station folder (the store's objects are read-only; root or the owner may still unlink them).
    static func remove(_ directory: URL) throws {
        guard FileManager.default.fileExists(atPath: directory.path) else { return }
        try FileManager.default.removeItem(at: directory)
    }
}
