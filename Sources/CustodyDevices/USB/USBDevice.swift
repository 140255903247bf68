import CLibUSB

/// A USB device (`libusb_device`), referenced: `libusb_unref_device` in `deinit`.
public final class USBDevice {
    let pointer: OpaquePointer
    let context: USBContext

    init(retaining pointer: OpaquePointer, context: USBContext) {
        self.pointer = libusb_ref_device(pointer)
        self.context = context
    }

    deinit { libusb_unref_device(pointer) }

    /// The bus number.
    public var bus: UInt8 { libusb_get_bus_number(pointer) }
    /// The address on the bus.
    public var address: UInt8 { libusb_get_device_address(pointer) }

    /// The port numbers from the root hub down (`libusb_get_port_numbers`, at most 7 tiers); empty for a root hub.
    public func portNumbers() throws(USBError) -> [UInt8] {
        var ports = [UInt8](repeating: 0, count: 7)
        let count = try libusbCheck("reading the port numbers of \(bus)-\(address)") {
            libusb_get_port_numbers(pointer, &ports, Int32(ports.count))
        }
        return Array(ports.prefix(Int(count)))
    }

    /// The vendor and product IDs from the device descriptor.
    public func ids() throws(USBError) -> (vendor: UInt16, product: UInt16) {
        var descriptor = libusb_device_descriptor()
        try libusbCheck("reading the device descriptor of \(bus)-\(address)") {
            libusb_get_device_descriptor(pointer, &descriptor)
        }
        return (descriptor.idVendor, descriptor.idProduct)
    }

    /// The still-image (PTP) interface of the active configuration: class 6, subclass 1, protocol 1
    /// (USB Still Image Capture Device Definition §4), with its bulk-in, bulk-out and interrupt-in endpoints.
    public func stillImageInterface() throws(USBError) -> USBStillImageInterface {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        try libusbCheck("reading the configuration of \(bus)-\(address)") {
            libusb_get_active_config_descriptor(pointer, &config)
        }
        guard let config else { throw USBError(status: LIBUSB_ERROR_NOT_FOUND.rawValue, "configuration") }
        defer { libusb_free_config_descriptor(config) }
        for interfaceIndex in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[interfaceIndex]
            for settingIndex in 0..<Int(interface.num_altsetting) {
                let setting = interface.altsetting[settingIndex]
                guard setting.bInterfaceClass == 6, setting.bInterfaceSubClass == 1, setting.bInterfaceProtocol == 1
                else { continue }
                var found = USBStillImageInterface(number: Int32(setting.bInterfaceNumber))
                for endpointIndex in 0..<Int(setting.bNumEndpoints) {
                    let endpoint = setting.endpoint[endpointIndex]
                    let type = endpoint.bmAttributes & 0x03
                    let isIn = endpoint.bEndpointAddress & 0x80 != 0
                    switch (type, isIn) {
                    case (2, true):
                        found.bulkIn = endpoint.bEndpointAddress
                        found.maximumPacketSize = Int(endpoint.wMaxPacketSize)
                    case (2, false): found.bulkOut = endpoint.bEndpointAddress
                    case (3, true): found.interruptIn = endpoint.bEndpointAddress
                    default: break
                    }
                }
                if found.bulkIn != 0, found.bulkOut != 0 { return found }
            }
        }
        throw USBError(status: LIBUSB_ERROR_NOT_FOUND.rawValue, "finding a still-image interface on \(bus)-\(address)")
    }

    /// Opens the device.
    public func open() throws(USBError) -> USBDeviceHandle {
        var handle: OpaquePointer?
        try libusbCheck("opening the USB device \(bus)-\(address)") { libusb_open(pointer, &handle) }
        guard let handle else { throw USBError(status: LIBUSB_ERROR_OTHER.rawValue, "libusb_open") }
        return USBDeviceHandle(handle, device: self)
    }
}

/// The endpoints of a PTP interface.
public struct USBStillImageInterface: Sendable, Equatable {
    public var number: Int32
    public var bulkIn: UInt8 = 0
    public var bulkOut: UInt8 = 0
    public var interruptIn: UInt8 = 0
    public var maximumPacketSize = 512
}
