import Glibc

/// The one place where C calls are retried on EINTR and a failure becomes an ``IngestError`` with its errno
/// (shared/STYLE.md habit 5).
enum SystemCall {
    /// Calls `body` until it does not fail with EINTR; returns its result or throws `code` with `what` and errno.
    @discardableResult
    static func retrying<T: BinaryInteger>(
        _ code: IngestError.Code, _ what: @autoclosure () -> String, _ body: () -> T
    ) throws(IngestError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let error = Glibc.errno
            if error == EINTR { continue }
            throw IngestError(code, "\(what()): \(describe(error))", errno: error)
        }
    }

    /// The text of an errno value.
    static func describe(_ error: Int32) -> String {
        String(cString: strerror(error))
    }
}

/// A file descriptor that closes itself.
final class FileDescriptor: @unchecked Sendable {
    let rawValue: Int32

    init(_ rawValue: Int32) { self.rawValue = rawValue }

    deinit { close(rawValue) }
}
