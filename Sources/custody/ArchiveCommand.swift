import ArgumentParser
import CustodyCore
import CustodyIngest
import CustodyManifest
import Foundation

/// `custody archive`: a case's evidence as a self-verifying package for disc (Art 27).
struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive a case's clips for disc (Art 27), verify a package, list missed archives.",
        discussion: """
            custody archive --case ID --matter T --place T --method T --out DIR|FILE.iso
            custody archive verify PATH [--key VERIFIER]      a package folder or a mounted disc; no database needed
            custody archive missed                            cases closed more than 10 days ago without an archive
            """,
        subcommands: [Create.self, Verify.self, Missed.self], defaultSubcommand: Create.self)

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Write a case's archive package (a folder, or an ISO 9660 image).")

        @ParentCommand var custody: CustodyCommand
        var global: GlobalOptions { custody.global }
        @Option(help: "The case ID.") var `case`: String
        @Option(help: "The enforcement matter (Art 27 label).") var matter: String
        @Option(help: "The place (Art 27 label).") var place: String
        @Option(help: "The enforcement method (Art 27 label).") var method: String
        @Option(help: "A new folder, or FILE.iso for an ISO 9660 image made with xorriso.") var out: String

        func run() throws {
            let station = try global.openStation(readOnly: false)
            let storage = station.configuration.storage
            let output = URL(fileURLWithPath: out).standardizedFileURL
            let iso = output.pathExtension.lowercased() == "iso"
            guard !FileManager.default.fileExists(atPath: output.path) else { throw CLIError("\(out) already exists") }
            if iso {
                guard let _ = Self.xorriso else {
                    throw CLIError("writing an ISO image needs xorriso (apt-get install xorriso)")
                }
            }
            let writer = ArchiveWriter(
                store: station.store,
                content: try ContentStore(root: storage.storeDirectory, staging: storage.stagingDirectory),
                signer: try station.signer())
            let folder =
                iso
                ? output.deletingLastPathComponent().appendingPathComponent(
                    ".\(output.lastPathComponent).tree-\(UUID().uuidString)")
                : output
            let result: ArchiveWriter.Result
            do {
                result = try writer.write(
                    .init(caseID: `case`, matter: matter, place: place, method: method), to: folder)
            } catch let error as ArchiveError {
                throw CLIError(error.description)
            } catch let error as ManifestError {
                throw CLIError(error.description)
            }
            if iso {
                defer { try? FileManager.default.removeItem(at: folder) }
                let volume = String(
                    "CUSTODY_\(`case`)".uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(32))
                let process = Process()
                process.executableURL = Self.xorriso
                process.arguments = [
                    "-as", "mkisofs", "-quiet", "-r", "-J", "-V", volume, "-o", output.path, folder.path,
                ]
                let errors = Pipe()
                process.standardError = errors
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                let said = errors.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw CLIError(
                        "xorriso failed (status \(process.terminationStatus)): \(String(decoding: said, as: UTF8.self)) "
                            + "Entry \(result.archiveEntry.index) records the archive; run it again with a new --out")
                }
            }
            print(
                "archived case \(`case`): \(result.clips) clip\(result.clips == 1 ? "" : "s"), \(result.bytes) bytes, "
                    + "clip.archived entry \(result.archiveEntry.index), checkpoint \(result.checkpointSize) → \(output.path)"
            )
        }

        static var xorriso: URL? {
            ["/usr/bin/xorriso", "/bin/xorriso"].map(URL.init(fileURLWithPath:)).first {
                FileManager.default.isExecutableFile(atPath: $0.path)
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Verify an archive package or a mounted disc, without the station.")

        @Argument(help: "The package folder or the disc's mount point.") var path: String
        @Option(help: "The verifier key the case system holds (default: the package's own verifier.key).") var key:
            String?

        func run() throws {
            let report = ArchiveVerifier(root: URL(fileURLWithPath: path), trustedKey: key).verify()
            if report.problems.isEmpty {
                print(
                    "archive verified: case \(report.caseID ?? "?"), \(report.clips) clip\(report.clips == 1 ? "" : "s"), "
                        + "checkpoint size \(report.checkpointSize.map(String.init) ?? "?")")
                if key == nil {
                    print("signed by \(report.verifierKey ?? "?"); compare this key with the one the case system holds")
                }
                return
            }
            print("ARCHIVE DOES NOT VERIFY: \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")")
            for problem in report.problems { print("  - \(problem)") }
            throw ExitCode(1)
        }
    }

    struct Missed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "missed", abstract: "Cases closed more than 10 days ago without an archive by then (Art 27).")

        @ParentCommand var custody: CustodyCommand
        var global: GlobalOptions { custody.global }
        @Option(help: .hidden) var now: String?

        func run() throws {
            let station = try global.openStation(readOnly: true)
            let instant = try now.map { try time($0, "--now") } ?? Date()
            let missed = try manifest { () throws(ManifestError) in try station.store.missedArchives(now: instant) }
            for item in missed {
                print(
                    "case \(item.caseID)  closed \(RFC3339.format(item.closed))  due \(RFC3339.format(item.deadline))  "
                        + (item.archivedLate.map { "archived late \(RFC3339.format($0))" } ?? "NOT ARCHIVED"))
            }
            if missed.isEmpty { print("no archive is overdue") }
        }
    }
}

/// `custody close`: records that a case's enforcement action ended, which starts its 10-day archive deadline (Art 27).
struct CloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Record that a case's enforcement action ended (Art 27: archive within 10 days).")

    @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
    @Option(help: "The case ID.") var `case`: String
    @Option(help: "When the action ended, RFC 3339 (default: now).") var at: String?

    func run() throws {
        let station = try global.openStation(readOnly: false)
        let closed = try at.map { try time($0, "--at") } ?? Date()
        let entry = try manifest { () throws(ManifestError) in
            try station.store.append(try .caseClosed(caseID: `case`, closed: closed, time: Date()))
        }
        print(
            "case \(`case`) closed at \(RFC3339.format(closed)) (entry \(entry.index)); archive due by \(RFC3339.format(closed.addingTimeInterval(10 * 86_400)))"
        )
    }
}
