public import CustodyCore
public import Foundation
import Synchronization

/// The tokens file as custodyd sees it: re-read whenever its size or modification time changes, so that
/// `custody tokens add` and `custody tokens revoke` take effect on the next request without a restart.
public final class TokenSource: Sendable {
    private struct Snapshot {
        var register = TokenRegister()
        var stamp: FileStamp?
        var problem: TokenRegisterError?
    }

    private struct FileStamp: Equatable {
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        var inode: UInt64
    }

    /// The tokens file.
    public let url: URL
    private let snapshot = Mutex(Snapshot())

    /// Watches the tokens file at `url`.
    public init(url: URL) {
        self.url = url
    }

    /// The current register; a file that cannot be read refuses every token (fail closed) and is reported once per
    /// change through `problem`.
    public func register() -> (TokenRegister, TokenRegisterError?) {
        let stamp = Self.stamp(of: url)
        return snapshot.withLock { current in
            if current.stamp != stamp || (stamp == nil && !current.register.tokens.isEmpty) {
                do throws(TokenRegisterError) {
                    current.register = try TokenRegister.load(from: url)
                    current.problem = nil
                } catch {
                    current.register = TokenRegister()
                    current.problem = error
                }
                current.stamp = stamp
            }
            return (current.register, current.problem)
        }
    }

    private static func stamp(of url: URL) -> FileStamp? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        return FileStamp(
            size: Int64(info.st_size), modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec,
            inode: UInt64(info.st_ino))
    }
}
