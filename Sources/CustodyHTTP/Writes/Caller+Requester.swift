public import CustodyManifest

extension Caller {
    /// The caller as entries record it: the token's name and role (and an officer's certificate), never its text
    /// (Art 24, Art 28).
    public var requester: Requester { .token(name: name, role: role, officer: officer) }
}
