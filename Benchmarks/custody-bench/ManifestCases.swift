import CustodyCore
import CustodyManifest
import Crypto
import Foundation

/// `custody-bench manifest`: a manifest grown to each of `--sizes` entries with realistic `clip.ingested`
/// entries, appended in transactions of `--grow-batch` (default `--batch`). At each size: a checkpoint is signed, then the full
/// audit (`custody verify`) and the start-up check (open + `checkTail`) are timed. At the largest size also:
/// inclusion and consistency proofs, single durable appends (one clip's entry per transaction) and batched ones
/// (`--batch` and 100 per transaction).
struct ManifestCases {
    let work: URL
    let sizes: [Int]
    let batch: Int
    let growBatch: Int
    let rounds: Int
    let proofs: Int
    let singles: Int
    let log: ResultLog

    init(_ arguments: Arguments, log: ResultLog) throws {
        work = try arguments.url("work")
        sizes = try arguments.ints("sizes").sorted()
        batch = try arguments.int("batch", default: 10_000)
        growBatch = try arguments.int("grow-batch", default: batch)
        rounds = try arguments.int("rounds", default: 3)
        proofs = try arguments.int("proofs", default: 1000)
        singles = try arguments.int("singles", default: 200)
        self.log = log
    }

    private let start = Date(timeIntervalSince1970: 1_796_000_000)

    /// The entry a clip ingest would append for clip number `number`.
    private func entry(_ number: Int) throws -> ManifestEntry {
        let recorded = start.addingTimeInterval(Double(number) * 60)
        let clip = ClipRecord(
            recorder: RecorderIdentity(serial: String(format: "BWC%04d", number % 64), model: "GA947"),
            path: RecorderPath(String(format: "DCIM/100MEDIA/CLIP%07d.MP4", number))!,
            size: 1_073_741_824 + UInt64(number), modificationTime: recorded.addingTimeInterval(300),
            sha256: SHA256Hash(bytes: Array(SHA256.hash(data: withUnsafeBytes(of: number) { Data($0) })))!,
            recordingStart: recorded, recordingEnd: recorded.addingTimeInterval(300), timeSource: .mp4,
            container: .mp4, durationMilliseconds: 300_000, sequence: number,
            officer: Officer(certificate: String(format: "6400%04d", number % 500), name: "张伟"),
            ingestTime: recorded.addingTimeInterval(3600), deadline: recorded.addingTimeInterval(86_700), late: false)
        return try .clipIngested(clip, verifiedBy: ["storeReread"])
    }

    private func entries(_ range: Range<Int>) throws -> [ManifestEntry] { try range.map(entry) }

    func run() throws {
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let url = work.appendingPathComponent("manifest.sqlite")
        for suffix in ["", "-wal", "-shm"] { unlink(url.path + suffix) }
        let store = try ManifestStore.open(at: url)
        let signer = try NoteSigner.generate(name: "bench.invalid/station")
        var size = 0
        log.record("manifest.entry_bytes", Double(try entry(0).body.count))
        log.record("manifest.grow_batch", Double(growBatch))
        log.record("manifest.batch", Double(batch))
        for milestone in sizes {
            print("manifest: growing to \(milestone) entries")
            while size < milestone {
                let count = min(growBatch, milestone - size)
                let next = try entries(size..<size + count)
                let seconds = try Stopwatch.seconds { _ = try store.append(contentsOf: next) }
                if count >= min(growBatch, 10_000) { log.record("manifest.build_rate", Double(count) / seconds) }
                size += count
            }
            try store.signCheckpoint(with: signer)
            print("manifest: audit and start-up at \(milestone)")
            for round in -1..<rounds {
                var report: AuditReport?
                let seconds = try Stopwatch.seconds { report = try store.audit(verifier: signer.verifier) }
                guard report!.isClean, report!.size == UInt64(size) else { throw BenchError("the audit found problems") }
                if round >= 0 { log.record("manifest.audit.\(milestone)", seconds) }
            }
            for round in -1..<max(rounds, 5) {
                var tail: TailReport?
                let seconds = try Stopwatch.seconds {
                    let reopened = try ManifestStore.open(at: url)
                    tail = try reopened.checkTail(verifier: signer.verifier)
                }
                guard tail!.size == UInt64(size) else { throw BenchError("checkTail saw \(tail!.size) entries") }
                if round >= 0 { log.record("manifest.startup.\(milestone)", seconds) }
            }
        }
        print("manifest: proofs at \(size)")
        var generator = SystemRandomNumberGenerator()
        for round in -10..<proofs {
            let index = UInt64.random(in: 0..<UInt64(size), using: &generator)
            let seconds = try Stopwatch.seconds { _ = try store.inclusionProof(index: index) }
            if round >= 0 { log.record("manifest.inclusion.\(size)", seconds) }
        }
        for round in -10..<proofs {
            let from = UInt64.random(in: 1..<UInt64(size), using: &generator)
            let seconds = try Stopwatch.seconds { _ = try store.consistencyProof(from: from) }
            if round >= 0 { log.record("manifest.consistency.\(size)", seconds) }
        }
        print("manifest: single and batched durable appends at \(size)")
        for round in -5..<singles {
            let next = try entry(size)
            let seconds = try Stopwatch.seconds { _ = try store.append(next) }
            size += 1
            if round >= 0 { log.record("manifest.single.\(sizes.last!)", seconds) }
        }
        for _ in 0..<rounds {
            let next = try entries(size..<size + batch)
            let seconds = try Stopwatch.seconds { _ = try store.append(contentsOf: next) }
            size += batch
            log.record("manifest.batched.\(sizes.last!)", Double(batch) / seconds)
        }
        for _ in 0..<rounds {
            let next = try entries(size..<size + 100)
            let seconds = try Stopwatch.seconds { _ = try store.append(contentsOf: next) }
            size += 100
            log.record("manifest.batched100.\(sizes.last!)", 100 / seconds)
        }
    }
}
