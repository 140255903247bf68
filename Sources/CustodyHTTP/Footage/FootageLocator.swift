public import CustodyCore

/// Where the footage of a stored clip is: the content store, which custodyd owns (CustodyIngest), seen through
/// this one question so that the HTTP module does not depend on the ingest pipeline.
public protocol FootageLocator: Sendable {
    /// The path of the stored object whose SHA-256 is `digest`, or nil when the store has no such object (never
    /// ingested, or purged).
    func path(of digest: SHA256Hash) -> String?
}
