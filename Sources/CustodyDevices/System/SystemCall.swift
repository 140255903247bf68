import Glibc

/// The one place where C calls are retried on EINTR and a failure becomes a ``DeviceError`` with its errno
/// (shared/STYLE.md habit 5).
enum SystemCall {
    /// Calls `body` until it does not fail with EINTR; returns its result or throws `code` with `what` and errno.
    @discardableResult
    static func retrying<T: BinaryInteger>(
        _ code: DeviceError.Code, _ what: @autoclosure () -> String, _ body: () -> T
    ) throws(DeviceError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let error = Glibc.errno
            if error == EINTR { continue }
            throw DeviceError(code, "\(what()): \(describe(error))", errno: error)
        }
    }

    /// The text of an errno value.
    static func describe(_ error: Int32) -> String {
        String(cString: strerror(error))
    }
}
