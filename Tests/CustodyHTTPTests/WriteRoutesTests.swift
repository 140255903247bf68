import CustodyCore
import CustodyHTTP
import CustodyManifest
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The writes that become entries (docs/http.md "Writes"): case links (Art 18, 21), holds (Art 26) and gap
/// explanations (Art 22), each recording the token that asked, refused with 403 for a role without the right,
/// 400 for a body that is not exactly what the route takes, and 413 above `http.max_body_bytes`.
@Suite struct WriteRoutesTests {
    /// Sends `body` as a POST with `role`'s token of `station` (no token when nil).
    static func post(
        _ client: some TestClientProtocol, _ station: HTTPTestStation, _ uri: String, _ role: AccessRole?,
        _ body: String
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let role { headers.append(contentsOf: station.authorization(role)) }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// The message of an answer: `{"error":{"message":"…"}}` or `{"message":"…"}`, else the whole body.
    static func message(_ response: TestResponse) -> String {
        let body = String(buffer: response.body)
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["message"] as? String ?? object?["message"] as? String ?? body
    }

    /// The `by` field of the entry at `index`.
    static func by(_ store: ManifestStore, _ index: UInt64) throws -> JSONValue? {
        try ManifestEntry(body: try store.entry(at: index).body).fields["by"]
    }

    /// The exact answer to a write that appended the entry at `index`.
    static func written(_ store: ManifestStore, _ type: String, _ index: UInt64) throws -> String {
        "{\"entry\":{\"index\":\(index),\"leaf\":\"\(try store.entry(at: index).leafHash.hex)\"},\"type\":\"\(type)\"}"
    }

    static func run(
        _ body: @escaping @Sendable (HTTPTestStation, RegisterFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        let station = try HTTPTestStation()
        let fixture = try station.populateRegister()
        try await station.application().test(.router) { client in try await body(station, fixture, client) }
    }

    // MARK: - Case links (Art 18, 21)

    @Test func theCaseSystemLinksAClipAndTheEntryNamesItsToken() async throws {
        try await Self.run { station, fixture, client in
            let next = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/cases/XZCF-2026-7/links", .caseSystem, "{\"clips\":[\"\(fixture.clips[1])\"]}")
            #expect(response.status == .created)
            #expect(String(buffer: response.body) == (try Self.written(station.store, "case.linked", next)))
            #expect(try Self.by(station.store, next) == ["role": "caseSystem", "token": "test-caseSystem"])
            #expect(try station.store.caseClips("XZCF-2026-7").map(\.sha256) == [fixture.clips[1]])
        }
    }

    @Test func linkingClipsAlreadyLinkedAnswers200AndAppendsNothing() async throws {
        try await Self.run { station, fixture, client in
            let size = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/cases/\(fixture.linkedCase)/links", .admin,
                "{\"clips\":[\"\(fixture.clips[0])\"]}")
            #expect(response.status == .ok)
            #expect(Self.message(response).contains("already linked to case CASE-LINKED"))
            #expect(try station.store.size() == size)
        }
    }

    @Test func theCaseSystemUnlinksAClipWithAReason() async throws {
        try await Self.run { station, fixture, client in
            let next = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/cases/\(fixture.linkedCase)/unlinks", .caseSystem,
                "{\"clips\":[\"\(fixture.clips[0])\"],\"reason\":\"wrong case\"}")
            #expect(response.status == .created)
            #expect(String(buffer: response.body) == (try Self.written(station.store, "case.unlinked", next)))
            #expect(try station.store.caseClips(fixture.linkedCase).isEmpty)
            #expect(try Self.by(station.store, next)?["token"] == "test-caseSystem")
        }
    }

