public import CustodyCore
public import CustodyManifest
public import Foundation
import Crypto

/// The ingest pipeline (shared/DESIGN.md "Data flow"): plan → copy + SHA-256 in one pass → fsync → rename into
/// the content store → verify by re-reading from disk → analyse → register with a `clip.ingested` entry.
///
/// Every outcome is visible: a committed clip is an entry; a copy that stopped is an `ingest.interrupted` entry
/// naming the bytes done; a refused path or a contradiction is a `clip.anomaly` entry. A failure on one file
/// never stops the others, and nothing half-copied ever reaches the store.
public final class IngestService: Sendable {
    let store: ManifestStore
    let content: ContentStore
    let configuration: CustodyConfiguration
    let now: @Sendable () -> Date
    /// Serialises the free-space check with the reservation it guards.
    private let spaceLock = NSLock()
    /// The station-wide copy limit shared with other ingests (custodyd), if any.
    let copySlots: CopySlots?
    /// Told when each file passes through each stage, if set (benchmarks; off in production).
    let stageTrace: (@Sendable (IngestStageEvent) -> Void)?

    /// A service writing to `store` and `content`, configured by `configuration`; `now` is the station clock;
    /// `copySlots`, when given, limits the files copied at once across every ingest sharing it; `stageTrace`, when
    /// given, is called from the pipeline's threads with each file's stage timings.
    ///
    /// Staging files left by a process that died are not removed here: call ``ContentStore/cleanStaging()`` once
    /// when the process starts, before any ingest.
    public init(
        store: ManifestStore, content: ContentStore, configuration: CustodyConfiguration,
        now: @escaping @Sendable () -> Date = { Date() }, copySlots: CopySlots? = nil,
        stageTrace: (@Sendable (IngestStageEvent) -> Void)? = nil
    ) {
        self.store = store
        self.content = content
        self.configuration = configuration
        self.now = now
        self.copySlots = copySlots
        self.stageTrace = stageTrace
    }

