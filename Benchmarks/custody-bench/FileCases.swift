import CustodyCore
import CustodyIngest
import Foundation
import Glibc

/// `custody-bench files`: the same recorder files ingested by Custody and copied and hashed by the usual tools,
/// interleaved in each round, with a cold page cache (dropped before every measurement) and a warm one.
///
/// `--source` is the mounted recorder image: one folder per size label, each holding one file.
struct FileCases {
    let source: URL
    let labels: [String]
    let work: URL
    let caches: [String]
    let rounds: Int
    let warmups: Int
    let log: ResultLog

    init(_ arguments: Arguments, log: ResultLog) throws {
        source = try arguments.url("source")
        labels = try arguments.strings("labels")
        work = try arguments.url("work")
        caches = try arguments.strings("caches")
        rounds = try arguments.int("rounds", default: 5)
        warmups = try arguments.int("warmups", default: 1)
        self.log = log
    }

    /// The tools, in the order each round runs them.
    static let tools = ["cp_sync", "cp_sha256sum", "cp_openssl", "openssl_src", "copy", "ingest"]

    func run() throws {
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for label in labels {
            log.record("files.size.\(label)", Double(try Shell.size(of: try file(label))))
        }
        for cache in caches {
            for round in -warmups..<rounds {
                print("files: \(cache) cache, \(round < 0 ? "warm-up" : "round \(round + 1) of \(rounds)")")
                for label in labels {
                    for tool in Self.tools {
                        try measure(tool, label: label, cache: cache, keep: round >= 0)
                    }
                }
            }
        }
    }

    private func file(_ label: String) throws -> URL {
        let folder = source.appendingPathComponent(label)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        guard names.count == 1 else { throw BenchError("\(folder.path) must hold exactly one file") }
        return folder.appendingPathComponent(names[0])
    }

    private func measure(_ tool: String, label: String, cache: String, keep: Bool) throws {
        let input = try file(label)
        let output = work.appendingPathComponent("copy.out")
        let station = work.appendingPathComponent("station")
        try? FileManager.default.removeItem(at: output)
        try BenchStation.remove(station)
        // Nothing of the previous measurement may still be in flight: its deletions and dirty pages go first.
        if cache == "cold" { try Shell.dropCaches() } else { sync() }
        let key = "files.\(cache).\(label)"
        switch tool {
        case "cp_sync", "cp_sha256sum", "cp_openssl":
            let seconds = try Stopwatch.seconds {
                try Shell.run(["cp", input.path, output.path])
                try Shell.run(["sync"])
                if tool == "cp_sha256sum" { try Shell.run(["sha256sum", output.path]) }
                if tool == "cp_openssl" { try Shell.run(["openssl", "dgst", "-sha256", output.path]) }
            }
            if keep { log.record("\(key).\(tool)", seconds) }
        case "openssl_src":
            let seconds = try Stopwatch.seconds { try Shell.run(["openssl", "dgst", "-sha256", input.path]) }
            if keep { log.record("\(key).\(tool)", seconds) }
        case "copy":
            // Staging, fallocate, read + SHA-256 + O_DIRECT write, fsync, commit: what an ingest does before it
            // verifies; then the verification read of the stored copy, timed on its own.
            let content = try ContentStore(
                root: station.appendingPathComponent("store"), staging: station.appendingPathComponent("staging"))
            let recorder = DirectorySource(
                root: input.deletingLastPathComponent(), identity: RecorderIdentity(serial: "BWC0001", model: "BENCH"))
            let listed = try recorder.listFiles().files[0]
            var copy: PipelinedCopier.BenchmarkCopy?
            let seconds = try Stopwatch.seconds {
                copy = try PipelinedCopier.benchmarkCopy(from: try recorder.open(listed), size: listed.size, into: content)
            }
            var verified: SHA256Hash?
            let verifySeconds = try Stopwatch.seconds { verified = try content.verificationHash(of: copy!.digest) }
            guard verified == copy!.digest else { throw BenchError("the verification read of \(input.path) differs") }
            if keep {
                log.record("\(key).copy", seconds)
                log.record("\(key).verify", verifySeconds)
            }
        case "ingest":
            let bench = try BenchStation(fresh: station)
            let service = bench.service()
            let recorder = DirectorySource(
                root: input.deletingLastPathComponent(), identity: RecorderIdentity(serial: "BWC0001", model: "BENCH"))
            let seconds = try Stopwatch.seconds { try BenchStation.ingest(recorder, with: service, expecting: 1) }
            if keep { log.record("\(key).ingest", seconds) }
        default:
            throw BenchError("unknown tool \(tool)")
        }
    }
}
