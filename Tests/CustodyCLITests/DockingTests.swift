import CustodyTesting
import Foundation
import Glibc
import Testing

/// Docking end to end (issue 4): custodyd as a process in a umockdev testbed, recorder images on real loop
/// devices mounted by the kernel (ext4) or FUSE (exFAT, FAT32), every outcome checked in the manifest.
@Suite(
    .enabled(if: DockingTools.available, "needs root, umockdev, python3-gi, exfat-fuse, fusefat, dosfstools, mtools"))
struct DockingTests {
    /// A recorder model with USB IDs, FUSE mount programs for exFAT and FAT (this kernel has neither), bay names.
    static let configuration = """
        [[models]]
        name = "BWC"
        media = ["DCIM/**/*.MP4"]
        usb_vendor_id = "ABCD"
        usb_product_id = "1234"

        [docking]
        max_concurrent_copies = 2

        [docking.mount_programs]
        exfat = "/usr/sbin/mount.exfat-fuse"
        vfat = "/usr/bin/fusefat"

        [docking.bays]
        "pci-0000:00:14.0-usb-0:3" = "3"
        "pci-0000:00:14.0-usb-0:4" = "4"
        """

    func makeStation(_ extra: String = configuration) throws -> CLITestStation {
        let station = try CLITestStation()
        try station.appendConfiguration(extra)
        return station
    }

    /// `count` clips of `size` random bytes under DCIM/100MEDIA, plus a file that is not media.
    func clips(seed: UInt64, count: Int, size: Int) -> [String: [UInt8]] {
        var generator = SeededGenerator(seed: seed)
        var files = ["SYSTEM/VERSION.TXT": Array("firmware 1.0\n".utf8)]
        for n in 1...count { files["DCIM/100MEDIA/CLIP\(n).MP4"] = generator.clipBytes(size) }
        return files
    }

    /// The digests of the media files of `files`, by sha256sum of the source copies.
    func digests(_ files: [String: [UInt8]], image: RecorderImage, work: TemporaryDirectory, name: String) throws
        -> [String: String]
    {
        var out = [String: String]()
        for path in files.keys where path.hasSuffix(".MP4") {
            out[path] = try DockingTools.sha256(work.url.appendingPathComponent("\(name)-src/\(path)"))
        }
        return out
    }

    func recorder(_ rig: DockRig, _ serial: String) -> [String: Any]? {
        (rig.status()?["recorders"] as? [[String: Any]])?.first { $0["serial"] as? String == serial }
    }

