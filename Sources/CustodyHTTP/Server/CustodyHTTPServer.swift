public import CustodyCore
public import CustodyManifest
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL

/// What custodyd's HTTP listener serves from: the configuration, the manifest, the tokens, the footage.
public struct HTTPDependencies: Sendable {
    /// The `[http]` table.
    public var configuration: HTTPConfiguration
    /// The manifest. custodyd passes its own (writable) store: writes and footage reads become entries through it.
    public var store: ManifestStore
    /// The bearer tokens.
    public var tokens: TokenSource
    /// The content store's objects.
    public var footage: any FootageLocator
    /// The station's docked recorders and their progress, as custodyd last published them (nil when unknown).
    public var status: @Sendable () -> StationStatus?
    /// The logger of the listener; requests log under it with `caller.name` metadata, never a token.
    public var logger: Logger
    /// How often `GET /v1/events` looks for new entries (one second; the tests shorten it).
    public var eventPollInterval: Duration = .seconds(1)
    /// The upload window (`[upload] window_hours`, Art 23), for the late-and-overdue admin page.
    public var uploadWindow: UploadWindow

    /// Collects the dependencies.
    public init(
        configuration: HTTPConfiguration, store: ManifestStore, tokens: TokenSource, footage: any FootageLocator,
        status: @escaping @Sendable () -> StationStatus? = { nil }, logger: Logger,
        uploadWindow: UploadWindow = UploadWindow(hours: 24)
    ) {
        self.configuration = configuration
        self.store = store
        self.tokens = tokens
        self.footage = footage
        self.status = status
        self.logger = logger
        self.uploadWindow = uploadWindow
    }
}

/// Builds custodyd's HTTP listener: one router with the feed, footage, writes, admin pages and metrics behind
/// token authentication (docs/http.md).
public enum CustodyHTTPServer {
    /// Paths served without a token: the admin login form (it sets the session cookie) and a liveness probe.
    public static let publicPaths = ["/healthz", "/admin/login"]

    /// How long a connection may sit without a complete request before it is closed. Without it a client that opens
    /// connections and never finishes a request (a slowloris) holds them for ever (issue 9, "HTTP under load").
    public static let idleTimeout = TimeAmount.seconds(30)

    /// Request header limits: 16 KiB per field and in all, 100 fields. A bearer token and a session cookie take well
    /// under 1 KiB; larger headers are refused by the HTTP decoder and the connection closed.
    public static let headerLimits = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 16 * 1024, maxHeaderFieldCount: 100)

    /// The router with every route and the authentication middleware.
    public static func router(_ dependencies: HTTPDependencies) -> Router<CustodyRequestContext> {
        let router = Router(context: CustodyRequestContext.self)
        router.add(middleware: ErrorLoggingMiddleware())
        router.add(middleware: AdminSessionRedirect())  // an /admin page without a session: 303 to the login form
        router.add(middleware: RequestSizeLimitMiddleware(maxBodyBytes: dependencies.configuration.maxBodyBytes))
        router.add(
            middleware: TokenAuthenticator(
                tokens: dependencies.tokens, maxBodyBytes: dependencies.configuration.maxBodyBytes,
                publicPaths: publicPaths))
        router.get("healthz") { _, _ in Response.text("ok\n") }
        FeedRoutes(store: dependencies.store).register(on: router)
        let footageReads = FootageReadCounter()
        ClipRoutes(store: dependencies.store, footage: dependencies.footage, onRead: { footageReads.increment() })
            .register(on: router)
        EventRoutes(store: dependencies.store, pollInterval: dependencies.eventPollInterval).register(on: router)
        MetricsRoutes(store: dependencies.store, status: dependencies.status, footageReads: footageReads)
            .register(on: router)
        CaseLinkRoutes(store: dependencies.store).register(on: router)
        HoldRoutes(store: dependencies.store).register(on: router)
        GapExplanationRoutes(store: dependencies.store).register(on: router)
        AdminRoutes(dependencies: dependencies).register(on: router)
        return router
    }

    /// The application (a `Service`): listens on `http.host:http.port`, with TLS when configured.
    ///
    /// `onRunning` receives the port actually bound (useful with port 0).
    public static func application(
        _ dependencies: HTTPDependencies, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let configuration = dependencies.configuration
        let server: HTTPServerBuilder
        let http1 = HTTP1Channel.Configuration(idleTimeout: idleTimeout, httpDecoderConfiguration: headerLimits)
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsPrivateKey {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate.path).map { NIOSSLCertificateSource.certificate($0) }
                let privateKey = try NIOSSLPrivateKey(file: key.path, format: .pem)
                let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
                server = try .tls(.http1(configuration: http1), tlsConfiguration: tls)
            } catch {
                throw ConfigurationError(
                    "cannot load the TLS certificate \(certificate.path) and key \(key.path): \(error); "
                        + "give PEM files readable by custodyd")
            }
        } else {
            server = .http1(configuration: http1)
        }
        return Application(
            router: router(dependencies), server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "custodyd"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: dependencies.logger)
    }
}
