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
/// with the bytes done (Art 22). A timeout, a stall or an unplug breaks the session; given a ``Reopener``, the next
/// use of the source resets the recorder and opens a new session (at most ``maximumReopens`` times), and without
/// one, or once they are spent, the remaining files fail fast.
public final class MTPRecorderSource: RecorderSource, @unchecked Sendable {
    /// Folders nest at most this deep; deeper objects, and objects in a parent cycle, are refused.
    public static let maximumDepth = 32

    /// Re-opens the session of a recorder still docked after a failure broke it: resets the device (Device Reset,
    /// halts cleared) and opens a new session over the same transport. Throws when the recorder does not answer.
    public typealias Reopener = () throws(PTPError) -> PTPSession

    /// A source re-opens a broken session at most this many times (one dock), so a recorder that stalls on every
    /// transfer cannot hold its bay: each try costs at most a transfer timeout and a reset.
    public static let maximumReopens = 3

    public let identity: RecorderIdentity
    /// The offset of the recorder's local clock (the model's `time_zone`), for DateTime strings without one.
    public let localOffset: TimeZoneOffset

    // Guarded by `condition`: the session is used, and replaced, only by whoever set `busy`.
    private let condition = NSCondition()
    private var session: PTPSession
    private var busy = false
    private var handles: [RecorderPath: UInt32] = [:]
    private let reopen: Reopener?
    private var reopenCount = 0
    private var sessionBroke = false

    /// A source over an open `session` for the recorder `identity`, whose clock runs at `localOffset`; `reopen`,
    /// when given, replaces a session that a failure broke (see ``Reopener``).
    public init(
        session: PTPSession, identity: RecorderIdentity, localOffset: TimeZoneOffset, reopen: Reopener? = nil
    ) {
        self.session = session
        self.identity = identity
        self.localOffset = localOffset
        self.reopen = reopen
    }

    /// The session now: the one given, or the last one re-opened.
    public var currentSession: PTPSession {
        condition.lock()
        defer { condition.unlock() }
        return session
    }

    /// How many times re-opening a broken session was tried (each a Device Reset and an OpenSession).
    public var reopens: Int {
        condition.lock()
        defer { condition.unlock() }
        return reopenCount
    }

    /// Whether a failure broke a session of this source and reading can go on: the session now is intact, or a
    /// re-open is left. Files that the break interrupted are then worth one more try
    /// (``CustodyIngest/IngestService/ingest(_:resuming:model:progress:shouldStop:)``).
    public var canResume: Bool {
        condition.lock()
        defer { condition.unlock() }
        return sessionBroke && (!session.isBroken || (reopen != nil && reopenCount < Self.maximumReopens))
    }

    /// Waits for the session, then holds it; a broken one is first re-opened when a re-open is left.
    private func acquire() -> PTPSession {
        condition.lock()
        while busy { condition.wait() }
        busy = true
        condition.unlock()
        reopenIfBroken()
        return session
    }

    /// Called holding the session: when it is broken and a re-open is left, resets the recorder, opens a new
    /// session and lists the objects again, since handles need not outlive a session (ISO 15740 §9.4). When that
    /// fails the session stays broken, and whoever waits for it fails fast.
    private func reopenIfBroken() {
        guard session.isBroken, let reopen else { return }
        condition.lock()
        sessionBroke = true
        guard reopenCount < Self.maximumReopens else {
            condition.unlock()
            return
        }
        reopenCount += 1
        condition.unlock()
        do throws(PTPError) {
            let fresh = try reopen()
            condition.lock()
            session = fresh
            condition.unlock()
            let (_, handles) = try list(fresh)
            condition.lock()
            self.handles = handles
            condition.unlock()
        } catch {
            return
        }
    }

