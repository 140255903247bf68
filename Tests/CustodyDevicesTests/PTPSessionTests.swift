import CustodyCore
import Foundation
import Testing

@testable import CustodyDevices

/// The PTP session layer against the simulated responder over its in-memory pipe: every operation, transaction
/// IDs, objects beyond 4 GiB streamed without being held, and each way a recorder misbehaves.
@Suite struct PTPSessionTests {
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static func openSession(_ responder: PTPSimulatedResponder, chunkBytes: Int = 1 << 20) throws -> PTPSession {
        var configuration = PTPSession.Configuration()
        configuration.chunkBytes = chunkBytes
        let session = PTPSession(transport: responder, configuration: configuration)
        try session.openSession()
        return session
    }

    static func read(_ session: PTPSession, _ handle: UInt32, size: UInt64) throws(PTPError) -> [UInt8] {
        var out = [UInt8]()
        try session.getObject(handle, size: size) { chunk in out += chunk }
        return out
    }

    @Test func aWholeSessionListsManyObjectsAndReadsThemWithIncreasingTransactionIDs() throws {
        var objects: [PTPSimulatedResponder.Object] = [.folder(1, "DCIM")]
        var contents = [UInt32: [UInt8]]()
        for handle in UInt32(2)...501 {
            let content = Self.bytes(Int(handle) * 37 % 5000, seed: UInt64(handle))
            contents[handle] = content
            objects.append(.file(handle, "CLIP\(handle).MP4", .bytes(content), parent: 1))
        }
        let responder = PTPSimulatedResponder(objects: objects)
        let session = PTPSession(transport: responder)

        let info = try session.deviceInfo()
        #expect(info.serialNumber == "SIM0001")
        try session.openSession(id: 7)
        #expect(try session.storageIDs() == [0x0001_0001])
        let handles = try session.objectHandles(storage: 0x0001_0001)
        #expect(handles == Array(1...501))
        #expect(try session.objectHandles(storage: 0xFFFF_FFFF, parent: 0xFFFF_FFFF) == [1])
        let folder = try session.objectInfo(1)
        #expect(folder.isFolder && folder.fileName == "DCIM")
        for handle in handles.dropFirst() {
            let objectInfo = try session.objectInfo(handle)
            #expect(objectInfo.fileName == "CLIP\(handle).MP4")
            #expect(objectInfo.parent == 1)
            let size = try session.objectSize(handle, info: objectInfo)
            #expect(try Self.read(session, handle, size: size) == contents[handle])
        }
        try session.closeSession()

        // GetDeviceInfo and OpenSession carry transaction 0; then 1, 2, 3 … without a gap.
        let ids = responder.commands.map(\.transactionID)
        #expect(ids.prefix(2) == [0, 0])
        #expect(Array(ids.dropFirst(2)) == Array(1...UInt32(ids.count - 2)))
        #expect(responder.commands[1].parameters == [7])
    }

    @Test func anObjectBeyondFourGiBIsSizedByItsPropertyListAndStreamedInChunks() throws {
        let size: UInt64 = (1 << 32) + 1000
        let responder = PTPSimulatedResponder(objects: [.file(9, "BIG.MP4", .pattern(size: size))])
        let session = try Self.openSession(responder)

        let info = try session.objectInfo(9)
        #expect(info.compressedSize == PTPCode.sizeBeyondUInt32)
        #expect(try session.objectSize(9, info: info) == size)

        var total: UInt64 = 0
        var largestChunk = 0
        var mismatches = 0
        try PTPSimulatedResponder.patternBlock.withUnsafeBytes { block in
            try session.getObject(9, size: size) { chunk in
                largestChunk = max(largestChunk, chunk.count)
                // Compare with the pattern at this offset, 251 × k bytes at a time (memcmp).
                var done = 0
                while done < chunk.count {
                    let start = Int((total + UInt64(done)) % 251)
                    let piece = min(chunk.count - done, block.count - start)
                    if memcmp(chunk.baseAddress! + done, block.baseAddress! + start, piece) != 0 { mismatches += 1 }
                    done += piece
                }
                total += UInt64(chunk.count)
            }
        }
        #expect(total == size)
        #expect(mismatches == 0)
        #expect(largestChunk <= 1 << 20)
        // The data container declared 0xFFFFFFFF, and the session is usable afterwards.
        #expect(try session.storageIDs() == [0x0001_0001])
    }

