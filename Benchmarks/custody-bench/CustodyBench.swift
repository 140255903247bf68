import CustodyCore
import Foundation

/// `custody-bench`: the benchmark harness of issue 10, driven by `Benchmarks/run.sh` (`make bench`).
///
/// Each subcommand measures one family of cases and appends its samples to `--results` (a TSV file);
/// `report` turns them into `docs/benchmarks.md`.
@main
enum CustodyBench {
    static let usage = """
        usage: custody-bench SUBCOMMAND --option value …
          make-file   --path P --size BYTES --seed N
          files       --source MOUNT --labels L1,L2 --work DIR --caches warm,cold [--rounds 5 --warmups 1] --results R
          rss         --file F --label L --work DIR --results R
          ingest-one  --file F --work DIR
          throttled   --rate BYTES_PER_S --label L --single FILE --many DIR --work DIR [--rounds 3] --results R
                      [--trace TSV --concurrent-files N]
          concurrent-one --data DIR --count N [--rate BYTES_PER_S] --work DIR [--trace TSV --concurrent-files N]
          concurrent  --data DIR --recorders 1,2,8,32 [--rate BYTES_PER_S] --label L --work DIR [--rounds 3] --results R
          manifest    --work DIR --sizes 10000,100000,1000000 [--batch 10000 --grow-batch 100000 --rounds 3
                      --proofs 1000 --singles 200] --results R
          report      --results R --machine FILE --notes FILE --commands FILE --out docs/benchmarks.md
        """

    static func main() {
        let words = CommandLine.arguments.dropFirst()
        guard let command = words.first else {
            print(usage)
            exit(2)
        }
        do {
            let arguments = try Arguments(words.dropFirst())
            let log = { () throws -> ResultLog in ResultLog(url: try arguments.url("results")) }
            switch command {
            case "make-file":
                try DataFile.write(
                    try arguments.url("path"), size: try arguments.int("size"), seed: UInt64(try arguments.int("seed")))
            case "files": try FileCases(arguments, log: try log()).run()
            case "rss": try MemoryCase.run(arguments, log: try log())
            case "ingest-one": try MemoryCase.ingestOne(arguments)
            case "throttled": try ThrottledCases(arguments, log: try log()).run()
            case "concurrent": try ConcurrentCases(arguments, log: try log()).run()
            case "concurrent-one": try ConcurrentCases.one(arguments)
            case "manifest": try ManifestCases(arguments, log: try log()).run()
            case "report":
                var report = try Report(arguments)
                try report.render().write(to: try arguments.url("out"), atomically: true, encoding: .utf8)
            default:
                print(usage)
                exit(2)
            }
        } catch {
            FileHandle.standardError.write(Data("custody-bench \(command): \(error)\n".utf8))
            exit(1)
        }
    }
}
