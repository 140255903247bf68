public import Foundation

/// What custodyd is doing now, as it writes it to `status.json` in its runtime directory and `custody status`
/// reads it: the recorders docked, in which bay, and what each is copying and how far.
///
/// This is not evidence (the manifest is); it is rewritten whole, atomically, whenever something changes.
public struct StationStatus: Codable, Sendable, Equatable {
    /// The daemon's process ID; `custody status` checks that it is still alive.
    public var pid: Int32
    /// When the daemon started (RFC 3339).
    public var started: String
    /// When this status was written (RFC 3339).
    public var updated: String
    /// Whether the daemon is shutting down.
    public var stopping: Bool
    /// Docked recorders, in the order they docked.
    public var recorders: [Recorder]
    /// Tagged devices the daemon saw and left alone, and why (an unknown USB ID, no file system, …).
    public var ignored: [IgnoredDevice]

    /// A status with no recorders.
    public init(pid: Int32, started: String, updated: String) {
        self.pid = pid
        self.started = started
        self.updated = updated
        self.stopping = false
        self.recorders = []
        self.ignored = []
    }

    /// A docked recorder and its ingest.
    public struct Recorder: Codable, Sendable, Equatable {
        /// The recorder's serial number (`ID_SERIAL_SHORT`).
        public var serial: String
        /// The configured model it was recognised as.
        public var model: String
        /// The bay (from `[docking.bays]`, else the USB port path).
        public var bay: String
        /// The block device, e.g. `/dev/sdb1`.
        public var device: String
        /// The file-system type (`ID_FS_TYPE`).
        public var fileSystem: String
        /// When it docked (RFC 3339).
        public var docked: String
        /// `mounting`, `ingesting`, `done` (ingested and unmounted; safe to undock), `failed`, `undocking`.
        public var state: String
        /// Why it failed, for a person, when `state` is `failed`.
        public var error: String?
        /// Files planned for copying, and how many are finished.
        public var filesTotal: Int
        public var filesDone: Int
        /// Files that failed (each an `ingest.interrupted` entry).
        public var filesFailed: Int
        /// Bytes planned and copied so far.
        public var bytesTotal: UInt64
        public var bytesCopied: UInt64
        /// The files being copied now.
        public var copying: [Copy]
        /// Clips ingested and files already in the manifest, once the ingest is done.
        public var ingested: Int
        public var alreadyIngested: Int

        /// A recorder that has just docked.
        public init(serial: String, model: String, bay: String, device: String, fileSystem: String, docked: String) {
            self.serial = serial
            self.model = model
            self.bay = bay
            self.device = device
            self.fileSystem = fileSystem
            self.docked = docked
            self.state = "mounting"
            self.error = nil
            self.filesTotal = 0
            self.filesDone = 0
            self.filesFailed = 0
            self.bytesTotal = 0
            self.bytesCopied = 0
            self.copying = []
            self.ingested = 0
            self.alreadyIngested = 0
        }
    }

    /// One file being copied.
    public struct Copy: Codable, Sendable, Equatable {
        /// The path on the recorder.
        public var path: String
        /// Its size, and the bytes read so far.
        public var size: UInt64
        public var bytesDone: UInt64

        /// Creates a copy record.
        public init(path: String, size: UInt64, bytesDone: UInt64) {
            self.path = path
            self.size = size
            self.bytesDone = bytesDone
        }
    }

    /// A tagged device that is not ingested.
    public struct IgnoredDevice: Codable, Sendable, Equatable {
        /// The block device.
        public var device: String
        /// Why, for a person.
        public var reason: String

        /// Creates a record.
        public init(device: String, reason: String) {
            self.device = device
            self.reason = reason
        }
    }

    /// The status file in `runtimeDirectory`.
    public static func fileURL(runtimeDirectory: URL) -> URL {
        runtimeDirectory.appendingPathComponent("status.json")
    }

    /// The status custodyd last wrote in `runtimeDirectory`, or nil when there is none or it cannot be read.
    public static func read(runtimeDirectory: URL) -> StationStatus? {
        guard let data = try? Data(contentsOf: fileURL(runtimeDirectory: runtimeDirectory)) else { return nil }
        return try? JSONDecoder().decode(StationStatus.self, from: data)
    }
}
