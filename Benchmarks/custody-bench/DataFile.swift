import Foundation
import Glibc

/// Incompressible stand-in footage: a xorshift stream, so every file is distinct and nothing compresses or dedups.
enum DataFile {
    /// Writes `size` bytes seeded by `seed` to `url` (replacing it).
    static func write(_ url: URL, size: Int, seed: UInt64) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = 4 << 20
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: chunk / 8)
        defer { words.deallocate() }
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var left = size
        while left > 0 {
            for index in words.indices {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                words[index] = state
            }
            let count = min(left, chunk)
            var done = 0
            while done < count {
                let written = Glibc.write(fd, UnsafeRawPointer(words.baseAddress!) + done, count - done)
                guard written > 0 else { throw BenchError("writing \(url.path) failed: \(String(cString: strerror(errno)))") }
                done += written
            }
            left -= count
        }
    }
}
