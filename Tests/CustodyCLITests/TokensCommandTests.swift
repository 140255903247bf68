import CustodyCore
import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// `custody tokens`: a token is printed once, stored only as its hash, recorded as an entry, and revocable.
@Suite struct TokensCommandTests {
    @Test func addPrintsTheTokenOnceAndStoresOnlyItsHash() throws {
        let station = try CLITestStation()
        let add = try station.custody(["tokens", "add", "--name", "case-system", "--role", "caseSystem"])
        try #require(add.status == 0, "\(add.standardError)")
        let token = add.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix(TokenRegister.tokenPrefix))
        let file = station.stateDirectory.appendingPathComponent("keys/tokens.json")
        let contents = try String(contentsOf: file, encoding: .utf8)
        #expect(!contents.contains(token))
        #expect(try TokenRegister.load(from: file).authenticate(token)?.role == .caseSystem)

        let list = try station.custody(["tokens", "list"])
        #expect(list.standardOutput.contains("case-system  caseSystem"))
        #expect(!list.standardOutput.contains(token))

        let store = try ManifestStore.open(at: station.database, readOnly: true)
        let last = try ManifestEntry(body: try store.entry(at: try store.size() - 1).body)
        #expect(last.type == .accessGranted)
        #expect(last.fields["token"]?.stringValue == "case-system")
        #expect(!last.text.contains(token))
    }

    @Test func revokeRefusesTheTokenAndIsRecorded() throws {
        let station = try CLITestStation()
        let add = try station.custody(["tokens", "add", "--name", "auditor", "--role", "auditor"])
        let token = add.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let revoke = try station.custody(["tokens", "revoke", "auditor"])
        try #require(revoke.status == 0, "\(revoke.standardError)")
        let file = station.stateDirectory.appendingPathComponent("keys/tokens.json")
        #expect(try TokenRegister.load(from: file).authenticate(token) == nil)
        #expect(try station.custody(["tokens", "list"]).standardOutput.contains("revoked"))
        let store = try ManifestStore.open(at: station.database, readOnly: true)
        #expect(try ManifestEntry(body: try store.entry(at: try store.size() - 1).body).type == .accessRevoked)
        let again = try station.custody(["tokens", "revoke", "auditor"])
        #expect(again.status != 0)
        #expect(again.standardError.contains("already revoked"))
    }

    @Test func anOfficerTokenNeedsARegisteredOfficer() throws {
        let station = try CLITestStation()
        let unknown = try station.custody(["tokens", "add", "--name", "wang", "--role", "officer", "--officer", "110001"])
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("not registered"))
        _ = try station.custody(["officers", "add", "--cert", "110001", "--name", "王小明"])
        let known = try station.custody(["tokens", "add", "--name", "wang", "--role", "officer", "--officer", "110001"])
        #expect(known.status == 0, "\(known.standardError)")
        let badRole = try station.custody(["tokens", "add", "--name", "x", "--role", "root"])
        #expect(badRole.status != 0)
        #expect(badRole.standardError.contains("caseSystem"))
    }
}
