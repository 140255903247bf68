import CustodyCore
import CustodyManifest
import Foundation

/// How the admin pages write times, sizes and officers: one place, so every page reads alike.
enum AdminFormat {
    /// A time as the pages show it: RFC 3339 UTC with a space for the `T`, e.g. `2026-11-30 03:20:41Z`.
    static func time(_ date: Date) -> String {
        RFC3339.format(date).replacingOccurrences(of: "T", with: " ")
    }

    /// A time given in an entry as RFC 3339 text.
    static func time(_ text: String) -> String {
        text.replacingOccurrences(of: "T", with: " ")
    }

    /// A span of seconds as hours and minutes, e.g. `1 h 05 min` or `42 s`.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        return hours > 0 ? "\(hours) h \(String(format: "%02d", minutes)) min" : "\(minutes) min \(total % 60) s"
    }

    /// A byte count in binary units, e.g. `12.5 MiB`.
    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// A query string from `parameters` (empty values left out), percent-encoded, with a leading `?` (or empty).
    static func query(_ parameters: [(String, String?)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;#")
        let pairs = parameters.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    /// A UTC day `YYYY-MM-DD` as the start of that day, or nil when malformed.
    static func day(_ text: String) -> Date? {
        guard text.utf8.count == 10 else { return nil }
        return RFC3339.parse(text + "T00:00:00Z")
    }
}

/// Officers' names by certificate number, read once per page (Art 8).
struct OfficerNames {
    private let names: [String: String]

    init(_ store: ManifestStore) throws(ManifestError) {
        var names = [String: String]()
        for officer in try store.officers() { names[officer.certificate] = officer.name }
        self.names = names
    }

    /// The officer's name, or nil when the certificate is not registered.
    func name(_ certificate: String?) -> String? {
        certificate.flatMap { names[$0] }
    }
}
