import Glibc

/// A page-aligned buffer, as O_DIRECT reads and writes require.
final class AlignedBuffer: @unchecked Sendable {
    static let alignment = 4096
    let pointer: UnsafeMutableRawPointer
    let capacity: Int
    /// The number of valid bytes.
    var count = 0

    init(capacity: Int) {
        var raw: UnsafeMutableRawPointer?
        precondition(posix_memalign(&raw, Self.alignment, capacity) == 0, "cannot allocate an aligned buffer")
        pointer = raw!
        self.capacity = capacity
    }

    deinit { free(pointer) }

    var full: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: pointer, count: capacity) }
    var valid: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }
}
