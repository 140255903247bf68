import CustodyTesting
import Foundation
import Logging
import Testing

@testable import CustodyDevices

/// libusb hotplug (issue 5): ``USBHotplugMonitor`` registers one callback per match, reports matching devices
/// present at start (ENUMERATE) and plugged in or pulled out later, reads each arrival's serial, and stops cleanly.
///
/// The device tests run the real libusb against umockdev: libusb's udev backend follows the testbed's uevents. The
/// preload must be in place when the process starts, so each outer test runs this test binary again under
/// `umockdev-wrapper` and a controller (``controllerScript``) that owns the testbed; the inner test asks the
/// controller to plug and unplug devices over a pipe, and prints a marker the outer test requires, so a filter that
/// matched nothing cannot pass.
@Suite struct USBHotplugMonitorTests {
    static let isInner = ProcessInfo.processInfo.environment["CUSTODY_HOTPLUG_INNER"] == "1"
    static let hasUmockdev =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-wrapper")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    static let marker = "USB-HOTPLUG-INNER-OK"
    static let logger = Logger(label: "test.usb-hotplug")
    static let recorder = USBHotplugMatch(vendorID: 0xABCD, productID: 0x9999)

    // MARK: Without a device

    @Test func withoutHotplugSupportStartFailsWithATypedErrorThatSaysWhatToDo() throws {
        let monitor = USBHotplugMonitor(
            matching: [Self.recorder], readsSerial: true, logger: Self.logger, hasHotplug: { false })
        let error = try #require(throws: USBError.self) { try monitor.start { _ in Issue.record("no event") } }
        #expect(error.code == .notSupported)
        #expect(error.status == -12)
        #expect(error.message.contains("LIBUSB_CAP_HAS_HOTPLUG"))
        #expect(error.message.contains("docking.mtp_watcher = \"udev\""))
        #expect(monitor.registrations.current == 0)
    }

    @Test func startRegistersOneCallbackPerMatchAndStopDeregistersThemAndEndsTheStream() async throws {
        let monitor = USBHotplugMonitor(
            matching: [Self.recorder, USBHotplugMatch(vendorID: 0x1234, productID: nil)], logger: Self.logger)
        let events = try monitor.events()
        #expect(monitor.registrations.current == 2)
        #expect(throws: USBError.self) { try monitor.start { _ in } }  // already running
        let consumer = Task {
            var seen = [USBHotplugEvent]()
            for await event in events { seen.append(event) }
            return seen
        }
        monitor.stop()
        #expect(monitor.registrations.current == 0)
        // The stream ends (the consumer's loop returns) once stopped; on this machine no such device is present.
        #expect(await consumer.value == [.enumerated])
        monitor.stop()  // a second stop does nothing
        try monitor.start { _ in }  // and the monitor starts again
        #expect(monitor.registrations.current == 2)
        monitor.stop()
        #expect(monitor.registrations.current == 0)
    }

    @Test func aDeviceIsNamedByItsBusPortsAndUsbfsNode() {
        let device = USBHotplugDevice(vendorID: 0xABCD, productID: 0x0102, bus: 1, address: 17, portNumbers: [4, 2])
        #expect(device.kernelName == "1-4.2")
        #expect(device.devnode == "/dev/bus/usb/001/017")
        #expect(device.ids == "abcd:0102")
        #expect(USBHotplugDevice(vendorID: 1, productID: 2, bus: 2, address: 1).kernelName == nil)
        #expect(USBHotplugMatch(vendorID: 0x1234, productID: nil).matches(vendorID: 0x1234, productID: 7))
        #expect(!USBHotplugMatch(vendorID: 0x1234, productID: 8).matches(vendorID: 0x1234, productID: 7))
    }

    // MARK: Under umockdev

    @Test(.enabled(if: !isInner && hasUmockdev))
    func aMatchingDevicePresentAtStartIsReportedByEnumerateWithItsSerialAndAnotherIsNot() throws {
        try Self.runInner(
            "innerEnumerate",
            present: [FakeUSBDevice.recorderA, FakeUSBDevice(vendor: 0x2222, product: 0x0001, devnum: 5, port: 4)])
    }

