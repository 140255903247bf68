public import Foundation
import TOMLKit

/// Everything a Custody process reads from its configuration file, read once in `main` and passed down as values.
///
/// `config/custody.toml` is the documented example; every key below appears there with its default.
public struct CustodyConfiguration: Sendable, Equatable {
    /// Where the station keeps its state.
    public var storage: StorageConfiguration
    /// How the manifest names and signs itself.
    public var manifest: ManifestConfiguration
    /// How ingest copies.
    public var ingest = IngestConfiguration()
    /// The upload window (Art 23).
    public var upload = UploadConfiguration()
    /// The recorder models, by name.
    public var models: [RecorderModel] = []
    /// Docking: udev, mounting, concurrency (custodyd).
    public var docking = DockingConfiguration()
    /// Retention (Art 25).
    public var retention = RetentionConfiguration()
    /// The background re-hash of the store (Art 28).
    public var scrub = ScrubConfiguration()
    /// The HTTP listener: feed, footage, admin pages (custodyd).
    public var http = HTTPConfiguration()

    /// The bearer tokens file: `http.tokens_file`, else `keys/tokens.json` in the state directory.
    public var tokensFile: URL {
        http.tokensFile ?? storage.keysDirectory.appendingPathComponent("tokens.json")
    }

    /// Where custodyd mounts recorders and writes its status: `docking.runtime_directory`, else `run` in the
    /// state directory.
    public var runtimeDirectory: URL {
        docking.runtimeDirectory ?? storage.stateDirectory.appendingPathComponent("run")
    }

    /// The model named `name`, if configured.
    public func model(named name: String) -> RecorderModel? {
        models.first { $0.name == name }
    }

    /// A configuration with every default, its state directory at `stateDirectory`.
    public init(stateDirectory: URL, origin: String = ManifestConfiguration.defaultOrigin) {
        self.storage = StorageConfiguration(stateDirectory: stateDirectory)
        self.manifest = ManifestConfiguration(origin: origin)
    }

