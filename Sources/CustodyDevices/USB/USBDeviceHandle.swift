import CLibUSB

/// An open USB device (`libusb_device_handle`), owned: `libusb_close` in `deinit`.
public final class USBDeviceHandle {
    let pointer: OpaquePointer
    let device: USBDevice
    private var claimed: [Int32] = []

    init(_ pointer: OpaquePointer, device: USBDevice) {
        self.pointer = pointer
        self.device = device
    }

    deinit {
        for interface in claimed { libusb_release_interface(pointer, interface) }
        libusb_close(pointer)
    }

    /// Claims `interface`, detaching a kernel driver first if one is bound to it.
    public func claim(_ interface: Int32) throws(USBError) {
        if libusb_kernel_driver_active(pointer, interface) == 1 {
            try libusbCheck("detaching the kernel driver from interface \(interface)") {
                libusb_detach_kernel_driver(pointer, interface)
            }
        }
        try libusbCheck("claiming interface \(interface) of \(device.bus)-\(device.address)") {
            libusb_claim_interface(pointer, interface)
        }
        claimed.append(interface)
    }

    /// Releases a claimed interface.
    public func release(_ interface: Int32) throws(USBError) {
        claimed.removeAll { $0 == interface }
        try libusbCheck("releasing interface \(interface)") { libusb_release_interface(pointer, interface) }
    }

    /// A string descriptor in ASCII (the serial number's index comes from the device descriptor).
    public func string(index: UInt8) throws(USBError) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = try libusbCheck("reading string descriptor \(index)") {
            libusb_get_string_descriptor_ascii(pointer, index, &buffer, Int32(buffer.count))
        }
        return String(decoding: buffer.prefix(Int(count)), as: UTF8.self)
    }

    /// The serial number string, or nil when the device has none.
    public func serialNumber() throws(USBError) -> String? {
        var descriptor = libusb_device_descriptor()
        try libusbCheck("reading the device descriptor") { libusb_get_device_descriptor(device.pointer, &descriptor) }
        return descriptor.iSerialNumber == 0 ? nil : try string(index: descriptor.iSerialNumber)
    }

    /// One bulk transfer on `endpoint` (IN when bit 7 is set); returns the bytes transferred.
    public func bulkTransfer(
        _ endpoint: UInt8, _ buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: UInt32
    ) throws(USBError) -> Int {
        var transferred: Int32 = 0
        try libusbCheck("bulk transfer on endpoint 0x\(String(endpoint, radix: 16))") {
            libusb_bulk_transfer(
                pointer, endpoint, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self),
                Int32(clamping: buffer.count), &transferred, timeoutMilliseconds)
        }
        return Int(transferred)
    }

    /// One interrupt transfer on `endpoint`; returns the bytes transferred.
    public func interruptTransfer(
        _ endpoint: UInt8, _ buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: UInt32
    ) throws(USBError) -> Int {
        var transferred: Int32 = 0
        try libusbCheck("interrupt transfer on endpoint 0x\(String(endpoint, radix: 16))") {
            libusb_interrupt_transfer(
                pointer, endpoint, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self),
                Int32(clamping: buffer.count), &transferred, timeoutMilliseconds)
        }
        return Int(transferred)
    }

    /// One control transfer without a data stage (host to device): `bmRequestType`, `bRequest`, `wValue`,
    /// `wIndex`, as USB 2.0 §9.3 lays out a setup packet.
    public func controlOut(
        requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, timeoutMilliseconds: UInt32
    ) throws(USBError) {
        try libusbCheck("control request 0x\(String(request, radix: 16)) to \(device.bus)-\(device.address)") {
            libusb_control_transfer(pointer, requestType, request, value, index, nil, 0, timeoutMilliseconds)
        }
    }

    /// Clears a halted endpoint (after ``USBError/Code/stall``).
    public func clearHalt(_ endpoint: UInt8) throws(USBError) {
        try libusbCheck("clearing the halt on endpoint 0x\(String(endpoint, radix: 16))") {
            libusb_clear_halt(pointer, endpoint)
        }
    }
}
