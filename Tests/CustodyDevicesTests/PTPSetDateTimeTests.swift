import CustodyCore
import Foundation
import Testing

@testable import CustodyDevices

/// SetDevicePropValue DateTime (0x5011), the one data-out phase: byte-exact containers after ISO 15740 §10.5.22
/// and USB Still Image Capture Device Definition §7.1, the clock taken by the simulated responder, and refusals
/// that leave the session usable.
@Suite struct PTPSetDateTimeTests {
    /// Records what the session sends before passing it on.
    final class RecordingTransport: PTPTransport {
        let base: PTPSimulatedResponder
        var sent: [[UInt8]] = []

        init(_ base: PTPSimulatedResponder) { self.base = base }

        func bulkOut(_ bytes: [UInt8], timeout: Duration) throws(PTPError) {
            sent.append(bytes)
            try base.bulkOut(bytes, timeout: timeout)
        }

        func bulkIn(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(PTPError) -> Int {
            try base.bulkIn(into: buffer, timeout: timeout)
        }

        func interruptIn(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(PTPError) -> Int {
            try base.interruptIn(into: buffer, timeout: timeout)
        }
    }

    @Test func setDateTimeSendsTheCommandThenOneDataContainerAndTheDeviceTakesTheClock() throws {
        let responder = PTPSimulatedResponder(objects: [])
        let transport = RecordingTransport(responder)
        let session = PTPSession(transport: transport)
        try session.openSession()
        try session.setDateTime(try PTPDateTime("20261130T101112"))

        // Command: length 16, type 1, code 0x1016, transaction 1, parameter 0x5011.
        #expect(transport.sent[1] == [16, 0, 0, 0, 1, 0, 0x16, 0x10, 1, 0, 0, 0, 0x11, 0x50, 0, 0])
        // Data: length 12 + 1 + 16 × 2 = 45, type 2, code 0x1016, transaction 1, then the PTP string: a count of
        // 16 UCS-2 units (15 characters and the NUL), little-endian.
        let text: [UInt8] = Array("20261130T101112".utf8).flatMap { [$0, 0] } + [0, 0]
        let header: [UInt8] = [45, 0, 0, 0, 2, 0, 0x16, 0x10, 1, 0, 0, 0, 16]
        #expect(transport.sent[2] == header + text)
        #expect(transport.sent.count == 3)
        #expect(responder.dateTimeWrites == ["20261130T101112"])
        #expect(try session.dateTime().description == "20261130T101112")
        #expect(session.nextTransactionID == 3)
    }

    @Test func aRefusedClockLeavesTheSessionUsable() throws {
        let responder = PTPSimulatedResponder(objects: [])
        responder.dateTime = nil  // the device has no DateTime property
        let session = PTPSession(transport: responder)
        try session.openSession()
        #expect(
            performing: { try session.setDateTime(try PTPDateTime("20261130T101112")) },
            throws: { ($0 as? PTPError)?.responseCode == PTPResponseCode.devicePropNotSupported.rawValue })
        #expect(!session.isBroken)
        #expect(responder.dateTimeWrites.isEmpty)
        _ = try session.storageIDs()
    }

    @Test func aDataPhaseOverTheCapIsRefusedBeforeAnythingIsSent() throws {
        let responder = PTPSimulatedResponder(objects: [])
        var configuration = PTPSession.Configuration()
        configuration.maximumDatasetBytes = 8
        let transport = RecordingTransport(responder)
        let session = PTPSession(transport: transport, configuration: configuration)
        try session.openSession()
        #expect(
            performing: {
                try session.setDevicePropertyValue(PTPCode.propertyDateTime, [UInt8](repeating: 1, count: 9))
            },
            throws: { ($0 as? PTPError)?.code == .datasetTooLarge })
        #expect(transport.sent.count == 1)
        #expect(!session.isBroken)
    }
}
