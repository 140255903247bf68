import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// C2SP `signed-note` with Ed25519, as Go's `golang.org/x/mod/sumdb/note` writes and reads it.
@Suite("Signed notes and note keys")
struct SignedNoteTests {
    // The example of the C2SP signed-note specification.
    static let exampleVerifierKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    static let exampleText = "This is an example message.\n"
    static let exampleSignatureLine =
        "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
    static var exampleNote: String { exampleText + "\n" + exampleSignatureLine + "\n" }

    @Test func theC2SPExampleNoteVerifiesWithTheExampleKey() throws {
        let verifier = try NoteVerifier(verifierKey: Self.exampleVerifierKey)
        #expect(verifier.name == "example.com/foo")
        #expect(verifier.keyID == 0x530d_903a)
        #expect(verifier.publicKey.count == 32)
        #expect(verifier.verifierKey == Self.exampleVerifierKey)
        let note = try SignedNote(serialized: Self.exampleNote)
        #expect(note.text == Self.exampleText)
        #expect(note.signatures.count == 1)
        #expect(note.signatures.first?.name == "example.com/foo")
        #expect(note.signatures.first?.keyID == 0x530d_903a)
        #expect(note.signatures.first?.signature.count == 64)
        #expect(note.serialized == Self.exampleNote)
        #expect(try verifier.open(note) == Self.exampleText)
    }

    @Test func aChangedTextByteFailsTheExampleSignature() throws {
        let verifier = try NoteVerifier(verifierKey: Self.exampleVerifierKey)
        var bytes = Array(Self.exampleNote.utf8)
        for position in [0, 5, Self.exampleText.utf8.count - 2] {
            var changed = bytes
            changed[position] ^= 0x01
            let note = try SignedNote(serialized: String(decoding: changed, as: UTF8.self))
            let error = #expect(throws: ManifestError.self) { try verifier.open(note) }
            #expect(error?.code == .badSignature, "byte \(position)")
        }
        // A changed signature byte fails too.
        bytes = Array(Self.exampleText.utf8) + [0x0A]
        var signature = Data(base64Encoded: String(Self.exampleSignatureLine.split(separator: " ")[2]))!
        signature[10] ^= 0x80
        let forged = String(decoding: bytes, as: UTF8.self) + "— example.com/foo \(signature.base64EncodedString())\n"
        let error = #expect(throws: ManifestError.self) { try verifier.open(try SignedNote(serialized: forged)) }
        #expect(error?.code == .badSignature)
    }

    @Test func anotherKeyDoesNotVerifyTheExample() throws {
        let note = try SignedNote(serialized: Self.exampleNote)
        // Same name, another key (so another key ID).
        let sameName = try NoteSigner.generate(name: "example.com/foo").verifier
        let error = #expect(throws: ManifestError.self) { try sameName.open(note) }
        #expect(error?.code == .badSignature)
        // Another name.
        let otherName = try NoteSigner.generate(name: "example.com/bar").verifier
        #expect(throws: ManifestError.self) { try otherName.open(note) }
    }

    @Test func aSignatureLineWithTheRightNameAndIDButAnotherKeysSignatureFails() throws {
        // The note claims to be from example.com/foo (right ID) but was signed by a different key.
        let impostor = try NoteSigner.generate(name: "example.com/foo")
        let signed = try impostor.sign(text: Self.exampleText)
        let line = SignedNote.Signature(
            name: "example.com/foo", keyID: 0x530d_903a, signature: signed.signatures[0].signature)
        let note = SignedNote(text: Self.exampleText, signatures: [line])
        let verifier = try NoteVerifier(verifierKey: Self.exampleVerifierKey)
        let error = #expect(throws: ManifestError.self) { try verifier.open(note) }
        #expect(error?.code == .badSignature)
    }

    @Test func signThenOpenRoundTripsAndOtherSignaturesAreIgnored() throws {
        let signer = try NoteSigner.generate(name: "custody.test/station-01")
        let note = try signer.sign(text: "line one\nline two\n")
        #expect(note.text == "line one\nline two\n")
        let parsed = try SignedNote(serialized: note.serialized)
        #expect(parsed == note)
        #expect(try signer.verifier.open(parsed) == "line one\nline two\n")
        // With the example signature added before ours, our key still verifies (as Go's note.Open).
        let other = try NoteSigner.generate(name: "custody.test/other")
        let both = SignedNote(
            text: note.text, signatures: try other.sign(text: note.text).signatures + note.signatures)
        #expect(try signer.verifier.open(try SignedNote(serialized: both.serialized)) == note.text)
        #expect(try other.verifier.open(both) == note.text)
    }

