import Foundation

// Turning what the walk found into ``MP4Metadata``.
extension MP4Parser {
    /// Seconds from 1904-01-01 00:00 UTC (the ISO BMFF epoch) to 1970-01-01 00:00 UTC.
    static var secondsFrom1904To1970: Double { 2_082_844_800 }

    func makeMetadata() throws(MP4Error) -> MP4Metadata {
        var metadata = MP4Metadata(
            kind: .unfinalized, majorBrand: majorBrand, compatibleBrands: compatibleBrands,
            isFragmented: fragmentCount > 0, fragmentCount: fragmentCount, mediaDataBytes: mediaDataBytes)
        guard movieRead else { return metadata }
        metadata.kind = endsInsideBox ? .truncated : .finalized
        metadata.isFragmented = isFragmented || fragmentCount > 0
        if let movieHeader {
            metadata.creationTime = Self.date(movieHeader.creationTime)
            metadata.modificationTime = Self.date(movieHeader.modificationTime)
        }
        if let (duration, source) = try resolveDuration() {
            metadata.duration = duration
            metadata.durationSource = source
        }
        return metadata
    }

    /// The first video track, else the first track (the track whose samples are summed).
    var primaryTrack: Track? { tracks.first { $0.handler == .vide } ?? tracks.first }

    private func resolveDuration() throws(MP4Error) -> (MP4Duration, MP4Metadata.DurationSource)? {
        if isFragmented || fragmentCount > 0 {
            // `mehd` states the whole movie; a truncated file holds less, so sum what is there instead.
            if !endsInsideBox, let value = movieExtendsDuration, value > 0, let movieHeader,
                let duration = MP4Duration(value: value, timescale: movieHeader.timescale)
            {
                return (duration, .movieExtendsHeader)
            }
            if let track = primaryTrack, let timescale = track.media?.timescale {
                let total = try totalSampleDuration(of: track)
                if total > 0, let duration = MP4Duration(value: total, timescale: timescale) {
                    return (duration, .trackFragments)
                }
            }
        }
        if let movieHeader, let value = movieHeader.duration,
            let duration = MP4Duration(value: value, timescale: movieHeader.timescale)
        {
            return (duration, .movieHeader)
        }
        if let media = primaryTrack?.media, let value = media.duration,
            let duration = MP4Duration(value: value, timescale: media.timescale)
        {
            return (duration, .mediaHeader)
        }
        return nil
    }

    /// A 1904-epoch time as a date, or nil for zero ("not set").
    static func date(_ secondsSince1904: UInt64) -> Date? {
        guard secondsSince1904 != 0 else { return nil }
        return Date(timeIntervalSince1970: Double(secondsSince1904) - secondsFrom1904To1970)
    }
}
