/// Writes little-endian PTP values (ISO 15740 §5): integers, strings, arrays. Used for command containers and by
/// the simulated responder.
public struct PTPDataWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    public mutating func integer<T: FixedWidthInteger>(_ value: T) {
        for shift in 0..<MemoryLayout<T>.size { bytes.append(UInt8(truncatingIfNeeded: value >> (shift * 8))) }
    }

    public mutating func uint8(_ value: UInt8) { bytes.append(value) }
    public mutating func uint16(_ value: UInt16) { integer(value) }
    public mutating func uint32(_ value: UInt32) { integer(value) }
    public mutating func uint64(_ value: UInt64) { integer(value) }

    /// Writes a PTP string (ISO 15740 §5.5.3); the empty string is a single 0 byte. Strings of more than 254 UTF-16
    /// code units cannot be encoded and are refused.
    public mutating func string(_ text: String) throws(PTPError) {
        let units = Array(text.utf16)
        guard !units.isEmpty else {
            bytes.append(0)
            return
        }
        guard units.count <= 254, !units.contains(0) else {
            throw PTPError(.malformedDataset, "a PTP string holds at most 254 code units and no NUL")
        }
        bytes.append(UInt8(units.count + 1))
        for unit in units + [0] { uint16(unit) }
    }

    /// Writes a PTP array: a UINT32 count, then the elements (ISO 15740 §5.4).
    public mutating func array<T: FixedWidthInteger>(_ elements: [T]) {
        uint32(UInt32(elements.count))
        for element in elements { integer(element) }
    }

    /// Appends raw bytes.
    public mutating func append(_ raw: [UInt8]) { bytes += raw }
}
