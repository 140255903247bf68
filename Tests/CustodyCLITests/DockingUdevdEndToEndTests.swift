import CustodyTesting
import Foundation
import Glibc
import Testing

/// Docking end to end with a real `systemd-udevd` (issue 4; scripts/udevd-e2e): custodyd runs as a process, a
/// recorder image is attached as a loop device, the kernel's uevent goes through udevd and Custody's generated
/// rules to custodyd, the footage lands in the store and the manifest, and SIGTERM stops custodyd cleanly.
///
/// udevd writes into the real /dev, so this runs only when `CUSTODY_UDEVD_E2E=1` (`make e2e`).
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["CUSTODY_UDEVD_E2E"] == "1" && getuid() == 0
            && FileManager.default.isExecutableFile(atPath: "/lib/systemd/systemd-udevd")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/mkfs.ext4"),
        "set CUSTODY_UDEVD_E2E=1 (make e2e); needs root, udev, e2fsprogs"))
struct DockingUdevdEndToEndTests {
    @Test func realUdevdDocksALoopDeviceAndCustodydIngestsItThenStopsCleanlyOnSIGTERM() throws {
        let work = try TemporaryDirectory(prefix: "custody-udevd-e2e")
        let station = try CLITestStation()
        try station.appendConfiguration(
            """
            [[models]]
            name = "BWC"
            media = ["DCIM/**/*.MP4"]
            usb_vendor_id = "abcd"
            usb_product_id = "1234"

            [docking.bays]
            "pci-0000:00:14.0-usb-0:7" = "7"
            """)
        var generator = SeededGenerator(seed: 21)
        let source = work.url.appendingPathComponent("src")
        var expected: [String: String] = [:]
        for n in 1...3 {
            let path = "DCIM/100MEDIA/CLIP\(n).MP4"
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(generator.clipBytes(250_000)).write(to: url)
            expected[path] = try DockingTools.sha256(url)
        }
        let image = work.url.appendingPathComponent("bodycam.img")
        try DockingTools.run(
            "/usr/sbin/mkfs.ext4", ["-q", "-F", "-L", "BODYCAM", "-d", source.path, image.path, "32M"])
        let imageBefore = try DockingTools.sha256(image)
        let serial = "E2E0001"

        let run = try CommandRunner.run(
            CommandRunner.packageRoot.appendingPathComponent("scripts/udevd-e2e"),
            [
                CommandRunner.custody.path, CommandRunner.custodyd.path, station.config.path,
                station.stateDirectory.appendingPathComponent("run/status.json").path, image.path, serial,
                work.url.appendingPathComponent("e2e").path,
            ])
        let log = (try? String(contentsOf: work.url.appendingPathComponent("e2e/custodyd.log"), encoding: .utf8)) ?? ""
        #expect(run.status == 0, "status \(run.status): \(run.standardError)\ncustodyd log:\n\(log)")
        #expect(run.standardOutput.contains("custodyd exited 0"), "\(run.standardOutput)")

        let entries = try station.custody(["entries", "--json", "--limit", "100000"]).standardOutput
            .split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["body"] as? [String: Any]
            }
        func ofType(_ type: String) -> [[String: Any]] { entries.filter { $0["type"] as? String == type } }
        let docked = ofType("recorder.docked")
        try #require(docked.count == 1, "custodyd log:\n\(log)")
        #expect(docked[0].serial == serial)
        #expect(docked[0]["bay"] as? String == "7")
        #expect(docked[0]["port"] as? String == "pci-0000:00:14.0-usb-0:7:1.0-scsi-0:0:0:0")
        #expect(docked[0]["fileSystem"] as? String == "ext4")
        let ingested = ofType("clip.ingested")
        #expect(
            Dictionary(uniqueKeysWithValues: ingested.map { ($0.path ?? "", $0["sha256"] as? String ?? "") })
                == expected)
        for digest in expected.values {
            let object = station.storeDirectory.appendingPathComponent(
                "sha256/\(digest.prefix(2))/\(digest.dropFirst(2).prefix(2))/\(digest)")
            #expect(try DockingTools.sha256(object) == digest)
        }
        let undocked = ofType("recorder.undocked")
        try #require(undocked.count == 1)
        #expect(undocked[0]["reason"] as? String == "shutdown")
        #expect(undocked[0]["complete"] as? Bool == true)
        #expect((undocked[0]["counts"] as? [String: Any])?["ingested"] as? Int == 3)
        #expect(log.contains("recorder docked"), "\(log)")
        #expect(try DockingTools.sha256(image) == imageBefore, "the recorder image changed")
        #expect(try station.custody(["verify"]).status == 0)
        // Stopped cleanly: no status file, no mount left, the loop device detached.
        #expect(try station.custody(["status"]).status == 1)
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(station.stateDirectory.path))
        let loop =
            (try? String(contentsOf: work.url.appendingPathComponent("e2e/loop-device"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        #expect(!loop.isEmpty)
        let attached = try DockingTools.run("/usr/sbin/losetup", ["-a"])
        #expect(!attached.contains(image.path), "\(attached)")
    }
}
