/// What a bearer token may do on custodyd's HTTP listener (shared/DESIGN.md "HTTP"; docs/http.md).
///
/// Every footage read and every write is itself recorded as a manifest entry naming the token (Art 28).
public enum AccessRole: String, Sendable, CaseIterable, Codable {
    /// Station administrators: everything.
    case admin
    /// Supervisors and auditors: read everything (feed, footage, admin pages), write nothing (Art 29, 31).
    case auditor
    /// The agency's case system: read the feed and footage, link clips to cases, place and release holds.
    case caseSystem
    /// An officer: their own clips and footage, and explanations of their own gaps (Art 22).
    case officer

    /// Whether this role has `permission`. An officer's permissions are further limited to their own clips and
    /// gaps by the routes that serve them.
    public func allows(_ permission: AccessPermission) -> Bool {
        switch (self, permission) {
        case (.admin, _): true
        case (.auditor, .readFeed), (.auditor, .readFootage), (.auditor, .readAdminPages): true
        case (.caseSystem, .readFeed), (.caseSystem, .readFootage), (.caseSystem, .linkCases),
            (.caseSystem, .placeHolds):
            true
        case (.officer, .readOwnClips), (.officer, .explainOwnGaps): true
        case (.auditor, .readOwnClips), (.caseSystem, .readOwnClips): true
        default: false
        }
    }
}

/// One right checked by the HTTP routes; `AccessRole.allows(_:)` says who has it.
public enum AccessPermission: String, Sendable, CaseIterable {
    /// Checkpoints, entries, proofs, events and clip metadata.
    case readFeed
    /// Any clip's footage.
    case readFootage
    /// The admin pages.
    case readAdminPages
    /// Clip metadata and footage of clips recorded by the caller (officers).
    case readOwnClips
    /// `case.linked` entries.
    case linkCases
    /// `hold.placed` and `hold.released` entries (Art 26).
    case placeHolds
    /// `gap.explained` entries for any gap.
    case explainGaps
    /// `gap.explained` entries for the caller's own gaps (Art 22).
    case explainOwnGaps
}
