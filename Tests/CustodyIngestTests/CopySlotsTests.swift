import CustodyCore
import Foundation
import Testing

@testable import CustodyIngest

/// The station-wide copy limit (`docking.max_concurrent_copies`) shared by the ingests of several docked recorders.
@Suite struct CopySlotsTests {
    /// A source whose reads are slow and that records how many of its files are open at once, across sources.
    struct CountingSource: RecorderSource {
        let base: DirectorySource
        let gauge: Gauge
        var identity: RecorderIdentity { base.identity }
        func listFiles() throws(IngestError) -> RecorderListing { try base.listFiles() }
        func readClock() throws(IngestError) -> Date? { nil }
        func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
            CountingStream(base: try base.open(file), gauge: gauge)
        }
    }

    final class CountingStream: RecorderFileStream {
        let base: any RecorderFileStream
        let gauge: Gauge
        init(base: any RecorderFileStream, gauge: Gauge) {
            self.base = base
            self.gauge = gauge
            gauge.change(+1)
        }
        deinit { gauge.change(-1) }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
            usleep(20_000)
            return try base.read(into: buffer)
        }
        func checkUnchanged() throws(IngestError) { try base.checkUnchanged() }
    }

    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var now = 0
        private(set) var peak = 0
        func change(_ delta: Int) {
            lock.lock()
            now += delta
            peak = max(peak, now)
            lock.unlock()
        }
    }

    @Test(arguments: [1, 2])
    func twoRecordersIngestingAtOnceNeverCopyMoreFilesThanTheLimit(limit: Int) async throws {
        let station = try IngestStation()
        station.configuration.ingest.concurrentFiles = 4
        let slots = CopySlots(limit: limit)
        let service = IngestService(
            store: station.store, content: station.content, configuration: station.configuration, copySlots: slots)
        let gauge = Gauge()
        var sources = [CountingSource]()
        for (index, serial) in ["BWC000A", "BWC000B"].enumerated() {
            let root = try station.makeRecorder(serial)
            for file in 0..<6 {
                try station.write(
                    "CLIP\(file).MP4", [UInt8](repeating: UInt8(index * 16 + file), count: 5000), in: root)
            }
            sources.append(CountingSource(base: station.source(serial: serial, root: root), gauge: gauge))
        }
        let model = station.model
        let summaries = try await withThrowingTaskGroup(of: IngestSummary.self) { group in
            for source in sources {
                group.addTask { try await Task.detached { try service.ingest(source, model: model) }.value }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(summaries.map(\.ingested.count) == [6, 6])
        #expect(gauge.peak >= 1 && gauge.peak <= limit, "peak \(gauge.peak) with a limit of \(limit)")
        #expect(slots.inUse == 0)
    }

    @Test func noNewFileStartsOnceStopIsRequested() throws {
        let station = try IngestStation()
        station.configuration.ingest.concurrentFiles = 1
        for file in 0..<5 { try station.write("CLIP\(file).MP4", [UInt8](repeating: UInt8(file), count: 100)) }
        let summary = try station.service().ingest(station.source(), model: station.model, shouldStop: { true })
        #expect(summary.ingested.isEmpty)
        #expect(summary.failures.isEmpty, "files that never started are not interruptions")
        #expect(try station.entries(.ingestInterrupted).isEmpty)
    }
}
