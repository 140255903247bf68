public import CustodyCore
import Foundation
import Glibc
public import Logging

/// Watches udev for recorders: it reports every tagged block device (mass storage) and every tagged USB device
/// (`usb_device`, PTP/MTP recorders) already present, then follows add, change and remove events on netlink "udev"
/// monitors of the `block` and `usb` subsystems (shared/DESIGN.md "Data flow").
///
/// With `usbHotplug` matches (`docking.mtp_watcher = "libusb"`), USB devices come from libusb's hotplug callbacks
/// instead (``USBHotplugMonitor``): the devices of those vendor and product IDs, tagged or not, with the serial
/// read from the device; udev then watches block devices only.
///
/// libudev is not thread-safe, so the watcher owns one thread on which every libudev object lives; the events
/// reach async code through ``events()``.
public final class DockWatcher: Sendable {
    /// The tag Custody's rules set (`docking.tag`).
    public let tag: String
    /// The USB devices watched through libusb hotplug instead of udev, or nil when udev reports USB devices.
    public let usbHotplug: [USBHotplugMatch]?
    private let logger: Logger

    /// The udev subsystems watched: block devices of mass-storage recorders, USB devices of PTP/MTP recorders
    /// unless libusb reports those.
    var subsystems: [String] { usbHotplug == nil ? ["block", "usb"] : ["block"] }

    /// A watcher for block and USB devices tagged `tag`; with `usbHotplug`, USB devices of those IDs are followed
    /// through libusb hotplug instead.
    public init(tag: String, usbHotplug: [USBHotplugMatch]? = nil, logger: Logger) {
        self.tag = tag
        self.usbHotplug = usbHotplug
        self.logger = logger
    }

    /// Starts watching: the stream yields the devices present now, then ``DockEvent/enumerated``, then events as
    /// they come, until the consumer stops iterating. Fails when udev (or libusb hotplug) cannot be set up.
    public func events() throws(DeviceError) -> AsyncStream<DockEvent> {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw DeviceError(
                .setup, "cannot create the watcher's wake pipe: \(SystemCall.describe(errno))", errno: errno)
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let wake = ends
        let (stream, continuation) = AsyncStream<DockEvent>.makeStream(bufferingPolicy: .unbounded)
        // libusb first: its devices present now are yielded before udev's enumeration ends with `enumerated`.
        let monitor: USBHotplugMonitor?
        do throws(USBError) {
            monitor = try usbHotplug.map { matches throws(USBError) in
                let monitor = USBHotplugMonitor(matching: matches, readsSerial: true, logger: logger)
                try monitor.start { event in
                    if let dockEvent = Self.event(for: event) { continuation.yield(dockEvent) }
                }
                return monitor
            }
        } catch {
            for end in wake { close(end) }
            continuation.finish()
            throw DeviceError(.setup, "cannot watch USB devices through libusb hotplug: \(error.message)")
        }
        let ready = ThreadStart<DeviceError>()
        let thread = Thread { [tag, subsystems, logger] in
            Self.watch(
                tag: tag, subsystems: subsystems, logger: logger, wakeFD: wake[0], continuation: continuation,
                ready: ready)
            close(wake[0])
        }
        thread.name = "custody-dock-watcher"
        thread.stackSize = 1 << 20
        let writeEnd = wake[1]
        continuation.onTermination = { _ in
            monitor?.stop()
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
            close(writeEnd)
        }
        thread.start()
        if let failure = ready.wait() {
            continuation.finish()
            throw failure
        }
        return stream
    }

    /// The USB IDs libusb hotplug watches for: those of every model whose transport is `mtp` (models without both
    /// IDs are never recognised, so they are not watched).
    public static func usbHotplugMatches(for models: [RecorderModel]) -> [USBHotplugMatch] {
        var seen = Set<USBHotplugMatch>()
        return models.compactMap { model in
            guard model.transport == .mtp, let vendor = model.usbVendorID.flatMap({ UInt16($0, radix: 16) }),
                let product = model.usbProductID.flatMap({ UInt16($0, radix: 16) })
            else { return nil }
            let match = USBHotplugMatch(vendorID: vendor, productID: product)
            return seen.insert(match).inserted ? match : nil
        }
    }

