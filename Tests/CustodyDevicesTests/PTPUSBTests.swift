import Testing

@testable import CustodyDevices

/// The libusb wrapper's edges that run without a device: error mapping into the codes the PTP session acts on,
/// and a context that finds no device where there is none. (A transfer test needs umockdev's usbdevfs handler;
/// see docs/ptp.md "Still missing".)
@Suite struct PTPUSBTests {
    @Test(arguments: [
        (Int32(-7), USBError.Code.timeout, PTPError.Code.timeout),
        (-9, .stall, .timeout),
        (-4, .noDevice, .disconnected),
        (-3, .access, .transport),
        (-6, .busy, .transport),
        (-5, .notFound, .transport),
        (-8, .overflow, .transport),
        (-12, .notSupported, .transport),
        (-1, .other, .transport),
        (-99, .other, .transport),
    ])
    func libusbErrorsMapToTypedCodes(status: Int32, code: USBError.Code, ptp: PTPError.Code) {
        let error = USBError(status: status, "bulk transfer on endpoint 0x81")
        #expect(error.code == code)
        #expect(error.status == status)
        #expect(error.message.hasPrefix("bulk transfer on endpoint 0x81 failed: LIBUSB_ERROR_"))
        #expect(error.ptpError.code == ptp)
    }

    @Test func timeoutsBecomeWholeMillisecondsOfAtLeastOne() {
        #expect(USBPTPTransport.milliseconds(.seconds(5)) == 5000)
        #expect(USBPTPTransport.milliseconds(.milliseconds(250)) == 250)
        #expect(USBPTPTransport.milliseconds(.zero) == 1)
    }

    @Test func aDeviceThatIsNotThereIsNotFound() throws {
        let context = try USBContext()
        #expect(
            performing: { try context.device(bus: 255, address: 255) }, throws: { ($0 as? USBError)?.code == .notFound }
        )
    }
}
