import CustodyTesting
import Foundation
import Glibc
import Testing

/// Wipe after verified ingest (issue 4 item 7, `wipe_after_ingest`): custodyd as a process in a umockdev testbed,
/// an ext4 recorder image on a writable loop device; what is left on the image is read offline with debugfs.
///
/// The moment between the plan and the deletions is reached through custodyd's test seam
/// (`CUSTODYD_TEST_WIPE_HOOK`, run once the recorder is remounted read-write), never by timing.
@Suite(
    .enabled(
        if: DockingTools.available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/debugfs"),
        "needs root, umockdev, python3-gi, e2fsprogs"))
struct DockingWipeTests {
    static func configuration(wipe: Bool?) -> String {
        """
        [[models]]
        name = "BWC"
        media = ["DCIM/**/*.MP4"]
        usb_vendor_id = "abcd"
        usb_product_id = "1234"
        \(wipe.map { "wipe_after_ingest = \($0)" } ?? "")

        [docking.bays]
        "pci-0000:00:14.0-usb-0:3" = "3"
        """
    }

    func files(seed: UInt64) -> [String: [UInt8]] {
        var generator = SeededGenerator(seed: seed)
        return [
            "SYSTEM/VERSION.TXT": Array("firmware 1.0\n".utf8),
            "DCIM/100MEDIA/CLIP1.MP4": generator.clipBytes(150_000),
            "DCIM/100MEDIA/CLIP2.MP4": generator.clipBytes(150_000),
            "DCIM/100MEDIA/CLIP3.MP4": generator.clipBytes(150_000),
            "DCIM/101MEDIA/CLIP4.MP4": generator.clipBytes(150_000),
        ]
    }

    /// Every regular file in the ext4 `image`, by path, read offline with debugfs (not through a mount).
    func filesIn(_ image: URL) throws -> Set<String> {
        var found = Set<String>()
        func walk(_ folder: String) throws {
            let listing = try DockingTools.run("/usr/sbin/debugfs", ["-R", "ls -p \(folder)", image.path])
            for line in listing.split(separator: "\n") {
                // /inode/mode/uid/gid/name/size/
                let fields = line.split(separator: "/", omittingEmptySubsequences: false)
                guard fields.count >= 7, let mode = Int(fields[2], radix: 8) else { continue }
                let name = String(fields[5])
                guard name != ".", name != "..", name != "lost+found" else { continue }
                let path = folder == "/" ? name : "\(folder.dropFirst())/\(name)"
                if mode & 0o170000 == 0o040000 {
                    try walk("/\(path)")
                } else if mode & 0o170000 == 0o100000 {
                    found.insert(path)
                } else if mode & 0o170000 == 0o120000 {
                    found.insert("\(path)@")
                }
            }
        }
        try walk("/")
        return found
    }

    func writeHook(_ url: URL, _ script: String) throws {
        try Data(("#!/bin/sh\nset -e\n" + script).utf8).write(to: url)
        chmod(url.path, 0o755)
    }

    func paths(_ list: Any?) -> [String] { (list as? [[String: Any]] ?? []).compactMap { $0["path"] as? String } }

    // MARK: - Verified files go; what was not ingested, or changed, or moved behind a link stays

