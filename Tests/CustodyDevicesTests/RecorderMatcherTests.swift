import CustodyCore
import Testing

@testable import CustodyDevices

/// Recognising docked recorders: USB IDs against the models, serial, bay; everything else is refused with a reason.
@Suite struct RecorderMatcherTests {
    static var models: [RecorderModel] {
        var ga947 = RecorderModel(name: "GA947")
        ga947.usbVendorID = "abcd"
        ga947.usbProductID = "1234"
        var phone = RecorderModel(name: "MTPCAM")
        phone.usbVendorID = "abcd"
        phone.usbProductID = "9999"
        phone.transport = .mtp
        return [RecorderModel(name: "CARD"), ga947, phone]
    }

    static var docking: DockingConfiguration {
        var docking = DockingConfiguration()
        docking.bays = ["pci-0000:00:14.0-usb-0:1": "1", "pci-0000:00:14.0-usb-0:1.4": "4"]
        return docking
    }

    static func device(
        vendor: String? = "abcd", product: String? = "1234", serial: String? = "BWC0001",
        port: String? = "pci-0000:00:14.0-usb-0:1.4:1.0-scsi-0:0:0:0", fileSystem: String? = "exfat",
        tagged: Bool = true
    ) -> BlockDevice {
        BlockDevice(
            syspath: "/sys/devices/x/block/sdb/sdb1", devnode: "/dev/sdb1", devtype: "partition",
            fileSystem: fileSystem, bus: "usb", vendorID: vendor, productID: product, serial: serial,
            portPath: port, tagged: tagged)
    }

    let matcher = RecorderMatcher(models: Self.models, docking: Self.docking)

    @Test func recognisesAModelByUSBIDsWithSerialAndBay() throws {
        let recorder = try matcher.recognise(Self.device()).get()
        #expect(recorder.identity == RecorderIdentity(serial: "BWC0001", model: "GA947"))
        #expect(recorder.bay == "4")
        #expect(recorder.devnode == "/dev/sdb1")
        #expect(recorder.fileSystem == "exfat")
    }

    @Test func bayIsTheLongestConfiguredPortPrefixEndingAtAPortBoundary() throws {
        #expect(try matcher.recognise(Self.device(port: "pci-0000:00:14.0-usb-0:1:1.0-scsi-0:0:0:0")).get().bay == "1")
        // usb-0:10 is another port, not port 1: shown by its path.
        let port10 = "pci-0000:00:14.0-usb-0:10:1.0-scsi-0:0:0:0"
        #expect(try matcher.recognise(Self.device(port: port10)).get().bay == port10)
    }

    @Test func refusesUnknownUSBIDsUntaggedDevicesAndDevicesWithoutSerialOrFileSystem() {
        let cases: [(BlockDevice, String)] = [
            (Self.device(vendor: "0781", product: "5567"), "0781:5567, which no configured model has"),
            (Self.device(tagged: false), "not tagged"),
            (Self.device(serial: nil), "no usable serial"),
            (Self.device(serial: "has space"), "no usable serial"),
            (Self.device(fileSystem: nil), "no file system"),
            (Self.device(vendor: nil, product: nil), "no USB vendor"),
        ]
        for (device, reason) in cases {
            guard case .failure(let refusal) = matcher.recognise(device) else {
                Issue.record("\(device) was recognised")
                continue
            }
            #expect(refusal.description.contains(reason), "\(refusal.description)")
            #expect(!refusal.quiet)
        }
    }

