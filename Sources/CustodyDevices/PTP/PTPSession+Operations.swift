public import CustodyCore
public import Foundation

extension PTPSession {
    /// OpenSession (ISO 15740 §10.5.2), with transaction ID 0; later transactions count from 1.
    public func openSession(id: UInt32 = 1) throws(PTPError) {
        guard sessionID == nil else { throw PTPError(.sessionState, "a PTP session is already open") }
        guard id != 0 else { throw PTPError(.sessionState, "session ID 0 is reserved") }
        _ = try transaction(.openSession, [id], expectsData: false)
        sessionID = id
        nextTransactionID = 1
    }

    /// CloseSession (ISO 15740 §10.5.3).
    public func closeSession() throws(PTPError) {
        _ = try transaction(.closeSession, expectsData: false)
        sessionID = nil
    }

    /// GetDeviceInfo (ISO 15740 §10.5.1), in or outside a session.
    public func deviceInfo() throws(PTPError) -> PTPDeviceInfo {
        try PTPDeviceInfo(decoding: try transaction(.getDeviceInfo, expectsData: true).data ?? [])
    }

    /// GetStorageIDs (ISO 15740 §10.5.4).
    public func storageIDs() throws(PTPError) -> [UInt32] {
        var reader = PTPDataReader(try transaction(.getStorageIDs, expectsData: true).data ?? [], context: "StorageIDs")
        let ids = try reader.array(UInt32.self, "StorageIDs")
        try reader.expectEnd()
        return ids
    }

    /// GetObjectHandles (ISO 15740 §10.5.7): every object of `storage` (0xFFFFFFFF: all storages), of `format`
    /// (0: any), under `parent` (0: anywhere; 0xFFFFFFFF: the root only).
    public func objectHandles(storage: UInt32, format: UInt16 = 0, parent: UInt32 = 0) throws(PTPError) -> [UInt32] {
        let data = try transaction(.getObjectHandles, [storage, UInt32(format), parent], expectsData: true).data
        var reader = PTPDataReader(data ?? [], context: "ObjectHandles")
        let handles = try reader.array(UInt32.self, "ObjectHandles")
        try reader.expectEnd()
        return handles
    }

    /// GetObjectInfo (ISO 15740 §10.5.8).
    public func objectInfo(_ handle: UInt32) throws(PTPError) -> PTPObjectInfo {
        try PTPObjectInfo(
            decoding: try transaction(.getObjectInfo, [handle], expectsData: true).data ?? [],
            context: "ObjectInfo of object \(handle)")
    }

    /// MTP GetObjectPropList (MTP 1.1 Appendix D.2.1) for one property of one object (depth 0).
    public func objectPropertyList(_ handle: UInt32, property: UInt16) throws(PTPError) -> PTPObjectPropertyList {
        let data = try transaction(.getObjectPropList, [handle, 0, UInt32(property), 0, 0], expectsData: true).data
        return try PTPObjectPropertyList(decoding: data ?? [])
    }

    /// An object's size: ObjectCompressedSize, or, when that reads 0xFFFFFFFF (4 GiB or more), the MTP ObjectSize
    /// property from GetObjectPropList.
    public func objectSize(_ handle: UInt32, info: PTPObjectInfo) throws(PTPError) -> UInt64 {
        guard info.compressedSize == PTPCode.sizeBeyondUInt32 else { return UInt64(info.compressedSize) }
        let list = try objectPropertyList(handle, property: PTPCode.objectPropertySize)
        let sizes = list.elements.filter { $0.handle == handle && $0.property == PTPCode.objectPropertySize }
        guard sizes.count == 1, case .unsigned(let size, .uint64) = sizes[0].value else {
            throw PTPError(
                .malformedDataset, "object \(handle): the ObjectPropList does not hold exactly one UINT64 ObjectSize")
        }
        return size
    }

    /// GetDevicePropValue (ISO 15740 §10.5.21): the property's value bytes.
    public func devicePropertyValue(_ property: UInt16) throws(PTPError) -> [UInt8] {
        try transaction(.getDevicePropValue, [UInt32(property)], expectsData: true).data ?? []
    }

    /// DeleteObject (ISO 15740 §10.5.11) of one object, any format. A refusal (e.g. ObjectWriteProtected) is a
    /// ``PTPError/Code/response`` and leaves the session usable.
    public func deleteObject(_ handle: UInt32) throws(PTPError) {
        _ = try transaction(.deleteObject, [handle, 0], expectsData: false)
    }

