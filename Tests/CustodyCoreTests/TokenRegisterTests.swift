import CustodyCore
import Foundation
import Testing

/// Bearer tokens: stored as hashes, shown once, revocable, never reused by name (docs/http.md).
@Suite struct TokenRegisterTests {
    static let time = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aTokenAuthenticatesAndOnlyItsHashIsKept() throws {
        var register = TokenRegister()
        let text = try register.add(name: "case-system", role: .caseSystem, officer: nil, time: Self.time)
        #expect(text.hasPrefix(TokenRegister.tokenPrefix))
        #expect(text.utf8.count == TokenRegister.tokenPrefix.utf8.count + 43)  // 32 random bytes, base64url
        #expect(register.authenticate(text)?.name == "case-system")
        #expect(register.tokens.allSatisfy { !$0.sha256.contains(text) && $0.sha256 == TokenRegister.hash(text) })
        #expect(register.authenticate(text + "x") == nil)
        #expect(register.authenticate(String(text.dropLast())) == nil)
    }

    @Test func twoTokensDiffer() throws {
        var register = TokenRegister()
        let first = try register.add(name: "a", role: .auditor, officer: nil, time: Self.time)
        let second = try register.add(name: "b", role: .auditor, officer: nil, time: Self.time)
        #expect(first != second)
    }

    @Test func aRevokedTokenNoLongerAuthenticatesAndItsNameIsNotReused() throws {
        var register = TokenRegister()
        let text = try register.add(name: "auditor", role: .auditor, officer: nil, time: Self.time)
        try register.revoke(name: "auditor", time: Self.time)
        #expect(register.authenticate(text) == nil)
        #expect(throws: TokenRegisterError.self) { try register.revoke(name: "auditor", time: Self.time) }
        #expect(throws: TokenRegisterError.self) {
            try register.add(name: "auditor", role: .auditor, officer: nil, time: Self.time)
        }
        #expect(throws: TokenRegisterError.self) { try register.revoke(name: "nobody", time: Self.time) }
    }

    @Test func anOfficerTokenNamesItsOfficerAndOnlyOfficerTokensDo() throws {
        var register = TokenRegister()
        #expect(throws: TokenRegisterError.self) { try register.add(name: "o", role: .officer, officer: nil, time: Self.time) }
        #expect(throws: TokenRegisterError.self) {
            try register.add(name: "a", role: .admin, officer: "110001", time: Self.time)
        }
        let text = try register.add(name: "wang", role: .officer, officer: "110001", time: Self.time)
        #expect(register.authenticate(text)?.officer == "110001")
        #expect(throws: TokenRegisterError.self) { try register.add(name: "bad name", role: .admin, officer: nil, time: Self.time) }
    }

    @Test func theFileRoundTripsWithMode0600AndHoldsNoTokenText() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custody-tokens-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("keys/tokens.json")
        #expect(try TokenRegister.load(from: file).tokens.isEmpty)  // a missing file is an empty register
        var register = TokenRegister()
        let text = try register.add(name: "admin", role: .admin, officer: nil, time: Self.time)
        try register.save(to: file)
        let loaded = try TokenRegister.load(from: file)
        #expect(loaded == register)
        #expect(loaded.authenticate(text)?.role == .admin)
        let contents = try String(contentsOf: file, encoding: .utf8)
        #expect(!contents.contains(text))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        try "{not json".write(to: file, atomically: false, encoding: .utf8)
        #expect(throws: TokenRegisterError.self) { try TokenRegister.load(from: file) }
    }

    @Test func rolesGrantWhatDocsHttpMdSays() {
        #expect(AccessPermission.allCases.allSatisfy { AccessRole.admin.allows($0) })
        #expect(AccessRole.auditor.allows(.readFootage) && !AccessRole.auditor.allows(.linkCases))
        #expect(!AccessRole.auditor.allows(.placeHolds) && !AccessRole.auditor.allows(.explainGaps))
        #expect(AccessRole.caseSystem.allows(.linkCases) && AccessRole.caseSystem.allows(.placeHolds))
        #expect(!AccessRole.caseSystem.allows(.readAdminPages) && !AccessRole.caseSystem.allows(.explainGaps))
        #expect(AccessRole.officer.allows(.readOwnClips) && AccessRole.officer.allows(.explainOwnGaps))
        #expect(!AccessRole.officer.allows(.readFeed) && !AccessRole.officer.allows(.readFootage))
    }
}
