public import CustodyCore
public import CustodyManifest
public import Foundation

/// Registers the gaps on a recorder's timeline as `recording.gap` entries, each once (Art 19, Art 22).
///
/// Runs after every ingest of the recorder, over its whole timeline, so the last clip of yesterday's dock and the
/// first of today's are neighbours. A gap already registered (same recorder, same key) is not registered again.
public struct GapRegistrar: Sendable {
    let store: ManifestStore
    let configuration: CustodyConfiguration
    let now: @Sendable () -> Date

    /// A registrar appending to `store` with the upload settings of `configuration`.
    public init(store: ManifestStore, configuration: CustodyConfiguration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.configuration = configuration
        self.now = now
    }

    /// Finds and registers new gaps of the recorder `recorder`, a `model`; returns the entries appended.
    @discardableResult
    public func register(recorder: RecorderIdentity, model: RecorderModel) throws(IngestError) -> [StoredEntry] {
        try mapManifest { () throws(ManifestError) in
            let serial = recorder.serial
            let detector = GapDetector(model: model, upload: configuration.upload)
            let known = try store.registeredGapKeys(serial: serial)
            let assignments = try store.assignments(serial: serial)
            let time = now()
            var entries = [ManifestEntry]()
            var keys = Set<String>()
            for gap in detector.gaps(in: try store.timeline(serial: serial)) where !known.contains(gap.key) {
                guard keys.insert(gap.key).inserted else { continue }
                let before = try gap.before.map { clip throws(ManifestError) in try store.entry(at: clip.entryIndex) }
                let after = try gap.after.map { clip throws(ManifestError) in try store.entry(at: clip.entryIndex) }
                let certificate = gap.before?.officer ?? gap.after?.officer
                let officer = try certificate.map { certificate throws(ManifestError) in
                    try store.officer(certificate: certificate) ?? Officer(certificate: certificate, name: "")
                }
                entries.append(
                    try .recordingGap(
                        gap, recorder: recorder, officer: officer, before: before, after: after, time: time))
            }
            for interruption in try store.interruptionsWithoutGap(serial: serial) {
                let fields = try ManifestEntry(body: interruption.body).fields
                let at = RFC3339.parse(try ManifestEntry(body: interruption.body).time) ?? time
                let certificate = AssignmentRegister.officer(holding: serial, at: at, in: assignments)
                let officer = try certificate.map { certificate throws(ManifestError) in
                    try store.officer(certificate: certificate) ?? Officer(certificate: certificate, name: "")
                }
                let path = fields["path"]?.stringValue ?? "?"
                let done = fields["bytesDone"]?.intValue ?? 0
                let size = fields["size"]?.intValue ?? 0
                let gap = DetectedGap(
                    kind: .ingestInterrupted, key: "ingestInterrupted:\(interruption.index)", before: nil, after: nil,
                    start: at, end: at,
                    evidence: "copying \(path) stopped after \(done) of \(size) bytes "
                        + "(\(fields["reason"]?.stringValue ?? "unknown")): \(fields["detail"]?.stringValue ?? "")")
                entries.append(
                    try .recordingGap(
                        gap, recorder: recorder, officer: officer, before: nil, after: nil, refersTo: interruption,
                        time: time))
            }
            return entries.isEmpty ? [] : try store.append(contentsOf: entries)
        }
    }
}
