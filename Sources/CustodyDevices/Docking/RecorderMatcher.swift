public import CustodyCore

/// A device recognised as a recorder of a configured model: what docking needs to mount and ingest it (a block
/// device), or to open a PTP/MTP session to it (a USB device).
public struct DockedRecorder: Sendable, Equatable {
    /// The device as udev described it.
    public var device: BlockDevice
    /// The recorder's serial and model.
    public var identity: RecorderIdentity
    /// The configured model.
    public var model: RecorderModel
    /// The bay, for people (`[docking.bays]`, else the USB port path).
    public var bay: String
    /// The device node to mount; for a PTP/MTP recorder, its usbfs node (`/dev/bus/usb/BBB/DDD`).
    public var devnode: String
    /// The file-system type to mount it as; ``mtpFileSystem`` for a PTP/MTP recorder, which is not mounted.
    public var fileSystem: String

    /// The `fileSystem` of a PTP/MTP recorder: its files are objects of a PTP session, not a mounted file system.
    public static let mtpFileSystem = "mtp"

    /// For a PTP/MTP recorder: the USB bus and address libusb opens it by (udev's `BUSNUM`, `DEVNUM`).
    public var usbAddress: (bus: UInt8, address: UInt8)? {
        guard model.transport == .mtp, let bus = device.busNumber, let address = device.deviceAddress else {
            return nil
        }
        return (bus, address)
    }
}

/// Recognises docked recorders: USB vendor and product ID against the configured models, the serial from
/// `ID_SERIAL_SHORT`, the bay from `ID_PATH`. A mass-storage model docks as its block device (with a file system);
/// a PTP/MTP model (`transport = "mtp"`) as its USB device (`usb_device`, with `BUSNUM` and `DEVNUM`).
public struct RecorderMatcher: Sendable {
    /// The configured models; only those with USB IDs can be recognised.
    public var models: [RecorderModel]
    /// The docking settings (bays).
    public var docking: DockingConfiguration

    /// A matcher for `models` with the bays of `docking`.
    public init(models: [RecorderModel], docking: DockingConfiguration) {
        self.models = models
        self.docking = docking
    }

    /// Why a tagged device is not ingested.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// For a person.
        public let description: String
        /// A refusal not worth showing: the whole disk of a recorder whose partition is docked.
        public var quiet = false
    }

    /// The recorder `device` is, or why it is not one Custody ingests.
    public func recognise(_ device: BlockDevice) -> Result<DockedRecorder, Refusal> {
        let name = device.devnode ?? device.syspath
        guard device.tagged else { return .failure(Refusal(description: "\(name) is not tagged \"\(docking.tag)\"")) }
        guard let vendor = device.vendorID, let product = device.productID else {
            return .failure(Refusal(description: "\(name) reports no USB vendor and product ID"))
        }
        guard let model = models.first(where: { $0.usbVendorID == vendor && $0.usbProductID == product }) else {
            return .failure(
                Refusal(description: "\(name) is USB \(vendor):\(product), which no configured model has"))
        }
        switch (model.transport, device.isUSBDevice) {
        case (.massStorage, true):
            return .failure(
                Refusal(
                    description: "\(name) is the USB device of a \(model.name); its block device docks", quiet: true))
        case (.mtp, false):
            return .failure(
                Refusal(
                    description:
                        "\(name) is a block device of a \(model.name), whose transport is mtp; its USB device docks",
                    quiet: true))
        default: break
        }
        guard let serial = device.serial, RecorderIdentity.isValidSerial(serial) else {
            return .failure(Refusal(description: "\(name) (\(model.name)) reports no usable serial number"))
        }
        let identity = RecorderIdentity(serial: serial, model: model.name)
        let bay = docking.bay(forPortPath: device.portPath ?? "unknown")
        if model.transport == .mtp {
            guard let bus = device.busNumber, let address = device.deviceAddress, bus > 0, address > 0 else {
                return .failure(
                    Refusal(description: "\(name) (\(model.name) \(serial)) reports no USB bus number and address"))
            }
            let devnode = device.devnode ?? "/dev/bus/usb/\(Self.threeDigits(bus))/\(Self.threeDigits(address))"
            return .success(
                DockedRecorder(
                    device: device, identity: identity, model: model, bay: bay, devnode: devnode,
                    fileSystem: DockedRecorder.mtpFileSystem))
        }
        guard let devnode = device.devnode else {
            return .failure(Refusal(description: "\(name) (\(model.name) \(serial)) has no device node"))
        }
        guard let fileSystem = device.fileSystem else {
            if device.hasPartitionTable {
                return .failure(
                    Refusal(description: "\(devnode) is a partitioned disk; its partitions dock", quiet: true))
            }
            return .failure(
                Refusal(description: "\(devnode) (\(model.name) \(serial)) holds no file system udev recognised"))
        }
        return .success(
            DockedRecorder(
                device: device, identity: identity, model: model, bay: bay, devnode: devnode, fileSystem: fileSystem))
    }

    private static func threeDigits(_ number: UInt8) -> String {
        let digits = String(number)
        return String(repeating: "0", count: 3 - digits.count) + digits
    }
}
