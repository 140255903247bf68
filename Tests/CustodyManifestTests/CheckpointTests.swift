import CustodyCore
import CustodyManifest
import Foundation
import Testing

/// The C2SP `tlog-checkpoint` body: origin, decimal size, base64 root, optional extension lines.
@Suite("Checkpoint text")
struct CheckpointTests {
    static let root = SHA256Hash(hex: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")!
    static var rootLine: String { root.base64 }

    @Test func formatsOneLinePerFieldEachEndingInANewline() {
        let checkpoint = Checkpoint(origin: "custody.test/station-01", size: 8, root: Self.root)
        #expect(checkpoint.text == "custody.test/station-01\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n")
    }

    @Test func parseAndFormatRoundTrip() throws {
        let samples = [
            Checkpoint(origin: "custody.test/station-01", size: 0, root: MerkleHash.emptyRoot),
            Checkpoint(origin: "o", size: 8, root: Self.root),
            Checkpoint(origin: "custody.test/station-01", size: UInt64(Int64.max), root: Self.root),
            Checkpoint(
                origin: "origin with spaces is only a line", size: 42, root: Self.root, extensions: ["ext one", "— x"]),
        ]
        for checkpoint in samples {
            let parsed = try Checkpoint(text: checkpoint.text)
            #expect(parsed == checkpoint)
            #expect(parsed.text == checkpoint.text)
        }
    }

    @Test func malformedCheckpointTextIsRefused() {
        let root = Self.rootLine
        let short = Data(Self.root.bytes.dropLast()).base64EncodedString()
        let long = Data(Self.root.bytes + [0]).base64EncodedString()
        // Same 32 bytes, but with non-zero padding bits: not the canonical base64 of the root.
        var nonCanonical = Array(root)
        nonCanonical[42] = nonCanonical[42] == "g" ? "h" : "g"
        let cases: [(String, String)] = [
            ("leading zero", "o\n08\n\(root)\n"),
            ("zero with leading zero", "o\n00\n\(root)\n"),
            ("negative", "o\n-8\n\(root)\n"),
            ("plus sign", "o\n+8\n\(root)\n"),
            ("hexadecimal", "o\n0x8\n\(root)\n"),
            ("non-decimal", "o\neight\n\(root)\n"),
            ("space in size", "o\n 8\n\(root)\n"),
            ("empty size", "o\n\n\(root)\n"),
            ("size beyond Int64", "o\n9223372036854775808\n\(root)\n"),
            ("size beyond UInt64", "o\n18446744073709551616\n\(root)\n"),
            ("31-byte root", "o\n8\n\(short)\n"),
            ("33-byte root", "o\n8\n\(long)\n"),
            ("hex root", "o\n8\n\(Self.root.hex)\n"),
            ("root without padding", "o\n8\n\(root.dropLast())\n"),
            ("non-canonical base64 root", "o\n8\n\(String(nonCanonical))\n"),
            ("missing final newline", "o\n8\n\(root)"),
            ("empty extension line", "o\n8\n\(root)\n\n"),
            ("empty line among extensions", "o\n8\n\(root)\next\n\nmore\n"),
            ("missing root", "o\n8\n"),
            ("empty origin", "\n8\n\(root)\n"),
            ("empty", ""),
        ]
        for (name, text) in cases {
            let error = #expect(throws: ManifestError.self, "\(name)") { try Checkpoint(text: text) }
            #expect(error?.code == .malformed, "\(name)")
        }
        // The cases above differ from a valid text only in the field named.
        #expect(throws: Never.self) { try Checkpoint(text: "o\n8\n\(root)\n") }
        #expect(throws: Never.self) { try Checkpoint(text: "o\n0\n\(root)\n") }
    }
}
