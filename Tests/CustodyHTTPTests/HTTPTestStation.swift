import CustodyCore
import CustodyHTTP
import CustodyManifest
import CustodyTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// A manifest with signed checkpoints, a tokens file with one token per role, and a footage folder, for route
/// tests through HummingbirdTesting.
final class HTTPTestStation: Sendable {
    let directory: TemporaryDirectory
    let store: ManifestStore
    let signer: NoteSigner
    let tokensFile: URL
    let footage: DirectoryFootage
    /// The text of one unrevoked token per role.
    let tokens: [AccessRole: String]

    init(entries: Int = 10) throws {
        directory = try TemporaryDirectory(prefix: "custody-http")
        store = try ManifestStore.open(at: directory.file("custody.sqlite"))
        signer = try NoteSigner.generate(name: "custody.test/http")
        if entries > 0 {
            _ = try store.append(contentsOf: try SampleEntries.notes(entries))
            _ = try store.signCheckpoint(with: signer)
        }
        tokensFile = directory.file("keys/tokens.json")
        var register = TokenRegister()
        var tokens = [AccessRole: String]()
        for role in AccessRole.allCases {
            tokens[role] = try register.add(
                name: "test-\(role.rawValue)", role: role, officer: role == .officer ? "110001" : nil, time: Date())
        }
        try register.save(to: tokensFile)
        self.tokens = tokens
        footage = DirectoryFootage(root: directory.file("store"))
    }

    var dependencies: HTTPDependencies {
        var configuration = HTTPConfiguration()
        configuration.port = 0
        return HTTPDependencies(
            configuration: configuration, store: store, tokens: TokenSource(url: tokensFile), footage: footage,
            logger: Logger(label: "custody-http-test"))
    }

    /// The application under test, served by HummingbirdTesting's in-process router client.
    func application() -> some ApplicationProtocol {
        Application(router: CustodyHTTPServer.router(dependencies))
    }

    /// The `Authorization` header of `role`'s token.
    func authorization(_ role: AccessRole) -> HTTPFields {
        [.authorization: "Bearer \(tokens[role]!)"]
    }

    deinit { directory.remove() }
}

/// Footage in a plain folder, by digest, for route tests.
struct DirectoryFootage: FootageLocator {
    let root: URL

    func path(of digest: SHA256Hash) -> String? {
        let path = root.appendingPathComponent(digest.hex).path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
