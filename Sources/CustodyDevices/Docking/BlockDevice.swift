/// A block device as udev describes it, copied out of libudev: what identifies a docked recorder.
public struct BlockDevice: Sendable, Equatable, Hashable {
    /// The /sys path; it names the device from add to remove.
    public var syspath: String
    /// The device node, e.g. `/dev/sdb1`.
    public var devnode: String?
    /// `disk` or `partition`.
    public var devtype: String?
    /// `ID_FS_TYPE`: `ext4`, `exfat`, `vfat`…; nil when the device holds no file system udev recognised.
    public var fileSystem: String?
    /// `ID_FS_LABEL`.
    public var label: String?
    /// `ID_BUS`: `usb` for a recorder.
    public var bus: String?
    /// `ID_VENDOR_ID` and `ID_MODEL_ID`: the USB vendor and product IDs, lowercase hex.
    public var vendorID: String?
    public var productID: String?
    /// `ID_SERIAL_SHORT`: the USB serial number, which recorders set to their device serial.
    public var serial: String?
    /// `ID_PATH`: the port path, stable per physical bay.
    public var portPath: String?
    /// Whether Custody's udev rules tagged it.
    public var tagged: Bool
    /// Whether it carries a partition table (`ID_PART_TABLE_TYPE`): a whole disk whose partitions are docked.
    public var hasPartitionTable = false

    /// Creates a description (tests build these by hand).
    public init(
        syspath: String, devnode: String? = nil, devtype: String? = nil, fileSystem: String? = nil,
        label: String? = nil, bus: String? = nil, vendorID: String? = nil, productID: String? = nil,
        serial: String? = nil, portPath: String? = nil, tagged: Bool = true
    ) {
        self.syspath = syspath
        self.devnode = devnode
        self.devtype = devtype
        self.fileSystem = fileSystem
        self.label = label
        self.bus = bus
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.portPath = portPath
        self.tagged = tagged
    }

    /// Copies what Custody needs out of a libudev device.
    init(_ device: UdevDevice, tag: String) {
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        self.init(
            syspath: device.syspath, devnode: device.devnode, devtype: device.devtype,
            fileSystem: nonEmpty(device.property("ID_FS_TYPE")), label: nonEmpty(device.property("ID_FS_LABEL")),
            bus: nonEmpty(device.property("ID_BUS")),
            vendorID: nonEmpty(device.property("ID_VENDOR_ID") ?? device.usbDeviceAttribute("idVendor"))?.lowercased(),
            productID: nonEmpty(device.property("ID_MODEL_ID") ?? device.usbDeviceAttribute("idProduct"))?.lowercased(),
            serial: nonEmpty(device.property("ID_SERIAL_SHORT") ?? device.usbDeviceAttribute("serial")),
            portPath: nonEmpty(device.property("ID_PATH")), tagged: device.hasTag(tag))
        hasPartitionTable = nonEmpty(device.property("ID_PART_TABLE_TYPE")) != nil
    }
}

/// What the dock watcher reports.
public enum DockEvent: Sendable, Equatable {
    /// A tagged block device is present: found at start, added, or changed (a loop device or card reader
    /// reports new media with "change").
    case present(BlockDevice)
    /// A device is gone (removed, or changed to hold no media), by /sys path.
    case removed(syspath: String)
    /// Enumeration at start is complete: every device present then has been reported.
    case enumerated
}
