import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP connection to 127.0.0.1 written byte by byte as a test wants, for requests no well-behaved client sends:
/// headers one byte at a time, requests never finished, garbage instead of HTTP.
final class RawConnection {
    let descriptor: Int32

    /// Connects to `port` on loopback. A read waits at most `receiveTimeout` seconds, so a test cannot hang on a
    /// server that neither answers nor closes (a guard, not a measurement).
    init(port: UInt16, receiveTimeout: Int = 30, receiveBuffer: Int32? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.init(rawValue: errno) ?? .ECONNREFUSED)
        }
    }

    deinit { close(descriptor) }

    /// Sends `bytes`; returns false once the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads at most `limit` bytes (fewer at the end of the stream); empty when the server closed.
    func read(upTo limit: Int = 65_536) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, limit, 0) }
            if count < 0, errno == EINTR { continue }
            return count <= 0 ? [] : Array(buffer[..<count])
        }
    }

    /// Reads one HTTP/1.1 response with a `Content-Length` (the listener's answers have one); returns the status and
    /// body, or nil when the server closed the connection first.
    func readResponse(chunk: Int = 65_536) -> (status: Int, body: [UInt8])? {
        var data = [UInt8]()
        var headerEnd: Int?
        var length = 0
        while true {
            if headerEnd == nil, let end = data.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                headerEnd = end
                let head = String(decoding: data[..<end], as: UTF8.self).lowercased()
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let headerEnd, data.count >= headerEnd + length {
                let statusLine = String(decoding: data.prefix(while: { $0 != 13 }), as: UTF8.self)
                let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
                return (status, Array(data[headerEnd..<headerEnd + length]))
            }
            let more = read(upTo: chunk)
            if more.isEmpty { return nil }
            data += more
        }
    }

    /// One GET with a bearer token on a fresh connection; the status and body, or nil when the server closed.
    static func get(port: UInt16, _ path: String, token: String) throws -> (status: Int, body: [UInt8])? {
        let connection = try RawConnection(port: port)
        connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
        return connection.readResponse()
    }
}
