import ArgumentParser
import CustodyCore
import CustodyIngest
import CustodyManifest
import Foundation

/// `custody ingest`: ingests a mounted recorder folder by hand (card readers, recovery), through the same
/// pipeline the daemon uses.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Copy, verify and register the footage of a mounted recorder folder.",
        discussion: """
            Mount the card read-only first. Files already in the manifest are skipped, so running this again is
            safe. Exits 0 when every file was ingested or already present, 1 when any file failed (each failure is
            also an ingest.interrupted entry).
            """
    )

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    @Option(help: "The recorder's serial number.")
    var serial: String

    @Option(help: "The recorder's model, as named in [[models]] of the configuration.")
    var model: String

    @Argument(help: "The recorder's mounted root folder.")
    var path: String

    func validate() throws {
        guard RecorderIdentity.isValidSerial(serial) else {
            throw ValidationError("--serial must be 1-64 printable characters without spaces or '/'")
        }
    }

    func run() throws {
        let station = try global.openStation(readOnly: false)
        guard let recorderModel = station.configuration.model(named: model) else {
            let known = station.configuration.models.map(\.name)
            throw CLIError(
                "no model named \"\(model)\" in \(global.configURL.path); "
                    + (known.isEmpty ? "add a [[models]] table (see config/custody.toml)" : "known: \(known.joined(separator: ", "))"))
        }
        let storage = station.configuration.storage
        let content: ContentStore
        do {
            content = try ContentStore(root: storage.storeDirectory, staging: storage.stagingDirectory)
        } catch {
            throw CLIError(error.message)
        }
        content.cleanStaging()  // copies left by a process that died; live ones (custodyd's) are locked and kept
        let source = DirectorySource(
            root: URL(fileURLWithPath: path), identity: RecorderIdentity(serial: serial, model: model))
        let service = IngestService(store: station.store, content: content, configuration: station.configuration)
        let meter = ProgressLine()
        let summary: IngestSummary
        do {
            summary = try service.ingest(source, model: recorderModel, progress: { meter.show($0) })
        } catch {
            meter.clear()
            throw CLIError(error.message)
        }
        meter.clear()
        print(
            "\(serial): \(summary.ingested.count) clip\(summary.ingested.count == 1 ? "" : "s") ingested "
                + "(\(ByteCount(summary.bytesCopied))), \(summary.alreadyIngested) already in the manifest, "
                + "\(summary.notMedia) not media, \(summary.refused.count) refused, \(summary.failures.count) failed")
        for refused in summary.refused {
            print("  refused  \(refused.path)  (\(refused.reason.rawValue); not read)")
        }
        for failure in summary.failures {
            print("  FAILED   \(failure.path): \(failure.error.message)")
        }
        if let gapError = summary.gapRegistrationError { print("  GAPS NOT REGISTERED: \(gapError.message)") }
        if !summary.failures.isEmpty || summary.gapRegistrationError != nil { throw ExitCode(1) }
    }
}

/// A progress line on standard error, redrawn at most ten times a second, only on a terminal.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDrawn = Date.distantPast
    private let enabled = isatty(STDERR_FILENO) == 1

    func show(_ progress: IngestProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.1 || progress.filesDone == progress.filesTotal else { return }
        lastDrawn = now
        let percent = progress.bytesTotal > 0 ? Int(Double(progress.bytesCopied) * 100 / Double(progress.bytesTotal)) : 100
        let line =
            "\r\u{1B}[K\(progress.filesDone)/\(progress.filesTotal) files  \(ByteCount(progress.bytesCopied))/"
            + "\(ByteCount(progress.bytesTotal))  \(percent)%  \(ByteCount(UInt64(progress.throughput)))/s"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// A byte count for people: 1.5 GB, 320 MB.
struct ByteCount: CustomStringConvertible {
    let bytes: UInt64
    init(_ bytes: UInt64) { self.bytes = bytes }

    var description: String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
