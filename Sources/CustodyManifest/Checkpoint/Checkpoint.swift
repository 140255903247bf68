public import CustodyCore
import Foundation

/// The body of a C2SP `tlog-checkpoint`: origin, tree size and root hash, one per line, then optional extension lines.
///
/// This is the text a ``SignedNote`` signs; a case system that holds it can later demand a consistency proof (Art 6).
public struct Checkpoint: Sendable, Equatable {
    /// The log's name, the first line.
    public let origin: String
    /// The number of entries.
    public let size: UInt64
    /// The Merkle root over those entries.
    public let root: SHA256Hash
    /// Extension lines, kept as they were and not interpreted.
    public let extensions: [String]

    /// Creates a checkpoint.
    public init(origin: String, size: UInt64, root: SHA256Hash, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// The checkpoint text, each line ending in a newline.
    public var text: String {
        ([origin, String(size), root.base64] + extensions).map { $0 + "\n" }.joined()
    }

    /// Parses checkpoint text strictly: a decimal size without leading zeros and a base64 root of 32 bytes.
    public init(text: String) throws(ManifestError) {
        guard text.hasSuffix("\n") else {
            throw ManifestError(.malformed, "a checkpoint must end with a newline")
        }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else {
            throw ManifestError(.malformed, "a checkpoint needs an origin, a size and a root hash, one per line")
        }
        guard !lines[0].isEmpty else { throw ManifestError(.malformed, "the checkpoint's origin line is empty") }
        let sizeText = lines[1]
        guard !sizeText.isEmpty, sizeText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            sizeText == "0" || !sizeText.hasPrefix("0"), let size = UInt64(sizeText), size <= UInt64(Int64.max)
        else {
            throw ManifestError(.malformed, "the checkpoint's size \"\(sizeText.prefix(40))\" is not a decimal tree size")
        }
        guard let rootBytes = Data(base64Encoded: lines[2]), let root = SHA256Hash(bytes: rootBytes),
            root.base64 == lines[2]
        else {
            throw ManifestError(.malformed, "the checkpoint's root hash is not 32 bytes in standard base64")
        }
        let extensions = Array(lines.dropFirst(3))
        guard extensions.allSatisfy({ !$0.isEmpty }) else {
            throw ManifestError(.malformed, "a checkpoint may not contain empty lines")
        }
        self.init(origin: lines[0], size: size, root: root, extensions: extensions)
    }
}
