import Foundation

/// A C2SP `signed-note`: text ending in a newline, a blank line, then one line per signature,
/// `— <key name> <base64(key ID ‖ signature)>`.
///
/// The format of Go's `golang.org/x/mod/sumdb/note`, so that third-party tools can verify Custody's checkpoints.
public struct SignedNote: Sendable, Equatable {
    /// One signature line.
    public struct Signature: Sendable, Equatable {
        /// The signing key's name.
        public let name: String
        /// The key ID: the first four bytes of SHA-256(name ‖ 0x0A ‖ key type ‖ public key), big-endian.
        public let keyID: UInt32
        /// The signature bytes.
        public let signature: [UInt8]

        /// Creates a signature line.
        public init(name: String, keyID: UInt32, signature: [UInt8]) {
            self.name = name
            self.keyID = keyID
            self.signature = signature
        }

        var line: String {
            var blob = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
            blob += signature
            return "— \(name) \(Data(blob).base64EncodedString())\n"
        }
    }

    /// Notes larger than this are refused before parsing.
    public static let maximumSize = 1 << 20
    /// Notes with more signature lines than this are refused.
    public static let maximumSignatures = 100

    /// The signed text, ending in a newline.
    public let text: String
    /// The signatures, in order.
    public let signatures: [Signature]

    /// Creates a note.
    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The whole note as it is stored and served.
    public var serialized: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Parses a note; refuses anything malformed (a missing blank line, a bad signature line, control characters).
    public init(serialized: String) throws(ManifestError) {
        guard serialized.utf8.count <= Self.maximumSize else {
            throw ManifestError(.malformed, "the note is larger than \(Self.maximumSize) bytes")
        }
        guard !serialized.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw ManifestError(.malformed, "the note contains control characters")
        }
        guard serialized.hasSuffix("\n"), let split = serialized.range(of: "\n\n", options: .backwards) else {
            throw ManifestError(.malformed, "a signed note needs its text, a blank line, then signature lines")
        }
        let text = String(serialized[..<split.lowerBound]) + "\n"
        let signatureBlock = serialized[split.upperBound...]
        var signatures = [Signature]()
        for line in signatureBlock.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("— ") else {
                throw ManifestError(.malformed, "a signature line must start with \"— \" (an em dash and a space)")
            }
            let parts = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            // Standard base64 in its one canonical spelling: Foundation's decoder also takes extra padding and
            // non-zero trailing bits, which would give one signature many spellings.
            guard parts.count == 2, NoteKeyName.isValid(String(parts[0])),
                let blob = Data(base64Encoded: String(parts[1])), blob.count > 4,
                blob.base64EncodedString() == parts[1]
            else {
                throw ManifestError(.malformed, "a signature line must be \"— <name> <base64 signature>\"")
            }
            let keyID = blob.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            signatures.append(Signature(name: String(parts[0]), keyID: keyID, signature: Array(blob.dropFirst(4))))
            guard signatures.count <= Self.maximumSignatures else {
                throw ManifestError(.malformed, "the note has more than \(Self.maximumSignatures) signatures")
            }
        }
        guard !signatures.isEmpty else { throw ManifestError(.malformed, "the note has no signature") }
        self.init(text: text, signatures: signatures)
    }
}

/// The rule for a note key's name: non-empty, no whitespace, no `+`, printable.
enum NoteKeyName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0.value <= 0x20 || $0 == "+" || $0.properties.isWhitespace }
    }
}
