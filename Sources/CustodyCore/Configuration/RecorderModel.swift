public import Foundation

/// A recorder model from `[[models]]` in the configuration: what its media are and how its files are named.
public struct RecorderModel: Sendable, Equatable {
    /// `name`: the model's name, written into every entry of its clips.
    public var name: String
    /// `media`: globs, relative to the recorder's root, naming its footage; other files are left alone.
    public var media: [MediaGlob]
    /// `file_name`: the pattern of its file names, if they carry fields (serial, officer, time, sequence).
    public var fileName: FileNamePattern?
    /// `time_zone`: the offset of the clock that writes times into file names (recorders use local time).
    public var timeZone: TimeZoneOffset
    /// `verify_source`: after the copy, read the file on the recorder a second time and compare its hash.
    public var verifySource: Bool
    /// `segment_minutes`: the length of the segments the model splits long recordings into; nil if it does not.
    public var segmentMinutes: Int?
    /// `segment_tolerance_seconds`: how far a segment's length and its successor's start may stray and still
    /// count as one continuous chain.
    public var segmentToleranceSeconds = 5
    /// `resume_window_seconds`: a recording that stops and starts again within this window is a `shortResume`
    /// gap (Art 22: the officer explains by voice on resuming); a longer pause is a separate incident.
    public var resumeWindowSeconds = 120
    /// `clock_drift_limit_seconds`: the fixed part of the drift a recorder's clock (read over PTP/MTP at dock)
    /// may show: with no earlier reading of the recorder, an offset from the station's clock beyond this is a
    /// `clockAnomaly` gap (docs/docking.md "Clock drift").
    public var clockDriftLimitSeconds = 30
    /// `clock_drift_seconds_per_day`: how far the clock may drift per day since it was last known good (GA/T 947:
    /// 3 s a day), on top of `clock_drift_limit_seconds`; the last known good reading is the recorder's latest
    /// earlier dock whose clock was read and within this rule.
    public var clockDriftSecondsPerDay = 3
    /// `set_clock_at_dock`: after reading a PTP/MTP recorder's clock at dock, set it to the station's time
    /// (SetDevicePropValue DateTime) and record that in `recorder.docked` (`clockSet`). Off by default: docking
    /// then never writes to the recorder.
    public var setClockAtDock = false
    /// `usb_vendor_id`: the USB vendor ID the recorder reports, four lowercase hex digits (`"abcd"`); with
    /// `usb_product_id` it is how custodyd recognises a docked recorder. Nil: never recognised when docked.
    public var usbVendorID: String?
    /// `usb_product_id`: the USB product ID, four lowercase hex digits.
    public var usbProductID: String?
    /// `transport`: how the recorder presents its storage when docked.
    public var transport: RecorderTransport = .massStorage
    /// `wipe_after_ingest`: after a docked recorder's ingest, delete from it the media files whose `clip.ingested`
    /// entries are committed and verified, so its card does not fill up (docs/docking.md "Wipe"). Off by default.
    public var wipeAfterIngest = false

    /// A model with every default: all files are media, no file-name pattern, UTC, no source re-read.
    public init(name: String) {
        self.name = name
        self.media = [try! MediaGlob("**")]
        self.fileName = nil
        self.timeZone = .utc
        self.verifySource = false
    }

    /// Whether the file at `relativePath` is one of this model's media files.
    public func isMedia(_ relativePath: String) -> Bool {
        media.matches(relativePath)
    }
}

/// How a docked recorder presents its footage (`transport` of a model).
public enum RecorderTransport: String, Sendable, Equatable {
    /// A USB mass-storage device with a file system, mounted read-only (`"massStorage"`).
    case massStorage
    /// A PTP/MTP device (`"mtp"`), docked as its USB device and read over a PTP session through libusb.
    case mtp
}

