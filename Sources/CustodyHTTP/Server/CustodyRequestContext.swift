public import Hummingbird

/// The per-request context of custodyd's routes: Hummingbird's core storage plus the authenticated caller.
public struct CustodyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who sent the request, once `TokenAuthenticator` has checked its token; nil before that or for public routes.
    public var caller: Caller?
    /// The largest request body a route decodes (`http.max_body_bytes`), set by `TokenAuthenticator`.
    public var maxBodyBytes = 65_536

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { maxBodyBytes }
}
