import CustodyIngest
import Foundation

/// The stage timings of one or more ingests (`--trace FILE`): which file was in which stage when, to see whether
/// copies, verifications and registrations overlap as designed. Collected from the pipeline's threads.
final class StageTimeline: @unchecked Sendable {
    private let lock = NSLock()
    private var events = [IngestStageEvent]()

    /// Records one event; the `stageTrace` of an `IngestService`.
    func record(_ event: IngestStageEvent) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    /// The events so far, by start.
    var all: [IngestStageEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events.sorted { $0.started < $1.started }
    }

    /// The share of `origin…end` during which at least one file was in `stage` (for `.copy`: the link was busy).
    func coverage(of stage: IngestStageEvent.Stage, from origin: UInt64, to end: UInt64) -> Double {
        guard end > origin else { return 0 }
        var covered: UInt64 = 0
        var reach = origin
        for event in all where event.stage == stage {
            let start = max(event.started, reach)
            let finish = min(event.finished, end)
            if finish > start {
                covered += finish - start
                reach = finish
            }
        }
        return Double(covered) / Double(end - origin)
    }

    /// Appends the events as TSV lines (`case`, file, stage, start and end in seconds from `origin`) to `url`.
    func append(to url: URL, case name: String, origin: UInt64) throws {
        var text = ""
        for event in all {
            let start = Double(Int64(event.started) - Int64(origin)) / 1e9
            let end = Double(Int64(event.finished) - Int64(origin)) / 1e9
            let times = String(format: "%.4f\t%.4f\n", start, end)
            text += "\(name)\t\(event.path)\t\(event.stage.rawValue)\t\(times)"
        }
        if !FileManager.default.fileExists(atPath: url.path) {
            let header = Data("case\tfile\tstage\tstart_s\tend_s\n".utf8)
            _ = FileManager.default.createFile(atPath: url.path, contents: header)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
