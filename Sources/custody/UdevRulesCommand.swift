import ArgumentParser
import CustodyCore

/// `custody udev-rules`: prints the udev rules that tag the configured recorder models for custodyd.
struct UdevRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev-rules",
        abstract: "Print udev rules that tag the configured recorder models for custodyd.",
        discussion: """
            Install the output as /etc/udev/rules.d/70-custody.rules, then run
            `udevadm control --reload && udevadm trigger --subsystem-match=block`. The rules tag the block devices
            of every [[models]] table with usb_vendor_id and usb_product_id, and set UDISKS_IGNORE=1 so desktop
            automounters leave recorders alone; models with transport = "mtp" are tagged as their USB device.
            """)

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }

    func run() throws {
        print(Self.rules(for: try global.loadConfiguration()), terminator: "")
    }

    /// The rules text for `configuration`.
    static func rules(for configuration: CustodyConfiguration) -> String {
        let tag = configuration.docking.tag
        var lines = [
            "# Custody: recorders docked in this station's bays, tagged \"\(tag)\" for custodyd.",
            "# Written by `custody udev-rules` from the [[models]] of the configuration; install as",
            "# /etc/udev/rules.d/70-custody.rules. It runs after 60-persistent-storage.rules, which sets",
            "# ID_VENDOR_ID, ID_MODEL_ID, ID_SERIAL_SHORT and ID_PATH for USB block devices.",
        ]
        // PTP/MTP recorders (docs/ptp.md) are docked as their USB device, not a block device; ID_MTP_DEVICE=0 keeps
        // desktop MTP clients (gvfs, 69-libmtp.rules) from opening them.
        for model in configuration.models where model.transport == .mtp {
            guard let vendor = model.usbVendorID, let product = model.usbProductID else { continue }
            lines.append("# \(model.name) (MTP)")
            lines.append(
                "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"\(vendor)\", "
                    + "ATTR{idProduct}==\"\(product)\", TAG+=\"\(tag)\", ENV{ID_MTP_DEVICE}=\"0\"")
        }
        lines += [
            "SUBSYSTEM!=\"block\", GOTO=\"custody_end\"",
            "ENV{ID_BUS}!=\"usb\", GOTO=\"custody_end\"",
            "",
        ]
        for model in configuration.models {
            guard let vendor = model.usbVendorID, let product = model.usbProductID else {
                lines.append("# \(model.name): no usb_vendor_id/usb_product_id, so it is never recognised when docked")
                continue
            }
            guard model.transport == .massStorage else { continue }  // tagged as a USB device above
            lines.append("# \(model.name)")
            lines.append(
                "ENV{ID_VENDOR_ID}==\"\(vendor)\", ENV{ID_MODEL_ID}==\"\(product)\", TAG+=\"\(tag)\", "
                    + "ENV{UDISKS_IGNORE}=\"1\", ENV{UDISKS_AUTO}=\"0\"")
        }
        lines += ["", "LABEL=\"custody_end\""]
        return lines.joined(separator: "\n") + "\n"
    }
}