    /// Parses TOML text; relative paths in it are resolved against `baseDirectory` (the config file's folder).
    ///
    /// Unknown keys are refused, so a misspelt key is an error instead of a silently ignored setting.
    public init(toml text: String, baseDirectory: URL) throws(ConfigurationError) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                "the configuration is not valid TOML: \(error.description) at line \(error.source.begin.line)")
        } catch {
            throw ConfigurationError("the configuration is not valid TOML: \(error)")
        }
        let root = ConfigurationTable(table, path: "")
        try root.rejectUnknownKeys(allowed: [
            "storage", "manifest", "ingest", "upload", "models", "docking", "retention", "scrub", "http",
        ])

        let storageTable = try root.table("storage")
        try storageTable.rejectUnknownKeys(allowed: ["state_directory"])
        let stateText = try storageTable.string("state_directory") ?? StorageConfiguration.defaultStateDirectory
        guard !stateText.isEmpty else { throw ConfigurationError("storage.state_directory must not be empty") }
        self.storage = StorageConfiguration(
            stateDirectory: URL(fileURLWithPath: stateText, relativeTo: baseDirectory).standardizedFileURL)

        let manifestTable = try root.table("manifest")
        try manifestTable.rejectUnknownKeys(allowed: ["origin", "checkpoint_interval_seconds"])
        var manifest = ManifestConfiguration(
            origin: try manifestTable.string("origin") ?? ManifestConfiguration.defaultOrigin)
        if let interval = try manifestTable.int("checkpoint_interval_seconds") {
            guard interval >= 1 else {
                throw ConfigurationError("manifest.checkpoint_interval_seconds must be at least 1, not \(interval)")
            }
            manifest.checkpointInterval = .seconds(interval)
        }
        try ManifestConfiguration.validate(origin: manifest.origin)
        self.manifest = manifest

        let ingestTable = try root.table("ingest")
        try ingestTable.rejectUnknownKeys(allowed: ["concurrent_files", "reserve_bytes"])
        if let count = try ingestTable.int("concurrent_files") {
            guard (1...64).contains(count) else {
                throw ConfigurationError("ingest.concurrent_files must be between 1 and 64, not \(count)")
            }
            ingest.concurrentFiles = count
        }
        if let reserve = try ingestTable.int("reserve_bytes") {
            guard reserve >= 0 else { throw ConfigurationError("ingest.reserve_bytes must not be negative") }
            ingest.reserveBytes = UInt64(reserve)
        }

        let uploadTable = try root.table("upload")
        try uploadTable.rejectUnknownKeys(allowed: ["window_hours", "clock_future_tolerance_seconds"])
        if let seconds = try uploadTable.int("clock_future_tolerance_seconds") {
            guard (0...86_400).contains(seconds) else {
                throw ConfigurationError("upload.clock_future_tolerance_seconds must be between 0 and 86400")
            }
            upload.clockFutureToleranceSeconds = seconds
        }
        if let hours = try uploadTable.int("window_hours") {
            guard (1...8760).contains(hours) else {
                throw ConfigurationError("upload.window_hours must be between 1 and 8760, not \(hours)")
            }
            upload.windowHours = hours
        }

        docking = try Self.docking(try root.table("docking"), baseDirectory: baseDirectory)
        http = try Self.http(try root.table("http"), baseDirectory: baseDirectory)

        let retentionTable = try root.table("retention")
        try retentionTable.rejectUnknownKeys(allowed: ["years"])
        if let years = try retentionTable.int("years") {
            guard (2...100).contains(years) else {
                throw ConfigurationError("retention.years must be between 2 (Art 25) and 100, not \(years)")
            }
            retention.years = years
        }
        let scrubTable = try root.table("scrub")
        try scrubTable.rejectUnknownKeys(allowed: ["enabled", "bytes_per_second", "pause_seconds"])
        if let enabled = try scrubTable.bool("enabled") { scrub.enabled = enabled }
        if let rate = try scrubTable.int("bytes_per_second") {
            guard rate >= 4096 else {
                throw ConfigurationError("scrub.bytes_per_second must be at least 4096, not \(rate)")
            }
            scrub.bytesPerSecond = UInt64(rate)
        }
        if let pause = try scrubTable.int("pause_seconds") {
            guard (1...31_536_000).contains(pause) else {
                throw ConfigurationError("scrub.pause_seconds must be between 1 and 31536000, not \(pause)")
            }
            scrub.pauseSeconds = pause
        }

        for (position, modelTable) in try root.tables("models").enumerated() {
            let model = try Self.model(modelTable, position: position)
            guard self.model(named: model.name) == nil else {
                throw ConfigurationError("two [[models]] are named \"\(model.name)\"; model names must be unique")
            }
            models.append(model)
        }
    }

    private static func model(_ table: ConfigurationTable, position: Int) throws(ConfigurationError) -> RecorderModel {
        try table.rejectUnknownKeys(allowed: [
            "name", "media", "file_name", "time_zone", "verify_source", "segment_minutes", "segment_tolerance_seconds",
            "resume_window_seconds", "usb_vendor_id", "usb_product_id", "transport",
            "wipe_after_ingest", "clock_drift_limit_seconds", "clock_drift_seconds_per_day", "set_clock_at_dock",
        ])
        guard let name = try table.string("name"), !name.isEmpty,
            name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else {
            throw ConfigurationError("models[\(position)] needs a name without spaces, e.g. name = \"DSJ-V8\"")
        }
        var model = RecorderModel(name: name)
        if let globs = try table.strings("media") {
            guard !globs.isEmpty else { throw ConfigurationError("models \"\(name)\": media must list at least one glob") }
            model.media = []
            for glob in globs {
                do {
                    model.media.append(try MediaGlob(glob))
                } catch {
                    throw ConfigurationError("models \"\(name)\": \(error.description)")
                }
            }
        }
        if let pattern = try table.string("file_name") {
            do {
                model.fileName = try FileNamePattern(pattern)
            } catch {
                throw ConfigurationError("models \"\(name)\": \(error.description)")
            }
        }
        if let zone = try table.string("time_zone") {
            guard let offset = TimeZoneOffset(zone) else {
                throw ConfigurationError("models \"\(name)\": time_zone \"\(zone)\" must look like \"+08:00\" or \"Z\"")
            }
            model.timeZone = offset
        }
        if let verify = try table.bool("verify_source") { model.verifySource = verify }
        if let minutes = try table.int("segment_minutes") {
            guard (1...1440).contains(minutes) else {
                throw ConfigurationError("models \"\(name)\": segment_minutes must be between 1 and 1440")
            }
            model.segmentMinutes = minutes
        }
        if let seconds = try table.int("segment_tolerance_seconds") {
            guard (0...600).contains(seconds) else {
                throw ConfigurationError("models \"\(name)\": segment_tolerance_seconds must be between 0 and 600")
            }
            model.segmentToleranceSeconds = seconds
        }
        if let seconds = try table.int("resume_window_seconds") {
            guard (0...86_400).contains(seconds) else {
                throw ConfigurationError("models \"\(name)\": resume_window_seconds must be between 0 and 86400")
            }
            model.resumeWindowSeconds = seconds
        }
        if let seconds = try table.int("clock_drift_limit_seconds") {
            guard (0...31_536_000).contains(seconds) else {
                throw ConfigurationError("models \"\(name)\": clock_drift_limit_seconds must be between 0 and 31536000")
            }
            model.clockDriftLimitSeconds = seconds
        }
        if let seconds = try table.int("clock_drift_seconds_per_day") {
            guard (0...86_400).contains(seconds) else {
                throw ConfigurationError("models \"\(name)\": clock_drift_seconds_per_day must be between 0 and 86400")
            }
            model.clockDriftSecondsPerDay = seconds
        }
        for (key, path) in [("usb_vendor_id", \RecorderModel.usbVendorID), ("usb_product_id", \.usbProductID)] {
            guard let text = try table.string(key) else { continue }
            let hex = text.lowercased()
            guard hex.utf8.count == 4, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw ConfigurationError("models \"\(name)\": \(key) must be four hex digits, e.g. \"abcd\", not \"\(text)\"")
            }
            model[keyPath: path] = hex
        }
        guard (model.usbVendorID == nil) == (model.usbProductID == nil) else {
            throw ConfigurationError("models \"\(name)\": give both usb_vendor_id and usb_product_id, or neither")
        }
        if let transport = try table.string("transport") {
            guard let value = RecorderTransport(rawValue: transport) else {
                throw ConfigurationError("models \"\(name)\": transport must be \"massStorage\" or \"mtp\", not \"\(transport)\"")
            }
            model.transport = value
        }
        if let wipe = try table.bool("wipe_after_ingest") { model.wipeAfterIngest = wipe }
        if let set = try table.bool("set_clock_at_dock") { model.setClockAtDock = set }
        return model
    }

    private static func docking(
        _ table: ConfigurationTable, baseDirectory: URL
    ) throws(ConfigurationError) -> DockingConfiguration {
        try table.rejectUnknownKeys(allowed: [
            "enabled", "tag", "runtime_directory", "max_concurrent_copies", "mount_programs", "bays", "mtp_watcher",
        ])
        var docking = DockingConfiguration()
        if let enabled = try table.bool("enabled") { docking.enabled = enabled }
        if let tag = try table.string("tag") {
            guard !tag.isEmpty, tag.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") }) else {
                throw ConfigurationError("docking.tag must be a non-empty word, e.g. \"custody\"")
            }
            docking.tag = tag
        }
        if let watcher = try table.string("mtp_watcher") {
            guard let parsed = DockingConfiguration.MTPWatcher(rawValue: watcher) else {
                throw ConfigurationError("docking.mtp_watcher must be \"udev\" or \"libusb\", not \"\(watcher)\"")
            }
            docking.mtpWatcher = parsed
        }
        if let directory = try table.string("runtime_directory") {
            guard !directory.isEmpty else { throw ConfigurationError("docking.runtime_directory must not be empty") }
            docking.runtimeDirectory = URL(fileURLWithPath: directory, relativeTo: baseDirectory).standardizedFileURL
        }
        if let count = try table.int("max_concurrent_copies") {
            guard (1...64).contains(count) else {
                throw ConfigurationError("docking.max_concurrent_copies must be between 1 and 64, not \(count)")
            }
            docking.maxConcurrentCopies = count
        }
        for (type, program) in try table.table("mount_programs").stringTable() {
            guard program == "kernel" || program.hasPrefix("/") else {
                throw ConfigurationError(
                    "docking.mount_programs.\(type) must be \"kernel\" or an absolute path, not \"\(program)\"")
            }
            docking.mountPrograms[type] = program
        }
        for (path, bay) in try table.table("bays").stringTable() {
            guard !bay.isEmpty else { throw ConfigurationError("docking.bays.\"\(path)\" must name a bay") }
            docking.bays[path] = bay
        }
        return docking
    }

    /// Reads and parses the file at `url`.
    public static func load(from url: URL) throws(ConfigurationError) -> CustodyConfiguration {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                "cannot read the configuration file \(url.path): \(error.localizedDescription). "
                    + "Run `custody --config \(url.path) init` to create one.")
        }
        do {
            return try CustodyConfiguration(toml: text, baseDirectory: url.deletingLastPathComponent())
        } catch {
            throw ConfigurationError("\(url.path): \(error.message)")
        }
    }
}

