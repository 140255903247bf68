import CustodyCore
import CustodyHTTP
import CustodyManifest
import CustodyTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /v1/events`: server-sent events of entries as they are appended (docs/http.md "Events").
@Suite struct EventRoutesTests {
    /// The `id:` and `data:` of each event in a stream's text.
    static func events(_ text: String) -> [(id: UInt64, data: String)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n").map(String.init)
            guard let id = lines.first(where: { $0.hasPrefix("id: ") }).flatMap({ UInt64($0.dropFirst(4)) }),
                let data = lines.first(where: { $0.hasPrefix("data: ") })
            else { return nil }
            return (id, String(data.dropFirst(6)))
        }
    }

    @Test func eventsResumeAfterTheGivenIndexWithTheFeedsJSON() async throws {
        let station = try HTTPTestStation(entries: 10)
        let expected = try station.store.entries(start: 4, limit: 3)
        try await station.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/events?after=3&max=3", method: .get, headers: station.authorization(.caseSystem))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = Self.events(String(buffer: response.body))
            #expect(events.map(\.id) == [4, 5, 6])
            #expect(
                events.map(\.data)
                    == expected.map { String(decoding: CanonicalJSON.encode($0.feedValue), as: UTF8.self) })
        }
    }

    @Test func lastEventIDResumesAfterThatEntry() async throws {
        let station = try HTTPTestStation(entries: 10)
        try await station.application().test(.router) { client in
            var headers = station.authorization(.auditor)
            headers[HTTPField.Name("Last-Event-ID")!] = "7"
            let response = try await client.execute(uri: "/v1/events?max=2", method: .get, headers: headers)
            #expect(Self.events(String(buffer: response.body)).map(\.id) == [8, 9])
        }
    }

    @Test func entriesAppendedWhileStreamingAreSent() async throws {
        let station = try HTTPTestStation(entries: 3)
        try await station.application().test(.router) { client in
            async let response = client.execute(
                uri: "/v1/events?after=2&max=2", method: .get, headers: station.authorization(.caseSystem))
            // Appended by another writer after the stream started (or before: `after` makes both the same).
            _ = try station.store.append(contentsOf: try SampleEntries.notes(2, prefix: "live"))
            let stream = try await response
            let events = Self.events(String(buffer: stream.body))
            #expect(events.map(\.id) == [3, 4])
            #expect(events.allSatisfy { $0.data.contains("live") })
        }
    }

    @Test func anOfficerMayNotFollowTheFeedAndABadResumePointIs400() async throws {
        let station = try HTTPTestStation()
        try await station.application().test(.router) { client in
            let officer = try await client.execute(
                uri: "/v1/events", method: .get, headers: station.authorization(.officer))
            #expect(officer.status == .forbidden)
            let bad = try await client.execute(
                uri: "/v1/events?after=-1", method: .get, headers: station.authorization(.caseSystem))
            #expect(bad.status == .badRequest)
        }
    }
}
