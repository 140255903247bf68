public import CustodyCore

/// A block device recognised as a recorder of a configured model: what docking needs to mount and ingest it.
public struct DockedRecorder: Sendable, Equatable {
    /// The device as udev described it.
    public var device: BlockDevice
    /// The recorder's serial and model.
    public var identity: RecorderIdentity
    /// The configured model.
    public var model: RecorderModel
    /// The bay, for people (`[docking.bays]`, else the USB port path).
    public var bay: String
    /// The device node to mount.
    public var devnode: String
    /// The file-system type to mount it as.
    public var fileSystem: String
}

/// Recognises docked recorders: USB vendor and product ID against the configured models, the serial from
/// `ID_SERIAL_SHORT`, the bay from `ID_PATH`.
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
        guard model.transport == .massStorage else {
            return .failure(
                Refusal(
                    description:
                        "\(name) is a \(model.name), whose transport \(model.transport.rawValue) docking does not ingest yet"
                ))
        }
        guard let serial = device.serial, RecorderIdentity.isValidSerial(serial) else {
            return .failure(Refusal(description: "\(name) (\(model.name)) reports no usable serial number"))
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
                device: device, identity: RecorderIdentity(serial: serial, model: model.name), model: model,
                bay: docking.bay(forPortPath: device.portPath ?? "unknown"), devnode: devnode, fileSystem: fileSystem))
    }
}
