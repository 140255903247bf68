import CustodyTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// custodyd's listener as a process: TLS from config, a clear refusal of bad TLS files, and no listener when
/// disabled (docs/http.md).
@Suite struct HTTPListenerTests {
    static let curl = URL(fileURLWithPath: "/usr/bin/curl")
    static let openssl = URL(fileURLWithPath: "/usr/bin/openssl")

    @Test func custodydServesHTTPSWhenGivenACertificate() throws {
        let station = try CLITestStation()
        let tls = station.folder.appendingPathComponent("tls")
        try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
        let made = try CommandRunner.run(
            Self.openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", tls.appendingPathComponent("station.key").path,
                "-out", tls.appendingPathComponent("station.crt").path,
            ])
        try #require(made.status == 0, "\(made.standardError)")
        try station.setConfiguration("http", "tls_certificate", "\"tls/station.crt\"")
        try station.setConfiguration("http", "tls_private_key", "\"tls/station.key\"")
        try station.setConfiguration("docking", "enabled", "false")
        let token = try station.custody(["tokens", "add", "--name", "auditor", "--role", "auditor"])
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)

        let (daemon, _, log) = try station.startDaemon(until: "HTTP listening")
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
        }
        try #require(log.contains("HTTP listening"), "custodyd did not listen:\n\(log)")
        #expect(log.contains("http.tls=true"))
        let port = try String(contentsOf: station.httpPortFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let base = "https://127.0.0.1:\(port)"
        let cacert = tls.appendingPathComponent("station.crt").path

        let checkpoint = try CommandRunner.run(
            Self.curl, ["-sS", "--fail", "--cacert", cacert, "-H", "Authorization: Bearer \(token)", "\(base)/v1/checkpoint"])
        #expect(checkpoint.status == 0, "\(checkpoint.standardError)")
        #expect(checkpoint.standardOutput.hasPrefix("test.example/station-1\n"))
        // The same request in the clear is not answered as HTTP.
        let plain = try CommandRunner.run(
            Self.curl, ["-sS", "--fail", "--max-time", "20", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)/v1/checkpoint"])
        #expect(plain.status != 0)
    }

    @Test func custodydRefusesToStartWithUnreadableTLSFiles() throws {
        let station = try CLITestStation()
        try station.setConfiguration("http", "tls_certificate", "\"missing.crt\"")
        try station.setConfiguration("http", "tls_private_key", "\"missing.key\"")
        try station.setConfiguration("docking", "enabled", "false")
        let (daemon, _, log) = try station.startDaemon(until: "custodyd stopped")
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus != 0)
        #expect(log.contains("missing.crt"), "\(log)")
    }

    @Test func noListenerWhenHTTPIsDisabled() throws {
        let station = try CLITestStation()
        try station.setConfiguration("http", "enabled", "false")
        try station.setConfiguration("docking", "enabled", "false")
        let (daemon, _, log) = try station.startDaemon(until: "custodyd ready")
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
        }
        #expect(log.contains("HTTP disabled"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: station.httpPortFile.path))
    }
}
