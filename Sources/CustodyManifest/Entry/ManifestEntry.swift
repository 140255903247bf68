public import CustodyCore
public import Foundation

/// One event in the manifest: a JSON object with `"v":1`, a `"type"`, a `"time"` and the event's own fields.
///
/// The canonical encoding of the object is the entry: the bytes stored, hashed into the Merkle tree
/// (RFC 9162 §2.1.1) and served are the same bytes (Art 6, Art 28).
public struct ManifestEntry: Sendable, Equatable {
    /// The format version written in every entry.
    public static let version: Int64 = 1
    /// Entries are refused at this size and above.
    public static let maximumSize = 64 * 1024

    /// The entry's canonical bytes.
    public let body: [UInt8]
    /// The whole entry as a JSON object.
    public let value: JSONValue

    /// The entry's type.
    public var type: EntryType { EntryType(rawValue: value["type"]!.stringValue!)! }
    /// When the event was recorded, as written in the entry.
    public var time: String { value["time"]!.stringValue! }
    /// The entry's object members.
    public var fields: [String: JSONValue] { value.objectValue! }

    /// Builds an entry of `type` at `time` with `fields`; `v`, `type` and `time` are added and may not be given.
    public init(type: EntryType, time: Date, fields: [String: JSONValue] = [:]) throws(ManifestError) {
        for reserved in ["v", "type", "time"] where fields[reserved] != nil {
            throw ManifestError(.invalidEntry, "the field \"\(reserved)\" is set by the manifest, not the caller")
        }
        var object = fields
        object["v"] = .int(Self.version)
        object["type"] = .string(type.rawValue)
        object["time"] = .string(RFC3339.format(time))
        try self.init(value: .object(object))
    }

    /// Parses an entry from bytes, refusing anything that is not a canonical, well-formed entry.
    public init(body: some Collection<UInt8>) throws(ManifestError) {
        guard body.count < Self.maximumSize else {
            throw ManifestError(.invalidEntry, "the entry is \(body.count) bytes; entries must stay under 64 KiB")
        }
        let bytes = Array(body)
        let value: JSONValue
        do {
            value = try CanonicalJSON.decode(bytes)
        } catch {
            throw ManifestError(.invalidEntry, error.description)
        }
        // decode accepted the bytes only because they are exactly the canonical encoding of `value`: no need to
        // encode it a second time.
        try self.init(value: value, canonicalBody: bytes)
    }

    /// Checks `value` as an entry; `canonicalBody`, when given, is already known to be `value`'s canonical encoding.
    private init(value: JSONValue, canonicalBody: [UInt8]? = nil) throws(ManifestError) {
        guard let object = value.objectValue else {
            throw ManifestError(.invalidEntry, "an entry must be a JSON object")
        }
        guard object["v"] == .int(Self.version) else {
            throw ManifestError(.invalidEntry, "an entry must carry \"v\":\(Self.version)")
        }
        guard let typeName = object["type"]?.stringValue, EntryType(rawValue: typeName) != nil else {
            throw ManifestError(
                .invalidEntry, "an entry must carry a \"type\" of dotted lowercase words, such as \"clip.ingested\"")
        }
        // Exactly the form RFC3339.format writes: UTC, whole seconds, uppercase T and Z.
        guard let time = object["time"]?.stringValue, let seconds = RFC3339.parseSeconds(time),
            seconds == seconds.rounded(.down), RFC3339.format(secondsSinceEpoch: Int64(seconds)) == time
        else {
            throw ManifestError(
                .invalidEntry, "an entry must carry a \"time\" in RFC 3339 UTC with whole seconds, e.g. 2026-11-30T08:15:00Z")
        }
        let body = canonicalBody ?? CanonicalJSON.encode(value)
        guard body.count < Self.maximumSize else {
            throw ManifestError(.invalidEntry, "the entry is \(body.count) bytes; entries must stay under 64 KiB")
        }
        self.body = body
        self.value = value
    }

    /// Checks `body` as ``init(body:)`` does, without keeping its value: the audit's path (`custody verify`). The
    /// fast scanner decides the well-formed entries; anything it cannot decide goes through the parser, which names
    /// the problem.
    static func validate(body: [UInt8]) throws(ManifestError) {
        if isCertainlyValid(body: body) { return }
        _ = try ManifestEntry(body: body)
    }

    /// Whether `body` is certainly an entry ``init(body:)`` accepts, decided by ``CanonicalJSONScanner`` without
    /// building the value; false means "not shown here", not "invalid".
    static func isCertainlyValid(body: [UInt8]) -> Bool {
        guard body.count < maximumSize, body.first == UInt8(ascii: "{"),
            case .canonical(let members) = CanonicalJSONScanner.scan(body),
            let version = members["v"], body[version].elementsEqual("1".utf8),
            let type = members["type"].flatMap({ plainString(body, $0) }), EntryType(rawValue: type) != nil,
            let time = members["time"].flatMap({ plainString(body, $0) }), let seconds = RFC3339.parseSeconds(time),
            seconds == seconds.rounded(.down), RFC3339.format(secondsSinceEpoch: Int64(seconds)) == time
        else { return false }
        return true
    }

    /// The text of the string value at `range` of `body` (the scanner has validated it), if it has no escape.
    private static func plainString(_ body: [UInt8], _ range: Range<Int>) -> String? {
        guard range.count >= 2, body[range.lowerBound] == UInt8(ascii: "\""),
            body[range.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        let text = body[(range.lowerBound + 1)..<(range.upperBound - 1)]
        guard !text.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    /// The entry's leaf hash in the Merkle tree: SHA-256(0x00 ‖ body) (RFC 9162 §2.1.1).
    public var leafHash: SHA256Hash { MerkleHash.leaf(body) }

    /// The body as text, for display.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
