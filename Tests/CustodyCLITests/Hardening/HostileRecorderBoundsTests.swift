import CustodyCore
import CustodyTesting
import Foundation
import Glibc
import Testing

/// Issue 9 item 3, hostile recorders through the real `custody ingest` binary, each run measured by GNU time: MP4
/// bombs (a box declaring 2^63 bytes, a million nested boxes, a zero-size box that would never advance, more boxes
/// than the reader's limit, an `mdat` claiming a terabyte) and a recorder of many tiny files.
///
/// Each ends in a clear outcome (every file is a `clip.ingested` entry with its exact digest; a lying container
/// also gets a `malformedContainer` anomaly) within bounded time and memory; `custody verify` passes.
///
/// Covered elsewhere, not repeated here: symbolic links out of the recorder (to `/etc/shadow`, a file outside,
/// `/etc`), a FIFO, names with newlines, tabs, `%`, invalid UTF-8 and 255 bytes
/// (`IngestEndToEndTests.hostileNamesAreIngestedExactlyAndLinksAndFIFOsAreNeverRead`); a sparse 1 TiB "clip"
/// (`IngestEndToEndTests.sparseTerabyteFileIsRefusedBeforeAnyByteIsRead`); the MP4 reader's limits one by one
/// (`MP4ReaderMalformedTests`, `MP4ReaderFuzzTests`). Swaps after listing, paths longer than PATH_MAX and a device
/// carrying another recorder's files are in `HostileRecorderTests` (CustodyIngestTests).
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs GNU time (/usr/bin/time)"))
struct HostileRecorderBoundsTests {
    static let serial = "BWC0001"
    static let plainModel = """
        [[models]]
        name = "PLAIN"
        media = ["**/*.MP4"]
        """
    /// Files on the tiny-files recorder: `CUSTODY_SOAK_TINY_FILES` (`make soak`: 1,000,000), else 40,000.
    static var tinyFiles: Int {
        ProcessInfo.processInfo.environment["CUSTODY_SOAK_TINY_FILES"].flatMap { Int($0) } ?? 40_000
    }

    // MARK: - MP4 bombs

    /// How each bomb must end: `malformed` (a `malformedContainer` anomaly) or its `container`.
    static let bombOutcomes = [
        "HUGEBOX.MP4": "unfinalized", "DEEP.MP4": "malformed", "ZEROLOOP.MP4": "malformed",
        "MANYBOX.MP4": "malformed", "TERAMDAT.MP4": "unfinalized",
    ]

