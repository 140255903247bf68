import CustodyTesting
import Foundation
import Testing

/// Docking PTP/MTP recorders unattended (issue 5): custodyd as a process in a umockdev testbed; a fake recorder's
/// USB device appears with a udev "add", custodyd opens it by BUSNUM/DEVNUM through libusb (whose usbdevfs ioctls a
/// scripted PTP responder answers, ``MTPDockRig``), reads its clock, and ingests it through the same pipeline and
/// entries as a mass-storage dock.
@Suite(.enabled(if: MTPDockRig.available, "needs umockdev and python3-gi"))
struct MTPDockingTests {
    static let configuration = """
        [[models]]
        name = "MTPCAM"
        media = ["DCIM/**/*.MP4"]
        usb_vendor_id = "abcd"
        usb_product_id = "9999"
        transport = "mtp"
        clock_drift_limit_seconds = 30

        [docking.bays]
        "pci-0000:00:14.0-usb-0:5" = "5"
        """

    /// A station with the MTP model; `modelKeys` are added to its `[[models]]` table.
    func makeStation(modelKeys: String = "") throws -> CLITestStation {
        let station = try CLITestStation()
        try station.appendConfiguration(
            Self.configuration.replacingOccurrences(
                of: "clock_drift_limit_seconds = 30", with: "clock_drift_limit_seconds = 30\n" + modelKeys))
        return station
    }