    @Test func signingRefusesTextThatDoesNotEndInExactlyOneNewline() throws {
        let signer = try NoteSigner.generate(name: "custody.test/station-01")
        for text in ["no newline", "two newlines\n\n", ""] {
            let error = #expect(throws: ManifestError.self, "\(text.debugDescription)") { try signer.sign(text: text) }
            #expect(error?.code == .malformed)
        }
    }

    @Test func signerKeyRoundTripsThroughItsStringForm() throws {
        let signer = try NoteSigner.generate(name: "custody.test/station-01")
        #expect(signer.signerKey.hasPrefix("PRIVATE+KEY+custody.test/station-01+"))
        let parsed = try NoteSigner(signerKey: signer.signerKey)
        #expect(parsed.name == signer.name)
        #expect(parsed.signerKey == signer.signerKey)
        #expect(parsed.verifier == signer.verifier)
        #expect(try NoteSigner(signerKey: signer.signerKey + "\n").verifier == signer.verifier)
        // A note signed by the parsed key verifies with the original's verifier, and the other way round.
        #expect(try signer.verifier.open(try parsed.sign(text: "hello\n")) == "hello\n")
        #expect(try parsed.verifier.open(try signer.sign(text: "hello\n")) == "hello\n")
        // The verifier key string round-trips as well, and its ID is the first 4 bytes of
        // SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key).
        let verifier = try NoteVerifier(verifierKey: signer.verifier.verifierKey)
        #expect(verifier == signer.verifier)
        let digest = SHA256Hash.of(Array("custody.test/station-01".utf8) + [0x0A, 0x01] + verifier.publicKey)
        #expect(verifier.keyID == digest.bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    @Test func malformedSignerKeysAreRefused() throws {
        let good = try NoteSigner.generate(name: "custody.test/a").signerKey
        let parts = good.split(separator: "+").map(String.init)
        let candidates = [
            "", "PRIVATE+KEY", parts.dropFirst().joined(separator: "+"),
            (["PUBLIC"] + parts.dropFirst()).joined(separator: "+"),
            ([parts[0], parts[1], "custody.test/b", parts[3], parts[4]]).joined(separator: "+"),  // ID mismatch
            ([parts[0], parts[1], parts[2], "00000000", parts[4]]).joined(separator: "+"),
            ([parts[0], parts[1], parts[2], parts[3], "!!!!"]).joined(separator: "+"),
            ([parts[0], parts[1], parts[2], parts[3], String(parts[4].dropLast(4))]).joined(separator: "+"),
            good + "+extra",
        ]
        for candidate in candidates {
            let error = #expect(throws: ManifestError.self, "\(candidate)") { try NoteSigner(signerKey: candidate) }
            #expect(error?.code == .key, "\(candidate)")
        }
    }

    @Test func keyNamesWithSpacesOrPlusCannotBeGenerated() {
        for name in ["", "has space", "has+plus", "tab\there", "new\nline"] {
            #expect(throws: ManifestError.self, "\(name.debugDescription)") { try NoteSigner.generate(name: name) }
        }
    }

