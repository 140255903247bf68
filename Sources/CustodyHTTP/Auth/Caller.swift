public import CustodyCore

/// The holder of a valid bearer token: the token's name, role and (for officers) certificate.
///
/// Entries that record a footage read or a write name the caller by `name` and `role`, never by the token's text.
public struct Caller: Sendable, Equatable {
    /// The token's name in the tokens file.
    public let name: String
    /// The token's role.
    public let role: AccessRole
    /// For role `officer`: the officer's certificate number.
    public let officer: String?

    /// Creates a caller.
    public init(name: String, role: AccessRole, officer: String?) {
        self.name = name
        self.role = role
        self.officer = officer
    }

    /// The caller of `token`.
    public init(_ token: AccessToken) {
        self.init(name: token.name, role: token.role, officer: token.officer)
    }

    /// Whether the caller's role allows `permission`.
    public func allows(_ permission: AccessPermission) -> Bool { role.allows(permission) }
}
