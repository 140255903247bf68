/// Reads little-endian PTP values from a byte buffer, strictly: reading past the end is a
/// ``PTPError/Code/malformedDataset`` error, and an array's declared count must fit the bytes that remain
/// before anything is allocated for it (ISO 15740 §5.4, §5.5).
public struct PTPDataReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The position of the next byte.
    public private(set) var offset: Int

    /// What is being read, for messages ("ObjectInfo of object 7").
    let context: String

    /// A reader at the start of `bytes`.
    public init(_ bytes: [UInt8], context: String = "dataset") {
        self.bytes = bytes
        self.offset = 0
        self.context = context
    }

    /// The bytes not yet read.
    public var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ what: String) throws(PTPError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw PTPError(
                .malformedDataset,
                "\(context) is cut short: \(what) needs \(count) bytes at offset \(offset), \(remaining) remain")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: String) throws(PTPError) -> T {
        let slice = try take(MemoryLayout<T>.size, what)
        var value: T = 0
        for (shift, byte) in slice.enumerated() { value |= T(truncatingIfNeeded: byte) << (shift * 8) }
        return value
    }

    public mutating func uint8(_ what: String = "UINT8") throws(PTPError) -> UInt8 { try integer(UInt8.self, what) }
    public mutating func uint16(_ what: String = "UINT16") throws(PTPError) -> UInt16 { try integer(UInt16.self, what) }
    public mutating func uint32(_ what: String = "UINT32") throws(PTPError) -> UInt32 { try integer(UInt32.self, what) }
    public mutating func uint64(_ what: String = "UINT64") throws(PTPError) -> UInt64 { try integer(UInt64.self, what) }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int, _ what: String) throws(PTPError) { _ = try take(count, what) }

    /// A PTP string: a UINT8 count of UCS-2 code units including the terminating NUL, then the code units
    /// little-endian (ISO 15740 §5.5.3). A count of 0 is the empty string.
    public mutating func string(_ what: String = "string") throws(PTPError) -> String {
        let count = Int(try uint8(what + " length"))
        guard count > 0 else { return "" }
        let raw = try take(count * 2, what)
        var units = [UInt16]()
        units.reserveCapacity(count)
        var index = raw.startIndex
        while index < raw.endIndex {
            units.append(UInt16(raw[index]) | UInt16(raw[index + 1]) << 8)
            index += 2
        }
        guard units.last == 0 else {
            throw PTPError(.malformedDataset, "\(context): \(what) does not end with a NUL code unit")
        }
        units.removeLast()
        guard !units.contains(0) else {
            throw PTPError(.malformedDataset, "\(context): \(what) holds a NUL before its end")
        }
        // UCS-2: a lone surrogate is refused rather than replaced, so two different names never read the same.
        guard let text = String(validating: units, as: UTF16.self) else {
            throw PTPError(.malformedDataset, "\(context): \(what) is not valid UCS-2/UTF-16")
        }
        return text
    }

    /// A PTP array: a UINT32 element count, then the elements (ISO 15740 §5.4). The count is checked against the
    /// bytes that remain before the array is allocated.
    public mutating func array<T: FixedWidthInteger>(_: T.Type, _ what: String = "array") throws(PTPError) -> [T] {
        let count = UInt64(try uint32(what + " count"))
        let size = UInt64(MemoryLayout<T>.size)
        guard count * size <= UInt64(remaining) else {
            throw PTPError(
                .malformedDataset,
                "\(context): \(what) declares \(count) elements of \(size) bytes, but only \(remaining) bytes remain")
        }
        var elements = [T]()
        elements.reserveCapacity(Int(count))
        for _ in 0..<count { elements.append(try integer(T.self, what)) }
        return elements
    }

    /// Requires that every byte was read.
    public func expectEnd() throws(PTPError) {
        guard remaining == 0 else {
            throw PTPError(.malformedDataset, "\(context) has \(remaining) unexpected bytes after its last field")
        }
    }
}
