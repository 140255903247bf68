/// A PTP/MTP device simulated in process, answering over an in-memory pipe: the host's bulk-out containers are
/// handled at once and the answer queued for bulk in. For tests and demos; no threads and no clocks.
///
/// It serves many objects, objects whose declared size exceeds 4 GiB (synthesised on the fly from ``pattern``,
/// never allocated), and the faults a real recorder shows: wrong container lengths, wrong transaction IDs, a stall
/// (bulk in has nothing: the transport's timeout, immediately and deterministically) and an unplug mid-object.
public final class PTPSimulatedResponder: PTPTransport {
    /// An object on the simulated device.
    public struct Object: Sendable {
        /// Where the object's bytes come from.
        public enum Content: Sendable {
            /// These bytes.
            case bytes([UInt8])
            /// `size` bytes of ``PTPSimulatedResponder/patternByte(at:)``, synthesised as they are read.
            case pattern(size: UInt64)
        }

        public var handle: UInt32
        public var storage: UInt32
        /// The parent folder's handle, 0 at the root.
        public var parent: UInt32
        public var name: String
        public var isFolder: Bool
        public var content: Content
        public var modificationDate: String

        /// The object's size.
        public var size: UInt64 {
            switch content {
            case .bytes(let bytes): UInt64(bytes.count)
            case .pattern(let size): size
            }
        }

        /// A file.
        public static func file(
            _ handle: UInt32, _ name: String, _ content: Content, parent: UInt32 = 0, storage: UInt32 = 0x0001_0001,
            modified: String = "20261129T081530"
        ) -> Object {
            Object(
                handle: handle, storage: storage, parent: parent, name: name, isFolder: false, content: content,
                modificationDate: modified)
        }

        /// A folder.
        public static func folder(_ handle: UInt32, _ name: String, parent: UInt32 = 0, storage: UInt32 = 0x0001_0001)
            -> Object
        {
            Object(
                handle: handle, storage: storage, parent: parent, name: name, isFolder: true, content: .bytes([]),
                modificationDate: "20261129T000000")
        }
    }

    /// A misbehaviour, applied to every transaction of `operation`.
    public enum Fault: Sendable {
        /// The response container declares 13 bytes (not a header plus whole parameters).
        case responseLength(PTPOperationCode)
        /// The data container declares `declared` bytes, whatever its payload.
        case dataLength(PTPOperationCode, declared: UInt32)
        /// The response carries the command's transaction ID plus one.
        case responseTransactionID(PTPOperationCode)
        /// The data container carries the command's transaction ID plus one.
        case dataTransactionID(PTPOperationCode)
        /// Nothing comes back: bulk in times out.
        case stall(PTPOperationCode)
        /// The device is unplugged after `afterBytes` bytes of the data phase's payload (of GetObject of
        /// `handle` only, when given).
        case disconnect(PTPOperationCode, afterBytes: UInt64, handle: UInt32? = nil)
        /// The first `times` GetObject data phases of object `handle` stop after `afterBytes` payload bytes: the
        /// device stalls, bulk in times out until ``reset()``, and the transfer after that goes through.
        case stallObject(UInt32, afterBytes: UInt64, times: Int = 1)
    }

    private enum Segment {
        case bytes([UInt8], from: Int)
        case pattern(offset: UInt64, end: UInt64)
        case disconnect
        case stall
    }

    /// The device's objects, by handle.
    public private(set) var objects: [UInt32: Object] = [:]
    /// The handles in the order the device lists them.
    public private(set) var order: [UInt32] = []
    /// DeviceInfo as served.
    public var deviceInfo = PTPDeviceInfo(
        operationsSupported: [0x1001, 0x1002, 0x1003, 0x1004, 0x1007, 0x1008, 0x1009, 0x1015, 0x9805],
        devicePropertiesSupported: [PTPCode.propertyDateTime], manufacturer: "Custody", model: "Simulated recorder",
        deviceVersion: "1.0", serialNumber: "SIM0001")
    /// The DateTime property (0x5011) as the device reports it; nil answers DevicePropNotSupported.
    public var dateTime: String? = "20261130T080000"
    /// The faults in force.
    public var faults: [Fault] = []
    /// Every command container received, in order.
    public private(set) var commands: [PTPParameterContainer] = []
    /// Every object deleted with DeleteObject, in order.
    public private(set) var deletedHandles: [UInt32] = []
    /// Objects DeleteObject refuses (ObjectWriteProtected).
    public var protectedHandles: Set<UInt32> = []
    /// Every DateTime string written with SetDevicePropValue, in order.
    public private(set) var dateTimeWrites: [String] = []
    /// SetDevicePropValue waiting for its data phase: its transaction and property.
    private var pendingDataOut: (transactionID: UInt32, property: UInt32)?
    /// Events queued for the interrupt pipe.
    public var events: [PTPParameterContainer] = []

