import CustodyCore
import Foundation
import Testing

/// `[retention]` and `[scrub]`: defaults, values, and refusals (Art 25, Art 28).
@Suite struct LifecycleConfigurationTests {
    func parse(_ text: String) throws(ConfigurationError) -> CustodyConfiguration {
        try CustodyConfiguration(toml: text, baseDirectory: URL(fileURLWithPath: "/etc/custody"))
    }

    @Test func defaultsAreTwoYearsAndAPacedDailyScrub() throws {
        let configuration = try parse("")
        #expect(configuration.retention.years == 2)
        #expect(configuration.scrub.enabled && configuration.scrub.bytesPerSecond == 16 << 20)
        #expect(configuration.scrub.pauseSeconds == 86_400)
    }

    @Test func valuesAreRead() throws {
        let configuration = try parse(
            "[retention]\nyears = 5\n[scrub]\nenabled = false\nbytes_per_second = 1048576\npause_seconds = 60\n")
        #expect(configuration.retention.years == 5)
        #expect(!configuration.scrub.enabled && configuration.scrub.bytesPerSecond == 1 << 20)
        #expect(configuration.scrub.pauseSeconds == 60)
    }

    @Test func retentionBelowTheRegulationsTwoYearsIsRefused() {
        #expect(throws: ConfigurationError.self) { try parse("[retention]\nyears = 1\n") }
        #expect(throws: ConfigurationError.self) { try parse("[scrub]\nbytes_per_second = 0\n") }
        #expect(throws: ConfigurationError.self) { try parse("[retention]\nmonths = 30\n") }
    }
}
