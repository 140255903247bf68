/// One pass over one file's boxes: the state and the walk behind ``MP4Reader``.
///
/// Top-level boxes are walked in order; the containers on the path to the metadata (`moov`, `trak`,
/// `mdia`, `minf`, `stbl`, `mvex`, `moof`, `traf`) are descended wherever they appear, every child
/// checked against its parent; other boxes are skipped by their size without being read.
struct MP4Parser<Source: ByteSource> {
    let source: Source
    let limits: MP4Reader.Limits
    let fileSize: UInt64
    private var boxCount = 0

    // ftyp
    var sawFileType = false
    var majorBrand: String?
    var compatibleBrands: [String] = []

    // moov
    var movieRead = false
    var movieHeader: TimedHeader?
    var isFragmented = false
    var movieExtendsDuration: UInt64?
    var tracks: [Track] = []
    var openTrack: Track?
    var trackExtendsDurations: [UInt32: UInt32] = [:]

    // moof
    var fragmentCount = 0
    var openFragmentTrack: FragmentTrack?
    var fragmentTotals: [UInt32: FragmentTotal] = [:]

    // top level
    var mediaDataBytes: UInt64 = 0
    var endsInsideBox = false
    var sawMediaData = false

    /// Whether media data has been seen but no movie box: a recording whose index was never written.
    var mediaDataWithoutMovie: Bool { sawMediaData && !movieRead }

    /// The creation and modification times, timescale and duration shared by `mvhd` and `mdhd`.
    struct TimedHeader {
        var creationTime: UInt64
        var modificationTime: UInt64
        var timescale: UInt32
        /// Nil when the file writes all ones ("unknown").
        var duration: UInt64?
    }

    /// What one `trak` says about itself.
    struct Track {
        var id: UInt32?
        var handler: FourCC?
        var media: TimedHeader?
        var timeToSample: BoxHeader?
    }

    init(source: Source, limits: MP4Reader.Limits) {
        self.source = source
        self.limits = limits
        self.fileSize = source.size
    }

    /// Sniffs the file, walks it, and assembles what was found.
    mutating func probe() throws(MP4Error) -> MP4Probe {
        guard fileSize >= 8 else { return .notMP4 }
        let opening = try read(at: 0, count: 8)
        guard opening.count == 8, FourCC.openingTypes.contains(FourCC(rawValue: opening.bigEndianUInt32(at: 4))) else {
            return .notMP4
        }
        try walkTopLevel()
        if !movieRead, let brand = majorBrand,
            FourCC.stillImageBrands.contains(brand)
                || compatibleBrands.contains(where: FourCC.stillImageBrands.contains)
        {
            return .notMP4
        }
        return .mp4(try makeMetadata())
    }

    // MARK: - Walking

    private mutating func walkTopLevel() throws(MP4Error) {
        var offset: UInt64 = 0
        while offset < fileSize {
            let box: BoxHeader
            do throws(MP4Error) {
                guard case .header(let header) = try readHeader(at: offset, containerEnd: fileSize) else {
                    // The file ends inside a box header, unless the last few bytes are zero padding.
                    let tail = try read(at: offset, count: Int(min(fileSize - offset, 16)))
                    endsInsideBox = fileSize - offset >= 8 || !tail.allSatisfy { $0 == 0 }
                    return
                }
                if mediaDataWithoutMovie && !header.type.isPrintable { return }
                if header.end > fileSize {
                    guard FourCC.cuttableTypes.contains(header.type) || mediaDataWithoutMovie else {
                        throw failure(.boxExceedsFile, "A box runs past the end of the file.", header)
                    }
                    endsInsideBox = true
                    if header.type == .mdat, fileSize > header.payloadOffset {
                        mediaDataBytes = mediaDataBytes.addingClamped(fileSize - header.payloadOffset)
                    }
                    return
                }
                box = header
            } catch  where mediaDataWithoutMovie && error.code != .io && error.code != .tooManyBoxes {
                // Media written after an `mdat` whose size was never filled in, then a power cut:
                // what follows is not boxes. The file is unfinalized, not corrupt.
                return
            }
            try visitTopLevel(box)
            offset = box.end
        }
    }

