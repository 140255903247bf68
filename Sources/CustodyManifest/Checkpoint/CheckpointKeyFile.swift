public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The checkpoint signing key on disk: one line, Go's signer-key format, mode 0600 in a 0700 folder.
public enum CheckpointKeyFile {
    /// Generates a key named `name` and writes it to `url`, refusing to overwrite an existing key.
    public static func create(at url: URL, name: String) throws(ManifestError) -> NoteSigner {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ManifestError(.io, "cannot create the key folder \(folder.path)", cause: error.localizedDescription)
        }
        let signer = try NoteSigner.generate(name: name)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ManifestError(
                .key,
                errno == EEXIST
                    ? "a signing key already exists at \(url.path); it is never overwritten (a new key breaks verification of old checkpoints)"
                    : "cannot create the signing key \(url.path): \(reason)")
        }
        defer { close(fd) }
        let bytes = Array((signer.signerKey + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(url.path)
            throw ManifestError(.key, "cannot write the signing key \(url.path): \(reason)")
        }
        return signer
    }

    /// Loads the key at `url`, refusing a key file that other users could read.
    public static func load(from url: URL) throws(ManifestError) -> NoteSigner {
        var status = stat()
        guard stat(url.path, &status) == 0 else {
            throw ManifestError(
                .key,
                "cannot read the signing key \(url.path): \(String(cString: strerror(errno))). "
                    + "Run `custody init` to create it.")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw ManifestError(
                .key,
                "the signing key \(url.path) is readable by other users (mode \(String(status.st_mode & 0o777, radix: 8))); "
                    + "run `chmod 600 \(url.path)` and consider the key compromised if others did read it")
        }
        guard status.st_size < 4096, let data = FileManager.default.contents(atPath: url.path) else {
            throw ManifestError(.key, "cannot read the signing key \(url.path)")
        }
        return try NoteSigner(signerKey: String(decoding: data, as: UTF8.self))
    }
}