    @Test func wipeDeletesExactlyTheVerifiedFilesAndRecordsEachWithItsClipEntry() throws {
        let work = try TemporaryDirectory(prefix: "custody-wipe")
        let station = try CLITestStation()
        try station.appendConfiguration(Self.configuration(wipe: true))
        let image = try RecorderImage(.ext4, files: files(seed: 11), in: work.url, name: "wipe", writable: true)
        // Between the plan and the deletions: a new clip arrives (never ingested), CLIP3 grows (changed since the
        // plan), and DCIM/101MEDIA becomes a symbolic link to the folder CLIP4 now lives in.
        let marker = work.url.appendingPathComponent("hook-ran")
        let hook = work.url.appendingPathComponent("hook.sh")
        try writeHook(
            hook,
            """
            cd "$1"
            printf 'new footage' > DCIM/100MEDIA/CLIP9.MP4
            printf 'more' >> DCIM/100MEDIA/CLIP3.MP4
            mv DCIM/101MEDIA DCIM/REAL
            ln -s REAL DCIM/101MEDIA
            touch '\(marker.path)'
            """)

        let rig = try DockRig(station: station, environment: ["CUSTODYD_TEST_WIPE_HOOK": hook.path])
        try rig.start()
        let fixture = try rig.dock(image.fixture(serial: "BWC0101", port: 3))
        try rig.waitUntil("the wipe is recorded") { try !rig.entries("recorder.wiped").isEmpty }
        try rig.undock(fixture)
        try rig.waitUntil("the undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }
        #expect(try rig.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: marker.path), "the wipe hook did not run: \(rig.daemonLog)")

        let ingested = try rig.entries("clip.ingested")
        #expect(
            Set(ingested.compactMap(\.path)) == [
                "DCIM/100MEDIA/CLIP1.MP4", "DCIM/100MEDIA/CLIP2.MP4", "DCIM/100MEDIA/CLIP3.MP4",
                "DCIM/101MEDIA/CLIP4.MP4",
            ])
        let wiped = try rig.entries("recorder.wiped")
        try #require(wiped.count == 1)
        let wipe = wiped[0]
        #expect(wipe.serial == "BWC0101")
        #expect(wipe["complete"] as? Bool == true)
        #expect(Set(paths(wipe["deleted"])) == ["DCIM/100MEDIA/CLIP1.MP4", "DCIM/100MEDIA/CLIP2.MP4"])
        #expect(Set(paths(wipe["kept"])) == ["DCIM/100MEDIA/CLIP3.MP4", "DCIM/101MEDIA/CLIP4.MP4"])
        let reasons = Dictionary(
            uniqueKeysWithValues: (wipe["kept"] as? [[String: Any]] ?? []).map {
                ($0["path"] as? String ?? "", $0["reason"] as? String ?? "")
            })
        #expect(reasons["DCIM/100MEDIA/CLIP3.MP4"]?.contains("changed since the plan") == true, "\(reasons)")
        #expect(reasons["DCIM/101MEDIA/CLIP4.MP4"]?.contains("symbolic link") == true, "\(reasons)")
        // Each deleted file names the clip.ingested entry of its path, by index and leaf.
        let ingestedIndex = Dictionary(uniqueKeysWithValues: ingested.map { ($0.path ?? "", $0["_index"] as? Int) })
        for file in wipe["deleted"] as? [[String: Any]] ?? [] {
            let clip = file["clip"] as? [String: Any]
            #expect(clip?["index"] as? Int == ingestedIndex[file["path"] as? String ?? ""] ?? nil, "\(file)")
            let proof = try station.custody([
                "prove", "inclusion", "--index", "\(clip?["index"] as? Int ?? -1)", "--json",
            ])
            #expect(proof.standardOutput.contains(clip?["leaf"] as? String ?? "no leaf"), "\(proof.standardOutput)")
        }
        #expect(
            (wipe["docked"] as? [String: Any])?["index"] as? Int
                == (try rig.entries("recorder.docked").first?["_index"] as? Int))

