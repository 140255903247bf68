import CUdev
import Glibc

/// A libudev context (`struct udev`), owned: released in `deinit`.
///
/// libudev objects are not thread-safe; a context and everything made from it stay on one thread (the
/// ``DockWatcher``'s).
final class Udev {
    let pointer: OpaquePointer

    init() throws(DeviceError) {
        guard let pointer = udev_new() else {
            throw DeviceError(.udev, "udev_new failed: \(SystemCall.describe(errno))", errno: errno)
        }
        self.pointer = pointer
    }

    deinit { udev_unref(pointer) }

    /// The devices of `subsystem` present now (from /sys and the udev database).
    func enumerate(subsystem: String) throws(DeviceError) -> [UdevDevice] {
        guard let enumerate = udev_enumerate_new(pointer) else {
            throw DeviceError(.udev, "udev_enumerate_new failed: \(SystemCall.describe(errno))", errno: errno)
        }
        defer { udev_enumerate_unref(enumerate) }
        udev_enumerate_add_match_subsystem(enumerate, subsystem)
        let status = udev_enumerate_scan_devices(enumerate)
        guard status >= 0 else {
            throw DeviceError(
                .udev, "scanning \(subsystem) devices failed: \(SystemCall.describe(-status))", errno: -status)
        }
        var devices = [UdevDevice]()
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            if let name = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(pointer, name)
            {
                devices.append(UdevDevice(device))
            }
            entry = udev_list_entry_get_next(current)
        }
        return devices
    }
}

/// A udev device (`struct udev_device`), owned: released in `deinit`.
final class UdevDevice {
    private let pointer: OpaquePointer

    /// Takes ownership of a reference returned by libudev.
    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { udev_device_unref(pointer) }

    private static func string(_ value: UnsafePointer<CChar>?) -> String? {
        value.map { String(cString: $0) }
    }

    /// `add`, `change`, `remove`…; nil for an enumerated device.
    var action: String? { Self.string(udev_device_get_action(pointer)) }
    /// The /sys path, which names the device for its whole life.
    var syspath: String { Self.string(udev_device_get_syspath(pointer)) ?? "" }
    /// The device node, e.g. `/dev/sdb1`.
    var devnode: String? { Self.string(udev_device_get_devnode(pointer)) }
    var subsystem: String? { Self.string(udev_device_get_subsystem(pointer)) }
    var devtype: String? { Self.string(udev_device_get_devtype(pointer)) }

    /// A udev property (`ID_SERIAL_SHORT`, `ID_FS_TYPE`…).
    func property(_ name: String) -> String? {
        Self.string(udev_device_get_property_value(pointer, name))
    }

    /// A /sys attribute of the nearest USB device above this one (`idVendor`, `serial`…).
    func usbDeviceAttribute(_ name: String) -> String? {
        guard let parent = udev_device_get_parent_with_subsystem_devtype(pointer, "usb", "usb_device") else {
            return nil  // borrowed from the child: not unreferenced
        }
        return Self.string(udev_device_get_sysattr_value(parent, name))
    }

    /// Whether udev put `tag` on the device: from the udev database, or from the `TAGS` property an event or
    /// a database-less /sys (umockdev) carries.
    func hasTag(_ tag: String) -> Bool {
        if udev_device_has_tag(pointer, tag) > 0 { return true }
        for key in ["TAGS", "CURRENT_TAGS"] {
            if let tags = property(key), tags.split(separator: ":").contains(Substring(tag)) { return true }
        }
        return false
    }
}

/// A udev monitor on the netlink "udev" group: events after udevd has applied its rules.
final class UdevMonitor {
    private let pointer: OpaquePointer
    /// Keeps the context alive as long as the monitor.
    private let udev: Udev

    /// A monitor of block devices.
    ///
    /// Tags are checked on each received device (``UdevDevice/hasTag(_:)``), not by a kernel-side tag filter:
    /// that filter relies on a bloom filter in the message header, which umockdev's test events do not carry.
    init(udev: Udev, subsystem: String) throws(DeviceError) {
        guard let pointer = udev_monitor_new_from_netlink(udev.pointer, "udev") else {
            throw DeviceError(
                .udev, "cannot open the udev netlink monitor: \(SystemCall.describe(errno))", errno: errno)
        }
        self.pointer = pointer
        self.udev = udev
        udev_monitor_filter_add_match_subsystem_devtype(pointer, subsystem, nil)
        // A recorder docking while the daemon is busy must not be lost to a full socket buffer.
        _ = udev_monitor_set_receive_buffer_size(pointer, 4 << 20)
        let status = udev_monitor_enable_receiving(pointer)
        guard status >= 0 else {
            throw DeviceError(.udev, "cannot listen for udev events: \(SystemCall.describe(-status))", errno: -status)
        }
    }

    deinit { udev_monitor_unref(pointer) }

    /// The socket to poll for readability.
    var fileDescriptor: Int32 { udev_monitor_get_fd(pointer) }

    /// The next event's device, or nil when none is waiting (the socket is non-blocking).
    func receive() -> UdevDevice? {
        udev_monitor_receive_device(pointer).map(UdevDevice.init)
    }
}
