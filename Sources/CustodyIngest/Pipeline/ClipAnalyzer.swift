import CustodyCore
import Foundation

/// Works out a clip's recording times and container from the stored copy, its file name and its modification
/// time (shared/DESIGN.md "Time").
///
/// Precedence for the start: the MP4 `mvhd` creation time (UTC by the standard), else the time in the file name
/// (in the model's time zone), else the modification time. A recorder writes a file until recording stops, so
/// with only a modification time that is taken as the end, and the start is the end less the duration. All three
/// are the recorder's clock; ``Analysis/corrected(by:)`` moves them to the station's when the clock was read at dock.
struct ClipAnalyzer {
    /// What was learned about one clip.
    struct Analysis {
        var start: Date
        var end: Date
        var timeSource: ClipRecord.TimeSource
        var container: ClipRecord.Container
        var durationMilliseconds: Int64?
        var nameFields: FileNameFields?
        /// The MP4 reader's error for a file that looks like MP4 but whose boxes lie.
        var containerProblem: String?
        /// The recorder's own times and their correction, once ``corrected(by:)`` applied one; `start` and `end`
        /// are then station times.
        var recorderTime: ClipRecord.RecorderTime?

        /// This analysis with `start` and `end` moved to the station's clock by `clock` (recorder time − offset)
        /// and the recorder's own times kept in `recorderTime`; unchanged when `clock` is nil (issue 5 item 4).
        func corrected(by clock: ClockCorrection?) -> Analysis {
            guard let clock else { return self }
            var corrected = self
            corrected.recorderTime = ClipRecord.RecorderTime(
                recordingStart: start, recordingEnd: end, correction: clock)
            corrected.start = clock.stationTime(ofRecorderTime: start)
            corrected.end = clock.stationTime(ofRecorderTime: end)
            return corrected
        }
    }

    /// MP4 creation times before this are treated as unset (many recorders write 0 or 1904 when their clock
    /// was never set).
    static let earliestPlausible = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01

    let model: RecorderModel
    let reader = MP4Reader()

    func analyse(storedCopy: URL, file: RecorderFile) -> Analysis {
        let fileName = file.path.fileName.display
        let nameFields = model.fileName?.match(fileName, timeZone: model.timeZone)
        var container = ClipRecord.Container.other
        var creation: Date?
        var duration: Double?
        var problem: String?
        do {
            switch try reader.probe(fileAtPath: storedCopy.path) {
            case .notMP4:
                container = .other
            case .mp4(let metadata):
                if metadata.kind != .finalized {
                    container = .unfinalized
                } else if metadata.isFragmented {
                    container = .fragmentedMP4
                } else if metadata.isQuickTime {
                    container = .quickTime
                } else {
                    container = .mp4
                }
                creation = metadata.creationTime.flatMap { $0 >= Self.earliestPlausible ? $0 : nil }
                duration = metadata.durationSeconds
            }
        } catch {
            container = .other
            problem = error.description
        }
        let milliseconds = duration.flatMap { $0.isFinite && $0 >= 0 && $0 < 1e9 ? Int64(($0 * 1000).rounded()) : nil }
        let length = milliseconds.map { Double($0) / 1000 } ?? 0
        let start: Date
        let end: Date
        let source: ClipRecord.TimeSource
        if let creation {
            (start, end, source) = (creation, creation.addingTimeInterval(length), .mp4)
        } else if let named = nameFields?.start {
            (start, end, source) = (named, named.addingTimeInterval(length), .fileName)
        } else {
            (start, end, source) = (file.modificationTime.addingTimeInterval(-length), file.modificationTime, .modificationTime)
        }
        return Analysis(
            start: start, end: end, timeSource: source, container: container, durationMilliseconds: milliseconds,
            nameFields: nameFields, containerProblem: problem)
    }
}
