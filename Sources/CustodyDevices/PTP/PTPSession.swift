/// A PTP session over a ``PTPTransport``: one transaction at a time, each with the next transaction ID, every
/// container checked for type, code, transaction ID and length (ISO 15740 §9.3, §10).
///
/// After a transport failure or a protocol violation the device and the host no longer agree on where a container
/// begins, so the session is broken and refuses further operations until the device is reset and a new session
/// opened. A response code other than OK leaves the session usable. Not thread-safe: one caller at a time.
public final class PTPSession {
    /// Limits and timeouts of a session.
    public struct Configuration: Sendable {
        /// How long each bulk or interrupt transfer may take.
        public var timeout: Duration = .seconds(5)
        /// The largest data phase held in memory (datasets, handle lists, property lists); larger ones are
        /// ``PTPError/Code/datasetTooLarge``. Objects are streamed and not limited.
        public var maximumDatasetBytes = 16 << 20
        /// The chunk size of ``PTPSession/getObject(_:size:sink:)``.
        public var chunkBytes = 1 << 20

        /// The defaults.
        public init() {}
    }

    enum State: Equatable {
        case idle
        case streaming
        case broken(String)
    }

    let transport: any PTPTransport
    /// The configuration.
    public let configuration: Configuration
    /// The open session's ID, or nil.
    public internal(set) var sessionID: UInt32?
    /// The ID the next transaction of the open session uses.
    public internal(set) var nextTransactionID: UInt32 = 0
    var state = State.idle

    /// A session layer over `transport`; call ``openSession(id:)`` before object operations.
    public init(transport: any PTPTransport, configuration: Configuration = Configuration()) {
        self.transport = transport
        self.configuration = configuration
    }

    /// Whether a protocol or transport failure broke the session.
    public var isBroken: Bool {
        if case .broken = state { true } else { false }
    }

    // MARK: - Transactions

    /// Runs one transaction without data out: sends the command, holds an expected data phase of at most
    /// ``Configuration/maximumDatasetBytes`` in memory, checks the response. Returns the data (nil without a data
    /// phase) and the response's parameters.
    func transaction(
        _ operation: PTPOperationCode, _ parameters: [UInt32] = [], expectsData: Bool
    ) throws(PTPError) -> (data: [UInt8]?, response: [UInt32]) {
        let transactionID = try begin(operation, parameters)
        do throws(PTPError) {
            var data: [UInt8]?
            if expectsData {
                let header = try receiveHeader()
                if header.type == .response {
                    let response = try receiveResponse(header, operation, transactionID)
                    throw PTPError(
                        .unexpectedContainer,
                        "\(operation) (transaction \(transactionID)) answered OK without its data phase "
                            + "(\(response.parameters.count) parameters)")
                }
                try check(header, .data, operation, transactionID)
                guard header.length != PTPContainerHeader.unknownLength,
                    Int(header.length) - PTPContainerHeader.size <= configuration.maximumDatasetBytes
                else {
                    throw PTPError(
                        .datasetTooLarge,
                        "\(operation) (transaction \(transactionID)) declares a data phase of \(header.length) bytes; "
                            + "at most \(configuration.maximumDatasetBytes) are accepted")
                }
                data = try receive(count: Int(header.length) - PTPContainerHeader.size)
            }
            let response = try receiveResponse(try receiveHeader(), operation, transactionID)
            return (data, response.parameters)
        } catch {
            if error.code != .response { state = .broken(error.message) }
            throw error
        }
    }

    /// Runs one transaction with a data-out phase (ISO 15740 §9.3; USB Still Image Capture Device Definition §7.1):
    /// the command, then one data container carrying `data` (at most ``Configuration/maximumDatasetBytes``), then
    /// the response, which must be OK. Returns the response's parameters.
    func transaction(
        _ operation: PTPOperationCode, _ parameters: [UInt32] = [], dataOut data: [UInt8]
    ) throws(PTPError) -> [UInt32] {
        guard data.count <= configuration.maximumDatasetBytes else {
            throw PTPError(
                .datasetTooLarge,
                "\(operation): a data phase of \(data.count) bytes is over the cap of "
                    + "\(configuration.maximumDatasetBytes)")
        }
        let transactionID = try begin(operation, parameters)
        do throws(PTPError) {
            let header = PTPContainerHeader.data(
                code: operation.rawValue, transactionID: transactionID, payloadLength: UInt64(data.count))
            try transport.bulkOut(header.encoded + data, timeout: configuration.timeout)
            return try receiveResponse(try receiveHeader(), operation, transactionID).parameters
        } catch {
            if error.code != .response { state = .broken(error.message) }
            throw error
        }
    }