    @Test func mp4BombsAreStoredExactlyFlaggedAndProbedInBoundedTimeAndMemory() throws {
        let work = try TemporaryDirectory(prefix: "custody-hostile-mp4")
        let recorder = work.file("recorder")
        try FileManager.default.createDirectory(at: recorder, withIntermediateDirectories: true)
        let ftyp = Box.make("ftyp", Array("isom".utf8) + Box.uint32(0x200) + Array("isommp41".utf8))
        let depth = 100_000
        let nested = (0..<depth).flatMap { level in Box.uint32(UInt32(8 * (depth - level))) + Array("trak".utf8) }
        let bombs: [String: [UInt8]] = [
            // A movie box declaring 2^63 - 1 bytes through its 64-bit size.
            "HUGEBOX.MP4": ftyp + Box.uint32(1) + Array("moov".utf8) + Box.uint64(0x7FFF_FFFF_FFFF_FFFF)
                + [UInt8](repeating: 0, count: 100),
            // A hundred thousand tracks, each inside the last.
            "DEEP.MP4": ftyp + Box.make("moov", nested),
            // A zero-size box inside a container: read naively it never advances.
            "ZEROLOOP.MP4": ftyp
                + Box.make("moov", Box.uint32(0) + Array("trak".utf8) + Box.uint32(0) + Array("trak".utf8)),
            // 1,100,000 empty boxes: more box headers than the reader will read.
            "MANYBOX.MP4": ftyp + Array(repeating: Box.make("free"), count: 1_100_000).joined(),
            // A media-data box claiming a terabyte in a file of a few bytes.
            "TERAMDAT.MP4": ftyp + Box.uint32(1) + Array("mdat".utf8) + Box.uint64(1 << 40) + Array("tiny".utf8),
        ]
        for (name, bytes) in bombs { try Data(bytes).write(to: recorder.appendingPathComponent(name)) }
        let station = try CLITestStation()
        try station.appendConfiguration(Self.plainModel)
        try station.setConfiguration("ingest", "reserve_bytes", "0")

        let run = try measure(station, recorder: recorder, in: work)

        #expect(run.status == 0, "\(run.output)")
        #expect(run.seconds < 60, "the bombs took \(run.seconds) s")
        #expect(run.maxResidentKiB < 200 * 1024, "the bombs took \(run.maxResidentKiB) KiB")
        let all = try entryBodies(station)
        let clips = all.filter { $0["type"] as? String == "clip.ingested" }
        let anomalies = all.filter {
            $0["type"] as? String == "clip.anomaly" && $0["kind"] as? String == "malformedContainer"
        }
        for (name, bytes) in bombs {
            let clip = clips.first { $0["path"] as? String == name }
            #expect(clip?["sha256"] as? String == SHA256Hash.of(bytes).hex, "\(name): \(String(describing: clip))")
            // A box that lies is flagged; a box running past the end is what a recording cut by power loss looks
            // like, so that file is an unfinalized clip.
            let flagged = anomalies.first { $0["path"] as? String == name }
            let outcome = flagged != nil ? "malformed" : (clip?["container"] as? String ?? "none")
            #expect(outcome == Self.bombOutcomes[name], "\(name): \(outcome) \(String(describing: flagged))")
        }
        #expect(clips.count == bombs.count)
        let verify = try station.custody(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
        print("hostile MP4 bombs: \(bombs.count) files in \(run.seconds) s, max RSS \(run.maxResidentKiB) KiB")
    }

    // MARK: - Many tiny files

    @Test func recorderOfManyTinyFilesIsListedAndIngestedInBoundedMemory() throws {
        let count = Self.tinyFiles
        let work = try TemporaryDirectory(prefix: "custody-hostile-tiny")
        // The recorder lives in memory (tmpfs) where there is one: a million files are created and removed in
        // seconds there, and in minutes on a virtual disk.
        let shm = URL(fileURLWithPath: "/dev/shm")
        let recorder =
            FileManager.default.isWritableFile(atPath: shm.path)
            ? shm.appendingPathComponent("custody-hostile-tiny-\(UUID().uuidString)") : work.file("recorder")
        defer { _ = try? CommandRunner.run(URL(fileURLWithPath: "/bin/rm"), ["-rf", recorder.path]) }
        // One file in 80 is a clip (a few bytes, from 64 different contents); the others are empty thumbnails,
        // not media.
        var clips = [String: String]()
        var random = SeededGenerator(seed: 0x7144)
        for folder in 0..<((count + 999) / 1000) {
            let name = String(format: "DCIM/%03dMEDIA", folder % 1000) + (folder >= 1000 ? "_\(folder / 1000)" : "")
            let directory = recorder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for number in 0..<min(1000, count - folder * 1000) {
                let isClip = number % 80 == 0
                let file = String(format: "F%04d.", number) + (isClip ? "MP4" : "THM")
                let bytes = isClip ? Array("tiny \(random.next() % 64)\n".utf8) : []
                try writeFile(directory.appendingPathComponent(file).path, bytes)
                if isClip { clips["\(name)/\(file)"] = SHA256Hash.of(bytes).hex }
            }
        }
        let station = try CLITestStation()
        try station.appendConfiguration(Self.plainModel)
        try station.setConfiguration("ingest", "reserve_bytes", "0")

        let run = try measure(station, recorder: recorder, in: work)

        #expect(run.status == 0, "\(run.output.suffix(2000))")
        #expect(run.output.contains("\(Self.serial): \(clips.count) clips ingested"), "\(run.output.suffix(2000))")
        // Memory grows with the listing, by a bounded amount per file listed.
        let boundKiB = 100 * 1024 + count / 2
        #expect(run.maxResidentKiB < boundKiB, "\(count) files took \(run.maxResidentKiB) KiB (bound \(boundKiB))")
        let ingested = try entryBodies(station).filter { $0["type"] as? String == "clip.ingested" }
        #expect(ingested.count == clips.count)
        #expect(
            Dictionary(ingested.map { ($0["path"] as? String ?? "", $0["sha256"] as? String ?? "") }) { a, _ in a }
                == clips)
        // Docked again: everything is known, nothing is appended.
        let size = try entryBodies(station).count
        let again = try measure(station, recorder: recorder, in: work)
        #expect(again.status == 0)
        #expect(try entryBodies(station).count == size)
        print(
            "hostile tiny files: \(count) files (\(clips.count) clips) ingested in \(run.seconds) s, max RSS "
                + "\(run.maxResidentKiB) KiB; docked again in \(again.seconds) s, max RSS \(again.maxResidentKiB) KiB")
    }

    // MARK: - Helpers

    struct Run {
        let status: Int32
        let output: String
        let seconds: Double
        let maxResidentKiB: Int
    }

    /// Runs `custody ingest` of `recorder` under GNU time: exit status, output, elapsed seconds, peak RSS.
    func measure(_ station: CLITestStation, recorder: URL, in work: TemporaryDirectory) throws -> Run {
        let timing = work.file("time-\(UUID().uuidString).txt")
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/time"),
            [
                "-f", "%e %M", "-o", timing.path, CommandRunner.custody.path, "--config", station.config.path, "ingest",
                "--serial", Self.serial, "--model", "PLAIN", recorder.path,
            ])
        let fields = try String(contentsOf: timing, encoding: .utf8).split(whereSeparator: \.isWhitespace)
        let seconds = try #require(fields.dropLast().last.flatMap { Double($0) }, "\(fields)")
        let kib = try #require(fields.last.flatMap { Int($0) }, "\(fields)")
        return Run(
            status: result.status, output: result.standardOutput + result.standardError, seconds: seconds,
            maxResidentKiB: kib)
    }

    func entryBodies(_ station: CLITestStation) throws -> [[String: Any]] {
        let result = try station.custody(["entries", "--json", "--limit", "10000000"])
        try #require(result.status == 0, "\(result.standardError)")
        return try result.standardOutput.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try #require(object?["body"] as? [String: Any])
        }
    }

    func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        try #require(fd >= 0, "cannot create \(path): \(String(cString: strerror(errno)))")
        defer { close(fd) }
        try #require(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
    }
}

/// ISO BMFF boxes, written by hand (big-endian sizes).
enum Box {
    static func uint32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    static func uint64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    static func make(_ type: String, _ payload: [UInt8] = []) -> [UInt8] {
        uint32(UInt32(8 + payload.count)) + Array(type.utf8) + payload
    }
}
