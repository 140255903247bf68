import CustodyCore
import CustodyDevices
import CustodyIngest
import CustodyManifest
import Foundation
import Testing

@testable import CustodyTransport

/// Objects a hostile or broken MTP recorder may present, refused like the mass-storage path's (`RecorderListing`
/// `refused`, one `clip.anomaly` entry each), never skipped in silence and never read.
@Suite struct MTPRecorderSourceRefusalTests {
    /// A recorder with two clips and LOG.TXT, and beside them every kind of object that cannot be a file path.
    static func hostileRecorder() -> PTPSimulatedResponder {
        let (responder, _) = MTPRecorderSourceTests.recorder(files: 2)
        responder.add(.file(60, ".", .bytes([1]), parent: 2))
        responder.add(.file(61, "..", .bytes([2]), parent: 2))
        responder.add(.file(62, "", .bytes([3]), parent: 2))
        responder.add(.file(63, "A/B.MP4", .bytes([4]), parent: 2))
        responder.add(.folder(64, "..", parent: 1))
        responder.add(.file(65, "X.MP4", .bytes([5]), parent: 64))
        // A NUL cannot be written in a PTP string: the recorder sends an ObjectInfo that does not decode.
        responder.add(.file(66, "N\u{0}UL.MP4", .bytes([6]), parent: 2))
        responder.add(.folder(70, "C1", parent: 71))
        responder.add(.folder(71, "C2", parent: 70))
        responder.add(.file(72, "LOOP.MP4", .bytes([7]), parent: 70))
        for depth in 0..<40 {
            responder.add(.folder(UInt32(100 + depth), "D", parent: depth == 0 ? 0 : UInt32(99 + depth)))
        }
        responder.add(.file(150, "DEEP.MP4", .bytes([8]), parent: 139))
        return responder
    }

    static let expectedRefusals: [String: RefusedPath.Reason] = [
        "DCIM/100MEDIA/%2E": .unreadable,
        "DCIM/100MEDIA/%2E%2E": .unreadable,
        "DCIM/100MEDIA/%(empty)": .unreadable,
        "DCIM/100MEDIA/A%2FB.MP4": .unreadable,
        "DCIM/%2E%2E/X.MP4": .unreadable,
        "%(object-00000042)": .unreadable,
        "C2/C1/LOOP.MP4": .unreadable,
        Array(repeating: "D", count: 31).joined(separator: "/") + "/DEEP.MP4": .tooDeep,
    ]

    @Test func hostileNamesUnknownObjectsCyclesAndDeepFoldersAreRefusedWithEscapedPaths() throws {
        let source = try MTPRecorderSourceTests.source(Self.hostileRecorder())
        let listing = try source.listFiles()

        #expect(
            listing.files.map(\.path.display) == ["DCIM/100MEDIA/CLIP0.MP4", "DCIM/100MEDIA/CLIP1.MP4", "LOG.TXT"])
        var refusals = [String: RefusedPath.Reason]()
        for refused in listing.refused {
            #expect(refusals.updateValue(refused.reason, forKey: refused.path.display) == nil, "\(refused.path) twice")
            // What is shown is what is stored: no `.`/`..` component, no `/` inside a name.
            #expect(RecorderPath(refused.path.display) == refused.path)
        }
        #expect(refusals == Self.expectedRefusals)
        #expect(listing.refused.map(\.path) == listing.refused.map(\.path).sorted())
    }

    /// The component written for `name`, or nil when the name is usable as it is.
    static func escaped(_ name: String) -> String? {
        let (bytes, usable) = MTPRecorderSource.component(name)
        #expect(usable == (bytes == Array(name.utf8)))
        return usable ? nil : String(decoding: bytes, as: UTF8.self)
    }

    @Test func anUnusableNameIsWrittenEscapedAndAUsableOneAsItIs() {
        #expect(Self.escaped("CLIP.MP4") == nil)
        #expect(Self.escaped("50%.MP4") == nil)
        #expect(Self.escaped("..") == "%2E%2E")
        #expect(Self.escaped(".") == "%2E")
        #expect(Self.escaped("") == "%(empty)")
        #expect(Self.escaped("a/b%\n.é") == "a%2Fb%25%0A.%C3%A9")
    }

    @Test func eachRefusalIsOneClipAnomalyEntryAndTheGoodFilesAreIngested() throws {
        let station = try Station(concurrentFiles: 2)
        let source = try MTPRecorderSourceTests.source(Self.hostileRecorder())

        let summary = try station.service().ingest(source, model: RecorderModel(name: "MTPCAM"))

        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(summary.ingested.count == 3)
        let anomalies = try station.entries(.clipAnomaly)
        #expect(anomalies.allSatisfy { $0.fields["kind"]?.stringValue == "refusedPath" })
        var recorded = [String: String]()
        for anomaly in anomalies {
            recorded[anomaly.fields["path"]?.stringValue ?? "?"] = anomaly.fields["reason"]?.stringValue
        }
        #expect(anomalies.count == Self.expectedRefusals.count)
        #expect(recorded == Self.expectedRefusals.mapValues(\.rawValue))

        // Docked again: nothing new is recorded.
        let again = try station.service().ingest(source, model: RecorderModel(name: "MTPCAM"))
        #expect(again.refused.count == Self.expectedRefusals.count)
        #expect(try station.entries(.clipAnomaly).count == anomalies.count)
    }
}
