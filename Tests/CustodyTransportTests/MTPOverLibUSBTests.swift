import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyTesting
import Foundation
import Testing

@testable import CustodyTransport

/// The real libusb code path (issue 5): libusb opens a fake still-image device whose usbdevfs ioctls are answered
/// by a umockdev `IoctlBase` handler acting as a small PTP responder (after shared/recipes/device-testing/fakeusb.py),
/// and a recorder's files are ingested through ``USBPTPTransport`` and ``MTPRecorderSource`` with matching digests.
///
/// The preload must be in place when the process starts, so the outer test runs this test binary again under
/// `umockdev-wrapper` with `CUSTODY_PTP_USB_INNER=1`; the inner test prints a marker the outer test requires, so a
/// filter that matched nothing cannot pass.
@Suite struct MTPOverLibUSBTests {
    static let isInner = ProcessInfo.processInfo.environment["CUSTODY_PTP_USB_INNER"] == "1"
    static let hasUmockdev =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-wrapper")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    static let marker = "PTP-USB-INNER-OK"

    /// The files the fake device serves (handle: path, size); byte i of handle h is (i × h + 3) mod 256.
    static let files: [UInt32: (path: String, size: Int)] = [
        5: ("DCIM/CLIP.MP4", 200_003), 6: ("DCIM/B.MP4", 70_000), 7: ("LOG.TXT", 3),
    ]
    static func content(_ handle: UInt32) -> [UInt8] {
        (0..<files[handle]!.size).map { UInt8(($0 * Int(handle) + 3) % 256) }
    }

    @Test(.enabled(if: !isInner && hasUmockdev))
    func libusbIngestsAFakeUSBRecordersFilesWithMatchingDigests() throws {
        let directory = try TemporaryDirectory(prefix: "custody-ptp-usb")
        let device = directory.file("ptpcam.umockdev")
        let script = directory.file("fakeptp.py")
        try Self.deviceDescription.write(to: device, atomically: true, encoding: .utf8)
        try Self.responderScript.write(to: script, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/umockdev-wrapper"),
            [
                "/usr/bin/python3", script.path, device.path, "--", CommandLine.arguments[0],
                "--testing-library", "swift-testing", "--filter", "MTPOverLibUSBTests/inner",
            ],
            environment: ["CUSTODY_PTP_USB_INNER": "1"])
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(result.standardOutput.contains(Self.marker), "\(result.standardOutput)\n\(result.standardError)")
    }

    @Test(.enabled(if: isInner))
    func inner() throws {
        let context = try USBContext()
        let device = try context.device(bus: 1, address: 2)
        let ids = try device.ids()
        #expect(ids.vendor == 0xABCD && ids.product == 0x9999)
        let interface = try device.stillImageInterface()
        #expect(interface.bulkIn == 0x81 && interface.bulkOut == 0x02 && interface.interruptIn == 0x83)
        let handle = try device.open()
        let serial = try #require(try handle.serialNumber())
        #expect(serial == "BWC0001")
        try handle.claim(interface.number)
        let session = PTPSession(transport: USBPTPTransport(handle: handle, interface: interface))
        #expect(try session.deviceInfo().model == "FakeCam")
        try session.openSession()
        #expect(try session.dateTime().description == "20261130T080004")

        let source = MTPRecorderSource(
            session: session, identity: RecorderIdentity(serial: serial, model: "MTPCAM"), localOffset: .utc)
        let station = try Station(concurrentFiles: 2)
        let summary = try station.service().ingest(source, model: RecorderModel(name: "MTPCAM"))
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        var digests = [String: String]()
        for entry in try station.entries(.clipIngested) {
            digests[entry.fields["path"]?.stringValue ?? "?"] = entry.fields["sha256"]?.stringValue
        }
        let expected = Dictionary(
            uniqueKeysWithValues: Self.files.map { ($0.value.path, SHA256Hash.of(Self.content($0.key)).hex) })
        #expect(digests == expected)
        #expect(try station.storedDigests() == Set(Self.files.keys.map { SHA256Hash.of(Self.content($0)) }))
        try session.closeSession()
        print(Self.marker)
    }

