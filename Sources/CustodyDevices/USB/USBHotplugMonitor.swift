import CLibUSB
import Foundation
import Glibc
public import Logging
import Synchronization

/// Follows matching USB devices as they arrive and leave, through libusb's hotplug callbacks
/// (`libusb_hotplug_register_callback`), for stations where docking is not driven by Custody's tagged udev events
/// (docs/docking.md "Watching PTP/MTP recorders through libusb").
///
/// The monitor owns a libusb context and one thread that handles its events
/// (`libusb_handle_events_timeout_completed`). libusb's callbacks run on that thread; they only copy the device
/// out, because libusb forbids most calls inside them. After each round of events the thread reads each arrival's
/// serial number (opening the device), then reports it. Devices present at start are reported too
/// (`LIBUSB_HOTPLUG_ENUMERATE`), followed by ``USBHotplugEvent/enumerated``. ``stop()`` deregisters the callbacks
/// and waits for the thread to end.
public final class USBHotplugMonitor: Sendable {
    /// The devices reported; one libusb callback each.
    public let matches: [USBHotplugMatch]
    /// Whether each arrival's serial number is read before it is reported.
    public let readsSerial: Bool
    private let logger: Logger
    private let hasHotplug: @Sendable () -> Bool
    private let session = Mutex<HotplugSession?>(nil)
    /// The callbacks registered now, across this monitor's sessions (the tests check deregistration with it).
    let registrations = HotplugRegistrations()

    /// A monitor of the devices `matches` names, reading each arrival's serial number when `readsSerial` is true.
    public convenience init(matching matches: [USBHotplugMatch], readsSerial: Bool = true, logger: Logger) {
        self.init(
            matching: matches, readsSerial: readsSerial, logger: logger,
            hasHotplug: { libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG.rawValue) != 0 })
    }

    /// A monitor whose capability check is `hasHotplug` (tests stand in a libusb without hotplug).
    init(
        matching matches: [USBHotplugMatch], readsSerial: Bool, logger: Logger,
        hasHotplug: @escaping @Sendable () -> Bool
    ) {
        self.matches = matches
        self.readsSerial = readsSerial
        self.logger = logger
        self.hasHotplug = hasHotplug
    }

    deinit { stop() }

    /// Starts monitoring: `handler` is called on the monitor's thread for every matching device present now, then
    /// with ``USBHotplugEvent/enumerated`` (both before this returns), then for every arrival and departure until
    /// ``stop()``. Fails when libusb has no hotplug support, cannot be initialised, or refuses a callback, and when
    /// the monitor is already running.
    public func start(_ handler: @escaping @Sendable (USBHotplugEvent) -> Void) throws(USBError) {
        try start(handler, finished: {})
    }

    /// Starts monitoring (``start(_:)``) and delivers the events as a stream, which ends after ``stop()``; a
    /// consumer that stops iterating stops the monitor too.
    public func events() throws(USBError) -> AsyncStream<USBHotplugEvent> {
        let (stream, continuation) = AsyncStream<USBHotplugEvent>.makeStream(bufferingPolicy: .unbounded)
        do throws(USBError) {
            try start({ _ = continuation.yield($0) }, finished: { continuation.finish() })
        } catch {
            continuation.finish()
            throw error
        }
        let running = session.withLock { $0 }
        continuation.onTermination = { _ in running?.requestStop() }
        return stream
    }

    /// Stops monitoring: the callbacks are deregistered, the event thread is woken
    /// (`libusb_interrupt_event_handler`) and waited for. No event is reported after this returns. Does nothing
    /// when the monitor is not running.
    public func stop() {
        guard
            let running = session.withLock({ current -> HotplugSession? in
                defer { current = nil }
                return current
            })
        else { return }
        running.requestStop()
        running.waitUntilFinished()
    }

    private func start(
        _ handler: @escaping @Sendable (USBHotplugEvent) -> Void, finished: @escaping @Sendable () -> Void
    ) throws(USBError) {
        guard hasHotplug() else {
            throw USBError(
                .notSupported, status: LIBUSB_ERROR_NOT_SUPPORTED.rawValue,
                message:
                    "this libusb has no hotplug support (LIBUSB_CAP_HAS_HOTPLUG): watch recorders through udev "
                    + "(docking.mtp_watcher = \"udev\") or install a libusb built with hotplug support")
        }
        let busy = session.withLock { current in current.map { !$0.isFinished } ?? false }
        guard !busy else {
            throw USBError(
                .busy, status: LIBUSB_ERROR_BUSY.rawValue,
                message: "the USB hotplug monitor is already running; stop it before starting it again")
        }
        let context = try USBContext()
        let running = HotplugSession(
            context: context, readsSerial: readsSerial, logger: logger, registrations: registrations,
            handler: handler, finished: finished)
        let ready = ThreadStart<USBError>()
        let thread = Thread { [matches] in running.run(matches: matches, ready: ready) }
        thread.name = "custody-usb-hotplug"
        thread.stackSize = 1 << 20
        thread.start()
        if let failure = ready.wait() {
            running.waitUntilFinished()
            throw failure
        }
        session.withLock { $0 = running }
    }
}

