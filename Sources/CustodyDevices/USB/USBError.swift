import CLibUSB

/// A libusb call that failed: a stable code, what failed on which device, and libusb's own error number.
public struct USBError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable codes, one per `LIBUSB_ERROR_*` that a caller acts on differently.
    public enum Code: String, Sendable {
        /// The transfer timed out (`LIBUSB_ERROR_TIMEOUT`).
        case timeout
        /// The endpoint halted (`LIBUSB_ERROR_PIPE`); clear the halt before the next transfer.
        case stall
        /// The device is gone (`LIBUSB_ERROR_NO_DEVICE`).
        case noDevice
        /// No permission on the usbfs node (`LIBUSB_ERROR_ACCESS`); check the udev rule.
        case access
        /// The interface is claimed by a kernel driver or another program (`LIBUSB_ERROR_BUSY`).
        case busy
        /// No such device, interface or endpoint (`LIBUSB_ERROR_NOT_FOUND`).
        case notFound
        /// The device sent more than was asked for (`LIBUSB_ERROR_OVERFLOW`).
        case overflow
        /// This libusb or platform cannot do it (`LIBUSB_ERROR_NOT_SUPPORTED`), e.g. hotplug without
        /// `LIBUSB_CAP_HAS_HOTPLUG`.
        case notSupported
        /// Anything else: I/O, invalid parameter, no memory, interrupted, other.
        case other
    }

    public let code: Code
    public let message: String
    /// The `LIBUSB_ERROR_*` value.
    public let status: Int32

    /// Maps a negative libusb status returned by `what`.
    public init(status: Int32, _ what: String) {
        self.status = status
        switch status {
        case LIBUSB_ERROR_TIMEOUT.rawValue: code = .timeout
        case LIBUSB_ERROR_PIPE.rawValue: code = .stall
        case LIBUSB_ERROR_NO_DEVICE.rawValue: code = .noDevice
        case LIBUSB_ERROR_ACCESS.rawValue: code = .access
        case LIBUSB_ERROR_BUSY.rawValue: code = .busy
        case LIBUSB_ERROR_NOT_FOUND.rawValue: code = .notFound
        case LIBUSB_ERROR_OVERFLOW.rawValue: code = .overflow
        case LIBUSB_ERROR_NOT_SUPPORTED.rawValue: code = .notSupported
        default: code = .other
        }
        let name = libusb_error_name(status).map { String(cString: $0) } ?? "LIBUSB_ERROR \(status)"
        message = "\(what) failed: \(name)"
    }

    /// An error that no libusb call returned: `status` is the `LIBUSB_ERROR_*` value that fits, `message` is for
    /// a person and says what to do.
    init(_ code: Code, status: Int32, message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// The PTP error a session sees for this transport failure.
    public var ptpError: PTPError {
        switch code {
        case .timeout, .stall: PTPError(.timeout, message)
        case .noDevice: PTPError(.disconnected, message)
        default: PTPError(.transport, message)
        }
    }
}

/// Runs a libusb call that returns a status; a negative one is thrown as a ``USBError``.
@discardableResult
func libusbCheck(_ what: @autoclosure () -> String, _ body: () -> Int32) throws(USBError) -> Int32 {
    let status = body()
    guard status >= 0 else { throw USBError(status: status, what()) }
    return status
}
