/// Reads big-endian fields from the bytes of one box's payload, failing with a typed error when they run out.
struct PayloadCursor {
    private let bytes: [UInt8]
    private let box: BoxHeader
    private var index = 0

    init(_ bytes: [UInt8], of box: BoxHeader) {
        self.bytes = bytes
        self.box = box
    }

    mutating func uint8() throws(MP4Error) -> UInt8 {
        try require(1)
        defer { index += 1 }
        return bytes[index]
    }

    mutating func uint32() throws(MP4Error) -> UInt32 {
        try require(4)
        defer { index += 4 }
        return bytes.bigEndianUInt32(at: index)
    }

    mutating func uint64() throws(MP4Error) -> UInt64 {
        try require(8)
        defer { index += 8 }
        return UInt64(bytes.bigEndianUInt32(at: index)) << 32 | UInt64(bytes.bigEndianUInt32(at: index + 4))
    }

    mutating func skip(_ count: Int) throws(MP4Error) {
        try require(count)
        index += count
    }

    private func require(_ count: Int) throws(MP4Error) {
        guard bytes.count - index >= count else {
            throw MP4Error(
                .malformedBox, "A box is too short for the fields its version and flags declare. \(MP4Error.nextStep)",
                offset: box.offset, boxType: box.type.description)
        }
    }
}

extension [UInt8] {
    /// The big-endian 32-bit value at `index`; the caller has checked that four bytes are there.
    func bigEndianUInt32(at index: Int) -> UInt32 {
        UInt32(self[index]) << 24 | UInt32(self[index + 1]) << 16 | UInt32(self[index + 2]) << 8
            | UInt32(self[index + 3])
    }
}
