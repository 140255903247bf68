public import Foundation

/// A fresh, empty directory under the system's temporary folder that removes itself, for tests that need files.
///
/// Each database test works on its own file in its own directory (shared/STYLE.md habit 9). Keep the value alive
/// for as long as the files are in use, e.g. with `defer { directory.remove() }`; release also removes it.
public final class TemporaryDirectory: Sendable {
    /// The directory.
    public let url: URL

    /// Creates a new, empty directory whose name starts with `prefix`.
    public init(prefix: String = "custody-test") throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.url = url
    }

    /// The URL of `name` inside the directory (the file is not created).
    public func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    /// Removes the directory and everything in it; calling it again does nothing.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
