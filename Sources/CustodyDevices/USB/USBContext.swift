import CLibUSB

/// A libusb context (`libusb_context`), owned: `libusb_exit` in `deinit`.
///
/// libusb is thread-safe, but a handle and its transfers stay with one caller at a time (the PTP session's).
public final class USBContext {
    let pointer: OpaquePointer

    /// Initialises libusb.
    public init() throws(USBError) {
        var context: OpaquePointer?
        try libusbCheck("libusb_init") { libusb_init(&context) }
        guard let context else { throw USBError(status: LIBUSB_ERROR_OTHER.rawValue, "libusb_init") }
        pointer = context
    }

    deinit { libusb_exit(pointer) }

    /// The USB devices present now.
    public func devices() throws(USBError) -> [USBDevice] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = try libusbCheck("listing USB devices") {
            Int32(truncatingIfNeeded: libusb_get_device_list(pointer, &list))
        }
        guard let list else { return [] }
        defer { libusb_free_device_list(list, 1) }
        return (0..<Int(count)).compactMap { index in list[index].map { USBDevice(retaining: $0, context: self) } }
    }

    /// The device at `bus` and `address` (as udev's `BUSNUM` and `DEVNUM` name it).
    public func device(bus: UInt8, address: UInt8) throws(USBError) -> USBDevice {
        guard let device = try devices().first(where: { $0.bus == bus && $0.address == address }) else {
            throw USBError(status: LIBUSB_ERROR_NOT_FOUND.rawValue, "finding the USB device \(bus)-\(address)")
        }
        return device
    }
}
