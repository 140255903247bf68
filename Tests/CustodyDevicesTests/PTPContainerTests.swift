import Testing

@testable import CustodyDevices

/// The PTP container codec against byte layouts written out from ISO 15740 and the USB Still Image Capture Device
/// Definition §7: little-endian, 12-byte header (length, type, code, transaction ID), UINT32 parameters, PTP
/// strings and arrays. Every wrong length is a typed error.
@Suite struct PTPContainerTests {
    @Test func openSessionCommandIsByteExact() throws {
        let command = try PTPParameterContainer(type: .command, code: 0x1002, transactionID: 0, parameters: [1])
        #expect(
            command.encoded == [
                0x10, 0x00, 0x00, 0x00,  // length 16
                0x01, 0x00,  // type: command
                0x02, 0x10,  // OpenSession
                0x00, 0x00, 0x00, 0x00,  // transaction 0
                0x01, 0x00, 0x00, 0x00,  // SessionID 1
            ])
    }

    @Test func getObjectHandlesCommandWithThreeParametersIsByteExact() throws {
        let command = try PTPParameterContainer(
            type: .command, code: 0x1007, transactionID: 0x0102_0304, parameters: [0xFFFF_FFFF, 0, 0x8000_0001])
        #expect(
            command.encoded == [
                0x18, 0x00, 0x00, 0x00, 0x01, 0x00, 0x07, 0x10, 0x04, 0x03, 0x02, 0x01,
                0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x80,
            ])
    }

    @Test func responseOKDecodesFromBytes() throws {
        let bytes: [UInt8] = [0x0C, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x20, 0x05, 0x00, 0x00, 0x00]
        let response = try PTPParameterContainer(decoding: bytes)
        #expect(response.type == .response)
        #expect(response.code == PTPResponseCode.ok.rawValue)
        #expect(response.transactionID == 5)
        #expect(response.parameters.isEmpty)
        #expect(response.encoded == bytes)
    }

    @Test func eventObjectAddedDecodesFromBytes() throws {
        let bytes: [UInt8] = [
            0x10, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x78, 0x56, 0x34, 0x12,
        ]
        let event = try PTPParameterContainer(decoding: bytes)
        #expect(event.type == .event)
        #expect(event.code == 0x4002)
        #expect(event.transactionID == 0xFFFF_FFFF)
        #expect(event.parameters == [0x1234_5678])
    }

    @Test func dataContainerHeaderIsByteExactAndHugePayloadsDeclareUnknownLength() throws {
        let header = PTPContainerHeader.data(code: 0x1008, transactionID: 3, payloadLength: 100)
        #expect(header.encoded == [0x70, 0x00, 0x00, 0x00, 0x02, 0x00, 0x08, 0x10, 0x03, 0x00, 0x00, 0x00])
        #expect(try PTPContainerHeader(decoding: header.encoded) == header)
        let largest = PTPContainerHeader.data(code: 0x1009, transactionID: 1, payloadLength: 0xFFFF_FFFF - 13)
        #expect(largest.length == 0xFFFF_FFFE)
        let huge = PTPContainerHeader.data(code: 0x1009, transactionID: 1, payloadLength: (1 << 32) + 1000)
        #expect(huge.length == PTPContainerHeader.unknownLength)
        let boundary = PTPContainerHeader.data(code: 0x1009, transactionID: 1, payloadLength: 0xFFFF_FFFF - 12)
        #expect(boundary.length == PTPContainerHeader.unknownLength)
    }

    @Test(
        arguments: [
            // length 11: shorter than the header
            [0x0B, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x00],
            // declares 16 bytes, 12 arrive
            [0x10, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x00],
            // declares 12 bytes, 16 arrive
            [0x0C, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00],
            // 14 bytes: not whole parameters
            [0x0E, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00],
            // a response with six parameters
            [0x24, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x00] + [UInt8](repeating: 0, count: 24),
            // an event with four parameters
            [0x1C, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, 0x00] + [UInt8](repeating: 0, count: 16),
            // fewer than 12 bytes at all
            [0x0C, 0x00, 0x00],
        ] as [[UInt8]])
    func wrongContainerLengthsAreRefused(bytes: [UInt8]) {
        #expect(throws: PTPError.self) { try PTPParameterContainer(decoding: bytes) }
        do {
            _ = try PTPParameterContainer(decoding: bytes)
        } catch {
            #expect(error.code == .containerLength, "\(error)")
        }
    }

    @Test func unknownContainerTypeIsRefused() {
        let bytes: [UInt8] = [0x0C, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x00]
        #expect(
            performing: { try PTPParameterContainer(decoding: bytes) },
            throws: { ($0 as? PTPError)?.code == .unexpectedContainer })
    }

    @Test func tooManyParametersCannotBeEncoded() {
        #expect(
            performing: {
                try PTPParameterContainer(
                    type: .command, code: 0x1001, transactionID: 1, parameters: [1, 2, 3, 4, 5, 6])
            }, throws: { ($0 as? PTPError)?.code == .containerLength })
    }

    // MARK: - Strings and arrays (ISO 15740 §5.4, §5.5.3)

    @Test func stringsAreUCS2WithACountByteIncludingTheNUL() throws {
        var writer = PTPDataWriter()
        try writer.string("")
        try writer.string("A")
        try writer.string("Ω1")
        #expect(writer.bytes == [0x00, 0x02, 0x41, 0x00, 0x00, 0x00, 0x03, 0xA9, 0x03, 0x31, 0x00, 0x00, 0x00])
        var reader = PTPDataReader(writer.bytes)
        #expect(try reader.string() == "")
        #expect(try reader.string() == "A")
        #expect(try reader.string() == "Ω1")
        try reader.expectEnd()
    }

    @Test func stringsLongerThan254CodeUnitsCannotBeEncoded() throws {
        var writer = PTPDataWriter()
        try writer.string(String(repeating: "x", count: 254))
        #expect(writer.bytes.count == 1 + 255 * 2)
        #expect(writer.bytes.first == 255)
        #expect(
            performing: { try writer.string(String(repeating: "x", count: 255)) },
            throws: { ($0 as? PTPError)?.code == .malformedDataset })
    }

    @Test(
        arguments: [
            [0x05, 0x41, 0x00, 0x00],  // declares 5 code units, 1.5 present
            [0x02, 0x41, 0x00, 0x42, 0x00],  // no terminating NUL
            [0x03, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00],  // NUL before the end
            [0x02, 0x00, 0xD8, 0x00, 0x00],  // a lone surrogate
            [],  // no count byte
        ] as [[UInt8]])
    func malformedStringsAreRefused(bytes: [UInt8]) {
        var reader = PTPDataReader(bytes)
        #expect(performing: { try reader.string() }, throws: { ($0 as? PTPError)?.code == .malformedDataset })
    }

    @Test func arraysAreACountThenElements() throws {
        var writer = PTPDataWriter()
        writer.array([UInt16(0x1001), 0x1002])
        writer.array([UInt32(0x0001_0001)])
        #expect(
            writer.bytes == [
                0x02, 0x00, 0x00, 0x00, 0x01, 0x10, 0x02, 0x10, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
            ])
        var reader = PTPDataReader(writer.bytes)
        #expect(try reader.array(UInt16.self) == [0x1001, 0x1002])
        #expect(try reader.array(UInt32.self) == [0x0001_0001])
    }

    @Test func anArrayDeclaringMoreElementsThanBytesIsRefusedBeforeAllocating() {
        // 0xFFFFFFFF elements of 4 bytes would be 16 GiB: refused from the count, with 8 bytes present.
        var reader = PTPDataReader([0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 2, 0, 0, 0])
        #expect(performing: { try reader.array(UInt32.self) }, throws: { ($0 as? PTPError)?.code == .malformedDataset })
        var short = PTPDataReader([0x03, 0x00, 0x00, 0x00, 1, 0, 0, 0, 2, 0, 0, 0])
        #expect(performing: { try short.array(UInt32.self) }, throws: { ($0 as? PTPError)?.code == .malformedDataset })
    }

    // MARK: - Datasets

    static let deviceInfoBytes: [UInt8] =
        [
            0x64, 0x00,  // StandardVersion 100
            0x06, 0x00, 0x00, 0x00,  // VendorExtensionID 6 (Microsoft/MTP)
            0x64, 0x00,  // VendorExtensionVersion 100
            0x02, 0x6D, 0x00, 0x00, 0x00,  // VendorExtensionDesc "m"
            0x00, 0x00,  // FunctionalMode
            0x02, 0x00, 0x00, 0x00, 0x01, 0x10, 0x09, 0x10,  // OperationsSupported [0x1001, 0x1009]
            0x00, 0x00, 0x00, 0x00,  // EventsSupported []
            0x01, 0x00, 0x00, 0x00, 0x11, 0x50,  // DevicePropertiesSupported [0x5011]
            0x00, 0x00, 0x00, 0x00,  // CaptureFormats []
            0x01, 0x00, 0x00, 0x00, 0x0B, 0x30,  // ImageFormats [0x300B]
            0x02, 0x41, 0x00, 0x00, 0x00,  // Manufacturer "A"
            0x02, 0x42, 0x00, 0x00, 0x00,  // Model "B"
            0x00,  // DeviceVersion ""
            0x03, 0x53, 0x00, 0x31, 0x00, 0x00, 0x00,  // SerialNumber "S1"
        ]

    @Test func deviceInfoRoundTripsByteExactly() throws {
        let info = try PTPDeviceInfo(decoding: Self.deviceInfoBytes)
        #expect(info.standardVersion == 100)
        #expect(info.vendorExtensionID == 6)
        #expect(info.vendorExtensionDescription == "m")
        #expect(info.operationsSupported == [0x1001, 0x1009])
        #expect(info.devicePropertiesSupported == [0x5011])
        #expect(info.imageFormats == [0x300B])
        #expect(info.manufacturer == "A")
        #expect(info.model == "B")
        #expect(info.deviceVersion == "")
        #expect(info.serialNumber == "S1")
        #expect(try info.encoded() == Self.deviceInfoBytes)
    }

    @Test func deviceInfoCutShortOrWithTrailingBytesIsRefused() {
        #expect(
            performing: { try PTPDeviceInfo(decoding: Array(Self.deviceInfoBytes.dropLast())) },
            throws: { ($0 as? PTPError)?.code == .malformedDataset })
        #expect(
            performing: { try PTPDeviceInfo(decoding: Self.deviceInfoBytes + [0]) },
            throws: { ($0 as? PTPError)?.code == .malformedDataset })
    }

    @Test func objectInfoRoundTripsByteExactly() throws {
        let bytes: [UInt8] =
            [
                0x01, 0x00, 0x01, 0x00,  // StorageID 0x00010001
                0x0B, 0x30,  // ObjectFormat 0x300B
                0x00, 0x00,  // ProtectionStatus
                0xFF, 0xFF, 0xFF, 0xFF,  // ObjectCompressedSize: 4 GiB or more
            ] + [UInt8](repeating: 0, count: 2 + 4 * 6)  // Thumb*, ImagePix*, ImageBitDepth
            + [
                0x07, 0x00, 0x00, 0x00,  // ParentObject 7
                0x00, 0x00,  // AssociationType
                0x00, 0x00, 0x00, 0x00,  // AssociationDesc
                0x00, 0x00, 0x00, 0x00,  // SequenceNumber
                0x03, 0x41, 0x00, 0x42, 0x00, 0x00, 0x00,  // Filename "AB"
                0x00,  // CaptureDate ""
                0x10,
            ] + Array("20261129T081530".utf16).flatMap { [UInt8($0), 0] } + [0, 0]  // ModificationDate
            + [0x00]  // Keywords
        let info = try PTPObjectInfo(decoding: bytes)
        #expect(info.storageID == 0x0001_0001)
        #expect(info.format == 0x300B)
        #expect(info.compressedSize == PTPCode.sizeBeyondUInt32)
        #expect(info.parent == 7)
        #expect(info.fileName == "AB")
        #expect(info.modificationDate == "20261129T081530")
        #expect(!info.isFolder)
        #expect(try info.encoded() == bytes)
    }

    @Test func objectPropertyListOfObjectSizeRoundTripsByteExactly() throws {
        let bytes: [UInt8] = [
            0x01, 0x00, 0x00, 0x00,  // NumberOfElements 1
            0x2A, 0x00, 0x00, 0x00,  // ObjectHandle 42
            0x04, 0xDC,  // ObjectSize
            0x08, 0x00,  // UINT64
            0xE8, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // 4 GiB + 1000
        ]
        let list = try PTPObjectPropertyList(decoding: bytes)
        #expect(list.elements == [.init(handle: 42, property: 0xDC04, value: .unsigned((1 << 32) + 1000, .uint64))])
        #expect(try list.encoded() == bytes)
        var lying = bytes
        lying[0] = 0xFF  // 255 elements declared
        #expect(
            performing: { try PTPObjectPropertyList(decoding: lying) },
            throws: { ($0 as? PTPError)?.code == .malformedDataset })
    }
}
