import CustodyCore
import CustodyDevices
import CustodyIngest
import Foundation
import Testing

@testable import CustodyTransport

/// DeleteObject for the wipe after verified ingest (docs/docking.md "Wipe"): an object is deleted only while it is
/// still the file that was verified, re-checked just before; everything else is kept with the reason.
@Suite struct MTPRecorderSourceWipeTests {
    /// The wipe target of a listed file.
    static func target(_ file: RecorderFile) -> WipeTarget {
        WipeTarget(
            path: file.path, size: file.size,
            modifiedSeconds: Int64(file.modificationTime.timeIntervalSince1970.rounded(.down)))
    }

    @Test func anUnchangedFileIsDeletedAndNothingElse() throws {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 3)
        let source = try MTPRecorderSourceTests.source(responder)
        let listing = try source.listFiles()
        let file = try #require(listing.files.first { $0.path.display == "DCIM/100MEDIA/CLIP1.MP4" })
        #expect(try source.delete(Self.target(file)) == .deleted)
        #expect(responder.deletedHandles == [11])
        #expect(responder.objects[11] == nil && responder.objects[10] != nil && responder.objects[12] != nil)
        #expect(responder.commands.last?.code == PTPOperationCode.deleteObject.rawValue)
        #expect(responder.commands.last?.parameters == [11, 0])
        // The object is gone now: a second attempt keeps it, with the reason.
        guard case .kept(let reason) = try source.delete(Self.target(file)) else {
            Issue.record("a deleted object was deleted again")
            return
        }
        #expect(reason.contains("no longer has it"), "\(reason)")
    }

    @Test func aFileThatChangedSinceItWasVerifiedIsKept() throws {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 2)
        let source = try MTPRecorderSourceTests.source(responder)
        let file = try #require(try source.listFiles().files.first { $0.path.display == "DCIM/100MEDIA/CLIP0.MP4" })
        // Grown on the recorder after the plan; then touched (a later modification time) at the same size.
        responder.add(.file(10, "CLIP0.MP4", .bytes([UInt8](repeating: 7, count: Int(file.size) + 1)), parent: 2))
        guard case .kept(let grown) = try source.delete(Self.target(file)) else {
            Issue.record("a grown file was deleted")
            return
        }
        #expect(grown.contains("changed since it was verified"), "\(grown)")
        responder.add(
            .file(
                10, "CLIP0.MP4", .bytes([UInt8](repeating: 7, count: Int(file.size))), parent: 2,
                modified: "20261129T081531"))
        guard case .kept(let touched) = try source.delete(Self.target(file)) else {
            Issue.record("a touched file was deleted")
            return
        }
        #expect(touched.contains("changed since it was verified"), "\(touched)")
        #expect(responder.deletedHandles.isEmpty)
    }

    @Test func aRefusalIsKeptAndTheSessionGoesOn() throws {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 2)
        responder.protectedHandles = [10]
        let source = try MTPRecorderSourceTests.source(responder)
        let files = try source.listFiles().files.filter { $0.path.display.hasSuffix(".MP4") }
        guard case .kept(let reason) = try source.delete(Self.target(files[0])) else {
            Issue.record("a protected object was deleted")
            return
        }
        #expect(reason.contains("refused DeleteObject"), "\(reason)")
        #expect(try source.delete(Self.target(files[1])) == .deleted)
        #expect(responder.deletedHandles == [11])
    }

    @Test func aBrokenSessionFailsTheWipeAsASourceError() throws {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 1)
        let source = try MTPRecorderSourceTests.source(responder)
        let file = try #require(try source.listFiles().files.first)
        responder.faults = [.stall(.getObjectInfo)]
        #expect(
            performing: { try source.delete(Self.target(file)) }, throws: { ($0 as? IngestError)?.code == .sourceRead })
        #expect(responder.deletedHandles.isEmpty)
    }
}