/// The `[storage]` table.
public struct StorageConfiguration: Sendable, Equatable {
    /// The default state directory on an installed station.
    public static let defaultStateDirectory = "/var/lib/custody"

    /// `storage.state_directory`: the root of the database, keys, footage store and staging area.
    public var stateDirectory: URL

    /// Creates the storage settings rooted at `stateDirectory`.
    public init(stateDirectory: URL) {
        self.stateDirectory = stateDirectory
    }

    /// The manifest database, `custody.sqlite`.
    public var databaseFile: URL { stateDirectory.appendingPathComponent("custody.sqlite") }
    /// The folder holding the checkpoint signing key.
    public var keysDirectory: URL { stateDirectory.appendingPathComponent("keys") }
    /// The checkpoint signing key, mode 0600.
    public var checkpointKeyFile: URL { keysDirectory.appendingPathComponent("checkpoint.key") }
    /// The content-addressed footage store.
    public var storeDirectory: URL { stateDirectory.appendingPathComponent("store") }
    /// Copies in flight, on the same filesystem as the store so renames are atomic.
    public var stagingDirectory: URL { stateDirectory.appendingPathComponent("staging") }
}

/// The `[manifest]` table.
public struct ManifestConfiguration: Sendable, Equatable {
    /// The origin used when the configuration names none.
    public static let defaultOrigin = "custody.invalid/station"

