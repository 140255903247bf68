public import CustodyCore
public import Hummingbird
import Logging

/// Checks the bearer token of every request outside the public paths and puts the caller in the context.
///
/// A request without a token, or with an unknown or revoked one, is 401 with a `WWW-Authenticate` header. The
/// token is read from `Authorization: Bearer …`, or, for the admin pages in a browser, from the
/// `custody_session` cookie that `/admin/login` sets. Tokens never reach a log: only the token's name does.
public struct TokenAuthenticator: RouterMiddleware {
    public typealias Context = CustodyRequestContext

    /// The name of the cookie that carries a token for the admin pages.
    public static let sessionCookie = "custody_session"

    let tokens: TokenSource
    let maxBodyBytes: Int
    /// Path prefixes served without a token.
    let publicPaths: [String]

    /// Authenticates against `tokens`; `publicPaths` (exact paths, or prefixes ending in `/`) need no token.
    public init(tokens: TokenSource, maxBodyBytes: Int, publicPaths: [String]) {
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.publicPaths = publicPaths
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.maxBodyBytes = maxBodyBytes
        let path = request.uri.path
        if publicPaths.contains(where: { $0.hasSuffix("/") ? path.hasPrefix($0) : path == $0 }) {
            return try await next(request, context)
        }
        guard let presented = Self.presentedToken(request) else {
            throw Self.unauthorized("this needs a bearer token: send `Authorization: Bearer <token>` (`custody tokens add`)")
        }
        let (register, problem) = tokens.register()
        if let problem {
            context.logger.error("tokens file unreadable; refusing every token", metadata: ["error": "\(problem.message)"])
        }
        guard let token = register.authenticate(presented) else {
            context.logger.notice("request with an unknown or revoked token refused", metadata: ["http.path": "\(path)"])
            throw Self.unauthorized("the token is unknown or revoked; ask an administrator for a new one")
        }
        context.caller = Caller(token)
        context.logger[metadataKey: "caller.name"] = "\(token.name)"
        context.logger[metadataKey: "caller.role"] = "\(token.role.rawValue)"
        return try await next(request, context)
    }

    static func presentedToken(_ request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
        if let cookie = request.cookies[sessionCookie]?.value, !cookie.isEmpty {
            return cookie
        }
        return nil
    }

    static func unauthorized(_ message: String) -> HTTPError {
        HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"custody\""], message: message)
    }
}

extension CustodyRequestContext {
    /// The caller, if its role allows `permission`; otherwise 401 (no caller) or 403 (wrong role).
    @discardableResult
    public func require(_ permission: AccessPermission) throws -> Caller {
        guard let caller else { throw TokenAuthenticator.unauthorized("this needs a bearer token") }
        guard caller.allows(permission) else {
            throw HTTPError(
                .forbidden, message: "the token \"\(caller.name)\" (role \(caller.role.rawValue)) may not do this")
        }
        return caller
    }

    /// The caller, if its role allows any of `permissions`; otherwise 401 or 403.
    @discardableResult
    public func require(anyOf permissions: [AccessPermission]) throws -> Caller {
        guard let caller else { throw TokenAuthenticator.unauthorized("this needs a bearer token") }
        guard permissions.contains(where: caller.allows) else {
            throw HTTPError(
                .forbidden, message: "the token \"\(caller.name)\" (role \(caller.role.rawValue)) may not do this")
        }
        return caller
    }
}