        // The image, read offline: only what was not wiped.
        #expect(
            try filesIn(image.image) == [
                "SYSTEM/VERSION.TXT", "DCIM/100MEDIA/CLIP3.MP4", "DCIM/100MEDIA/CLIP9.MP4", "DCIM/REAL/CLIP4.MP4",
                "DCIM/101MEDIA@",
            ])
        #expect(try station.custody(["verify"]).status == 0)
    }

    // MARK: - Off by default

    @Test func withoutWipeAfterIngestTheRecorderIsNeverWritten() throws {
        let work = try TemporaryDirectory(prefix: "custody-nowipe")
        let station = try CLITestStation()
        try station.appendConfiguration(Self.configuration(wipe: nil))
        let image = try RecorderImage(.ext4, files: files(seed: 12), in: work.url, name: "nowipe", writable: true)
        let before = try DockingTools.sha256(image.image)
        let marker = work.url.appendingPathComponent("hook-ran")
        let hook = work.url.appendingPathComponent("hook.sh")
        try writeHook(hook, "touch '\(marker.path)'\n")

        let rig = try DockRig(station: station, environment: ["CUSTODYD_TEST_WIPE_HOOK": hook.path])
        try rig.start()
        let fixture = try rig.dock(image.fixture(serial: "BWC0102", port: 3))
        try rig.waitUntil("the ingest is done") { try rig.entries("clip.ingested").count == 4 }
        try rig.undock(fixture)
        try rig.waitUntil("the undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }
        #expect(try rig.stop() == 0)

        #expect(try rig.entries("recorder.wiped").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: marker.path), "the recorder was remounted read-write")
        #expect(try DockingTools.sha256(image.image) == before, "the recorder image changed")
        #expect(try filesIn(image.image).count == 5)
    }

    // MARK: - Cut off by an unplug, finished at the next dock

    @Test func aWipeCutOffByAnUnplugFinishesAtTheNextDock() throws {
        let work = try TemporaryDirectory(prefix: "custody-wipe-cut")
        let station = try CLITestStation()
        try station.appendConfiguration(Self.configuration(wipe: true))
        let image = try RecorderImage(.ext4, files: files(seed: 13), in: work.url, name: "cut", writable: true)
        // At the first dock the hook waits, read-write, until the test has pulled the recorder out.
        let reached = work.url.appendingPathComponent("hook-reached")
        let release = work.url.appendingPathComponent("hook-release")
        let hook = work.url.appendingPathComponent("hook.sh")
        try writeHook(
            hook,
            """
            if [ ! -e '\(reached.path)' ]; then
              touch '\(reached.path)'
              while [ ! -e '\(release.path)' ]; do sleep 0.05; done
            fi
            """)

        let rig = try DockRig(station: station, environment: ["CUSTODYD_TEST_WIPE_HOOK": hook.path])
        try rig.start()
        let first = try rig.dock(image.fixture(serial: "BWC0103", port: 3))
        try rig.waitUntil("the wipe has begun") { FileManager.default.fileExists(atPath: reached.path) }
        try rig.undock(first)
        try rig.waitUntil("custodyd knows the recorder left") { rig.daemonLog.contains("recorder left its bay") }
        #expect(FileManager.default.createFile(atPath: release.path, contents: nil))
        try rig.waitUntil("the cut-off wipe is recorded") { try !rig.entries("recorder.wiped").isEmpty }
        try rig.waitUntil("the undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }
        let cut = try rig.entries("recorder.wiped")
        try #require(cut.count == 1)
        #expect(cut[0]["complete"] as? Bool == false)
        #expect(paths(cut[0]["deleted"]).isEmpty)
        #expect(try filesIn(image.image).count == 5)

        // The next dock copies nothing new and wipes what the first one could not.
        try rig.dock(file: first)
        try rig.waitUntil("the second wipe is recorded") { try rig.entries("recorder.wiped").count == 2 }
        #expect(try rig.stop() == 0)
        let ingested = try rig.entries("clip.ingested")
        #expect(ingested.count == 4)
        let second = try rig.entries("recorder.wiped")[1]
        #expect(second["complete"] as? Bool == true)
        #expect(Set(paths(second["deleted"])) == Set(ingested.compactMap(\.path)))
        let ingestedIndex = Dictionary(uniqueKeysWithValues: ingested.map { ($0.path ?? "", $0["_index"] as? Int) })
        for file in second["deleted"] as? [[String: Any]] ?? [] {
            #expect(
                (file["clip"] as? [String: Any])?["index"] as? Int == ingestedIndex[file["path"] as? String ?? ""]
                    ?? nil)
        }
        #expect(try filesIn(image.image) == ["SYSTEM/VERSION.TXT"])
        #expect(try station.custody(["verify"]).status == 0)
    }
}
