import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyManifest
import CustodyTransport
import Foundation
import Logging
import ServiceLifecycle

/// Docking (issue 4): follows the dock watcher's events, and for each recorder of a configured model that docks,
/// records `recorder.docked`, mounts it read-only, ingests it in a task of its own, unmounts it, and records
/// `recorder.undocked` with the counts when it leaves (or when the daemon stops).
///
/// On graceful shutdown no new file starts; copies in flight are rolled back and recorded as
/// `ingest.interrupted` (reason `cancelled`), then every dock is closed with a `recorder.undocked` entry.
struct DockService: Service {
    let watcher: DockWatcher
    let ingest: IngestService
    let store: ManifestStore
    /// The content store, which a wipe checks holds each file it deletes.
    let content: ContentStore
    let settings: DockSettings
    let board: StatusBoard
    let gate: ReadinessGate
    let logger: Logger

    func run() async throws {
        let events: AsyncStream<DockEvent>
        do {
            events = try watcher.events()
        } catch {
            throw DeviceError(
                error.code,
                "docking is enabled but recorders cannot be watched: \(error.message). Set docking.enabled = false to run "
                    + "without docking")
        }
        settings.current.mounter.cleanUp()
        let stop = StopFlag()
        board.publish()
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !stop.isSet {
                    try? await Task.sleep(for: .milliseconds(250))
                    board.publish()
                }
            }
            var docks: [String: Dock] = [:]
            for await event in events.cancelOnGracefulShutdown() {
                switch event {
                case .enumerated:
                    logger.info("dock watcher enumerated present recorders", metadata: ["docks": "\(docks.count)"])
                    gate.open()
                case .present(let device):
                    if docks[device.syspath] != nil { continue }  // already docked (enumerated and announced)
                    let current = settings.current
                    switch current.matcher.recognise(device) {
                    case .failure(let refusal):
                        if !refusal.quiet {
                            logger.notice(
                                "ignoring a tagged device",
                                metadata: ["udev.syspath": "\(device.syspath)", "reason": "\(refusal.description)"])
                            board.ignore(
                                syspath: device.syspath, device: device.devnode ?? device.syspath,
                                reason: refusal.description)
                        }
                    case .success(let recorder):
                        board.forget(syspath: device.syspath)
                        let dock = Dock(recorder: recorder, at: Date())
                        docks[device.syspath] = dock
                        board.add(dock)
                        group.addTask { await serve(dock, mounter: current.mounter, stop: stop) }
                    }
                    board.publish()
                case .removed(let syspath):
                    board.forget(syspath: syspath)
                    // The device itself, or the disk of a docked partition.
                    for (key, dock) in docks where key == syspath || key.hasPrefix(syspath + "/") {
                        docks[key] = nil
                        dock.markGone()
                        logger.info("recorder left its bay", metadata: metadata(dock.recorder))
                        if dock.claimUndock(stopping: false) { recordUndock(dock, reason: "removed") }
                    }
                    board.publish()
                }
            }
            // Shutting down (or the watcher stopped): no new file starts, copies in flight roll back.
            stop.set()
            board.setStopping()
            board.publish()
            for dock in docks.values where dock.claimUndock(stopping: true) {
                recordUndock(dock, reason: "shutdown")
            }
        }
        board.remove()
    }

    /// What a docked recorder is read through for its ingest: its file system mounted read-only, or a PTP/MTP
    /// session (issue 5).
    enum Attachment {
        case mounted(MountedVolume)
        case mtp(MTPConnection)
    }

    /// Docks one recorder: reads its clock where its transport has one (PTP/MTP: the session is opened first),
    /// records `recorder.docked`, mounts it read-only or takes its session, ingests it through ``DockedSource`` with
    /// its clip times corrected by the clock offset read (``DockClock/correction(docked:)``),
    /// wipes it where the model asks, then unmounts it or ends its session (resetting the device if the session
    /// broke). Mass-storage and PTP/MTP recorders share every step but the attaching and the letting go.
    private func serve(_ dock: Dock, mounter: RecorderMounter, stop: StopFlag) async {
        let recorder = dock.recorder
        // 1. PTP/MTP: open the session now, so the clock is read at dock (issue 5 item 4). Mass storage has no
        //    clock to read: its offset is null.
        var connection: Result<MTPConnection, IngestError>?
        var clock = DockClock(recorderClock: nil, stationTime: dock.dockedAt)
        var clockSet: ClockSetting?
        if recorder.model.transport == .mtp {
            dock.setState("connecting")
            board.publish()
            let opened = await blocking { () -> Result<MTPConnection, IngestError> in
                Result { () throws(IngestError) in try MTPConnection.open(recorder) }
            }
            connection = opened
            if case .success(let open) = opened {
                clock = await blocking { DockClock.read(open.source) }
                if recorder.model.setClockAtDock, clock.offsetSeconds != nil {
                    clockSet = await blocking { ClockSetting.set(open.source) }
                }
            }
        }
        // 2. On record before anything is read, so a recorder that cannot be mounted or opened is on record too.
        do {
            try recordDock(dock, clock: clock, clockSet: clockSet)
        } catch {
            logger.error(
                "cannot record the dock; the recorder is not ingested",
                metadata: metadata(recorder).merging(["error": "\(error)"]) { $1 })
            dock.setState("failed", error: "the manifest refused recorder.docked: \(error)")
            if case .success(let open) = connection { _ = open.close(recorderGone: dock.isGone) }
            end(dock, stop: stop)
            return
        }
        logger.info("recorder docked", metadata: metadata(recorder))
        board.publish()
        // 3. Attach: the session just opened, or a read-only mount.
        let attachment: Attachment
        switch connection {
        case .success(let open)?:
            attachment = .mtp(open)
            logger.info(
                "recorder session opened over PTP/MTP",
                metadata: metadata(recorder).merging(
                    ["clock.offsetSeconds": "\(clock.offsetSeconds.map(String.init) ?? "null")"]) { $1 })
        case .failure(let error)?:
            logger.error(
                "opening the recorder over PTP/MTP failed",
                metadata: metadata(recorder).merging(["error": "\(error)"]) { $1 })
            dock.setState("failed", error: error.message)
            end(dock, stop: stop)
            return
        case nil:
            let mounted = await blocking { () -> Result<MountedVolume, DeviceError> in
                Result { () throws(DeviceError) in
                    try mounter.mount(
                        device: recorder.devnode, fileSystem: recorder.fileSystem,
                        name: "\(recorder.identity.serial)-\(dock.sequence)")
                }
            }
            switch mounted {
            case .success(let volume):
                attachment = .mounted(volume)
                logger.info(
                    "recorder mounted read-only",
                    metadata: metadata(recorder).merging(
                        [
                            "mount.directory": "\(volume.directory.path)", "mount.program": "\(volume.program)",
                            "mount.options": "\(volume.options.joined(separator: ","))",
                        ]) { $1 })
            case .failure(let error):
                logger.error(
                    "mounting the recorder failed",
                    metadata: metadata(recorder).merging(["error": "\(error)"]) { $1 })
                dock.setState("failed", error: error.message)
                end(dock, stop: stop)
                return
            }
        }
        // 4. Ingest, the same pipeline for every transport.
        dock.setState("ingesting")
        board.publish()
        let base: any RecorderSource =
            switch attachment {
            case .mounted(let volume): DirectorySource(root: volume.directory, identity: recorder.identity)
            case .mtp(let open): open.source
            }
        let source = DockedSource(base: base, dock: dock)
        let session: MTPRecorderSource? =
            switch attachment {
            case .mounted: nil
            case .mtp(let open): open.source
            }
        // Clip times are corrected by the offset read at dock, named by its `recorder.docked` entry (issue 5 item 4).
        let correction = clock.correction(docked: dock.dockedEntry)
        let result = await blocking { [ingest] () -> Result<IngestSummary, IngestError> in
            Result { () throws(IngestError) in
                let progress: @Sendable (IngestProgress) -> Void = { dock.progress($0) }
                let shouldStop: @Sendable () -> Bool = { stop.isSet || dock.isGoneAndIdle }
                guard let session else {
                    return try ingest.ingest(
                        source, model: recorder.model, clock: correction, progress: progress, shouldStop: shouldStop)
                }
                // A stall re-opens the session within the dock, and the files it interrupted get one more try.
                return try ingest.ingest(
                    source, resuming: session, model: recorder.model, clock: correction, progress: progress,
                    shouldStop: shouldStop)
            }
        }
        if let session, session.reopens > 0 {
            let reopens = metadata(recorder).merging(["ptp.reopens": "\(session.reopens)"]) { $1 }
            if session.currentSession.isBroken {
                logger.warning(
                    "the recorder's PTP session broke during the ingest and could not be re-opened within the dock",
                    metadata: reopens)
            } else {
                logger.warning(
                    "the recorder's PTP session broke during the ingest and was re-opened within the dock",
                    metadata: reopens)
            }
        }
        // 5. Wipe, then let go.
        switch attachment {
        case .mounted(let volume):
            if case .success = result {
                await blocking { wipe(dock, volume: volume, mounter: mounter, stop: stop) }
            }
            do {
                try await blocking { () -> Result<Void, DeviceError> in
                    Result { () throws(DeviceError) in try mounter.unmount(volume, lazy: dock.isGone) }
                }.get()
            } catch {
                logger.warning(
                    "unmounting the recorder failed",
                    metadata: metadata(recorder).merging(["error": "\(error)"]) { $1 })
            }
        case .mtp(let open):
            if case .success = result {
                await blocking { wipe(dock, connection: open, stop: stop) }
            }
            let ending = await blocking { open.close(recorderGone: dock.isGone) }
            switch ending {
            case .closed: logger.info("recorder session closed", metadata: metadata(recorder))
            case .reset:
                logger.warning(
                    "the recorder's PTP session broke; the device was reset for its next dock",
                    metadata: metadata(recorder))
            case .abandoned(let reason):
                logger.info(
                    "recorder session abandoned", metadata: metadata(recorder).merging(["reason": "\(reason)"]) { $1 })
            }
        }
        switch result {
        case .success(let summary):
            dock.finish(summary)
            dock.setState(dock.isGone ? "undocking" : stop.isSet ? "stopped" : "done")
            logger.info(
                "ingest finished",
                metadata: metadata(recorder).merging(
                    [
                        "ingest.ingested": "\(summary.ingested.count)",
                        "ingest.alreadyIngested": "\(summary.alreadyIngested)",
                        "ingest.failed": "\(summary.failures.count)", "ingest.bytes": "\(summary.bytesCopied)",
                    ]) { $1 })
            if let gapError = summary.gapRegistrationError {
                logger.error(
                    "registering gaps failed", metadata: metadata(recorder).merging(["error": "\(gapError)"]) { $1 })
            }
        case .failure(let error):
            dock.setState("failed", error: error.message)
            logger.error("ingest failed", metadata: metadata(recorder).merging(["error": "\(error)"]) { $1 })
        }
        end(dock, stop: stop)
    }

    /// Appends `recorder.docked` with the clock offset read at dock and its drift since the clock was last known
    /// good; when the drift is beyond the model's rule (`clock_drift_limit_seconds` + `clock_drift_seconds_per_day`
    /// × days since then), a `clockAnomaly` `recording.gap` keyed `clockDrift:<docked index>`.
    private func recordDock(_ dock: Dock, clock: DockClock, clockSet: ClockSetting?) throws(ManifestError) {
        let recorder = dock.recorder
        let model = recorder.model
        var assessment: DockClock.Assessment?
        if clock.offsetSeconds != nil {
            let baseline = try clockBaseline(
                serial: recorder.identity.serial, limitSeconds: model.clockDriftLimitSeconds)
            assessment = clock.assess(
                limitSeconds: model.clockDriftLimitSeconds, secondsPerDay: model.clockDriftSecondsPerDay,
                since: baseline)
        }
        let docked = try store.append(
            .recorderDocked(recorder, clock: clock, drift: assessment, clockSet: clockSet, time: dock.dockedAt))
        dock.docked(docked)
        if let clockSet {
            logger.info(
                "recorder clock set to the station's",
                metadata: metadata(recorder).merging(
                    [
                        "clock.offsetAfterSeconds": "\(clockSet.offsetAfterSeconds.map(String.init) ?? "null")",
                        "error": "\(clockSet.error ?? "none")",
                    ]) { $1 })
        }
        if let assessment,
            let gap = try clock.driftGapEntry(
                recorder: recorder.identity, assessment: assessment, docked: docked, at: dock.dockedAt, time: Date())
        {
            _ = try store.append(gap)
            logger.warning(
                "the recorder's clock drifted beyond the model's rule: clockAnomaly gap registered",
                metadata: metadata(recorder).merging(
                    [
                        "clock.offsetSeconds": "\(clock.offsetSeconds ?? 0)",
                        "clock.driftSeconds": "\(assessment.driftSeconds)",
                        "clock.allowedSeconds": "\(assessment.allowedSeconds)",
                    ]) { $1 })
        }
    }

    /// The dock's task is over: record its undock if it is due now (else the removal or shutdown records it).
    private func end(_ dock: Dock, stop: StopFlag) {
        dock.finish(nil)
        if dock.claimUndock(stopping: stop.isSet) {
            recordUndock(dock, reason: dock.isGone ? "removed" : "shutdown")
        }
        board.publish()
    }

    private func recordUndock(_ dock: Dock, reason: String) {
        defer { board.remove(dock) }
        guard let docked = dock.dockedEntry else { return }
        do {
            let counts = dock.counts
            try store.append(
                .recorderUndocked(
                    dock.recorder, reason: reason, docked: docked, counts: counts, error: dock.failure, time: Date()))
            logger.info(
                "recorder undocked",
                metadata: metadata(dock.recorder).merging(
                    [
                        "undock.reason": "\(reason)", "ingest.ingested": "\(counts.ingested)",
                        "ingest.failed": "\(counts.failed)",
                    ]) { $1 })
        } catch {
            logger.error(
                "cannot record the undock", metadata: metadata(dock.recorder).merging(["error": "\(error)"]) { $1 })
        }
    }

    func metadata(_ recorder: DockedRecorder) -> Logger.Metadata {
        [
            "recorder.serial": "\(recorder.identity.serial)", "recorder.model": "\(recorder.identity.model)",
            "dock.bay": "\(recorder.bay)", "dock.device": "\(recorder.devnode)",
            "dock.fileSystem": "\(recorder.fileSystem)",
        ]
    }
}

/// Runs blocking work (mounting, an ingest) on a thread of its own, off the cooperative pool.
func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// Set once, when the daemon starts shutting down.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// The docking settings SIGHUP can replace: the models (with their USB IDs), the bays and the mount programs.
final class DockSettings: @unchecked Sendable {
    struct Current: Sendable {
        var matcher: RecorderMatcher
        var mounter: RecorderMounter
    }

    private let lock = NSLock()
    private var value: Current

    init(_ configuration: CustodyConfiguration) {
        value = Self.make(configuration)
    }

    private static func make(_ configuration: CustodyConfiguration) -> Current {
        Current(
            matcher: RecorderMatcher(models: configuration.models, docking: configuration.docking),
            mounter: RecorderMounter(runtimeDirectory: configuration.runtimeDirectory, docking: configuration.docking))
    }

    var current: Current {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    /// Takes the models, bays and mount programs of `configuration`; docks already running keep theirs.
    func reload(_ configuration: CustodyConfiguration) {
        let next = Self.make(configuration)
        lock.lock()
        value = next
        lock.unlock()
    }
}
