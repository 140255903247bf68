public import CustodyCore
public import Foundation

/// A docked recorder as the pipeline sees it: its identity, its files, byte streams, and where known its clock.
///
/// Implementations: ``DirectorySource`` (a mounted file system); the docking and PTP/MTP issues add more.
/// A recorder is untrusted input: a source never follows a symbolic link or reads anything outside its root.
public protocol RecorderSource: Sendable {
    /// The recorder's serial number and model.
    var identity: RecorderIdentity { get }

    /// Lists every regular file, and reports every entry that is not one.
    func listFiles() throws(IngestError) -> RecorderListing

    /// Opens a listed file for reading.
    func open(_ file: RecorderFile) throws(IngestError) -> any RecorderFileStream

    /// The recorder's clock now, or nil when this transport cannot read it.
    func readClock() throws(IngestError) -> Date?
}

/// A regular file on a recorder, as listed.
public struct RecorderFile: Sendable, Equatable {
    /// The path relative to the recorder's root.
    public let path: RecorderPath
    /// The size in bytes when listed.
    public let size: UInt64
    /// The modification time when listed.
    public let modificationTime: Date

    /// Creates a file description.
    public init(path: RecorderPath, size: UInt64, modificationTime: Date) {
        self.path = path
        self.size = size
        self.modificationTime = modificationTime
    }
}

/// What a recorder holds: its regular files, and what was refused.
public struct RecorderListing: Sendable {
    /// Regular files, in path order.
    public var files: [RecorderFile]
    /// Entries that are never read, with the reason: symbolic links, device nodes, FIFOs, sockets, too deep.
    public var refused: [RefusedPath]

    /// Creates a listing.
    public init(files: [RecorderFile], refused: [RefusedPath]) {
        self.files = files
        self.refused = refused
    }
}

/// A path on a recorder that was not read, and why.
public struct RefusedPath: Sendable, Equatable {
    /// Why a path was refused.
    public enum Reason: String, Sendable {
        case symbolicLink, deviceNode, fifo, socket, tooDeep, unreadable, unknownType
    }

    /// The path.
    public let path: RecorderPath
    /// Why.
    public let reason: Reason

    /// Creates a refusal.
    public init(path: RecorderPath, reason: Reason) {
        self.path = path
        self.reason = reason
    }
}

/// An open file on a recorder.
public protocol RecorderFileStream: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int

    /// Checks, after the last read, that the file still is what was listed (size and modification time).
    func checkUnchanged() throws(IngestError)
}