    /// SHA-256 of `bytes`, by sha256sum of a copy in `folder`.
    func sha256(_ bytes: [UInt8], in folder: URL) throws -> String {
        let file = folder.appendingPathComponent("expected-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try DockingTools.sha256(file)
    }

    func storeHolds(_ station: CLITestStation, _ hex: String) -> Bool {
        let path = "sha256/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
        return FileManager.default.fileExists(atPath: station.storeDirectory.appendingPathComponent(path).path)
    }

    static func folders() -> [FakeMTPRecorder.Object] {
        [
            .init(handle: 1, name: "DCIM", parent: 0, size: 0, isFolder: true),
            .init(handle: 2, name: "100MEDIA", parent: 1, size: 0, isFolder: true),
        ]
    }

    @Test func hotPluggedMTPRecorderIsIngestedOverLibUSBWithClipTimesCorrectedByItsClockOffsetAndUndocked() throws {
        let station = try makeStation()
        let recorder = FakeMTPRecorder(
            serial: "MTP0001", deviceNumber: 2, clockOffsetSeconds: 3600,
            objects: Self.folders() + [
                .init(handle: 5, name: "CLIP1.MP4", parent: 2, size: 200_003),
                .init(handle: 6, name: "CLIP2.MP4", parent: 2, size: 70_000),
                .init(handle: 7, name: "CLIP3.MP4", parent: 2, size: 1_000_000),
                .init(handle: 8, name: "VERSION.TXT", parent: 0, size: 13),
            ])
        var expected = [String: String]()
        for (path, bytes) in recorder.files where path.hasSuffix(".MP4") {
            expected[path] = try sha256(bytes, in: station.folder)
        }

        let rig = try MTPDockRig(station: station)
        try rig.start()
        try rig.plug(recorder)
        try rig.waitUntil("the ingest is done") { rig.recorder("MTP0001")?["state"] as? String == "done" }

        let docked = try #require(try rig.entries("recorder.docked").first)
        #expect(docked.serial == "MTP0001")
        #expect((docked["recorder"] as? [String: Any])?["model"] as? String == "MTPCAM")
        #expect(docked["bay"] as? String == "5")
        #expect(docked["device"] as? String == "/dev/bus/usb/001/002")
        #expect(docked["fileSystem"] as? String == "mtp")
        #expect(docked["usb"] as? String == "abcd:9999")
        let offset = try #require(docked.int("clockOffsetSeconds"))
        #expect((3599...3601).contains(offset), "clockOffsetSeconds \(offset)")
        let gaps = try rig.entries("recording.gap")
        #expect(gaps.count == 1)
        #expect(gaps.first?["kind"] as? String == "clockAnomaly")
        #expect(gaps.first?["key"] as? String == "clockDrift:\(docked.int("_index") ?? -1)")

        let clips = try rig.entries("clip.ingested")
        var digests = [String: String]()
        for clip in clips { digests[clip.path ?? "?"] = clip["sha256"] as? String }
        #expect(digests == expected)
        for digest in expected.values { #expect(storeHolds(station, digest), "\(digest) not in the store") }
        #expect(try rig.entries("ingest.interrupted").isEmpty)
        // Clip times corrected by the offset read at dock (issue 5 item 4): the fake's objects were modified at
        // 08:15:30Z by the recorder's clock, an hour ahead; the entries hold station times and keep the recorder's.
        let format = ISO8601DateFormatter()
        let raw = try #require(format.date(from: "2026-11-29T08:15:30Z"))
        let corrected = format.string(from: raw.addingTimeInterval(-Double(offset)))
        for clip in clips {
            #expect(clip["timeSource"] as? String == "modificationTime", "\(clip)")
            #expect(clip["recordingStart"] as? String == corrected, "\(clip)")
            #expect(clip["recordingEnd"] as? String == corrected, "\(clip)")
            #expect(clip["deadline"] as? String == format.string(from: raw.addingTimeInterval(86_400 - Double(offset))))
            let recorderTime = try #require(clip["recorderTime"] as? [String: Any], "\(clip)")
            #expect(recorderTime["recordingStart"] as? String == "2026-11-29T08:15:30Z")
            #expect(recorderTime["recordingEnd"] as? String == "2026-11-29T08:15:30Z")
            #expect((recorderTime["clockOffsetSeconds"] as? NSNumber)?.intValue == offset)
            let reading = recorderTime["docked"] as? [String: Any]
            #expect(reading?["index"] as? NSNumber == docked["_index"] as? NSNumber)
            #expect(reading?["leaf"] as? String == docked["_leaf"] as? String)
        }

        try rig.unplug()
        try rig.waitUntil("the undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }
        let undocked = try #require(try rig.entries("recorder.undocked").first)
        #expect(undocked["reason"] as? String == "removed")
        #expect(undocked["complete"] as? Bool == true)
        let counts = undocked["counts"] as? [String: Any]
        #expect((counts?["ingested"] as? NSNumber)?.intValue == 3)
        #expect((counts?["notMedia"] as? NSNumber)?.intValue == 1)
        #expect((undocked["docked"] as? [String: Any])?["index"] as? NSNumber == docked["_index"] as? NSNumber)
        #expect(rig.daemonLog.contains("recorder session closed"), "\(rig.daemonLog)")

        #expect(try rig.stop() == 0)
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
    }

    /// `docking.mtp_watcher = "libusb"`: the recorders' USB devices carry no Custody tag, so udev alone would never
    /// dock them; libusb's hotplug callbacks report the one present at start (ENUMERATE) and the one plugged in
    /// later, each goes through the same dock path (opened by bus and address, IDs and serial checked), and each
    /// departure ends its dock.
    @Test func withTheLibUSBWatcherUntaggedRecordersPresentAtStartAndPluggedLaterAreDockedAndUndocked() throws {
        let station = try makeStation()
        try station.setConfiguration("docking", "mtp_watcher", "\"libusb\"")
        var first = FakeMTPRecorder(
            serial: "MTP0031", deviceNumber: 2,
            objects: Self.folders() + [.init(handle: 5, name: "CLIP1.MP4", parent: 2, size: 300_000)])
        first.tagged = false
        var second = FakeMTPRecorder(
            serial: "MTP0032", deviceNumber: 3,
            objects: Self.folders() + [.init(handle: 6, name: "CLIP2.MP4", parent: 2, size: 70_000)])
        second.tagged = false
        var expected = [String: String]()
        for recorder in [first, second] {
            for (path, bytes) in recorder.files {
                expected[recorder.serial + "/" + path] = try sha256(bytes, in: station.folder)
            }
        }

        let rig = try MTPDockRig(station: station)
        try rig.plug(first)  // before custodyd starts: found by LIBUSB_HOTPLUG_ENUMERATE
        try rig.start()
        try rig.waitUntil("the first ingest is done") { rig.recorder("MTP0031")?["state"] as? String == "done" }
        try rig.unplug()
        try rig.waitUntil("the first undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }
        try rig.plug(second)  // while custodyd runs: a hotplug arrival
        try rig.waitUntil("the second ingest is done") { rig.recorder("MTP0032")?["state"] as? String == "done" }
        try rig.unplug()
        try rig.waitUntil("the second undock is recorded") { try rig.entries("recorder.undocked").count == 2 }

        let docked = try rig.entries("recorder.docked")
        #expect(docked.map(\.serial) == ["MTP0031", "MTP0032"])
        #expect(docked.map { $0["device"] as? String } == ["/dev/bus/usb/001/002", "/dev/bus/usb/001/003"])
        #expect(docked.map { $0["bay"] as? String } == ["5", "5"])
        #expect(docked.map { $0["usb"] as? String } == ["abcd:9999", "abcd:9999"])
        var digests = [String: String]()
        for clip in try rig.entries("clip.ingested") {
            digests[(clip.serial ?? "?") + "/" + (clip.path ?? "?")] = clip["sha256"] as? String
        }
        #expect(digests == expected)
        let undocked = try rig.entries("recorder.undocked")
        #expect(undocked.map(\.serial) == ["MTP0031", "MTP0032"])
        #expect(undocked.map { $0["reason"] as? String } == ["removed", "removed"])
        #expect(undocked.map { $0["complete"] as? Bool } == [true, true])

        #expect(try rig.stop() == 0)
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
    }

    @Test func mtpRecorderPulledOutMidObjectIsRecordedAndTheNextDockCompletesAndResolvesIt() throws {
        // One file at a time: the unplug then falls on LONG.MP4 alone, after CLIP1.MP4 is whole.
        let station = try makeStation()
        try station.setConfiguration("ingest", "concurrent_files", "1")
        let buffer = 4 << 20
        let long = FakeMTPRecorder.Object(handle: 6, name: "LONG.MP4", parent: 2, size: 3 * buffer)
        var recorder = FakeMTPRecorder(
            serial: "MTP0002", deviceNumber: 2,
            objects: Self.folders() + [.init(handle: 5, name: "CLIP1.MP4", parent: 2, size: 300_000), long],
            unplugAfter: (handle: 6, bytes: 2 * buffer + 12_345))
        var expected = [String: String]()
        for (path, bytes) in recorder.files { expected[path] = try sha256(bytes, in: station.folder) }

        let rig = try MTPDockRig(station: station)
        try rig.start()
        try rig.plug(recorder)
        try rig.waitUntil("the interruption is recorded") { try !rig.entries("ingest.interrupted").isEmpty }
        let interrupted = try #require(try rig.entries("ingest.interrupted").first)
        #expect(interrupted.path == "DCIM/100MEDIA/LONG.MP4")
        #expect(interrupted.int("size") == 3 * buffer)
        #expect(interrupted.int("bytesDone") == 2 * buffer)
        try rig.waitUntil("the ingest has ended") {
            ["done", "failed"].contains(rig.recorder("MTP0002")?["state"] as? String ?? "")
        }
        #expect(try rig.entries("clip.ingested").map(\.path) == ["DCIM/100MEDIA/CLIP1.MP4"])

        // The recorder is pulled out of the bay: the dock ends, incomplete; the daemon goes on.
        try rig.unplug()
        try rig.waitUntil("the undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }
        let undocked = try #require(try rig.entries("recorder.undocked").first)
        #expect(undocked["reason"] as? String == "removed")
        #expect(undocked["complete"] as? Bool == false)
        #expect(((undocked["counts"] as? [String: Any])?["failed"] as? NSNumber)?.intValue == 1)
        #expect(try rig.isRunning())

        // Docked again (a new USB address): LONG.MP4 is copied whole and resolves the interruption.
        recorder.unplugAfter = nil
        recorder.deviceNumber = 3
        try rig.plug(recorder)
        try rig.waitUntil("LONG.MP4 is ingested") { try rig.entries("clip.ingested").count == 2 }
        let clip = try #require(try rig.entries("clip.ingested").first { $0.path == "DCIM/100MEDIA/LONG.MP4" })
        #expect(clip["sha256"] as? String == expected["DCIM/100MEDIA/LONG.MP4"])
        let resolves = clip["resolves"] as? [[String: Any]]
        #expect(resolves?.first?["index"] as? NSNumber == interrupted["_index"] as? NSNumber)
        #expect(storeHolds(station, expected["DCIM/100MEDIA/LONG.MP4"] ?? ""))
        let docks = try rig.entries("recorder.docked")
        #expect(docks.map { $0["device"] as? String } == ["/dev/bus/usb/001/002", "/dev/bus/usb/001/003"])
        // The second reading's drift is measured from the first, the clock's last known good reading.
        let first = docks[0]["clockDrift"] as? [String: Any]
        let second = docks[1]["clockDrift"] as? [String: Any]
        #expect(first?["since"] is NSNull && first?["withinRule"] as? Bool == true, "\(docks[0])")
        #expect((second?["since"] as? [String: Any])?["index"] as? NSNumber == docks[0]["_index"] as? NSNumber)
        #expect(try rig.entries("recording.gap").filter { $0["kind"] as? String == "clockAnomaly" }.isEmpty)
        let staging = (try? FileManager.default.contentsOfDirectory(atPath: station.stagingDirectory.path)) ?? []
        #expect(staging.filter { !$0.hasPrefix(".") }.isEmpty)

        #expect(try rig.stop() == 0)
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
    }

    @Test func aStallMidObjectOverLibUSBIsInterruptedResetAndResumedWithinTheDock() throws {
        // One file at a time: the stall falls on LONG.MP4 alone, after CLIP1.MP4 is whole and before NEXT.MP4.
        let station = try makeStation()
        try station.setConfiguration("ingest", "concurrent_files", "1")
        let buffer = 4 << 20
        var recorder = FakeMTPRecorder(
            serial: "MTP0005", deviceNumber: 2,
            objects: Self.folders() + [
                .init(handle: 5, name: "CLIP1.MP4", parent: 2, size: 300_000),
                .init(handle: 6, name: "LONG.MP4", parent: 2, size: 3 * buffer),
                .init(handle: 7, name: "NEXT.MP4", parent: 2, size: 70_000),
            ])
        recorder.stallAfter = (handle: 6, bytes: 2 * buffer + 12_345, times: 1)
        var expected = [String: String]()
        for (path, bytes) in recorder.files { expected[path] = try sha256(bytes, in: station.folder) }

        let rig = try MTPDockRig(station: station)
        try rig.start()
        try rig.plug(recorder)
        try rig.waitUntil("the ingest has ended") {
            ["done", "failed"].contains(rig.recorder("MTP0005")?["state"] as? String ?? "")
        }

        // The stall (-EPIPE on bulk in) interrupted LONG.MP4 with the bytes done; nothing else was interrupted.
        let interruptions = try rig.entries("ingest.interrupted")
        try #require(interruptions.count == 1, "\(interruptions)\n\(rig.daemonLog)")
        let interrupted = interruptions[0]
        #expect(interrupted.path == "DCIM/100MEDIA/LONG.MP4")
        #expect(interrupted.int("bytesDone") == 2 * buffer)
        // The device was reset (Device Reset, halts cleared) and the session re-opened within the dock: NEXT.MP4
        // and the retried LONG.MP4 were ingested, whole, and the retry resolves the interruption.
        #expect(try rig.deviceResets("MTP0005") == 1)
        #expect(rig.daemonLog.contains("was re-opened within the dock"), "\(rig.daemonLog)")
        let clips = try rig.entries("clip.ingested")
        var digests = [String: String]()
        for clip in clips { digests[clip.path ?? "?"] = clip["sha256"] as? String }
        #expect(digests == expected)
        for digest in expected.values { #expect(storeHolds(station, digest), "\(digest) not in the store") }
        let long = try #require(clips.first { $0.path == "DCIM/100MEDIA/LONG.MP4" })
        let resolves = long["resolves"] as? [[String: Any]]
        #expect(resolves?.first?["index"] as? NSNumber == interrupted["_index"] as? NSNumber)
        #expect(rig.recorder("MTP0005")?["state"] as? String == "done")

        // The session ended intact, so it was closed rather than reset; the undock counts a complete dock.
        try rig.unplug()
        try rig.waitUntil("the undock is recorded") { try !rig.entries("recorder.undocked").isEmpty }
        let undocked = try #require(try rig.entries("recorder.undocked").first)
        #expect(undocked["complete"] as? Bool == true, "\(undocked)")
        let counts = undocked["counts"] as? [String: Any]
        #expect((counts?["ingested"] as? NSNumber)?.intValue == 3)
        #expect((counts?["failed"] as? NSNumber)?.intValue == 0)
        #expect(rig.daemonLog.contains("recorder session closed"), "\(rig.daemonLog)")
        #expect(try rig.isRunning())

        #expect(try rig.stop() == 0)
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
    }

    @Test func withSetClockAtDockTheClockIsSetAfterItIsReadAndTheNextDockMeasuresDriftFromThere() throws {
        let station = try makeStation(modelKeys: "set_clock_at_dock = true")
        let recorder = FakeMTPRecorder(
            serial: "MTP0003", deviceNumber: 2, clockOffsetSeconds: 3600,
            objects: Self.folders() + [.init(handle: 5, name: "CLIP1.MP4", parent: 2, size: 10_000)])

        let rig = try MTPDockRig(station: station)
        try rig.start()
        try rig.plug(recorder)
        try rig.waitUntil("the first ingest is done") { rig.recorder("MTP0003")?["state"] as? String == "done" }
        try rig.unplug()
        try rig.waitUntil("the first undock is recorded") { try rig.entries("recorder.undocked").count == 1 }
        var again = recorder
        again.deviceNumber = 3
        try rig.plug(again)
        try rig.waitUntil("the second dock is done") {
            try rig.entries("recorder.docked").count == 2 && rig.recorder("MTP0003")?["state"] as? String == "done"
        }

        let docks = try rig.entries("recorder.docked")
        // First dock: read 3600 s ahead (a gap), then set; read back within a second.
        #expect((3599...3601).contains(docks[0].int("clockOffsetSeconds") ?? 0), "\(docks[0])")
        let set = try #require(docks[0]["clockSet"] as? [String: Any], "\(docks[0])")
        #expect(set["error"] is NSNull)
        #expect((-1...1).contains((set["offsetAfterSeconds"] as? NSNumber)?.intValue ?? 99), "\(set)")
        // Second dock: the recorder kept the time it was given; its drift counts from the setting.
        #expect((-1...1).contains(docks[1].int("clockOffsetSeconds") ?? 99), "\(docks[1])")
        let drift = try #require(docks[1]["clockDrift"] as? [String: Any])
        #expect((drift["since"] as? [String: Any])?["index"] as? NSNumber == docks[0]["_index"] as? NSNumber)
        #expect(drift["withinRule"] as? Bool == true)
        let gaps = try rig.entries("recording.gap").filter { $0["kind"] as? String == "clockAnomaly" }
        #expect(gaps.map { $0["key"] as? String } == ["clockDrift:\(docks[0].int("_index") ?? -1)"])
        #expect(try rig.stop() == 0)
    }

    @Test func withWipeAfterIngestEveryVerifiedObjectIsDeletedWithDeleteObjectAndRecorded() throws {
        let station = try makeStation(modelKeys: "wipe_after_ingest = true")
        let recorder = FakeMTPRecorder(
            serial: "MTP0004", deviceNumber: 2,
            objects: Self.folders() + [
                .init(handle: 5, name: "CLIP1.MP4", parent: 2, size: 50_000),
                .init(handle: 6, name: "CLIP2.MP4", parent: 2, size: 60_000),
                .init(handle: 8, name: "VERSION.TXT", parent: 0, size: 13),
            ])

        let rig = try MTPDockRig(station: station)
        try rig.start()
        try rig.plug(recorder)
        try rig.waitUntil("the wipe is recorded and the dock done") {
            try !rig.entries("recorder.wiped").isEmpty && rig.recorder("MTP0004")?["state"] as? String == "done"
        }
        let clips = try rig.entries("clip.ingested")
        #expect(clips.count == 2)
        let wiped = try #require(try rig.entries("recorder.wiped").first)
        #expect(wiped["complete"] as? Bool == true)
        #expect(wiped["error"] is NSNull)
        #expect((wiped["kept"] as? [Any])?.isEmpty == true)
        let deleted = try #require(wiped["deleted"] as? [[String: Any]])
        #expect(deleted.map(\.path) == ["DCIM/100MEDIA/CLIP1.MP4", "DCIM/100MEDIA/CLIP2.MP4"])
        for item in deleted {
            let clip = try #require(clips.first { $0.path == item.path })
            #expect((item["clip"] as? [String: Any])?["index"] as? NSNumber == clip["_index"] as? NSNumber)
        }
        // The folders and the file that is not media stay on the recorder.
        #expect(try rig.objects() == [1, 2, 8])
        #expect(try rig.stop() == 0)
    }
}
