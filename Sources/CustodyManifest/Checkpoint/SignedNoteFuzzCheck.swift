import Crypto
import CustodyCore
import Foundation

/// One fuzz input through the signed-note, checkpoint and verifier-key parsers, with their invariants (issue 9,
/// docs/fuzzing.md).
///
/// Shared by the libFuzzer target `Fuzz/FuzzSignedNote` and by the regression tests that replay the kept corpus and
/// crashers in every `make test`.
public enum SignedNoteFuzzCheck {
    /// The name of the fixed key the fuzzer's seed notes are signed with.
    static let keyName = "fuzz.example/custody"

    /// A signer with a fixed, published seed: never a station's key, only for forging attempts by the fuzzer.
    static let signer: NoteSigner = {
        let seed = [UInt8](repeating: 0x2A, count: 32)
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        let keyID = noteKeyID(name: keyName, publicKey: Array(key.publicKey.rawRepresentation))
        let encoded = Data([ed25519KeyType] + seed).base64EncodedString()
        return try! NoteSigner(signerKey: "PRIVATE+KEY+\(keyName)+\(hex8(keyID))+\(encoded)")
    }()

    /// The only texts ``signer`` ever signs: a checkpoint of the empty tree and one of five leaves.
    static let signedTexts: [String] = [
        Checkpoint(origin: keyName, size: 0, root: MerkleHash.emptyRoot).text,
        Checkpoint(origin: keyName, size: 5, root: MerkleHash.leaf(Array("five".utf8)), extensions: ["ext"]).text,
    ]

    /// Valid notes to start the fuzzer from (the seed corpus): each signed text, signed by the fixed key.
    public static var seedNotes: [String] {
        signedTexts.map { (try? signer.sign(text: $0))?.serialized ?? $0 }
    }

    /// Parses `bytes` as a note, a checkpoint and a verifier key, and returns a description of the first invariant
    /// that does not hold, or nil when all hold.
    ///
    /// The invariants: an accepted note, checkpoint or verifier key serializes back to exactly the accepted text (no
    /// two spellings of one signature or root); and no note opens with the fixed key unless its text is one that key
    /// signed (no forgery). A trap is a failure too, found by the fuzzer as a crash.
    public static func check(_ bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        if let note = try? SignedNote(serialized: text) {
            guard note.serialized == text else {
                return "the note \(quote(text)) was accepted but serializes as \(quote(note.serialized))"
            }
            if let opened = try? signer.verifier.open(note), !signedTexts.contains(opened) {
                return "the note \(quote(text)) opens with the fixed key but its text was never signed"
            }
            if let checkpoint = try? Checkpoint(text: note.text), checkpoint.text != note.text {
                return "the checkpoint \(quote(note.text)) was accepted but reads back as \(quote(checkpoint.text))"
            }
        }
        if let checkpoint = try? Checkpoint(text: text), checkpoint.text != text {
            return "the checkpoint \(quote(text)) was accepted but reads back as \(quote(checkpoint.text))"
        }
        if let verifier = try? NoteVerifier(verifierKey: text) {
            guard let again = try? NoteVerifier(verifierKey: verifier.verifierKey), again == verifier,
                verifier.verifierKey == text.trimmingCharacters(in: .whitespacesAndNewlines)
            else {
                return "the verifier key \(quote(text)) was accepted but reads back as \(quote(verifier.verifierKey))"
            }
        }
        return nil
    }

    static func quote(_ text: String) -> String {
        "\"" + text.prefix(300).debugDescription.dropFirst().dropLast() + "\""
    }
}