    static let deviceDescription = """
        P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0
        E: DEVTYPE=usb_interface
        E: SUBSYSTEM=usb
        E: INTERFACE=6/1/1
        A: bInterfaceClass=06
        A: bInterfaceSubClass=01
        A: bInterfaceProtocol=01

        P: /devices/pci0000:00/0000:00:14.0/usb1/1-1
        N: bus/usb/001/002
        E: DEVNAME=/dev/bus/usb/001/002
        E: DEVTYPE=usb_device
        E: DRIVER=usb
        E: SUBSYSTEM=usb
        E: PRODUCT=abcd/9999/100
        E: TYPE=0/0/0
        E: BUSNUM=001
        E: DEVNUM=002
        E: MAJOR=189
        E: MINOR=1
        A: idVendor=abcd
        A: idProduct=9999
        A: serial=BWC0001
        A: busnum=1
        A: devnum=2
        A: speed=480
        A: bConfigurationValue=1
        A: bNumConfigurations=1
        A: dev=189:1
        H: descriptors=1201000200000040CDAB999900010102030109022700010100803209040000030601010007058102000200070502020002000705830340000A

        """

    static let responderScript = #"""
        import os, sys, struct, subprocess, threading
        import gi
        gi.require_version('UMockdev', '1.0')
        from gi.repository import UMockdev

        SUBMITURB, REAPURB, REAPURBNDELAY, DISCARDURB = 0x8038550a, 0x4008550c, 0x4008550d, 0x550b
        CLAIM, RELEASE, GETCAPS, CONNECTINFO = 0x8004550f, 0x80045510, 0x8004551a, 0x40085511
        SETCONFIG, CLEAR_HALT, RESET = 0x80045505, 0x80045515, 0x5514
        URB_SIZE, OFF_STATUS, OFF_BUF, OFF_BUFLEN, OFF_ACTUAL = 0x38, 4, 0x10, 0x18, 0x1c
        STRINGS = {1: 'ACME', 2: 'FakeCam', 3: 'BWC0001'}
        SIZES = {5: 200003, 6: 70000, 7: 3}
        CONTENT = {h: bytes((i * h + 3) % 256 for i in range(n)) for h, n in SIZES.items()}
        # handle: (name, parent, is folder)
        OBJECTS = {1: ('DCIM', 0, True), 5: ('CLIP.MP4', 1, False), 6: ('B.MP4', 1, False), 7: ('LOG.TXT', 0, False)}

        def string_desc(idx):
            if idx == 0:
                return bytes([4, 3, 0x09, 0x04])
            s = STRINGS[idx].encode('utf-16-le')
            return bytes([2 + len(s), 3]) + s

