public import CustodyManifest
public import Foundation

/// Manifest entries for tests: administrator notes at a fixed time, so their bytes and hashes never change.
public enum SampleEntries {
    /// The fixed time written in every sample entry: 2026-02-28T23:59:59Z.
    public static let time = Date(timeIntervalSince1970: 1_772_323_199)

    /// An `admin.note` entry whose text is `text`.
    public static func note(_ text: String) throws(ManifestError) -> ManifestEntry {
        try ManifestEntry(type: .adminNote, time: time, fields: ["text": .string(text)])
    }

    /// `count` distinct notes, "note 0", "note 1", … (prefixed by `prefix`, to make a different log).
    public static func notes(_ count: Int, prefix: String = "note") throws(ManifestError) -> [ManifestEntry] {
        var entries = [ManifestEntry]()
        for index in 0..<count {
            entries.append(try note("\(prefix) \(index)"))
        }
        return entries
    }
}
