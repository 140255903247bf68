/// The `"type"` of a manifest entry: a dotted lowercase name such as `clip.ingested`.
///
/// The known types are listed in docs/manifest.md. The parser accepts any well-formed name so that a verifier
/// built today still verifies a log written by a later version.
public struct EntryType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Wraps `rawValue` if it is well formed: two or more dot-separated ASCII words, each starting with a lowercase letter.
    public init?(rawValue: String) {
        guard Self.isWellFormed(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { self.rawValue = known }

    public var description: String { rawValue }

    static func isWellFormed(_ name: String) -> Bool {
        let words = name.split(separator: ".", omittingEmptySubsequences: false)
        guard words.count >= 2, name.utf8.count <= 64 else { return false }
        return words.allSatisfy { word in
            guard let first = word.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
                return false
            }
            return word.utf8.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            }
        }
    }

    /// The daemon started and checked the manifest's tail.
    public static let daemonStarted = EntryType(known: "daemon.started")
    /// An administrator's free-text note (`custody append-note`).
    public static let adminNote = EntryType(known: "admin.note")
    /// The checkpoint signing key was replaced.
    public static let keyRotated = EntryType(known: "key.rotated")
    /// A recorder was docked.
    public static let recorderDocked = EntryType(known: "recorder.docked")
    /// A recorder was undocked.
    public static let recorderUndocked = EntryType(known: "recorder.undocked")
    /// Verified, ingested files were deleted from a docked recorder (`wipe_after_ingest`).
    public static let recorderWiped = EntryType(known: "recorder.wiped")
    /// A clip was copied, verified and stored (Art 23, Art 25).
    public static let clipIngested = EntryType(known: "clip.ingested")
    /// Copying stopped before a file was complete (Art 22).
    public static let ingestInterrupted = EntryType(known: "ingest.interrupted")
    /// A gap in a recorder's recordings (Art 19, Art 22).
    public static let recordingGap = EntryType(known: "recording.gap")
    /// An explanation for a gap (Art 22).
    public static let gapExplained = EntryType(known: "gap.explained")
    /// Something about a clip that needs a person's attention.
    public static let clipAnomaly = EntryType(known: "clip.anomaly")
    /// An officer was registered (Art 8).
    public static let officerRegistered = EntryType(known: "officer.registered")
    /// A recorder was assigned to an officer (Art 8).
    public static let assignmentRecorded = EntryType(known: "assignment.recorded")
    /// An upload-window exception (Art 23).
    public static let windowException = EntryType(known: "window.exception")
    /// A clip was linked to a case (Art 18, Art 21).
    public static let caseLinked = EntryType(known: "case.linked")
    /// A case link was reversed (Art 18, Art 21); the link entry stays.
    public static let caseUnlinked = EntryType(known: "case.unlinked")
    /// Clips' deadlines re-evaluated after an upload-window exception (Art 23); the clip entries stay.
    public static let latenessRevised = EntryType(known: "lateness.revised")
    /// A hold was placed (Art 26).
    public static let holdPlaced = EntryType(known: "hold.placed")
    /// A hold was released (Art 26).
    public static let holdReleased = EntryType(known: "hold.released")
    /// A clip was archived to disc (Art 27).
    public static let clipArchived = EntryType(known: "clip.archived")
    /// A clip's footage was purged after its retention (Art 25).
    public static let clipPurged = EntryType(known: "clip.purged")
    /// A stored object no longer matches its digest (Art 28).
    public static let storeCorruption = EntryType(known: "store.corruption")
    /// The case system's retention end for a case's footage (Art 25).
    public static let caseRetention = EntryType(known: "case.retention")
    /// The enforcement action of a case ended; its evidence is due on disc within 10 days (Art 27).
    public static let caseClosed = EntryType(known: "case.closed")
    /// A bearer token of the HTTP listener was created (`custody tokens add`): its name and role, never the token.
    public static let accessGranted = EntryType(known: "access.granted")
    /// A bearer token was revoked (`custody tokens revoke`).
    public static let accessRevoked = EntryType(known: "access.revoked")
    /// A caller read footage over HTTP: who, which clip, which bytes (Art 28; docs/http.md).
    public static let footageRead = EntryType(known: "footage.read")
}
