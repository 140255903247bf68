/// The pipes of a PTP interface (USB Still Image Capture Device Definition §4): bulk out for commands and data to
/// the device, bulk in for data and responses, interrupt in for events.
///
/// The session reads containers byte-exactly: `bulkIn` returns at most `buffer.count` bytes, so a transport over
/// USB, which must read whole packets, keeps any excess of a transfer for the next call. Implementations: the
/// libusb transport, and ``PTPSimulatedResponder`` for tests.
public protocol PTPTransport: AnyObject {
    /// Sends `bytes` on the bulk-out pipe; a device that does not take them within `timeout` is
    /// ``PTPError/Code/timeout``.
    func bulkOut(_ bytes: [UInt8], timeout: Duration) throws(PTPError)

    /// Receives between 1 and `buffer.count` bytes from the bulk-in pipe; nothing within `timeout` is
    /// ``PTPError/Code/timeout``, a device gone is ``PTPError/Code/disconnected``.
    func bulkIn(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(PTPError) -> Int

    /// Receives one event container (at most `buffer.count` bytes) from the interrupt pipe; nothing within
    /// `timeout` is ``PTPError/Code/timeout``.
    func interruptIn(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(PTPError) -> Int
}
