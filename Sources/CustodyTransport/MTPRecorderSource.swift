public import CustodyCore
public import CustodyDevices
public import CustodyIngest
public import Foundation

/// A recorder that presents PTP/MTP instead of mass storage, read through a ``PTPSession`` (issue 5).
///
/// Files are the session's objects, their paths built from the folder (Association) chain; with more than one
/// storage, each storage is a top-level folder `storage-XXXXXXXX`. A PTP session runs one transaction at a time,
/// so the ingest's concurrent workers take turns: an open file holds the session until it is read to its end or
/// dropped. Every PTP failure is an ``IngestError`` with code `sourceRead`, so it ends as `ingest.interrupted`
/// with the bytes done; after a timeout or an unplug the session is broken and the remaining files fail fast.
public final class MTPRecorderSource: RecorderSource, @unchecked Sendable {
    /// Folders nest at most this deep; deeper objects, and objects in a parent cycle, are refused.
    public static let maximumDepth = 32

    public let identity: RecorderIdentity
    /// The offset of the recorder's local clock (the model's `time_zone`), for DateTime strings without one.
    public let localOffset: TimeZoneOffset

    // Guarded by `condition`: the session is used only by whoever set `busy`.
    private let condition = NSCondition()
    private let session: PTPSession
    private var busy = false
    private var handles: [RecorderPath: UInt32] = [:]

    /// A source over an open `session` for the recorder `identity`, whose clock runs at `localOffset`.
    public init(session: PTPSession, identity: RecorderIdentity, localOffset: TimeZoneOffset) {
        self.session = session
        self.identity = identity
        self.localOffset = localOffset
    }

    /// Waits for the session, then holds it.
    private func acquire() -> PTPSession {
        condition.lock()
        while busy { condition.wait() }
        busy = true
        condition.unlock()
        return session
    }

    /// Gives the session back.
    func release() {
        condition.lock()
        busy = false
        condition.signal()
        condition.unlock()
    }

    private func withSession<T>(_ what: String, _ body: (PTPSession) throws(PTPError) -> T) throws(IngestError) -> T {
        let session = acquire()
        defer { release() }
        do {
            return try body(session)
        } catch {
            throw Self.ingestError(error, what)
        }
    }

    static func ingestError(_ error: PTPError, _ what: String) -> IngestError {
        IngestError(
            error.code == .sizeMismatch ? .sourceChanged : .sourceRead,
            "\(what) over PTP failed (\(error.code.rawValue)): \(error.message)")
    }

    public func readClock() throws(IngestError) -> Date? {
        try withSession("reading the recorder's clock") { session throws(PTPError) in
            try session.dateTime().date(assuming: localOffset)
        }
    }

    /// Sets the recorder's clock to `date` (SetDevicePropValue DateTime, 0x5011), written as local time at the
    /// model's offset without a suffix, the form recorders keep (issue 5 item 4, `set_clock_at_dock`).
    public func setClock(to date: Date) throws(IngestError) {
        let local = PTPDateTime(date: date.addingTimeInterval(Double(localOffset.secondsEastOfUTC)), offset: nil)
        try withSession("setting the recorder's clock") { session throws(PTPError) in
            try session.setDateTime(local)
        }
    }

    /// Deletes the object of `target` (DeleteObject) if it is still the file that was verified: the object listed
    /// at its path, a file and not a folder, with the target's size and modification time (whole seconds) when its
    /// ObjectInfo is read again just before. Returns why it was kept otherwise. The wipe after verified ingest
    /// (docs/docking.md "Wipe"); call ``listFiles()`` first.
    public func delete(_ target: WipeTarget) throws(IngestError) -> RecorderEraser.Outcome {
        condition.lock()
        let handle = handles[target.path]
        condition.unlock()
        guard let handle else { return .kept("not among the recorder's listed objects") }
        return try withSession("deleting \(target.path)") { session throws(PTPError) -> RecorderEraser.Outcome in
            let info: PTPObjectInfo
            do throws(PTPError) {
                info = try session.objectInfo(handle)
            } catch {
                guard error.code == .response else { throw error }
                return .kept("the recorder no longer has it (\(error.message))")
            }
            guard !info.isFolder else { return .kept("it is now a folder") }
            let size = try session.objectSize(handle, info: info)
            let modified = Int64(self.modified(info).timeIntervalSince1970.rounded(.down))
            guard size == target.size, modified == target.modifiedSeconds else {
                return .kept(
                    "it changed since it was verified (size \(target.size) → \(size), modified "
                        + "\(target.modifiedSeconds) → \(modified))")
            }
            do throws(PTPError) {
                try session.deleteObject(handle)
            } catch {
                guard error.code == .response else { throw error }
                return .kept("the recorder refused DeleteObject (\(error.message))")
            }
            return .deleted
        }
    }