    private var queue: [Segment] = []
    private var sessionOpen = false
    private var expectedTransactionID: UInt32 = 0
    private var unplugged = false

    /// A device holding `objects`.
    public init(objects: [Object] = []) {
        for object in objects { add(object) }
    }

    /// Adds or replaces an object.
    public func add(_ object: Object) {
        if objects[object.handle] == nil { order.append(object.handle) }
        objects[object.handle] = object
    }

    /// The byte at `offset` of a ``Object/Content/pattern(size:)`` object: a period of 251 bytes, so that no chunk
    /// boundary lines up with it.
    public static func patternByte(at offset: UInt64) -> UInt8 { UInt8(offset % 251) }

    /// 251 × 4096 bytes of the pattern from offset 0, copied from to synthesise large objects quickly.
    public static let patternBlock: [UInt8] = (0..<(251 * 4096)).map { UInt8($0 % 251) }

    // MARK: - PTPTransport

    public func bulkOut(_ bytes: [UInt8], timeout: Duration) throws(PTPError) {
        guard !unplugged else { throw PTPError(.disconnected, "the simulated device is unplugged") }
        let header = try PTPContainerHeader(decoding: bytes)
        if header.type == .data {
            // The data-out phase of SetDevicePropValue, the one operation with one.
            guard let pending = pendingDataOut, pending.transactionID == header.transactionID,
                header.code == PTPOperationCode.setDevicePropValue.rawValue, Int(header.length) == bytes.count
            else {
                throw PTPError(.unexpectedContainer, "the simulated device expected no data container here")
            }
            pendingDataOut = nil
            receiveDateTime(Array(bytes.dropFirst(PTPContainerHeader.size)), pending)
            return
        }
        let command = try PTPParameterContainer(decoding: bytes)
        guard command.type == .command else {
            throw PTPError(.unexpectedContainer, "the simulated device takes commands and SetDevicePropValue's data")
        }
        commands.append(command)
        handle(command)
    }

