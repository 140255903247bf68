/// The DeviceInfo dataset (ISO 15740 §5.5.1): who the device is and what it supports.
public struct PTPDeviceInfo: Sendable, Equatable {
    public var standardVersion: UInt16
    public var vendorExtensionID: UInt32
    public var vendorExtensionVersion: UInt16
    public var vendorExtensionDescription: String
    public var functionalMode: UInt16
    public var operationsSupported: [UInt16]
    public var eventsSupported: [UInt16]
    public var devicePropertiesSupported: [UInt16]
    public var captureFormats: [UInt16]
    public var imageFormats: [UInt16]
    public var manufacturer: String
    public var model: String
    public var deviceVersion: String
    public var serialNumber: String

    /// Creates a dataset.
    public init(
        standardVersion: UInt16 = 100, vendorExtensionID: UInt32 = 0, vendorExtensionVersion: UInt16 = 0,
        vendorExtensionDescription: String = "", functionalMode: UInt16 = 0, operationsSupported: [UInt16] = [],
        eventsSupported: [UInt16] = [], devicePropertiesSupported: [UInt16] = [], captureFormats: [UInt16] = [],
        imageFormats: [UInt16] = [], manufacturer: String = "", model: String = "", deviceVersion: String = "",
        serialNumber: String = ""
    ) {
        self.standardVersion = standardVersion
        self.vendorExtensionID = vendorExtensionID
        self.vendorExtensionVersion = vendorExtensionVersion
        self.vendorExtensionDescription = vendorExtensionDescription
        self.functionalMode = functionalMode
        self.operationsSupported = operationsSupported
        self.eventsSupported = eventsSupported
        self.devicePropertiesSupported = devicePropertiesSupported
        self.captureFormats = captureFormats
        self.imageFormats = imageFormats
        self.manufacturer = manufacturer
        self.model = model
        self.deviceVersion = deviceVersion
        self.serialNumber = serialNumber
    }

    /// Decodes the dataset; every byte must belong to a field.
    public init(decoding bytes: [UInt8]) throws(PTPError) {
        var reader = PTPDataReader(bytes, context: "DeviceInfo")
        standardVersion = try reader.uint16("StandardVersion")
        vendorExtensionID = try reader.uint32("VendorExtensionID")
        vendorExtensionVersion = try reader.uint16("VendorExtensionVersion")
        vendorExtensionDescription = try reader.string("VendorExtensionDesc")
        functionalMode = try reader.uint16("FunctionalMode")
        operationsSupported = try reader.array(UInt16.self, "OperationsSupported")
        eventsSupported = try reader.array(UInt16.self, "EventsSupported")
        devicePropertiesSupported = try reader.array(UInt16.self, "DevicePropertiesSupported")
        captureFormats = try reader.array(UInt16.self, "CaptureFormats")
        imageFormats = try reader.array(UInt16.self, "ImageFormats")
        manufacturer = try reader.string("Manufacturer")
        model = try reader.string("Model")
        deviceVersion = try reader.string("DeviceVersion")
        serialNumber = try reader.string("SerialNumber")
        try reader.expectEnd()
    }

    /// The dataset's bytes.
    public func encoded() throws(PTPError) -> [UInt8] {
        var writer = PTPDataWriter()
        writer.uint16(standardVersion)
        writer.uint32(vendorExtensionID)
        writer.uint16(vendorExtensionVersion)
        try writer.string(vendorExtensionDescription)
        writer.uint16(functionalMode)
        writer.array(operationsSupported)
        writer.array(eventsSupported)
        writer.array(devicePropertiesSupported)
        writer.array(captureFormats)
        writer.array(imageFormats)
        try writer.string(manufacturer)
        try writer.string(model)
        try writer.string(deviceVersion)
        try writer.string(serialNumber)
        return writer.bytes
    }
}
