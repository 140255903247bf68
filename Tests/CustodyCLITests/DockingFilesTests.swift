import CustodyTesting
import Foundation
import Glibc
import Testing

/// The files a station installs for docking: the systemd unit and the udev rules.
@Suite struct DockingFilesTests {
    static let root = CommandRunner.packageRoot

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdUnitVerifiesWithoutAWordOnStandardError() throws {
        let work = try TemporaryDirectory(prefix: "custody-unit")
        var unit = try String(contentsOf: Self.root.appendingPathComponent("systemd/custodyd.service"), encoding: .utf8)
        // verify checks that ExecStart exists: point it at the binary under test.
        unit = unit.replacingOccurrences(of: "/usr/local/bin/custodyd", with: CommandRunner.custodyd.path)
        let file = work.file("custodyd.service")
        try Data(unit.utf8).write(to: file)
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/systemd-analyze"), ["verify", "--man=no", file.path])
        #expect(result.status == 0)
        #expect(result.standardError.isEmpty, "\(result.standardError)")
        for setting in [
            "Type=notify", "WatchdogSec=", "Restart=on-failure", "StateDirectory=custody", "RuntimeDirectory=custody",
            "PrivateMounts=yes", "ProtectSystem=strict", "NoNewPrivileges=yes",
            "CapabilityBoundingSet=CAP_SYS_ADMIN CAP_DAC_READ_SEARCH\n",
        ] {
            #expect(unit.contains(setting), "the unit lacks \(setting)")
        }
    }

    @Test func exampleRulesAreWhatUdevRulesPrintsForTheExampleConfiguration() throws {
        let station = try CLITestStation()
        let example = try String(contentsOf: Self.root.appendingPathComponent("config/custody.toml"), encoding: .utf8)
        try Data(example.utf8).write(to: station.config)
        let result = try station.custody(["udev-rules"])
        #expect(result.status == 0, "\(result.standardError)")
        let rules = try String(
            contentsOf: Self.root.appendingPathComponent("udev-rules/70-custody.rules"), encoding: .utf8)
        #expect(result.standardOutput == rules)
    }

    /// A recorder's partition as udev's builtins describe it, for `udevadm test` under umockdev.
    static func device(vendor: String) -> String {
        """
        P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sda/sda1
        N: sda1
        E: DEVNAME=/dev/sda1
        E: DEVTYPE=partition
        E: SUBSYSTEM=block
        E: MAJOR=8
        E: MINOR=1
        E: ID_BUS=usb
        E: ID_SERIAL_SHORT=BWC0001
        E: ID_VENDOR_ID=\(vendor)
        E: ID_MODEL_ID=1234
        E: ID_FS_TYPE=exfat
        A: dev=8:1
        A: partition=1

        P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sda
        N: sda
        E: DEVNAME=/dev/sda
        E: DEVTYPE=disk
        E: SUBSYSTEM=block
        E: MAJOR=8
        E: MINOR=0
        A: dev=8:0

        P: /devices/pci0000:00/0000:00:14.0/usb1/1-1
        E: DEVTYPE=usb_device
        E: SUBSYSTEM=usb
        A: idVendor=\(vendor)
        A: idProduct=1234

        """
    }

    @Test(
        .enabled(
            if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-run")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/udevadm"),
            "needs root, umockdev-run and udevadm"))
    func generatedRulesParseWithoutInvalidLinesAndTagOnlyTheConfiguredModel() throws {
        let work = try TemporaryDirectory(prefix: "custody-rules")
        let station = try CLITestStation()
        try station.appendConfiguration(
            """
            [[models]]
            name = "BWC"
            usb_vendor_id = "abcd"
            usb_product_id = "1234"

            [[models]]
            name = "NOIDS"

            [[models]]
            name = "MTPCAM"
            transport = "mtp"
            usb_vendor_id = "04b4"
            usb_product_id = "0102"
            """)
        let rules = try station.custody(["udev-rules"])
        try #require(rules.status == 0, "\(rules.standardError)")
        #expect(rules.standardOutput.contains("# NOIDS: no usb_vendor_id/usb_product_id"))
        // An MTP model is tagged as its USB device, before the rules skip every non-block device.
        let lines = rules.standardOutput.split(separator: "\n")
        let mtp = try #require(lines.firstIndex { $0.contains("ATTR{idVendor}==\"04b4\"") })
        let blockOnly = try #require(lines.firstIndex { $0.hasPrefix("SUBSYSTEM!=\"block\"") })
        #expect(mtp < blockOnly)
        #expect(lines[mtp].contains("ENV{DEVTYPE}==\"usb_device\"") && lines[mtp].contains("TAG+=\"custody\""))
        let folder = work.file("rules.d")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(rules.standardOutput.utf8).write(to: folder.appendingPathComponent("70-custody.rules"))
        let syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sda/sda1"

        for (vendor, tagged) in [("abcd", true), ("0781", false)] {
            let fixture = work.file("\(vendor).umockdev")
            try Data(Self.device(vendor: vendor).utf8).write(to: fixture)
            let lint = try CommandRunner.run(
                URL(fileURLWithPath: "/bin/sh"),
                [Self.root.appendingPathComponent("scripts/udev-lint").path, folder.path, syspath, fixture.path])
            let output = lint.standardOutput + lint.standardError
            #expect(output.contains("Reading rules file: /etc/udev/rules.d/70-custody.rules"), "\(output)")
            #expect(!output.contains("Invalid"), "\(output)")
            let tags = output.split(separator: "\n").first { $0.hasPrefix("TAGS=") } ?? ""
            #expect(tags.contains(":custody:") == tagged, "\(vendor): \(tags)")
            #expect(output.contains("UDISKS_IGNORE=1") == tagged, "\(output)")
        }
    }
}
