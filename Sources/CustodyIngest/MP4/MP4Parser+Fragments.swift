// Movie fragments (ISO/IEC 14496-12 §8.8) and the sample tables streamed to total their durations.
extension MP4Parser {
    /// What one `traf` contributes, before `trex` defaults are known.
    struct FragmentTrack {
        var trackID: UInt32?
        var defaultDuration: UInt32?
        var explicitDuration: UInt64 = 0
        var samplesWithoutDuration: UInt64 = 0
    }

    /// One track's durations over every complete fragment.
    struct FragmentTotal {
        var explicitDuration: UInt64 = 0
        /// Samples whose duration is the track's `trex` default, applied once the whole file is read.
        var samplesUsingTrackDefault: UInt64 = 0
    }

    private static var runDurationPresent: UInt32 { 0x100 }

    /// `tfhd`, §8.8.7: track ID and, when flag 0x08 is set, the default sample duration.
    mutating func parseTrackFragmentHeader(_ box: BoxHeader) throws(MP4Error) {
        var cursor = try payloadPrefix(of: box, limit: 32)
        let flags = try cursor.uint32() & 0xFF_FFFF
        let trackID = try cursor.uint32()
        if flags & 0x01 != 0 { try cursor.skip(8) }  // base_data_offset
        if flags & 0x02 != 0 { try cursor.skip(4) }  // sample_description_index
        let defaultDuration = flags & 0x08 != 0 ? try cursor.uint32() : nil
        openFragmentTrack?.trackID = trackID
        openFragmentTrack?.defaultDuration = defaultDuration
    }

    /// `trun`, §8.8.8: sums per-sample durations, streaming the table in bounded chunks, or counts
    /// samples that take a default duration.
    mutating func parseTrackRun(_ box: BoxHeader) throws(MP4Error) {
        guard var fragmentTrack = openFragmentTrack else { return }
        var cursor = try payloadPrefix(of: box, limit: 8)
        let flags = try cursor.uint32() & 0xFF_FFFF
        let sampleCount = UInt64(try cursor.uint32())
        var tableOffset: UInt64 = 8
        if flags & 0x001 != 0 { tableOffset += 4 }  // data_offset
        if flags & 0x004 != 0 { tableOffset += 4 }  // first_sample_flags
        let entrySize = UInt64([0x100, 0x200, 0x400, 0x800].filter { flags & $0 != 0 }.count * 4)
        guard box.payloadSize >= tableOffset, sampleCount * entrySize <= box.payloadSize - tableOffset else {
            throw failure(.malformedBox, "A track run declares more samples than the box holds.", box)
        }
        if flags & Self.runDurationPresent == 0 {
            fragmentTrack.samplesWithoutDuration = try sum(fragmentTrack.samplesWithoutDuration, sampleCount, in: box)
        } else {
            // The duration is the first field of each entry.
            try forEachEntry(of: box, at: tableOffset, count: sampleCount, size: entrySize) {
                (bytes, index) throws(MP4Error) in
                let duration = UInt64(bytes.bigEndianUInt32(at: index))
                fragmentTrack.explicitDuration = try sum(fragmentTrack.explicitDuration, duration, in: box)
            }
        }
        openFragmentTrack = fragmentTrack
    }

    /// Adds a finished `traf` to its track's totals.
    mutating func finish(_ fragmentTrack: FragmentTrack, of box: BoxHeader) throws(MP4Error) {
        guard let trackID = fragmentTrack.trackID else { return }
        var total = fragmentTotals[trackID] ?? FragmentTotal()
        total.explicitDuration = try sum(total.explicitDuration, fragmentTrack.explicitDuration, in: box)
        if let defaultDuration = fragmentTrack.defaultDuration {
            let defaulted = try product(fragmentTrack.samplesWithoutDuration, UInt64(defaultDuration), in: box)
            total.explicitDuration = try sum(total.explicitDuration, defaulted, in: box)
        } else {
            total.samplesUsingTrackDefault = try sum(
                total.samplesUsingTrackDefault, fragmentTrack.samplesWithoutDuration, in: box)
        }
        fragmentTotals[trackID] = total
    }

    /// The total duration of `track`'s samples in the movie box (its `stts`, §8.6.1.2) and in every
    /// complete fragment, in the track's media timescale.
    func totalSampleDuration(of track: Track) throws(MP4Error) -> UInt64 {
        var total: UInt64 = 0
        if let table = track.timeToSample {
            var cursor = try payloadPrefix(of: table, limit: 8)
            try cursor.skip(4)
            let entryCount = UInt64(try cursor.uint32())
            guard table.payloadSize >= 8, entryCount * 8 <= table.payloadSize - 8 else {
                throw failure(.malformedBox, "A time-to-sample table declares more entries than the box holds.", table)
            }
            try forEachEntry(of: table, at: 8, count: entryCount, size: 8) { (bytes, index) throws(MP4Error) in
                let samples = UInt64(bytes.bigEndianUInt32(at: index))
                let delta = UInt64(bytes.bigEndianUInt32(at: index + 4))
                total = try sum(total, try product(samples, delta, in: table), in: table)
            }
        }
        if let trackID = track.id, let fragments = fragmentTotals[trackID] {
            total = try sum(total, fragments.explicitDuration, in: nil)
            let trackDefault = UInt64(trackExtendsDurations[trackID] ?? 0)
            let defaulted = try product(fragments.samplesUsingTrackDefault, trackDefault, in: nil)
            total = try sum(total, defaulted, in: nil)
        }
        return total
    }

    /// Calls `body` for each `size`-byte entry of a table inside `box`, reading at most
    /// ``MP4Reader/Limits/maxParsedBoxSize`` bytes (and at most 64 KiB) at a time.
    private func forEachEntry(
        of box: BoxHeader, at tableOffset: UInt64, count: UInt64, size: UInt64,
        _ body: ([UInt8], Int) throws(MP4Error) -> Void
    ) throws(MP4Error) {
        let chunkEntries = UInt64(max(1, min(limits.maxParsedBoxSize, 1 << 16) / Int(size)))
        var remaining = count
        var offset = box.payloadOffset + tableOffset
        while remaining > 0 {
            let entries = min(remaining, chunkEntries)
            let length = Int(entries * size)
            let bytes = try read(at: offset, count: length)
            guard bytes.count == length else {
                throw failure(.malformedBox, "A sample table ends before its declared entries.", box)
            }
            for index in stride(from: 0, to: length, by: Int(size)) {
                try body(bytes, index)
            }
            remaining -= entries
            offset += UInt64(length)
        }
    }
}
