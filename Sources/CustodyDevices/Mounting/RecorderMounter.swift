public import CustodyCore
public import Foundation
import Glibc

/// A recorder file system mounted read-only under the runtime directory.
public struct MountedVolume: Sendable, Equatable {
    /// The mount point.
    public let directory: URL
    /// The device mounted.
    public let device: String
    /// The file-system type.
    public let fileSystem: String
    /// `kernel`, or the mount program used.
    public let program: String
    /// The options it was mounted with.
    public let options: [String]
}

/// Mounts docked recorders read-only (`ro,nosuid,nodev,noexec,noatime`, plus `noload` for ext3/ext4 so not even
/// the journal is replayed) and unmounts them after ingest.
///
/// Each file-system type is mounted by the kernel (mount(2)) unless `[docking.mount_programs]` names a program
/// for it, such as a FUSE driver where the kernel has none.
public struct RecorderMounter: Sendable {
    /// Where mount points are made: `mnt/` in the runtime directory.
    public let mountRoot: URL
    /// The docking settings (mount programs).
    public let docking: DockingConfiguration

    /// A mounter making its mount points under `runtimeDirectory/mnt`.
    public init(runtimeDirectory: URL, docking: DockingConfiguration) {
        self.mountRoot = runtimeDirectory.appendingPathComponent("mnt")
        self.docking = docking
    }

    /// The options `fileSystem` is mounted with.
    public static func options(forFileSystem fileSystem: String) -> [String] {
        DockingConfiguration.mountOptions + (["ext3", "ext4"].contains(fileSystem) ? ["noload"] : [])
    }

    /// Mounts `device` (a file system of type `fileSystem`) read-only at a fresh mount point named after `name`.
    public func mount(device: String, fileSystem: String, name: String) throws(DeviceError) -> MountedVolume {
        let directory = try makeMountPoint(name: name)
        let options = Self.options(forFileSystem: fileSystem)
        let program = docking.mountProgram(forFileSystem: fileSystem)
        do {
            if let program {
                try runMountProgram(program, device: device, directory: directory, options: options)
            } else {
                try kernelMount(device: device, fileSystem: fileSystem, directory: directory, options: options)
            }
            try enforceFlags(directory: directory, program: program ?? "kernel")
        } catch {
            _ = umount2(directory.path, Int32(MNT_DETACH))
            rmdir(directory.path)
            throw error
        }
        return MountedVolume(
            directory: directory, device: device, fileSystem: fileSystem, program: program ?? "kernel",
            options: options)
    }

    /// Unmounts `volume` and removes its mount point; `lazy` (the device is gone, or the mount is busy) detaches
    /// it now and lets the kernel finish when the last file closes.
    public func unmount(_ volume: MountedVolume, lazy: Bool) throws(DeviceError) {
        let path = volume.directory.path
        if umount2(path, lazy ? Int32(MNT_DETACH) : 0) != 0 {
            let first = errno
            guard first != EINVAL else {  // not mounted (any more)
                rmdir(path)
                return
            }
            guard !lazy, umount2(path, Int32(MNT_DETACH)) == 0 else {
                throw DeviceError(
                    .unmount, "cannot unmount \(path): \(SystemCall.describe(first))", errno: first)
            }
        }
        rmdir(path)
    }

    /// Detaches and removes the mount points a daemon that died left behind (called at start, before any dock).
    public func cleanUp() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: mountRoot.path) else { return }
        for name in names {
            let path = mountRoot.appendingPathComponent(name).path
            _ = umount2(path, Int32(MNT_DETACH))
            rmdir(path)
        }
    }

    private func makeMountPoint(name: String) throws(DeviceError) -> URL {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        do {
            try FileManager.default.createDirectory(
                at: mountRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DeviceError(.setup, "cannot create the mount folder \(mountRoot.path): \(error.localizedDescription)")
        }
        let directory = mountRoot.appendingPathComponent(safe)
        if Glibc.mkdir(directory.path, 0o700) != 0 {
            let error = errno
            guard error == EEXIST else {
                throw DeviceError(
                    .setup, "cannot create the mount point \(directory.path): \(SystemCall.describe(error))",
                    errno: error)
            }
            // Left by a daemon that died mid-ingest: detach whatever is still mounted there, then reuse it.
            _ = umount2(directory.path, Int32(MNT_DETACH))
        }
        return directory
    }

    /// Makes the mount read-only, nosuid, nodev, noexec and noatime whatever the program honoured (a bind
    /// remount sets the flags of the mount point itself), then checks them with statvfs.
    private func enforceFlags(directory: URL, program: String) throws(DeviceError) {
        let flags = Self.kernelFlags | UInt(MS_REMOUNT) | UInt(MS_BIND)
        try SystemCall.retrying(.mount, "making the mount at \(directory.path) read-only failed") {
            Glibc.mount(nil, directory.path, nil, flags, nil)
        }
        var info = statvfs()
        try SystemCall.retrying(.mount, "checking the mount at \(directory.path) failed") {
            statvfs(directory.path, &info)
        }
        // ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME (<sys/statvfs.h>; Glibc's module lacks the last
        // three).
        let required: UInt = 0x1 | 0x2 | 0x4 | 0x8 | 0x400
        guard info.f_flag & required == required else {
            throw DeviceError(
                .mount,
                "\(program) mounted \(directory.path) without all of ro,nosuid,nodev,noexec,noatime "
                    + "(flags \(String(info.f_flag, radix: 16))); the recorder is not read")
        }
    }

    private static let kernelFlags =
        UInt(MS_RDONLY) | UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC) | UInt(MS_NOATIME)

    private func kernelMount(
        device: String, fileSystem: String, directory: URL, options: [String]
    ) throws(DeviceError) {
        let flags = Self.kernelFlags
        let data = options.contains("noload") ? "noload" : ""
        try SystemCall.retrying(
            .mount,
            "mounting \(device) (\(fileSystem)) read-only at \(directory.path) failed; if the kernel has no "
                + "\(fileSystem) driver, name a program in [docking.mount_programs]"
        ) {
            Glibc.mount(device, directory.path, fileSystem, flags, data)
        }
    }

    private func runMountProgram(
        _ program: String, device: String, directory: URL, options: [String]
    ) throws(DeviceError) {
        // A FUSE driver forks a daemon that keeps inherited descriptors open: its messages go to a file, never
        // to a pipe whose end would never come.
        let log = mountRoot.appendingPathComponent(".\(directory.lastPathComponent).mount.log")
        defer { try? FileManager.default.removeItem(at: log) }
        let status = try Spawn.run(
            program, ["-o", options.joined(separator: ","), device, directory.path], logPath: log.path)
        guard status == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeviceError(
                .mount,
                "\(program) could not mount \(device) at \(directory.path) (status \(status))"
                    + (text.map { $0.isEmpty ? "" : ": \($0.prefix(500))" } ?? ""))
        }
    }
}
