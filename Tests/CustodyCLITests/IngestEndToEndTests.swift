import CustodyCore
import CustodyTesting
import Foundation
import Glibc
import Testing

/// `custody ingest` end to end, through the real binary: recorder images mounted read-only, hostile names and
/// file types, a store that fills up, and files whose sizes lie.
@Suite(
    .enabled(if: getuid() == 0, "mounting loop images needs root"),
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/mkfs.ext4"),
        "needs /usr/bin/ffmpeg and /usr/sbin/mkfs.ext4")
)
struct IngestEndToEndTests {
    static let serial = "BWC0001"
    static let officer = "64000123"
    static let officerName = "张伟"
    /// SHA-256 of no bytes.
    static let emptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// A GA/T 947 recorder model with local (+08:00) file-name times.
    static let gaT947Model = """
        [[models]]
        name = "DSJ-V8"
        media = ["DCIM/**/*.MP4", "DCIM/**/*.JPG"]
        file_name = "{serial}_{officer}_{start}_{sequence}.MP4"
        time_zone = "+08:00"
        """

    /// A model that takes every .MP4 anywhere and reads nothing from names.
    static let plainModel = """
        [[models]]
        name = "PLAIN"
        media = ["**/*.MP4"]
        """

    // MARK: - A1 A recorder image, mounted read-only

    @Test func mountedRecorderImageIsIngestedExactlyAndOnlyOnce() throws {
        let work = try TemporaryDirectory(prefix: "custody-e2e-image")
        let source = work.file("src")
        let media = source.appendingPathComponent("DCIM/100MEDIA")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("SYSTEM"), withIntermediateDirectories: true)
        // Clip 1: mvhd agrees with the name; clip 2: mvhd 7 s after the name (mvhd wins); clip 3: no mvhd time
        // (ffmpeg writes 0), so the name's local time, +08:00, is the start.
        let clip1 = "BWC0001_64000123_20261129161530_0001.MP4"
        let clip2 = "BWC0001_64000123_20261129162000_0002.MP4"
        let clip3 = "BWC0001_64000123_20261129163000_0003.MP4"
        let photo = "BWC0001_64000123_20261129163500_0004.JPG"
        let empty = "BWC0001_64000123_20261129164000_0005.MP4"
        try ffmpegClip(media.appendingPathComponent(clip1), creationTime: "2026-11-29T08:15:30Z")
        try ffmpegClip(media.appendingPathComponent(clip2), creationTime: "2026-11-29T08:20:07Z")
        try ffmpegClip(media.appendingPathComponent(clip3), creationTime: nil)
        var generator = SeededGenerator(seed: 947)
        let jpeg: [UInt8] =
            [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0] + generator.bytes(20_000) + [0xFF, 0xD9]
        try Data(jpeg).write(to: media.appendingPathComponent(photo))
        try tool("/usr/bin/touch", ["-d", "2026-11-29T08:35:00Z", media.appendingPathComponent(photo).path])
        try Data().write(to: media.appendingPathComponent(empty))
        try Data("firmware 1.2.3\n".utf8).write(to: source.appendingPathComponent("SYSTEM/VERSION.TXT"))
        try Data("index\n".utf8).write(to: media.appendingPathComponent("INDEX.DAT"))

        let image = work.file("recorder.img")
        try tool("/usr/sbin/mkfs.ext4", ["-q", "-F", "-d", source.path, image.path, "64M"])
        let mountPoint = work.file("mnt")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let imageDigest = try sha256sum(image)

