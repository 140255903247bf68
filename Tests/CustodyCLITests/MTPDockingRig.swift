import CustodyTesting
import Foundation
import Glibc
import Testing

/// A fake PTP/MTP recorder for custodyd's docking tests (issue 5): what the fake USB device serves.
///
/// Byte i of object h is (i × h + 3) mod 256, so the expected digests are computed here and in the responder
/// independently of Custody's code (sha256sum checks them).
struct FakeMTPRecorder {
    /// An object on the recorder: a folder, or a file of `size` bytes.
    struct Object {
        var handle: UInt32
        var name: String
        var parent: UInt32
        var size: Int
        var isFolder = false
    }

    var serial: String
    /// USB bus address: a real re-plug gets a new one.
    var deviceNumber: Int
    /// The root hub port (bay).
    var port = 5
    /// Recorder clock − station clock, in seconds, served as DateTime (0x5011) at each read; the controller keeps a
    /// serial's clock across re-plugs, and SetDevicePropValue DateTime sets it.
    var clockOffsetSeconds = 0
    var objects: [Object]
    /// An unplug in the middle of an object: after `bytes` payload bytes of object `handle`, every transfer fails
    /// with ENODEV, as libusb sees a device pulled out.
    var unplugAfter: (handle: UInt32, bytes: Int)?
    /// A stall in the middle of an object: the first `times` GetObject data phases of object `handle` stop after
    /// `bytes` payload bytes, and the bulk-in endpoint answers every URB with -EPIPE (halted) until the host sends
    /// Device Reset; the transfer after that goes through.
    var stallAfter: (handle: UInt32, bytes: Int, times: Int)?
    /// Whether the USB device carries Custody's udev tag; an untagged one docks only through the libusb watcher.
    var tagged = true

    /// The bytes of object `handle` of `size` bytes.
    static func content(handle: UInt32, size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* Int(handle) &+ 3) }
    }

    /// The file objects' paths (folder chain) and bytes.
    var files: [String: [UInt8]] {
        var byHandle = [UInt32: Object]()
        for object in objects { byHandle[object.handle] = object }
        var out = [String: [UInt8]]()
        for object in objects where !object.isFolder {
            var path = object.name
            var parent = object.parent
            while parent != 0, let folder = byHandle[parent] {
                path = folder.name + "/" + path
                parent = folder.parent
            }
            out[path] = Self.content(handle: object.handle, size: object.size)
        }
        return out
    }

    /// The JSON the controller's `plug` command takes.
    var json: String {
        let list = objects.map {
            "{\"handle\":\($0.handle),\"name\":\"\($0.name)\",\"parent\":\($0.parent),\"size\":\($0.size),"
                + "\"folder\":\($0.isFolder)}"
        }
        let fault = unplugAfter.map { "{\"handle\":\($0.handle),\"bytes\":\($0.bytes)}" } ?? "null"
        let stall =
            stallAfter.map { "{\"handle\":\($0.handle),\"bytes\":\($0.bytes),\"times\":\($0.times)}" } ?? "null"
        return "{\"serial\":\"\(serial)\",\"devnum\":\(deviceNumber),\"port\":\(port),"
            + "\"clockOffset\":\(clockOffsetSeconds),\"objects\":[\(list.joined(separator: ","))],"
            + "\"unplugAfter\":\(fault),\"stallAfter\":\(stall),\"tagged\":\(tagged)}"
    }
}

