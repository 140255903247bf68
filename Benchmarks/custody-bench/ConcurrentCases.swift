import CustodyCore
import CustodyIngest
import Foundation

/// `custody-bench concurrent`: N recorders docked at once, each its own `IngestService.ingest` call on its own
/// thread, all sharing one manifest and one content store; each recorder throttled to `--rate` (0: unlimited).
///
/// `--data` holds one folder per recorder (`rec00`, `rec01`, …).
struct ConcurrentCases {
    let data: URL
    let counts: [Int]
    let rate: Double
    let label: String
    let work: URL
    let rounds: Int
    let warmups: Int
    let log: ResultLog

    init(_ arguments: Arguments, log: ResultLog) throws {
        data = try arguments.url("data")
        counts = try arguments.ints("recorders")
        rate = Double(try arguments.int("rate", default: 0))
        label = try arguments.string("label")
        work = try arguments.url("work")
        rounds = try arguments.int("rounds", default: 3)
        warmups = try arguments.int("warmups", default: 1)
        self.log = log
    }

    func run() throws {
        log.record("concurrent.\(label).rate", rate)
        for count in counts {
            var bytes: UInt64 = 0
            for folder in recorders(count) {
                let listing = try DirectorySource(root: folder, identity: RecorderIdentity(serial: "X", model: "BENCH"))
                    .listFiles().files
                bytes += listing.reduce(0) { $0 + $1.size }
                for file in listing { try Shell.warm(folder.appendingPathComponent(file.path.display)) }
            }
            log.record("concurrent.\(label).\(count).bytes", Double(bytes))
            for round in -warmups..<rounds {
                print("concurrent \(label) × \(count): \(round < 0 ? "warm-up" : "round \(round + 1) of \(rounds)")")
                // Each round in a child process, tried again if it crashes (see Benchmarks/NOTES.md): the crashes
                // are counted and reported, not hidden.
                var seconds: Double?
                for _ in 0..<4 where seconds == nil {
                    seconds = try child(count)
                    if seconds == nil { log.record("concurrent.\(label).\(count).crashes", 1) }
                }
                guard let seconds else { throw BenchError("\(count) recorders at once crashed 4 times in a row") }
                if round >= 0 { log.record("concurrent.\(label).\(count)", seconds) }
            }
        }
        try BenchStation.remove(work.appendingPathComponent("station"))
    }

    private func recorders(_ count: Int) -> [URL] {
        (0..<count).map { data.appendingPathComponent(String(format: "rec%02d", $0)) }
    }

    /// Runs one round in a child process (`concurrent-one`); nil when it crashed.
    private func child(_ count: Int) throws -> Double? {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "concurrent-one", "--data", data.path, "--count", String(count), "--rate", String(Int(rate)),
            "--work", work.path,
        ]
        process.standardOutput = output
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            print("  (the child crashed with signal \(process.terminationStatus))")
            return nil
        }
        guard process.terminationStatus == 0, let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw BenchError("concurrent-one \(count) failed: \(text)") }
        return seconds
    }

    /// `custody-bench concurrent-one`: one round, in this process; prints the seconds.
    static func one(_ arguments: Arguments) throws {
        let data = try arguments.url("data")
        let count = try arguments.int("count")
        let cases = ConcurrentCases(
            data: data, rate: Double(try arguments.int("rate", default: 0)), work: try arguments.url("work"))
        let recorders = cases.recorders(count)
        var files = [Int]()
        for folder in recorders {
            files.append(
                try DirectorySource(root: folder, identity: RecorderIdentity(serial: "X", model: "BENCH")).listFiles()
                    .files.count)
        }
        let concurrentFiles = try arguments.int("concurrent-files", default: 0)
        let station = try BenchStation(
            fresh: cases.work.appendingPathComponent("station"),
            concurrentFiles: concurrentFiles > 0 ? concurrentFiles : nil)
        sync()
        let trace = try arguments.string("trace", default: "")
        let timeline = trace.isEmpty ? nil : StageTimeline()
        let origin = Stopwatch.nanoseconds()
        print(try cases.ingestTogether(recorders, files: files, station: station, trace: timeline))
        if let timeline {
            let name = "concurrent.\(count).\(ProcessInfo.processInfo.processIdentifier)"
            try timeline.append(to: URL(fileURLWithPath: trace), case: name, origin: origin)
        }
    }

    private init(data: URL, rate: Double, work: URL) {
        self.data = data
        self.rate = rate
        self.work = work
        counts = []
        label = ""
        rounds = 0
        warmups = 0
        log = ResultLog(url: URL(fileURLWithPath: "/dev/null"))
    }

    private func ingestTogether(
        _ recorders: [URL], files: [Int], station: BenchStation, trace: StageTimeline?
    ) throws -> Double {
        let failures = FailureList()
        let group = DispatchGroup()
        let rate = rate
        var threads = [Thread]()
        for (position, folder) in recorders.enumerated() {
            let directory = DirectorySource(
                root: folder,
                identity: RecorderIdentity(serial: String(format: "BWC%04d", position), model: "BENCH"))
            let source: any RecorderSource =
                rate > 0 ? ThrottledSource(inner: directory, bucket: TokenBucket(bytesPerSecond: rate)) : directory
            let service = station.service(trace: trace)
            let expected = files[position]
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    try BenchStation.ingest(source, with: service, expecting: expected)
                } catch {
                    failures.add(error)
                }
            }
            thread.stackSize = 4 << 20
            threads.append(thread)
        }
        let seconds = Stopwatch.seconds {
            for thread in threads { thread.start() }
            group.wait()
        }
        if let failure = failures.first { throw failure }
        return seconds
    }
}

/// Errors from the recorder threads.
final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors = [any Error]()

    func add(_ error: any Error) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }

    var first: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return errors.first
    }
}
