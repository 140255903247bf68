/// An MP4 file that could not be read: a stable code, where in the file it went wrong, and what to do.
///
/// The ingest pipeline still copies and hashes a file whose metadata cannot be read; it then takes the
/// recording time from the file name or modification time and records this error with the clip.
public struct MP4Error: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable codes, for scripts, logs and tests.
    public enum Code: String, Sendable {
        /// The file could not be opened, inspected or read.
        case io
        /// A box declares a size smaller than its own header (sizes 2 to 7, or a `largesize` below 16).
        case sizeSmallerThanHeader
        /// A box runs past the end of the box that contains it.
        case boxExceedsParent
        /// A top-level box that is never cut by a power loss (such as `ftyp`) runs past the end of the file.
        case boxExceedsFile
        /// A box inside another box declares size 0, which ISO/IEC 14496-12 §4.2 allows only for the
        /// last top-level box.
        case zeroSizeNotAllowed
        /// Boxes are nested deeper than ``MP4Reader/Limits/maxDepth``.
        case nestingTooDeep
        /// The file holds more boxes than ``MP4Reader/Limits/maxBoxCount``.
        case tooManyBoxes
        /// A box the reader must parse is larger than ``MP4Reader/Limits/maxParsedBoxSize``.
        case boxTooLarge
        /// A box's fields contradict its size or each other (too short, unknown version, counts that overflow).
        case malformedBox
    }

    /// What kind of failure this is.
    public let code: Code
    /// What failed and what to do, for a person.
    public let message: String
    /// The byte offset of the box (or read) that failed, if known.
    public let offset: UInt64?
    /// The four-character type of the box that failed, if known (hex when not printable).
    public let boxType: String?
    /// The file's path, when the reader opened the file itself.
    public let path: String?
    /// The underlying error's description, if any.
    public let cause: String?

    /// Creates an error.
    public init(
        _ code: Code,
        _ message: String,
        offset: UInt64? = nil,
        boxType: String? = nil,
        path: String? = nil,
        cause: String? = nil
    ) {
        self.code = code
        self.message = message
        self.offset = offset
        self.boxType = boxType
        self.path = path
        self.cause = cause
    }

    /// Returns this error with `path` attached, keeping a path that is already set.
    public func at(path: String) -> MP4Error {
        MP4Error(code, message, offset: offset, boxType: boxType, path: self.path ?? path, cause: cause)
    }

    /// What to do about a damaged file, appended to messages about box structure.
    static let nextStep =
        "Keep the copied file and its hash, and take the recording time from the file name or modification time."

    /// The code, message, box, offset, path and cause on one line, for logs.
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        var context: [String] = []
        if let boxType { context.append("box '\(boxType)'") }
        if let offset { context.append("offset \(offset)") }
        if let path { context.append("file \(path)") }
        if !context.isEmpty { text += " [" + context.joined(separator: ", ") + "]" }
        if let cause { text += " (\(cause))" }
        return text
    }
}
