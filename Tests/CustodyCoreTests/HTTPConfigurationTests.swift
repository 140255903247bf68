import CustodyCore
import Foundation
import Testing

/// The `[http]` table: loopback by default, TLS required beyond it, paths resolved against the config's folder.
@Suite struct HTTPConfigurationTests {
    static let base = URL(fileURLWithPath: "/etc/custody", isDirectory: true)

    static func parse(_ text: String) throws(ConfigurationError) -> CustodyConfiguration {
        try CustodyConfiguration(toml: text, baseDirectory: base)
    }

    @Test func theDefaultListenerIsLoopbackWithTokensInTheKeysFolder() throws {
        let configuration = try Self.parse("")
        #expect(configuration.http.enabled)
        #expect(configuration.http.host == "127.0.0.1")
        #expect(configuration.http.port == 8440)
        #expect(configuration.http.isLoopback)
        #expect(!configuration.http.usesTLS)
        #expect(configuration.tokensFile.path == "/var/lib/custody/keys/tokens.json")
    }

    @Test func everyKeyIsRead() throws {
        let http = try Self.parse(
            """
            [http]
            enabled = true
            host = "10.0.0.4"
            port = 9443
            tokens_file = "tokens.json"
            tls_certificate = "tls/station.crt"
            tls_private_key = "tls/station.key"
            max_body_bytes = 4096
            """
        ).http
        #expect(http.host == "10.0.0.4")
        #expect(http.port == 9443)
        #expect(http.tokensFile?.path == "/etc/custody/tokens.json")
        #expect(http.tlsCertificate?.path == "/etc/custody/tls/station.crt")
        #expect(http.tlsPrivateKey?.path == "/etc/custody/tls/station.key")
        #expect(http.maxBodyBytes == 4096)
        #expect(http.usesTLS)
    }

    @Test func aListenerBeyondLoopbackWithoutTLSIsRefused() throws {
        let error = #expect(throws: ConfigurationError.self) { try Self.parse("[http]\nhost = \"0.0.0.0\"") }
        #expect(error?.message.contains("tls_certificate") == true)
        // Disabled, the same host is harmless.
        #expect(throws: Never.self) { try Self.parse("[http]\nenabled = false\nhost = \"0.0.0.0\"") }
    }

    @Test func aCertificateWithoutItsKeyIsRefused() throws {
        let error = #expect(throws: ConfigurationError.self) { try Self.parse("[http]\ntls_certificate = \"a.crt\"") }
        #expect(error?.message.contains("go together") == true)
    }

    @Test func outOfRangeValuesAreRefusedByName() throws {
        for text in ["[http]\nport = 70000", "[http]\nmax_body_bytes = 10", "[http]\nhost = \"\"", "[http]\nlisten = 1"] {
            let error = #expect(throws: ConfigurationError.self) { try Self.parse(text) }
            #expect(error?.message.contains("http.") == true || error?.message.contains("listen") == true, "\(text)")
        }
    }
}
