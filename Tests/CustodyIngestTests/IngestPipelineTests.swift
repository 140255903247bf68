import CustodyCore
import CustodyTesting
import Foundation
import Testing

@testable import CustodyIngest

/// The two stages of an ingest: copy threads copy files into staging and hand them to verification threads, which
/// commit them and register a clip only after its read-back matched.
@Suite struct IngestPipelineTests {
    /// A recorder whose second opened file delivers nothing until `gate` opens (or 30 s pass).
    struct GatedSource: RecorderSource {
        let base: DirectorySource
        let gate: Gate
        let opened: OpenLog
        var identity: RecorderIdentity { base.identity }
        func listFiles() throws(IngestError) -> RecorderListing { try base.listFiles() }
        func readClock() throws(IngestError) -> Date? { nil }
        func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
            let stream = try base.open(file)
            return opened.add(file.path) == 1 ? GatedStream(base: stream, gate: gate) : stream
        }
    }

    final class GatedStream: RecorderFileStream {
        let base: any RecorderFileStream
        let gate: Gate
        init(base: any RecorderFileStream, gate: Gate) {
            self.base = base
            self.gate = gate
        }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
            gate.wait(seconds: 30)
            return try base.read(into: buffer)
        }
        func checkUnchanged() throws(IngestError) { try base.checkUnchanged() }
    }

    final class Gate: @unchecked Sendable {
        private let condition = NSCondition()
        private var isOpen = false
        func open() {
            condition.lock()
            isOpen = true
            condition.broadcast()
            condition.unlock()
        }
        func wait(seconds: Double) {
            let deadline = Date().addingTimeInterval(seconds)
            condition.lock()
            while !isOpen && condition.wait(until: deadline) {}
            condition.unlock()
        }
    }

    /// The paths opened, in order.
    final class OpenLog: @unchecked Sendable {
        private let lock = NSLock()
        private var paths = [RecorderPath]()
        /// Adds `path`; returns its position.
        func add(_ path: RecorderPath) -> Int {
            lock.lock()
            defer { lock.unlock() }
            paths.append(path)
            return paths.count - 1
        }
        var all: [RecorderPath] {
            lock.lock()
            defer { lock.unlock() }
            return paths
        }
    }

    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var events = [IngestStageEvent]()
        func add(_ event: IngestStageEvent) {
            lock.lock()
            events.append(event)
            lock.unlock()
        }
        func event(_ path: RecorderPath, _ stage: IngestStageEvent.Stage) -> IngestStageEvent? {
            lock.lock()
            defer { lock.unlock() }
            return events.first { $0.path == path && $0.stage == stage }
        }
    }

    @Test func theNextFileIsCopiedWhileThePreviousOneIsVerifiedEvenWithOneFileAtATime() throws {
        let station = try IngestStation()
        station.configuration.ingest.concurrentFiles = 1
        var generator = SeededGenerator(seed: 7)
        for file in 0..<2 { try station.write("CLIP\(file).MP4", generator.bytes(5 << 20)) }
        let gate = Gate()
        let events = EventLog()
        // The second file's copy may only read once a verification has finished: with the verification on the
        // copy thread (as before), it would start only after the first file was registered.
        let service = IngestService(
            store: station.store, content: station.content, configuration: station.configuration,
            stageTrace: { event in
                events.add(event)
                if event.stage == .verification { gate.open() }
            })
        let opened = OpenLog()
        let summary = try service.ingest(
            GatedSource(base: station.source(), gate: gate, opened: opened), model: station.model)

        #expect(summary.ingested.count == 2)
        #expect(summary.failures.isEmpty)
        let order = opened.all
        try #require(order.count == 2)
        let first = try #require(events.event(order[0], .verification))
        let nextCopy = try #require(events.event(order[1], .copy))
        #expect(nextCopy.started < first.finished, "the second copy began only after the first verification")
        for path in order {
            // Each file's own stages stay in order: copied, committed, read back, then registered.
            let stages = try [IngestStageEvent.Stage.copy, .commit, .verification, .registration].map { stage in
                try #require(events.event(path, stage), "no \(stage) for \(path)")
            }
            for (earlier, later) in zip(stages, stages.dropFirst()) {
                #expect(earlier.finished <= later.started, "\(path): \(earlier.stage) overlaps \(later.stage)")
            }
        }
        #expect(try station.storedObjects().count == 2)
        #expect(try station.stagingContents().isEmpty)
        try station.expectAuditClean()
    }
}
