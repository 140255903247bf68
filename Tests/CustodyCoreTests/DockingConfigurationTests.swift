import CustodyCore
import Foundation
import Testing

/// The configuration keys of docking: `[docking]` and the models' USB IDs and transport.
@Suite struct DockingConfigurationTests {
    let base = URL(fileURLWithPath: "/etc/custody", isDirectory: true)

    @Test func parsesDockingAndTheModelsUSBIDsLowercased() throws {
        let configuration = try CustodyConfiguration(
            toml: """
                [docking]
                enabled = true
                tag = "custody-rack"
                runtime_directory = "run"
                max_concurrent_copies = 3
                mtp_watcher = "libusb"
                [docking.mount_programs]
                exfat = "/usr/sbin/mount.exfat-fuse"
                ext4 = "kernel"
                [docking.bays]
                "pci-0000:00:14.0-usb-0:1.4" = "4"
                [[models]]
                name = "BWC"
                usb_vendor_id = "ABCD"
                usb_product_id = "12ef"
                transport = "mtp"
                """, baseDirectory: base)
        let docking = configuration.docking
        #expect(docking.tag == "custody-rack")
        #expect(configuration.runtimeDirectory.path == "/etc/custody/run")
        #expect(docking.maxConcurrentCopies == 3)
        #expect(docking.mtpWatcher == .libusb)
        #expect(docking.mountProgram(forFileSystem: "exfat") == "/usr/sbin/mount.exfat-fuse")
        #expect(docking.mountProgram(forFileSystem: "ext4") == nil)
        #expect(docking.bay(forPortPath: "pci-0000:00:14.0-usb-0:1.4:1.0-scsi-0:0:0:0") == "4")
        let model = try #require(configuration.model(named: "BWC"))
        #expect(model.usbVendorID == "abcd")
        #expect(model.usbProductID == "12ef")
        #expect(model.transport == .mtp)
    }

    @Test func defaultsPutTheRuntimeDirectoryInTheStateDirectory() throws {
        let configuration = try CustodyConfiguration(toml: "", baseDirectory: base)
        #expect(configuration.docking.enabled)
        #expect(configuration.docking.tag == "custody")
        #expect(configuration.docking.maxConcurrentCopies == 4)
        #expect(configuration.docking.mtpWatcher == .udev)
        #expect(configuration.runtimeDirectory == configuration.storage.stateDirectory.appendingPathComponent("run"))
    }

    @Test(arguments: [
        ("[[models]]\nname = \"A\"\nusb_vendor_id = \"abc\"\nusb_product_id = \"1234\"", "four hex digits"),
        ("[[models]]\nname = \"A\"\nusb_vendor_id = \"abcd\"", "both usb_vendor_id and usb_product_id"),
        ("[[models]]\nname = \"A\"\ntransport = \"ptp\"", "transport must be"),
        ("[docking]\nmax_concurrent_copies = 0", "between 1 and 64"),
        ("[docking.mount_programs]\nexfat = \"mount.exfat\"", "absolute path"),
        ("[docking]\nwipe_after_ingest = true", "unknown setting docking.wipe_after_ingest"),
        ("[docking]\nmtp_watcher = \"netlink\"", "docking.mtp_watcher must be \"udev\" or \"libusb\""),
    ])
    func refusesBadDockingSettings(toml: String, message: String) {
        #expect {
            _ = try CustodyConfiguration(toml: toml, baseDirectory: base)
        } throws: { error in
            (error as? ConfigurationError)?.message.contains(message) == true
        }
    }
}
