import CustodyIngest
import CustodyTesting
import Foundation
import Testing

/// Every kept fuzz input of the MP4 reader, the seed corpus and the crashers found (`Fuzz/corpus/mp4`,
/// `Fuzz/regressions/mp4`), replayed through the very check the libFuzzer target runs, so that a regression fails
/// `make test` without the fuzzer runtime (docs/fuzzing.md).
@Suite struct FuzzRegressionTests {
    @Test func mp4InputsKeepTheReadersPromises() throws {
        try FuzzInputs.replay("mp4", minimum: MP4ReaderFuzzTests.seeds.count, MP4ReaderFuzzCheck.check)
    }

    /// The check is not vacuous: every layout the reader knows probes cleanly, twice, within the cap.
    @Test func checkAcceptsEveryValidLayout() {
        for seed in MP4ReaderFuzzTests.seeds { #expect(MP4ReaderFuzzCheck.check(seed) == nil) }
    }

    /// Writes the seed corpus when `CUSTODY_FUZZ_WRITE_SEEDS=1`: the small files of every layout the reader knows.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CUSTODY_FUZZ_WRITE_SEEDS"] == "1"))
    func writeSeedCorpus() throws {
        let folder = FuzzInputs.folder.appendingPathComponent("corpus/mp4")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (position, seed) in MP4ReaderFuzzTests.seeds.enumerated() {
            try Data(seed).write(to: folder.appendingPathComponent("layout-\(position).mp4"))
        }
    }
}
