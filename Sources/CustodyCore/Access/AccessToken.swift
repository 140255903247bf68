public import Foundation

/// One bearer token of the tokens file, as stored: its SHA-256, never the token itself.
public struct AccessToken: Sendable, Equatable, Codable {
    /// A short public name for the token, unique in the file ("case-system", "auditor-wang"); entries recording a
    /// read or a write name the caller by it.
    public var name: String
    /// What the token may do.
    public var role: AccessRole
    /// For role `officer`: the officer's certificate number; the token reaches only that officer's clips and gaps.
    public var officer: String?
    /// The lowercase hex SHA-256 of the token's text.
    public var sha256: String
    /// When the token was created.
    public var created: Date
    /// When the token was revoked, if it was; a revoked token is refused.
    public var revoked: Date?

    /// Creates a token record.
    public init(name: String, role: AccessRole, officer: String?, sha256: String, created: Date, revoked: Date? = nil) {
        self.name = name
        self.role = role
        self.officer = officer
        self.sha256 = sha256
        self.created = created
        self.revoked = revoked
    }

    /// Whether `name` can name a token: 1-64 ASCII letters, digits, `.`, `_` or `-`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }
}
