import Crypto
import CustodyCore
import CustodyManifest
import Foundation

/// The layout of an archive package for disc (Art 27), written by ``ArchiveWriter`` and checked by
/// ``ArchiveVerifier`` with nothing but the package.
///
/// ```
/// README.txt              for whoever opens the disc years later
/// label.txt               matter, time, place, method, officers, clips: for people
/// label.json              the same, canonical JSON; its SHA-256 is in the clip.archived entry
/// clips/<sha256>          each clip's bytes, named by their digest
/// entries/<index>.json    the exact bytes of each clip's clip.ingested entry, and of the clip.archived entry
/// proofs/<index>.json     each entry's inclusion proof in the checkpoint's tree
/// checkpoint.note         the station's signed checkpoint (C2SP signed note)
/// verifier.key            the key that verifies it (compare it with the one the case system holds)
/// SHA256SUMS              every other file's digest, for `sha256sum -c`
/// ```
public enum ArchivePackage {
    public static let label = "label.json"
    public static let labelText = "label.txt"
    public static let readme = "README.txt"
    public static let checkpoint = "checkpoint.note"
    public static let verifierKey = "verifier.key"
    public static let sums = "SHA256SUMS"

    static func clip(_ sha256: String) -> String { "clips/\(sha256)" }
    static func entry(_ index: UInt64) -> String { "entries/\(index).json" }
    static func proof(_ index: UInt64) -> String { "proofs/\(index).json" }

    /// The proof file: `{"index","leaf","proof","root","size"}`, as `custody prove inclusion --json` prints it.
    static func proofJSON(_ proof: InclusionProof) -> [UInt8] {
        CanonicalJSON.encode(
            .object([
                "index": .int(Int64(proof.index)), "size": .int(Int64(proof.size)), "leaf": .string(proof.leafHash.hex),
                "root": .string(proof.root.hex), "proof": .array(proof.path.map { .string($0.hex) }),
            ]))
    }

    static func sha256(of url: URL) throws -> SHA256Hash {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { hasher.update(data: data) }
        return SHA256Hash(bytes: Array(hasher.finalize()))!
    }

    static let readmeText = """
        CUSTODY EVIDENCE ARCHIVE (Art 27)

        This disc holds body-worn camera footage archived for one case, with everything needed to prove that the
        footage is exactly what the station recorded, without the station.

        - label.txt          what the footage is: case, matter, time, place, method, officers, clips.
        - clips/             the footage; each file is named by the SHA-256 of its bytes. Play it with any
                             player that reads MP4 (the recorder's container is given in the label).
        - entries/, proofs/  each clip's manifest entry and the proof that it is in the station's log.
        - checkpoint.note    the station's signed statement of that log (Ed25519, C2SP signed note).
        - verifier.key       the station's public key. Compare it with the key the case system holds:
                             a package can only prove itself against a key you already trust.
        - SHA256SUMS         `sha256sum -c SHA256SUMS` checks every file's bytes with standard tools.

        To check everything at once:  custody archive verify /path/to/disc [--key KEY]
        It needs no station database. Each problem is named with its file.

        By hand: the SHA-256 of clips/X must be X; entries/N.json must name X in "sha256"; SHA-256(0x00 ||
        entries/N.json) must be the "leaf" of proofs/N.json, which must lead to the root of checkpoint.note
        (RFC 9162 §2.1.3.2); the checkpoint's signature must verify with the key; the clip.archived entry must
        name the SHA-256 of label.json in "label", and label.json the SHA-256 of label.txt in "labelText".

        """
}
