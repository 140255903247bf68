import CustodyTesting
import Foundation
import Glibc
import Testing

/// Test support for docking: recorder images on loop devices, umockdev fixtures that make them look like docked
/// USB recorders, and custodyd running inside a umockdev testbed (scripts/umockdev-dock) in a private mount
/// namespace, so its mounts vanish with it.
enum DockingTools {
    static let required = [
        "/usr/bin/umockdev-wrapper", "/usr/bin/unshare", "/usr/sbin/losetup", "/usr/sbin/mkfs.ext4",
        "/usr/sbin/mkfs.exfat", "/usr/sbin/mount.exfat-fuse", "/usr/bin/fusefat", "/usr/sbin/mkfs.vfat",
        "/usr/bin/mcopy",
    ]

    /// Whether this machine can run the docking tests: root, the tools, and umockdev's Python bindings.
    static var available: Bool {
        getuid() == 0 && required.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/girepository-1.0/UMockdev-1.0.typelib")
    }

    /// Runs a tool to completion and requires success.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let result = try CommandRunner.run(URL(fileURLWithPath: tool), arguments)
        try #require(result.status == 0, "\(tool) \(arguments.joined(separator: " ")): \(result.standardError)")
        return result.standardOutput
    }

    /// SHA-256 of a file, by sha256sum (an implementation other than Custody's).
    static func sha256(_ url: URL) throws -> String {
        String(try run("/usr/bin/sha256sum", [url.path]).prefix(64))
    }
}

/// A file-system image holding a recorder's files, attached read-only to a loop device.
final class RecorderImage {
    enum Kind: String { case ext4, exfat, vfat }

    let kind: Kind
    let image: URL
    let loopDevice: String
    let major: Int
    let minor: Int