    @Test(.enabled(if: !isInner && hasUmockdev))
    func devicesPluggedAfterStartArriveAndLeaveWithTheirIDsAndNonMatchingOnesAreNotReported() throws {
        try Self.runInner("innerHotplug", present: [])
    }

    /// Inner: started with recorder A (abcd:9999) and a 2222:0001 device present.
    @Test(.enabled(if: isInner))
    func innerEnumerate() throws {
        let monitor = USBHotplugMonitor(matching: [Self.recorder], logger: Self.logger)
        let queue = EventQueue()
        try monitor.start { queue.append($0) }
        // ENUMERATE's arrivals and `enumerated` are reported before start returns.
        #expect(queue.all == [.arrived(FakeUSBDevice.recorderA.reported), .enumerated])
        monitor.stop()
        #expect(monitor.registrations.current == 0)
        print(Self.marker)
    }

    /// Inner: nothing present at start; devices plugged and unplugged through the controller.
    @Test(.enabled(if: isInner))
    func innerHotplug() throws {
        let rig = try RigChannel()
        let monitor = USBHotplugMonitor(
            matching: [Self.recorder, USBHotplugMatch(vendorID: 0x1234, productID: nil)], logger: Self.logger)
        let queue = EventQueue()
        try monitor.start { queue.append($0) }
        #expect(queue.all == [.enumerated])

        let other = FakeUSBDevice(vendor: 0x2222, product: 0x0001, devnum: 5, port: 4, serial: "NOTOURS")
        let vendorOnly = FakeUSBDevice(vendor: 0x1234, product: 0x5678, devnum: 6, port: 5, serial: "V0001")
        let recorder = FakeUSBDevice(vendor: 0xABCD, product: 0x9999, devnum: 3, port: 2, serial: "BWC0002")
        // The non-matching device is plugged first: were it reported, it would be the next event.
        try rig.plug(other)
        try rig.plug(vendorOnly)
        #expect(try queue.next() == .arrived(vendorOnly.reported))
        try rig.plug(recorder)
        #expect(try queue.next() == .arrived(recorder.reported))
        try rig.unplug(other)
        try rig.unplug(recorder)
        #expect(try queue.next() == .left(recorder.reported))
        try rig.unplug(vendorOnly)
        #expect(try queue.next() == .left(vendorOnly.reported))

        monitor.stop()
        #expect(monitor.registrations.current == 0)
        print(Self.marker)
    }

    /// Runs inner test `name` in a testbed where `present` is plugged in before the test binary starts.
    static func runInner(_ name: String, present: [FakeUSBDevice]) throws {
        let directory = try TemporaryDirectory(prefix: "custody-usb-hotplug")
        let script = directory.file("hotplug-rig.py")
        try controllerScript.write(to: script, atomically: true, encoding: .utf8)
        var arguments = ["/usr/bin/python3", script.path]
        for device in present { arguments += ["--present", device.json] }
        arguments += [
            "--", CommandLine.arguments[0], "--testing-library", "swift-testing", "--filter",
            "USBHotplugMonitorTests/\(name)",
        ]
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/umockdev-wrapper"), arguments, environment: ["CUSTODY_HOTPLUG_INNER": "1"])
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(result.standardOutput.contains(marker), "\(result.standardOutput)\n\(result.standardError)")
    }

    /// The controller: a umockdev testbed, a USB device per `--present` (before the command starts) and per `plug`
    /// (each a udev "add"), an ioctl handler per device node answering its string descriptors (so the serial can be
    /// read), `unplug` as a udev "remove". Commands come on the pipe named by `CUSTODY_HOTPLUG_RIG`, one `ok` each.
    static let controllerScript = #"""
        import json, os, struct, subprocess, sys, threading, time
        import gi
        gi.require_version('UMockdev', '1.0')
        from gi.repository import UMockdev

        SUBMITURB, REAPURB, REAPURBNDELAY, DISCARDURB = 0x8038550a, 0x4008550c, 0x4008550d, 0x550b
        CLAIM, RELEASE, GETCAPS, SETCONFIG, CLEAR_HALT, RESET = 0x8004550f, 0x80045510, 0x8004551a, 0x80045505, 0x80045515, 0x5514
        URB_SIZE, OFF_STATUS, OFF_BUF, OFF_BUFLEN, OFF_ACTUAL = 0x38, 4, 0x10, 0x18, 0x1c
        CONFIG = bytes.fromhex('09022700010100803209040000030601010007058102000200070502020002000705830340000A')

