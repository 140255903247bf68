import ArgumentParser
import CustodyCore
import CustodyManifest
import Foundation

/// `custody tokens`: the bearer tokens of custodyd's HTTP listener (docs/http.md).
///
/// The tokens file keeps only each token's SHA-256; the token's text is printed once, by `add`. Granting and
/// revoking are recorded in the manifest (`access.granted`, `access.revoked`) with the token's name and role.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke the bearer tokens of the HTTP feed and admin pages.",
        subcommands: [Add.self, List.self, Revoke.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once; only its SHA-256 is stored.",
            discussion: """
                Roles: admin (everything), auditor (read everything), caseSystem (feed, footage, case links, holds),
                officer (own clips and explanations of own gaps; needs --officer CERT).
                """)
        @ParentCommand var custody: CustodyCommand
        var global: GlobalOptions { custody.global }
        @Option(help: "A unique name for the token (letters, digits, '.', '_', '-'); entries name callers by it.")
        var name: String
        @Option(help: "admin, auditor, caseSystem or officer.") var role: String
        @Option(help: "With --role officer: the officer's certificate number.") var officer: String?

        func run() throws {
            guard let role = AccessRole(rawValue: role) else {
                throw ValidationError(
                    "--role must be one of \(AccessRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let station = try global.openStation(readOnly: false)
            if let officer {
                let known = try manifest { () throws(ManifestError) in try station.store.officer(certificate: officer) }
                guard known != nil else {
                    throw CLIError("officer \(officer) is not registered (`custody officers add --cert \(officer) …`)")
                }
            }
            let file = station.configuration.tokensFile
            var register = try tokens { () throws(TokenRegisterError) in try TokenRegister.load(from: file) }
            let text = try tokens { () throws(TokenRegisterError) in
                try register.add(name: name, role: role, officer: officer, time: Date())
            }
            try tokens { () throws(TokenRegisterError) in try register.save(to: file) }
            let entry = try manifest { () throws(ManifestError) in
                try station.store.append(
                    try ManifestEntry(
                        type: .accessGranted, time: Date(),
                        fields: [
                            "token": .string(name), "role": .string(role.rawValue),
                            "officer": officer.map { .string($0) } ?? .null,
                        ]))
            }
            FileHandle.standardError.write(
                Data("token \(name) (role \(role.rawValue)) created, entry \(entry.index); it is shown once:\n".utf8))
            print(text)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (names and roles, never the tokens).")
        @ParentCommand var custody: CustodyCommand
        var global: GlobalOptions { custody.global }

        func run() throws {
            let configuration = try global.loadConfiguration()
            let register = try tokens { () throws(TokenRegisterError) in
                try TokenRegister.load(from: configuration.tokensFile)
            }
            if register.tokens.isEmpty {
                print("no tokens; create one with `custody tokens add --name NAME --role ROLE`")
            }
            for token in register.tokens {
                let state = token.revoked.map { "revoked \(RFC3339.format($0))" } ?? "active"
                print(
                    "\(token.name)  \(token.role.rawValue)\(token.officer.map { " officer \($0)" } ?? "")  "
                        + "created \(RFC3339.format(token.created))  \(state)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by name; custodyd refuses it from the next request.")
        @ParentCommand var custody: CustodyCommand
        var global: GlobalOptions { custody.global }
        @Argument(help: "The token's name.") var name: String

        func run() throws {
            let station = try global.openStation(readOnly: false)
            let file = station.configuration.tokensFile
            var register = try tokens { () throws(TokenRegisterError) in try TokenRegister.load(from: file) }
            try tokens { () throws(TokenRegisterError) in try register.revoke(name: name, time: Date()) }
            try tokens { () throws(TokenRegisterError) in try register.save(to: file) }
            let entry = try manifest { () throws(ManifestError) in
                try station.store.append(
                    try ManifestEntry(type: .accessRevoked, time: Date(), fields: ["token": .string(name)]))
            }
            print("token \(name) revoked (entry \(entry.index))")
        }
    }
}

/// Runs a tokens-file call, turning its error into a CLI error.
func tokens<T>(_ body: () throws(TokenRegisterError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw CLIError(error.message)
    }
}
