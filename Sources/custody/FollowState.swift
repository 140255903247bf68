import CustodyManifest
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The state file of `custody follow`: the last checkpoint it verified, as the signed note the station served, and the
/// evidence files it writes beside it when the log forks.
struct FollowState {
    let url: URL

    /// The stored note, or nil when the file does not exist yet (the first run).
    func load() throws -> String? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CLIError("cannot read the state file \(url.path) (\(error.localizedDescription)); fix its permissions")
        }
    }

    /// Replaces the state with `note` atomically: a temporary file beside it, fsync, rename, fsync of the directory.
    func store(_ note: String) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try write(note, to: temporary, exclusive: false)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw CLIError("cannot replace the state file \(url.path) (\(reason)); check the folder is writable")
        }
        let directory = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// Writes a conflicting checkpoint beside the state file, as `STATE.fork-<size>.txt` (or `…-2.txt`, `…-3.txt` when
    /// one is already there), never replacing a file; returns its path.
    func keepEvidence(_ note: String, size: UInt64) throws -> String {
        var attempt = 1
        while true {
            let suffix = attempt == 1 ? "" : "-\(attempt)"
            let evidence = URL(fileURLWithPath: url.path + ".fork-\(size)\(suffix).txt")
            if !FileManager.default.fileExists(atPath: evidence.path) {
                try write(note, to: evidence, exclusive: true)
                return evidence.path
            }
            attempt += 1
        }
    }

    private func write(_ text: String, to file: URL, exclusive: Bool) throws {
        let flags = O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC)
        let descriptor = open(file.path, flags, 0o644)
        guard descriptor >= 0 else {
            throw CLIError("cannot write \(file.path) (\(String(cString: strerror(errno)))); check the folder is writable")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw CLIError("cannot write \(file.path) (\(String(cString: strerror(errno)))); check the disk")
            }
            written += count
        }
        guard fsync(descriptor) == 0 else {
            throw CLIError("cannot flush \(file.path) (\(String(cString: strerror(errno)))); check the disk")
        }
    }
}
