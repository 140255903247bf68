/// The ObjectInfo dataset (ISO 15740 §5.5.2): an object's storage, format, size, parent and name.
///
/// `compressedSize` is a UINT32; an object of 4 GiB or more reports 0xFFFFFFFF and its size is read from the MTP
/// ObjectSize property (``PTPSession/objectSize(_:info:)``).
public struct PTPObjectInfo: Sendable, Equatable {
    public var storageID: UInt32
    public var format: UInt16
    public var protectionStatus: UInt16
    public var compressedSize: UInt32
    public var thumbFormat: UInt16 = 0
    public var thumbCompressedSize: UInt32 = 0
    public var thumbPixWidth: UInt32 = 0
    public var thumbPixHeight: UInt32 = 0
    public var imagePixWidth: UInt32 = 0
    public var imagePixHeight: UInt32 = 0
    public var imageBitDepth: UInt32 = 0
    public var parent: UInt32
    public var associationType: UInt16 = 0
    public var associationDescription: UInt32 = 0
    public var sequenceNumber: UInt32 = 0
    public var fileName: String
    public var captureDate: String
    public var modificationDate: String
    public var keywords: String = ""

    /// Whether the object is a folder (an Association).
    public var isFolder: Bool { format == PTPCode.formatAssociation }

    /// Creates a dataset with the fields a recorder's file needs.
    public init(
        storageID: UInt32, format: UInt16, protectionStatus: UInt16 = 0, compressedSize: UInt32, parent: UInt32,
        fileName: String, captureDate: String = "", modificationDate: String = ""
    ) {
        self.storageID = storageID
        self.format = format
        self.protectionStatus = protectionStatus
        self.compressedSize = compressedSize
        self.parent = parent
        self.fileName = fileName
        self.captureDate = captureDate
        self.modificationDate = modificationDate
    }

    /// Decodes the dataset; every byte must belong to a field.
    public init(decoding bytes: [UInt8], context: String = "ObjectInfo") throws(PTPError) {
        var reader = PTPDataReader(bytes, context: context)
        storageID = try reader.uint32("StorageID")
        format = try reader.uint16("ObjectFormat")
        protectionStatus = try reader.uint16("ProtectionStatus")
        compressedSize = try reader.uint32("ObjectCompressedSize")
        thumbFormat = try reader.uint16("ThumbFormat")
        thumbCompressedSize = try reader.uint32("ThumbCompressedSize")
        thumbPixWidth = try reader.uint32("ThumbPixWidth")
        thumbPixHeight = try reader.uint32("ThumbPixHeight")
        imagePixWidth = try reader.uint32("ImagePixWidth")
        imagePixHeight = try reader.uint32("ImagePixHeight")
        imageBitDepth = try reader.uint32("ImageBitDepth")
        parent = try reader.uint32("ParentObject")
        associationType = try reader.uint16("AssociationType")
        associationDescription = try reader.uint32("AssociationDesc")
        sequenceNumber = try reader.uint32("SequenceNumber")
        fileName = try reader.string("Filename")
        captureDate = try reader.string("CaptureDate")
        modificationDate = try reader.string("ModificationDate")
        keywords = try reader.string("Keywords")
        try reader.expectEnd()
    }

    /// The dataset's bytes.
    public func encoded() throws(PTPError) -> [UInt8] {
        var writer = PTPDataWriter()
        writer.uint32(storageID)
        writer.uint16(format)
        writer.uint16(protectionStatus)
        writer.uint32(compressedSize)
        writer.uint16(thumbFormat)
        writer.uint32(thumbCompressedSize)
        writer.uint32(thumbPixWidth)
        writer.uint32(thumbPixHeight)
        writer.uint32(imagePixWidth)
        writer.uint32(imagePixHeight)
        writer.uint32(imageBitDepth)
        writer.uint32(parent)
        writer.uint16(associationType)
        writer.uint32(associationDescription)
        writer.uint32(sequenceNumber)
        try writer.string(fileName)
        try writer.string(captureDate)
        try writer.string(modificationDate)
        try writer.string(keywords)
        return writer.bytes
    }
}