/// The `[docking]` table: how custodyd recognises, mounts and ingests docked recorders.
public struct DockingConfiguration: Sendable, Equatable {
    /// The mount options every recorder file system gets, whatever the program: never writable, nothing on it runs.
    public static let mountOptions = ["ro", "nosuid", "nodev", "noexec", "noatime"]

    /// `enabled`: whether custodyd watches udev for docked recorders.
    public var enabled = true
    /// `tag`: the udev tag Custody's rules put on recorders (`custody udev-rules`).
    public var tag = "custody"
    /// `runtime_directory`: where custodyd mounts recorders (`mnt/`) and writes `status.json`; nil means
    /// `run` inside the state directory. The systemd unit's RuntimeDirectory is `/run/custody`.
    public var runtimeDirectory: URL?
    /// `max_concurrent_copies`: files copied at once across every docked recorder (each docked recorder also
    /// keeps to `ingest.concurrent_files`).
    public var maxConcurrentCopies = 4
    /// `[docking.mount_programs]`: per file-system type (`ID_FS_TYPE`), `"kernel"` (mount(2)) or the path of a
    /// mount program called as `PROGRAM -o OPTIONS DEVICE DIRECTORY` (e.g. a FUSE driver). Unlisted types use
    /// the kernel.
    public var mountPrograms: [String: String] = [:]
    /// `[docking.bays]`: USB port paths (`ID_PATH`, or a prefix of it ending at a port) → bay names shown to
    /// people, e.g. `"pci-0000:00:14.0-usb-0:1.4" = "4"`. A port not listed is shown by its path.
    public var bays: [String: String] = [:]
    /// `mtp_watcher`: what notices PTP/MTP recorders (models with `transport = "mtp"`) docking; see ``MTPWatcher``.
    public var mtpWatcher = MTPWatcher.udev

    /// What notices PTP/MTP recorders docking (`docking.mtp_watcher`). Mass-storage recorders are always noticed
    /// through udev: they dock as block devices, which libusb does not see.
    public enum MTPWatcher: String, Sendable, Equatable {
        /// udev events for USB devices tagged by Custody's rules (the default).
        case udev
        /// libusb hotplug callbacks for the `mtp` models' USB vendor and product IDs, tagged or not: for stations
        /// whose udev does not tag recorders (no Custody rules installed) or whose libusb learns of devices
        /// through the kernel's netlink events.
        case libusb
    }

    /// The defaults.
    public init() {}

    /// The bay a device on USB port path `path` sits in: the name of the longest configured path that is `path`
    /// itself or a prefix of it ending at a port boundary; else `path`.
    public func bay(forPortPath path: String) -> String {
        var best: (length: Int, name: String)?
        for (prefix, name) in bays where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            guard rest.isEmpty || !(rest.first!.isNumber) else { continue }
            if best == nil || prefix.count > best!.length { best = (prefix.count, name) }
        }
        return best?.name ?? path
    }

    /// The mount program for file-system type `type`: nil means the kernel's own driver.
    public func mountProgram(forFileSystem type: String) -> String? {
        guard let program = mountPrograms[type], program != "kernel" else { return nil }
        return program
    }
}

/// The `[ingest]` table.
public struct IngestConfiguration: Sendable, Equatable {
    /// `concurrent_files`: how many files copy at once.
    public var concurrentFiles = 2
    /// `reserve_bytes`: free space always kept on the store; a file that would eat into it is refused.
    public var reserveBytes: UInt64 = 1 << 30

    /// The defaults.
    public init() {}
}

/// The `[upload]` table (Art 23).
public struct UploadConfiguration: Sendable, Equatable {
    /// `window_hours`: footage must be stored within this many hours after recording ends.
    public var windowHours = 24
    /// `clock_future_tolerance_seconds`: a clip that claims to start further than this after its ingest has a
    /// recorder clock that runs ahead: a `clockAnomaly` gap.
    public var clockFutureToleranceSeconds = 300

    /// The defaults.
    public init() {}

    /// The window as a policy value.
    public var window: UploadWindow { UploadWindow(hours: windowHours) }
}
