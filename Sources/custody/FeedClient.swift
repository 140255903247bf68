import CustodyManifest
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A blocking HTTP GET client for a station's feed (docs/http.md), over Foundation's URLSession, sending the bearer
/// token and never printing it.
final class FeedClient {
    /// A request that could not be answered: the network failed or the station refused it.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let base: URL
    private let token: String?
    private let session: URLSession

    /// A client of the station at `base` (e.g. `http://127.0.0.1:8440`), sending `token` when given.
    init(base: URL, token: String?, timeout: TimeInterval = 30) {
        self.base = base
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Fetches `request` and returns the body of a 200 answer.
    func fetch(_ request: FeedFollower.Request) throws(Failure) -> [UInt8] {
        let text = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        guard let url = URL(string: text + request.path) else {
            throw Failure(description: "\(base.absoluteString) is not a usable URL; give the station's base URL")
        }
        var urlRequest = URLRequest(url: url)
        if let token { urlRequest.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: urlRequest) { data, response, error in
            box.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, status, error) = box.get()
        let place = "\(url.host ?? "the station")\(url.port.map { ":\($0)" } ?? "") \(request.path)"
        if let error {
            throw Failure(
                description: "cannot reach \(place): \(error.localizedDescription); check the URL and that custodyd "
                    + "is running and listening there")
        }
        let body = Array(data ?? Data())
        switch status {
        case 200: return body
        case 401:
            throw Failure(
                description: "the station refused the token (401) for \(place): give a valid one with --token or "
                    + "CUSTODY_TOKEN (an administrator creates it with `custody tokens add --role caseSystem`)")
        case 403:
            throw Failure(
                description: "the token's role may not read the feed (403) at \(place): use a caseSystem, auditor or "
                    + "admin token")
        default:
            let message = (try? CanonicalJSON.decode(body))?["error"]?["message"]?.stringValue
                ?? String(decoding: body.prefix(200), as: UTF8.self)
            throw Failure(description: "the station answered \(status ?? 0) to \(place): \(message)")
        }
    }
}

/// Carries a URLSession completion's results to the waiting thread.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var status: Int?
    private var error: (any Error)?

    func set(data: Data?, status: Int?, error: (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        (self.data, self.status, self.error) = (data, status, error)
    }

    func get() -> (Data?, Int?, (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        return (data, status, error)
    }
}