    public func listFiles() throws(IngestError) -> RecorderListing {
        let (listing, handles) = try withSession("listing the recorder") { session throws(PTPError) in
            try self.list(session)
        }
        condition.lock()
        self.handles = handles
        condition.unlock()
        return listing
    }

    private func list(_ session: PTPSession) throws(PTPError) -> (RecorderListing, [RecorderPath: UInt32]) {
        let storages = try session.storageIDs()
        var listing = RecorderListing(files: [], refused: [])
        var paths = [RecorderPath: UInt32]()
        for storage in storages {
            let prefix: [UInt8] =
                storages.count > 1 ? Array("storage-\(String(format: "%08X", storage))/".utf8) : []
            var infos = [UInt32: PTPObjectInfo]()
            let objects = try session.objectHandles(storage: storage)
            for handle in objects { infos[handle] = try session.objectInfo(handle) }
            for handle in objects {
                guard let info = infos[handle], !info.isFolder else { continue }
                // The folder chain up to the root, refusing cycles, unknown parents and bad names.
                var components = [Array(info.fileName.utf8)]
                var parent = info.parent
                var reason: RefusedPath.Reason?
                while parent != 0, parent != 0xFFFF_FFFF {
                    guard components.count < Self.maximumDepth, let folder = infos[parent], folder.isFolder else {
                        reason = components.count < Self.maximumDepth ? .unreadable : .tooDeep
                        break
                    }
                    components.insert(Array(folder.fileName.utf8), at: 0)
                    parent = folder.parent
                }
                let valid = components.allSatisfy { !$0.isEmpty && !$0.contains(UInt8(ascii: "/")) }
                guard let path = RecorderPath(bytes: prefix + Array(components.joined(separator: [UInt8(ascii: "/")])))
                else { continue }
                if let reason {
                    listing.refused.append(RefusedPath(path: path, reason: reason))
                    continue
                }
                guard valid, paths[path] == nil else {
                    listing.refused.append(RefusedPath(path: path, reason: .unreadable))
                    continue
                }
                let size = try session.objectSize(handle, info: info)
                paths[path] = handle
                listing.files.append(RecorderFile(path: path, size: size, modificationTime: modified(info)))
            }
        }
        listing.files.sort { $0.path < $1.path }
        listing.refused.sort { $0.path < $1.path }
        return (listing, paths)
    }

    /// The ObjectInfo's ModificationDate, or the epoch when the recorder gives none that parses.
    func modified(_ info: PTPObjectInfo) -> Date {
        (try? PTPDateTime(info.modificationDate))?.date(assuming: localOffset) ?? Date(timeIntervalSince1970: 0)
    }

    public func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
        condition.lock()
        let handle = handles[file.path]
        condition.unlock()
        guard let handle else {
            throw IngestError(.sourceRead, "\(file.path) is not among the recorder's listed objects")
        }
        let session = acquire()
        do {
            let reader = try session.openObject(handle, size: file.size)
            return MTPFileStream(source: self, reader: reader, file: file, handle: handle)
        } catch {
            release()
            throw Self.ingestError(error, "opening \(file.path)")
        }
    }

    /// Checks, after a file was read, that its object still has the listed size and modification time.
    func checkUnchanged(_ file: RecorderFile, handle: UInt32) throws(IngestError) {
        let (size, modified) = try withSession("re-checking \(file.path)") { session throws(PTPError) in
            let info = try session.objectInfo(handle)
            return (try session.objectSize(handle, info: info), self.modified(info))
        }
        guard size == file.size, modified == file.modificationTime else {
            throw IngestError(
                .sourceChanged,
                "\(file.path) changed on the recorder while it was copied (size \(file.size) → \(size)); "
                    + "it will be copied again at the next dock")
        }
    }
}

/// An object of an ``MTPRecorderSource`` being read: holds the source's session until read to its end or dropped.
final class MTPFileStream: RecorderFileStream {
    private let source: MTPRecorderSource
    private let reader: PTPObjectReader
    private let file: RecorderFile
    private let handle: UInt32
    private var holdsSession = true
    private var failure: IngestError?

    init(source: MTPRecorderSource, reader: PTPObjectReader, file: RecorderFile, handle: UInt32) {
        self.source = source
        self.reader = reader
        self.file = file
        self.handle = handle
    }

    deinit {
        if holdsSession {
            reader.abandon(because: "the copy of \(file.path) stopped after \(reader.bytesRead) bytes")
            source.release()
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        if let failure { throw failure }
        guard holdsSession else { return 0 }
        do {
            let count = try reader.read(into: buffer)
            if count == 0 { finish() }
            return count
        } catch {
            finish()
            let failure = MTPRecorderSource.ingestError(error, "reading \(file.path)")
            self.failure = failure
            throw failure
        }
    }

    func checkUnchanged() throws(IngestError) {
        try source.checkUnchanged(file, handle: handle)
    }

    private func finish() {
        guard holdsSession else { return }
        holdsSession = false
        source.release()
    }
}