        let station = try CLITestStation()
        try station.appendConfiguration(Self.gaT947Model)
        try station.setConfiguration("ingest", "reserve_bytes", "1048576")
        try #require(try station.custody(["officers", "add", "--cert", Self.officer, "--name", Self.officerName]).status == 0)
        try #require(
            try station.custody(
                ["assign", "--recorder", Self.serial, "--officer", Self.officer, "--from", "2026-11-29T00:00:00Z"]
            ).status == 0)

        let first = try ingestMounted(image: image, at: mountPoint, station: station, model: "DSJ-V8")
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        #expect(first.standardOutput.contains("BWC0001: 5 clips ingested"), "\(first.standardOutput)")
        #expect(first.standardOutput.contains("2 not media, 0 refused, 0 failed"), "\(first.standardOutput)")

        // Every stored object is named by the digest sha256sum computes, and they are exactly the media files.
        var expected = [String: String]()  // file name → sha256sum
        for name in [clip1, clip2, clip3, photo, empty] {
            expected[name] = try sha256sum(media.appendingPathComponent(name))
        }
        let objects = try storedObjects(station)
        #expect(Set(objects.map(\.name)) == Set(expected.values))
        for object in objects { #expect(object.name == object.digest, "object \(object.path) holds other bytes") }
        #expect(expected[empty] == Self.emptyDigest)

        // custody clips --json: one line per clip, attributed to the assigned officer.
        let clipsResult = try station.custody(["clips", "--json"])
        #expect(clipsResult.status == 0)
        let clips = try jsonLines(clipsResult.standardOutput)
        #expect(clips.count == 5)
        var clipByName = [String: [String: Any]]()
        for clip in clips {
            let path = try #require(clip["path"] as? String)
            clipByName[String(path.split(separator: "/").last ?? "")] = clip
            #expect(path.hasPrefix("DCIM/100MEDIA/"))
            #expect(clip["recorder"] as? String == Self.serial)
            #expect(clip["model"] as? String == "DSJ-V8")
            #expect(clip["officer"] as? String == Self.officer)
        }
        for (name, digest) in expected {
            #expect(clipByName[name]?["sha256"] as? String == digest, "clip \(name)")
        }
        #expect(clipByName[clip1]?["recordingStart"] as? String == "2026-11-29T08:15:30Z")
        #expect(clipByName[clip2]?["recordingStart"] as? String == "2026-11-29T08:20:07Z")  // mvhd, not the name
        #expect(clipByName[clip3]?["recordingStart"] as? String == "2026-11-29T08:30:00Z")  // name, +08:00
        #expect(clipByName[photo]?["recordingStart"] as? String == "2026-11-29T08:35:00Z")  // modification time
        #expect(clipByName[empty]?["size"] as? Int == 0)
        for name in [clip1, clip2, clip3] {
            let startText = clipByName[name]?["recordingStart"] as? String ?? ""
            let endText = clipByName[name]?["recordingEnd"] as? String ?? ""
            let start = try #require(RFC3339.parse(startText))
            let end = try #require(RFC3339.parse(endText))
            #expect(end.timeIntervalSince(start) == 1, "\(name) lasts 1 s")
        }

        // The entries carry the officer's name, the sequence numbers and where each time came from.
        let ingested = try entries(station).filter { $0.type == "clip.ingested" }
        #expect(ingested.count == 5)
        var entryByName = [String: ListedEntry]()
        for entry in ingested {
            entryByName[String((entry.body["path"] as? String ?? "").split(separator: "/").last ?? "")] = entry
            let officer = entry.body["officer"] as? [String: Any]
            #expect(officer?["certificate"] as? String == Self.officer)
            #expect(officer?["name"] as? String == Self.officerName)
            #expect(entry.body["verifiedBy"] as? [String] == ["storeReread"])
        }
        #expect(entryByName[clip1]?.body["sequence"] as? Int == 1)
        #expect(entryByName[clip2]?.body["sequence"] as? Int == 2)
        #expect(entryByName[clip3]?.body["sequence"] as? Int == 3)
        #expect(entryByName[empty]?.body["sequence"] as? Int == 5)
        #expect(entryByName[photo]?.body["sequence"] == nil)  // .JPG does not match the .MP4 pattern
        #expect(entryByName[clip1]?.body["timeSource"] as? String == "mp4")
        #expect(entryByName[clip2]?.body["timeSource"] as? String == "mp4")
        #expect(entryByName[clip3]?.body["timeSource"] as? String == "fileName")
        #expect(entryByName[empty]?.body["timeSource"] as? String == "fileName")
        #expect(entryByName[photo]?.body["timeSource"] as? String == "modificationTime")
        #expect(entryByName[clip1]?.body["container"] as? String == "mp4")
        #expect(entryByName[photo]?.body["container"] as? String == "other")
        #expect(entryByName[clip1]?.body["durationMs"] as? Int == 1000)

        // Mounted read-only: the image is bit for bit what it was.
        #expect(try sha256sum(image) == imageDigest)

        // Docking again ingests nothing and appends nothing.
        let sizeBefore = try entries(station).count
        let second = try ingestMounted(image: image, at: mountPoint, station: station, model: "DSJ-V8")
        #expect(second.status == 0)
        #expect(second.standardOutput.contains("BWC0001: 0 clips ingested"), "\(second.standardOutput)")
        #expect(second.standardOutput.contains("5 already in the manifest"), "\(second.standardOutput)")
        let after = try entries(station)
        #expect(after.count == sizeBefore)
        #expect(after.filter { $0.type == "clip.ingested" }.count == 5)
        #expect(try storedObjects(station).count == 5)
        #expect(try sha256sum(image) == imageDigest)

        try expectVerifies(station)
    }

    // MARK: - A2 Hostile names and file types

    @Test func hostileNamesAreIngestedExactlyAndLinksAndFIFOsAreNeverRead() throws {
        let work = try TemporaryDirectory(prefix: "custody-e2e-hostile")
        let recorder = work.file("recorder")
        let dcim = recorder.appendingPathComponent("DCIM")
        try FileManager.default.createDirectory(at: dcim, withIntermediateDirectories: true)
        // A link to /etc/shadow and a link to a file of known bytes outside the root, both named like clips.
        let secret = work.file("secret.bin")
        try Data("outside the recorder: never to be read \(UUID())".utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(
            atPath: dcim.appendingPathComponent("BWC0001_64000123_20261129161530_0001.MP4").path,
            withDestinationPath: "/etc/shadow")
        try FileManager.default.createSymbolicLink(
            atPath: dcim.appendingPathComponent("BWC0001_64000123_20261129161531_0002.MP4").path,
            withDestinationPath: secret.path)
        try FileManager.default.createSymbolicLink(
            atPath: dcim.appendingPathComponent("ETC").path, withDestinationPath: "/etc")
        let fifo = dcim.appendingPathComponent("BWC0001_64000123_20261129161532_0003.MP4")
        try #require(mkfifo(fifo.path, 0o644) == 0)

        let invalidUTF8: [UInt8] = [0xFF, 0xFE, UInt8(ascii: "c")] + Array(".MP4".utf8)
        let longName = Array(String(repeating: "L", count: 251).utf8) + Array(".MP4".utf8)
        #expect(longName.count == 255)
        let hostile: [(name: [UInt8], contents: [UInt8])] = [
            (Array("new\nline.MP4".utf8), Array("a clip whose name holds a newline".utf8)),
            (invalidUTF8, Array("a clip whose name is not UTF-8".utf8)),
            (Array("a..b.MP4".utf8), Array("a clip with two dots inside its name".utf8)),
            (longName, Array("a clip with a 255-byte name".utf8)),
            (Array("tab\tand %41 percent.MP4".utf8), Array("a clip with a tab and a percent sign".utf8)),
        ]
        for file in hostile { try createFile(in: dcim, name: file.name, contents: file.contents) }

        let station = try CLITestStation()
        try station.appendConfiguration(Self.plainModel)
        try station.setConfiguration("ingest", "reserve_bytes", "0")
        // `timeout` turns a hang on the FIFO into exit status 124 instead of a test that never ends.
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/timeout"),
            ["120", CommandRunner.custody.path, "--config", station.config.path, "ingest", "--serial", Self.serial,
             "--model", "PLAIN", recorder.path])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("BWC0001: 5 clips ingested"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("4 refused, 0 failed"), "\(result.standardOutput)")

        let all = try entries(station)
        let refusals = all.filter { $0.type == "clip.anomaly" && $0.body["kind"] as? String == "refusedPath" }
        let refusedPaths = Dictionary(refusals.map { ($0.body["path"] as? String ?? "", $0) }) { first, _ in first }
        for (path, reason) in [
            ("DCIM/BWC0001_64000123_20261129161530_0001.MP4", "symbolicLink"),
            ("DCIM/BWC0001_64000123_20261129161531_0002.MP4", "symbolicLink"),
            ("DCIM/ETC", "symbolicLink"),
            ("DCIM/BWC0001_64000123_20261129161532_0003.MP4", "fifo"),
        ] {
            let refusal = try #require(refusedPaths[path], "no refusedPath entry for \(path)")
            let detail = refusal.body["detail"] as? String ?? ""
            #expect(detail.contains(reason), "\(path): \(refusal.body)")
        }

        // Neither link target was read: no object holds their bytes, and no clip names them.
        let objects = try storedObjects(station)
        let forbidden = [try sha256sum(secret)] + (FileManager.default.isReadableFile(atPath: "/etc/shadow")
            ? [try sha256sum(URL(fileURLWithPath: "/etc/shadow"))] : [])
        for digest in forbidden { #expect(!objects.contains { $0.name == digest }) }

        // Each hostile name: its exact bytes stored, its path shown as text or percent-escaped with pathHex.
        let ingested = all.filter { $0.type == "clip.ingested" }
        #expect(ingested.count == hostile.count)
        #expect(Set(objects.map(\.name)) == Set(hostile.map { SHA256Hash.of($0.contents).hex }))
        for object in objects { #expect(object.name == object.digest) }
        for file in hostile {
            let pathBytes = Array("DCIM/".utf8) + file.name
            let text = String(validating: pathBytes, as: UTF8.self)
            let display = text ?? "DCIM/%FF%FEc.MP4"
            let entry = try #require(
                ingested.first { $0.body["path"] as? String == display }, "no clip.ingested for \(display)")
            #expect(entry.body["sha256"] as? String == SHA256Hash.of(file.contents).hex)
            #expect(entry.body["size"] as? Int == file.contents.count)
            if text == nil {
                #expect(entry.body["pathHex"] as? String == pathBytes.map { String(format: "%02x", $0) }.joined())
            } else {
                #expect(entry.body["pathHex"] == nil)
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: station.stagingDirectory.path).isEmpty)

        // Docked again: the refusals are already on record and the clips already ingested, so nothing is appended.
        let again = try station.custody(["ingest", "--serial", Self.serial, "--model", "PLAIN", recorder.path])
        #expect(again.status == 0, "\(again.standardOutput)\(again.standardError)")
        #expect(again.standardOutput.contains("BWC0001: 0 clips ingested"), "\(again.standardOutput)")
        #expect(try entries(station).count == all.count)
        try expectVerifies(station)
    }

    // MARK: - A3 A store that fills up

    @Test func filesThatDoNotFitTheStoreAreRefusedAndNothingPartialRemains() throws {
        let work = try TemporaryDirectory(prefix: "custody-e2e-full")
        let storeImage = work.file("store.img")
        try tool("/usr/sbin/mkfs.ext4", ["-q", "-F", storeImage.path, "16M"])
        let storeMount = work.file("store")
        try FileManager.default.createDirectory(at: storeMount, withIntermediateDirectories: true)
        try tool("/usr/bin/mount", ["-o", "loop,nosuid,nodev", storeImage.path, storeMount.path])
        defer { unmount(storeMount) }

        let station = try CLITestStation(stateDirectory: storeMount.appendingPathComponent("state"))
        // One file at a time, so which file finds the store full does not depend on thread timing.
        try station.appendConfiguration(Self.plainModel)
        try station.setConfiguration("ingest", "reserve_bytes", "0")
        try station.setConfiguration("ingest", "concurrent_files", "1")
        let free = try availableBytes(station.storeDirectory)
        let recorder = work.file("recorder")
        try FileManager.default.createDirectory(at: recorder, withIntermediateDirectories: true)
        // Two files that fit together with room to spare for the manifest, and a third that cannot fit after them.
        let part = (free - (2 << 20)) / 2
        try #require(part > 2 << 20, "the 16 MiB store has only \(free) bytes free")
        var generator = SeededGenerator(seed: 16)
        var contents = [String: [UInt8]]()
        for (name, size) in [("A.MP4", part), ("B.MP4", part), ("C.MP4", part)] {
            let bytes = generator.bytes(Int(size))
            contents[name] = bytes
            try Data(bytes).write(to: recorder.appendingPathComponent(name))
        }

        let result = try station.custody(["ingest", "--serial", Self.serial, "--model", "PLAIN", recorder.path])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("BWC0001: 2 clips ingested"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("FAILED   C.MP4"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("does not fit"), "\(result.standardOutput)")

        let all = try entries(station)
        #expect(Set(all.filter { $0.type == "clip.ingested" }.compactMap { $0.body["path"] as? String }) == ["A.MP4", "B.MP4"])
        let interruptions = all.filter { $0.type == "ingest.interrupted" }
        #expect(interruptions.count == 1)
        #expect(interruptions.first?.body["path"] as? String == "C.MP4")
        #expect(interruptions.first?.body["reason"] as? String == "storeFull")
        #expect(interruptions.first?.body["bytesDone"] as? Int == 0)
        let detail = interruptions.first?.body["detail"] as? String ?? ""
        #expect(detail.contains("does not fit"), "\(detail)")

        // Exactly the two complete objects; nothing half-copied in the store or in staging.
        let objects = try storedObjects(station)
        #expect(Set(objects.map(\.name)) == Set(["A.MP4", "B.MP4"].map { SHA256Hash.of(contents[$0]!).hex }))
        for object in objects { #expect(object.name == object.digest) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: station.stagingDirectory.path).isEmpty)
        try expectVerifies(station)
    }

    // MARK: - A4 A sparse file far larger than the store

    @Test func sparseTerabyteFileIsRefusedBeforeAnyByteIsRead() throws {
        let work = try TemporaryDirectory(prefix: "custody-e2e-sparse")
        let recorder = work.file("recorder")
        try FileManager.default.createDirectory(at: recorder, withIntermediateDirectories: true)
        let station = try CLITestStation()
        try station.appendConfiguration(Self.plainModel)
        try station.setConfiguration("ingest", "reserve_bytes", "0")
        let terabyte: UInt64 = 1 << 40
        try #require(try availableBytes(station.storeDirectory) < terabyte, "the store has more than 1 TiB free")
        let sparse = recorder.appendingPathComponent("HUGE.MP4")
        try tool("/usr/bin/truncate", ["-s", "1T", sparse.path])
        try Data("small".utf8).write(to: recorder.appendingPathComponent("SMALL.MP4"))

        let result = try station.custody(["ingest", "--serial", Self.serial, "--model", "PLAIN", recorder.path])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("1 clip ingested"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("does not fit"), "\(result.standardOutput)")
        let interruptions = try entries(station).filter { $0.type == "ingest.interrupted" }
        #expect(interruptions.count == 1)
        #expect(interruptions.first?.body["path"] as? String == "HUGE.MP4")
        #expect(interruptions.first?.body["reason"] as? String == "storeFull")
        #expect(interruptions.first?.body["size"] as? Int == Int(terabyte))
        #expect(interruptions.first?.body["bytesDone"] as? Int == 0)
        #expect(try storedObjects(station).map(\.name) == [SHA256Hash.of(Array("small".utf8)).hex])
        #expect(try FileManager.default.contentsOfDirectory(atPath: station.stagingDirectory.path).isEmpty)
        try expectVerifies(station)
    }

    // MARK: - A5 An empty file

    @Test func zeroByteFileIsIngestedWithTheDigestOfNothing() throws {
        let work = try TemporaryDirectory(prefix: "custody-e2e-empty")
        let recorder = work.file("recorder")
        try FileManager.default.createDirectory(at: recorder, withIntermediateDirectories: true)
        try Data().write(to: recorder.appendingPathComponent("EMPTY.MP4"))
        let station = try CLITestStation()
        try station.appendConfiguration(Self.plainModel)
        try station.setConfiguration("ingest", "reserve_bytes", "0")

        let result = try station.custody(["ingest", "--serial", Self.serial, "--model", "PLAIN", recorder.path])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("BWC0001: 1 clip ingested"), "\(result.standardOutput)")
        let ingested = try entries(station).filter { $0.type == "clip.ingested" }
        #expect(ingested.count == 1)
        #expect(ingested.first?.body["sha256"] as? String == Self.emptyDigest)
        #expect(ingested.first?.body["size"] as? Int == 0)
        let objects = try storedObjects(station)
        #expect(objects.map(\.path) == ["sha256/e3/b0/\(Self.emptyDigest)"])
        #expect(objects.first?.digest == Self.emptyDigest)
        try expectVerifies(station)
    }

    // MARK: - Helpers

    /// Writes a 1-second ffmpeg clip, with `creation_time` metadata when given.
    func ffmpegClip(_ url: URL, creationTime: String?) throws {
        var arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                         "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p"]
        if let creationTime { arguments += ["-metadata", "creation_time=\(creationTime)"] }
        try tool("/usr/bin/ffmpeg", arguments + [url.path])
    }

    /// Mounts `image` read-only in a private mount namespace, runs `custody ingest` on it and unmounts: the mount
    /// cannot outlive the command, even if the test dies.
    func ingestMounted(image: URL, at mountPoint: URL, station: CLITestStation, model: String) throws
        -> CommandRunner.Result
    {
        let script = """
            mount -o ro,noload,nosuid,nodev,noexec,loop "$1" "$2" || exit 99
            "$3" --config "$4" ingest --serial "$5" --model "$6" "$2"
            status=$?
            umount "$2"
            exit $status
            """
        return try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/unshare"),
            ["-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", image.path, mountPoint.path,
             CommandRunner.custody.path, station.config.path, Self.serial, model])
    }

    /// Signs a checkpoint and requires `custody verify` to pass.
    func expectVerifies(_ station: CLITestStation, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try station.custody(["checkpoint", "--sign"]).status == 0, sourceLocation: sourceLocation)
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)", sourceLocation: sourceLocation)
        #expect(verify.standardOutput.contains("manifest verified:"), sourceLocation: sourceLocation)
    }

    /// Unmounts, lazily if something still holds the file system.
    func unmount(_ mountPoint: URL) {
        if (try? CommandRunner.run(URL(fileURLWithPath: "/usr/bin/umount"), [mountPoint.path]).status) != 0 {
            _ = try? CommandRunner.run(URL(fileURLWithPath: "/usr/bin/umount"), ["-l", mountPoint.path])
        }
    }
}

