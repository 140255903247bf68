import CustodyCore
import CustodyDevices
import CustodyTesting
import Foundation
import Testing

/// The wipe's deletion step on a plain folder: only a regular file with its planned size and modification time,
/// reached without symbolic links, is unlinked; everything else is kept with a reason.
@Suite struct RecorderEraserTests {
    func file(_ root: URL, _ path: String, _ text: String, modified: Int64 = 1_700_000_000) throws -> WipeTarget {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: TimeInterval(modified))], ofItemAtPath: url.path)
        return WipeTarget(
            path: try #require(RecorderPath(path)), size: UInt64(text.utf8.count), modifiedSeconds: modified)
    }

    func exists(_ root: URL, _ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
    }

    @Test func deletesOnlyUnchangedRegularFilesReachedWithoutSymbolicLinks() throws {
        let work = try TemporaryDirectory(prefix: "custody-eraser")
        let root = work.url
        let same = try file(root, "DCIM/A/CLIP1.MP4", "footage one")
        let grown = try file(root, "DCIM/A/CLIP2.MP4", "footage two")
        let touched = try file(root, "DCIM/A/CLIP3.MP4", "footage three")
        let linked = try file(root, "DCIM/B/CLIP4.MP4", "footage four")
        let replaced = try file(root, "DCIM/A/CLIP5.MP4", "footage five")
        let missing = WipeTarget(path: try #require(RecorderPath("DCIM/A/GONE.MP4")), size: 1, modifiedSeconds: 0)
        // Changes after the plan: CLIP2 grows, CLIP3's time moves, DCIM/B becomes a link to a folder elsewhere,
        // CLIP5 becomes a symbolic link with the same name.
        try Data("footage two, longer".utf8).write(to: root.appendingPathComponent("DCIM/A/CLIP2.MP4"))
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_700_000_100)],
            ofItemAtPath: root.appendingPathComponent("DCIM/A/CLIP3.MP4").path)
        try FileManager.default.moveItem(
            at: root.appendingPathComponent("DCIM/B"), to: root.appendingPathComponent("ELSEWHERE"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("DCIM/B").path, withDestinationPath: "../ELSEWHERE")
        try FileManager.default.removeItem(at: root.appendingPathComponent("DCIM/A/CLIP5.MP4"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("DCIM/A/CLIP5.MP4").path,
            withDestinationPath: root.appendingPathComponent("DCIM/A/CLIP1.MP4").path)

        let eraser = try RecorderEraser(root: root)
        #expect(eraser.erase(same) == .deleted)
        for (target, reason) in [
            (grown, "changed since the plan"), (touched, "changed since the plan"), (linked, "symbolic link"),
            (replaced, "no longer a regular file"), (missing, "cannot be examined"),
        ] {
            guard case .kept(let why) = eraser.erase(target) else {
                Issue.record("\(target.path) was deleted")
                continue
            }
            #expect(why.contains(reason), "\(target.path): \(why)")
        }
        try eraser.sync()
        #expect(!exists(root, "DCIM/A/CLIP1.MP4"))
        for path in ["DCIM/A/CLIP2.MP4", "DCIM/A/CLIP3.MP4", "ELSEWHERE/CLIP4.MP4"] {
            #expect(exists(root, path), "\(path) is gone")
        }
        // The link CLIP5 itself is left too (it dangles now that CLIP1 is gone).
        #expect(
            (try? FileManager.default.destinationOfSymbolicLink(
                atPath: root.appendingPathComponent("DCIM/A/CLIP5.MP4").path)) != nil)
    }
}
