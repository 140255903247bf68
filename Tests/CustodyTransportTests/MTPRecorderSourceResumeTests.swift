import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

@testable import CustodyTransport

/// A stall in the middle of an object, resumed within the dock: the session is reset and re-opened, the files after
/// it are copied, and the interrupted file gets one more try, whose `clip.ingested` resolves its interruption.
@Suite struct MTPRecorderSourceResumeTests {
    /// A source that re-opens a broken session the way custodyd does over USB: Device Reset, then OpenSession.
    static func resumingSource(_ responder: PTPSimulatedResponder) throws -> MTPRecorderSource {
        let session = PTPSession(transport: responder)
        try session.openSession()
        return MTPRecorderSource(
            session: session, identity: RecorderIdentity(serial: "MTP0001", model: "MTPCAM"),
            localOffset: MTPRecorderSourceTests.plus8,
            reopen: { () throws(PTPError) -> PTPSession in
                responder.reset()
                let fresh = PTPSession(transport: responder)
                try fresh.openSession()
                return fresh
            })
    }

    @Test func aStallMidObjectIsInterruptedThenTheDockResumesAndTheRetryResolvesIt() throws {
        let (responder, contents) = MTPRecorderSourceTests.recorder(files: 3)
        let buffer = PipelinedCopier.bufferSize
        let long = MTPRecorderSourceTests.bytes(2 * buffer + 500_000, seed: 78)
        responder.add(.file(50, "LONG.MP4", .bytes(long), parent: 2))  // before LOG.TXT in path order
        responder.faults = [.stallObject(50, afterBytes: UInt64(2 * buffer + 12_345))]
        var all = contents
        all["DCIM/100MEDIA/LONG.MP4"] = long
        let station = try Station(concurrentFiles: 1)
        let source = try Self.resumingSource(responder)

        let summary = try station.service().ingest(source, resuming: source, model: RecorderModel(name: "MTPCAM"))

        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(summary.ingested.count == all.count)
        // One stall, one reset; the files after it and the retry share the re-opened session.
        #expect(responder.resets == 1)
        #expect(source.reopens == 1)
        #expect(!source.currentSession.isBroken)
        let stored = try station.store.entries(start: 0, limit: 100_000)
        let decoded = try stored.map { ($0, try ManifestEntry(body: $0.body)) }
        let interruptions = decoded.filter { $0.1.type == .ingestInterrupted }
        try #require(interruptions.count == 1)
        let interrupted = interruptions[0]
        #expect(interrupted.1.fields["path"]?.stringValue == "DCIM/100MEDIA/LONG.MP4")
        #expect(interrupted.1.fields["bytesDone"]?.intValue == Int64(2 * buffer))
        // LOG.TXT, after LONG.MP4, was copied before the retry: it did not fail on the broken session.
        let order = decoded.filter { $0.1.type == .clipIngested }.map { $0.1.fields["path"]?.stringValue ?? "?" }
        #expect(order.suffix(2) == ["LOG.TXT", "DCIM/100MEDIA/LONG.MP4"])
        let retried = try #require(
            decoded.first {
                $0.1.type == .clipIngested && $0.1.fields["path"]?.stringValue == "DCIM/100MEDIA/LONG.MP4"
            })
        #expect(retried.1.fields["sha256"]?.stringValue == SHA256Hash.of(long).hex)
        let resolves = retried.1.fields["resolves"]?.arrayValue?.compactMap { $0.objectValue?["index"]?.intValue }
        #expect(resolves == [Int64(interrupted.0.index)])
        #expect(try station.storedDigests() == Set(all.values.map { SHA256Hash.of($0) }))
    }

    @Test func aRecorderThatStallsOnEveryObjectIsReopenedAtMostTheBoundAndThenFailsFast() throws {
        let (responder, contents) = MTPRecorderSourceTests.recorder(files: 5)
        responder.faults = [10, 11, 12, 13, 14, 99].map {
            PTPSimulatedResponder.Fault.stallObject($0, afterBytes: 100, times: 1_000)
        }
        let station = try Station(concurrentFiles: 2)
        let source = try Self.resumingSource(responder)

        let summary = try station.service().ingest(source, resuming: source, model: RecorderModel(name: "MTPCAM"))

        #expect(summary.ingested.isEmpty)
        #expect(summary.failures.count == contents.count)
        #expect(source.reopens == MTPRecorderSource.maximumReopens)
        #expect(responder.resets == MTPRecorderSource.maximumReopens)
        #expect(!source.canResume)
        // One interruption per file: the spent re-opens end the dock instead of a retry pass.
        #expect(try station.entries(.ingestInterrupted).count == contents.count)
    }

    @Test func withoutAReopenerABrokenSessionIsNotResumed() throws {
        let (responder, contents) = MTPRecorderSourceTests.recorder(files: 2)
        responder.faults = [.stallObject(10, afterBytes: 100)]
        let station = try Station(concurrentFiles: 1)
        let source = try MTPRecorderSourceTests.source(responder)

        let summary = try station.service().ingest(source, resuming: source, model: RecorderModel(name: "MTPCAM"))

        #expect(summary.failures.count == contents.count)
        #expect(responder.resets == 0)
        #expect(!source.canResume)
    }
}
