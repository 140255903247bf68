import CustodyCore
import CustodyIngest
import CustodyManifest
import Foundation

/// `custody verify --deep`: the store scrub at once, with progress (Art 28).
extension VerifyCommand {
    /// Re-hashes every stored object and looks for clips' objects that are missing; records each new finding as a
    /// `store.corruption` entry and returns every finding as a problem.
    func deepScrub() throws -> [String] {
        let station = try global.openStation(readOnly: false)
        let storage = station.configuration.storage
        let content: ContentStore
        do {
            content = try ContentStore(root: storage.storeDirectory, staging: storage.stagingDirectory)
        } catch {
            throw CLIError(error.description)
        }
        let scrub = StoreScrub(content: content, store: station.store)
        let expected = try manifest { () throws(ManifestError) in try scrub.expectedDigests() }
        let objects = content.storedObjects()
        let total = objects.reduce(UInt64(0)) { $0 + $1.size }
        let interactive = isatty(STDERR_FILENO) == 1
        var done: UInt64 = 0
        var lastShown = Date.distantPast
        var findings = [StoreScrub.Finding]()
        for (position, object) in objects.enumerated() {
            if let finding = scrub.check(
                object,
                chunk: { count in
                    done += UInt64(count)
                    if interactive, Date().timeIntervalSince(lastShown) > 0.2 {
                        lastShown = Date()
                        FileHandle.standardError.write(
                            Data(
                                "\rre-hashing object \(position + 1)/\(objects.count), \(done >> 20)/\(total >> 20) MiB"
                                    .utf8))
                    }
                })
            {
                findings.append(finding)
            }
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        findings += try manifest { () throws(ManifestError) in try scrub.missing(expected: expected, present: objects) }
        let recorded = try manifest { () throws(ManifestError) in try scrub.record(findings) }
        print(
            "store re-hashed: \(objects.count) object\(objects.count == 1 ? "" : "s"), \(total) bytes, \(findings.count) problem\(findings.count == 1 ? "" : "s")"
        )
        if !recorded.isEmpty {
            print(
                "appended \(recorded.count) store.corruption entr\(recorded.count == 1 ? "y" : "ies") (first \(recorded[0].index))"
            )
        }
        return findings.map { "store: \($0.description)" }
    }
}