/// One line of `custody entries --json`.
fileprivate struct ListedEntry {
    let index: Int
    let leaf: String
    let body: [String: Any]
    var type: String { body["type"] as? String ?? "" }
}

/// Every entry of the station's manifest, through `custody entries --json`.
fileprivate func entries(_ station: CLITestStation) throws -> [ListedEntry] {
    let result = try station.custody(["entries", "--json", "--limit", "100000"])
    try #require(result.status == 0, "custody entries failed: \(result.standardError)")
    return try jsonLines(result.standardOutput).map { line in
        ListedEntry(
            index: try #require(line["index"] as? Int), leaf: try #require(line["leaf"] as? String),
            body: try #require(line["body"] as? [String: Any]))
    }
}

/// Parses one JSON object per line.
fileprivate func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an object: \(line)")
    }
}

/// Runs a system tool and requires it to exit 0; returns what it printed.
@discardableResult
fileprivate func tool(_ path: String, _ arguments: [String]) throws -> String {
    let result = try CommandRunner.run(URL(fileURLWithPath: path), arguments)
    try #require(result.status == 0, "\(path) \(arguments) exited \(result.status): \(result.standardError)")
    return result.standardOutput
}

/// The SHA-256 of a file, as `sha256sum` computes it.
fileprivate func sha256sum(_ url: URL) throws -> String {
    let output = try tool("/usr/bin/sha256sum", [url.path])
    return String(output.prefix(64))
}

