import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// Manifest entries: a canonical JSON object with `"v":1`, a well-formed `"type"` and an RFC 3339 UTC `"time"`,
/// under 64 KiB.
@Suite("ManifestEntry")
struct ManifestEntryTests {
    static let time = "2026-02-28T23:59:59Z"

    static func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func anEntryIsTheCanonicalEncodingOfItsFieldsWithVTypeAndTime() throws {
        let entry = try ManifestEntry(
            type: .clipIngested, time: SampleEntries.time,
            fields: ["sha256": "ab", "size": 12, "path": "a/b.mp4", "officer": ["id": 7]])
        #expect(
            entry.text
                == #"{"officer":{"id":7},"path":"a/b.mp4","sha256":"ab","size":12,"time":"2026-02-28T23:59:59Z","type":"clip.ingested","v":1}"#
        )
        #expect(entry.type == .clipIngested)
        #expect(entry.time == Self.time)
        #expect(entry.fields["size"] == 12)
        #expect(entry.leafHash == SHA256Hash.of([0x00] + entry.body))
        // Parsing the bytes gives the same entry back.
        #expect(try ManifestEntry(body: entry.body) == entry)
    }

    @Test func timesAreWrittenInUTCWithWholeSeconds() throws {
        let entry = try ManifestEntry(type: .adminNote, time: Date(timeIntervalSince1970: 1_772_323_199.999))
        #expect(entry.time == "2026-02-28T23:59:59Z")
    }

    @Test func parsingAcceptsAWellFormedEntryOfAnUnknownType() throws {
        let entry = try ManifestEntry(body: Self.body(#"{"time":"2026-02-28T23:59:59Z","type":"future.thing2","v":1}"#))
        #expect(entry.type.rawValue == "future.thing2")
    }

    @Test(arguments: [
        // v must be the integer 1.
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note"}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note","v":2}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note","v":0}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note","v":"1"}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note","v":true}"#,
        // type must be two or more dot-separated words, each starting with a lowercase letter.
        #"{"time":"2026-02-28T23:59:59Z","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"Admin.note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.Note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin..note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":".admin.note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note.","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"1admin.note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note-x","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.nöte","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":1,"v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","v":1}"#,
        // time must be RFC 3339 in UTC.
        #"{"type":"admin.note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59+00:00","type":"admin.note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59+01:00","type":"admin.note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59","type":"admin.note","v":1}"#,
        #"{"time":"2026-02-30T00:00:00Z","type":"admin.note","v":1}"#,
        #"{"time":"2026-02-28T24:00:00Z","type":"admin.note","v":1}"#,
        #"{"time":"2026-02-28 23:59:59Z","type":"admin.note","v":1}"#,
        #"{"time":"yesterday","type":"admin.note","v":1}"#,
        #"{"time":1772323199,"type":"admin.note","v":1}"#,
        // Not an object, or not canonical.
        #"[1]"#, #""admin.note""#, #"null"#,
        #"{"type":"admin.note","time":"2026-02-28T23:59:59Z","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note","v":1} "#,
        #"{"time": "2026-02-28T23:59:59Z","type":"admin.note","v":1}"#,
        #"{"time":"2026-02-28T23:59:59Z","type":"admin.note","v":1.0}"#,
        #"{"text":"a\/b","time":"2026-02-28T23:59:59Z","type":"admin.note","v":1}"#,
        "",
    ])
    func malformedEntriesAreRefused(_ text: String) {
        let error = #expect(throws: ManifestError.self) { try ManifestEntry(body: Self.body(text)) }
        #expect(error?.code == .invalidEntry)
    }

    @Test func theSameBodyWithACorrectedFieldIsAccepted() throws {
        // The refusals above are about the field they change: the baseline is an entry.
        _ = try ManifestEntry(body: Self.body(#"{"time":"2026-02-28T23:59:59Z","type":"admin.note","v":1}"#))
        _ = try ManifestEntry(body: Self.body(#"{"time":"2026-02-28T23:59:59Z","type":"admin.noTe2","v":1}"#))
    }

    @Test(arguments: ["v", "type", "time"])
    func reservedFieldsCannotBeSetByTheCaller(_ name: String) {
        let error = #expect(throws: ManifestError.self) {
            try ManifestEntry(type: .adminNote, time: SampleEntries.time, fields: [name: "x"])
        }
        #expect(error?.code == .invalidEntry)
        #expect(error?.message.contains("\"\(name)\"") == true)
    }

    /// The size of an admin note whose text is `count` ASCII letters.
    static func overhead() throws -> Int {
        try SampleEntries.note("").body.count
    }

    @Test func anEntryJustUnder64KiBIsAcceptedAndOneAtOrAboveIsRefusedWhenBuilt() throws {
        let overhead = try Self.overhead()
        let largest = try SampleEntries.note(String(repeating: "a", count: ManifestEntry.maximumSize - 1 - overhead))
        #expect(largest.body.count == ManifestEntry.maximumSize - 1)
        #expect(try ManifestEntry(body: largest.body) == largest)
        for extra in [0, 1, 1000] {
            let error = #expect(throws: ManifestError.self) {
                try SampleEntries.note(String(repeating: "a", count: ManifestEntry.maximumSize - overhead + extra))
            }
            #expect(error?.code == .invalidEntry)
        }
        // Escapes count: 11 000 control characters take 6 bytes each once escaped, 66 000 in all.
        #expect(throws: ManifestError.self) { try SampleEntries.note(String(repeating: "\u{1}", count: 11_000)) }
    }

    @Test func aBodyOf64KiBOrMoreIsRefusedWhenParsed() throws {
        let overhead = try Self.overhead()
        let text = String(repeating: "a", count: ManifestEntry.maximumSize - overhead)
        // Canonical bytes of exactly 64 KiB, written by hand, since the builder refuses them.
        let bytes =
            Array(#"{"text":""#.utf8) + Array(text.utf8)
            + Array(#"","time":"2026-02-28T23:59:59Z","type":"admin.note","v":1}"#.utf8)
        #expect(bytes.count == ManifestEntry.maximumSize)
        #expect(try CanonicalJSON.decode(bytes) != .null)
        let error = #expect(throws: ManifestError.self) { try ManifestEntry(body: bytes) }
        #expect(error?.code == .invalidEntry)
        #expect(throws: ManifestError.self) { try ManifestEntry(body: [UInt8](repeating: 0x20, count: 10 << 20)) }
    }

    @Test(
        arguments: [
            [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80], [0xC3],
        ] as [[UInt8]])
    func aBodyThatIsNotUTF8IsRefused(_ bad: [UInt8]) {
        let bytes =
            Array(#"{"text":"ok"#.utf8) + bad
            + Array(#"","time":"2026-02-28T23:59:59Z","type":"admin.note","v":1}"#.utf8)
        let error = #expect(throws: ManifestError.self) { try ManifestEntry(body: bytes) }
        #expect(error?.code == .invalidEntry)
    }

    @Test func entryTypeNamesFollowTheDottedWordRule() {
        #expect(EntryType(rawValue: "clip.ingested") == .clipIngested)
        #expect(EntryType(rawValue: "a.b.c") != nil)
        #expect(EntryType(rawValue: "a.b9") != nil)
        for bad in ["", "a", "a.", ".a", "a..b", "A.b", "a.B", "9.a", "a.b c", "a.b-c", "a.b_c", "a.é"] {
            #expect(EntryType(rawValue: bad) == nil, "\(bad)")
        }
    }
}