    private mutating func visitTopLevel(_ box: BoxHeader) throws(MP4Error) {
        switch box.type {
        case .ftyp where !sawFileType:
            sawFileType = true
            try parseFileType(box)
        case .moov where !movieRead:
            try walkChildren(of: box, depth: 0)
            movieRead = true
        case .moof:
            try walkChildren(of: box, depth: 0)
            fragmentCount += 1
        case .mdat:
            mediaDataBytes = mediaDataBytes.addingClamped(box.payloadSize)
            sawMediaData = true
        default:
            break
        }
    }

    private mutating func walkChildren(of parent: BoxHeader, depth: Int) throws(MP4Error) {
        var offset = parent.payloadOffset
        while offset < parent.end {
            let remaining = parent.end - offset
            if remaining < 8 {
                // QuickTime may end a list of atoms with a 32-bit zero; anything else is a cut header.
                let tail = try read(at: offset, count: Int(remaining))
                if tail.count == Int(remaining) && tail.allSatisfy({ $0 == 0 }) { return }
                throw failure(
                    .boxExceedsParent, "A box header is cut by the end of the box that contains it.",
                    offset: offset, type: parent.type)
            }
            guard case .header(let child) = try readHeader(at: offset, containerEnd: parent.end) else {
                throw failure(
                    .boxExceedsParent, "A box header is cut by the end of the box that contains it.",
                    offset: offset, type: parent.type)
            }
            if child.extendsToEnd {
                throw failure(.zeroSizeNotAllowed, "A box inside another box declares size 0.", child)
            }
            if child.end > parent.end {
                throw failure(.boxExceedsParent, "A box runs past the end of the box that contains it.", child)
            }
            guard depth < limits.maxDepth else {
                throw failure(.nestingTooDeep, "Boxes are nested more than \(limits.maxDepth) levels deep.", child)
            }
            try visit(child, in: parent.type, depth: depth + 1)
            offset = child.end
        }
    }

    private mutating func visit(_ box: BoxHeader, in parent: FourCC, depth: Int) throws(MP4Error) {
        switch (parent, box.type) {
        case (_, .trak):
            let enclosing = openTrack
            openTrack = Track()
            try walkChildren(of: box, depth: depth)
            if parent == .moov, let track = openTrack { tracks.append(track) }
            openTrack = enclosing
        case (_, .traf):
            let enclosing = openFragmentTrack
            openFragmentTrack = FragmentTrack()
            try walkChildren(of: box, depth: depth)
            if parent == .moof, let fragmentTrack = openFragmentTrack { try finish(fragmentTrack, of: box) }
            openFragmentTrack = enclosing
        case (_, .mvex):
            if parent == .moov { isFragmented = true }
            try walkChildren(of: box, depth: depth)
        case (_, let type) where FourCC.containerTypes.contains(type):
            try walkChildren(of: box, depth: depth)
        case (.moov, .mvhd) where movieHeader == nil:
            movieHeader = try parseTimedHeader(box)
        case (.trak, .tkhd):
            let value = try parseTrackID(box)
            openTrack?.id = value
        case (.mdia, .mdhd):
            let value = try parseTimedHeader(box)
            openTrack?.media = value
        case (.mdia, .hdlr):
            let value = try parseHandlerType(box)
            openTrack?.handler = value
        case (.stbl, .stts):
            openTrack?.timeToSample = box
        case (.mvex, .mehd):
            movieExtendsDuration = try parseMovieExtendsDuration(box)
        case (.mvex, .trex):
            let (trackID, duration) = try parseTrackExtends(box)
            if trackExtendsDurations[trackID] == nil { trackExtendsDurations[trackID] = duration }
        case (.traf, .tfhd):
            try parseTrackFragmentHeader(box)
        case (.traf, .trun):
            try parseTrackRun(box)
        default:
            break
        }
    }

    // MARK: - Reading

