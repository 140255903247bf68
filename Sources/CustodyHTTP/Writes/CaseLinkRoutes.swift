import CustodyCore
public import CustodyManifest
import Foundation
public import Hummingbird

/// Links between clips and cases, for the case system (Art 18, Art 21): `POST /v1/cases/{id}/links` appends
/// `case.linked`, `POST /v1/cases/{id}/unlinks` appends `case.unlinked`. Same checks as `custody link` / `unlink`.
public struct CaseLinkRoutes: Sendable {
    /// `{"clips":["sha256",…]}`.
    struct LinkBody: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable { case clips }
        let clips: [String]

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            clips = try container.decode([String].self, forKey: .clips)
        }
    }

    /// `{"clips":["sha256",…],"reason":"…"}`.
    struct UnlinkBody: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable { case clips, reason }
        let clips: [String]
        let reason: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            clips = try container.decode([String].self, forKey: .clips)
            reason = try container.decode(String.self, forKey: .reason)
        }
    }

    let store: ManifestStore

    /// Writes links into `store`.
    public init(store: ManifestStore) {
        self.store = store
    }

    /// Adds the routes under `/v1/cases`.
    public func register(on router: Router<CustodyRequestContext>) {
        let cases = router.group("v1/cases")
        cases.post(":id/links") { request, context in try await self.link(request, context) }
        cases.post(":id/unlinks") { request, context in try await self.unlink(request, context) }
    }

    func link(_ request: Request, _ context: CustodyRequestContext) async throws -> Response {
        let caller = try context.require(.linkCases)
        let caseID = try Self.caseID(context)
        let body = try await StrictJSONBody.decode(LinkBody.self, from: request, context: context)
        let outcome = try manifest { () throws(ManifestError) in
            try store.linkClips(body.clips, toCase: caseID, by: caller.requester, time: Date())
        }
        guard !outcome.entries.isEmpty else {
            return .unchanged(
                .caseLinked, message: "every clip named is already linked to case \(caseID); nothing was appended")
        }
        context.logWritten(.caseLinked, outcome.entries)
        return .written(.caseLinked, outcome.entries)
    }

    func unlink(_ request: Request, _ context: CustodyRequestContext) async throws -> Response {
        let caller = try context.require(.linkCases)
        let caseID = try Self.caseID(context)
        let body = try await StrictJSONBody.decode(UnlinkBody.self, from: request, context: context)
        let (entry, _) = try manifest { () throws(ManifestError) in
            try store.unlinkClips(body.clips, fromCase: caseID, reason: body.reason, by: caller.requester, time: Date())
        }
        context.logWritten(.caseUnlinked, [entry])
        return .written(.caseUnlinked, [entry])
    }

    /// The `{id}` path parameter, percent-decoded.
    static func caseID(_ context: CustodyRequestContext) throws -> String {
        guard let raw = context.parameters.get("id"), let caseID = raw.removingPercentEncoding else {
            throw HTTPError(.badRequest, message: "the case ID in the path is malformed; percent-encode it")
        }
        return caseID
    }
}
