/// Builds ISO BMFF boxes byte by byte for hand-made MP4 fixtures, including ones that lie about their sizes.
enum MP4BoxBuilder {
    static func uint32(_ value: UInt32) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value),
        ]
    }

    static func uint64(_ value: UInt64) -> [UInt8] {
        uint32(UInt32(truncatingIfNeeded: value >> 32)) + uint32(UInt32(truncatingIfNeeded: value))
    }

    static func fourCC(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        precondition(bytes.count == 4, "fixture four-character codes have four ASCII characters")
        return bytes
    }

    /// A box with a 32-bit size that tells the truth.
    static func box(_ type: String, _ payload: [UInt8] = []) -> [UInt8] {
        uint32(UInt32(8 + payload.count)) + fourCC(type) + payload
    }

    /// A container box holding `children`.
    static func box(_ type: String, children: [[UInt8]]) -> [UInt8] {
        box(type, children.flatMap { $0 })
    }

    /// A box with size 1 and a 64-bit `largesize` that tells the truth.
    static func largeBox(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        uint32(1) + fourCC(type) + uint64(UInt64(16 + payload.count)) + payload
    }

    /// A box with size 0 ("extends to the end of the file").
    static func zeroSizeBox(_ type: String, _ payload: [UInt8] = []) -> [UInt8] {
        uint32(0) + fourCC(type) + payload
    }

    /// A box whose 32-bit size field says `size`, whatever its payload.
    static func lyingBox(_ type: String, size: UInt32, _ payload: [UInt8] = []) -> [UInt8] {
        uint32(size) + fourCC(type) + payload
    }

    /// A full box: version, 24-bit flags, then `payload`.
    static func fullBox(_ type: String, version: UInt8 = 0, flags: UInt32 = 0, _ payload: [UInt8]) -> [UInt8] {
        box(type, [version] + Array(uint32(flags).dropFirst()) + payload)
    }

    static func ftyp(_ major: String, compatible: [String] = []) -> [UInt8] {
        box("ftyp", fourCC(major) + uint32(0x200) + compatible.flatMap(fourCC))
    }

    /// A complete `mvhd` (108 bytes for version 0, 120 for version 1).
    static func mvhd(
        version: UInt8 = 0, creation: UInt64, modification: UInt64? = nil, timescale: UInt32, duration: UInt64
    ) -> [UInt8] {
        let times =
            version == 1
            ? uint64(creation) + uint64(modification ?? creation) + uint32(timescale) + uint64(duration)
            : uint32(UInt32(truncatingIfNeeded: creation))
                + uint32(UInt32(truncatingIfNeeded: modification ?? creation))
                + uint32(timescale) + uint32(UInt32(truncatingIfNeeded: duration))
        let rest =
            uint32(0x0001_0000) + [1, 0] + [UInt8](repeating: 0, count: 10) + [UInt8](repeating: 0, count: 36)
            + [UInt8](repeating: 0, count: 24) + uint32(2)
        return fullBox("mvhd", version: version, times + rest)
    }

    static func mdhd(version: UInt8 = 0, timescale: UInt32, duration: UInt64) -> [UInt8] {
        let times =
            version == 1
            ? uint64(0) + uint64(0) + uint32(timescale) + uint64(duration)
            : uint32(0) + uint32(0) + uint32(timescale) + uint32(UInt32(truncatingIfNeeded: duration))
        return fullBox("mdhd", version: version, times + [0x55, 0xC4, 0, 0])
    }

    static func tkhd(trackID: UInt32) -> [UInt8] {
        fullBox("tkhd", flags: 3, uint32(0) + uint32(0) + uint32(trackID) + [UInt8](repeating: 0, count: 68))
    }

    static func hdlr(_ handler: String) -> [UInt8] {
        fullBox("hdlr", uint32(0) + fourCC(handler) + [UInt8](repeating: 0, count: 12) + Array("Handler\0".utf8))
    }

    static func stts(_ entries: [(count: UInt32, delta: UInt32)]) -> [UInt8] {
        fullBox("stts", uint32(UInt32(entries.count)) + entries.flatMap { uint32($0.count) + uint32($0.delta) })
    }

    /// A `trak` with header, media header, handler and (optionally) a time-to-sample table.
    static func trak(
        id: UInt32, handler: String = "vide", timescale: UInt32, duration: UInt64,
        timeToSample: [(count: UInt32, delta: UInt32)] = []
    ) -> [UInt8] {
        box(
            "trak",
            children: [
                tkhd(trackID: id),
                box(
                    "mdia",
                    children: [
                        mdhd(timescale: timescale, duration: duration),
                        hdlr(handler),
                        box("minf", children: [box("stbl", children: [stts(timeToSample)])]),
                    ]),
            ])
    }

    static func mehd(version: UInt8 = 0, duration: UInt64) -> [UInt8] {
        fullBox(
            "mehd", version: version, version == 1 ? uint64(duration) : uint32(UInt32(truncatingIfNeeded: duration)))
    }

    static func trex(trackID: UInt32, defaultDuration: UInt32) -> [UInt8] {
        fullBox("trex", uint32(trackID) + uint32(1) + uint32(defaultDuration) + uint32(0) + uint32(0))
    }

    /// A `tfhd`, with flag 0x08 and a default sample duration when one is given.
    static func tfhd(trackID: UInt32, defaultDuration: UInt32? = nil) -> [UInt8] {
        if let defaultDuration {
            return fullBox("tfhd", flags: 0x02_0008, uint32(trackID) + uint32(defaultDuration))
        }
        return fullBox("tfhd", flags: 0x02_0000, uint32(trackID))
    }

    /// A `trun` with a data offset and per-sample durations and sizes.
    static func trun(durations: [UInt32]) -> [UInt8] {
        fullBox(
            "trun", flags: 0x301,
            uint32(UInt32(durations.count)) + uint32(0) + durations.flatMap { uint32($0) + uint32(100) })
    }

    /// A `trun` with per-sample sizes only, so durations come from `tfhd` or `trex`.
    static func trun(sampleCount: UInt32) -> [UInt8] {
        fullBox(
            "trun", flags: 0x201,
            uint32(sampleCount) + uint32(0) + (0..<sampleCount).flatMap { _ in uint32(100) })
    }

    static func moof(sequence: UInt32, trafs: [[UInt8]]) -> [UInt8] {
        box("moof", children: [fullBox("mfhd", uint32(sequence))] + trafs)
    }

    static func traf(_ children: [UInt8]...) -> [UInt8] {
        box("traf", children: children)
    }
}
