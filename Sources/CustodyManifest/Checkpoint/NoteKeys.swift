import CustodyCore
import Crypto
import Foundation

/// The Ed25519 key type byte of C2SP signed notes.
let ed25519KeyType: UInt8 = 0x01

/// Computes a note key ID: the first four bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
func noteKeyID(name: String, publicKey: [UInt8]) -> UInt32 {
    let digest = SHA256Hash.of(Array(name.utf8) + [0x0A, ed25519KeyType] + publicKey)
    return digest.bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
}

func hex8(_ value: UInt32) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: 8 - text.count) + text
}

/// Verifies note signatures made by one Ed25519 key, given as a verifier key string
/// `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`.
public struct NoteVerifier: Sendable, Equatable {
    /// The key's name, also the checkpoint origin.
    public let name: String
    /// The key ID.
    public let keyID: UInt32
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    /// Parses a verifier key string and checks that its key ID matches its name and key.
    public init(verifierKey: String) throws(ManifestError) {
        // The base64 key may itself contain '+': split off only the name and the key ID, as Go's note does.
        let parts = verifierKey.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, NoteKeyName.isValid(String(parts[0])), parts[1].count == 8,
            let keyID = UInt32(parts[1], radix: 16), String(parts[1]) == hex8(keyID),
            let blob = Data(base64Encoded: String(parts[2])), blob.count == 33, blob.first == ed25519KeyType,
            // One spelling per key: Foundation also takes padding and trailing bits that do not re-encode (fuzzing).
            blob.base64EncodedString() == parts[2]
        else {
            throw ManifestError(
                .malformed, "not a verifier key; expected <name>+<8 hex digits>+<base64 Ed25519 key>, as `custody init` prints")
        }
        let publicKey = Array(blob.dropFirst())
        guard noteKeyID(name: String(parts[0]), publicKey: publicKey) == keyID else {
            throw ManifestError(.malformed, "the verifier key's ID does not match its name and public key")
        }
        self.name = String(parts[0])
        self.keyID = keyID
        self.publicKey = publicKey
    }

    init(name: String, publicKey: [UInt8]) {
        self.name = name
        self.publicKey = publicKey
        self.keyID = noteKeyID(name: name, publicKey: publicKey)
    }

    /// The verifier key string.
    public var verifierKey: String {
        "\(name)+\(hex8(keyID))+\(Data([ed25519KeyType] + publicKey).base64EncodedString())"
    }

    /// Returns the note's text if a signature by this key is present and valid; throws otherwise.
    ///
    /// Signatures by other keys are ignored, as in Go's `note.Open`.
    @discardableResult
    public func open(_ note: SignedNote) throws(ManifestError) -> String {
        let mine = note.signatures.filter { $0.name == name && $0.keyID == keyID }
        guard !mine.isEmpty else {
            throw ManifestError(
                .badSignature, "the note carries no signature by \(name)+\(hex8(keyID)); it was signed by another key")
        }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            throw ManifestError(.key, "the verifier's public key is not a valid Ed25519 key")
        }
        for signature in mine where key.isValidSignature(signature.signature, for: Array(note.text.utf8)) {
            return note.text
        }
        throw ManifestError(.badSignature, "the signature by \(name) does not verify: the note was altered or forged")
    }
}

/// Signs notes with an Ed25519 key: the checkpoint key of a station.
public struct NoteSigner: Sendable {
    /// The key's name: the checkpoint origin.
    public let name: String
    private let privateKey: Curve25519.Signing.PrivateKey

    /// Makes a new random key named `name`.
    public static func generate(name: String) throws(ManifestError) -> NoteSigner {
        guard NoteKeyName.isValid(name) else {
            throw ManifestError(.key, "\"\(name)\" cannot name a key: use no spaces and no '+'")
        }
        return NoteSigner(name: name, privateKey: Curve25519.Signing.PrivateKey())
    }

    private init(name: String, privateKey: Curve25519.Signing.PrivateKey) {
        self.name = name
        self.privateKey = privateKey
    }

    /// Parses a signer key string in Go's format: `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>`.
    public init(signerKey: String) throws(ManifestError) {
        let parts = signerKey.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", NoteKeyName.isValid(String(parts[2])),
            let keyID = UInt32(parts[3], radix: 16), parts[3].count == 8,
            let blob = Data(base64Encoded: String(parts[4])), blob.count == 33, blob.first == ed25519KeyType,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: blob.dropFirst())
        else {
            throw ManifestError(.key, "not a signer key; expected PRIVATE+KEY+<name>+<key ID>+<base64 seed>")
        }
        self.init(name: String(parts[2]), privateKey: key)
        guard verifier.keyID == keyID else {
            throw ManifestError(.key, "the signer key's ID does not match its name and key: the key file is damaged")
        }
    }

    /// The signer key string, the secret that the key file holds.
    public var signerKey: String {
        let seed = [ed25519KeyType] + Array(privateKey.rawRepresentation)
        return "PRIVATE+KEY+\(name)+\(hex8(verifier.keyID))+\(Data(seed).base64EncodedString())"
    }

    /// The matching verifier.
    public var verifier: NoteVerifier {
        NoteVerifier(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// Signs `text` (which must end in a newline) and returns the note.
    public func sign(text: String) throws(ManifestError) -> SignedNote {
        guard text.hasSuffix("\n"), !text.hasSuffix("\n\n") else {
            throw ManifestError(.malformed, "note text must end in exactly one newline")
        }
        let signature: Data
        do {
            signature = try privateKey.signature(for: Array(text.utf8))
        } catch {
            throw ManifestError(.key, "signing failed", cause: String(describing: error))
        }
        return SignedNote(
            text: text, signatures: [.init(name: name, keyID: verifier.keyID, signature: Array(signature))])
    }
}
