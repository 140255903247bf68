import CustodyCore
import CustodyManifest
import Foundation
public import Hummingbird

/// The administrators' and auditors' pages under `/admin` (Art 24, 29, 31; docs/http.md "Admin pages"): the
/// ingest log, recorders and bays, a clip with its proof, gaps to explain, late and overdue, and the compliance
/// summary, rendered on the server and usable without JavaScript. Each page needs `readAdminPages`.
public struct AdminRoutes: Sendable {
    let dependencies: HTTPDependencies

    /// Serves the pages from `dependencies`' manifest, tokens and station status.
    public init(dependencies: HTTPDependencies) {
        self.dependencies = dependencies
    }

    var store: ManifestStore { dependencies.store }

    /// Adds the routes under `/admin`.
    public func register(on router: Router<CustodyRequestContext>) {
        let admin = router.group("admin")
        admin.get("login") { _, _ in self.loginForm(error: nil, status: .ok) }
        admin.post("login") { request, context in try await self.login(request, context) }
        admin.post("logout") { _, _ in self.logout() }
        admin.get("/") { request, context in try self.ingestLog(request, context) }
        admin.get("log") { request, context in try self.ingestLog(request, context) }
        admin.get("recorders") { _, context in try self.recorders(context) }
        admin.get("clips/:sha256") { request, context in try self.clip(request, context) }
        admin.get("gaps") { request, context in try self.gaps(request, context) }
        admin.get("late") { _, context in try self.late(context) }
        admin.get("compliance") { request, context in try self.compliance(request, context) }
    }

    // MARK: Session

    /// The session cookie: HttpOnly, SameSite=Strict, only sent to `/admin`, Secure when the listener has TLS.
    static func sessionCookie(value: String, secure: Bool, expired: Bool = false) -> Cookie {
        Cookie(
            name: TokenAuthenticator.sessionCookie, value: value, maxAge: expired ? 0 : nil, path: "/admin",
            secure: secure, httpOnly: true, sameSite: .strict)
    }

    func loginForm(error: String?, status: HTTPResponse.Status) -> Response {
        AdminRenderer.render(
            LoginPage.name, title: "Sign in", current: "", caller: nil, model: LoginPage(error: error), status: status)
    }

    func login(_ request: Request, _ context: CustodyRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let form = String(buffer: body)
        let token = Self.formValue("token", in: form)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let (register, _) = dependencies.tokens.register()
        guard !token.isEmpty, let accepted = register.authenticate(token) else {
            context.logger.notice("admin sign-in with an unknown or revoked token refused")
            return loginForm(
                error: "That token is unknown or revoked. Paste the whole token that \"custody tokens add\" printed.",
                status: .unauthorized)
        }
        guard accepted.role.allows(.readAdminPages) else {
            context.logger.notice(
                "admin sign-in refused for the token's role", metadata: ["caller.name": "\(accepted.name)"])
            return loginForm(
                error: "The token \(accepted.name) (role \(accepted.role.rawValue)) may not read the admin pages; "
                    + "use an admin or auditor token.",
                status: .forbidden)
        }
        context.logger.info("admin signed in", metadata: ["caller.name": "\(accepted.name)"])
        var response = Response.redirect(to: "/admin/", type: .normal)
        response.setCookie(Self.sessionCookie(value: token, secure: dependencies.configuration.usesTLS))
        return response
    }

    func logout() -> Response {
        var response = Response.redirect(to: "/admin/login", type: .normal)
        response.setCookie(Self.sessionCookie(value: "", secure: dependencies.configuration.usesTLS, expired: true))
        return response
    }

