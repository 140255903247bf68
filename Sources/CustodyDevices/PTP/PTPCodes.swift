/// The type of a PTP container over USB (USB Still Image Capture Device Definition §7.1).
public enum PTPContainerType: UInt16, Sendable {
    case command = 1
    case data = 2
    case response = 3
    case event = 4
}

/// A PTP operation code (ISO 15740 §10.4; MTP adds 0x98xx).
public struct PTPOperationCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let getDeviceInfo = Self(rawValue: 0x1001)
    public static let openSession = Self(rawValue: 0x1002)
    public static let closeSession = Self(rawValue: 0x1003)
    public static let getStorageIDs = Self(rawValue: 0x1004)
    public static let getObjectHandles = Self(rawValue: 0x1007)
    public static let getObjectInfo = Self(rawValue: 0x1008)
    public static let getObject = Self(rawValue: 0x1009)
    public static let deleteObject = Self(rawValue: 0x100B)
    public static let getDevicePropValue = Self(rawValue: 0x1015)
    public static let setDevicePropValue = Self(rawValue: 0x1016)
    /// MTP GetObjectPropList (MTP 1.1 Appendix D.2.1).
    public static let getObjectPropList = Self(rawValue: 0x9805)

    public var description: String {
        let names: [UInt16: String] = [
            0x1001: "GetDeviceInfo", 0x1002: "OpenSession", 0x1003: "CloseSession", 0x1004: "GetStorageIDs",
            0x1007: "GetObjectHandles", 0x1008: "GetObjectInfo", 0x1009: "GetObject", 0x100B: "DeleteObject",
            0x1015: "GetDevicePropValue",
            0x1016: "SetDevicePropValue",
            0x9805: "GetObjectPropList",
        ]
        return names[rawValue] ?? "operation 0x" + String(rawValue, radix: 16, uppercase: true)
    }
}

/// A PTP response code (ISO 15740 §11).
public struct PTPResponseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ok = Self(rawValue: 0x2001)
    public static let generalError = Self(rawValue: 0x2002)
    public static let sessionNotOpen = Self(rawValue: 0x2003)
    public static let invalidTransactionID = Self(rawValue: 0x2004)
    public static let operationNotSupported = Self(rawValue: 0x2005)
    public static let invalidObjectHandle = Self(rawValue: 0x2009)
    public static let devicePropNotSupported = Self(rawValue: 0x200A)
    public static let deviceBusy = Self(rawValue: 0x2019)
    public static let invalidDevicePropValue = Self(rawValue: 0x201C)
    public static let objectWriteProtected = Self(rawValue: 0x200D)
    public static let sessionAlreadyOpen = Self(rawValue: 0x201E)

    public var description: String { "response 0x" + String(rawValue, radix: 16, uppercase: true) }
}

/// PTP data type codes used in property values (ISO 15740 §5.3; MTP object property lists).
public enum PTPDataType: UInt16, Sendable {
    case int8 = 0x0001, uint8 = 0x0002, int16 = 0x0003, uint16 = 0x0004, int32 = 0x0005, uint32 = 0x0006
    case int64 = 0x0007, uint64 = 0x0008, int128 = 0x0009, uint128 = 0x000A
    case string = 0xFFFF

    /// The size of a value of this type, or nil for a string.
    var fixedSize: Int? {
        switch self {
        case .int8, .uint8: 1
        case .int16, .uint16: 2
        case .int32, .uint32: 4
        case .int64, .uint64: 8
        case .int128, .uint128: 16
        case .string: nil
        }
    }
}

/// Well-known codes: object formats, device properties, MTP object properties.
public enum PTPCode {
    /// ObjectFormat Association (a folder, ISO 15740 §6.2).
    public static let formatAssociation: UInt16 = 0x3001
    /// Device property DateTime (ISO 15740 §13.5.14).
    public static let propertyDateTime: UInt16 = 0x5011
    /// MTP object property ObjectSize, a UINT64 (MTP 1.1 §5.3.1.4).
    public static let objectPropertySize: UInt16 = 0xDC04
    /// ObjectCompressedSize when the object is 4 GiB or more: the real size is the MTP ObjectSize property.
    public static let sizeBeyondUInt32: UInt32 = 0xFFFF_FFFF
}
