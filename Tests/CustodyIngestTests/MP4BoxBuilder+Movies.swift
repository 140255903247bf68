// Whole small movies for the reader's tests and as seeds for the fuzz test.
extension MP4BoxBuilder {
    /// 2026-03-01T08:15:30Z in seconds since 1904-01-01 UTC.
    static let creation1904: UInt64 = 3_855_197_730
    /// 2026-03-01T08:15:30Z in seconds since 1970-01-01 UTC.
    static let creationUnix: Double = 1_772_352_930

    static func media(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    }

    /// A one-track movie box: 3.4 s at timescale 1000, video at 12800.
    static func movieBox(creation: UInt64 = creation1904, version: UInt8 = 0) -> [UInt8] {
        box(
            "moov",
            children: [
                mvhd(version: version, creation: creation, timescale: 1000, duration: 3400),
                trak(id: 1, timescale: 12800, duration: 43520, timeToSample: [(85, 512)]),
            ])
    }

    /// ftyp, free, mdat, moov: the default layout of a camera or ffmpeg.
    static func movieAtEnd(mediaBytes: Int = 64) -> [UInt8] {
        ftyp("isom", compatible: ["isom", "iso2", "avc1", "mp41"]) + box("free") + box("mdat", media(mediaBytes))
            + movieBox()
    }

    /// ftyp, moov, mdat: a "fast start" layout.
    static func movieAtStart(mediaBytes: Int = 64) -> [UInt8] {
        ftyp("isom", compatible: ["isom", "mp41"]) + movieBox() + box("mdat", media(mediaBytes))
    }

    /// A QuickTime movie with no `ftyp`: wide, mdat, moov.
    static func quickTimeWithoutFileType(mediaBytes: Int = 64) -> [UInt8] {
        box("wide") + box("mdat", media(mediaBytes)) + movieBox()
    }

    /// A fragmented movie: audio track 1 (per-sample durations) and video track 2 (default durations
    /// from `tfhd` in the first fragment and from `trex` in the second), no `mehd` unless given.
    ///
    /// Video: 25 samples of 512 (tfhd) + 10 + 20 samples of 1024 (trex) at 12800 = 43520 = 3.4 s.
    /// Audio: 2 × 44 samples of 1024 at 44100 ≈ 2.04 s.
    static func fragmentedMovie(movieExtendsDuration: UInt64? = nil, mediaBytes: Int = 32) -> [UInt8] {
        let mvex = box(
            "mvex",
            children: (movieExtendsDuration.map { [mehd(duration: $0)] } ?? []) + [
                trex(trackID: 1, defaultDuration: 2048), trex(trackID: 2, defaultDuration: 1024),
            ])
        let moov = box(
            "moov",
            children: [
                mvhd(creation: creation1904, timescale: 1000, duration: 0),
                trak(id: 1, handler: "soun", timescale: 44100, duration: 0),
                trak(id: 2, handler: "vide", timescale: 12800, duration: 0),
                mvex,
            ])
        let audioDurations = [UInt32](repeating: 1024, count: 44)
        let first = moof(
            sequence: 1,
            trafs: [
                traf(tfhd(trackID: 1), trun(durations: audioDurations)),
                traf(tfhd(trackID: 2, defaultDuration: 512), trun(sampleCount: 25)),
            ])
        let second = moof(
            sequence: 2,
            trafs: [
                traf(tfhd(trackID: 1), trun(durations: audioDurations)),
                traf(tfhd(trackID: 2), trun(sampleCount: 10), trun(sampleCount: 20)),
            ])
        return ftyp("iso5", compatible: ["iso5", "iso6", "mp41"]) + moov + first + box("mdat", media(mediaBytes))
            + second + box("mdat", media(mediaBytes))
    }
}