    @Test func linkingMoreThan200ClipsAppendsSeveralEntriesInOneAnswer() async throws {
        try await Self.run { station, _, client in
            let many = try station.appendClips(
                201, recorder: RecorderIdentity(serial: "SN-MANY", model: "TEST"), officer: nil)
            let digests = try many.map { try #require(try ManifestEntry(body: $0.body).fields["sha256"]?.stringValue) }
            let next = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/cases/K-MANY/links", .caseSystem,
                "{\"clips\":[\(digests.map { "\"\($0)\"" }.joined(separator: ","))]}")
            #expect(response.status == .created)
            let expected = try [next, next + 1].map {
                "{\"index\":\($0),\"leaf\":\"\(try station.store.entry(at: $0).leafHash.hex)\"}"
            }
            #expect(
                String(buffer: response.body)
                    == "{\"entries\":[\(expected.joined(separator: ","))],\"type\":\"case.linked\"}")
            #expect(try station.store.caseClips("K-MANY").count == 201)
        }
    }

    @Test func linkingAnUnknownClipIs400AndAppendsNothing() async throws {
        try await Self.run { station, _, client in
            let size = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/cases/K-1/links", .caseSystem,
                "{\"clips\":[\"\(String(repeating: "c", count: 64))\"]}")
            #expect(response.status == .badRequest)
            #expect(Self.message(response).contains("no clip"))
            #expect(try station.store.size() == size)
        }
    }

    // MARK: - Holds (Art 26)

    @Test func theCaseSystemHoldsAClipAndTheClipAppearsInHolds() async throws {
        try await Self.run { station, fixture, client in
            let next = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/holds", .caseSystem,
                "{\"clips\":[\"\(fixture.clips[1])\"],\"note\":\"complaint 12\",\"reason\":\"obstruction\"}")
            #expect(response.status == .created)
            #expect(String(buffer: response.body) == (try Self.written(station.store, "hold.placed", next)))
            let clipEntry = try #require(try station.store.clips(sha256: fixture.clips[1]).first).entryIndex
            let hold = try #require(try station.store.holds(openOnly: true).first { $0.entryIndex == next })
            #expect(hold.reason == "obstruction" && hold.scope == "clip" && hold.clipEntries == [clipEntry])
            #expect(try station.store.heldClips()[clipEntry] == ["hold \(next) (obstruction)"])
            let entry = try ManifestEntry(body: try station.store.entry(at: next).body)
            #expect(entry.fields["note"] == "complaint 12")
            #expect(entry.fields["by"] == ["role": "caseSystem", "token": "test-caseSystem"])
        }
    }

    @Test func aCaseHoldHoldsTheCasesLinkedClips() async throws {
        try await Self.run { station, fixture, client in
            let next = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/holds", .admin, "{\"case\":\"\(fixture.linkedCase)\",\"reason\":\"sensitive\"}")
            #expect(response.status == .created)
            let linked = try #require(try station.store.clips(sha256: fixture.clips[0]).first).entryIndex
            #expect(try station.store.heldClips()[linked] == ["hold \(next) (sensitive)"])
            #expect(try Self.by(station.store, next) == ["role": "admin", "token": "test-admin"])
        }
    }

    @Test func releasingAHoldEndsItAndRecordsWhy() async throws {
        try await Self.run { station, fixture, client in
            let next = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/holds/\(fixture.hold)/release", .caseSystem,
                "{\"reason\":\"complaint withdrawn\"}")
            #expect(response.status == .created)
            #expect(String(buffer: response.body) == (try Self.written(station.store, "hold.released", next)))
            #expect(try station.store.holds(openOnly: true).isEmpty)
            #expect(try station.store.holds().first { $0.entryIndex == fixture.hold }?.releasedBy == next)
            let again = try await Self.post(
                client, station, "/v1/holds/\(fixture.hold)/release", .caseSystem, "{\"reason\":\"twice\"}")
            #expect(again.status == .badRequest)
            #expect(Self.message(again).contains("no open hold"))
        }
    }

    // MARK: - Explanations (Art 22)

    @Test func anAdministratorExplainsAnyGapInWritingSignedByTwoOfficers() async throws {
        try await Self.run { station, fixture, client in
            let next = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/gaps/\(fixture.otherGap)/explanations", .admin,
                "{\"form\":\"written\",\"signedBy\":[\"110001\",\"110002\"],\"text\":\"电池故障 battery failed\"}")
            #expect(response.status == .created)
            #expect(String(buffer: response.body) == (try Self.written(station.store, "gap.explained", next)))
            let entry = try ManifestEntry(body: try station.store.entry(at: next).body)
            #expect(entry.fields["gap"]?["index"]?.intValue == Int64(fixture.otherGap))
            #expect(entry.fields["text"] == "电池故障 battery failed")
            #expect(entry.fields["by"] == ["role": "admin", "token": "test-admin"])
            #expect(try station.store.gaps().first { $0.entryIndex == fixture.otherGap }?.isOpen == false)
        }
    }

    @Test func anOfficerExplainsTheirOwnGapWithTheResumedClip() async throws {
        try await Self.run { station, fixture, client in
            let next = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/gaps/\(fixture.ownGap)/explanations", .officer,
                "{\"clip\":\"\(fixture.clips[1])\",\"form\":\"spoken\"}")
            #expect(response.status == .created)
            #expect(
                try Self.by(station.store, next) == ["officer": "110001", "role": "officer", "token": "test-officer"])
            #expect(try station.store.gaps(openOnly: true).map(\.entryIndex) == [fixture.otherGap])
        }
    }

    @Test func anOfficerMayNotExplainAnotherOfficersGap() async throws {
        try await Self.run { station, fixture, client in
            let size = try station.store.size()
            let response = try await Self.post(
                client, station, "/v1/gaps/\(fixture.otherGap)/explanations", .officer,
                "{\"clip\":\"\(fixture.clips[2])\",\"form\":\"spoken\"}")
            #expect(response.status == .forbidden)
            #expect(Self.message(response).contains("own gaps"))
            #expect(try station.store.size() == size)
        }
    }

    @Test func aWrittenExplanationNeedsTwoDistinctRegisteredOfficers() async throws {
        try await Self.run { station, fixture, client in
            let size = try station.store.size()
            let refusals: [(signers: String, message: String)] = [
                ("[\"110001\"]", "at least two officers"),
                ("[\"110001\",\"110001\"]", "same officer signed twice"),
                ("[\"110001\",\"999999\"]", "not registered"),
            ]
            for (signers, message) in refusals {
                let response = try await Self.post(
                    client, station, "/v1/gaps/\(fixture.ownGap)/explanations", .admin,
                    "{\"form\":\"written\",\"signedBy\":\(signers),\"text\":\"fault\"}")
                #expect(response.status == .badRequest, "\(signers)")
                #expect(Self.message(response).contains(message), "\(signers): \(Self.message(response))")
            }
            #expect(try station.store.size() == size)
        }
    }

    @Test func explainingAnEntryThatIsNotAGapIs400() async throws {
        try await Self.run { station, fixture, client in
            let response = try await Self.post(
                client, station, "/v1/gaps/\(fixture.notAGap)/explanations", .admin,
                "{\"clip\":\"\(fixture.clips[1])\",\"form\":\"spoken\"}")
            #expect(response.status == .badRequest)
            #expect(Self.message(response).contains("not a recording.gap"))
            let past = try await Self.post(
                client, station, "/v1/gaps/\(try station.store.size() + 5)/explanations", .admin,
                "{\"clip\":\"\(fixture.clips[1])\",\"form\":\"spoken\"}")
            #expect(past.status == .badRequest)
        }
    }

    // MARK: - Rights

    @Test(arguments: [
        (AccessRole.auditor, "/v1/cases/K-1/links"), (.auditor, "/v1/cases/K-1/unlinks"), (.auditor, "/v1/holds"),
        (.auditor, "/v1/holds/0/release"), (.auditor, "/v1/gaps/0/explanations"), (.officer, "/v1/cases/K-1/links"),
        (.officer, "/v1/holds"), (.officer, "/v1/holds/0/release"), (.caseSystem, "/v1/gaps/0/explanations"),
    ])
    func aRoleWithoutTheRightIs403AndAppendsNothing(role: AccessRole, path: String) async throws {
        try await Self.run { station, fixture, client in
            let size = try station.store.size()
            let response = try await Self.post(
                client, station, path, role, "{\"clips\":[\"\(fixture.clips[1])\"],\"reason\":\"dispute\"}")
            #expect(response.status == .forbidden)
            #expect(try station.store.size() == size)
        }
    }

    @Test func aWriteWithoutATokenIs401() async throws {
        try await Self.run { station, fixture, client in
            let response = try await Self.post(
                client, station, "/v1/holds", nil, "{\"clips\":[\"\(fixture.clips[1])\"],\"reason\":\"dispute\"}")
            #expect(response.status == .unauthorized)
        }
    }

    // MARK: - Strict bodies

    @Test(arguments: [
        ("/v1/holds", "{\"clips\":[", "not valid JSON"),
        ("/v1/holds", "[]", "must be a JSON object"),
        ("/v1/holds", "", "needs a JSON object body"),
        ("/v1/holds", "{\"clips\":[\"{clip}\"],\"reason\":\"dispute\",\"by\":\"me\"}", "unknown field \"by\""),
        ("/v1/holds", "{\"clips\":\"{clip}\",\"reason\":\"dispute\"}", "\"clips\" must be an array of strings"),
        ("/v1/holds", "{\"clips\":[7],\"reason\":\"dispute\"}", "\"clips[0]\" must be a string"),
        ("/v1/holds", "{\"clips\":[\"{clip}\"]}", "\"reason\" is missing"),
        ("/v1/holds", "{\"clips\":[\"{clip}\"],\"reason\":\"boredom\"}", "dispute, obstruction, emergency, sensitive"),
        ("/v1/holds", "{\"case\":\"K\",\"clips\":[\"{clip}\"],\"reason\":\"dispute\"}", "exactly one of \"clips\""),
        ("/v1/holds", "{\"reason\":\"dispute\"}", "exactly one of \"clips\""),
        ("/v1/holds", "{\"clips\":[\"ABC\"],\"reason\":\"dispute\"}", "not a SHA-256"),
        ("/v1/cases/K-1/links", "{\"clips\":[]}", "at least one clip"),
        ("/v1/cases/K-1/unlinks", "{\"clips\":[\"{clip}\"],\"reason\":\" \"}", "give a reason"),
        ("/v1/holds/{hold}/release", "{\"reason\":7}", "\"reason\" must be a string"),
        ("/v1/holds/x/release", "{\"reason\":\"done\"}", "can not be converted"),
        ("/v1/gaps/{gap}/explanations", "{\"form\":\"sung\"}", "\"spoken\" or \"written\""),
        ("/v1/gaps/{gap}/explanations", "{\"clip\":\"{clip}\",\"form\":\"spoken\",\"text\":\"x\"}", "nothing else"),
        ("/v1/gaps/{gap}/explanations", "{\"form\":\"written\",\"text\":\"x\"}", "\"signedBy\""),
    ])
    func aMalformedBodyIs400WithAMessageAndAppendsNothing(path: String, body: String, message: String) async throws {
        try await Self.run { station, fixture, client in
            let size = try station.store.size()
            let response = try await Self.post(client, station, fixture.fill(path), .admin, fixture.fill(body))
            #expect(response.status == .badRequest)
            #expect(Self.message(response).contains(message), "\(Self.message(response))")
            #expect(try station.store.size() == size)
        }
    }

    @Test func aBodyAboveTheLimitIs413() async throws {
        try await Self.run { station, fixture, client in
            let size = try station.store.size()
            let clips = Array(repeating: "\"\(fixture.clips[1])\"", count: 65_536 / 64).joined(separator: ",")
            let response = try await Self.post(
                client, station, "/v1/holds", .admin, "{\"clips\":[\(clips)],\"reason\":\"dispute\"}")
            #expect(response.status == .contentTooLarge)
            #expect(Self.message(response).contains("max_body_bytes"))
            #expect(try station.store.size() == size)
        }
    }

    // MARK: - docs/openapi.yaml

    /// The `x-test-request` of each POST in docs/openapi.yaml, copied here: they must succeed, in any order, on the
    /// station the contract test builds (`populateRegister()`). Change both together.
    static let documentedRequests: [(role: AccessRole, path: String, body: String)] = [
        (.caseSystem, "/v1/cases/CONTRACT-1/links", "{\"clips\":[\"{clip}\"]}"),
        (.caseSystem, "/v1/cases/{linkedCase}/unlinks", "{\"clips\":[\"{linkedClip}\"],\"reason\":\"wrong case\"}"),
        (.caseSystem, "/v1/holds", "{\"clips\":[\"{clip}\"],\"note\":\"contract test\",\"reason\":\"dispute\"}"),
        (.caseSystem, "/v1/holds/{hold}/release", "{\"reason\":\"complaint withdrawn\"}"),
        (.officer, "/v1/gaps/{gap}/explanations", "{\"clip\":\"{clip}\",\"form\":\"spoken\"}"),
    ]

    @Test(arguments: [false, true])
    func theDocumentedTestRequestsSucceedInEitherOrder(reversed: Bool) async throws {
        try await Self.run { station, fixture, client in
            for request in reversed ? Self.documentedRequests.reversed() : Self.documentedRequests {
                let response = try await Self.post(
                    client, station, fixture.fill(request.path), request.role, fixture.fill(request.body))
                #expect(response.status == .created, "\(request.path): \(Self.message(response))")
            }
        }
    }
}
