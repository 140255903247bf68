import Crypto
public import Foundation

/// The bearer tokens of a station: `custody tokens add` creates them, `custody tokens revoke` revokes them, and
/// custodyd checks each request against them (docs/http.md).
///
/// The file holds only SHA-256 hashes of the tokens. A token's text is shown once, when it is created; a stolen
/// tokens file does not give access. The file is JSON, mode 0600, replaced atomically on every change.
public struct TokenRegister: Sendable, Equatable {
    /// Every token ever created, revoked ones included (so a name is never reused).
    public private(set) var tokens: [AccessToken]

    /// An empty register.
    public init(tokens: [AccessToken] = []) {
        self.tokens = tokens
    }

    /// The prefix of every token's text, so that a leaked token is recognisable (secret scanners, log filters).
    public static let tokenPrefix = "custody_"

    /// The lowercase hex SHA-256 of a token's text.
    public static func hash(_ token: String) -> String {
        SHA256Hash(bytes: Array(SHA256.hash(data: Array(token.utf8))))!.hex
    }

    /// The unrevoked token whose text is `token`, if any.
    public func authenticate(_ token: String) -> AccessToken? {
        guard token.hasPrefix(Self.tokenPrefix), token.utf8.count <= 256 else { return nil }
        let digest = Self.hash(token)
        return tokens.first { $0.sha256 == digest && $0.revoked == nil }
    }

    /// Creates a token named `name` with `role` and returns its text, which is shown once and never stored.
    public mutating func add(
        name: String, role: AccessRole, officer: String?, time: Date,
        randomBytes: (Int) -> [UInt8] = TokenRegister.systemRandomBytes
    ) throws(TokenRegisterError) -> String {
        guard AccessToken.isValidName(name) else {
            throw TokenRegisterError("a token name is 1-64 letters, digits, '.', '_' or '-', not \"\(name)\"")
        }
        guard !tokens.contains(where: { $0.name == name }) else {
            throw TokenRegisterError("a token named \"\(name)\" exists already (`custody tokens list`); names are never reused")
        }
        switch (role, officer) {
        case (.officer, nil):
            throw TokenRegisterError("an officer token needs --officer CERT, the officer whose clips it reaches")
        case (.officer, .some), (_, nil): break
        case (_, .some):
            throw TokenRegisterError("--officer goes only with --role officer")
        }
        let text = Self.tokenPrefix + Self.base64URL(randomBytes(32))
        tokens.append(AccessToken(name: name, role: role, officer: officer, sha256: Self.hash(text), created: time))
        return text
    }

    /// Revokes the token named `name`; revoking twice is an error, so a typo is not silently accepted.
    public mutating func revoke(name: String, time: Date) throws(TokenRegisterError) {
        guard let position = tokens.firstIndex(where: { $0.name == name }) else {
            throw TokenRegisterError("there is no token named \"\(name)\" (`custody tokens list`)")
        }
        guard tokens[position].revoked == nil else {
            throw TokenRegisterError("the token \"\(name)\" was already revoked")
        }
        tokens[position].revoked = time
    }

    /// 32 bytes from the system's random source.
    public static func systemRandomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension TokenRegister {
    private struct FileFormat: Codable {
        var version = 1
        var tokens: [AccessToken]
    }

    /// Reads the register at `url`; a missing file is an empty register.
    public static func load(from url: URL) throws(TokenRegisterError) -> TokenRegister {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch CocoaError.fileReadNoSuchFile {
            return TokenRegister()
        } catch {
            throw TokenRegisterError("cannot read the tokens file \(url.path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            let file = try decoder.decode(FileFormat.self, from: data)
            guard file.version == 1 else {
                throw TokenRegisterError("the tokens file \(url.path) has version \(file.version); this Custody reads 1")
            }
            return TokenRegister(tokens: file.tokens)
        } catch let error as TokenRegisterError {
            throw error
        } catch {
            throw TokenRegisterError(
                "the tokens file \(url.path) is not valid (\(error)); restore it from backup or recreate the tokens")
        }
    }

    /// Writes the register to `url` atomically (a temporary file beside it, then a rename), mode 0600.
    public func save(to url: URL) throws(TokenRegisterError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let data = try encoder.encode(FileFormat(tokens: tokens))
            guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600])
            else {
                throw TokenRegisterError("cannot write \(temporary.path)")
            }
            guard rename(temporary.path, url.path) == 0 else {
                throw TokenRegisterError("cannot replace \(url.path): \(String(cString: strerror(errno)))")
            }
        } catch let error as TokenRegisterError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw TokenRegisterError("cannot write the tokens file \(url.path): \(error.localizedDescription)")
        }
    }
}

/// Why the tokens file could not be read or changed; the message says what to do.
public struct TokenRegisterError: Error, Equatable, CustomStringConvertible {
    /// What went wrong and what to do.
    public let message: String

    /// Wraps `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
