import Foundation

/// Runs the system ffmpeg to write real MP4 and QuickTime files for tests.
enum FFmpeg {
    /// The ffmpeg executable: /usr/bin/ffmpeg, else the first on `PATH`.
    static let executable: String? = {
        var candidates = ["/usr/bin/ffmpeg"]
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        candidates += path.split(separator: ":").map { "\($0)/ffmpeg" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isAvailable: Bool { executable != nil }

    /// The input of the test clip every ffmpeg test uses: 3.4 s of 320x240 at 25 fps.
    static let testInput = ["-f", "lavfi", "-i", "testsrc=duration=3.4:size=320x240:rate=25"]

    /// The output options of the test clip: created 2026-03-01T08:15:30Z, a keyframe every second.
    static let testOutput = ["-metadata", "creation_time=2026-03-01T08:15:30Z", "-pix_fmt", "yuv420p", "-g", "25"]

    /// Runs ffmpeg with `arguments` and the output file last; throws when it fails.
    static func run(_ arguments: [String], output: String) throws {
        guard let executable else { throw FFmpegFailure(message: "ffmpeg not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments + [output]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FFmpegFailure(message: String(decoding: message, as: UTF8.self))
        }
    }

    struct FFmpegFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { "ffmpeg failed: \(message)" }
    }
}
