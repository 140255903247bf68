public import Hummingbird
import Logging

/// Logs every request that ends in a server error (5xx), with its path and the caller's name, never a token.
/// Client errors (4xx) are logged at debug level: a scanner on the network should not flood the journal.
public struct ErrorLoggingMiddleware: RouterMiddleware {
    public typealias Context = CustodyRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            if error.status.code >= 500 {
                context.logger.error(
                    "request failed", metadata: ["http.path": "\(request.uri.path)", "http.status": "\(error.status.code)"])
            } else {
                context.logger.debug(
                    "request refused", metadata: ["http.path": "\(request.uri.path)", "http.status": "\(error.status.code)"])
            }
            throw error
        } catch {
            context.logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            throw HTTPError(.internalServerError, message: "the request failed on the station; see custodyd's log")
        }
    }
}
