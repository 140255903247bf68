/// A ``PTPTransport`` over the bulk and interrupt endpoints of a claimed still-image interface.
///
/// USB reads whole packets, and a transfer may carry more than the session asks for (a container's header and the
/// start of its payload): the excess is kept for the next read. Large reads go straight into the caller's buffer in
/// whole packets. Zero-length packets (a container ending on a packet boundary) are skipped.
public final class USBPTPTransport: PTPTransport {
    let handle: USBDeviceHandle
    let interface: USBStillImageInterface
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private let stagingSize = 64 << 10

    /// A transport on `interface` of the open `handle`; the interface must be claimed.
    public init(handle: USBDeviceHandle, interface: USBStillImageInterface) {
        self.handle = handle
        self.interface = interface
    }

    static func milliseconds(_ timeout: Duration) -> UInt32 {
        let (seconds, attoseconds) = timeout.components
        return UInt32(clamping: max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    public func bulkOut(_ bytes: [UInt8], timeout: Duration) throws(PTPError) {
        var copy = bytes
        var sent = 0
        while sent < copy.count {
            let count: Int
            do {
                count = try copy.withUnsafeMutableBytes { buffer throws(USBError) in
                    try handle.bulkTransfer(
                        interface.bulkOut, UnsafeMutableRawBufferPointer(rebasing: buffer[sent...]),
                        timeoutMilliseconds: Self.milliseconds(timeout))
                }
            } catch let error as USBError {
                throw error.ptpError
            } catch {
                throw PTPError(.transport, "\(error)")
            }
            guard count > 0 else { throw PTPError(.transport, "bulk out accepted no bytes") }
            sent += count
        }
    }

    public func bulkIn(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(PTPError) -> Int {
        guard buffer.count > 0 else { return 0 }
        if pendingStart < pending.count {
            let count = min(buffer.count, pending.count - pendingStart)
            pending.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + pendingStart, byteCount: count)
            }
            pendingStart += count
            return count
        }
        let packet = max(1, interface.maximumPacketSize)
        for _ in 0..<2 {  // one zero-length packet may end the previous container
            let count: Int
            do throws(USBError) {
                if buffer.count >= packet {
                    let whole = buffer.count / packet * packet
                    count = try handle.bulkTransfer(
                        interface.bulkIn, UnsafeMutableRawBufferPointer(rebasing: buffer[..<whole]),
                        timeoutMilliseconds: Self.milliseconds(timeout))
                } else {
                    let staging = UnsafeMutableRawBufferPointer.allocate(byteCount: stagingSize, alignment: 16)
                    defer { staging.deallocate() }
                    let received = try handle.bulkTransfer(
                        interface.bulkIn, staging, timeoutMilliseconds: Self.milliseconds(timeout))
                    count = min(received, buffer.count)
                    buffer.baseAddress!.copyMemory(from: staging.baseAddress!, byteCount: count)
                    pending = Array(UnsafeRawBufferPointer(rebasing: staging[count..<received]))
                    pendingStart = 0
                }
            } catch {
                throw error.ptpError
            }
            if count > 0 { return count }
        }
        throw PTPError(.transport, "bulk in returned only zero-length packets")
    }

    public func interruptIn(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(PTPError) -> Int {
        guard interface.interruptIn != 0 else { throw PTPError(.timeout, "the interface has no interrupt endpoint") }
        do throws(USBError) {
            return try handle.interruptTransfer(
                interface.interruptIn, buffer, timeoutMilliseconds: Self.milliseconds(timeout))
        } catch {
            throw error.ptpError
        }
    }

    /// Clears a halt on both bulk endpoints (after a stall), so a new session can start.
    public func clearHalts() throws(USBError) {
        try handle.clearHalt(interface.bulkIn)
        try handle.clearHalt(interface.bulkOut)
    }

    /// Resets the device's PTP state after a broken session (a timeout, a stall, a protocol violation): the
    /// still-image class request Device Reset (0x66, class request to the interface; USB Still Image Capture
    /// Device Definition §5.2.3), then a halt cleared on both bulk endpoints. Bytes kept from an earlier packet are
    /// dropped. The device closes its session; a new ``PTPSession`` is opened over this transport afterwards.
    public func resetDevice(timeout: Duration = .seconds(5)) throws(USBError) {
        pending = []
        pendingStart = 0
        try handle.controlOut(
            requestType: 0x21, request: 0x66, value: 0, index: UInt16(clamping: interface.number),
            timeoutMilliseconds: Self.milliseconds(timeout))
        try clearHalts()
    }
}
