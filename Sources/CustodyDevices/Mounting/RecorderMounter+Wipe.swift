import Glibc

/// Remounting a kernel-mounted recorder read-write for a wipe, and back to read-only.
extension RecorderMounter {
    /// Whether `volume` can be remounted read-write for a wipe: only kernel mounts can (a FUSE driver was started
    /// read-only and would have to be restarted).
    public static func canWipe(_ volume: MountedVolume) -> Bool { volume.program == "kernel" }

    /// Remounts `volume` read-write, keeping `nosuid,nodev,noexec,noatime` (ext3/ext4 stay `noload`: nothing is
    /// replayed from the journal, and the wipe writes without it).
    public func remountReadWrite(_ volume: MountedVolume) throws(DeviceError) {
        guard Self.canWipe(volume) else {
            throw DeviceError(
                .wipe,
                "\(volume.device) was mounted by \(volume.program), which cannot be remounted read-write; only "
                    + "kernel-mounted recorders are wiped")
        }
        let path = volume.directory.path
        let flags = Self.wipeFlags | UInt(MS_REMOUNT)
        try SystemCall.retrying(.wipe, "remounting \(path) read-write failed") {
            Glibc.mount(nil, path, nil, flags, nil)
        }
        try SystemCall.retrying(.wipe, "making the mount at \(path) writable failed") {
            Glibc.mount(nil, path, nil, flags | UInt(MS_BIND), nil)
        }
    }

    /// Remounts `volume` read-only again after a wipe (the mount point first, then the file system).
    public func remountReadOnly(_ volume: MountedVolume) throws(DeviceError) {
        let path = volume.directory.path
        let flags = Self.wipeFlags | UInt(MS_RDONLY) | UInt(MS_REMOUNT)
        try SystemCall.retrying(.wipe, "remounting \(path) read-only failed") {
            Glibc.mount(nil, path, nil, flags, nil)
        }
        try SystemCall.retrying(.wipe, "making the mount at \(path) read-only failed") {
            Glibc.mount(nil, path, nil, flags | UInt(MS_BIND), nil)
        }
    }

    private static let wipeFlags = UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC) | UInt(MS_NOATIME)
}
