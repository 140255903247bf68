/// Which files of a recorder are media, for one recorder model: a glob over paths relative to the recorder's
/// root, such as `DCIM/**/*.MP4`, `RECORD/*.mp4` or `**/*.JPG`.
///
/// - `*` matches any characters, none included, within one path segment; `?` matches one character (one byte
///   of UTF-8) within a segment. Neither ever matches `/`.
/// - `**` as a whole segment matches zero or more whole segments (`DCIM/**/*.MP4` matches `DCIM/A.MP4` and
///   `DCIM/100/200/A.MP4`); `**` inside a longer segment is the same as `*`.
/// - Everything else is literal, with ASCII letters matching either case (FAT and exFAT do not distinguish
///   case). There are no character classes or escapes; `[`, `]` and `\` are literal characters.
///
/// Dot files are not special: `*.MP4` also matches `._A.MP4` (the AppleDouble files macOS leaves on FAT
/// volumes), so that nothing a recorder holds is skipped silently.
///
/// A path matches only if it is relative and clean: paths that start with `/` or contain an empty, `.` or `..`
/// segment never match. Matching never backtracks more than one star at a time, so its cost is at most
/// proportional to the pattern's length times the path's, whatever the input.
public struct MediaGlob: Sendable, Hashable, CustomStringConvertible {
    /// The longest pattern accepted, in UTF-8 bytes.
    public static let maximumPatternLength = 1024

    /// The glob as configured.
    public let pattern: String
    /// Segments, ASCII letters lowered; nil stands for `**`.
    let segments: [[UInt8]?]

    /// Compiles `pattern`, refusing one that is empty, too long, absolute (starts with `/`), or has an empty,
    /// `.` or `..` segment, or a `\` (paths are separated by `/`).
    public init(_ pattern: String) throws(MediaGlobError) {
        self.pattern = pattern
        func fail(_ code: MediaGlobError.Code, _ message: String) -> MediaGlobError {
            MediaGlobError(code, pattern: pattern, message: message)
        }
        let bytes = Array(pattern.utf8)
        guard !bytes.isEmpty else {
            throw fail(.empty, "the glob is empty; write a path relative to the recorder's root, like DCIM/**/*.MP4")
        }
        guard bytes.count <= Self.maximumPatternLength else {
            throw fail(
                .tooLong,
                "the glob is \(bytes.count) bytes long; at most \(Self.maximumPatternLength) are "
                    + "accepted")
        }
        guard bytes[0] != UInt8(ascii: "/") else {
            throw fail(
                .absolute,
                "the glob starts with '/'; write it relative to the recorder's root, like "
                    + "DCIM/**/*.MP4 rather than /DCIM/**/*.MP4")
        }
        guard !bytes.contains(UInt8(ascii: "\\")) else {
            throw fail(.backslash, "the glob contains '\\'; separate folders with '/', like DCIM/**/*.MP4")
        }
        var segments: [[UInt8]?] = []
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            switch Array(segment) {
            case []:
                throw fail(
                    .emptySegment,
                    "the glob has an empty segment ('//' or a trailing '/'); name files, "
                        + "like DCIM/**/*.MP4")
            case [UInt8(ascii: ".")]:
                throw fail(.dotSegment, "the glob has a '.' segment; leave it out")
            case [UInt8(ascii: "."), UInt8(ascii: ".")]:
                throw fail(
                    .parentSegment,
                    "the glob has a '..' segment; globs cannot reach outside the "
                        + "recorder's root")
            case [UInt8(ascii: "*"), UInt8(ascii: "*")]:
                // `**/**` matches exactly what `**` does.
                if let last = segments.last, last == nil { continue }
                segments.append(nil)
            default:
                segments.append(segment.map(Self.lowered))
            }
        }
        self.segments = segments
    }

    public var description: String { pattern }

    /// Whether `relativePath` (segments separated by `/`, relative to the recorder's root) is matched.
    public func matches(_ relativePath: String) -> Bool {
        var steps = 0
        return matches(relativePath, steps: &steps)
    }

    /// ``matches(_:)``, adding the number of elementary steps it took to `steps` (for tests that bound the work
    /// done on hostile input).
    func matches(_ relativePath: String, steps: inout Int) -> Bool {
        let path = Array(relativePath.utf8).map(Self.lowered)
        // Segment boundaries: path[starts[i]..<ends[i]].
        var ranges: [Range<Int>] = []
        var start = 0
        for i in 0...path.count where i == path.count || path[i] == UInt8(ascii: "/") {
            let segment = path[start..<i]
            if segment.isEmpty || segment.elementsEqual([UInt8(ascii: ".")])
                || segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")])
            {
                return false
            }
            ranges.append(start..<i)
            start = i + 1
        }
        steps += path.count + 1

        // The classic one-star-backtrack wildcard algorithm, over segments with `**` as the star. It is exact
        // because every other pattern segment consumes exactly one path segment: a later `**` can absorb
        // whatever an earlier one would have, so only the latest `**` ever needs to be retried.
        var p = 0
        var s = 0
        var star: (pattern: Int, segment: Int)?
        while s < ranges.count {
            steps += 1
            if p < segments.count, let literal = segments[p] {
                if Self.segmentMatches(literal, path[ranges[s]], steps: &steps) {
                    p += 1
                    s += 1
                    continue
                }
            } else if p < segments.count {
                star = (p, s)
                p += 1
                continue
            }
            guard let last = star else { return false }
            star = (last.pattern, last.segment + 1)
            p = last.pattern + 1
            s = last.segment + 1
        }
        while p < segments.count, segments[p] == nil {
            p += 1
        }
        return p == segments.count
    }

    /// The same algorithm within one segment, over bytes with `*` as the star and `?` as any one byte.
    private static func segmentMatches(_ pattern: [UInt8], _ name: ArraySlice<UInt8>, steps: inout Int) -> Bool {
        let name = Array(name)
        var p = 0
        var n = 0
        var star: (pattern: Int, name: Int)?
        while n < name.count {
            steps += 1
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = (p, n)
                p += 1
                continue
            }
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == name[n] {
                p += 1
                n += 1
                continue
            }
            guard let last = star else { return false }
            star = (last.pattern, last.name + 1)
            p = last.pattern + 1
            n = last.name + 1
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") {
            p += 1
        }
        return p == pattern.count
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }
}

extension Sequence<MediaGlob> {
    /// Whether any of the globs matches `relativePath`: a model's media are the files any of its globs names.
    public func matches(_ relativePath: String) -> Bool {
        contains { $0.matches(relativePath) }
    }
}

/// A media glob that cannot be compiled: a stable code, the glob, and what is wrong with it.
public struct MediaGlobError: Error, CustomStringConvertible, Hashable, Sendable {
    /// Stable codes, for scripts and tests.
    public enum Code: String, Sendable, Hashable {
        /// The glob is empty.
        case empty
        /// The glob is longer than ``MediaGlob/maximumPatternLength``.
        case tooLong
        /// The glob starts with `/`.
        case absolute
        /// The glob contains `\`.
        case backslash
        /// The glob has `//` or ends with `/`.
        case emptySegment
        /// The glob has a `.` segment.
        case dotSegment
        /// The glob has a `..` segment.
        case parentSegment
    }

    /// What kind of mistake this is.
    public let code: Code
    /// The glob as configured.
    public let pattern: String
    /// What is wrong and how to write it instead, for a person.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, pattern: String, message: String) {
        self.code = code
        self.pattern = pattern
        self.message = message
    }

    public var description: String { "media glob \"\(pattern)\": \(message)" }
}
