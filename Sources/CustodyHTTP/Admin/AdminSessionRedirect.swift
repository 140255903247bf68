public import Hummingbird

/// Sends a browser without a valid session to the login form: a 401 on an `/admin` path becomes a 303 to
/// `/admin/login`. The API (`/v1`, `/metrics`) keeps its 401 with the bearer challenge.
public struct AdminSessionRedirect: RouterMiddleware {
    public typealias Context = CustodyRequestContext

    /// Redirects for paths under `/admin`.
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard path == "/admin" || path.hasPrefix("/admin/") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .unauthorized {
            var response = Response.redirect(to: "/admin/login", type: .normal)
            if request.cookies[TokenAuthenticator.sessionCookie] != nil {
                // The cookie's token is unknown or revoked: drop it so the form starts clean.
                response.setCookie(AdminRoutes.sessionCookie(value: "", secure: false, expired: true))
            }
            return response
        }
    }
}
