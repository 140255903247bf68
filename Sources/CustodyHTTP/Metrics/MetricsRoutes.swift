public import CustodyCore
public import CustodyManifest
import Foundation
public import Hummingbird
import Prometheus
import Synchronization

/// `GET /metrics` in the Prometheus text exposition format (swift-prometheus), for the station's monitoring
/// (issue 7; docs/http.md "Metrics").
///
/// The figures are computed from the manifest's query tables at each scrape, in a registry of their own, so they
/// are the manifest's truth and survive a restart of custodyd; only the footage reads are counted in the process
/// (since custodyd started), as the manifest has no index of `footage.read` entries.
public struct MetricsRoutes: Sendable {
    /// The buckets, in seconds, of the delay from a recording's end to its ingest (Art 23: 24 h by default).
    public static let delayBuckets: [Double] = [
        3_600, 6 * 3_600, 12 * 3_600, 24 * 3_600, 48 * 3_600, 72 * 3_600, 7 * 86_400,
    ]

    let store: ManifestStore
    let status: @Sendable () -> StationStatus?
    let footageReads: FootageReadCounter

    /// Serves the figures of `store`, the docked recorders `status` gives, and `footageReads`.
    public init(
        store: ManifestStore, status: @escaping @Sendable () -> StationStatus?, footageReads: FootageReadCounter
    ) {
        self.store = store
        self.status = status
        self.footageReads = footageReads
    }

    /// Adds `GET /metrics`.
    public func register(on router: Router<CustodyRequestContext>) {
        router.get("metrics") { _, context in try self.metrics(context) }
    }

    static func descriptor(_ name: String, unit: String = "", _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "custody", metricName: name, unitName: unit, helpText: help)
    }

    func metrics(_ context: CustodyRequestContext) throws -> Response {
        try context.require(anyOf: [.readFeed, .readAdminPages])
        let registry = PrometheusCollectorRegistry()
        let (size, checkpoint, clips, gaps) = try manifest { () throws(ManifestError) in
            (try store.size(), try store.latestCheckpoint(), try store.clips(limit: Int.max), try store.gaps())
        }
        registry.makeGauge(descriptor: Self.descriptor("manifest_entries", "Entries in the manifest.")).set(Int64(size))
        registry.makeGauge(
            descriptor: Self.descriptor(
                "manifest_checkpoint_entries", "Entries covered by the latest signed checkpoint.")
        ).set(Int64(checkpoint?.size ?? 0))
        registry.makeCounter(
            descriptor: Self.descriptor("clips_ingested", unit: "total", "clip.ingested entries (Art 23).")
        ).increment(by: Int64(clips.count))
        registry.makeCounter(
            descriptor: Self.descriptor(
                "bytes_ingested", unit: "total", "Bytes of footage ingested, by clip.ingested entry.")
        ).increment(by: Int64(clips.reduce(UInt64(0)) { $0 + $1.size }))
        registry.makeCounter(
            descriptor: Self.descriptor(
                "clips_late", unit: "total", "Clips ingested after their upload deadline (Art 23).")
        ).increment(by: Int64(clips.count(where: \.late)))
        let delay = registry.makeValueHistogram(
            descriptor: Self.descriptor(
                "ingest_delay", unit: "seconds", "Seconds from a recording's end to its ingest (Art 23)."),
            buckets: Self.delayBuckets)
        for clip in clips { delay.record(max(0, clip.ingestTime.timeIntervalSince(clip.recordingEnd))) }
        for kind in GapKind.allCases {
            let ofKind = gaps.filter { $0.kind == kind }
            registry.makeCounter(
                descriptor: Self.descriptor("gaps", unit: "total", "recording.gap entries by kind (Art 19, 22)."),
                labels: [("kind", kind.rawValue)]
            ).increment(by: Int64(ofKind.count))
            registry.makeGauge(
                descriptor: Self.descriptor("gaps_unexplained", "Gaps with no explanation yet, by kind (Art 22)."),
                labels: [("kind", kind.rawValue)]
            ).set(Int64(ofKind.count(where: \.isOpen)))
        }
        let station = status()
        registry.makeGauge(
            descriptor: Self.descriptor(
                "recorders_docked", "Recorders docked now (NaN when custodyd's status is unknown).")
        ).set(station.map { Double($0.recorders.count) } ?? .nan)
        registry.makeCounter(
            descriptor: Self.descriptor(
                "footage_reads", unit: "total", "Footage downloads recorded since custodyd started.")
        ).increment(by: Int64(footageReads.value))
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
}

/// The footage downloads recorded since custodyd started, for `/metrics`.
public final class FootageReadCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// A counter at zero.
    public init() {}

    /// Counts one recorded download.
    public func increment() { count.add(1, ordering: .relaxed) }

    /// The downloads counted.
    public var value: Int { count.load(ordering: .relaxed) }
}
