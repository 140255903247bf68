public import Foundation

/// The `[http]` table: custodyd's one HTTP listener for the manifest feed, footage and the admin pages
/// (docs/http.md).
///
/// Loopback by default. A listener on any other address must have TLS (`tls_certificate` and `tls_private_key`),
/// because bearer tokens and footage would otherwise cross the network in the clear.
public struct HTTPConfiguration: Sendable, Equatable {
    /// `http.enabled`: whether custodyd serves HTTP (default true).
    public var enabled = true
    /// `http.host`: the address to listen on (default `127.0.0.1`).
    public var host = "127.0.0.1"
    /// `http.port`: the TCP port (default 8440; 0 picks a free port, which custodyd logs and writes to `http.port`
    /// in its runtime directory).
    public var port = 8440
    /// `http.tokens_file`: the bearer tokens, stored as SHA-256 hashes (default `keys/tokens.json` in the state
    /// directory); `custody tokens add` writes it.
    public var tokensFile: URL?
    /// `http.tls_certificate`: a PEM certificate chain; with `tls_private_key`, custodyd serves HTTPS.
    public var tlsCertificate: URL?
    /// `http.tls_private_key`: the PEM private key of `tls_certificate`.
    public var tlsPrivateKey: URL?
    /// `http.max_body_bytes`: the largest request body accepted (default 65536); a larger one is 413.
    public var maxBodyBytes = 65_536

    /// The defaults.
    public init() {}

    /// Whether `host` is a loopback address.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Whether TLS is configured.
    public var usesTLS: Bool { tlsCertificate != nil && tlsPrivateKey != nil }
}

extension CustodyConfiguration {
    static func http(_ table: ConfigurationTable, baseDirectory: URL) throws(ConfigurationError) -> HTTPConfiguration {
        try table.rejectUnknownKeys(allowed: [
            "enabled", "host", "port", "tokens_file", "tls_certificate", "tls_private_key", "max_body_bytes",
        ])
        var http = HTTPConfiguration()
        if let enabled = try table.bool("enabled") { http.enabled = enabled }
        if let host = try table.string("host") {
            guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
                throw ConfigurationError("http.host must be an address such as \"127.0.0.1\", not \"\(host)\"")
            }
            http.host = host
        }
        if let port = try table.int("port") {
            guard (0...65_535).contains(port) else {
                throw ConfigurationError("http.port must be between 0 and 65535, not \(port)")
            }
            http.port = port
        }
        func path(_ key: String) throws(ConfigurationError) -> URL? {
            guard let text = try table.string(key) else { return nil }
            guard !text.isEmpty else { throw ConfigurationError("http.\(key) must not be empty") }
            return URL(fileURLWithPath: text, relativeTo: baseDirectory).standardizedFileURL
        }
        http.tokensFile = try path("tokens_file")
        http.tlsCertificate = try path("tls_certificate")
        http.tlsPrivateKey = try path("tls_private_key")
        guard (http.tlsCertificate == nil) == (http.tlsPrivateKey == nil) else {
            throw ConfigurationError("http.tls_certificate and http.tls_private_key go together; give both or neither")
        }
        if http.enabled, !http.isLoopback, !http.usesTLS {
            throw ConfigurationError(
                "http.host \(http.host) is not loopback: give http.tls_certificate and http.tls_private_key, "
                    + "or listen on 127.0.0.1")
        }
        if let bytes = try table.int("max_body_bytes") {
            guard (1024...16 << 20).contains(bytes) else {
                throw ConfigurationError("http.max_body_bytes must be between 1024 and 16777216, not \(bytes)")
            }
            http.maxBodyBytes = bytes
        }
        return http
    }
}
