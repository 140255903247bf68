import CustodyCore
public import CustodyManifest
import Foundation
public import Hummingbird

/// Holds, for the case system (Art 26): `POST /v1/holds` appends `hold.placed`, `POST /v1/holds/{index}/release`
/// appends `hold.released`. Same checks as `custody hold` / `custody release`.
public struct HoldRoutes: Sendable {
    /// `{"clips":[…]}` or `{"case":"ID"}`, with `"reason"` (Art 26) and an optional `"note"`.
    struct PlaceBody: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable { case clips, `case`, reason, note }
        let target: ManifestStore.HoldTarget
        let reason: String
        let note: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            let clips = try container.decodeIfPresent([String].self, forKey: .clips)
            let caseID = try container.decodeIfPresent(String.self, forKey: .case)
            switch (clips, caseID) {
            case (let clips?, nil): target = .clips(clips)
            case (nil, let caseID?): target = .caseID(caseID)
            default:
                throw RequestBodyError("give exactly one of \"clips\" (SHA-256 digests) and \"case\" (a case ID)")
            }
            reason = try container.decode(String.self, forKey: .reason)
            note = try container.decodeIfPresent(String.self, forKey: .note)
        }
    }

    /// `{"reason":"…"}`.
    struct ReleaseBody: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable { case reason }
        let reason: String

        init(from decoder: any Decoder) throws {
            reason = try decoder.strictContainer(keyedBy: CodingKeys.self).decode(String.self, forKey: .reason)
        }
    }

    let store: ManifestStore

    /// Writes holds into `store`.
    public init(store: ManifestStore) {
        self.store = store
    }

    /// Adds the routes under `/v1/holds`.
    public func register(on router: Router<CustodyRequestContext>) {
        let holds = router.group("v1/holds")
        holds.post { request, context in try await self.place(request, context) }
        holds.post(":index/release") { request, context in try await self.release(request, context) }
    }

    func place(_ request: Request, _ context: CustodyRequestContext) async throws -> Response {
        let caller = try context.require(.placeHolds)
        let body = try await StrictJSONBody.decode(PlaceBody.self, from: request, context: context)
        let entry = try manifest { () throws(ManifestError) in
            try store.placeHold(
                on: body.target, reason: try ManifestStore.holdReason(body.reason), note: body.note,
                by: caller.requester,
                time: Date())
        }
        context.logWritten(.holdPlaced, [entry])
        return .written(.holdPlaced, [entry])
    }

    func release(_ request: Request, _ context: CustodyRequestContext) async throws -> Response {
        let caller = try context.require(.placeHolds)
        let index = try context.parameters.require("index", as: UInt64.self)
        let body = try await StrictJSONBody.decode(ReleaseBody.self, from: request, context: context)
        let released = try manifest { () throws(ManifestError) in
            try store.releaseHolds(.hold(index), reason: body.reason, by: caller.requester, time: Date())
        }
        let entries = released.map(\.entry)
        context.logWritten(.holdReleased, entries)
        return .written(.holdReleased, entries)
    }
}
