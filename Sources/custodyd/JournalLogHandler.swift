import Foundation
import Logging

/// Log lines for the systemd journal (used when `$JOURNAL_STREAM` says standard error goes there): each line starts
/// with its syslog priority (`<6>` for info, sd-daemon(3)) so `journalctl -p` filters by level, carries no
/// timestamp (the journal adds one), and ends with the metadata as sorted `key=value` pairs.
struct JournalLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    private let lock = NSLock()

    init(logLevel: Logger.Level) {
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let priority: Int
        switch event.level {
        case .trace, .debug: priority = 7
        case .info: priority = 6
        case .notice: priority = 5
        case .warning: priority = 4
        case .error: priority = 3
        case .critical: priority = 2
        }
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let pairs = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        let text = "\(event.message)\(pairs.isEmpty ? "" : " " + pairs)".replacingOccurrences(of: "\n", with: " ")
        let line = "<\(priority)>\(text)\n"
        lock.lock()
        FileHandle.standardError.write(Data(line.utf8))
        lock.unlock()
    }
}
