public import CustodyManifest
import Foundation
import HTTPTypes
public import Hummingbird
import ServiceLifecycle

/// `GET /v1/events`: the manifest's entries as server-sent events as they are appended (shared/DESIGN.md "HTTP";
/// the HTML Living Standard, "Server-sent events"), so that the case system need not poll `/v1/entries`.
///
/// Each event is `id: INDEX` and `data:` the entry exactly as one element of `/v1/entries` gives it. A client
/// resumes with `Last-Event-ID` (the last index it has) or `?after=N`; without either, the stream starts at the
/// entries appended from now on. `custody` appends from other processes, so the stream polls the manifest's size
/// every `pollInterval` rather than waiting on an in-process signal. It reads at most `batch` entries at a time
/// and waits for each write to be taken by the connection, so a slow client holds at most one batch in memory.
/// A comment line keeps an idle connection open through proxies; the stream ends when custodyd shuts down.
public struct EventRoutes: Sendable {
    let store: ManifestStore
    /// How often the stream looks for new entries.
    public let pollInterval: Duration
    /// How long a stream stays silent before it sends a `: keep-alive` comment.
    public let keepAliveInterval: Duration
    /// The most entries read from the manifest at once.
    public let batch: Int

    /// Streams the entries of `store`; defaults: poll every second, keep-alive every 15 seconds, 100 entries a read.
    public init(
        store: ManifestStore, pollInterval: Duration = .seconds(1), keepAliveInterval: Duration = .seconds(15),
        batch: Int = 100
    ) {
        self.store = store
        self.pollInterval = pollInterval
        self.keepAliveInterval = keepAliveInterval
        self.batch = batch
    }

    /// The header a reconnecting `EventSource` sends with the last `id` it received.
    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    /// Adds `GET /v1/events`.
    public func register(on router: Router<CustodyRequestContext>) {
        router.get("v1/events") { request, context in try self.events(request, context) }
    }

    func events(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        try context.require(.readFeed)
        let start: UInt64
        if let lastID = request.headers[Self.lastEventID] {
            guard let last = UInt64(lastID.trimmingCharacters(in: .whitespaces)) else {
                throw HTTPError(.badRequest, message: "Last-Event-ID must be the index of the last entry received")
            }
            start = last + 1
        } else if let after = request.uri.queryParameters.get("after") {
            guard let last = UInt64(after) else {
                throw HTTPError(.badRequest, message: "after must be the index of the last entry received (0 or more)")
            }
            start = last + 1
        } else {
            start = try manifest { () throws(ManifestError) in try self.store.size() }
        }
        // `max` ends the stream after that many events: for a consumer that catches up and leaves, and for tests.
        let remaining = request.uri.queryParameters.get("max", as: Int.self)
        if let remaining, remaining < 1 {
            throw HTTPError(.badRequest, message: "max must be 1 or more, or left out for an endless stream")
        }
        let store = self.store
        let (pollInterval, keepAliveInterval, batch) = (self.pollInterval, self.keepAliveInterval, self.batch)
        let body = ResponseBody { writer in
            var next = start
            var remaining = remaining
            var silentSince = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            streaming: while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let size = try store.size()
                if next < size {
                    let limit = min(batch, Int(size - next), remaining ?? Int.max)
                    for entry in try store.entries(start: next, limit: limit) {
                        let data = String(decoding: CanonicalJSON.encode(entry.feedValue), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "id: \(entry.index)\ndata: \(data)\n\n"))
                        next = entry.index + 1
                        if let count = remaining {
                            remaining = count - 1
                            if count == 1 { break streaming }
                        }
                    }
                    silentSince = .now
                    continue
                }
                if ContinuousClock.now - silentSince >= keepAliveInterval {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    silentSince = .now
                }
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
                } catch {
                    break streaming
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: body)
    }
}
