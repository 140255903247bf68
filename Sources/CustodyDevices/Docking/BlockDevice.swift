/// A device as udev describes it, copied out of libudev: what identifies a docked recorder. Usually a block device
/// (a mass-storage recorder); for a PTP/MTP recorder, its USB device (`devtype` `usb_device`, with ``busNumber``
/// and ``deviceAddress``).
public struct BlockDevice: Sendable, Equatable, Hashable {
    /// The /sys path; it names the device from add to remove.
    public var syspath: String
    /// The device node, e.g. `/dev/sdb1`.
    public var devnode: String?
    /// `disk` or `partition`; `usb_device` for the USB device of a PTP/MTP recorder.
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
    /// `BUSNUM` of a USB device: with ``deviceAddress``, how libusb finds it (`USBContext.device(bus:address:)`).
    public var busNumber: UInt8?
    /// `DEVNUM` of a USB device: its address on the bus.
    public var deviceAddress: UInt8?

    /// Whether this is a USB device (`usb_device`), as a PTP/MTP recorder docks, rather than a block device.
    public var isUSBDevice: Bool { devtype == Self.usbDeviceType }

    /// The udev device type of a USB device.
    public static let usbDeviceType = "usb_device"

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
        if device.devtype == Self.usbDeviceType {
            self.init(usbDevice: device, tag: tag)
            return
        }
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

    /// Copies a USB device (`usb_device`): IDs from `ID_VENDOR_ID`/`ID_MODEL_ID` (udev's `usb_id` builtin), else
    /// from the kernel's `PRODUCT` (`vendor/product/bcd` in hex); the serial from `ID_SERIAL_SHORT`; the bus and
    /// address from `BUSNUM` and `DEVNUM`; the port path from `ID_PATH`, else from the /sys path (``portPath(syspath:)``).
    private init(usbDevice device: UdevDevice, tag: String) {
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        let product = nonEmpty(device.property("PRODUCT"))?.split(separator: "/").map(String.init) ?? []
        func hex4(_ value: String?) -> String? {
            guard let value, let number = UInt16(value, radix: 16) else { return nil }
            let digits = String(number, radix: 16)
            return String(repeating: "0", count: 4 - digits.count) + digits
        }
        self.init(
            syspath: device.syspath, devnode: device.devnode, devtype: Self.usbDeviceType, bus: "usb",
            vendorID: hex4(nonEmpty(device.property("ID_VENDOR_ID")) ?? product.first),
            productID: hex4(nonEmpty(device.property("ID_MODEL_ID")) ?? (product.count > 1 ? product[1] : nil)),
            serial: nonEmpty(device.property("ID_SERIAL_SHORT")),
            portPath: nonEmpty(device.property("ID_PATH")) ?? Self.portPath(syspath: device.syspath),
            tagged: device.hasTag(tag))
        busNumber = device.property("BUSNUM").flatMap { UInt8($0, radix: 10) }
        deviceAddress = device.property("DEVNUM").flatMap { UInt8($0, radix: 10) }
    }

    /// A USB device libusb's hotplug reported (`docking.mtp_watcher = "libusb"`): no udev properties, so the IDs and
    /// the serial come from the device's descriptors, the bus and address from libusb, the /sys path from
    /// `/sys/bus/usb/devices` (else `usb:<bus>-<address>`), and the port path from the /sys path as for udev's USB
    /// devices (else `usb-<bus>-<ports>`). It counts as tagged: the monitor reports only configured models' IDs.
    public init(usbHotplug device: USBHotplugDevice) {
        let syspath = device.syspath ?? "usb:\(device.bus)-\(device.address)"
        self.init(
            syspath: syspath, devnode: device.devnode, devtype: Self.usbDeviceType, bus: "usb",
            vendorID: USBHotplugDevice.hex4(device.vendorID), productID: USBHotplugDevice.hex4(device.productID),
            serial: device.serial.flatMap { $0.isEmpty ? nil : $0 },
            portPath: Self.portPath(syspath: syspath) ?? device.kernelName.map { "usb-\($0)" }, tagged: true)
        busNumber = device.bus
        deviceAddress = device.address
    }

    /// The `ID_PATH` form of a USB device's port, `pci-<controller>-usb-0:<ports>`, from its /sys path
    /// (`…/0000:00:14.0/usb1/1-4.2` → `pci-0000:00:14.0-usb-0:4.2`), as path_id names the ports of its block
    /// devices; nil when the path has no such shape. udev sets no `ID_PATH` on USB devices themselves.
    public static func portPath(syspath: String) -> String? {
        let components = syspath.split(separator: "/").map(String.init)
        guard let last = components.last, let dash = last.firstIndex(of: "-"), !last.contains(":"),
            let hub = components.lastIndex(where: { $0.hasPrefix("usb") && Int($0.dropFirst(3)) != nil }), hub > 0
        else { return nil }
        let ports = last[last.index(after: dash)...]
        guard !ports.isEmpty else { return nil }
        return "pci-\(components[hub - 1])-usb-0:\(ports)"
    }
}

/// What the dock watcher reports.
public enum DockEvent: Sendable, Equatable {
    /// A tagged block device is present: found at start, added, or changed (a loop device or card reader
    /// reports new media with "change"); or a tagged USB device (a PTP/MTP recorder) is found or added.
    case present(BlockDevice)
    /// A device is gone (removed, or changed to hold no media), by /sys path.
    case removed(syspath: String)
    /// Enumeration at start is complete: every device present then has been reported.
    case enumerated
}