    /// Builds an image of `kind` in `folder` holding `files` (path → bytes) and attaches it, read-only unless
    /// `writable` (the wipe tests).
    init(_ kind: Kind, files: [String: [UInt8]], in folder: URL, name: String, writable: Bool = false) throws {
        self.kind = kind
        let source = folder.appendingPathComponent("\(name)-src")
        for (path, bytes) in files {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        image = folder.appendingPathComponent("\(name).img")
        switch kind {
        case .ext4:
            try DockingTools.run("/usr/sbin/mkfs.ext4", ["-q", "-F", "-d", source.path, image.path, "64M"])
        case .vfat:
            try DockingTools.run("/usr/bin/truncate", ["-s", "64M", image.path])
            try DockingTools.run("/usr/sbin/mkfs.vfat", ["-F", "32", image.path])
            for top in try FileManager.default.contentsOfDirectory(atPath: source.path) {
                try DockingTools.run(
                    "/usr/bin/mcopy", ["-s", "-i", image.path, source.appendingPathComponent(top).path, "::/"])
            }
        case .exfat:
            try DockingTools.run("/usr/bin/truncate", ["-s", "64M", image.path])
            try DockingTools.run("/usr/sbin/mkfs.exfat", [image.path])
            // exFAT has no offline writer: fill it through exfat-fuse in a private mount namespace.
            let mountPoint = folder.appendingPathComponent("\(name)-fill")
            try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
            try DockingTools.run(
                "/usr/bin/unshare",
                [
                    "-m", "--propagation", "private", "/bin/sh", "-ec",
                    "L=$(losetup -f --show \"$0\"); mount.exfat-fuse \"$L\" \"$1\" >/dev/null; cp -r \"$2\"/. \"$1\"/; "
                        + "umount \"$1\"; losetup -d \"$L\"", image.path, mountPoint.path, source.path,
                ])
        }
        loopDevice = try DockingTools.run(
            "/usr/sbin/losetup", ["-f", "--show"] + (writable ? [] : ["-r"]) + [image.path])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var status = stat()
        try #require(stat(loopDevice, &status) == 0)
        // glibc's gnu_dev_major/gnu_dev_minor, which its Swift module does not expose.
        let device = UInt64(status.st_rdev)
        major = Int(((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff))
        minor = Int((device & 0xff) | ((device >> 12) & ~0xff))
    }

    deinit {
        _ = try? CommandRunner.run(URL(fileURLWithPath: "/usr/sbin/losetup"), ["-d", loopDevice])
    }

    /// A umockdev description of this image docked as a USB recorder: the block device (its node is the real
    /// loop device) under a USB device on port `port` of the rack's hub.
    func fixture(
        serial: String, vendor: String = "abcd", product: String = "1234", port: Int, tagged: Bool = true
    ) -> String {
        let usb = "/devices/pci0000:00/0000:00:14.0/usb1/1-\(port)"
        let block =
            "\(usb)/1-\(port):1.0/host\(port)/target\(port):0:0/\(port):0:0:0/block/\(URL(fileURLWithPath: loopDevice).lastPathComponent)"
        return """
            P: \(block)
            E: DEVNAME=\(loopDevice)
            E: DEVTYPE=disk
            E: SUBSYSTEM=block
            E: MAJOR=\(major)
            E: MINOR=\(minor)
            E: ID_BUS=usb
            E: ID_SERIAL=ACME_BodyCam_\(serial)-0:0
            E: ID_SERIAL_SHORT=\(serial)
            E: ID_VENDOR_ID=\(vendor)
            E: ID_MODEL_ID=\(product)
            E: ID_PATH=pci-0000:00:14.0-usb-0:\(port):1.0-scsi-0:0:0:0
            E: ID_FS_TYPE=\(kind.rawValue)
            \(tagged ? "E: TAGS=:custody:\nE: CURRENT_TAGS=:custody:" : "E: TAGS=:systemd:")
            A: dev=\(major):\(minor)
            A: removable=1

            P: \(usb)
            E: DEVTYPE=usb_device
            E: SUBSYSTEM=usb
            E: ID_VENDOR_ID=\(vendor)
            E: ID_MODEL_ID=\(product)
            A: idVendor=\(vendor)
            A: idProduct=\(product)
            A: serial=\(serial)

            """
    }
}

/// custodyd running in a umockdev testbed, driven through scripts/umockdev-dock.
final class DockRig: DaemonController {
    private var fixtures = 0

    /// Starts the controller (not yet custodyd); `throttle` limits custodyd's reads from those loop devices;
    /// `environment` is added to custodyd's.
    init(
        station: CLITestStation, throttle: [RecorderImage] = [], bytesPerSecond: Int = 4 << 20,
        environment: [String: String] = [:]
    ) throws {
        try super.init(
            station: station, name: "umockdev-dock", executable: "/usr/bin/unshare",
            arguments: { log in
                var arguments = [
                    "-m", "--propagation", "private", "/usr/bin/umockdev-wrapper", "/usr/bin/python3",
                    CommandRunner.packageRoot.appendingPathComponent("scripts/umockdev-dock").path, "--log", log.path,
                ]
                for image in throttle {
                    arguments += ["--throttle", "\(image.major):\(image.minor):\(bytesPerSecond)"]
                }
                return arguments + ["--", CommandRunner.custodyd.path, "--config", station.config.path]
            }, environment: environment)
    }

    /// Docks the devices of `fixture` (a udev "add"); returns the fixture file for ``undock(_:)``.
    @discardableResult
    func dock(_ fixture: String) throws -> URL {
        fixtures += 1
        let file = station.folder.appendingPathComponent("device-\(fixtures).umockdev")
        try Data(fixture.utf8).write(to: file)
        try dock(file: file)
        return file
    }

    func dock(file: URL) throws { try require("add \(file.path)") }

    /// Pulls the devices of a fixture out (udev "remove").
    func undock(_ file: URL) throws { try require("remove \(file.path)") }

    /// The sd_notify datagrams custodyd sent.
    func notifications() throws -> [String] {
        let data = Data(try send("notify").utf8)
        return (try JSONSerialization.jsonObject(with: data) as? [String]) ?? []
    }
}

extension Dictionary where Key == String, Value == Any {
    /// `recorder.serial` of an entry.
    var serial: String? { (self["recorder"] as? [String: Any])?["serial"] as? String ?? self["recorder"] as? String }
    var path: String? { self["path"] as? String }
    var int: (String) -> Int? { { key in (self[key] as? NSNumber)?.intValue } }
}

extension SeededGenerator {
    /// The next `count` pseudo-random bytes (docking tests' clips).
    mutating func clipBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: next()) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }
}
