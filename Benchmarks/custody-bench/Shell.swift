import Foundation
import Glibc

/// The outside tools the harness compares with, and the page cache.
enum Shell {
    /// Runs `arguments[0]` (looked up in PATH) with the rest, discarding its output; fails unless it exits 0.
    static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("\(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }

    /// Writes back dirty pages and empties the page cache, dentries and inodes (root only).
    static func dropCaches() throws {
        sync()
        guard let handle = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") else {
            throw BenchError("cannot open /proc/sys/vm/drop_caches: the cold-cache cases need root")
        }
        defer { try? handle.close() }
        try handle.write(contentsOf: Data("3\n".utf8))
    }

    /// The size of the file at `url`.
    static func size(of url: URL) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Reads a file to the end (into the page cache).
    static func warm(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BenchError("cannot open \(url.path)") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        while read(fd, buffer, 1 << 20) > 0 {}
    }
}
