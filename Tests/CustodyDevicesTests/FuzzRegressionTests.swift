import CustodyDevices
import CustodyTesting
import Foundation
import Testing

/// Every kept fuzz input of the PTP codec, the seed corpus and the crashers found (`Fuzz/corpus/ptp`,
/// `Fuzz/regressions/ptp`), replayed through the very check the libFuzzer target runs, so that a regression fails
/// `make test` without the fuzzer runtime (docs/fuzzing.md).
@Suite struct FuzzRegressionTests {
    @Test func ptpInputsKeepTheCodecsInvariants() throws {
        try FuzzInputs.replay("ptp", minimum: PTPCodecFuzzCheck.Decoder.allCases.count, PTPCodecFuzzCheck.check)
    }

    /// Valid containers and datasets, one or more for each decoder: the seeds, and the check's own test.
    static func seeds() throws -> [(name: String, input: [UInt8])] {
        typealias C = PTPCodecFuzzCheck
        let command = try PTPParameterContainer(
            type: .command, code: 0x1007, transactionID: 0x0102_0304, parameters: [0xFFFF_FFFF, 0, 0x8000_0001])
        let event = try PTPParameterContainer(type: .event, code: 0x4002, transactionID: 9, parameters: [7])
        let deviceInfo = PTPDeviceInfo(
            vendorExtensionID: 6, vendorExtensionDescription: "microsoft.com: 1.0;",
            operationsSupported: [0x1001, 0x9805],
            manufacturer: "Custody", model: "BWC-V8 执法记录仪", deviceVersion: "1.2.3", serialNumber: "BWC0001")
        let objectInfo = PTPObjectInfo(
            storageID: 0x0001_0001, format: 0x300B, compressedSize: 1_048_576, parent: 3,
            fileName: "BWC0001_64000123_20261129161530_0001.MP4", captureDate: "20261129T161530",
            modificationDate: "20261129T161530.5+0800")
        let list = PTPObjectPropertyList(elements: [
            .init(handle: 7, property: 0xDC07, value: .string("CLIP0001.MP4")),
            .init(handle: 7, property: 0xDC04, value: .unsigned(5_000_000_000, .uint64)),
            .init(handle: 7, property: 0xDC0B, value: .unsigned(3, .uint32)),
            .init(handle: 7, property: 0xDC41, value: .wide(Array(0..<16), .uint128)),
            .init(handle: 8, property: 0xDC44, value: .signed(-2, .int16)),
        ])
        return [
            ("command", C.input(.parameterContainer, command.encoded)),
            ("event", C.input(.parameterContainer, event.encoded)),
            (
                "data-header",
                C.input(
                    .containerHeader,
                    PTPContainerHeader.data(code: 0x1009, transactionID: 4, payloadLength: 1 << 33).encoded)
            ),
            ("device-info", C.input(.deviceInfo, try deviceInfo.encoded())),
            ("object-info", C.input(.objectInfo, try objectInfo.encoded())),
            ("object-prop-list", C.input(.objectPropertyList, try list.encoded())),
            ("date-time", C.input(.dateTime, Array("20261129T161530.5-0130".utf8))),
        ]
    }

    /// The check is not vacuous: each valid seed decodes and round-trips without a report.
    @Test func checkAcceptsEveryValidSeed() throws {
        for seed in try Self.seeds() { #expect(PTPCodecFuzzCheck.check(seed.input) == nil, "\(seed.name)") }
    }

    /// Writes the seed corpus when `CUSTODY_FUZZ_WRITE_SEEDS=1`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CUSTODY_FUZZ_WRITE_SEEDS"] == "1"))
    func writeSeedCorpus() throws {
        let folder = FuzzInputs.folder.appendingPathComponent("corpus/ptp")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for seed in try Self.seeds() { try Data(seed.input).write(to: folder.appendingPathComponent(seed.name)) }
    }
}
