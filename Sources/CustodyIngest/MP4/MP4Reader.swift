/// Reads recording metadata (creation time, duration, completeness) from MP4 and QuickTime files
/// by walking ISO BMFF boxes (ISO/IEC 14496-12 §4.2) through a ``ByteSource``.
///
/// The reader reads box headers and only the few small boxes it needs (`ftyp`, `mvhd`, `tkhd`,
/// `mdhd`, `hdlr`, `mvex/mehd`, `trex`, `tfhd`, `trun`, and `stts` of fragmented files), never
/// media data, and never allocates by a size the file declares beyond ``Limits/maxParsedBoxSize``.
/// `trun` and `stts` tables are streamed in chunks no larger than that cap.
///
/// A file cut by power loss (no `moov`) is reported as ``MP4Metadata/Kind/unfinalized``, not as
/// an error; a file that is not MP4 at all is ``MP4Probe/notMP4``. A box whose size contradicts
/// its container, or limits that are exceeded, end in an ``MP4Error``.
public struct MP4Reader: Sendable {
    /// The bounds that keep reading a hostile file cheap.
    public var limits: Limits

    /// Creates a reader with the given limits.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Probes the bytes of `source` for MP4 metadata.
    ///
    /// - Returns: ``MP4Probe/mp4(_:)`` for ISO BMFF movies, finished or not, or ``MP4Probe/notMP4``.
    /// - Throws: ``MP4Error`` when the box structure is inconsistent, a limit is exceeded, or the source fails.
    public func probe(_ source: some ByteSource) throws(MP4Error) -> MP4Probe {
        var parser = MP4Parser(source: source, limits: limits)
        return try parser.probe()
    }

    /// Opens the regular file at `path` (never following a symbolic link) and probes it for MP4 metadata.
    ///
    /// - Throws: ``MP4Error`` as ``probe(_:)`` does, or with code ``MP4Error/Code/io`` when the file
    ///   cannot be opened; the error carries `path`.
    public func probe(fileAtPath path: String) throws(MP4Error) -> MP4Probe {
        do throws(MP4Error) {
            let source = try FileByteSource(path: path)
            return try probe(source)
        } catch {
            throw error.at(path: path)
        }
    }
}