        def ptp_string(text):
            if not text:
                return b'\x00'
            units = text.encode('utf-16-le') + b'\x00\x00'
            return bytes([len(units) // 2]) + units

        def array32(values):
            return struct.pack('<I', len(values)) + b''.join(struct.pack('<I', v) for v in values)

        def array16(values):
            return struct.pack('<I', len(values)) + b''.join(struct.pack('<H', v) for v in values)

        def container(kind, code, tid, payload=b''):
            return struct.pack('<IHHI', 12 + len(payload), kind, code, tid) + payload

        class FakePtp:
            def __init__(self):
                self.pending = []
                self.bulk_in = []      # containers (each one transfer), the first possibly partly sent
                self.lock = threading.Lock()

            def answer(self, code, tid, params):
                data = None
                if code == 0x1001:
                    data = (struct.pack('<HIH', 100, 6, 100) + ptp_string('') + struct.pack('<H', 0)
                            + array16([0x1001, 0x1002, 0x1003, 0x1004, 0x1007, 0x1008, 0x1009, 0x1015])
                            + array16([]) + array16([0x5011]) + array16([]) + array16([0x300B])
                            + ptp_string('ACME') + ptp_string('FakeCam') + ptp_string('1.0') + ptp_string('BWC0001'))
                elif code == 0x1004:
                    data = array32([0x00010001])
                elif code == 0x1007:
                    data = array32(sorted(OBJECTS))
                elif code == 0x1008:
                    name, parent, folder = OBJECTS[params[0]]
                    size = 0 if folder else SIZES[params[0]]
                    data = (struct.pack('<IHHI', 0x00010001, 0x3001 if folder else 0x300B, 0, size)
                            + struct.pack('<HIIIIII', 0, 0, 0, 0, 0, 0, 0) + struct.pack('<I', parent)
                            + struct.pack('<HII', 0, 0, 0) + ptp_string(name) + ptp_string('20261129T081530')
                            + ptp_string('20261129T081530') + ptp_string(''))
                elif code == 0x1009:
                    data = CONTENT[params[0]]
                elif code == 0x1015:
                    data = ptp_string('20261130T080004')
                if data is not None:
                    self.bulk_in.append(container(2, code, tid, data))
                self.bulk_in.append(container(3, 0x2001, tid))

            def respond(self, urb_type, ep, buf, buflen):
                if urb_type == 2:
                    bmReq, bReq, wValue, wIndex, wLength = struct.unpack('<BBHHH', buf[:8])
                    if bmReq == 0x80 and bReq == 6 and (wValue >> 8) == 3:
                        return 0, string_desc(wValue & 0xff)[:wLength]
                    return -32, b''
                if urb_type == 3 and not (ep & 0x80):
                    length, kind, code, tid = struct.unpack('<IHHI', buf[:12])
                    params = struct.unpack('<%dI' % ((length - 12) // 4), buf[12:length])
                    if kind == 1:
                        self.answer(code, tid, params)
                    return 0, len(buf)
                if urb_type == 3 and (ep & 0x80):
                    if not self.bulk_in:
                        return -110, b''     # ETIMEDOUT: nothing to send
                    head = self.bulk_in[0]
                    chunk, rest = head[:buflen], head[buflen:]
                    if rest:
                        self.bulk_in[0] = rest
                    else:
                        self.bulk_in.pop(0)
                    return 0, chunk
                return -71, b''

            def handle(self, handler, client):
                req = client.get_request()
                arg = client.get_arg()
                if req == GETCAPS:
                    d = arg.resolve(0, 4); d.update(0, struct.pack('<I', 0x1 | 0x4))
                    client.complete(0, 0); return True
                if req in (CLAIM, RELEASE, SETCONFIG, CLEAR_HALT, RESET):
                    client.complete(0, 0); return True
                if req == SUBMITURB:
                    urb = arg.resolve(0, URB_SIZE)
                    raw = bytes(urb.retrieve())
                    utype, ep = raw[0], raw[1]
                    buflen = struct.unpack_from('<i', raw, OFF_BUFLEN)[0]
                    buf = urb.resolve(OFF_BUF, buflen)
                    data = bytes(buf.retrieve())
                    status, payload = self.respond(utype, ep, data, buflen)
                    if isinstance(payload, int):
                        actual = payload
                    else:
                        off = 8 if utype == 2 else 0
                        if payload:
                            buf.update(off, payload)
                        actual = len(payload)
                    urb.update(OFF_STATUS, struct.pack('<i', status))
                    urb.update(OFF_ACTUAL, struct.pack('<i', actual))
                    with self.lock:
                        self.pending.append(urb)
                    client.complete(0, 0); return True
                if req in (REAPURB, REAPURBNDELAY):
                    with self.lock:
                        urb = self.pending.pop(0) if self.pending else None
                    if urb is None:
                        client.complete(-1, 11); return True
                    slot = arg.resolve(0, 8)
                    slot.set_ptr(0, urb)
                    client.complete(0, 0); return True
                if req == DISCARDURB:
                    client.complete(-1, 22); return True
                client.complete(-1, 25); return True

        devfile = sys.argv[1]
        cmd = sys.argv[sys.argv.index('--') + 1:]
        tb = UMockdev.Testbed.new()
        tb.add_from_file(devfile)
        fake = FakePtp()
        handler = UMockdev.IoctlBase()
        handler.connect('handle-ioctl', fake.handle)
        tb.attach_ioctl('/dev/bus/usb/001/002', handler)
        env = dict(os.environ, UMOCKDEV_DIR=tb.get_root_dir())
        rc = subprocess.call(cmd, env=env)
        tb.detach_ioctl('/dev/bus/usb/001/002')
        del handler, tb
        sys.exit(rc)
        """#
}
