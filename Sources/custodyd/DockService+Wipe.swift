import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyManifest
import Foundation
import Logging

/// Wipe after verified ingest (issue 4 item 7, `wipe_after_ingest`; docs/docking.md "Wipe").
extension DockService {
    /// The environment variable naming a program custodyd runs, with the mount point as its argument, after
    /// remounting a recorder read-write and before deleting anything: a seam for tests (a file written to the
    /// recorder then must survive the wipe). Unset in production.
    static let wipeHookVariable = "CUSTODYD_TEST_WIPE_HOOK"

    /// After the ingest of `dock`, deletes from `volume` every file ``WipePlan`` finds verified and unchanged,
    /// then records `recorder.wiped`; does nothing when the model does not wipe, the recorder has left, the
    /// daemon is stopping, or nothing qualifies.
    func wipe(_ dock: Dock, volume: MountedVolume, mounter: RecorderMounter, stop: StopFlag) {
        let recorder = dock.recorder
        guard recorder.model.wipeAfterIngest, !dock.isGone, !stop.isSet else { return }
        var log = metadata(recorder)
        guard RecorderMounter.canWipe(volume) else {
            log["mount.program"] = "\(volume.program)"
            logger.warning("not wiping: the recorder was mounted by a program, not the kernel", metadata: log)
            return
        }
        let plan: WipePlan
        do {
            let listing = try DirectorySource(root: volume.directory, identity: recorder.identity).listFiles()
            plan = try WipePlan(
                listing: listing, model: recorder.model, serial: recorder.identity.serial, store: store,
                content: content)
        } catch {
            logger.error(
                "cannot plan the wipe; nothing is deleted", metadata: log.merging(["error": "\(error)"]) { $1 })
            return
        }
        guard !plan.items.isEmpty else { return }
        dock.setState("wiping")
        board.publish()
        do {
            try mounter.remountReadWrite(volume)
        } catch {
            logger.error(
                "cannot remount the recorder read-write; nothing is deleted",
                metadata: log.merging(["error": "\(error)"]) { $1 })
            try? mounter.remountReadOnly(volume)
            return
        }
        runHook(directory: volume.directory)
        var deleted: [WipePlan.Item] = []
        var kept: [(WipePlan.Item, String)] = []
        var complete = true
        var failure: String?
        do {
            let eraser = try RecorderEraser(root: volume.directory)
            for item in plan.items {
                if dock.isGone || stop.isSet {
                    complete = false
                    break
                }
                switch eraser.erase(item.target) {
                case .deleted: deleted.append(item)
                case .kept(let reason): kept.append((item, reason))
                }
            }
            try eraser.sync()
        } catch {
            complete = false
            failure = error.message
        }
        do {
            try mounter.remountReadOnly(volume)
        } catch {
            failure = failure ?? error.message
            logger.error("cannot remount the recorder read-only", metadata: log.merging(["error": "\(error)"]) { $1 })
        }
        recordWipe(dock, plan: plan, deleted: deleted, kept: kept, complete: complete, failure: failure)
    }

    /// After the ingest of a PTP/MTP recorder, deletes with DeleteObject every object ``WipePlan`` finds verified
    /// (the same rule as a mounted recorder: a committed `clip.ingested` entry with the matching hash, verified by
    /// re-reading the store, the store holding the object), each re-checked just before (``MTPRecorderSource``
    /// `delete`), then records `recorder.wiped`; does nothing when the model does not wipe, the recorder has left,
    /// the daemon is stopping, or nothing qualifies.
    func wipe(_ dock: Dock, connection: MTPConnection, stop: StopFlag) {
        let recorder = dock.recorder
        guard recorder.model.wipeAfterIngest, !dock.isGone, !stop.isSet else { return }
        let log = metadata(recorder)
        let source = connection.source
        let plan: WipePlan
        do {
            plan = try WipePlan(
                listing: try source.listFiles(), model: recorder.model, serial: recorder.identity.serial,
                store: store, content: content)
        } catch {
            logger.error(
                "cannot plan the wipe; nothing is deleted", metadata: log.merging(["error": "\(error)"]) { $1 })
            return
        }
        guard !plan.items.isEmpty else { return }
        dock.setState("wiping")
        board.publish()
        var deleted: [WipePlan.Item] = []
        var kept: [(WipePlan.Item, String)] = []
        var complete = true
        var failure: String?
        for item in plan.items {
            if dock.isGone || stop.isSet {
                complete = false
                break
            }
            do {
                switch try source.delete(item.target) {
                case .deleted: deleted.append(item)
                case .kept(let reason): kept.append((item, reason))
                }
            } catch {
                complete = false
                failure = error.message
                break
            }
        }
        recordWipe(dock, plan: plan, deleted: deleted, kept: kept, complete: complete, failure: failure)
    }

    /// Appends `recorder.wiped` for a wipe that deleted `deleted` and kept `kept` of `plan`, and logs it.
    private func recordWipe(
        _ dock: Dock, plan: WipePlan, deleted: [WipePlan.Item], kept: [(WipePlan.Item, String)], complete: Bool,
        failure: String?
    ) {
        let recorder = dock.recorder
        var log = metadata(recorder)
        var failure = failure
        if dock.isGone && failure == nil && deleted.count + kept.count < plan.items.count {
            failure = "the recorder left its bay during the wipe; the rest is wiped at its next dock"
        }
        do {
            try store.append(
                .recorderWiped(
                    recorder, docked: dock.dockedEntry, deleted: deleted, kept: kept, complete: complete,
                    error: failure, time: Date()))
        } catch {
            logger.error("cannot record the wipe", metadata: log.merging(["error": "\(error)"]) { $1 })
        }
        log["wipe.deleted"] = "\(deleted.count)"
        log["wipe.kept"] = "\(kept.count)"
        log["wipe.complete"] = "\(complete)"
        logger.info("recorder wiped", metadata: log)
    }

    private func runHook(directory: URL) {
        guard let program = ProcessInfo.processInfo.environment[Self.wipeHookVariable], !program.isEmpty else {
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [directory.path]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            logger.warning("the wipe hook did not run", metadata: ["error": "\(error)"])
        }
    }
}
