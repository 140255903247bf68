import Foundation

/// The command line of one `custody-bench` subcommand: `--name value` options and nothing else.
struct Arguments {
    private var options: [String: String] = [:]

    init(_ words: ArraySlice<String>) throws {
        var words = words
        while let word = words.popFirst() {
            guard word.hasPrefix("--"), let value = words.popFirst() else {
                throw BenchError("expected --name value pairs, found \"\(word)\"")
            }
            options[String(word.dropFirst(2))] = value
        }
    }

    /// The text of option `name`, or `fallback` if given, else an error.
    func string(_ name: String, default fallback: String? = nil) throws -> String {
        guard let value = options[name] ?? fallback else { throw BenchError("--\(name) is required") }
        return value
    }

    /// Option `name` as a path.
    func url(_ name: String) throws -> URL { URL(fileURLWithPath: try string(name)) }

    /// Option `name` as an integer (underscores allowed: 1_000_000).
    func int(_ name: String, default fallback: Int? = nil) throws -> Int {
        guard let text = options[name] else {
            guard let fallback else { throw BenchError("--\(name) is required") }
            return fallback
        }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw BenchError("--\(name) must be an integer, not \(text)")
        }
        return value
    }

    /// Option `name` as a comma-separated list of integers.
    func ints(_ name: String, default fallback: [Int]? = nil) throws -> [Int] {
        guard let text = options[name] else {
            guard let fallback else { throw BenchError("--\(name) is required") }
            return fallback
        }
        return try text.split(separator: ",").map { part in
            guard let value = Int(part.replacingOccurrences(of: "_", with: "")) else {
                throw BenchError("--\(name) must list integers, not \(text)")
            }
            return value
        }
    }

    /// Option `name` as a comma-separated list of words.
    func strings(_ name: String) throws -> [String] {
        try string(name).split(separator: ",").map(String.init)
    }
}

/// A benchmark that cannot run, and why.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
