/// An MTP ObjectPropList dataset (MTP 1.1 Appendix D.2.1, E.2.1.1): a UINT32 count, then per element the object
/// handle, the property code, the data type and the value.
public struct PTPObjectPropertyList: Sendable, Equatable {
    /// One property value of one object.
    public struct Element: Sendable, Equatable {
        public var handle: UInt32
        public var property: UInt16
        public var value: Value
        public init(handle: UInt32, property: UInt16, value: Value) {
            self.handle = handle
            self.property = property
            self.value = value
        }
    }

    /// A property value: an integer of up to 64 bits, or a string. 128-bit integers are read and kept as bytes.
    public enum Value: Sendable, Equatable {
        case unsigned(UInt64, PTPDataType)
        case signed(Int64, PTPDataType)
        case wide([UInt8], PTPDataType)
        case string(String)
    }

    public var elements: [Element]

    /// Creates a list.
    public init(elements: [Element]) { self.elements = elements }

    /// Decodes the dataset. The element count is checked against the bytes present (an element is at least
    /// 9 bytes) before anything is allocated; array types are refused.
    public init(decoding bytes: [UInt8]) throws(PTPError) {
        var reader = PTPDataReader(bytes, context: "ObjectPropList")
        let count = UInt64(try reader.uint32("NumberOfElements"))
        guard count * 9 <= UInt64(reader.remaining) else {
            throw PTPError(
                .malformedDataset, "ObjectPropList declares \(count) elements but holds \(reader.remaining) bytes")
        }
        var elements = [Element]()
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            let handle = try reader.uint32("ObjectHandle")
            let property = try reader.uint16("PropertyCode")
            let rawType = try reader.uint16("Datatype")
            guard let type = PTPDataType(rawValue: rawType) else {
                throw PTPError(
                    .malformedDataset,
                    "ObjectPropList: property 0x\(String(property, radix: 16)) has unsupported data type 0x"
                        + String(rawType, radix: 16))
            }
            let value: Value
            switch type {
            case .uint8: value = .unsigned(UInt64(try reader.uint8()), type)
            case .uint16: value = .unsigned(UInt64(try reader.uint16()), type)
            case .uint32: value = .unsigned(UInt64(try reader.uint32()), type)
            case .uint64: value = .unsigned(try reader.uint64(), type)
            case .int8: value = .signed(Int64(Int8(bitPattern: try reader.uint8())), type)
            case .int16: value = .signed(Int64(Int16(bitPattern: try reader.uint16())), type)
            case .int32: value = .signed(Int64(Int32(bitPattern: try reader.uint32())), type)
            case .int64: value = .signed(Int64(bitPattern: try reader.uint64()), type)
            case .int128, .uint128:
                var wide = [UInt8]()
                for _ in 0..<16 { wide.append(try reader.uint8()) }
                value = .wide(wide, type)
            case .string: value = .string(try reader.string("property value"))
            }
            elements.append(Element(handle: handle, property: property, value: value))
        }
        try reader.expectEnd()
        self.elements = elements
    }

    /// The dataset's bytes.
    public func encoded() throws(PTPError) -> [UInt8] {
        var writer = PTPDataWriter()
        writer.uint32(UInt32(elements.count))
        for element in elements {
            writer.uint32(element.handle)
            writer.uint16(element.property)
            switch element.value {
            case .unsigned(let value, let type):
                writer.uint16(type.rawValue)
                for shift in 0..<(type.fixedSize ?? 0) { writer.uint8(UInt8(truncatingIfNeeded: value >> (shift * 8))) }
            case .signed(let value, let type):
                writer.uint16(type.rawValue)
                for shift in 0..<(type.fixedSize ?? 0) { writer.uint8(UInt8(truncatingIfNeeded: value >> (shift * 8))) }
            case .wide(let bytes, let type):
                writer.uint16(type.rawValue)
                writer.append(Array((bytes + [UInt8](repeating: 0, count: 16)).prefix(16)))
            case .string(let text):
                writer.uint16(PTPDataType.string.rawValue)
                try writer.string(text)
            }
        }
        return writer.bytes
    }
}