    /// The USB device of a PTP/MTP recorder, as udev reports it (`usb_device`, no `ID_PATH`).
    static func usbDevice(
        product: String = "9999", serial: String? = "MTP0001", bus: UInt8? = 1, address: UInt8? = 7
    ) -> BlockDevice {
        var device = BlockDevice(
            syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1.4", devnode: nil,
            devtype: BlockDevice.usbDeviceType, bus: "usb", vendorID: "abcd", productID: product, serial: serial,
            portPath: BlockDevice.portPath(syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1.4"))
        device.busNumber = bus
        device.deviceAddress = address
        return device
    }

    @Test func anMTPModelDocksAsItsUSBDeviceWithBusAddressAndBay() throws {
        let recorder = try matcher.recognise(Self.usbDevice()).get()
        #expect(recorder.identity == RecorderIdentity(serial: "MTP0001", model: "MTPCAM"))
        #expect(recorder.bay == "4")
        #expect(recorder.devnode == "/dev/bus/usb/001/007")
        #expect(recorder.fileSystem == "mtp")
        #expect(recorder.usbAddress?.bus == 1 && recorder.usbAddress?.address == 7)
        // A block device's recorder has no USB address to open.
        #expect(try matcher.recognise(Self.device()).get().usbAddress == nil)
    }

    /// `docking.mtp_watcher = "libusb"`: a libusb hotplug arrival docks the same way as udev's USB device.
    @Test func aLibUSBHotplugArrivalDocksAnMTPModelWithTheBayOfItsSysPath() throws {
        let arrival = USBHotplugDevice(
            vendorID: 0xABCD, productID: 0x9999, bus: 1, address: 7, portNumbers: [1, 4],
            syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1.4", serial: "MTP0001")
        let device = BlockDevice(usbHotplug: arrival)
        #expect(device.syspath == "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1.4")
        #expect(device.isUSBDevice && device.tagged)
        #expect(device.vendorID == "abcd" && device.productID == "9999")
        let recorder = try matcher.recognise(device).get()
        #expect(recorder.identity == RecorderIdentity(serial: "MTP0001", model: "MTPCAM"))
        #expect(recorder.bay == "4")
        #expect(recorder.devnode == "/dev/bus/usb/001/007")
        #expect(recorder.usbAddress?.bus == 1 && recorder.usbAddress?.address == 7)
        // Its departure removes the same /sys path; `enumerated` is udev's to report.
        #expect(DockWatcher.event(for: .left(arrival)) == .removed(syspath: device.syspath))
        #expect(DockWatcher.event(for: .arrived(arrival)) == .present(device))
        #expect(DockWatcher.event(for: .enumerated) == nil)

        // Without /sys: named by bus and address, the bay by bus and ports; without a serial: refused, as from udev.
        var bare = arrival
        bare.syspath = nil
        bare.serial = nil
        let unnamed = BlockDevice(usbHotplug: bare)
        #expect(unnamed.syspath == "usb:1-7")
        #expect(unnamed.portPath == "usb-1-1.4")
        guard case .failure(let refusal) = matcher.recognise(unnamed) else {
            Issue.record("a device without a serial was recognised")
            return
        }
        #expect(refusal.description.contains("no usable serial"))
    }

    @Test func libUSBHotplugWatchesTheUSBIDsOfTheMTPModelsOnly() {
        var again = RecorderModel(name: "MTPCAM2")
        again.usbVendorID = "abcd"
        again.usbProductID = "9999"
        again.transport = .mtp
        var noIDs = RecorderModel(name: "MTPNOID")
        noIDs.transport = .mtp
        #expect(
            DockWatcher.usbHotplugMatches(for: Self.models + [again, noIDs])
                == [USBHotplugMatch(vendorID: 0xABCD, productID: 0x9999)])
    }

    @Test func theUSBPortPathIsTakenFromTheSysPathAsPathIDNamesIt() {
        #expect(
            BlockDevice.portPath(syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1.4")
                == "pci-0000:00:14.0-usb-0:1.4")
        #expect(
            BlockDevice.portPath(syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-3") == "pci-0000:00:14.0-usb-0:3"
        )
        #expect(BlockDevice.portPath(syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1.4/1-1.4:1.0") == nil)
        #expect(BlockDevice.portPath(syspath: "/sys/devices/virtual/block/loop0") == nil)
    }

    @Test func eachTransportDocksOnlyItsOwnKindOfDeviceAndTheOtherIsRefusedQuietly() {
        // The block device of an MTP model, the USB device of a mass-storage model.
        for device in [Self.device(product: "9999"), Self.usbDevice(product: "1234")] {
            guard case .failure(let refusal) = matcher.recognise(device) else {
                Issue.record("\(device) was recognised")
                continue
            }
            #expect(refusal.quiet, "\(refusal.description)")
        }
        for (device, reason) in [
            (Self.usbDevice(bus: nil), "no USB bus number"), (Self.usbDevice(address: 0), "no USB bus number"),
            (Self.usbDevice(serial: nil), "no usable serial"),
        ] {
            guard case .failure(let refusal) = matcher.recognise(device) else {
                Issue.record("\(device) was recognised")
                continue
            }
            #expect(refusal.description.contains(reason), "\(refusal.description)")
            #expect(!refusal.quiet)
        }
    }

    @Test func aPartitionedWholeDiskIsRefusedQuietly() {
        var disk = Self.device(fileSystem: nil)
        disk.hasPartitionTable = true
        guard case .failure(let refusal) = matcher.recognise(disk) else {
            Issue.record("a partitioned disk was recognised")
            return
        }
        #expect(refusal.quiet)
    }

    @Test func ext4IsMountedWithoutJournalReplayAndEveryTypeReadOnlyNosuidNodevNoexecNoatime() {
        #expect(
            RecorderMounter.options(forFileSystem: "ext4") == ["ro", "nosuid", "nodev", "noexec", "noatime", "noload"])
        #expect(RecorderMounter.options(forFileSystem: "vfat") == ["ro", "nosuid", "nodev", "noexec", "noatime"])
        var docking = DockingConfiguration()
        docking.mountPrograms = ["exfat": "/usr/sbin/mount.exfat-fuse", "ext4": "kernel"]
        #expect(docking.mountProgram(forFileSystem: "exfat") == "/usr/sbin/mount.exfat-fuse")
        #expect(docking.mountProgram(forFileSystem: "ext4") == nil)
        #expect(docking.mountProgram(forFileSystem: "vfat") == nil)
    }
}
