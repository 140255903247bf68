/// What ``USBHotplugMonitor`` reports: a matching USB device arrived or left, or the devices present at start have
/// all been reported.
public enum USBHotplugEvent: Sendable, Equatable {
    /// A matching device is present: found at start (`LIBUSB_HOTPLUG_ENUMERATE`) or plugged in since.
    case arrived(USBHotplugDevice)
    /// A device reported as arrived has gone; it carries what was read at its arrival.
    case left(USBHotplugDevice)
    /// Every matching device present when the monitor started has been reported as arrived.
    case enumerated
}

/// A USB device as libusb's hotplug callback describes it, copied out of libusb.
public struct USBHotplugDevice: Sendable, Equatable {
    /// `idVendor` and `idProduct` from the device descriptor.
    public var vendorID: UInt16
    public var productID: UInt16
    /// The bus number and the address on it: how ``USBContext/device(bus:address:)`` finds the device again (udev's
    /// `BUSNUM` and `DEVNUM`).
    public var bus: UInt8
    public var address: UInt8
    /// The port numbers from the root hub down (`libusb_get_port_numbers`); empty for a root hub.
    public var portNumbers: [UInt8]
    /// The /sys path, as udev names the device: `/sys/bus/usb/devices/<kernelName>` resolved at arrival (e.g.
    /// `/sys/devices/pci0000:00/0000:00:14.0/usb1/1-4`); nil when /sys has no such entry.
    public var syspath: String?
    /// The serial number string descriptor, read after the arrival (outside the callback, where libusb forbids
    /// opening a device); nil when the monitor does not read serials, the device has none, or reading failed.
    public var serial: String?
    /// Why the serial could not be read (the device could not be opened, or the descriptor not read), or nil.
    public var serialError: USBError?

    /// Creates a description (tests build these by hand).
    public init(
        vendorID: UInt16, productID: UInt16, bus: UInt8, address: UInt8, portNumbers: [UInt8] = [],
        syspath: String? = nil, serial: String? = nil, serialError: USBError? = nil
    ) {
        self.vendorID = vendorID
        self.productID = productID
        self.bus = bus
        self.address = address
        self.portNumbers = portNumbers
        self.syspath = syspath
        self.serial = serial
        self.serialError = serialError
    }

    /// The kernel's name for the device, `<bus>-<port>.<port>…` (`1-4.2`), as in `/sys/bus/usb/devices`; nil for a
    /// root hub.
    public var kernelName: String? {
        portNumbers.isEmpty ? nil : "\(bus)-" + portNumbers.map(String.init).joined(separator: ".")
    }

    /// The usbfs node, `/dev/bus/usb/BBB/DDD`.
    public var devnode: String {
        func threeDigits(_ number: UInt8) -> String {
            let digits = String(number)
            return String(repeating: "0", count: 3 - digits.count) + digits
        }
        return "/dev/bus/usb/\(threeDigits(bus))/\(threeDigits(address))"
    }

    /// `vendor:product` in lowercase hex, four digits each.
    public var ids: String { "\(Self.hex4(vendorID)):\(Self.hex4(productID))" }

    static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

/// Which devices ``USBHotplugMonitor`` reports: a vendor ID and, optionally, a product ID (any product of the vendor
/// when nil). Each match is one libusb hotplug callback.
public struct USBHotplugMatch: Sendable, Hashable {
    public var vendorID: UInt16
    public var productID: UInt16?

    /// Devices of `vendorID` with `productID`, or any product of the vendor when it is nil.
    public init(vendorID: UInt16, productID: UInt16?) {
        self.vendorID = vendorID
        self.productID = productID
    }

    /// Whether `device` is one this match names.
    public func matches(vendorID: UInt16, productID: UInt16) -> Bool {
        self.vendorID == vendorID && (self.productID == nil || self.productID == productID)
    }
}