    /// Sends a command container with the next transaction ID; returns that ID.
    func begin(_ operation: PTPOperationCode, _ parameters: [UInt32]) throws(PTPError) -> UInt32 {
        switch state {
        case .idle: break
        case .streaming:
            throw PTPError(.sessionState, "\(operation) while an object is being read: finish or abandon it first")
        case .broken(let reason):
            throw PTPError(.sessionState, "the PTP session is broken (\(reason)); reset the device and open a new one")
        }
        let transactionID: UInt32
        if operation == .openSession || (operation == .getDeviceInfo && sessionID == nil) {
            transactionID = 0
        } else {
            guard sessionID != nil else {
                throw PTPError(.sessionState, "\(operation) needs an open session")
            }
            transactionID = nextTransactionID
            nextTransactionID = nextTransactionID >= 0xFFFF_FFFE ? 1 : nextTransactionID + 1
        }
        let command = try PTPParameterContainer(
            type: .command, code: operation.rawValue, transactionID: transactionID, parameters: parameters)
        do {
            try transport.bulkOut(command.encoded, timeout: configuration.timeout)
        } catch {
            state = .broken(error.message)
            throw error
        }
        return transactionID
    }

    /// Fills `buffer` from the bulk-in pipe.
    func receiveExactly(_ buffer: UnsafeMutableRawBufferPointer) throws(PTPError) {
        var filled = 0
        while filled < buffer.count {
            let count = try transport.bulkIn(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), timeout: configuration.timeout)
            guard count > 0, count <= buffer.count - filled else {
                throw PTPError(
                    .transport, "the transport returned \(count) bytes for a read of \(buffer.count - filled)")
            }
            filled += count
        }
    }

    /// Receives exactly `count` bytes (already checked against a cap by the caller).
    func receive(count: Int) throws(PTPError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
        defer { buffer.deallocate() }
        try receiveExactly(buffer)
        return Array(buffer)
    }

    func receiveHeader() throws(PTPError) -> PTPContainerHeader {
        try PTPContainerHeader(decoding: try receive(count: PTPContainerHeader.size))
    }

    /// Requires a container of `type` for `operation` in transaction `transactionID`.
    func check(
        _ header: PTPContainerHeader, _ type: PTPContainerType, _ operation: PTPOperationCode, _ transactionID: UInt32
    ) throws(PTPError) {
        guard header.type == type else {
            throw PTPError(
                .unexpectedContainer,
                "\(operation) (transaction \(transactionID)): expected \(type), got \(header.type)")
        }
        guard header.transactionID == transactionID else {
            throw PTPError(
                .transactionID,
                "\(operation): the \(type) container carries transaction \(header.transactionID), "
                    + "expected \(transactionID)")
        }
        if type == .data, header.code != operation.rawValue {
            throw PTPError(
                .unexpectedContainer,
                "\(operation) (transaction \(transactionID)): the data container names operation 0x"
                    + String(header.code, radix: 16))
        }
    }

    /// Reads the rest of a response container whose header is `header`, checks it, and requires OK.
    func receiveResponse(
        _ header: PTPContainerHeader, _ operation: PTPOperationCode, _ transactionID: UInt32
    ) throws(PTPError) -> PTPParameterContainer {
        guard header.type == .response else {
            throw PTPError(
                .unexpectedContainer,
                "\(operation) (transaction \(transactionID)): expected the response, got a \(header.type) container")
        }
        let maximum = PTPContainerHeader.size + 4 * PTPParameterContainer.maximumParameters(.response)
        guard header.length <= UInt32(maximum), (header.length - UInt32(PTPContainerHeader.size)) % 4 == 0 else {
            throw PTPError(
                .containerLength,
                "\(operation) (transaction \(transactionID)): a response container cannot be \(header.length) bytes")
        }
        let rest = try receive(count: Int(header.length) - PTPContainerHeader.size)
        let response = try PTPParameterContainer(decoding: header.encoded + rest)
        try check(header, .response, operation, transactionID)
        guard response.code == PTPResponseCode.ok.rawValue else {
            throw PTPError(
                .response,
                "\(operation) (transaction \(transactionID)) failed on the device: "
                    + "\(PTPResponseCode(rawValue: response.code))",
                responseCode: response.code)
        }
        return response
    }
}
