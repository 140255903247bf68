import CustodyIngest
import CustodyTesting
import Foundation
import Testing

/// Every kept fuzz input of the MP4 reader, the seed corpus and the crashers found (`Fuzz/corpus/mp4`,
/// `Fuzz/regressions/mp4`), replayed through the very check the libFuzzer target runs, so that a regression fails
/// `make test` without the fuzzer runtime (docs/fuzzing.md).
@Suite struct FuzzRegressionTests {
    /// The repository's `Fuzz` folder, found from this file's path.
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// Every file in the corpus and regression folders of `name`, with its path relative to `Fuzz`.
    static func inputs(_ name: String) throws -> [(path: String, bytes: [UInt8])] {
        var inputs = [(path: String, bytes: [UInt8])]()
        for kind in ["corpus", "regressions"] {
            let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(name)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in files.sorted() where !file.hasPrefix(".") {
                let data = try Data(contentsOf: folder.appendingPathComponent(file))
                inputs.append(("\(kind)/\(name)/\(file)", Array(data)))
            }
        }
        return inputs
    }

    /// Replays `name`'s inputs through `check`, recording each broken invariant with the file that broke it.
    static func replay(_ name: String, minimum: Int, _ check: ([UInt8]) -> String?) throws {
        let inputs = try inputs(name)
        #expect(inputs.count >= minimum, "expected at least \(minimum) inputs under Fuzz/*/\(name)")
        for input in inputs {
            if let violation = check(input.bytes) { Issue.record("Fuzz/\(input.path): \(violation)") }
        }
    }

    @Test func mp4InputsKeepTheReadersPromises() throws {
        try Self.replay("mp4", minimum: MP4ReaderFuzzTests.seeds.count, MP4ReaderFuzzCheck.check)
    }

    /// The check is not vacuous: every layout the reader knows probes cleanly, twice, within the cap.
    @Test func checkAcceptsEveryValidLayout() {
        for seed in MP4ReaderFuzzTests.seeds { #expect(MP4ReaderFuzzCheck.check(seed) == nil) }
    }

    /// Writes the seed corpus when `CUSTODY_FUZZ_WRITE_SEEDS=1`: the small files of every layout the reader knows.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CUSTODY_FUZZ_WRITE_SEEDS"] == "1"))
    func writeSeedCorpus() throws {
        let folder = Self.fuzzFolder.appendingPathComponent("corpus/mp4")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (position, seed) in MP4ReaderFuzzTests.seeds.enumerated() {
            try Data(seed).write(to: folder.appendingPathComponent("layout-\(position).mp4"))
        }
    }
}