    /// The value of `name` in an `application/x-www-form-urlencoded` body.
    static func formValue(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    // MARK: Pages

    func page<Model>(_ name: String, title: String, current: String, _ caller: Caller, _ model: Model) -> Response {
        AdminRenderer.render(name, title: title, current: current, caller: caller.name, model: model)
    }

    func ingestLog(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        let caller = try context.require(.readAdminPages)
        let query = request.uri.queryParameters
        let filter = IngestLogPage.Filter(
            recorder: query.get("recorder").flatMap { $0.isEmpty ? nil : $0 },
            officer: query.get("officer").flatMap { $0.isEmpty ? nil : $0 },
            date: query.get("date").flatMap { $0.isEmpty ? nil : $0 })
        if let date = filter.date, AdminFormat.day(date) == nil {
            throw HTTPError(.badRequest, message: "date must be a UTC day, YYYY-MM-DD")
        }
        let before = query.get("before", as: UInt64.self)
        let model = try manifest { () throws(ManifestError) in
            try IngestLogPage.build(store: store, filter: filter, before: before)
        }
        return page(IngestLogPage.name, title: "Ingest log", current: "/admin/", caller, model)
    }

    func recorders(_ context: CustodyRequestContext) throws -> Response {
        let caller = try context.require(.readAdminPages)
        let model = try manifest { () throws(ManifestError) in
            try RecordersPage.build(store: store, status: dependencies.status(), now: Date())
        }
        return page(RecordersPage.name, title: "Recorders and bays", current: "/admin/recorders", caller, model)
    }

    func clip(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        let caller = try context.require(.readAdminPages)
        let digest = context.parameters.get("sha256") ?? ""
        guard SHA256Hash(hex: digest) != nil, digest == digest.lowercased() else {
            throw HTTPError(.badRequest, message: "a clip is named by its SHA-256: 64 lowercase hex digits")
        }
        let model = try manifest { () throws(ManifestError) in try ClipPage.build(store: store, sha256: digest) }
        guard let model else {
            throw HTTPError(.notFound, message: "no clip with this SHA-256 was ingested on this station")
        }
        return page(ClipPage.name, title: "Clip", current: "", caller, model)
    }

    func gaps(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        let caller = try context.require(.readAdminPages)
        let query = request.uri.queryParameters
        let openOnly = query.get("open") == "1"
        let model = try manifest { () throws(ManifestError) in
            try GapsPage.build(store: store, openOnly: openOnly)
        }
        return page(GapsPage.name, title: "Gaps to explain", current: "/admin/gaps", caller, model)
    }

    func late(_ context: CustodyRequestContext) throws -> Response {
        let caller = try context.require(.readAdminPages)
        let model = try manifest { () throws(ManifestError) in
            try LatePage.build(store: store, window: dependencies.uploadWindow, now: Date())
        }
        return page(LatePage.name, title: "Late clips and overdue recorders", current: "/admin/late", caller, model)
    }

    func compliance(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        let caller = try context.require(.readAdminPages)
        let query = request.uri.queryParameters
        let now = Date()
        let to =
            try query.get("to").flatMap { $0.isEmpty ? nil : $0 }.map { text in
                guard let day = AdminFormat.day(text) else {
                    throw HTTPError(.badRequest, message: "to must be a UTC day, YYYY-MM-DD")
                }
                return day.addingTimeInterval(86_400)
            } ?? AdminFormat.day(String(RFC3339.format(now).prefix(10)))!.addingTimeInterval(86_400)
        let from =
            try query.get("from").flatMap { $0.isEmpty ? nil : $0 }.map { text in
                guard let day = AdminFormat.day(text) else {
                    throw HTTPError(.badRequest, message: "from must be a UTC day, YYYY-MM-DD")
                }
                return day
            } ?? to.addingTimeInterval(-30 * 86_400)
        guard from < to else { throw HTTPError(.badRequest, message: "from must be on or before to") }
        let model = try manifest { () throws(ManifestError) in
            try CompliancePage.build(store: store, from: from, to: to, window: dependencies.uploadWindow, now: now)
        }
        return page(CompliancePage.name, title: "Compliance summary", current: "/admin/compliance", caller, model)
    }
}
