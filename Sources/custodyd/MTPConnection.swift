import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyTransport
import Foundation

/// The PTP/MTP session of one docked recorder (issue 5; docs/ptp.md "Docking"): a libusb context of its own, the
/// device udev named by `BUSNUM`/`DEVNUM` with its still-image interface claimed, an open ``PTPSession``, and the
/// ``MTPRecorderSource`` the ingest reads through.
///
/// A context per dock: libusb lists the devices present when it starts, which includes the recorder that just
/// docked. Not thread-safe beyond what ``MTPRecorderSource`` serialises: the dock's task owns it.
final class MTPConnection: @unchecked Sendable {
    /// What the ingest reads.
    let source: MTPRecorderSource
    private let context: USBContext
    private let handle: USBDeviceHandle
    private let transport: USBPTPTransport

    private init(source: MTPRecorderSource, context: USBContext, handle: USBDeviceHandle, transport: USBPTPTransport) {
        self.source = source
        self.context = context
        self.handle = handle
        self.transport = transport
    }

    /// Opens `recorder` (recognised with transport `mtp`): finds it by bus and address, checks that it still has
    /// the model's USB IDs and the serial udev reported, claims its still-image interface, and opens a session.
    /// A device that refuses OpenSession (a session left open by an earlier host) is reset with the still-image
    /// class request Device Reset and asked once more. Fails with code `setup`, saying what to check.
    static func open(_ recorder: DockedRecorder) throws(IngestError) -> MTPConnection {
        let name = "\(recorder.identity.model) \(recorder.identity.serial)"
        guard let address = recorder.usbAddress else {
            throw IngestError(.setup, "\(name) has no USB bus number and address from udev; check its udev rule")
        }
        do {
            return try connect(recorder, name: name, bus: address.bus, address: address.address)
        } catch {
            switch error {
            case .usb(let error):
                throw IngestError(
                    .setup,
                    "cannot open \(name) over USB (\(error.code.rawValue)): \(error.message); check that custodyd "
                        + "may open /dev/bus/usb (udev rule, CAP_DAC_OVERRIDE) and that no other program holds the "
                        + "recorder")
            case .ptp(let error):
                throw IngestError(
                    .setup,
                    "\(name) did not open a PTP session (\(error.code.rawValue)): \(error.message); unplug it and "
                        + "dock it again")
            case .refused(let message):
                throw IngestError(.setup, message)
            }
        }
    }

    /// Why ``connect(_:name:bus:address:)`` failed.
    private enum Failure: Error {
        case usb(USBError)
        case ptp(PTPError)
        case refused(String)
    }

    private static func connect(
        _ recorder: DockedRecorder, name: String, bus: UInt8, address: UInt8
    ) throws(Failure) -> MTPConnection {
        func usb<T>(_ body: () throws(USBError) -> T) throws(Failure) -> T {
            do { return try body() } catch { throw .usb(error) }
        }
        let context = try usb { () throws(USBError) in try USBContext() }
        let device = try usb { () throws(USBError) in try context.device(bus: bus, address: address) }
        let ids = try usb { () throws(USBError) in try device.ids() }
        let found = hex4(ids.vendor) + ":" + hex4(ids.product)
        let expected = "\(recorder.device.vendorID ?? ""):\(recorder.device.productID ?? "")"
        guard found == expected else {
            throw .refused(
                "the USB device at \(bus)-\(address) is \(found), not the \(expected) udev reported for \(name); it "
                    + "was replaced while docking: dock the recorder again")
        }
        let interface = try usb { () throws(USBError) in try device.stillImageInterface() }
        let handle = try usb { () throws(USBError) in try device.open() }
        if let serial = try usb({ () throws(USBError) in try handle.serialNumber() }),
            serial != recorder.identity.serial
        {
            throw .refused(
                "the USB device at \(bus)-\(address) reports serial \(serial), not \(recorder.identity.serial) as "
                    + "udev did; dock the recorder again")
        }
        try usb { () throws(USBError) in try handle.claim(interface.number) }
        let transport = USBPTPTransport(handle: handle, interface: interface)
        let session = try openSession(transport)
        let source = MTPRecorderSource(
            session: session, identity: recorder.identity, localOffset: recorder.model.timeZone,
            reopen: { () throws(PTPError) -> PTPSession in try MTPConnection.reopenSession(transport) })
        return MTPConnection(source: source, context: context, handle: handle, transport: transport)
    }

    /// Re-opens a session that a failure broke while the recorder stays docked (docs/ptp.md "Resuming after a
    /// stall"): Device Reset with the halts cleared, then OpenSession. A recorder that left fails the reset.
    private static func reopenSession(_ transport: USBPTPTransport) throws(PTPError) -> PTPSession {
        do {
            try transport.resetDevice()
        } catch {
            throw error.ptpError
        }
        let session = PTPSession(transport: transport)
        try session.openSession()
        return session
    }

    /// Opens a session; a device that refuses OpenSession (a session left open by an earlier host) is reset with
    /// the still-image class request Device Reset and asked once more.
    private static func openSession(_ transport: USBPTPTransport) throws(Failure) -> PTPSession {
        let first = PTPSession(transport: transport)
        let refusal: PTPError
        do {
            try first.openSession()
            return first
        } catch {
            guard error.code == .response else { throw .ptp(error) }
            refusal = error
        }
        do {
            try transport.resetDevice()
        } catch {
            throw .ptp(PTPError(.response, "\(refusal.message); resetting the device failed: \(error.message)"))
        }
        let second = PTPSession(transport: transport)
        do {
            try second.openSession()
        } catch {
            throw .ptp(error)
        }
        return second
    }

    /// How the session ended.
    enum Ending: Equatable {
        /// CloseSession was answered.
        case closed
        /// The session was broken (timeout, stall, protocol violation) and the device was reset (Device Reset,
        /// halts cleared), ready for the next dock.
        case reset
        /// The recorder had left, or closing or resetting failed: nothing more to do.
        case abandoned(String)
    }

    /// Ends the session: CloseSession when it is intact; after a failure that broke it, the still-image class
    /// request Device Reset and a halt cleared on both endpoints, so the recorder answers a new session (issue 5
    /// §5); nothing when the recorder has left. The interface is released and the device closed when the
    /// connection is dropped.
    func close(recorderGone: Bool) -> Ending {
        if recorderGone { return .abandoned("the recorder left its bay") }
        let session = source.currentSession
        if !session.isBroken {
            do {
                try session.closeSession()
                return .closed
            } catch {
                if !session.isBroken { return .abandoned(error.message) }
            }
        }
        do {
            try transport.resetDevice()
            return .reset
        } catch {
            return .abandoned(error.message)
        }
    }

    private static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
