import CustodyCore
import CustodyHTTP
import CustodyManifest
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /v1/clips/{sha256}` and `/content`: metadata, footage with byte ranges, 410 for purged footage, and the
/// `footage.read` entry of every download (docs/http.md "Clips and footage").
@Suite struct ClipRoutesTests {
    /// 1000 bytes that differ from position to position, so a wrong offset shows.
    static let footage: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try CanonicalJSON.decode(Array(response.body.readableBytesView))
    }

    @Test func theMetadataListsTheRecordingWithItsEntryOfficerCaseAndHold() async throws {
        let station = try HTTPTestStation()
        try station.store.registerOfficer(HTTPTestStation.officer, time: Date())
        let clip = try station.ingest(Self.footage)
        try station.store.append(
            .caseLinked(caseID: "CASE-7", clips: [(clip.entry, clip.sha256.hex)], selection: "test", time: Date()))
        let hold = try station.store.append(
            .holdPlaced(
                caseID: nil, clips: [(clip.entry, clip.sha256.hex)], reason: .dispute, note: nil, by: nil, time: Date())
        )
        try await station.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)", method: .get, headers: station.authorization(.caseSystem))
            #expect(response.status == .ok)
            let value = try Self.json(response)
            #expect(value["sha256"] == .string(clip.sha256.hex))
            #expect(value["purged"] == .null)
            #expect(value["stored"] == .bool(true))
            let recording = try #require(value["recordings"]?.arrayValue?.first)
            #expect(recording["entry"]?["index"] == .int(Int64(clip.entry.index)))
            #expect(recording["entry"]?["leaf"] == .string(clip.entry.leafHash.hex))
            #expect(recording["recorder"]?["serial"] == "BWC-0001")
            #expect(recording["path"] == "DCIM/20261130_080000_0001.MP4")
            #expect(recording["officer"]?["certificate"] == "110001")
            #expect(recording["officer"]?["name"] == "王小明")
            #expect(recording["recordingStart"] == "2026-11-18T11:06:40Z")
            #expect(recording["late"] == .bool(false))
            #expect(recording["cases"]?.arrayValue?.first?["case"] == "CASE-7")
            #expect(recording["holds"]?.arrayValue?.first?["entry"] == .int(Int64(hold.index)))
            #expect(recording["holds"]?.arrayValue?.first?["reason"] == "dispute")
        }
    }

    @Test func theWholeFootageIsServedWithItsDigestAsETagAndTheReadIsRecordedFirst() async throws {
        let station = try HTTPTestStation()
        let clip = try station.ingest(Self.footage)
        try await station.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)/content", method: .get, headers: station.authorization(.auditor))
            #expect(response.status == .ok)
            #expect(Array(response.body.readableBytesView) == Self.footage)
            #expect(response.headers[.eTag] == "\"\(clip.sha256.hex)\"")
            #expect(response.headers[.acceptRanges] == "bytes")
            #expect(response.headers[.contentType] == "video/mp4")
        }
        let reads = try station.footageReads()
        let read = try #require(reads.first)
        #expect(reads.count == 1)
        #expect(read["caller"]?["name"] == "test-auditor")
        #expect(read["caller"]?["role"] == "auditor")
        #expect(read["clip"]?["index"] == .int(Int64(clip.entry.index)))
        #expect(read["clip"]?["leaf"] == .string(clip.entry.leafHash.hex))
        #expect(read["sha256"] == .string(clip.sha256.hex))
        #expect(read["range"]?["first"] == .int(0))
        #expect(read["range"]?["last"] == .int(999))
        #expect(read["partial"] == .bool(false))
    }

    @Test(arguments: [
        ("bytes=0-9", 0...9), ("bytes=990-", 990...999), ("bytes=-5", 995...999), ("bytes=100-100", 100...100),
        ("bytes=995-5000", 995...999), ("bytes=-4000", 0...999),
    ])
    func aRangeIsServedAs206WithExactBytes(header: String, expected: ClosedRange<Int>) async throws {
        let station = try HTTPTestStation()
        let clip = try station.ingest(Self.footage)
        try await station.application().test(.router) { client in
            var headers = station.authorization(.caseSystem)
            headers[.range] = header
            let response = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)/content", method: .get, headers: headers)
            #expect(response.status == .partialContent)
            #expect(Array(response.body.readableBytesView) == Array(Self.footage[expected]))
            #expect(response.headers[.contentRange] == "bytes \(expected.lowerBound)-\(expected.upperBound)/1000")
        }
        let read = try #require(try station.footageReads().first)
        #expect(read["range"]?["first"] == .int(Int64(expected.lowerBound)))
        #expect(read["range"]?["last"] == .int(Int64(expected.upperBound)))
        #expect(read["partial"] == .bool(true))
    }

    @Test(arguments: ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=0-1,5-6", "bytes=9-2", "bytes=x-"])
    func anUnsatisfiableOrMalformedRangeIs416AndNothingIsRecorded(header: String) async throws {
        let station = try HTTPTestStation()
        let clip = try station.ingest(Self.footage)
        try await station.application().test(.router) { client in
            var headers = station.authorization(.caseSystem)
            headers[.range] = header
            let response = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)/content", method: .get, headers: headers)
            #expect(response.status == .rangeNotSatisfiable)
            #expect(response.headers[.contentRange] == "bytes */1000")
        }
        #expect(try station.footageReads().isEmpty)
    }

    @Test func anIfRangeWithAnotherETagGetsTheWholeFootage() async throws {
        let station = try HTTPTestStation()
        let clip = try station.ingest(Self.footage)
        try await station.application().test(.router) { client in
            var headers = station.authorization(.caseSystem)
            headers[.range] = "bytes=0-9"
            headers[.ifRange] = "\"\(String(repeating: "0", count: 64))\""
            let response = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)/content", method: .get, headers: headers)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 1000)
        }
    }

    @Test(arguments: [
        "..%2F..%2Fetc%2Fpasswd", "..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd%00",
        "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
        String(repeating: "a", count: 63), String(repeating: "a", count: 65), "%2e%2e", "..",
    ])
    func aMalformedDigestIs400(digest: String) async throws {
        let station = try HTTPTestStation()
        try station.ingest(Self.footage)
        try await station.application().test(.router) { client in
            for suffix in ["", "/content"] {
                let response = try await client.execute(
                    uri: "/v1/clips/\(digest)\(suffix)", method: .get, headers: station.authorization(.admin))
                // ".." is resolved by nobody: the router either refuses the segment (400) or finds no route (404).
                #expect(response.status == .badRequest || (digest.hasPrefix("..") && response.status == .notFound))
                #expect(!String(buffer: response.body).contains("root:"))
            }
        }
        #expect(try station.footageReads().isEmpty)
    }

    @Test func anUnknownDigestIs404() async throws {
        let station = try HTTPTestStation()
        try await station.application().test(.router) { client in
            for suffix in ["", "/content"] {
                let response = try await client.execute(
                    uri: "/v1/clips/\(String(repeating: "ab", count: 32))\(suffix)", method: .get,
                    headers: station.authorization(.admin))
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func purgedFootageIs410GoneNamingTheClipPurgedEntry() async throws {
        let station = try HTTPTestStation()
        let clip = try station.ingest(Self.footage)
        let purge = try station.purge(clip)
        try await station.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)/content", method: .get, headers: station.authorization(.caseSystem))
            #expect(response.status == .gone)
            let value = try Self.json(response)
            #expect(value["purged"]?["index"] == .int(Int64(purge.index)))
            #expect(value["purged"]?["leaf"] == .string(purge.leafHash.hex))
            #expect(value["error"]?["message"]?.stringValue?.contains("purged") == true)
            let metadata = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)", method: .get, headers: station.authorization(.caseSystem))
            #expect(metadata.status == .ok)
            #expect(try Self.json(metadata)["purged"]?["index"] == .int(Int64(purge.index)))
            #expect(try Self.json(metadata)["stored"] == .bool(false))
        }
        #expect(try station.footageReads().isEmpty)
    }

    @Test func anOfficerReachesOwnClipsAndGets404ForOthers() async throws {
        let station = try HTTPTestStation()
        let own = try station.ingest(Self.footage)
        let other = try station.ingest(Array(Self.footage.reversed()), officer: HTTPTestStation.otherOfficer)
        try await station.application().test(.router) { client in
            for suffix in ["", "/content"] {
                let mine = try await client.execute(
                    uri: "/v1/clips/\(own.sha256.hex)\(suffix)", method: .get, headers: station.authorization(.officer))
                #expect(mine.status == .ok)
                let theirs = try await client.execute(
                    uri: "/v1/clips/\(other.sha256.hex)\(suffix)", method: .get,
                    headers: station.authorization(.officer))
                #expect(theirs.status == .notFound)
            }
        }
        let reads = try station.footageReads()
        #expect(reads.count == 1)
        #expect(reads.first?["caller"]?["officer"] == "110001")
    }

    @Test func aDownloadThatCannotBeRecordedIsRefusedWith503() async throws {
        let station = try HTTPTestStation()
        let clip = try station.ingest(Self.footage)
        let readOnly = try ManifestStore.open(at: station.store.url, readOnly: true)
        try await station.application(store: readOnly).test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)/content", method: .get, headers: station.authorization(.admin))
            #expect(response.status == .serviceUnavailable)
            #expect(!Array(response.body.readableBytesView).starts(with: Self.footage.prefix(16)))
        }
        #expect(try station.footageReads().isEmpty)
    }

    @Test func noTokenIs401AndAnOfficerWithoutClipsIs404() async throws {
        let station = try HTTPTestStation()
        let clip = try station.ingest(Self.footage, officer: nil)
        try await station.application().test(.router) { client in
            let anonymous = try await client.execute(uri: "/v1/clips/\(clip.sha256.hex)/content", method: .get)
            #expect(anonymous.status == .unauthorized)
            let officer = try await client.execute(
                uri: "/v1/clips/\(clip.sha256.hex)/content", method: .get, headers: station.authorization(.officer))
            #expect(officer.status == .notFound)
        }
    }
}