/// custodyd running in a umockdev testbed where PTP/MTP recorders dock: a controller (``controllerScript``) owns the
/// testbed, adds a recorder's USB device (a udev "add" custodyd's watcher sees), and answers the usbdevfs ioctls
/// libusb makes on its node as a scripted PTP responder (a umockdev `IoctlBase`, after
/// shared/recipes/device-testing/fakeusb.py and `MTPOverLibUSBTests`).
final class MTPDockRig: DaemonController {
    /// Whether this machine can run it: umockdev, its Python bindings.
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-wrapper")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            && FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/girepository-1.0/UMockdev-1.0.typelib")
    }

    init(station: CLITestStation) throws {
        let script = station.folder.appendingPathComponent("mtp-dock.py")
        try Data(Self.controllerScript.utf8).write(to: script)
        try super.init(
            station: station, name: "the controller", executable: "/usr/bin/umockdev-wrapper",
            arguments: { log in
                [
                    "/usr/bin/python3", script.path, "--log", log.path, "--", CommandRunner.custodyd.path, "--config",
                    station.config.path,
                ]
            })
    }

    /// The handles of the objects the docked recorder holds now.
    func objects() throws -> [Int] {
        let data = Data(try send("objects").utf8)
        return (try JSONSerialization.jsonObject(with: data) as? [Int]) ?? []
    }

    /// Whether custodyd is still running.
    func isRunning() throws -> Bool { try send("running") == "yes" }

    /// How many still-image Device Resets (class request 0x66) the recorder `serial` has received, over all plugs.
    func deviceResets(_ serial: String) throws -> Int { Int(try send("resets " + serial)) ?? -1 }

    /// Docks `recorder`: its USB device appears with a udev "add".
    func plug(_ recorder: FakeMTPRecorder) throws { try require("plug " + recorder.json) }

    /// Pulls the docked recorder out: udev "remove", and its node goes.
    func unplug() throws { try require("unplug") }

    /// The controller: a umockdev testbed with custodyd inside it, an sd_notify socket, and a fake PTP device per
    /// `plug`. Commands on standard input, one answer line each: `start`, `stop`, `running`, `plug JSON`, `unplug`,
    /// `objects`, `resets SERIAL`, `quit`.
    static let controllerScript = #"""
        import calendar, json, os, signal, socket, struct, subprocess, sys, threading, time
        import gi
        gi.require_version('UMockdev', '1.0')
        from gi.repository import UMockdev

        args = sys.argv[1:]
        split = args.index('--')
        options, command = args[:split], args[split + 1:]
        log_path = options[options.index('--log') + 1] if '--log' in options else None

        SUBMITURB, REAPURB, REAPURBNDELAY, DISCARDURB = 0x8038550a, 0x4008550c, 0x4008550d, 0x550b
        CLAIM, RELEASE, GETCAPS, CONNECTINFO = 0x8004550f, 0x80045510, 0x8004551a, 0x40085511
        SETCONFIG, CLEAR_HALT, RESET = 0x80045505, 0x80045515, 0x5514
        URB_SIZE, OFF_STATUS, OFF_BUF, OFF_BUFLEN, OFF_ACTUAL = 0x38, 4, 0x10, 0x18, 0x1c
        ENODEV, EPIPE = -19, -32

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

        def content(handle, size):
            period = bytes((i * handle + 3) % 256 for i in range(256))
            return (period * (size // 256 + 1))[:size]

        class FakePtp:
            def __init__(self, spec):
                self.spec = spec
                gone = removed.get(spec['serial'], set())
                self.objects = {o['handle']: o for o in spec['objects'] if o['handle'] not in gone}
                self.strings = {1: 'ACME', 2: 'FakeCam', 3: spec['serial']}
                self.fault = spec.get('unplugAfter')
                self.stall = dict(spec['stallAfter']) if spec.get('stallAfter') else None
                self.unplugged = False
                self.pending_set = None   # SetDevicePropValue waiting for its data phase: (tid, property)
                self.pending = []
                self.bulk_in = []
                self.lock = threading.Lock()

            def string_desc(self, idx):
                if idx == 0:
                    return bytes([4, 3, 0x09, 0x04])
                s = self.strings[idx].encode('utf-16-le')
                return bytes([2 + len(s), 3]) + s

            def answer(self, code, tid, params):
                data = None
                if code == 0x1001:
                    data = (struct.pack('<HIH', 100, 6, 100) + ptp_string('') + struct.pack('<H', 0)
                            + array16([0x1001, 0x1002, 0x1003, 0x1004, 0x1007, 0x1008, 0x1009, 0x1015])
                            + array16([]) + array16([0x5011]) + array16([]) + array16([0x300B])
                            + ptp_string('ACME') + ptp_string('FakeCam') + ptp_string('1.0')
                            + ptp_string(self.spec['serial']))
                elif code == 0x1004:
                    data = array32([0x00010001])
                elif code == 0x1007:
                    data = array32(sorted(self.objects))
                elif code == 0x1008:
                    o = self.objects[params[0]]
                    size = 0 if o['folder'] else o['size']
                    data = (struct.pack('<IHHI', 0x00010001, 0x3001 if o['folder'] else 0x300B, 0, size)
                            + struct.pack('<HIIIIII', 0, 0, 0, 0, 0, 0, 0) + struct.pack('<I', o['parent'])
                            + struct.pack('<HII', 0, 0, 0) + ptp_string(o['name']) + ptp_string('20261129T081530')
                            + ptp_string('20261129T081530') + ptp_string(''))
                elif code == 0x1009:
                    o = self.objects[params[0]]
                    whole = container(2, code, tid, content(o['handle'], o['size']))
                    if self.fault and self.fault['handle'] == o['handle']:
                        self.bulk_in.append(whole[:12 + self.fault['bytes']])
                        self.bulk_in.append('unplug')
                        return
                    if self.stall and self.stall['handle'] == o['handle'] and self.stall['times'] > 0:
                        self.stall['times'] -= 1
                        self.bulk_in.append(whole[:12 + self.stall['bytes']])
                        self.bulk_in.append('stall')    # halted until Device Reset
                        return
                    self.bulk_in.append(whole)
                    self.bulk_in.append(container(3, 0x2001, tid))
                    return
                elif code == 0x1015:
                    now = time.gmtime(time.time() + clocks[self.spec['serial']])
                    data = ptp_string(time.strftime('%Y%m%dT%H%M%S', now))
                elif code == 0x100B:
                    if params[0] not in self.objects:
                        self.bulk_in.append(container(3, 0x2009, tid))   # InvalidObjectHandle
                        return
                    del self.objects[params[0]]
                    removed.setdefault(self.spec['serial'], set()).add(params[0])
                elif code == 0x1016:
                    self.pending_set = (tid, params[0])
                    return                      # answered after the data phase
                if data is not None:
                    self.bulk_in.append(container(2, code, tid, data))
                self.bulk_in.append(container(3, 0x2001, tid))

            def respond(self, urb_type, ep, buf, buflen):
                if self.unplugged:
                    return ENODEV, b''
                if urb_type == 2:
                    bmReq, bReq, wValue, wIndex, wLength = struct.unpack('<BBHHH', buf[:8])
                    if bmReq == 0x80 and bReq == 6 and (wValue >> 8) == 3:
                        return 0, self.string_desc(wValue & 0xff)[:wLength]
                    if bmReq == 0x21 and bReq == 0x66:   # still-image Device Reset
                        self.bulk_in = []
                        resets[self.spec['serial']] = resets.get(self.spec['serial'], 0) + 1
                        return 0, b''
                    return -32, b''
                if urb_type == 3 and not (ep & 0x80):
                    length, kind, code, tid = struct.unpack('<IHHI', buf[:12])
                    if kind == 2 and self.pending_set and self.pending_set[0] == tid and code == 0x1016:
                        # DateTime written: a PTP string, YYYYMMDDThhmmss at UTC (the model's time_zone).
                        count = buf[12]
                        text = buf[13:13 + 2 * count].decode('utf-16-le').rstrip('\x00')
                        written = calendar.timegm(time.strptime(text[:15], '%Y%m%dT%H%M%S'))
                        clocks[self.spec['serial']] = written - int(time.time())
                        self.pending_set = None
                        self.bulk_in.append(container(3, 0x2001, tid))
                        return 0, len(buf)
                    params = struct.unpack('<%dI' % ((length - 12) // 4), buf[12:length])
                    if kind == 1:
                        self.answer(code, tid, params)
                    return 0, len(buf)
                if urb_type == 3 and (ep & 0x80):
                    if not self.bulk_in:
                        return -110, b''
                    head = self.bulk_in[0]
                    if head == 'stall':
                        return EPIPE, b''
                    if head == 'unplug':
                        self.unplugged = True
                        return ENODEV, b''
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
                    if self.unplugged:
                        client.complete(-1, 19); return True
                    urb = arg.resolve(0, URB_SIZE)
                    raw = bytes(urb.retrieve())
                    utype, ep = raw[0], raw[1]
                    buflen = struct.unpack_from('<i', raw, OFF_BUFLEN)[0]
                    buf = urb.resolve(OFF_BUF, buflen)
                    data = bytes(buf.retrieve()) if (utype == 2 or not (ep & 0x80)) else b''
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
                        client.complete(-1, 19 if self.unplugged else 11); return True
                    slot = arg.resolve(0, 8)
                    slot.set_ptr(0, urb)
                    client.complete(0, 0); return True
                if req == DISCARDURB:
                    client.complete(-1, 22); return True
                client.complete(-1, 25); return True

        DESCRIPTORS = ('1201000200000040CDAB999900010102030109022700010100803209040000030601010007058102000200070502020002'
                       '000705830340000A')

        def fixture(spec):
            port, devnum = spec['port'], spec['devnum']
            usb = '/devices/pci0000:00/0000:00:14.0/usb1/1-%d' % port
            node = 'bus/usb/001/%03d' % devnum
            device = '\n'.join([
                'P: ' + usb, 'N: ' + node, 'E: DEVNAME=/dev/' + node, 'E: DEVTYPE=usb_device', 'E: DRIVER=usb',
                'E: SUBSYSTEM=usb', 'E: PRODUCT=abcd/9999/100', 'E: TYPE=0/0/0', 'E: BUSNUM=001',
                'E: DEVNUM=%03d' % devnum, 'E: MAJOR=189', 'E: MINOR=%d' % (devnum - 1), 'E: ID_VENDOR_ID=abcd',
                'E: ID_MODEL_ID=9999', 'E: ID_SERIAL_SHORT=' + spec['serial']]
                + (['E: TAGS=:custody:', 'E: CURRENT_TAGS=:custody:'] if spec.get('tagged', True) else []) + [
                'A: idVendor=abcd', 'A: idProduct=9999', 'A: serial=' + spec['serial'],
                'A: busnum=1', 'A: devnum=%d' % devnum, 'A: speed=480', 'A: bConfigurationValue=1',
                'A: bNumConfigurations=1', 'A: dev=189:%d' % (devnum - 1), 'H: descriptors=' + DESCRIPTORS, ''])
            interface = '\n'.join([
                'P: %s/1-%d:1.0' % (usb, port), 'E: DEVTYPE=usb_interface', 'E: SUBSYSTEM=usb', 'E: INTERFACE=6/1/1',
                'A: bInterfaceClass=06', 'A: bInterfaceSubClass=01', 'A: bInterfaceProtocol=01', ''])
            return usb, '/dev/' + node, [device, interface]

        testbed = UMockdev.Testbed.new()
        folder = os.path.dirname(log_path) if log_path else '/tmp'
        notify_path = os.path.join(folder, 'notify-%d.sock' % os.getpid())
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        ready = threading.Event()

        def receive():
            while True:
                try:
                    data = notify.recv(4096).decode()
                except OSError:
                    return
                if 'READY=1' in data.split('\n'):
                    ready.set()

        threading.Thread(target=receive, daemon=True).start()
        daemon = None
        clocks = {}     # serial: recorder clock − real clock, kept across re-plugs (SetDevicePropValue changes it)
        removed = {}    # serial: handles deleted with DeleteObject, gone at later plugs too
        resets = {}     # serial: still-image Device Resets received
        docked = None   # (syspath, node, handler, fake)
        handlers = []   # kept alive: a handler custodyd may still hold open

        def start():
            global daemon
            ready.clear()
            env = dict(os.environ, UMOCKDEV_DIR=testbed.get_root_dir(), NOTIFY_SOCKET=notify_path)
            log = open(log_path, 'ab') if log_path else None
            daemon = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            deadline = time.time() + 120
            while time.time() < deadline:
                if ready.wait(0.1):
                    return 'ready'
                if daemon.poll() is not None:
                    return 'failed: custodyd exited with %d' % daemon.returncode
            return 'failed: no READY=1 within 120 s'

        def stop():
            global daemon
            if daemon is None:
                return 'exited none'
            daemon.send_signal(signal.SIGTERM)
            try:
                status = daemon.wait(120)
            except Exception:
                daemon.kill()
                status = daemon.wait()
            daemon = None
            return 'exited %d' % status

        def plug(spec):
            global docked
            usb, node, blocks = fixture(spec)
            clocks.setdefault(spec['serial'], spec['clockOffset'])
            fake = FakePtp(spec)
            handler = UMockdev.IoctlBase()
            handler.connect('handle-ioctl', fake.handle)
            handlers.append((handler, fake))
            # The handler is in place before the device (and its "add") appears, so custodyd never opens a node
            # nobody answers.
            testbed.attach_ioctl(node, handler)
            for block in blocks:
                testbed.add_from_string(block)
            docked = (usb, node, handler, fake)

        def unplug():
            global docked
            usb, node, handler, fake = docked
            fake.unplugged = True
            for syspath in ['/sys' + usb + '/1-' + usb.rsplit('-', 1)[1] + ':1.0', '/sys' + usb]:
                testbed.uevent(syspath, 'remove')
                testbed.remove_device(syspath)
                # remove_device can leave links named after the device behind, and adding it again would fail on them.
                name, root = os.path.basename(syspath), testbed.get_root_dir()
                for top in ['sys/class', 'sys/bus']:
                    base = os.path.join(root, top)
                    for dirpath, dirnames, filenames in os.walk(base):
                        for entry in dirnames + filenames:
                            link = os.path.join(dirpath, entry)
                            if entry == name and os.path.islink(link) and not os.path.exists(link):
                                os.unlink(link)
            docked = None

        for line in sys.stdin:
            words = line.split(None, 1)
            if not words:
                continue
            verb, rest = words[0], (words[1].strip() if len(words) > 1 else '')
            try:
                if verb == 'plug':
                    plug(json.loads(rest)); reply = 'ok'
                elif verb == 'unplug':
                    unplug(); reply = 'ok'
                elif verb == 'start':
                    reply = start()
                elif verb == 'stop':
                    reply = stop()
                elif verb == 'objects':
                    reply = json.dumps(sorted(docked[3].objects)) if docked else '[]'
                elif verb == 'resets':
                    reply = str(resets.get(rest, 0))
                elif verb == 'running':
                    reply = 'yes' if daemon is not None and daemon.poll() is None else 'no'
                elif verb == 'quit':
                    break
                else:
                    reply = 'error: unknown command ' + verb
            except Exception as error:
                reply = 'error: %s' % error
            print(reply, flush=True)

        if daemon is not None:
            stop()
        notify.close()
        os.unlink(notify_path)
        del testbed
        """#
}
