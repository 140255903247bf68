import CustodyCore
import CustodyHTTP
import CustodyManifest
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Bearer tokens: none is 401, an unknown or revoked one is 401, the wrong role is 403 (docs/http.md).
@Suite struct AuthenticationTests {
    @Test func aRequestWithoutATokenIs401WithAChallenge() async throws {
        let station = try HTTPTestStation()
        try await station.application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/checkpoint", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"custody\"")
        }
    }

    @Test func anUnknownTokenIs401() async throws {
        let station = try HTTPTestStation()
        try await station.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/checkpoint", method: .get,
                headers: [.authorization: "Bearer custody_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
            #expect(response.status == .unauthorized)
        }
    }

    @Test func theCaseSystemReadsTheCheckpoint() async throws {
        let station = try HTTPTestStation()
        let expected = try #require(try station.store.latestCheckpoint()).note
        try await station.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/checkpoint", method: .get, headers: station.authorization(.caseSystem))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == expected)
        }
    }

    @Test func anOfficerTokenMayNotReadTheEntries() async throws {
        let station = try HTTPTestStation()
        try await station.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/entries?start=0", method: .get, headers: station.authorization(.officer))
            #expect(response.status == .forbidden)
        }
    }

    @Test func aRevokedTokenIsRefusedOnTheNextRequest() async throws {
        let station = try HTTPTestStation()
        try await station.application().test(.router) { client in
            let before = try await client.execute(
                uri: "/v1/checkpoint", method: .get, headers: station.authorization(.auditor))
            #expect(before.status == .ok)
            var register = try TokenRegister.load(from: station.tokensFile)
            try register.revoke(name: "test-auditor", time: Date())
            try register.save(to: station.tokensFile)
            let after = try await client.execute(
                uri: "/v1/checkpoint", method: .get, headers: station.authorization(.auditor))
            #expect(after.status == .unauthorized)
        }
    }
}