    /// Ingests everything new on `source`, a recorder of `model`.
    ///
    /// `clock` is the recorder's clock offset read at dock (issue 5 item 4): given, each new clip's recording times
    /// are corrected by it (recorder time − offset) before its officer, deadline and lateness are worked out, and its
    /// `clip.ingested` entry keeps the recorder's own times beside them (`recorderTime`); nil (mass storage,
    /// `custody ingest`, a failed reading) leaves the recorder's times as they are.
    ///
    /// Blocks until done. Two stages run on threads of their own: `ingest.concurrent_files` copy threads
    /// (copy + SHA-256 + `fsync` into a staging file) hand each copied file to as many verification threads
    /// (commit into the store, read-back, analysis, registration), so a copy thread starts its next file while the
    /// last one is committed and read back, and the recorder's link stays busy. A clip is registered only after its
    /// verification hash matched. `progress` is called from those threads; `shouldStop` is polled between buffers
    /// (a stopped copy is rolled back and recorded as interrupted; files already copied are still committed,
    /// verified and registered).
    public func ingest(
        _ source: any RecorderSource, model: RecorderModel, clock: ClockCorrection? = nil,
        progress: @escaping @Sendable (IngestProgress) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws(IngestError) -> IngestSummary {
        let listing = try source.listFiles()
        var summary = IngestSummary(recorder: source.identity)
        summary.filesListed = listing.files.count
        summary.refused = listing.refused
        for refused in listing.refused {
            // Recorded once per path and reason, not at every dock.
            let known = try mapManifest { () throws(ManifestError) in
                try store.refusalRecorded(
                    serial: source.identity.serial, path: refused.path, reason: refused.reason.rawValue)
            }
            if !known {
                try record(.pathRefused(recorder: source.identity, path: refused.path, reason: refused.reason.rawValue, time: now()))
            }
        }
        let plan = try IngestPlan(listing: listing, model: model, serial: source.identity.serial, store: store)
        summary.notMedia = plan.notMedia
        summary.alreadyIngested = plan.alreadyIngested
        let tally = ProgressTally(files: plan.work.count, bytes: plan.work.reduce(0) { $0 + $1.file.size }, report: progress)
        let outcomes = OutcomeList(count: plan.work.count)
        let next = WorkCounter()
        let workers = max(1, min(configuration.ingest.concurrentFiles, plan.work.count))
        let assignments = try mapManifest { () throws(ManifestError) in try store.assignments(serial: source.identity.serial) }
        let exceptions = try mapManifest { () throws(ManifestError) in
            try store.windowExceptions(serial: source.identity.serial)
        }
        // A file holds its copy slot from the start of its copy to its registration. The hand-over holds at most
        // `workers` copied files, so a copy thread waits rather than run far ahead of verification.
        let verifications = StageQueue<CopiedFile>(capacity: workers)
        let verifiers = StageThreads(count: workers, name: "custody-verify") { [self] _ in
            while let copied = verifications.take() {
                let outcome = commitVerifyAndRegister(
                    copied, source: source, model: model, clock: clock, assignments: assignments,
                    exceptions: exceptions)
                outcomes.set(copied.position, outcome)
                tally.finished(failed: !outcome.isSuccess)
                copySlots?.release()
            }
        }
        let copiers = StageThreads(count: workers, name: "custody-copy") { [self] _ in
            // Once told to stop, no new file starts: only copies in flight are rolled back and recorded.
            while !shouldStop(), let position = next.take(below: plan.work.count) {
                if let copySlots, !copySlots.acquire(unless: shouldStop) { break }
                let copied = copyAndSync(
                    plan.work[position], position: position, source: source, model: model, tally: tally,
                    shouldStop: shouldStop)
                switch copied {
                case .copied(let file):
                    verifications.put(file)
                case .failed(let outcome):
                    outcomes.set(position, outcome)
                    tally.finished(failed: true)
                    copySlots?.release()
                }
            }
        }
        copiers.wait()
        verifications.close()
        verifiers.wait()
        for outcome in outcomes.all {
            switch outcome {
            case .ingested(let entry, let bytes):
                summary.ingested.append(entry)
                summary.bytesCopied += bytes
            case .unchanged: summary.alreadyIngested += 1
            case .failed(let path, let error): summary.failures.append(.init(path: path, error: error))
            case .none: break
            }
        }
        // After the clips: a gap registration that fails must not hide what was committed. Detection runs over
        // the whole timeline with stable keys, so the next ingest of this recorder registers what was missed.
        do {
            summary.gaps = try GapRegistrar(store: store, configuration: configuration, now: now)
                .register(recorder: source.identity, model: model)
        } catch {
            summary.gapRegistrationError = IngestError(
                error.code, "registering gaps failed (they are registered at the next ingest): \(error.message)")
        }
        return summary
    }

    /// One file's outcome.
    enum FileOutcome {
        case ingested(StoredEntry, bytes: UInt64)
        case unchanged
        case failed(RecorderPath, IngestError)

        var isSuccess: Bool {
            if case .failed = self { false } else { true }
        }
    }

    /// A file copied and synced into its staging file, waiting for its commit and verification.
    struct CopiedFile: Sendable {
        let position: Int
        let item: IngestPlan.Item
        /// The synced staging copy; it deletes itself unless it is committed.
        let staging: StagingFile
        let digest: SHA256Hash
        let bytes: UInt64
        let verifiedBy: [String]
    }

    /// What the copy stage did with one file.
    enum CopyStageOutcome {
        case copied(CopiedFile)
        case failed(FileOutcome)
    }

    /// The copy stage of one file: reserve, copy + hash + fsync, check the source (and re-read it, if the model
    /// asks). The commit is left to the verification stage, so this thread starts its next file at once.
    private func copyAndSync(
        _ item: IngestPlan.Item, position: Int, source: any RecorderSource, model: RecorderModel, tally: ProgressTally,
        shouldStop: @escaping @Sendable () -> Bool
    ) -> CopyStageOutcome {
        let file = item.file
        var bytesDone: UInt64 = 0
        var reserved: StagingFile?
        do throws(IngestError) {
            let staging = try reserveSpace(for: file)
            reserved = staging
            let stream = try source.open(file)
            let copyStarted = IngestStageEvent.now()
            let copy = try PipelinedCopier.copy(
                from: stream, to: staging,
                progress: { count in
                    bytesDone += UInt64(count)
                    tally.copied(count)
                }, shouldStop: shouldStop)
            trace(file, .copy, since: copyStarted)
            try stream.checkUnchanged()
            guard copy.bytes == file.size else {
                throw IngestError(
                    .sourceChanged,
                    "\(file.path) gave \(copy.bytes) bytes where \(file.size) were listed; it will be copied again at the next dock")
            }
            var verifiedBy = ["storeReread"]
            if model.verifySource {
                // Before the commit, so a recorder that reads differently leaves nothing in the store.
                let reread = try rehash(file, from: source)
                guard reread == copy.digest else {
                    throw IngestError(
                        .sourceChanged, "\(file.path) reads differently the second time: the recorder's storage is unreliable")
                }
                verifiedBy.append("sourceReread")
            }
            return .copied(
                CopiedFile(
                    position: position, item: item, staging: staging, digest: copy.digest, bytes: copy.bytes,
                    verifiedBy: verifiedBy))
        } catch {
            reserved?.discard()  // nothing half-copied stays in staging
            return .failed(interrupted(file, source: source, bytesDone: bytesDone, error))
        }
    }

    /// The verification stage of one copied file: commit it into the store, read the stored object back from the
    /// disk, compare its hash with the acquisition hash, and only then analyse and register it.
    private func commitVerifyAndRegister(
        _ copied: CopiedFile, source: any RecorderSource, model: RecorderModel, clock: ClockCorrection?,
        assignments: [Assignment], exceptions: [WindowException]
    ) -> FileOutcome {
        let item = copied.item
        let file = item.file
        defer { copied.staging.discard() }  // when the commit failed or found the object already stored
        do throws(IngestError) {
            let commitStarted = IngestStageEvent.now()
            let outcome = try content.commit(copied.staging, digest: copied.digest)
            trace(file, .commit, since: commitStarted)
            let committed = (digest: copied.digest, stored: outcome == .stored)
            let verifyStarted = IngestStageEvent.now()
            let verification: SHA256Hash
            do throws(IngestError) {
                verification = try content.verificationHash(of: committed.digest)
            } catch {
                // Never verified, so never registered: an object this copy stored must not stay behind. Left there
                // with bad bytes, every later copy of the same file would find it, fail to verify it and report
                // store corruption, so the file could never be ingested (issue 9, fault injection).
                if committed.stored { content.removeUncommitted(committed.digest) }
                throw error
            }
            trace(file, .verification, since: verifyStarted)
            guard verification == committed.digest else {
                if committed.stored { content.removeUncommitted(committed.digest) }
                throw IngestError(
                    .verifyMismatch,
                    committed.stored
                        ? "the stored copy of \(file.path) reads back as \(verification.hex), not \(committed.digest.hex); the copy was discarded. Check the store's disk"
                        : "the stored object \(committed.digest.hex) no longer matches its name: store corruption. Run `custody verify` and check the store's disk")
            }
            let registerStarted = IngestStageEvent.now()
            defer { trace(file, .registration, since: registerStarted) }
            if let previous = item.previous, previous.sha256 == committed.digest {
                // Same bytes as before, only the listed size or time moved: note it once, ingest nothing new.
                let earlier = try mapManifest { () throws(ManifestError) in try store.entry(at: previous.entryIndex) }
                try record(
                    .clipAnomaly(
                        kind: "modifiedTimeChanged", recorder: source.identity, path: file.path,
                        sha256: committed.digest, detail: "the file's modification time changed on the recorder; its bytes did not",
                        refersTo: earlier, time: now(), size: file.size, modified: file.modificationTime))
                return .unchanged
            }
            let entry = try register(
                file: file, digest: committed.digest, source: source, model: model, clock: clock,
                assignments: assignments,
                exceptions: exceptions, verifiedBy: copied.verifiedBy, previous: item.previous)
            return .ingested(entry, bytes: copied.bytes)
        } catch {
            return interrupted(file, source: source, bytesDone: copied.bytes, error)
        }
    }

    /// Records that `file` stopped after `bytesDone` bytes, and returns its failed outcome.
    private func interrupted(
        _ file: RecorderFile, source: any RecorderSource, bytesDone: UInt64, _ failure: IngestError
    ) -> FileOutcome {
        // The interruption is evidence (Art 22).
        do {
            try record(
                .ingestInterrupted(
                    recorder: source.identity, path: file.path, size: file.size, bytesDone: bytesDone,
                    reason: failure.code.rawValue, detail: failure.message, time: now()))
        } catch {
            // The manifest itself refused (e.g. its disk is full): the failure must still reach a person.
            return .failed(
                file.path,
                IngestError(
                    failure.code,
                    "\(failure.message); the interruption could not be recorded in the manifest either: \(error.message)"))
        }
        return .failed(file.path, failure)
    }

    /// Reports one stage of `file` to `stageTrace`, if set.
    private func trace(_ file: RecorderFile, _ stage: IngestStageEvent.Stage, since started: UInt64) {
        guard let stageTrace else { return }
        stageTrace(IngestStageEvent(path: file.path, stage: stage, started: started, finished: IngestStageEvent.now()))
    }

    /// Checks that `file` fits (keeping `ingest.reserve_bytes` free) and reserves its space in a new staging file.
    ///
    /// Under one lock, so concurrent copies cannot all pass the check before any of them reserves: the reservation
    /// (posix_fallocate) takes the space at once, and the next check sees it gone.
    private func reserveSpace(for file: RecorderFile) throws(IngestError) -> StagingFile {
        spaceLock.lock()
        defer { spaceLock.unlock() }
        let available = try content.availableBytes()
        let reserve = configuration.ingest.reserveBytes
        guard available >= reserve, file.size <= available - reserve else {
            throw IngestError(
                .storeFull,
                "\(file.path) (\(file.size) bytes) does not fit: the store has \(available) bytes free and keeps "
                    + "\(reserve) in reserve (ingest.reserve_bytes). Free space or add storage, then dock again")
        }
        return try content.createStagingFile(size: file.size)
    }

    /// Analyses the committed copy, corrects its times by `clock`, attributes it, and appends its `clip.ingested`
    /// entry (with any anomalies). Everything after the correction (officer, window exception, deadline, lateness) is
    /// on the station's clock.
    private func register(
        file: RecorderFile, digest: SHA256Hash, source: any RecorderSource, model: RecorderModel,
        clock: ClockCorrection?, assignments: [Assignment], exceptions: [WindowException], verifiedBy: [String],
        previous: IngestedFile?
    ) throws(IngestError) -> StoredEntry {
        let analysis = ClipAnalyzer(model: model).analyse(storedCopy: content.objectURL(for: digest), file: file)
            .corrected(by: clock)
        let identity = source.identity
        var anomalies = [(kind: String, detail: String)]()
        let certificate = AssignmentRegister.officer(holding: identity.serial, at: analysis.start, in: assignments)
        let officer = try certificate.flatMap { certificate throws(IngestError) in
            try mapManifest { () throws(ManifestError) in try store.officer(certificate: certificate) }
                ?? Officer(certificate: certificate, name: "")
        }
        if let named = analysis.nameFields?.officer, named != certificate {
            anomalies.append(
                ("officerMismatch",
                 certificate == nil
                    ? "the file name carries officer \(named) but no officer was assigned the recorder at \(RFC3339.format(analysis.start)); the clip is unassigned"
                    : "the file name carries officer \(named) but officer \(certificate!) held the recorder at \(RFC3339.format(analysis.start))"))
        }
        if let named = analysis.nameFields?.serial, named != identity.serial {
            anomalies.append(
                ("serialMismatch", "the file name carries serial \(named) but the recorder reports \(identity.serial)"))
        }
        if let problem = analysis.containerProblem {
            anomalies.append(("malformedContainer", problem))
        }
        let ingestTime = now()
        let deadline = configuration.upload.window.deadline(
            serial: identity.serial, recordingStart: analysis.start, recordingEnd: analysis.end, exceptions: exceptions
        ).deadline
        let clip = ClipRecord(
            recorder: identity, path: file.path, size: file.size, modificationTime: file.modificationTime,
            sha256: digest, recordingStart: analysis.start, recordingEnd: analysis.end,
            timeSource: analysis.timeSource, container: analysis.container,
            durationMilliseconds: analysis.durationMilliseconds, sequence: analysis.nameFields?.sequence,
            officer: officer, ingestTime: ingestTime, deadline: deadline,
            late: configuration.upload.window.isLate(ingestTime: ingestTime, deadline: deadline),
            recorderTime: analysis.recorderTime)
        return try mapManifest { () throws(ManifestError) in
            let interruptions = try store.openInterruptions(serial: identity.serial, path: file.path)
            var entries = [try ManifestEntry.clipIngested(clip, verifiedBy: verifiedBy, resolves: interruptions)]
            if let previous {
                entries.append(
                    try .clipAnomaly(
                        kind: "changedOnRecorder", recorder: identity, path: file.path, sha256: digest,
                        detail: "the recorder holds different bytes under a path ingested before (was \(previous.sha256.hex)): possible tampering on the device",
                        refersTo: try store.entry(at: previous.entryIndex), time: ingestTime))
            }
            for anomaly in anomalies {
                entries.append(
                    try .clipAnomaly(
                        kind: anomaly.kind, recorder: identity, path: file.path, sha256: digest, detail: anomaly.detail,
                        refersTo: nil, time: ingestTime))
            }
            return try store.append(contentsOf: entries)[0]
        }
    }

    /// Reads the file on the recorder again and returns its SHA-256.
    private func rehash(_ file: RecorderFile, from source: any RecorderSource) throws(IngestError) -> SHA256Hash {
        let stream = try source.open(file)
        let buffer = AlignedBuffer(capacity: PipelinedCopier.bufferSize)
        var hasher = SHA256()
        while true {
            let count = try stream.read(into: buffer.full)
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer.pointer, count: count))
        }
        return SHA256Hash(bytes: Array(hasher.finalize()))!
    }

    private func record(_ entry: @autoclosure () throws(ManifestError) -> ManifestEntry) throws(IngestError) {
        _ = try mapManifest { () throws(ManifestError) in try store.append(try entry()) }
    }
}

/// Turns a manifest failure during ingest into an ingest error.
func mapManifest<T>(_ body: () throws(ManifestError) -> T) throws(IngestError) -> T {
    do {
        return try body()
    } catch {
        throw IngestError(.setup, "the manifest refused the write: \(error.description)")
    }
}

/// Hands out work positions to the copy threads.
final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}

/// The outcomes of the copy threads, by plan position.
final class OutcomeList: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [IngestService.FileOutcome?]

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func set(_ position: Int, _ outcome: IngestService.FileOutcome) {
        lock.lock()
        outcomes[position] = outcome
        lock.unlock()
    }

    var all: [IngestService.FileOutcome?] {
        lock.lock()
        defer { lock.unlock() }
        return outcomes
    }
}
