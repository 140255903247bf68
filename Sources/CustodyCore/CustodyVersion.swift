/// The version of Custody, written into `daemon.started` entries.
public enum CustodyVersion {
    /// The release version.
    public static let current = "0.1.0"
}
