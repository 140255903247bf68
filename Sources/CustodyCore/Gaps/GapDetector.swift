public import Foundation

/// A gap found on a recorder's timeline, before it is registered.
public struct DetectedGap: Sendable, Equatable {
    /// The kind.
    public let kind: GapKind
    /// A key that names this gap whatever run finds it, so each gap is registered once.
    public let key: String
    /// The clip before the gap, if any.
    public let before: TimelineClip?
    /// The clip after the gap, if any.
    public let after: TimelineClip?
    /// The span of time the gap covers.
    public let start: Date
    public let end: Date
    /// Why, for a person reviewing it.
    public let evidence: String

    /// Creates a gap.
    public init(
        kind: GapKind, key: String, before: TimelineClip?, after: TimelineClip?, start: Date, end: Date,
        evidence: String
    ) {
        self.kind = kind
        self.key = key
        self.before = before
        self.after = after
        self.start = start
        self.end = end
        self.evidence = evidence
    }
}

/// Finds gaps on one recorder's timeline (Art 19, Art 22). Pure: the same clips give the same gaps.
///
/// The rules, one per kind, are in docs/gaps.md. The timeline spans docks: the last clip of yesterday's dock and
/// the first of today's are neighbours.
public struct GapDetector: Sendable {
    /// The model's segment length, if it splits long recordings.
    public var segmentSeconds: Double?
    /// How far a segment's length and its successor's start may stray.
    public var toleranceSeconds: Double
    /// Pauses up to this long are a stop-and-restart, not separate incidents.
    public var resumeWindowSeconds: Double
    /// How far after its ingest a clip may claim to start.
    public var futureToleranceSeconds: Double

    /// A detector with the model's and the upload settings.
    public init(model: RecorderModel, upload: UploadConfiguration) {
        segmentSeconds = model.segmentMinutes.map { Double($0) * 60 }
        toleranceSeconds = Double(model.segmentToleranceSeconds)
        resumeWindowSeconds = Double(model.resumeWindowSeconds)
        futureToleranceSeconds = Double(upload.clockFutureToleranceSeconds)
    }

    /// Every gap on the timeline of `clips` (one recorder's clips, any order).
    public func gaps(in clips: [TimelineClip]) -> [DetectedGap] {
        var found = [DetectedGap]()
        let recordings = clips.filter(\.isRecording).sorted { ($0.start, $0.entryIndex) < ($1.start, $1.entryIndex) }

        for clip in recordings where clip.container == .unfinalized {
            found.append(
                DetectedGap(
                    kind: .unfinalized, key: "unfinalized:\(clip.entryIndex)", before: clip,
                    after: recordings.first { $0.start > clip.start }, start: clip.start, end: clip.end,
                    evidence: "the recording has no usable index (moov): it was cut, e.g. by power loss or a fault"))
        }
        for clip in clips where clip.start.timeIntervalSince(clip.ingestTime) > futureToleranceSeconds {
            let ahead = Int(clip.start.timeIntervalSince(clip.ingestTime))
            found.append(
                DetectedGap(
                    kind: .clockAnomaly, key: "clockFuture:\(clip.entryIndex)", before: clip, after: nil,
                    start: clip.ingestTime, end: clip.start,
                    evidence: "the clip claims to start \(ahead) s after it was ingested: the recorder's clock runs ahead"))
        }
        let missing = missingNumbers(in: clips)
        var foldedIntoChain = Set<String>()
        for (a, b) in zip(recordings, recordings.dropFirst()) {
            let pause = b.start.timeIntervalSince(a.end)
            if pause < -toleranceSeconds {
                found.append(
                    DetectedGap(
                        kind: .clockAnomaly, key: "overlap:\(a.entryIndex):\(b.entryIndex)", before: a, after: b,
                        start: b.start, end: a.end,
                        evidence: "two recordings of one recorder overlap by \(Int(-pause)) s: its clock went backwards"))
            } else if isFullSegment(a) {
                if pause > toleranceSeconds {
                    // A missing segment is one gap: the chain break, naming the missing file numbers if any.
                    let pair = "\(a.entryIndex):\(b.entryIndex)"
                    var evidence = "a full \(Int(segmentSeconds! / 60))-minute segment is followed \(Int(pause)) s later, "
                        + "not within \(Int(toleranceSeconds)) s: the chain of segments is broken"
                    if let numbers = missing[pair] {
                        evidence += "; \(numbers)"
                        foldedIntoChain.insert(pair)
                    }
                    found.append(
                        DetectedGap(
                            kind: .brokenChain, key: "brokenChain:\(pair)", before: a, after: b, start: a.end,
                            end: b.start, evidence: evidence))
                }
            } else if segmentSeconds == nil && pause <= toleranceSeconds {
                // A model with no configured segment length that starts a new file at once is continuing one
                // recording, not stopping and restarting.
                continue
            } else if pause <= resumeWindowSeconds {
                found.append(
                    DetectedGap(
                        kind: .shortResume, key: "shortResume:\(a.entryIndex):\(b.entryIndex)", before: a, after: b,
                        start: a.end, end: b.start,
                        evidence: "recording stopped and started again \(Int(max(pause, 0))) s later, within the "
                            + "\(Int(resumeWindowSeconds)) s resume window"))
            }
        }
        let numbered = clips.filter { $0.sequence != nil }.sorted {
            ($0.sequence!, $0.entryIndex) < ($1.sequence!, $1.entryIndex)
        }
        for (a, b) in zip(numbered, numbered.dropFirst()) where b.sequence! != a.sequence! {
            let pair = "\(a.entryIndex):\(b.entryIndex)"
            if let numbers = missing[pair], !foldedIntoChain.contains(pair) {
                found.append(
                    DetectedGap(
                        kind: .missingSequence, key: "missingSequence:\(pair)", before: a, after: b, start: a.end,
                        end: b.start, evidence: numbers))
            }
            if b.start.timeIntervalSince(a.start) < -toleranceSeconds {
                found.append(
                    DetectedGap(
                        kind: .clockAnomaly, key: "backwards:\(a.entryIndex):\(b.entryIndex)", before: a, after: b,
                        start: b.start, end: a.start,
                        evidence: "file \(b.sequence!) starts before file \(a.sequence!): the recorder's clock went backwards"))
            }
        }
        return found
    }

    /// The missing file numbers between neighbours in sequence order, keyed "before:after" by entry index.
    func missingNumbers(in clips: [TimelineClip]) -> [String: String] {
        let numbered = clips.filter { $0.sequence != nil }.sorted {
            ($0.sequence!, $0.entryIndex) < ($1.sequence!, $1.entryIndex)
        }
        var out = [String: String]()
        for (a, b) in zip(numbered, numbered.dropFirst()) where b.sequence! > a.sequence! + 1 {
            let first = a.sequence! + 1
            let last = b.sequence! - 1
            out["\(a.entryIndex):\(b.entryIndex)"] =
                first == last
                ? "file number \(first) is missing between \(a.sequence!) and \(b.sequence!)"
                : "file numbers \(first)–\(last) are missing between \(a.sequence!) and \(b.sequence!)"
        }
        return out
    }

    /// Whether `clip` is a segment of full length, which the model continues without a pause.
    func isFullSegment(_ clip: TimelineClip) -> Bool {
        guard let segmentSeconds, let duration = clip.durationMilliseconds else { return false }
        return abs(Double(duration) / 1000 - segmentSeconds) <= toleranceSeconds
    }
}