        class StringDescriptors:
            def __init__(self, serial):
                self.strings = {1: 'ACME', 2: 'FakeCam', 3: serial}
                self.pending = []
                self.lock = threading.Lock()

            def handle(self, handler, client):
                req, arg = client.get_request(), client.get_arg()
                if req == GETCAPS:
                    arg.resolve(0, 4).update(0, struct.pack('<I', 0x1 | 0x4)); client.complete(0, 0); return True
                if req in (CLAIM, RELEASE, SETCONFIG, CLEAR_HALT, RESET):
                    client.complete(0, 0); return True
                if req == SUBMITURB:
                    urb = arg.resolve(0, URB_SIZE)
                    raw = bytes(urb.retrieve())
                    buflen = struct.unpack_from('<i', raw, OFF_BUFLEN)[0]
                    buf = urb.resolve(OFF_BUF, buflen)
                    data = bytes(buf.retrieve())
                    status, payload = -32, b''
                    if raw[0] == 2:
                        bm, breq, value, index, length = struct.unpack('<BBHHH', data[:8])
                        if bm == 0x80 and breq == 6 and value >> 8 == 3:
                            idx = value & 0xff
                            if idx == 0:
                                payload = bytes([4, 3, 0x09, 0x04])
                            else:
                                s = self.strings[idx].encode('utf-16-le')
                                payload = bytes([2 + len(s), 3]) + s
                            status, payload = 0, payload[:length]
                            buf.update(8, payload)
                    urb.update(OFF_STATUS, struct.pack('<i', status))
                    urb.update(OFF_ACTUAL, struct.pack('<i', len(payload)))
                    with self.lock:
                        self.pending.append(urb)
                    client.complete(0, 0); return True
                if req in (REAPURB, REAPURBNDELAY):
                    with self.lock:
                        urb = self.pending.pop(0) if self.pending else None
                    if urb is None:
                        client.complete(-1, 11); return True
                    arg.resolve(0, 8).set_ptr(0, urb)
                    client.complete(0, 0); return True
                client.complete(-1, 25); return True

        testbed = UMockdev.Testbed.new()
        handlers = {}   # devnum: (syspath, node, handler, strings), kept alive while plugged

        def plug(spec):
            devnum, port = spec['devnum'], spec['port']
            syspath = '/devices/pci0000:00/0000:00:14.0/usb1/1-%d' % port
            node = 'bus/usb/001/%03d' % devnum
            device = struct.pack('<BBHBBBBHHHBBBB', 18, 1, 0x0200, 0, 0, 0, 64, spec['vendor'], spec['product'],
                                 0x0100, 1, 2, 3, 1) + CONFIG
            strings = StringDescriptors(spec['serial'])
            handler = UMockdev.IoctlBase()
            handler.connect('handle-ioctl', strings.handle)
            testbed.attach_ioctl('/dev/' + node, handler)
            testbed.add_from_string('\n'.join([
                'P: ' + syspath, 'N: ' + node, 'E: DEVNAME=/dev/' + node, 'E: DEVTYPE=usb_device', 'E: DRIVER=usb',
                'E: SUBSYSTEM=usb', 'E: PRODUCT=%x/%x/100' % (spec['vendor'], spec['product']), 'E: BUSNUM=001',
                'E: DEVNUM=%03d' % devnum, 'E: MAJOR=189', 'E: MINOR=%d' % (devnum - 1),
                'A: idVendor=%04x' % spec['vendor'], 'A: idProduct=%04x' % spec['product'], 'A: serial=' + spec['serial'],
                'A: busnum=1', 'A: devnum=%d' % devnum, 'A: speed=480', 'A: bConfigurationValue=1',
                'A: bNumConfigurations=1', 'A: dev=189:%d' % (devnum - 1), 'H: descriptors=' + device.hex(), '']))
            handlers[devnum] = (syspath, '/dev/' + node, handler, strings)

        def unplug(devnum):
            syspath, node, handler, strings = handlers.pop(devnum)
            testbed.uevent('/sys' + syspath, 'remove')
            testbed.remove_device('/sys' + syspath)
            testbed.detach_ioctl(node)

