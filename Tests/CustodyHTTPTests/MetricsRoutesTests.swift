import CustodyCore
import CustodyHTTP
import CustodyManifest
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /metrics`: Prometheus text computed from the manifest at scrape time (docs/http.md "Metrics").
@Suite struct MetricsRoutesTests {
    /// The sample lines of an exposition, by series (name with labels).
    static func samples(_ text: String) -> [String: Double] {
        var samples = [String: Double]()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        return samples
    }

    @Test func theFiguresComeFromTheManifestAndTheStationStatus() async throws {
        let station = try HTTPTestStation(entries: 2)
        let first = try station.ingest([1, 2, 3])
        try station.ingest(Array(repeating: 9, count: 1000), name: "20261130_090000_0002.MP4")
        var status = StationStatus(pid: 1, started: "2026-11-30T08:00:00Z", updated: "2026-11-30T08:00:00Z")
        status.recorders = [
            .init(
                serial: "BWC-0001", model: "TestCam", bay: "1", device: "/dev/sdb1", fileSystem: "exfat",
                docked: "2026-11-30T08:00:00Z")
        ]
        station.status.withLock { $0 = status }
        try await station.application().test(.router) { client in
            let content = try await client.execute(
                uri: "/v1/clips/\(first.sha256.hex)/content", method: .get, headers: station.authorization(.admin))
            #expect(content.status == .ok)
            let response = try await client.execute(
                uri: "/metrics", method: .get, headers: station.authorization(.auditor))
            #expect(response.status == .ok)
            let samples = Self.samples(String(buffer: response.body))
            #expect(samples["custody_clips_ingested_total"] == 2)
            #expect(samples["custody_bytes_ingested_total"] == 1003)
            #expect(samples["custody_clips_late_total"] == 0)
            #expect(samples["custody_recorders_docked"] == 1)
            #expect(samples["custody_footage_reads_total"] == 1)
            // 2 notes, 2 clips and the footage.read entry.
            #expect(samples["custody_manifest_entries"] == 5)
            #expect(samples["custody_manifest_checkpoint_entries"] == 2)
            #expect(samples["custody_gaps_total{kind=\"missingSequence\"}"] == 0)
            // Both clips were ingested an hour after they ended: in the 1 h bucket.
            #expect(samples["custody_ingest_delay_seconds_bucket{le=\"3600.0\"}"] == 2)
            #expect(samples["custody_ingest_delay_seconds_count"] == 2)
        }
    }

    @Test func metricsNeedAReadingRole() async throws {
        let station = try HTTPTestStation()
        try await station.application().test(.router) { client in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .unauthorized)
            let officer = try await client.execute(
                uri: "/metrics", method: .get, headers: station.authorization(.officer))
            #expect(officer.status == .forbidden)
        }
    }
}
