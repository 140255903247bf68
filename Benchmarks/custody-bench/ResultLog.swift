import Foundation

/// The samples of one `make bench` run: a TSV file of `key<TAB>value` lines that every subcommand appends to
/// and `custody-bench report` reads back. A key measured several times has several lines; the report takes medians.
struct ResultLog {
    let url: URL

    /// Appends one sample and echoes it.
    func record(_ key: String, _ value: Double) {
        let line = "\(key)\t\(value)\n"
        print("  \(key) = \(String(format: "%.6g", value))")
        guard let handle = FileHandle(forWritingAtPath: url.path) else {
            _ = FileManager.default.createFile(atPath: url.path, contents: Data(line.utf8))
            return
        }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(line.utf8))
    }

    /// Every sample, by key, in file order.
    static func read(_ url: URL) throws -> [String: [Double]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var samples = [String: [Double]]()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            samples[String(parts[0]), default: []].append(value)
        }
        return samples
    }
}
