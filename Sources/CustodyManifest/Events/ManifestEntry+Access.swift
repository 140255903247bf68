import CustodyCore
public import Foundation

/// The entries that record access over custodyd's HTTP listener: who read which footage (Art 28; docs/http.md).
extension ManifestEntry {
    /// The bytes of a clip's footage a download sent: `first...last`, inclusive, as in an HTTP `Content-Range`
    /// (RFC 9110 §14.4), of an object of `size` bytes.
    public struct FootageRange: Sendable, Equatable {
        /// The first byte sent.
        public let first: UInt64
        /// The last byte sent (inclusive).
        public let last: UInt64
        /// The size of the whole object.
        public let size: UInt64

        /// A range of `first...last` in an object of `size` bytes.
        public init(first: UInt64, last: UInt64, size: UInt64) {
            self.first = first
            self.last = last
            self.size = size
        }

        /// How many bytes the range holds.
        public var count: UInt64 { last - first + 1 }
    }

    /// A `footage.read` entry (Art 28): the caller (the token's name and role, never the token), the clip's
    /// `clip.ingested` entry and digest, and the bytes sent (`range` is nil for an empty object).
    ///
    /// custodyd appends it before it sends the first byte, and refuses the download when the append fails, so that
    /// no read goes unrecorded.
    public static func footageRead(
        callerName: String, callerRole: String, officer: String?, clip: StoredEntry, sha256: String,
        range: FootageRange?, partial: Bool, time: Date
    ) throws(ManifestError) -> ManifestEntry {
        var caller: [String: JSONValue] = ["name": .string(callerName), "role": .string(callerRole)]
        if let officer { caller["officer"] = .string(officer) }
        let rangeValue: JSONValue =
            range.map {
                .object([
                    "first": .int(Int64($0.first)), "last": .int(Int64($0.last)), "bytes": .int(Int64($0.count)),
                ])
            } ?? .null
        return try ManifestEntry(
            type: .footageRead, time: time,
            fields: [
                "caller": .object(caller), "clip": reference(clip), "sha256": .string(sha256),
                "size": .int(Int64(range?.size ?? 0)), "range": rangeValue, "partial": .bool(partial),
            ])
    }
}