    public func bulkIn(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(PTPError) -> Int {
        guard !unplugged else { throw PTPError(.disconnected, "the simulated device is unplugged") }
        guard let first = queue.first else {
            throw PTPError(.timeout, "the simulated device sent nothing within \(timeout) (stalled)")
        }
        switch first {
        case .stall:
            throw PTPError(.timeout, "the simulated device stalled mid-transfer and sent nothing within \(timeout)")
        case .disconnect:
            unplugged = true
            queue.removeAll()
            throw PTPError(.disconnected, "the simulated device was unplugged")
        case .bytes(let bytes, let from):
            let count = min(buffer.count, bytes.count - from)
            bytes.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + from, byteCount: count)
            }
            if from + count == bytes.count { queue.removeFirst() } else { queue[0] = .bytes(bytes, from: from + count) }
            return count
        case .pattern(let offset, let end):
            let count = Int(min(UInt64(buffer.count), end - offset))
            var done = 0
            Self.patternBlock.withUnsafeBytes { block in
                while done < count {
                    let start = Int((offset + UInt64(done)) % 251)
                    let piece = min(count - done, block.count - start)
                    (buffer.baseAddress! + done).copyMemory(from: block.baseAddress! + start, byteCount: piece)
                    done += piece
                }
            }
            if offset + UInt64(count) == end {
                queue.removeFirst()
            } else {
                queue[0] = .pattern(offset: offset + UInt64(count), end: end)
            }
            return count
        }
    }

    public func interruptIn(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(PTPError) -> Int {
        guard !unplugged else { throw PTPError(.disconnected, "the simulated device is unplugged") }
        guard !events.isEmpty else { throw PTPError(.timeout, "no event within \(timeout)") }
        let bytes = events.removeFirst().encoded
        let count = min(bytes.count, buffer.count)
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        return count
    }

    /// How many times ``reset()`` was called.
    public private(set) var resets = 0

    /// What the still-image class request Device Reset does to a device: whatever it was sending is dropped, a
    /// stall ends, and the session is closed, so the host can open a new one.
    public func reset() {
        resets += 1
        queue.removeAll()
        sessionOpen = false
        pendingDataOut = nil
    }

    // MARK: - Responder

    private func handle(_ command: PTPParameterContainer) {
        let operation = PTPOperationCode(rawValue: command.code)
        let transactionID = command.transactionID
        if faults.contains(where: { if case .stall(operation) = $0 { true } else { false } }) { return }
        let isSessionless = operation == .openSession || (operation == .getDeviceInfo && !sessionOpen)
        if isSessionless ? transactionID != 0 : transactionID != expectedTransactionID {
            respond(operation, transactionID, .invalidTransactionID)
            return
        }
        if !isSessionless { expectedTransactionID = transactionID &+ 1 }
        if !sessionOpen, !isSessionless {
            respond(operation, transactionID, .sessionNotOpen)
            return
        }
        let parameter = { (index: Int) -> UInt32 in index < command.parameters.count ? command.parameters[index] : 0 }
        switch operation {
        case .openSession:
            guard !sessionOpen else { return respond(operation, transactionID, .sessionAlreadyOpen) }
            sessionOpen = true
            expectedTransactionID = 1
            respond(operation, transactionID, .ok)
        case .closeSession:
            sessionOpen = false
            respond(operation, transactionID, .ok)
        case .getDeviceInfo:
            sendDataset(operation, transactionID, (try? deviceInfo.encoded()) ?? [])
        case .getStorageIDs:
            var storages = [UInt32]()
            for handle in order where !storages.contains(objects[handle]!.storage) {
                storages.append(objects[handle]!.storage)
            }
            var writer = PTPDataWriter()
            writer.array(storages.isEmpty ? [0x0001_0001] : storages)
            sendDataset(operation, transactionID, writer.bytes)
        case .getObjectHandles:
            let storage = parameter(0)
            let parent = parameter(2)
            let handles = order.filter { handle in
                let object = objects[handle]!
                return (storage == 0xFFFF_FFFF || object.storage == storage)
                    && (parent == 0 || object.parent == (parent == 0xFFFF_FFFF ? 0 : parent))
            }
            var writer = PTPDataWriter()
            writer.array(handles)
            sendDataset(operation, transactionID, writer.bytes)
        case .getObjectInfo:
            guard let object = objects[parameter(0)] else {
                return respond(operation, transactionID, .invalidObjectHandle)
            }
            let info = PTPObjectInfo(
                storageID: object.storage, format: object.isFolder ? PTPCode.formatAssociation : 0x300B,
                compressedSize: object.size >= 0xFFFF_FFFF ? PTPCode.sizeBeyondUInt32 : UInt32(object.size),
                parent: object.parent, fileName: object.name, captureDate: object.modificationDate,
                modificationDate: object.modificationDate)
            sendDataset(operation, transactionID, (try? info.encoded()) ?? [])
        case .getObjectPropList:
            guard let object = objects[parameter(0)], parameter(2) == UInt32(PTPCode.objectPropertySize) else {
                return respond(operation, transactionID, .invalidObjectHandle)
            }
            let list = PTPObjectPropertyList(elements: [
                .init(
                    handle: object.handle, property: PTPCode.objectPropertySize, value: .unsigned(object.size, .uint64))
            ])
            sendDataset(operation, transactionID, (try? list.encoded()) ?? [])
        case .getDevicePropValue:
            guard parameter(0) == UInt32(PTPCode.propertyDateTime), let dateTime else {
                return respond(operation, transactionID, .devicePropNotSupported)
            }
            var writer = PTPDataWriter()
            try? writer.string(dateTime)
            sendDataset(operation, transactionID, writer.bytes)
        case .deleteObject:
            guard let object = objects[parameter(0)] else {
                return respond(operation, transactionID, .invalidObjectHandle)
            }
            guard !protectedHandles.contains(object.handle) else {
                return respond(operation, transactionID, .objectWriteProtected)
            }
            objects[object.handle] = nil
            order.removeAll { $0 == object.handle }
            deletedHandles.append(object.handle)
            respond(operation, transactionID, .ok)
        case .setDevicePropValue:
            pendingDataOut = (transactionID, parameter(0))  // answered once its data phase has arrived
        case .getObject:
            guard let object = objects[parameter(0)], !object.isFolder else {
                return respond(operation, transactionID, .invalidObjectHandle)
            }
            sendData(operation, transactionID, size: object.size, handle: object.handle) { from, to in
                switch object.content {
                case .bytes(let bytes): .bytes(Array(bytes[Int(from)..<Int(to)]), from: 0)
                case .pattern: .pattern(offset: from, end: to)
                }
            }
        default:
            respond(operation, transactionID, .operationNotSupported)
        }
    }

    /// The data phase of SetDevicePropValue: a DateTime string becomes the clock; anything else is refused.
    private func receiveDateTime(_ payload: [UInt8], _ pending: (transactionID: UInt32, property: UInt32)) {
        let operation = PTPOperationCode.setDevicePropValue
        guard pending.property == UInt32(PTPCode.propertyDateTime), dateTime != nil else {
            return respond(operation, pending.transactionID, .devicePropNotSupported)
        }
        var reader = PTPDataReader(payload, context: "DateTime")
        guard let text = try? reader.string("DateTime"), (try? reader.expectEnd()) != nil,
            (try? PTPDateTime(text)) != nil
        else {
            return respond(operation, pending.transactionID, .invalidDevicePropValue)
        }
        dateTime = text
        dateTimeWrites.append(text)
        respond(operation, pending.transactionID, .ok)
    }

    private func sendDataset(_ operation: PTPOperationCode, _ transactionID: UInt32, _ payload: [UInt8]) {
        sendData(operation, transactionID, size: UInt64(payload.count)) { from, to in
            .bytes(Array(payload[Int(from)..<Int(to)]), from: 0)
        }
    }

    /// Queues a data container of `size` payload bytes (made by `slice`), then the OK response, with the faults.
    private func sendData(
        _ operation: PTPOperationCode, _ transactionID: UInt32, size: UInt64, handle: UInt32? = nil,
        slice: (UInt64, UInt64) -> Segment
    ) {
        var header = PTPContainerHeader.data(
            code: operation.rawValue, transactionID: transactionID, payloadLength: size)
        for fault in faults {
            switch fault {
            case .dataLength(operation, let declared):
                header.length = declared
            case .dataTransactionID(operation):
                header.transactionID &+= 1
            default: break
            }
        }
        queue.append(.bytes(header.encoded, from: 0))
        let cut = faults.lazy.compactMap { fault -> UInt64? in
            if case .disconnect(operation, let after, let only) = fault, only == nil || only == handle {
                min(after, size)
            } else {
                nil
            }
        }.first
        if let cut {
            if cut > 0 { queue.append(slice(0, cut)) }
            queue.append(.disconnect)
            return
        }
        let stall = faults.firstIndex { fault in
            if case .stallObject(let object, _, let times) = fault, operation == .getObject, object == handle {
                times > 0
            } else {
                false
            }
        }
        if let stall, case .stallObject(let object, let after, let times) = faults[stall] {
            faults[stall] = .stallObject(object, afterBytes: after, times: times - 1)
            let cut = min(after, size)
            if cut > 0 { queue.append(slice(0, cut)) }
            queue.append(.stall)
            return
        }
        if size > 0 { queue.append(slice(0, size)) }
        respond(operation, transactionID, .ok)
    }

    private func respond(_ operation: PTPOperationCode, _ transactionID: UInt32, _ code: PTPResponseCode) {
        var response = (try? PTPParameterContainer(type: .response, code: code.rawValue, transactionID: transactionID))!
        var bytes = response.encoded
        for fault in faults {
            switch fault {
            case .responseTransactionID(operation):
                response.transactionID &+= 1
                bytes = response.encoded
            case .responseLength(operation):
                bytes =
                    PTPContainerHeader(
                        length: 13, type: .response, code: code.rawValue, transactionID: response.transactionID
                    ).encoded + [0]
            default: break
            }
        }
        queue.append(.bytes(bytes, from: 0))
    }
}
