import CustodyCore
import CustodyIngest
import Foundation
import Glibc

/// `custody-bench throttled`: one recorder whose link delivers `--rate` bytes per second.
///
/// Each round measures, from the same throttled source: Custody's copy (copy + hash + fsync) of one file and,
/// separately, its verification read; a plain buffered copy of that file with 128 KiB reads then `fsync` (what
/// `cp` + `sync` does, fed by the same link); the whole ingest of that one file; and the whole ingest of a folder
/// of several files (`--many`), where the verification of one file can overlap the copy of the next.
///
/// `--trace FILE` appends the stage timings of every file of each many-files ingest to FILE (TSV) and prints how
/// much of that ingest the link was busy (some copy running), i.e. whether the stages overlap.
struct ThrottledCases {
    let rate: Double
    let label: String
    let single: URL
    let many: URL
    let work: URL
    let rounds: Int
    let warmups: Int
    let log: ResultLog
    let trace: URL?
    /// `--concurrent-files N`: `ingest.concurrent_files` for the ingests (default: the configuration's).
    let concurrentFiles: Int?

    init(_ arguments: Arguments, log: ResultLog) throws {
        let trace = try arguments.string("trace", default: "")
        self.trace = trace.isEmpty ? nil : URL(fileURLWithPath: trace)
        let concurrentFiles = try arguments.int("concurrent-files", default: 0)
        self.concurrentFiles = concurrentFiles > 0 ? concurrentFiles : nil
        rate = Double(try arguments.int("rate"))
        label = try arguments.string("label")
        single = try arguments.url("single")
        many = try arguments.url("many")
        work = try arguments.url("work")
        rounds = try arguments.int("rounds", default: 3)
        warmups = try arguments.int("warmups", default: 1)
        self.log = log
    }

    private var identity: RecorderIdentity { RecorderIdentity(serial: "BWC0001", model: "BENCH") }

    func run() throws {
        let key = "throttle.\(label)"
        log.record("\(key).rate", rate)
        log.record("\(key).single_bytes", Double(try Shell.size(of: single)))
        let manyFiles = try DirectorySource(root: many, identity: identity).listFiles().files
        log.record("\(key).many_bytes", Double(manyFiles.reduce(0) { $0 + $1.size }))
        log.record("\(key).many_files", Double(manyFiles.count))
        for file in manyFiles { try Shell.warm(many.appendingPathComponent(file.path.display)) }
        try Shell.warm(single)
        for round in -warmups..<rounds {
            print("throttled \(label): \(round < 0 ? "warm-up" : "round \(round + 1) of \(rounds)")")
            let keep = round >= 0
            let station = work.appendingPathComponent("station")
            let singleSource = FilteredSource(
                inner: DirectorySource(root: single.deletingLastPathComponent(), identity: identity),
                names: [single.lastPathComponent])

            try BenchStation.remove(station)
            sync()
            let content = try ContentStore(
                root: station.appendingPathComponent("store"), staging: station.appendingPathComponent("staging"))
            let listed = try singleSource.listFiles().files[0]
            let throttled = ThrottledSource(inner: singleSource, bucket: TokenBucket(bytesPerSecond: rate))
            var copy: PipelinedCopier.BenchmarkCopy?
            let copySeconds = try Stopwatch.seconds {
                copy = try PipelinedCopier.benchmarkCopy(from: try throttled.open(listed), size: listed.size, into: content)
            }
            let verifySeconds = try Stopwatch.seconds { _ = try content.verificationHash(of: copy!.digest) }

            try BenchStation.remove(station)
            sync()
            let plainSeconds = try plainCopy(listed, from: singleSource)

            var bench = try BenchStation(fresh: station, concurrentFiles: concurrentFiles)
            sync()
            let ingestSingle = try Stopwatch.seconds {
                try BenchStation.ingest(
                    ThrottledSource(inner: singleSource, bucket: TokenBucket(bytesPerSecond: rate)),
                    with: bench.service(), expecting: 1)
            }

            bench = try BenchStation(fresh: station, concurrentFiles: concurrentFiles)
            sync()
            let timeline = StageTimeline()
            let service = bench.service(trace: trace == nil ? nil : timeline)
            let origin = Stopwatch.nanoseconds()
            let ingestMany = try Stopwatch.seconds {
                try BenchStation.ingest(
                    ThrottledSource(
                        inner: DirectorySource(root: many, identity: identity),
                        bucket: TokenBucket(bytesPerSecond: rate)),
                    with: service, expecting: manyFiles.count)
            }
            if let trace {
                let end = Stopwatch.nanoseconds()
                let name = "\(key).many.\(round < 0 ? "warmup" : String(round + 1))"
                try timeline.append(to: trace, case: name, origin: origin)
                print(
                    String(
                        format: "  many files: %.3f s; some copy running %.1f %%, some verification %.1f %% of it",
                        ingestMany, 100 * timeline.coverage(of: .copy, from: origin, to: end),
                        100 * timeline.coverage(of: .verification, from: origin, to: end)))
            }
            if keep {
                log.record("\(key).copy", copySeconds)
                log.record("\(key).verify", verifySeconds)
                log.record("\(key).plain_cp_sync", plainSeconds)
                log.record("\(key).ingest_single", ingestSingle)
                log.record("\(key).ingest_many", ingestMany)
            }
        }
        try BenchStation.remove(work.appendingPathComponent("station"))
    }

    /// Reads through a fresh throttled link with 128 KiB reads (cp's buffer), writes through the page cache, and
    /// syncs the file: `cp` + `sync` from the same source.
    private func plainCopy(_ file: RecorderFile, from source: any RecorderSource) throws -> Double {
        let output = work.appendingPathComponent("plain.out")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { unlink(output.path) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 << 10, alignment: 4096)
        defer { buffer.deallocate() }
        let throttled = ThrottledSource(inner: source, bucket: TokenBucket(bytesPerSecond: rate))
        return try Stopwatch.seconds {
            let stream = try throttled.open(file)
            let fd = open(output.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw BenchError("cannot create \(output.path)") }
            defer { close(fd) }
            while true {
                let count = try stream.read(into: buffer)
                if count == 0 { break }
                var done = 0
                while done < count {
                    let written = write(fd, buffer.baseAddress! + done, count - done)
                    guard written > 0 else { throw BenchError("writing \(output.path) failed") }
                    done += written
                }
            }
            guard fsync(fd) == 0 else { throw BenchError("fsync of \(output.path) failed") }
        }
    }
}