    @Test func aSmallObjectsDataContainerDeclaringUnknownLengthIsASizeMismatch() throws {
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes([1, 2, 3]))])
        responder.faults = [.dataLength(.getObject, declared: 0xFFFF_FFFF)]
        let session = try Self.openSession(responder)
        #expect(
            performing: { try Self.read(session, 2, size: 3) }, throws: { ($0 as? PTPError)?.code == .sizeMismatch })
        #expect(session.isBroken)
    }

    @Test func aDataContainerOfAnotherSizeThanTheObjectIsASizeMismatch() throws {
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes(Self.bytes(100, seed: 1)))])
        responder.faults = [.dataLength(.getObject, declared: 12 + 99)]
        let session = try Self.openSession(responder)
        #expect(
            performing: { try Self.read(session, 2, size: 100) }, throws: { ($0 as? PTPError)?.code == .sizeMismatch })
    }

    @Test func aDataContainerShorterThanItsHeaderIsAContainerLengthError() throws {
        let responder = PTPSimulatedResponder()
        responder.faults = [.dataLength(.getStorageIDs, declared: 5)]
        let session = try Self.openSession(responder)
        #expect(performing: { try session.storageIDs() }, throws: { ($0 as? PTPError)?.code == .containerLength })
        #expect(session.isBroken)
        // A broken session refuses everything until the device is reset.
        #expect(
            performing: { try session.objectHandles(storage: 0xFFFF_FFFF) },
            throws: { ($0 as? PTPError)?.code == .sessionState })
    }

    @Test func aDatasetDeclaredBeyondTheCapIsRefusedBeforeAllocating() throws {
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes([1]))])
        responder.faults = [.dataLength(.getObjectInfo, declared: 0xFFFF_FFF0)]
        let session = try Self.openSession(responder)
        #expect(performing: { try session.objectInfo(2) }, throws: { ($0 as? PTPError)?.code == .datasetTooLarge })
    }

    @Test func aResponseOfWrongLengthIsAContainerLengthError() throws {
        let responder = PTPSimulatedResponder()
        responder.faults = [.responseLength(.getStorageIDs)]
        let session = try Self.openSession(responder)
        #expect(performing: { try session.storageIDs() }, throws: { ($0 as? PTPError)?.code == .containerLength })
    }

    @Test func aResponseWithAnotherTransactionIDIsRefused() throws {
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes([1]))])
        responder.faults = [.responseTransactionID(.getObjectInfo)]
        let session = try Self.openSession(responder)
        #expect(performing: { try session.objectInfo(2) }, throws: { ($0 as? PTPError)?.code == .transactionID })
        #expect(session.isBroken)
    }

    @Test func aDataContainerWithAnotherTransactionIDIsRefused() throws {
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes([1, 2]))])
        responder.faults = [.dataTransactionID(.getObject)]
        let session = try Self.openSession(responder)
        #expect(
            performing: { try Self.read(session, 2, size: 2) }, throws: { ($0 as? PTPError)?.code == .transactionID })
    }

    @Test func anObjectsResponseWithAnotherTransactionIDFailsAfterItsData() throws {
        let content = Self.bytes(3000, seed: 4)
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes(content))])
        responder.faults = [.responseTransactionID(.getObject)]
        let session = try Self.openSession(responder, chunkBytes: 1000)
        var received = [UInt8]()
        #expect(
            performing: { try session.getObject(2, size: 3000) { received += $0 } },
            throws: { ($0 as? PTPError)?.code == .transactionID })
        #expect(received == content)  // delivered, but the ingest never sees an end-of-file
    }

    @Test func aStalledResponderTimesOut() throws {
        let responder = PTPSimulatedResponder()
        responder.faults = [.stall(.getStorageIDs)]
        let session = try Self.openSession(responder)
        #expect(performing: { try session.storageIDs() }, throws: { ($0 as? PTPError)?.code == .timeout })
        #expect(session.isBroken)
    }

    @Test func aRecorderUnpluggedMidObjectStopsWithTheBytesDone() throws {
        let content = Self.bytes(3 << 20, seed: 5)
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes(content))])
        responder.faults = [.disconnect(.getObject, afterBytes: (1 << 20) + 7)]
        let session = try Self.openSession(responder, chunkBytes: 64 << 10)
        var received = [UInt8]()
        do {
            try session.getObject(2, size: UInt64(content.count)) { received += $0 }
            Issue.record("an unplugged recorder delivered the whole object")
        } catch {
            #expect(error.code == .disconnected)
            #expect(error.message.contains("after 1048583 of 3145728 bytes"), "\(error)")
        }
        #expect(received == Array(content.prefix((1 << 20) + 7)))
        #expect(performing: { try session.storageIDs() }, throws: { ($0 as? PTPError)?.code == .sessionState })
    }

    @Test func aRefusedOperationLeavesTheSessionUsable() throws {
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes([1]))])
        let session = try Self.openSession(responder)
        do {
            _ = try session.objectInfo(99)
            Issue.record("no such object, yet ObjectInfo succeeded")
        } catch {
            #expect(error.code == .response)
            #expect(error.responseCode == PTPResponseCode.invalidObjectHandle.rawValue)
        }
        #expect(!session.isBroken)
        #expect(try session.objectInfo(2).fileName == "A.MP4")
    }

    @Test func objectOperationsNeedAnOpenSession() {
        let session = PTPSession(transport: PTPSimulatedResponder())
        #expect(performing: { try session.storageIDs() }, throws: { ($0 as? PTPError)?.code == .sessionState })
    }

    @Test func anotherTransactionWhileAnObjectIsOpenIsRefused() throws {
        let responder = PTPSimulatedResponder(objects: [.file(2, "A.MP4", .bytes([1, 2, 3]))])
        let session = try Self.openSession(responder)
        let reader = try session.openObject(2, size: 3)
        #expect(performing: { try session.storageIDs() }, throws: { ($0 as? PTPError)?.code == .sessionState })
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } == 3)
        #expect(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } == 0)
        #expect(try session.storageIDs() == [0x0001_0001])
    }

    @Test func eventsArriveOnTheInterruptPipe() throws {
        let responder = PTPSimulatedResponder()
        responder.events = [
            try PTPParameterContainer(type: .event, code: 0x4002, transactionID: 0xFFFF_FFFF, parameters: [5])
        ]
        let session = PTPSession(transport: responder)
        let event = try #require(try session.nextEvent())
        #expect(event.code == 0x4002 && event.parameters == [5])
        #expect(try session.nextEvent() == nil)
    }

    // MARK: - Clock (GetDevicePropValue DateTime 0x5011)

    static let station = Date(timeIntervalSince1970: 1_795_996_800)  // 2026-11-30T00:00:00Z

    @Test(arguments: [0, 4, -4, 3601, -7217, 3 * 86_400 + 59])
    func clockOffsetIsRecorderMinusStationForALocalTimeClock(seconds: Int) throws {
        let responder = PTPSimulatedResponder()
        let plus8 = TimeZoneOffset("+08:00")!
        // The recorder writes local wall time: shift by +8 h the way the device would.
        responder.dateTime =
            PTPDateTime(
                date: Self.station.addingTimeInterval(Double(seconds) + 8 * 3600), offset: nil
            ).description
        let session = try Self.openSession(responder)
        #expect(try session.clockOffset(localOffset: plus8, stationNow: { Self.station }) == Double(seconds))
    }

    @Test func clockWithAnExplicitOffsetIgnoresTheModelsOffset() throws {
        let responder = PTPSimulatedResponder()
        responder.dateTime = "20261129T193002.5-0430"  // 2026-11-30T00:00:02.5Z
        let session = try Self.openSession(responder)
        #expect(try session.clockOffset(localOffset: TimeZoneOffset("+08:00")!, stationNow: { Self.station }) == 2.5)
    }

    @Test func aMalformedClockIsADateTimeError() throws {
        let responder = PTPSimulatedResponder()
        responder.dateTime = "2026-11-30 08:00"
        let session = try Self.openSession(responder)
        #expect(performing: { try session.dateTime() }, throws: { ($0 as? PTPError)?.code == .dateTime })
        responder.dateTime = nil
        #expect(performing: { try session.dateTime() }, throws: { ($0 as? PTPError)?.responseCode == 0x200A })
    }
}
