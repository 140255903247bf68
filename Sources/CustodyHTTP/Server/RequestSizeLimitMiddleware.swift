public import Hummingbird

/// Refuses a request whose declared body is larger than `http.max_body_bytes` with 413, before authentication and
/// before any route reads it, so an oversized upload costs the station no memory (issue 9, "HTTP under load and
/// abuse"). Bodies without a `Content-Length` are bounded where a route collects them (`maxUploadSize`).
public struct RequestSizeLimitMiddleware: RouterMiddleware {
    public typealias Context = CustodyRequestContext

    let maxBodyBytes: Int

    /// Refuses bodies declared larger than `maxBodyBytes`.
    public init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBodyBytes {
            throw HTTPError(
                .contentTooLarge,
                message: "the request body is \(declared) bytes; this station accepts at most \(maxBodyBytes) "
                    + "(http.max_body_bytes)")
        }
        return try await next(request, context)
    }
}