        args = sys.argv[1:]
        split = args.index('--')
        options, command = args[:split], args[split + 1:]
        for i, option in enumerate(options):
            if option == '--present':
                plug(json.loads(options[i + 1]))
        commands_read, commands_write = os.pipe()
        replies_read, replies_write = os.pipe()
        env = dict(os.environ, UMOCKDEV_DIR=testbed.get_root_dir(),
                   CUSTODY_HOTPLUG_RIG='%d,%d' % (commands_write, replies_read))
        child = subprocess.Popen(command, env=env, pass_fds=(commands_write, replies_read))
        os.close(commands_write)
        os.close(replies_read)
        commands, replies = os.fdopen(commands_read, 'r'), os.fdopen(replies_write, 'w')
        timer = threading.Timer(300, child.kill)    # a safety net: a hung test fails instead of hanging
        timer.start()
        for line in commands:
            verb, _, rest = line.strip().partition(' ')
            try:
                if verb == 'plug':
                    plug(json.loads(rest))
                elif verb == 'unplug':
                    unplug(int(rest))
                reply = 'ok'
            except Exception as error:
                reply = 'error: %s' % error
            replies.write(reply + '\n'); replies.flush()
        status = child.wait()
        timer.cancel()
        for devnum in list(handlers):
            testbed.detach_ioctl(handlers.pop(devnum)[1])
        del testbed
        sys.exit(status)
        """#
}

/// A fake USB device the controller plugs in: IDs, address, root-hub port and serial.
struct FakeUSBDevice {
    var vendor: UInt16
    var product: UInt16
    var devnum: UInt8
    var port: UInt8
    var serial = "BWC0001"

    static let recorderA = FakeUSBDevice(vendor: 0xABCD, product: 0x9999, devnum: 2, port: 1, serial: "BWC0001")

    var json: String {
        "{\"vendor\":\(vendor),\"product\":\(product),\"devnum\":\(devnum),\"port\":\(port),\"serial\":\"\(serial)\"}"
    }

    /// What the monitor should report for it: bus 1, its address and port, the /sys path the controller gave it,
    /// the serial read from its descriptor.
    var reported: USBHotplugDevice {
        USBHotplugDevice(
            vendorID: vendor, productID: product, bus: 1, address: devnum, portNumbers: [port],
            syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-\(port)", serial: serial)
    }
}

/// The inner test's end of the controller's pipes.
struct RigChannel {
    let commands: FileHandle
    let replies: FileHandle

    init() throws {
        let fds = (ProcessInfo.processInfo.environment["CUSTODY_HOTPLUG_RIG"] ?? "").split(separator: ",")
            .compactMap { Int32($0) }
        try #require(fds.count == 2, "CUSTODY_HOTPLUG_RIG names no pipes")
        commands = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        replies = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
    }

    func plug(_ device: FakeUSBDevice) throws { try send("plug " + device.json) }
    func unplug(_ device: FakeUSBDevice) throws { try send("unplug \(device.devnum)") }

    private func send(_ command: String) throws {
        try commands.write(contentsOf: Data((command + "\n").utf8))
        var line = Data()
        while true {
            let byte = try replies.read(upToCount: 1) ?? Data()
            try #require(!byte.isEmpty, "the controller closed its pipe")
            if byte == Data("\n".utf8) { break }
            line += byte
        }
        let reply = String(decoding: line, as: UTF8.self)
        try #require(reply == "ok", "controller: \(reply)")
    }
}

/// The events a monitor reported, in order; ``next()`` waits for the one after those already taken.
final class EventQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [USBHotplugEvent] = []
    private var taken = 0

    func append(_ event: USBHotplugEvent) {
        condition.lock()
        events.append(event)
        condition.broadcast()
        condition.unlock()
    }

    /// Everything reported so far; marks it taken.
    var all: [USBHotplugEvent] {
        condition.lock()
        defer { condition.unlock() }
        taken = events.count
        return events
    }

    /// The next event not yet taken; fails the test if none comes within a minute (a safety net, not a timing
    /// assertion).
    func next() throws -> USBHotplugEvent {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(60)
        while events.count <= taken {
            guard condition.wait(until: deadline) else { break }
        }
        try #require(events.count > taken, "no hotplug event within 60 s; reported so far: \(events)")
        taken += 1
        return events[taken - 1]
    }
}
