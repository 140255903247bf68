public import CustodyCore

/// Who asked for a write to the compliance register: a registered officer at the station (`custody … --by CERT`),
/// or the holder of a bearer token over HTTP.
///
/// Entries made on someone's request record them in a `by` field (Art 24, Art 28: an audit trail of who did what),
/// never a token's text: an officer as `{"certificate","name"}`, a token as `{"role","token"}` (the token's name),
/// with `"officer"` (the certificate) for an officer's token.
public enum Requester: Sendable, Equatable {
    /// A registered officer (Art 8).
    case officer(Officer)
    /// A bearer token: its name in the tokens file, its role and, for an officer's token, the officer's certificate.
    case token(name: String, role: AccessRole, officer: String? = nil)

    /// The `by` field of an entry made on this requester's behalf.
    public var entryValue: JSONValue {
        switch self {
        case .officer(let officer):
            .object(["certificate": .string(officer.certificate), "name": .string(officer.name)])
        case .token(let name, let role, let officer):
            if let officer {
                .object(["token": .string(name), "role": .string(role.rawValue), "officer": .string(officer)])
            } else {
                .object(["token": .string(name), "role": .string(role.rawValue)])
            }
        }
    }
}