/// How many hotplug callbacks a monitor has registered with libusb and not yet deregistered.
final class HotplugRegistrations: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .acquiring) }

    func add(_ delta: Int) { _ = count.wrappingAdd(delta, ordering: .acquiringAndReleasing) }
}

/// One run of a ``USBHotplugMonitor``: its libusb context, its callbacks and the state of its event thread.
///
/// `@unchecked Sendable`: the context is libusb's, which is thread-safe (``requestStop()`` calls
/// `libusb_interrupt_event_handler` from any thread); `pending`, `present` and `handles` are only touched on the
/// event thread, because libusb calls the hotplug callback only inside calls that thread makes on this private
/// context (registration with `LIBUSB_HOTPLUG_ENUMERATE`, event handling, and the synchronous transfer of a serial
/// read).
final class HotplugSession: @unchecked Sendable {
    private let context: USBContext
    private let readsSerial: Bool
    private let logger: Logger
    private let registrations: HotplugRegistrations
    private let handler: @Sendable (USBHotplugEvent) -> Void
    private let finished: @Sendable () -> Void
    private let stopRequested = Atomic<Bool>(false)
    private let ended = Atomic<Bool>(false)
    private let done = ThreadStart<Never>()
    private var handles: [libusb_hotplug_callback_handle] = []
    /// Devices the callback saw, in order, not yet reported.
    private var pending: [(arrived: Bool, device: USBDevice)] = []
    /// Devices reported as arrived and not yet as left, by bus and address.
    private var present: [UInt16: USBHotplugDevice] = [:]

    init(
        context: USBContext, readsSerial: Bool, logger: Logger, registrations: HotplugRegistrations,
        handler: @escaping @Sendable (USBHotplugEvent) -> Void, finished: @escaping @Sendable () -> Void
    ) {
        self.context = context
        self.readsSerial = readsSerial
        self.logger = logger
        self.registrations = registrations
        self.handler = handler
        self.finished = finished
    }

    /// Whether the event thread has ended.
    var isFinished: Bool { ended.load(ordering: .acquiring) }

