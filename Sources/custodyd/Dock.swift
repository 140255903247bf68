import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyManifest
import Foundation

/// One docked recorder, from recognition to its `recorder.undocked` entry: shared between the dock service's
/// event loop (which learns of removal) and the task that mounts and ingests it.
final class Dock: @unchecked Sendable {
    let recorder: DockedRecorder
    let dockedAt: Date
    /// Unique among the daemon's docks: names the mount point, so a recorder re-docked while its last dock is
    /// still winding down never shares one.
    let sequence: Int
    private static let counter = DockCounter()
    private let lock = NSLock()
    private var status: StationStatus.Recorder
    private var copies: [Int: StationStatus.Copy] = [:]
    private var nextCopy = 0
    private var gone = false
    private var finished = false
    private var undockRecorded = false
    private(set) var dockedEntry: StoredEntry?
    private(set) var counts = DockCounts()
    private(set) var failure: String?

    init(recorder: DockedRecorder, at time: Date) {
        self.recorder = recorder
        self.dockedAt = time
        self.sequence = Self.counter.next()
        self.status = StationStatus.Recorder(
            serial: recorder.identity.serial, model: recorder.identity.model, bay: recorder.bay,
            device: recorder.devnode, fileSystem: recorder.fileSystem, docked: RFC3339.format(time))
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Whether the recorder has left its bay.
    var isGone: Bool { locked { gone } }
    /// Whether it has left and no copy of it is still open: no new file should start.
    var isGoneAndIdle: Bool { locked { gone && copies.isEmpty } }

    /// Records that the recorder left its bay.
    func markGone() { locked { gone = true } }

    func docked(_ entry: StoredEntry) { locked { dockedEntry = entry } }

    func setState(_ state: String, error: String? = nil) {
        locked {
            status.state = state
            if let error {
                status.error = error
                failure = error
            }
        }
    }

    func progress(_ progress: IngestProgress) {
        locked {
            status.filesTotal = progress.filesTotal
            status.filesDone = progress.filesDone
            status.filesFailed = progress.filesFailed
            status.bytesTotal = progress.bytesTotal
            status.bytesCopied = progress.bytesCopied
        }
    }

    /// A file was opened for copying; returns its key for ``copied(_:bytes:)`` and ``endCopy(_:)``.
    func beginCopy(_ file: RecorderFile) -> Int {
        locked {
            nextCopy += 1
            copies[nextCopy] = StationStatus.Copy(path: file.path.display, size: file.size, bytesDone: 0)
            return nextCopy
        }
    }

    func copied(_ key: Int, bytes: Int) { locked { copies[key]?.bytesDone += UInt64(bytes) } }

    func endCopy(_ key: Int) { _ = locked { copies.removeValue(forKey: key) } }

    /// The ingest ended with `summary` (nil: it could not run).
    func finish(_ summary: IngestSummary?) {
        locked {
            if let summary {
                counts.ingested = summary.ingested.count
                counts.alreadyIngested = summary.alreadyIngested
                counts.failed = summary.failures.count
                counts.refused = summary.refused.count
                counts.notMedia = summary.notMedia
                counts.bytesCopied = summary.bytesCopied
                counts.complete = summary.failures.isEmpty
                status.ingested = counts.ingested
                status.alreadyIngested = counts.alreadyIngested
            }
            finished = true
        }
    }

    /// Whether the ingest task has ended.
    var isFinished: Bool { locked { finished } }

    /// True exactly once, when the undock entry is due: the task has ended and the recorder left (or the daemon
    /// is stopping).
    func claimUndock(stopping: Bool) -> Bool {
        locked {
            guard finished, gone || stopping, !undockRecorded else { return false }
            undockRecorded = true
            return true
        }
    }

    var snapshot: StationStatus.Recorder {
        locked {
            var copy = status
            copy.copying = copies.keys.sorted().compactMap { copies[$0] }
            return copy
        }
    }
}

/// A docked recorder's source (its mounted file system through ``DirectorySource``, or its PTP/MTP session through
/// ``MTPRecorderSource``) that notices the recorder leaving: a read after removal fails as `sourceRead` naming the
/// bay, and the dock's status shows each file's progress.
struct DockedSource: RecorderSource {
    let base: any RecorderSource
    let dock: Dock

    var identity: RecorderIdentity { base.identity }

    func listFiles() throws(IngestError) -> RecorderListing { try base.listFiles() }

    func readClock() throws(IngestError) -> Date? { try base.readClock() }

    func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
        try DockedSource.checkPresent(dock, file: file, bytesDone: 0)
        let stream = try base.open(file)
        return DockedFileStream(base: stream, file: file, dock: dock)
    }

    static func checkPresent(_ dock: Dock, file: RecorderFile, bytesDone: UInt64) throws(IngestError) {
        guard !dock.isGone else {
            throw IngestError(
                .sourceRead,
                "recorder \(dock.recorder.identity.serial) was undocked from bay \(dock.recorder.bay) after "
                    + "\(bytesDone) of \(file.size) bytes of \(file.path); the file is copied again at the next dock")
        }
    }
}

/// An open file of a ``DockedSource``.
final class DockedFileStream: RecorderFileStream {
    private let base: any RecorderFileStream
    private let file: RecorderFile
    private let dock: Dock
    private let key: Int
    private var bytesDone: UInt64 = 0

    init(base: any RecorderFileStream, file: RecorderFile, dock: Dock) {
        self.base = base
        self.file = file
        self.dock = dock
        self.key = dock.beginCopy(file)
    }

    deinit { dock.endCopy(key) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        try DockedSource.checkPresent(dock, file: file, bytesDone: bytesDone)
        let count = try base.read(into: buffer)
        bytesDone += UInt64(count)
        dock.copied(key, bytes: count)
        return count
    }

    func checkUnchanged() throws(IngestError) {
        try DockedSource.checkPresent(dock, file: file, bytesDone: bytesDone)
        try base.checkUnchanged()
    }
}

/// Numbers docks.
final class DockCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
