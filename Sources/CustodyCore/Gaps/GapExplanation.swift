import Foundation

/// An officer's explanation of a gap (Art 22).
public enum GapExplanation: Sendable, Equatable {
    /// The resumed clip carries the officer's spoken reason.
    case spoken(clipSHA256: String)
    /// A written explanation signed by at least two distinct officers, when recording could not continue.
    case written(text: String, signedBy: [String])

    /// Checks the rule of Art 22 before the explanation is recorded; `isRegistered` says whether a certificate
    /// belongs to a registered officer. Returns a message that says what is wrong, or nil.
    public func problem(isRegistered: (String) -> Bool) -> String? {
        switch self {
        case .spoken(let sha):
            return SHA256Hash(hex: sha) == nil ? "--clip must be a clip's SHA-256 in lowercase hex" : nil
        case .written(let text, let signers):
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return "a written explanation needs its text"
            }
            if Set(signers).count < signers.count {
                return "the same officer signed twice; Art 22 needs two or more distinct officers"
            }
            if signers.count < 2 {
                return "a written explanation must be signed by at least two officers (Art 22); got \(signers.count)"
            }
            if let unknown = signers.first(where: { !isRegistered($0) }) {
                return "officer \(unknown) is not registered; register with `custody officers add` first"
            }
            return nil
        }
    }
}