    @Test func malformedNotesThrowMalformed() throws {
        let signatureBase64 = String(Self.exampleSignatureLine.split(separator: " ")[2])
        let fourBytes = Data([0x53, 0x0d, 0x90, 0x3a]).base64EncodedString()
        let cases: [(String, String)] = [
            ("no blank line", Self.exampleText + Self.exampleSignatureLine + "\n"),
            ("no signatures", Self.exampleText + "\n"),
            ("nothing after the blank line but text", Self.exampleText + "\nnot a signature\n"),
            ("no final newline", Self.exampleText + "\n" + Self.exampleSignatureLine),
            ("bad base64", Self.exampleText + "\n— example.com/foo Uw2Q!!!n8srV1yJGh2\n"),
            ("signature too short", Self.exampleText + "\n— example.com/foo \(fourBytes)\n"),
            ("missing em dash", Self.exampleText + "\n- example.com/foo \(signatureBase64)\n"),
            ("en dash", Self.exampleText + "\n– example.com/foo \(signatureBase64)\n"),
            ("no space after the dash", Self.exampleText + "\n—example.com/foo \(signatureBase64)\n"),
            ("missing name", Self.exampleText + "\n— \(signatureBase64)\n"),
            ("extra field", Self.exampleText + "\n— example.com/foo \(signatureBase64) more\n"),
            ("double space", Self.exampleText + "\n— example.com/foo  \(signatureBase64)\n"),
            ("name with plus", Self.exampleText + "\n— example.com+foo \(signatureBase64)\n"),
            ("blank line among signatures", Self.exampleText + "\n" + Self.exampleSignatureLine + "\n\n"),
            ("tab in text", "This is\tan example.\n\n" + Self.exampleSignatureLine + "\n"),
            ("carriage return", "This is an example.\r\n\n" + Self.exampleSignatureLine + "\n"),
            ("NUL", "This is\u{0}an example.\n\n" + Self.exampleSignatureLine + "\n"),
            ("escape", "\u{1b}[31mred\n\n" + Self.exampleSignatureLine + "\n"),
            ("empty", ""),
            ("only newlines", "\n\n"),
            (
                "over 1 MiB",
                String(repeating: "a", count: SignedNote.maximumSize) + "\n\n" + Self.exampleSignatureLine + "\n"
            ),
            (
                "too many signatures",
                Self.exampleText + "\n"
                    + String(repeating: Self.exampleSignatureLine + "\n", count: SignedNote.maximumSignatures + 1)
            ),
        ]
        for (name, text) in cases {
            let error = #expect(throws: ManifestError.self, "\(name)") { try SignedNote(serialized: text) }
            #expect(error?.code == .malformed, "\(name)")
        }
        // Exactly 100 signatures is still a note.
        let hundred =
            Self.exampleText + "\n"
            + String(repeating: Self.exampleSignatureLine + "\n", count: SignedNote.maximumSignatures)
        #expect(try SignedNote(serialized: hundred).signatures.count == SignedNote.maximumSignatures)
    }

    @Test func randomlyDamagedNotesNeverCrashTheParser() throws {
        var generator = SeededGenerator(seed: 0xC25D)
        let base = Array(Self.exampleNote.utf8)
        let verifier = try NoteVerifier(verifierKey: Self.exampleVerifierKey)
        var opened = 0
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: position)
                }
                if bytes.isEmpty { bytes = [0x0A] }
            }
            guard let note = try? SignedNote(serialized: String(decoding: bytes, as: UTF8.self)) else { continue }
            if (try? verifier.open(note)) != nil {
                opened += 1
                // Only damage outside the signed text and signature (e.g. base64 padding) may still open.
                #expect(note.text == Self.exampleText)
            }
        }
        #expect(opened < 3000)
    }

    @Test func malformedVerifierKeysThrowMalformed() {
        let key = Self.exampleVerifierKey
        let blob = [UInt8](Data(base64Encoded: "AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")!)
        func withKey(_ bytes: [UInt8]) -> String { "example.com/foo+530d903a+" + Data(bytes).base64EncodedString() }
        let cases: [(String, String)] = [
            ("wrong ID", "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("ID of another name", "example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("uppercase ID", "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("short ID", "example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("long ID", "example.com/foo+0530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("non-hex ID", "example.com/foo+530d903g+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("key one byte short", withKey(Array(blob.dropLast()))),
            ("key one byte long", withKey(blob + [0])),
            ("key without its type byte", withKey(Array(blob.dropFirst()))),
            ("wrong key type", withKey([0x02] + blob.dropFirst())),
            ("bad base64", "example.com/foo+530d903a+Aekye!!m56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("truncated base64", String(key.dropLast())),
            ("extra plus", key + "+extra"),
            ("plus in name", "example.com+foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("space in name", "example com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("empty name", "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
            ("two parts", "example.com/foo+530d903a"),
            ("empty", ""),
        ]
        #expect(withKey(blob) == key)
        for (name, text) in cases {
            let error = #expect(throws: ManifestError.self, "\(name)") { try NoteVerifier(verifierKey: text) }
            #expect(error?.code == .malformed, "\(name)")
        }
    }
}