    /// What a libusb hotplug event means for docking: an arrival is a present USB device, a departure its removal.
    static func event(for event: USBHotplugEvent) -> DockEvent? {
        switch event {
        case .arrived(let device): .present(BlockDevice(usbHotplug: device))
        case .left(let device): .removed(syspath: BlockDevice(usbHotplug: device).syspath)
        case .enumerated: nil
        }
    }

    /// The watcher thread: set up udev, enumerate, then poll the monitor and the wake pipe.
    private static func watch(
        tag: String, subsystems: [String], logger: Logger, wakeFD: Int32,
        continuation: AsyncStream<DockEvent>.Continuation, ready: ThreadStart<DeviceError>
    ) {
        let udev: Udev
        let monitors: [UdevMonitor]
        do {
            udev = try Udev()
            // The monitors listen before enumerating, so a device added in between is not missed (it may be
            // reported twice; the consumer keys devices by /sys path).
            monitors = try subsystems.map { subsystem throws(DeviceError) in
                try UdevMonitor(udev: udev, subsystem: subsystem)
            }
            var present = try udev.enumerate(subsystem: "block")
            if subsystems.contains("usb") {
                present += try udev.enumerate(subsystem: "usb").filter { $0.devtype == BlockDevice.usbDeviceType }
            }
            ready.signal(nil)
            for device in present where device.hasTag(tag) {
                continuation.yield(.present(BlockDevice(device, tag: tag)))
            }
            continuation.yield(.enumerated)
        } catch {
            ready.signal(error)
            return
        }
        var descriptors = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        descriptors += monitors.map { pollfd(fd: $0.fileDescriptor, events: Int16(POLLIN), revents: 0) }
        while true {
            let count = poll(&descriptors, nfds_t(descriptors.count), -1)
            if count < 0 {
                if errno == EINTR { continue }
                logger.error("polling udev failed", metadata: ["error": "\(SystemCall.describe(errno))"])
                continuation.finish()
                return
            }
            if descriptors[0].revents != 0 { return }
            for monitor in monitors {
                while let device = monitor.receive() {
                    guard let event = event(for: device, tag: tag) else { continue }
                    logger.debug(
                        "udev event",
                        metadata: ["udev.action": "\(device.action ?? "")", "udev.syspath": "\(device.syspath)"])
                    continuation.yield(event)
                }
            }
        }
    }

    /// What a received device means for docking, or nil when it is not Custody's.
    static func event(for device: UdevDevice, tag: String) -> DockEvent? {
        if device.subsystem == "usb" {
            // A PTP/MTP recorder docks as its USB device; its interfaces (`usb_interface`) are not watched.
            guard device.devtype == BlockDevice.usbDeviceType else { return nil }
            switch device.action {
            case "remove": return .removed(syspath: device.syspath)
            case "add", "bind", "change", .none:
                return device.hasTag(tag) ? .present(BlockDevice(device, tag: tag)) : nil
            default: return nil
            }
        }
        switch device.action {
        case "remove":
            // Removal is reported for any block device: the consumer knows which ones it docked.
            return .removed(syspath: device.syspath)
        case "change":
            // Media gone from a card reader, or a detached loop device: no longer tagged, or no file system left.
            let block = BlockDevice(device, tag: tag)
            return block.tagged && block.fileSystem != nil ? .present(block) : .removed(syspath: device.syspath)
        case "add", "bind", "online", .none:
            guard device.hasTag(tag) else { return nil }
            return .present(BlockDevice(device, tag: tag))
        default:
            return nil
        }
    }
}
