// The small, fixed-layout boxes: only the leading fields the reader needs are read.
extension MP4Parser {
    /// `ftyp`, ISO/IEC 14496-12 §4.3: major brand, minor version, compatible brands.
    mutating func parseFileType(_ box: BoxHeader) throws(MP4Error) {
        guard box.payloadSize <= UInt64(limits.maxParsedBoxSize) else {
            throw failure(.boxTooLarge, "The file type box is larger than \(limits.maxParsedBoxSize) bytes.", box)
        }
        let bytes = try read(at: box.payloadOffset, count: Int(box.payloadSize))
        guard bytes.count >= 8 else {
            throw failure(.malformedBox, "The file type box is too short for a brand and version.", box)
        }
        majorBrand = FourCC(rawValue: bytes.bigEndianUInt32(at: 0)).description
        compatibleBrands = stride(from: 8, through: bytes.count - 4, by: 4).map {
            FourCC(rawValue: bytes.bigEndianUInt32(at: $0)).description
        }
    }

    /// `mvhd` (§8.2.2) or `mdhd` (§8.4.2): times, timescale and duration, version 0 (32-bit) or 1 (64-bit).
    func parseTimedHeader(_ box: BoxHeader) throws(MP4Error) -> TimedHeader {
        var cursor = try payloadPrefix(of: box, limit: 32)
        let version = try cursor.uint8()
        try cursor.skip(3)
        switch version {
        case 0:
            let creation = try cursor.uint32()
            let modification = try cursor.uint32()
            let timescale = try cursor.uint32()
            let duration = try cursor.uint32()
            return TimedHeader(
                creationTime: UInt64(creation), modificationTime: UInt64(modification), timescale: timescale,
                duration: duration == .max ? nil : UInt64(duration))
        case 1:
            let creation = try cursor.uint64()
            let modification = try cursor.uint64()
            let timescale = try cursor.uint32()
            let duration = try cursor.uint64()
            return TimedHeader(
                creationTime: creation, modificationTime: modification, timescale: timescale,
                duration: duration == .max ? nil : duration)
        default:
            throw failure(.malformedBox, "The header has unknown version \(version).", box)
        }
    }

    /// `tkhd`, §8.3.2: the track ID after the two times.
    func parseTrackID(_ box: BoxHeader) throws(MP4Error) -> UInt32 {
        var cursor = try payloadPrefix(of: box, limit: 24)
        let version = try cursor.uint8()
        try cursor.skip(3)
        switch version {
        case 0: try cursor.skip(8)
        case 1: try cursor.skip(16)
        default: throw failure(.malformedBox, "The track header has unknown version \(version).", box)
        }
        return try cursor.uint32()
    }

    /// `hdlr`, §8.4.3: the handler type (`vide`, `soun`, ...). QuickTime's component type fills
    /// the `pre_defined` field.
    func parseHandlerType(_ box: BoxHeader) throws(MP4Error) -> FourCC {
        var cursor = try payloadPrefix(of: box, limit: 12)
        try cursor.skip(8)
        return FourCC(rawValue: try cursor.uint32())
    }

    /// `mehd`, §8.8.2: the whole fragmented movie's duration in the `mvhd` timescale.
    func parseMovieExtendsDuration(_ box: BoxHeader) throws(MP4Error) -> UInt64 {
        var cursor = try payloadPrefix(of: box, limit: 12)
        let version = try cursor.uint8()
        try cursor.skip(3)
        switch version {
        case 0: return UInt64(try cursor.uint32())
        case 1: return try cursor.uint64()
        default: throw failure(.malformedBox, "The movie extends header has unknown version \(version).", box)
        }
    }

    /// `trex`, §8.8.3: a track's default sample duration for its fragments.
    func parseTrackExtends(_ box: BoxHeader) throws(MP4Error) -> (trackID: UInt32, duration: UInt32) {
        var cursor = try payloadPrefix(of: box, limit: 16)
        try cursor.skip(4)
        let trackID = try cursor.uint32()
        try cursor.skip(4)
        return (trackID, try cursor.uint32())
    }
}