    /// `manifest.origin`: the checkpoint's origin line and the signing key's name (C2SP tlog-checkpoint).
    public var origin: String
    /// `manifest.checkpoint_interval_seconds`: how often the daemon signs a checkpoint when there are new entries.
    public var checkpointInterval: Duration = .seconds(60)

    /// Creates the manifest settings for `origin`.
    public init(origin: String) {
        self.origin = origin
    }

    /// Checks that `origin` can serve as a C2SP note key name: non-empty, no whitespace, no `+`.
    public static func validate(origin: String) throws(ConfigurationError) {
        guard !origin.isEmpty, !origin.contains(where: { $0.isWhitespace || $0 == "+" }),
            origin.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else {
            throw ConfigurationError(
                "manifest.origin \"\(origin)\" must be non-empty and contain no spaces or '+' "
                    + "(it names the signing key); use a form like \"custody.example.org/station-01\"")
        }
    }
}

/// A configuration file that cannot be used, with a message that says which key and what to do.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, for a person.
    public let message: String

    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A TOML table that remembers its dotted path for error messages.
struct ConfigurationTable {
    let table: TOMLTable?
    let path: String

    init(_ table: TOMLTable?, path: String) {
        self.table = table
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func rejectUnknownKeys(allowed: Set<String>) throws(ConfigurationError) {
        guard let table else { return }
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw ConfigurationError(
                "unknown setting \(name(key)); the known ones here are \(allowed.sorted().map(name).joined(separator: ", "))"
            )
        }
    }

    func table(_ key: String) throws(ConfigurationError) -> ConfigurationTable {
        guard let value = table?[key] else { return ConfigurationTable(nil, path: name(key)) }
        guard let sub = value.table else { throw ConfigurationError("\(name(key)) must be a table ([\(name(key))])") }
        return ConfigurationTable(sub, path: name(key))
    }

    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = table?[key] else { return nil }
        guard let text = value.string else { throw ConfigurationError("\(name(key)) must be a string") }
        return text
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = table?[key] else { return nil }
        guard let flag = value.bool else { throw ConfigurationError("\(name(key)) must be true or false") }
        return flag
    }

    func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = table?[key] else { return nil }
        guard let array = value.array else { throw ConfigurationError("\(name(key)) must be a list of strings") }
        var out = [String]()
        for element in array {
            guard let text = element.string else { throw ConfigurationError("\(name(key)) must be a list of strings") }
            out.append(text)
        }
        return out
    }

    func tables(_ key: String) throws(ConfigurationError) -> [ConfigurationTable] {
        guard let value = table?[key] else { return [] }
        guard let array = value.array else {
            throw ConfigurationError("\(name(key)) must be an array of tables ([[\(name(key))]])")
        }
        var out = [ConfigurationTable]()
        for (position, element) in array.enumerated() {
            guard let sub = element.table else {
                throw ConfigurationError("\(name(key)) must be an array of tables ([[\(name(key))]])")
            }
            out.append(ConfigurationTable(sub, path: "\(name(key))[\(position)]"))
        }
        return out
    }

    /// Every key of the table with its string value (`[docking.bays]`, `[docking.mount_programs]`).
    func stringTable() throws(ConfigurationError) -> [String: String] {
        guard let table else { return [:] }
        var out = [String: String]()
        for key in table.keys {
            guard let text = table[key]?.string else { throw ConfigurationError("\(name(key)) must be a string") }
            out[key] = text
        }
        return out
    }

    func int(_ key: String) throws(ConfigurationError) -> Int? {
        guard let value = table?[key] else { return nil }
        guard let number = value.int else { throw ConfigurationError("\(name(key)) must be an integer") }
        return number
    }
}