    enum HeaderRead {
        case header(BoxHeader)
        /// Fewer header bytes remain before `containerEnd` than the header needs.
        case incomplete
    }

    /// Reads and checks one box header at `offset`, which lies before `containerEnd`.
    mutating func readHeader(at offset: UInt64, containerEnd: UInt64) throws(MP4Error) -> HeaderRead {
        let bytes = try read(at: offset, count: Int(min(containerEnd - offset, 32)))
        guard bytes.count >= 8 else { return .incomplete }
        let size32 = bytes.bigEndianUInt32(at: 0)
        let type = FourCC(rawValue: bytes.bigEndianUInt32(at: 4))
        var headerSize: UInt64 = 8
        var size = UInt64(size32)
        if size32 == 1 {
            guard bytes.count >= 16 else { return .incomplete }
            size = UInt64(bytes.bigEndianUInt32(at: 8)) << 32 | UInt64(bytes.bigEndianUInt32(at: 12))
            headerSize = 16
        }
        if type == .uuid { headerSize += 16 }
        guard UInt64(bytes.count) >= headerSize else { return .incomplete }

        boxCount += 1
        guard boxCount <= limits.maxBoxCount else {
            throw MP4Error(
                .tooManyBoxes, "The file holds more than \(limits.maxBoxCount) boxes. \(MP4Error.nextStep)",
                offset: offset, boxType: type.description)
        }
        let end: UInt64
        if size32 == 0 {
            end = containerEnd
        } else {
            guard size >= headerSize else {
                throw MP4Error(
                    .sizeSmallerThanHeader,
                    "A box declares size \(size), smaller than its \(headerSize)-byte header. \(MP4Error.nextStep)",
                    offset: offset, boxType: type.description)
            }
            let (sum, overflow) = offset.addingReportingOverflow(size)
            end = overflow ? .max : sum
        }
        return .header(
            BoxHeader(type: type, offset: offset, headerSize: headerSize, extendsToEnd: size32 == 0, end: end))
    }

    /// Reads the first bytes of `box`'s payload, at most `limit` of them.
    func payloadPrefix(of box: BoxHeader, limit: Int) throws(MP4Error) -> PayloadCursor {
        let bytes = try read(at: box.payloadOffset, count: Int(min(box.payloadSize, UInt64(limit))))
        return PayloadCursor(bytes, of: box)
    }

    /// Reads from the source, turning its failures into ``MP4Error/Code/io``.
    func read(at offset: UInt64, count: Int) throws(MP4Error) -> [UInt8] {
        do {
            return try source.read(at: offset, count: count)
        } catch let error as MP4Error {
            throw error
        } catch {
            throw MP4Error(
                .io, "Cannot read the file; the device may have been unplugged.", offset: offset,
                cause: String(describing: error))
        }
    }

    func failure(_ code: MP4Error.Code, _ what: String, _ box: BoxHeader) -> MP4Error {
        failure(code, what, offset: box.offset, type: box.type)
    }

    func failure(_ code: MP4Error.Code, _ what: String, offset: UInt64, type: FourCC) -> MP4Error {
        MP4Error(code, "\(what) \(MP4Error.nextStep)", offset: offset, boxType: type.description)
    }

    /// Adds sample counts or durations, failing on overflow rather than trapping.
    func sum(_ a: UInt64, _ b: UInt64, in box: BoxHeader?) throws(MP4Error) -> UInt64 {
        let (result, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw overflowFailure(box) }
        return result
    }

    /// Multiplies a sample count by a duration, failing on overflow rather than trapping.
    func product(_ a: UInt64, _ b: UInt64, in box: BoxHeader?) throws(MP4Error) -> UInt64 {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw overflowFailure(box) }
        return result
    }

    private func overflowFailure(_ box: BoxHeader?) -> MP4Error {
        MP4Error(
            .malformedBox, "Sample counts or durations add up past 2^64. \(MP4Error.nextStep)",
            offset: box?.offset, boxType: box?.type.description)
    }
}

extension UInt64 {
    /// The sum, or `UInt64.max` where it would overflow.
    func addingClamped(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