    /// SetDevicePropValue (ISO 15740 §10.5.22): writes the property's value bytes in a data-out phase.
    public func setDevicePropertyValue(_ property: UInt16, _ value: [UInt8]) throws(PTPError) {
        _ = try transaction(.setDevicePropValue, [UInt32(property)], dataOut: value)
    }

    /// Sets the device's clock: SetDevicePropValue DateTime (0x5011) to `value`, a PTP string.
    public func setDateTime(_ value: PTPDateTime) throws(PTPError) {
        var writer = PTPDataWriter()
        try writer.string(value.description)
        try setDevicePropertyValue(PTPCode.propertyDateTime, writer.bytes)
    }

    /// The device's clock: GetDevicePropValue DateTime (0x5011), a PTP string.
    public func dateTime() throws(PTPError) -> PTPDateTime {
        var reader = PTPDataReader(try devicePropertyValue(PTPCode.propertyDateTime), context: "DateTime")
        let text = try reader.string("DateTime")
        try reader.expectEnd()
        return try PTPDateTime(text)
    }

    /// The recorder clock minus the station clock, in seconds: reads DateTime and calls `stationNow` right after
    /// the response. A DateTime without an offset is read at `localOffset`.
    public func clockOffset(
        localOffset: TimeZoneOffset, stationNow: () -> Date = { Date() }
    ) throws(PTPError) -> TimeInterval {
        let recorder = try dateTime().date(assuming: localOffset)
        return recorder.timeIntervalSince(stationNow())
    }

    /// GetObject (ISO 15740 §10.5.9), streamed: the data phase flows to `sink` in chunks of at most
    /// ``Configuration/chunkBytes``, never held whole. `size` is the object's size (``objectSize(_:info:)``); a
    /// data phase of another size is ``PTPError/Code/sizeMismatch``.
    public func getObject(
        _ handle: UInt32, size: UInt64, sink: (UnsafeRawBufferPointer) throws(PTPError) -> Void
    ) throws(PTPError) {
        let reader = try openObject(handle, size: size)
        let chunk = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(1, configuration.chunkBytes), alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = try reader.read(into: chunk)
            if count == 0 { return }
            do {
                try sink(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            } catch {
                reader.abandon(because: error.message)
                throw error
            }
        }
    }

    /// Starts GetObject and returns a reader of its data phase; the session runs no other transaction until the
    /// reader has returned 0 (response checked) or is abandoned.
    public func openObject(_ handle: UInt32, size: UInt64) throws(PTPError) -> PTPObjectReader {
        let transactionID = try begin(.getObject, [handle])
        do throws(PTPError) {
            let header = try receiveHeader()
            if header.type == .response {
                _ = try receiveResponse(header, .getObject, transactionID)
                throw PTPError(.unexpectedContainer, "GetObject of object \(handle) answered OK without data")
            }
            try check(header, .data, .getObject, transactionID)
            let declared = UInt64(header.length)
            let matches =
                header.length == PTPContainerHeader.unknownLength
                ? size + UInt64(PTPContainerHeader.size) >= declared
                : declared - UInt64(PTPContainerHeader.size) == size
            guard matches else {
                throw PTPError(
                    .sizeMismatch,
                    "GetObject of object \(handle): the data container declares \(header.length) bytes "
                        + "for an object of \(size) bytes")
            }
            state = .streaming
            return PTPObjectReader(session: self, handle: handle, transactionID: transactionID, size: size)
        } catch {
            if error.code != .response { state = .broken(error.message) }
            throw error
        }
    }

    /// Reads the next event container from the interrupt pipe (USB SIC §7.2), or nil when none comes within the
    /// timeout.
    public func nextEvent() throws(PTPError) -> PTPParameterContainer? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: PTPContainerHeader.size + 12, alignment: 8)
        defer { buffer.deallocate() }
        let count: Int
        do throws(PTPError) {
            count = try transport.interruptIn(into: buffer, timeout: configuration.timeout)
        } catch {
            if error.code == .timeout { return nil }
            throw error
        }
        let bytes = Array(buffer)
        let event = try PTPParameterContainer(decoding: Array(bytes.prefix(count)))
        guard event.type == .event else {
            throw PTPError(.unexpectedContainer, "the interrupt pipe carried a \(event.type) container")
        }
        return event
    }
}
