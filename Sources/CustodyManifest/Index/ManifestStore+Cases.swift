import GRDB

/// The case links of one clip, for the admin clip page (Art 18, Art 21).
extension ManifestStore {
    /// The cases the clip entry `clipEntry` is linked to now (links not reversed by a `case.unlinked`), sorted.
    public func linkedCases(clipEntry: UInt64) throws(ManifestError) -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT case_id FROM idx_case_link WHERE clip_entry = ? AND unlink_entry IS NULL
                    ORDER BY case_id
                    """,
                arguments: [Int64(clipEntry)])
        }
    }
}