    /// Gives the session back.
    func release() {
        condition.lock()
        if session.isBroken { sessionBroke = true }
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
        try withSession("deleting \(target.path)") { session throws(PTPError) -> RecorderEraser.Outcome in
            guard let handle = self.handle(target.path) else {
                return .kept("not among the recorder's listed objects")
            }
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
            for handle in objects {
                do throws(PTPError) {
                    infos[handle] = try session.objectInfo(handle)
                } catch {
                    // A dataset that does not decode (a NUL or a lone surrogate in its name…) was read whole, so
                    // the session is intact: the object is refused, the listing goes on.
                    guard error.code == .malformedDataset else { throw error }
                    listing.refused.append(
                        RefusedPath(path: Self.unnamedPath(prefix: prefix, handle: handle), reason: .unreadable))
                }
            }
            for handle in objects {
                guard let info = infos[handle], !info.isFolder else { continue }
                let (components, reason) = Self.folderChain(of: info, in: infos)
                guard let path = RecorderPath(bytes: prefix + Array(components.joined(separator: [UInt8(ascii: "/")])))
                else {
                    listing.refused.append(
                        RefusedPath(path: Self.unnamedPath(prefix: prefix, handle: handle), reason: .unreadable))
                    continue
                }
                if let reason {
                    listing.refused.append(RefusedPath(path: path, reason: reason))
                    continue
                }
                guard paths[path] == nil else {
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

    /// The path components of a file from the root of its storage, each name usable as a component (see
    /// ``component(_:)``), and why the file is refused, if it is: a name that is not a usable component, an
    /// unknown parent or a parent cycle (`unreadable`), folders nested over ``maximumDepth`` (`tooDeep`).
    static func folderChain(
        of info: PTPObjectInfo, in infos: [UInt32: PTPObjectInfo]
    ) -> (components: [[UInt8]], refusal: RefusedPath.Reason?) {
        var (name, usable) = component(info.fileName)
        var components = [name]
        var reason: RefusedPath.Reason? = usable ? nil : .unreadable
        var seen = Set<UInt32>()
        var parent = info.parent
        while parent != 0, parent != 0xFFFF_FFFF {
            guard let folder = infos[parent], folder.isFolder, seen.insert(parent).inserted else {
                reason = .unreadable
                break
            }
            guard components.count < maximumDepth else {
                reason = reason ?? .tooDeep
                break
            }
            (name, usable) = component(folder.fileName)
            components.insert(name, at: 0)
            if !usable { reason = .unreadable }
            parent = folder.parent
        }
        return (components, reason)
    }

    /// A recorder's object name as a path component, and whether it is usable as it is. A name that cannot be a
    /// component (empty, `.`, `..`, or holding `/` or NUL) is written so that it can, for the refusal to show:
    /// every `%`, `/` and every byte outside printable ASCII as `%XX` (`a/b.MP4` as `a%2Fb.MP4`), `.` and `..` as
    /// `%2E` and `%2E%2E`, and an empty name as `%(empty)`. Only a name itself spelled with such escapes reads the
    /// same.
    static func component(_ name: String) -> (bytes: [UInt8], usable: Bool) {
        let bytes = Array(name.utf8)
        guard bytes.isEmpty || bytes == [0x2E] || bytes == [0x2E, 0x2E] || bytes.contains(0x2F) || bytes.contains(0)
        else { return (bytes, true) }
        if bytes.isEmpty { return (Array("%(empty)".utf8), false) }
        let dots = bytes.allSatisfy { $0 == 0x2E }
        var escaped = [UInt8]()
        for byte in bytes {
            if byte > 0x20, byte < 0x7F, byte != 0x25, byte != 0x2F, !dots {
                escaped.append(byte)
            } else {
                escaped += Array(String(format: "%%%02X", UInt32(byte)).utf8)
            }
        }
        return (escaped, false)
    }

    /// The path shown for an object whose name is unknown (its ObjectInfo does not decode): `%(object-XXXXXXXX)`
    /// with its handle in hex, under its storage's folder.
    static func unnamedPath(prefix: [UInt8], handle: UInt32) -> RecorderPath {
        RecorderPath(bytes: prefix + Array("%(object-\(String(format: "%08X", handle)))".utf8))!
    }

    /// The ObjectInfo's ModificationDate, or the epoch when the recorder gives none that parses.
    func modified(_ info: PTPObjectInfo) -> Date {
        (try? PTPDateTime(info.modificationDate))?.date(assuming: localOffset) ?? Date(timeIntervalSince1970: 0)
    }

    /// The object handle of a listed path in the session now.
    private func handle(_ path: RecorderPath) -> UInt32? {
        condition.lock()
        defer { condition.unlock() }
        return handles[path]
    }

    public func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream {
        let session = acquire()
        guard let handle = self.handle(file.path) else {
            release()
            throw IngestError(.sourceRead, "\(file.path) is not among the recorder's listed objects")
        }
        do {
            let reader = try session.openObject(handle, size: file.size)
            return MTPFileStream(source: self, reader: reader, file: file)
        } catch {
            release()
            throw Self.ingestError(error, "opening \(file.path)")
        }
    }

    /// Checks, after a file was read, that its object still has the listed size and modification time.
    func checkUnchanged(_ file: RecorderFile) throws(IngestError) {
        let checked = try withSession("re-checking \(file.path)") { session throws(PTPError) -> (UInt64, Date)? in
            guard let handle = self.handle(file.path) else { return nil }
            let info = try session.objectInfo(handle)
            return (try session.objectSize(handle, info: info), self.modified(info))
        }
        guard let (size, modified) = checked else {
            throw IngestError(
                .sourceChanged,
                "\(file.path) is no longer among the recorder's objects; it will be copied again at the next dock")
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
    private var holdsSession = true
    private var failure: IngestError?

    init(source: MTPRecorderSource, reader: PTPObjectReader, file: RecorderFile) {
        self.source = source
        self.reader = reader
        self.file = file
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
        try source.checkUnchanged(file)
    }

    private func finish() {
        guard holdsSession else { return }
        holdsSession = false
        source.release()
    }
}
