import CustodyCore
import CustodyIngest
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// An interrupted ingest is a registered gap until a later complete ingest of the same file resolves it (Art 22).
@Suite struct InterruptionGapTests {
    @Test func interruptedCopyIsAGapResolvedByTheNextCompleteIngest() throws {
        let station = try IngestStation()
        var generator = SeededGenerator(seed: 11)
        let bytes = generator.bytes(6 << 20)
        try station.write("CLIP.MP4", bytes)
        let pulled = FaultySource(base: station.source(), faults: ["CLIP.MP4": .failRead(number: 2)])

        let first = try station.service().ingest(pulled, model: station.model)
        #expect(first.failures.count == 1)
        let interruption = try #require(try station.entries(.ingestInterrupted).first)
        #expect(first.gaps.count == 1)
        var gaps = try station.store.gaps()
        try #require(gaps.count == 1)
        #expect(gaps[0].kind == .ingestInterrupted)
        #expect(gaps[0].isOpen)
        #expect(try station.store.gaps(openOnly: true).count == 1)
        let gapEntry = try ManifestEntry(body: try station.store.entry(at: gaps[0].entryIndex).body)
        #expect(gapEntry.fields["refersTo"]?["index"]?.intValue == Int64(interruption.stored.index))
        #expect(gapEntry.fields["refersTo"]?["leaf"]?.stringValue == interruption.stored.leafHash.hex)

        // The next dock completes the file: its clip entry resolves the interruption, which closes the gap.
        let second = try station.service().ingest(station.source(), model: station.model)
        #expect(second.ingested.count == 1)
        #expect(second.gaps.isEmpty, "no new gap for a resolved interruption")
        let clip = try ManifestEntry(body: second.ingested[0].body)
        let resolves = try #require(clip.fields["resolves"]?.arrayValue)
        #expect(resolves.first?["index"]?.intValue == Int64(interruption.stored.index))
        gaps = try station.store.gaps()
        #expect(gaps.count == 1)
        #expect(gaps[0].resolvedBy == second.ingested[0].index)
        #expect(!gaps[0].isOpen)
        #expect(try station.store.gaps(openOnly: true).isEmpty)
        #expect(try station.store.indexDifferences().isEmpty)
        try station.expectAuditClean()
    }
}