    func stagingIsEmpty(_ station: CLITestStation) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: station.stagingDirectory.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.isEmpty
    }

    // MARK: - Present at start, kernel ext4, sd_notify, status, image unchanged

    @Test func recorderPresentAtStartIsMountedByTheKernelIngestedAndLeftUnchanged() throws {
        let work = try TemporaryDirectory(prefix: "custody-dock-present")
        let station = try makeStation()
        let files = clips(seed: 1, count: 3, size: 300_000)
        let image = try RecorderImage(.ext4, files: files, in: work.url, name: "bwc1")
        let expected = try digests(files, image: image, work: work, name: "bwc1")
        let imageBefore = try DockingTools.sha256(image.image)

        let rig = try DockRig(station: station)
        try rig.dock(image.fixture(serial: "BWC0001", port: 3))
        try rig.start()
        try rig.waitUntil("the ingest is done") { recorder(rig, "BWC0001")?["state"] as? String == "done" }

        let status = try station.custody(["status"])
        #expect(status.status == 0)
        #expect(status.standardOutput.contains("1 recorder docked"), "\(status.standardOutput)")
        #expect(
            status.standardOutput.contains("bay 3  BWC0001 (BWC)  \(image.loopDevice) ext4  done"),
            "\(status.standardOutput)")
        #expect(status.standardOutput.contains("3 ingested"))

        #expect(try rig.stop() == 0)
        let notifications = try rig.notifications()
        #expect(notifications.contains { $0.split(separator: "\n").contains("READY=1") }, "\(notifications)")
        #expect(
            notifications.contains { $0.split(separator: "\n").contains("STATUS=1 recorder docked, 1 ingesting") }
                || notifications.contains { $0.contains("STATUS=1 recorder docked") }, "\(notifications)")
        let ready = notifications.firstIndex { $0.split(separator: "\n").contains("READY=1") }
        let stopping = notifications.firstIndex { $0.split(separator: "\n").contains("STOPPING=1") }
        #expect(ready != nil && stopping != nil && ready! < stopping!, "\(notifications)")
        #expect(rig.daemonLog.contains("mount.options=ro,nosuid,nodev,noexec,noatime,noload"), "\(rig.daemonLog)")
        #expect(rig.daemonLog.contains("mount.program=kernel"))

        let docked = try rig.entries("recorder.docked")
        try #require(docked.count == 1)
        #expect(docked[0].serial == "BWC0001")
        #expect(docked[0]["bay"] as? String == "3")
        #expect(docked[0]["fileSystem"] as? String == "ext4")
        #expect(docked[0]["device"] as? String == image.loopDevice)
        #expect(docked[0]["usb"] as? String == "abcd:1234")
        // A mass-storage recorder has no clock to read: the offset is there, and null.
        #expect(docked[0]["clockOffsetSeconds"] is NSNull, "\(docked[0])")
        let ingested = try rig.entries("clip.ingested")
        #expect(
            Dictionary(uniqueKeysWithValues: ingested.map { ($0.path ?? "", $0["sha256"] as? String ?? "") })
                == expected)
        let undocked = try rig.entries("recorder.undocked")
        try #require(undocked.count == 1)
        #expect(undocked[0]["reason"] as? String == "shutdown")
        #expect(undocked[0]["complete"] as? Bool == true)
        #expect((undocked[0]["counts"] as? [String: Any])?["ingested"] as? Int == 3)
        #expect((undocked[0]["docked"] as? [String: Any])?["index"] as? Int == docked[0]["_index"] as? Int)
        for digest in expected.values {
            let object = station.storeDirectory.appendingPathComponent(
                "sha256/\(digest.prefix(2))/\(digest.dropFirst(2).prefix(2))/\(digest)")
            #expect(try DockingTools.sha256(object) == digest)
        }
        #expect(try DockingTools.sha256(image.image) == imageBefore, "the recorder image changed")
        #expect(try station.custody(["verify"]).status == 0)
        // custodyd removed its status file when it stopped.
        #expect(try station.custody(["status"]).status == 1)
    }

    // MARK: - Hot-plug, exFAT through exfat-fuse, FAT32 through fusefat; removal after ingest

    @Test(arguments: [RecorderImage.Kind.exfat, .vfat])
    func hotPluggedRecorderIsMountedByItsFUSEProgramIngestedAndUndocked(kind: RecorderImage.Kind) throws {
        let work = try TemporaryDirectory(prefix: "custody-dock-\(kind)")
        let station = try makeStation()
        let files = clips(seed: 2, count: 2, size: 200_000)
        let image = try RecorderImage(kind, files: files, in: work.url, name: "bwc2")
        let expected = try digests(files, image: image, work: work, name: "bwc2")
        let imageBefore = try DockingTools.sha256(image.image)

        let rig = try DockRig(station: station)
        try rig.start()
        #expect(try rig.entries("recorder.docked").isEmpty)
        let fixture = try rig.dock(image.fixture(serial: "BWC0002", port: 4))
        try rig.waitUntil("the ingest is done") { recorder(rig, "BWC0002")?["state"] as? String == "done" }
        let program = kind == .exfat ? "/usr/sbin/mount.exfat-fuse" : "/usr/bin/fusefat"
        #expect(rig.daemonLog.contains("mount.program=\(program)"), "\(rig.daemonLog)")
        try rig.undock(fixture)
        try rig.waitUntil("the undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }
        #expect(try rig.stop() == 0)

        let docked = try rig.entries("recorder.docked")
        #expect(docked.count == 1)
        #expect(docked.first?["fileSystem"] as? String == kind.rawValue)
        #expect(docked.first?["bay"] as? String == "4")
        let ingested = try rig.entries("clip.ingested")
        #expect(
            Dictionary(uniqueKeysWithValues: ingested.map { ($0.path ?? "", $0["sha256"] as? String ?? "") })
                == expected)
        let undocked = try rig.entries("recorder.undocked")
        #expect(undocked.count == 1)
        #expect(undocked.first?["reason"] as? String == "removed")
        #expect((undocked.first?["counts"] as? [String: Any])?["ingested"] as? Int == 2)
        #expect(try DockingTools.sha256(image.image) == imageBefore, "the recorder image changed")
        #expect(try station.custody(["verify"]).status == 0)
    }

    // MARK: - An unknown USB disk is ignored; two recorders at once

    @Test func unknownUSBDiskIsIgnoredWhileTwoRecordersIngestAtOnce() throws {
        let work = try TemporaryDirectory(prefix: "custody-dock-two")
        let station = try makeStation()
        let filesA = clips(seed: 3, count: 4, size: 400_000)
        let filesB = clips(seed: 4, count: 4, size: 400_000)
        let imageA = try RecorderImage(.ext4, files: filesA, in: work.url, name: "a")
        let imageB = try RecorderImage(.ext4, files: filesB, in: work.url, name: "b")
        let stick = try RecorderImage(.ext4, files: clips(seed: 5, count: 1, size: 1000), in: work.url, name: "stick")

        let rig = try DockRig(station: station)
        try rig.start()
        // A USB stick of another make, tagged (a rule written too widely) and untagged: neither is touched.
        try rig.dock(stick.fixture(serial: "STICK1", vendor: "0781", product: "5567", port: 5))
        try rig.dock(imageA.fixture(serial: "BWC000A", port: 3))
        try rig.dock(imageB.fixture(serial: "BWC000B", port: 4))
        try rig.waitUntil("both recorders are done") {
            recorder(rig, "BWC000A")?["state"] as? String == "done"
                && recorder(rig, "BWC000B")?["state"] as? String == "done"
        }
        let ignored = rig.status()?["ignored"] as? [[String: Any]] ?? []
        #expect(ignored.count == 1)
        #expect((ignored.first?["reason"] as? String)?.contains("0781:5567, which no configured model has") == true)
        #expect(try station.custody(["status"]).standardOutput.contains("ignored \(stick.loopDevice)"))
        #expect(try rig.stop() == 0)

        let entries = try rig.entries()
        #expect(!entries.contains { $0.serial == "STICK1" })
        for (serial, files, image, bay) in [("BWC000A", filesA, imageA, "3"), ("BWC000B", filesB, imageB, "4")] {
            let docked = entries.filter { $0["type"] as? String == "recorder.docked" && $0.serial == serial }
            #expect(docked.count == 1)
            #expect(docked.first?["bay"] as? String == bay)
            let clips = entries.filter { $0["type"] as? String == "clip.ingested" && $0.serial == serial }
            let name = serial == "BWC000A" ? "a" : "b"
            #expect(
                Dictionary(uniqueKeysWithValues: clips.map { ($0.path ?? "", $0["sha256"] as? String ?? "") })
                    == (try digests(files, image: image, work: work, name: name)))
            let undocked = entries.filter { $0["type"] as? String == "recorder.undocked" && $0.serial == serial }
            #expect((undocked.first?["counts"] as? [String: Any])?["ingested"] as? Int == 4)
        }
        #expect(try station.custody(["verify"]).status == 0)
    }

    // MARK: - Pulled out mid-copy, then docked again

    /// Whether reads can be throttled (cgroup v1 blkio), so a copy lasts long enough to interrupt.
    static let canThrottle = FileManager.default.fileExists(
        atPath: "/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device")

    @Test(.enabled(if: canThrottle, "needs the cgroup v1 blkio throttle"))
    func recorderPulledOutMidCopyIsRecordedAndTheNextDockCompletesAndResolvesIt() throws {
        let work = try TemporaryDirectory(prefix: "custody-dock-pull")
        let station = try makeStation()
        let files = clips(seed: 6, count: 1, size: 24 << 20)
        let image = try RecorderImage(.ext4, files: files, in: work.url, name: "pull")
        let imageBefore = try DockingTools.sha256(image.image)
        let path = "DCIM/100MEDIA/CLIP1.MP4"

        // Reads from this loop device are throttled to 4 MB/s: the copy lasts about 6 s.
        let rig = try DockRig(station: station, throttle: [image])
        try rig.start()
        let fixture = try rig.dock(image.fixture(serial: "BWC0009", port: 3))
        try rig.waitUntil("the copy is under way") {
            let copying = recorder(rig, "BWC0009")?["copying"] as? [[String: Any]] ?? []
            return copying.contains { ($0["bytesDone"] as? Int ?? 0) > 0 }
        }
        try rig.undock(fixture)
        try rig.waitUntil("the undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }

        let interrupted = try rig.entries("ingest.interrupted")
        try #require(interrupted.count == 1, "\(rig.daemonLog)")
        #expect(interrupted[0].path == path)
        #expect(interrupted[0]["reason"] as? String == "sourceRead")
        #expect((interrupted[0]["detail"] as? String)?.contains("undocked from bay 3") == true)
        let bytesDone = interrupted[0]["bytesDone"] as? Int ?? 0
        #expect(bytesDone > 0 && bytesDone < 24 << 20, "bytesDone \(bytesDone)")
        #expect(try rig.entries("clip.ingested").isEmpty)
        let firstUndock = try rig.entries("recorder.undocked")[0]
        #expect(firstUndock["reason"] as? String == "removed")
        #expect(firstUndock["complete"] as? Bool == false)
        #expect((firstUndock["counts"] as? [String: Any])?["failed"] as? Int == 1)
        #expect(stagingIsEmpty(station), "the half copy was left in staging")

        try rig.dock(file: fixture)
        try rig.waitUntil("the clip is ingested", seconds: 120) { try !rig.entries("clip.ingested").isEmpty }
        #expect(try rig.stop() == 0)
        let clip = try rig.entries("clip.ingested")[0]
        #expect(clip.path == path)
        #expect(clip["sha256"] as? String == (try digests(files, image: image, work: work, name: "pull"))[path])
        let resolves = clip["resolves"] as? [[String: Any]] ?? []
        #expect(resolves.map { $0["index"] as? Int } == [interrupted[0]["_index"] as? Int])
        #expect(try rig.entries("recorder.docked").count == 2)
        #expect(try DockingTools.sha256(image.image) == imageBefore)
        #expect(try station.custody(["verify"]).status == 0)
    }

    // MARK: - SIGTERM mid-copy

    @Test(.enabled(if: canThrottle, "needs the cgroup v1 blkio throttle"))
    func sigtermMidCopyRollsTheCopyBackAndLeavesASignedConsistentManifest() throws {
        let work = try TemporaryDirectory(prefix: "custody-dock-term")
        let station = try makeStation()
        let image = try RecorderImage(
            .ext4, files: clips(seed: 7, count: 3, size: 12 << 20), in: work.url, name: "term")
        let rig = try DockRig(station: station, throttle: [image])
        try rig.start()
        try rig.dock(image.fixture(serial: "BWC0010", port: 3))
        try rig.waitUntil("the copy is under way") {
            let copying = recorder(rig, "BWC0010")?["copying"] as? [[String: Any]] ?? []
            return copying.contains { ($0["bytesDone"] as? Int ?? 0) > 0 }
        }
        #expect(try rig.stop() == 0)
        #expect(rig.daemonLog.contains("custodyd stopped cleanly"))

        let entries = try rig.entries()
        let interrupted = entries.filter { $0["type"] as? String == "ingest.interrupted" }
        #expect(!interrupted.isEmpty)
        #expect(interrupted.allSatisfy { $0["reason"] as? String == "cancelled" })
        // No file starts once shutdown begins: at most the copies in flight (ingest.concurrent_files = 2).
        #expect(interrupted.count + entries.filter { $0["type"] as? String == "clip.ingested" }.count <= 3)
        let undocked = entries.filter { $0["type"] as? String == "recorder.undocked" }
        #expect(undocked.count == 1)
        #expect(undocked.first?["reason"] as? String == "shutdown")
        #expect(entries.last?["type"] as? String == "recorder.undocked")
        #expect(stagingIsEmpty(station))
        // The last checkpoint covers every entry, the undock included.
        let checkpoint = try station.custody(["checkpoint"]).standardOutput.split(separator: "\n")
        #expect(checkpoint.count >= 2 && Int(checkpoint[1]) == entries.count)
        #expect(try station.custody(["verify"]).status == 0)
    }

    // MARK: - SIGHUP reloads the models

    @Test func sighupReloadsTheModelsForRecordersThatDockAfterwards() throws {
        let work = try TemporaryDirectory(prefix: "custody-dock-hup")
        let station = try makeStation(Self.configuration.replacingOccurrences(of: "\"1234\"", with: "\"1235\""))
        let image = try RecorderImage(.ext4, files: clips(seed: 8, count: 1, size: 1000), in: work.url, name: "hup")
        let rig = try DockRig(station: station)
        try rig.start()
        let fixture = try rig.dock(image.fixture(serial: "BWC0011", port: 3))
        try rig.waitUntil("the recorder is ignored") { !((rig.status()?["ignored"] as? [Any]) ?? []).isEmpty }
        try rig.undock(fixture)

        var text = try String(contentsOf: station.config, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"1235\"", with: "\"1234\"")
        try Data(text.utf8).write(to: station.config)
        #expect(try rig.send("signal HUP") == "ok")
        try rig.waitUntil("the reload is logged") { rig.daemonLog.contains("reloaded recorder models") }
        try rig.dock(file: fixture)
        try rig.waitUntil("the clip is ingested") { try !rig.entries("clip.ingested").isEmpty }
        #expect(try rig.stop() == 0)
        #expect(try rig.entries("recorder.docked").count == 1)
    }
}
