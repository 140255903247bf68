import CustodyCore
import CustodyTesting
import Foundation
import Testing

/// Archive for disc (Art 27): a package proves itself anywhere, with no station, and names what was changed.
@Suite struct ArchiveTests {
    let lifecycle = LifecycleTests()

    /// A station whose case K-7 holds clips 0 and 1, archived into `work/package`. Returns the station, the work
    /// folder, the package and the clips' digests.
    func archived() throws -> (CLITestStation, TemporaryDirectory, URL, [String]) {
        let (station, clips) = try lifecycle.station()
        try #require(
            try station.custody(["link", "--case", "K-7", "--clip", clips[0], "--clip", clips[1]]).status == 0)
        let work = try TemporaryDirectory(prefix: "custody-archive")
        let package = work.file("package")
        let result = try station.custody([
            "archive", "--case", "K-7", "--matter", "违法停车 illegal parking", "--place", "G205 km 14",
            "--method", "on-site penalty", "--out", package.path,
        ])
        try #require(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        return (station, work, package, clips)
    }

    func verify(_ path: URL) throws -> CommandRunner.Result {
        try CommandRunner.run(CommandRunner.custody, ["archive", "verify", path.path])
    }

    func copy(_ from: URL, to: URL) throws {
        let result = try CommandRunner.run(URL(fileURLWithPath: "/bin/cp"), ["-a", from.path, to.path])
        try #require(result.status == 0, "\(result.standardError)")
    }

    @Test func packageVerifiesAfterBeingCopiedElsewhereWithoutTheStation() throws {
        let (station, work, package, clips) = try archived()
        let label = try String(contentsOf: package.appendingPathComponent("label.txt"), encoding: .utf8)
        #expect(label.contains("MATTER    违法停车 illegal parking") && label.contains("PLACE     G205 km 14"))
        #expect(label.contains("管理员") == false, "the officers are the clips' officers, not the administrator")
        let moved = work.file("elsewhere")
        try copy(package, to: moved)
        try FileManager.default.removeItem(at: station.stateDirectory)
        let result = try verify(moved)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("archive verified: case K-7, 2 clips"))
        #expect(FileManager.default.fileExists(atPath: moved.appendingPathComponent("clips/\(clips[0])").path))
        #expect(!FileManager.default.fileExists(atPath: moved.appendingPathComponent("clips/\(clips[2])").path))
        let sums = try CommandRunner.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "cd '\(moved.path)' && sha256sum --quiet -c SHA256SUMS"])
        #expect(sums.status == 0, "\(sums.standardOutput)")
    }

    @Test func oneFlippedByteInAClipAProofOrTheLabelFailsAndSaysWhere() throws {
        let (station, work, package, clips) = try archived()
        let proofs = try FileManager.default.contentsOfDirectory(atPath: package.appendingPathComponent("proofs").path)
            .sorted()
        let entries = try FileManager.default.contentsOfDirectory(
            atPath: package.appendingPathComponent("entries").path
        ).sorted()
        let targets = [
            "clips/\(clips[1])", "proofs/\(proofs[0])", "label.txt", "label.json", "entries/\(entries[0])",
            "checkpoint.note",
        ]
        for (number, target) in targets.enumerated() {
            let copy = work.file("flip-\(number)")
            try self.copy(package, to: copy)
            let url = copy.appendingPathComponent(target)
            _ = chmod(url.path, 0o644)
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: url)
            let result = try verify(copy)
            #expect(result.status == 1, "\(target): \(result.standardOutput)")
            #expect(result.standardOutput.contains(target), "\(target) not named: \(result.standardOutput)")
        }
        #expect(try verify(package).status == 0)
        // The archive is in the manifest, which still verifies.
        let archivedEntries = try station.custody(["entries", "--limit", "1000"]).standardOutput.split(separator: "\n")
            .filter { $0.contains("\"type\":\"clip.archived\"") }
        #expect(
            archivedEntries.count == 1 && archivedEntries[0].contains(clips[0]) && archivedEntries[0].contains(clips[1])
        )
        #expect(try station.custody(["verify"]).status == 0)
    }

    @Test func aCaseClosedMoreThanTenDaysWithoutAnArchiveIsReported() throws {
        let (station, clips) = try lifecycle.station()
        #expect(try station.custody(["link", "--case", "K-8", "--clip", clips[2]]).status == 0)
        let closed = Date().addingTimeInterval(-86_400)
        let closedText = RFC3339.format(closed)
        #expect(try station.custody(["close", "--case", "K-8", "--at", closedText]).status == 0)
        let deadline = RFC3339.parse(closedText)!.addingTimeInterval(10 * 86_400)
        let onTime = try station.custody(["archive", "missed", "--now", RFC3339.format(deadline)])
        #expect(onTime.standardOutput.contains("no archive is overdue"), "\(onTime.standardOutput)")
        let late = try station.custody(["archive", "missed", "--now", RFC3339.format(deadline.addingTimeInterval(1))])
        #expect(
            late.standardOutput.contains("case K-8") && late.standardOutput.contains("NOT ARCHIVED"),
            "\(late.standardOutput)")
        let work = try TemporaryDirectory(prefix: "custody-archive-missed")
        #expect(
            try station.custody([
                "archive", "--case", "K-8", "--matter", "m", "--place", "p", "--method", "x", "--out",
                work.file("p").path,
            ]).status == 0)
        let after = try station.custody(["archive", "missed", "--now", RFC3339.format(deadline.addingTimeInterval(1))])
        #expect(after.standardOutput.contains("no archive is overdue"), "\(after.standardOutput)")
    }

    static let canMountISO =
        ["/usr/bin/xorriso", "/usr/bin/fuseiso", "/usr/bin/unshare"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: $0)
        } && getuid() == 0 && FileManager.default.fileExists(atPath: "/dev/fuse")

    @Test(.enabled(if: canMountISO, "needs xorriso, fuseiso, /dev/fuse and root for unshare -m"))
    func isoImageMountsReadOnlyAndVerifiesFromTheMount() throws {
        let (station, clips) = try lifecycle.station()
        #expect(try station.custody(["link", "--case", "K-9", "--clip", clips[0]]).status == 0)
        let work = try TemporaryDirectory(prefix: "custody-archive-iso")
        let iso = work.file("K-9.iso")
        let made = try station.custody([
            "archive", "--case", "K-9", "--matter", "m", "--place", "p", "--method", "x", "--out", iso.path,
        ])
        try #require(made.status == 0, "\(made.standardOutput)\(made.standardError)")
        let mount = work.file("mnt")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        let script = """
            set -e
            fuseiso -p '\(iso.path)' '\(mount.path)' -o ro
            trap "fusermount -u '\(mount.path)' 2>/dev/null || umount -l '\(mount.path)'" EXIT
            if touch '\(mount.path)/x' 2>/dev/null; then echo WRITABLE; exit 3; fi
            '\(CommandRunner.custody.path)' archive verify '\(mount.path)'
            """
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/unshare"), ["-m", "--propagation", "private", "/bin/sh", "-c", script])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("archive verified: case K-9, 1 clip"))
    }
}
