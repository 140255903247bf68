import CustodyCore
public import CustodyManifest
import Foundation
public import Hummingbird

/// Explanations of gaps (Art 22): `POST /v1/gaps/{index}/explanations` appends `gap.explained`. Administrators may
/// explain any gap; an officer only the gaps registered under the officer's own certificate. Same checks as
/// `custody explain`.
public struct GapExplanationRoutes: Sendable {
    /// `{"form":"spoken","clip":"sha256"}` or `{"form":"written","text":"…","signedBy":["cert","cert"]}`.
    struct ExplanationBody: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable { case form, clip, text, signedBy }
        let explanation: GapExplanation

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            let form = try container.decode(String.self, forKey: .form)
            let clip = try container.decodeIfPresent(String.self, forKey: .clip)
            let text = try container.decodeIfPresent(String.self, forKey: .text)
            let signers = try container.decodeIfPresent([String].self, forKey: .signedBy)
            switch form {
            case "spoken":
                guard let clip, text == nil, signers == nil else {
                    throw RequestBodyError(
                        "a spoken explanation takes \"clip\" (the resumed clip's SHA-256) and nothing else")
                }
                explanation = .spoken(clipSHA256: clip)
            case "written":
                guard let text, let signers, clip == nil else {
                    throw RequestBodyError(
                        "a written explanation takes \"text\" and \"signedBy\" (two or more officers' certificates)")
                }
                explanation = .written(text: text, signedBy: signers)
            default:
                throw RequestBodyError("the form must be \"spoken\" or \"written\" (Art 22)")
            }
        }
    }

    let store: ManifestStore

    /// Writes explanations into `store`.
    public init(store: ManifestStore) {
        self.store = store
    }

    /// Adds the route under `/v1/gaps`.
    public func register(on router: Router<CustodyRequestContext>) {
        router.group("v1/gaps").post(":index/explanations") { request, context in
            try await self.explain(request, context)
        }
    }

    func explain(_ request: Request, _ context: CustodyRequestContext) async throws -> Response {
        let caller = try context.require(anyOf: [.explainGaps, .explainOwnGaps])
        let index = try context.parameters.require("index", as: UInt64.self)
        if !caller.allows(.explainGaps) {
            let gap = try manifest { () throws(ManifestError) in try store.registeredGap(at: index) }
            guard let officer = caller.officer, gap.officerCertificate == officer else {
                throw HTTPError(
                    .forbidden,
                    message: "gap \(index) is not registered under the officer of the token \"\(caller.name)\"; "
                        + "an officer explains only their own gaps (Art 22), an administrator any")
            }
        }
        let body = try await StrictJSONBody.decode(ExplanationBody.self, from: request, context: context)
        let entry = try manifest { () throws(ManifestError) in
            try store.explainGap(at: index, body.explanation, by: caller.requester, time: Date())
        }
        context.logWritten(.gapExplained, [entry])
        return .written(.gapExplained, [entry])
    }
}
