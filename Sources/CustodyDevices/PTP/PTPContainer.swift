/// The 12-byte header of every PTP container over USB: length (of the whole container, header included), type,
/// code and transaction ID, little-endian (USB Still Image Capture Device Definition §7.1.1).
public struct PTPContainerHeader: Sendable, Equatable {
    /// The size of the header.
    public static let size = 12
    /// The length a data container declares when its payload does not fit a UINT32: the data phase then runs to
    /// the size the object's properties state (MTP over USB, objects of 4 GiB and more).
    public static let unknownLength: UInt32 = 0xFFFF_FFFF

    public var length: UInt32
    public var type: PTPContainerType
    public var code: UInt16
    public var transactionID: UInt32

    /// Creates a header.
    public init(length: UInt32, type: PTPContainerType, code: UInt16, transactionID: UInt32) {
        self.length = length
        self.type = type
        self.code = code
        self.transactionID = transactionID
    }

    /// Decodes the first 12 bytes of `bytes`; a length below 12 or an unknown type is an error.
    public init(decoding bytes: some Collection<UInt8>) throws(PTPError) {
        var reader = PTPDataReader(Array(bytes.prefix(Self.size)), context: "container header")
        guard reader.remaining == Self.size else {
            throw PTPError(.containerLength, "a container header needs 12 bytes, got \(reader.remaining)")
        }
        let length = try reader.uint32()
        let rawType = try reader.uint16()
        let code = try reader.uint16()
        let transactionID = try reader.uint32()
        guard length >= UInt32(Self.size) else {
            throw PTPError(.containerLength, "a container declares length \(length), less than its 12-byte header")
        }
        guard let type = PTPContainerType(rawValue: rawType) else {
            throw PTPError(.unexpectedContainer, "unknown container type \(rawType)")
        }
        self.init(length: length, type: type, code: code, transactionID: transactionID)
    }

    /// The header's 12 bytes.
    public var encoded: [UInt8] {
        var writer = PTPDataWriter()
        writer.uint32(length)
        writer.uint16(type.rawValue)
        writer.uint16(code)
        writer.uint32(transactionID)
        return writer.bytes
    }
}

/// A command, response or event container: a header and up to five (events: three) UINT32 parameters
/// (USB Still Image Capture Device Definition §7.1.1–7.1.3, §7.2 for events on the interrupt pipe).
public struct PTPParameterContainer: Sendable, Equatable {
    public var type: PTPContainerType
    public var code: UInt16
    public var transactionID: UInt32
    public var parameters: [UInt32]

    /// The most parameters a container of `type` carries.
    public static func maximumParameters(_ type: PTPContainerType) -> Int { type == .event ? 3 : 5 }

    /// Creates a container; `parameters` must not exceed ``maximumParameters(_:)``, and `type` must not be data.
    public init(type: PTPContainerType, code: UInt16, transactionID: UInt32, parameters: [UInt32] = [])
        throws(PTPError)
    {
        guard type != .data else {
            throw PTPError(.unexpectedContainer, "a data container carries a payload, not parameters")
        }
        guard parameters.count <= Self.maximumParameters(type) else {
            throw PTPError(
                .containerLength, "a \(type) container carries at most \(Self.maximumParameters(type)) parameters")
        }
        self.type = type
        self.code = code
        self.transactionID = transactionID
        self.parameters = parameters
    }

    /// Decodes a whole container: its length field must equal `bytes.count`, be 12 + 4 × n, and n must not
    /// exceed the type's parameter count.
    public init(decoding bytes: [UInt8]) throws(PTPError) {
        let header = try PTPContainerHeader(decoding: bytes)
        guard header.type != .data else {
            throw PTPError(.unexpectedContainer, "expected a command, response or event container, got data")
        }
        guard Int(header.length) == bytes.count else {
            throw PTPError(
                .containerLength,
                "a \(header.type) container declares \(header.length) bytes but \(bytes.count) arrived")
        }
        let payload = bytes.count - PTPContainerHeader.size
        guard payload % 4 == 0, payload / 4 <= Self.maximumParameters(header.type) else {
            throw PTPError(
                .containerLength,
                "a \(header.type) container of \(header.length) bytes is not a header and at most "
                    + "\(Self.maximumParameters(header.type)) UINT32 parameters")
        }
        var reader = PTPDataReader(bytes, context: "\(header.type) container")
        try reader.skip(PTPContainerHeader.size, "header")
        var parameters = [UInt32]()
        while reader.remaining > 0 { parameters.append(try reader.uint32("parameter")) }
        try self.init(type: header.type, code: header.code, transactionID: header.transactionID, parameters: parameters)
    }

    /// The container's bytes.
    public var encoded: [UInt8] {
        var writer = PTPDataWriter()
        writer.append(
            PTPContainerHeader(
                length: UInt32(PTPContainerHeader.size + 4 * parameters.count), type: type, code: code,
                transactionID: transactionID
            ).encoded)
        for parameter in parameters { writer.uint32(parameter) }
        return writer.bytes
    }
}

extension PTPContainerHeader {
    /// The header of a data container of `payloadLength` bytes; payloads whose container length does not fit a
    /// UINT32 get ``unknownLength``.
    public static func data(code: UInt16, transactionID: UInt32, payloadLength: UInt64) -> Self {
        let total = payloadLength + UInt64(size)
        return Self(
            length: total >= UInt64(unknownLength) ? unknownLength : UInt32(total), type: .data, code: code,
            transactionID: transactionID)
    }
}