    /// Asks the event thread to end: it sees the flag when `libusb_interrupt_event_handler` wakes it (or at its
    /// next round, if it was not waiting: libusb keeps the interruption pending until then).
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        libusb_interrupt_event_handler(context.pointer)
    }

    func waitUntilFinished() { _ = done.wait() }

    /// The event thread: register one callback per match (reporting the devices present), then handle events until
    /// asked to stop, then deregister.
    func run(matches: [USBHotplugMatch], ready: ThreadStart<USBError>) {
        defer {
            deregisterAll()
            pending.removeAll()
            ended.store(true, ordering: .releasing)
            finished()
            done.signal(nil)
        }
        for match in matches {
            var handle = libusb_hotplug_callback_handle()
            let product = match.productID.map { USBHotplugDevice.hex4($0) } ?? "any product"
            let status = libusb_hotplug_register_callback(
                context.pointer,
                Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue),
                Int32(LIBUSB_HOTPLUG_ENUMERATE.rawValue), Int32(match.vendorID),
                match.productID.map { Int32($0) } ?? LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                usbHotplugCallback, Unmanaged.passUnretained(self).toOpaque(), &handle)
            guard status == LIBUSB_SUCCESS.rawValue else {
                ready.signal(
                    USBError(
                        status: status,
                        "registering a libusb hotplug callback for \(USBHotplugDevice.hex4(match.vendorID)):\(product)"
                    ))
                return
            }
            handles.append(handle)
            registrations.add(1)
        }
        report()
        handler(.enumerated)
        ready.signal(nil)
        while !stopRequested.load(ordering: .acquiring) {
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            let status = libusb_handle_events_timeout_completed(context.pointer, &timeout, nil)
            if status < 0, status != LIBUSB_ERROR_INTERRUPTED.rawValue {
                logger.error(
                    "handling libusb events failed",
                    metadata: ["error": "\(USBError(status: status, "libusb_handle_events_timeout_completed"))"])
                usleep(100_000)  // not a busy loop if the failure persists
            }
            report()
        }
    }

    /// Called by libusb's callback (no I/O here): keeps a reference to the device for ``report()``.
    fileprivate func record(_ device: OpaquePointer, arrived: Bool) {
        pending.append((arrived, USBDevice(retaining: device, context: context)))
    }

    /// Reports what the callback recorded, in order: an arrival once (libusb may announce a device both from
    /// ENUMERATE and from an event), with its serial read now; a departure only of a device reported as arrived.
    private func report() {
        while !pending.isEmpty {
            let (arrived, device) = pending.removeFirst()
            let key = UInt16(device.bus) << 8 | UInt16(device.address)
            guard arrived else {
                if let gone = present.removeValue(forKey: key) { handler(.left(gone)) }
                continue
            }
            guard present[key] == nil else { continue }
            let described: USBHotplugDevice
            do {
                described = try describe(device)
            } catch {
                logger.warning(
                    "cannot read a USB device that arrived",
                    metadata: ["usb.bus": "\(device.bus)", "usb.address": "\(device.address)", "error": "\(error)"])
                continue
            }
            present[key] = described
            handler(.arrived(described))
        }
    }

    /// What the event reports about `device`: IDs, bus, address, ports, /sys path, and (when asked) the serial
    /// number.
    private func describe(_ device: USBDevice) throws(USBError) -> USBHotplugDevice {
        let ids = try device.ids()
        var described = USBHotplugDevice(
            vendorID: ids.vendor, productID: ids.product, bus: device.bus, address: device.address,
            portNumbers: (try? device.portNumbers()) ?? [])
        if let name = described.kernelName, let resolved = realpath("/sys/bus/usb/devices/\(name)", nil) {
            described.syspath = String(cString: resolved)
            free(resolved)
        }
        guard readsSerial else { return described }
        do {
            described.serial = try device.open().serialNumber()
        } catch {
            described.serialError = error
            logger.notice(
                "cannot read the serial number of a USB device that arrived",
                metadata: [
                    "usb.ids": "\(described.ids)", "usb.bus": "\(described.bus)",
                    "usb.address": "\(described.address)", "error": "\(error)",
                ])
        }
        return described
    }

    private func deregisterAll() {
        for handle in handles {
            libusb_hotplug_deregister_callback(context.pointer, handle)
            registrations.add(-1)
        }
        handles.removeAll()
    }
}

/// libusb's hotplug callback: `userData` is the ``HotplugSession`` (unretained: the session deregisters before it
/// ends). Returns 0 to stay registered.
private func usbHotplugCallback(
    _ context: OpaquePointer?, _ device: OpaquePointer?, _ event: libusb_hotplug_event,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let device, let userData else { return 0 }
    let session = Unmanaged<HotplugSession>.fromOpaque(userData).takeUnretainedValue()
    session.record(device, arrived: event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
    return 0
}
