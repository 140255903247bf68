public import Foundation
import Testing

/// The kept fuzz inputs of the repository's `Fuzz` folder (seed corpora and crashers), replayed by each module's
/// `FuzzRegressionTests` through the same check its libFuzzer target runs (docs/fuzzing.md).
public enum FuzzInputs {
    /// The repository's `Fuzz` folder, found from this file's path.
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// Every file in the corpus and regression folders of `name`, with its path relative to `Fuzz`.
    public static func inputs(_ name: String) throws -> [(path: String, bytes: [UInt8])] {
        var inputs = [(path: String, bytes: [UInt8])]()
        for kind in ["corpus", "regressions"] {
            let folder = folder.appendingPathComponent(kind).appendingPathComponent(name)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in files.sorted() where !file.hasPrefix(".") {
                let data = try Data(contentsOf: folder.appendingPathComponent(file))
                inputs.append(("\(kind)/\(name)/\(file)", Array(data)))
            }
        }
        return inputs
    }

    /// Replays `name`'s inputs through `check`, recording each broken invariant with the file that broke it.
    public static func replay(_ name: String, minimum: Int, _ check: ([UInt8]) -> String?) throws {
        let inputs = try inputs(name)
        #expect(inputs.count >= minimum, "expected at least \(minimum) inputs under Fuzz/*/\(name)")
        for input in inputs {
            if let violation = check(input.bytes) { Issue.record("Fuzz/\(input.path): \(violation)") }
        }
    }
}
