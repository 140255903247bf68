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

    /// Removes whatever is at `directory` and creates an empty station there; `concurrentFiles` overrides
    /// `ingest.concurrent_files` (default: the configuration's default).
    init(fresh directory: URL, concurrentFiles: Int? = nil) throws {
        try Self.remove(directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = CustodyConfiguration(stateDirectory: directory)
        configuration.ingest.reserveBytes = 64 << 20
        if let concurrentFiles { configuration.ingest.concurrentFiles = concurrentFiles }
        configuration.models = [Self.model]
        self.directory = directory
        self.configuration = configuration
        store = try ManifestStore.open(at: configuration.storage.databaseFile)
        content = try ContentStore(
            root: configuration.storage.storeDirectory, staging: configuration.storage.stagingDirectory)
    }

    /// A service on this station; `trace`, when given, collects each file's stage timings.
    func service(trace: StageTimeline? = nil) -> IngestService {
        var stageTrace: (@Sendable (IngestStageEvent) -> Void)?
        if let trace { stageTrace = { trace.record($0) } }
        return IngestService(store: store, content: content, configuration: configuration, stageTrace: stageTrace)
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
