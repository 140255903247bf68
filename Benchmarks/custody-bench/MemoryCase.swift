import CustodyCore
import CustodyIngest
import Foundation
import Glibc

/// `custody-bench rss`: the peak resident set of a child process that ingests one file (`ingest-one`),
/// from `getrusage(RUSAGE_CHILDREN)` once it has exited.
enum MemoryCase {
    static func run(_ arguments: Arguments, log: ResultLog) throws {
        let file = try arguments.string("file")
        let work = try arguments.string("work")
        let label = try arguments.string("label")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["ingest-one", "--file", file, "--work", work]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("ingest-one \(file) failed") }
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        log.record("rss.\(label)", Double(usage.ru_maxrss))  // KiB
    }

    /// `custody-bench ingest-one`: ingests one file into a fresh station, as a separate process.
    static func ingestOne(_ arguments: Arguments) throws {
        let file = try arguments.url("file")
        let station = try BenchStation(fresh: try arguments.url("work"))
        let source = FilteredSource(
            inner: DirectorySource(
                root: file.deletingLastPathComponent(), identity: RecorderIdentity(serial: "BWC0001", model: "BENCH")),
            names: [file.lastPathComponent])
        try BenchStation.ingest(source, with: station.service(), expecting: 1)
    }
}
