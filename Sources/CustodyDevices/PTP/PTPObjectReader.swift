/// The data phase of one GetObject, read in pieces: the session's byte stream between the data container's header
/// and its response container.
///
/// ``read(into:)`` returns 0 only after the whole object arrived and the response was checked (OK, same
/// transaction). Dropping an unfinished reader breaks the session: the rest of the data phase is still on the pipe.
public final class PTPObjectReader {
    let session: PTPSession
    /// The object's handle.
    public let handle: UInt32
    let transactionID: UInt32
    /// The object's size.
    public let size: UInt64
    /// The bytes delivered so far.
    public private(set) var bytesRead: UInt64 = 0
    private var finished = false

    init(session: PTPSession, handle: UInt32, transactionID: UInt32, size: UInt64) {
        self.session = session
        self.handle = handle
        self.transactionID = transactionID
        self.size = size
    }

    deinit {
        if !finished { abandon(because: "GetObject of object \(handle) was abandoned after \(bytesRead) bytes") }
    }

    /// Reads up to `buffer.count` bytes of the object; 0 at the end, once the response is checked.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(PTPError) -> Int {
        guard !finished else { return 0 }
        do throws(PTPError) {
            if bytesRead == size {
                _ = try session.receiveResponse(try session.receiveHeader(), .getObject, transactionID)
                finished = true
                session.state = .idle
                return 0
            }
            let wanted = Int(min(UInt64(buffer.count), size - bytesRead))
            guard wanted > 0 else { return 0 }
            let count = try session.transport.bulkIn(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), timeout: session.configuration.timeout
            )
            guard count > 0, count <= wanted else {
                throw PTPError(.transport, "the transport returned \(count) bytes for a read of \(wanted)")
            }
            bytesRead += UInt64(count)
            return count
        } catch {
            finished = true
            session.state = error.code == .response ? .idle : .broken(error.message)
            throw PTPError(
                error.code,
                "GetObject of object \(handle) stopped after \(bytesRead) of \(size) bytes: \(error.message)",
                responseCode: error.responseCode)
        }
    }

    /// Gives up on the rest of the object; the session is broken (the device must be reset).
    public func abandon(because reason: String) {
        guard !finished else { return }
        finished = true
        session.state = .broken(reason)
    }
}