/// Every file under the station's `store/`: its path there, its name, and sha256sum of its bytes. Anything that is
/// not at `sha256/ab/cd/<hex>` is a failure.
fileprivate func storedObjects(_ station: CLITestStation) throws -> [(path: String, name: String, digest: String)] {
    let root = station.storeDirectory
    var objects = [(path: String, name: String, digest: String)]()
    let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
    while let relative = enumerator.nextObject() as? String {
        let url = root.appendingPathComponent(relative)
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
        if isFolder.boolValue { continue }
        let name = url.lastPathComponent
        #expect(
            relative == "sha256/\(name.prefix(2))/\(name.dropFirst(2).prefix(2))/\(name)" && name.count == 64,
            "unexpected file in the store: \(relative)")
        objects.append((relative, name, try sha256sum(url)))
    }
    return objects
}

/// Bytes free to unprivileged writers on the file system holding `url`.
fileprivate func availableBytes(_ url: URL) throws -> UInt64 {
    var info = statvfs()
    try #require(statvfs(url.path, &info) == 0)
    return UInt64(info.f_bavail) * UInt64(info.f_frsize)
}

/// Creates `directory/name` from raw name bytes (which need not be UTF-8) holding `contents`.
fileprivate func createFile(in directory: URL, name: [UInt8], contents: [UInt8]) throws {
    let path = Array(directory.path.utf8) + [UInt8(ascii: "/")] + name + [0]
    let fd = path.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
    }
    try #require(fd >= 0, "cannot create \(name): errno \(errno)")
    defer { close(fd) }
    let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    try #require(written == contents.count)
}

fileprivate extension SeededGenerator {
    /// The next `count` pseudo-random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < count {
                let word = next()
                withUnsafeBytes(of: word) { raw in
                    let length = min(8, count - offset)
                    buffer.baseAddress!.advanced(by: offset).copyMemory(from: raw.baseAddress!, byteCount: length)
                }
                offset += 8
            }
        }
        return bytes
    }
}
