import CustodyManifest
import CustodyTesting
import Foundation
import Testing

/// custodyd's listener under load and abuse on loopback (issue 9, item 6): many concurrent feed consumers, slow and
/// stalled clients, oversized headers and bodies, malformed JSON and garbage. After each abuse a normal request
/// succeeds, and the daemon's resident memory stays bounded. Counts are modest; nothing here measures time.
@Suite(.serialized) struct HTTPAbuseTests {
    /// The daemon may grow this much (KiB) over a whole test: buffers and caches, not the abuse's bytes.
    static let memoryBoundKiB = 64 * 1024

    /// A normal request: the feed's checkpoint answers 200 with a signed note.
    static func expectServing(_ live: LiveHTTPStation, after abuse: String) throws {
        let answer = try live.get("/v1/checkpoint")
        #expect(answer?.status == 200, "custodyd stopped serving after \(abuse)")
        #expect(answer.map { String(decoding: $0.body, as: UTF8.self).contains("test.example/station-1") } == true)
    }

    @Test func fiftyConcurrentConsumersPagingEntriesAndFetchingProofsAreAllServed() throws {
        let live = try LiveHTTPStation(notes: 600)
        let before = try live.residentKiB()
        let size = try #require(
            try live.get("/v1/entries?start=0&limit=1").flatMap { try CanonicalJSON.decode($0.body)["size"]?.intValue })
        // 50 connections open at once; each round sends one request on every connection before reading any answer,
        // so the listener has 50 requests in flight.
        let connections = try (0..<50).map { _ in try RawConnection(port: live.port) }
        for round in 0..<8 {
            for (number, connection) in connections.enumerated() {
                let path: String
                switch (round + number) % 4 {
                case 0: path = "/v1/entries?start=\((number * 97 + round * 13) % Int(size))&limit=1000"
                case 1: path = "/v1/proof/inclusion?index=\((number * 31 + round) % Int(size))&size=\(size)"
                case 2: path = "/v1/proof/consistency?from=\(1 + (number * 17 + round) % Int(size))&to=\(size)"
                default: path = "/v1/checkpoint"
                }
                connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(live.token)\r\n\r\n")
            }
            for (number, connection) in connections.enumerated() {
                let answer = connection.readResponse()
                #expect(answer?.status == 200, "connection \(number), round \(round)")
            }
        }
        try Self.expectServing(live, after: "50 concurrent consumers")
        #expect(try live.residentKiB() - before < Self.memoryBoundKiB)
    }

    @Test func slowStalledAndSlowReadingClientsDoNotBlockOthers() throws {
        let live = try LiveHTTPStation(notes: 600)
        let before = try live.residentKiB()
        let request = "GET /v1/checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(live.token)\r\n\r\n"

        // Headers one byte at a time, with normal requests served in between.
        let slow = try RawConnection(port: live.port)
        for (offset, byte) in request.utf8.enumerated() {
            #expect(slow.send([byte]))
            if offset % 40 == 0 { try Self.expectServing(live, after: "\(offset) bytes of a slow request") }
        }
        #expect(slow.readResponse()?.status == 200)

        // Requests that are never finished hold connections, not the listener.
        let stalled = try (0..<30).map { _ in try RawConnection(port: live.port) }
        for connection in stalled { connection.send("GET /v1/checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Wait: ") }
        try Self.expectServing(live, after: "30 stalled requests")

        // A large answer to a client that does not read: the listener serves others meanwhile, then the whole
        // answer arrives when the client reads it, a little at a time.
        let reader = try RawConnection(port: live.port, receiveBuffer: 4096)
        reader.send(
            "GET /v1/entries?start=0&limit=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(live.token)\r\n\r\n")
        try Self.expectServing(live, after: "a client that does not read")
        let answer = try #require(reader.readResponse(chunk: 512))
        #expect(answer.status == 200)
        #expect(try CanonicalJSON.decode(answer.body)["entries"]?.arrayValue?.count ?? 0 > 600)
        #expect(try live.residentKiB() - before < Self.memoryBoundKiB)
        withExtendedLifetime(stalled) {}
    }

    @Test func oversizedHeadersAndBodiesMalformedJSONAndGarbageAreRefusedAndTheListenerStaysUp() throws {
        let live = try LiveHTTPStation(notes: 10)
        let before = try live.residentKiB()
        let auth = "Authorization: Bearer \(live.token)\r\n"

        // A 64 KiB header: refused (431 or 400) or the connection closed; never served.
        for size in [64 * 1024, 1024 * 1024] {
            let connection = try RawConnection(port: live.port)
            connection.send(
                "GET /v1/checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n\(auth)X-Big: \(String(repeating: "a", count: size))\r\n\r\n")
            let status = connection.readResponse()?.status
            #expect(status != 200, "a \(size)-byte header was accepted")
            try Self.expectServing(live, after: "a \(size)-byte header")
        }

        // A body declared beyond http.max_body_bytes (65536): 413 before a byte of it is read.
        for path in ["/v1/checkpoint", "/v1/no-such-route"] {
            let connection = try RawConnection(port: live.port)
            connection.send(
                "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(auth)Content-Type: application/json\r\n"
                    + "Content-Length: \(64 * 1024 * 1024)\r\n\r\n{\"a\":")
            connection.send(String(repeating: "x", count: 16 * 1024))
            #expect(connection.readResponse()?.status == 413, "\(path)")
            try Self.expectServing(live, after: "an oversized body to \(path)")
        }

        // Malformed JSON (there is no POST route yet: an unknown one, and a GET route).
        for path in ["/v1/no-such-route", "/v1/checkpoint"] {
            let connection = try RawConnection(port: live.port)
            let body = "{\"case\": [1, 2,, \u{0}"
            connection.send(
                "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(auth)Content-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let status = try #require(connection.readResponse()?.status)
            #expect((400..<500).contains(status), "\(path) answered \(status)")
            try Self.expectServing(live, after: "malformed JSON to \(path)")
        }

        // Garbage instead of HTTP: refused or closed.
        var generator = SeededGenerator(seed: 9)
        for length in [16, 4096, 200_000] {
            let connection = try RawConnection(port: live.port)
            connection.send((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            #expect(connection.readResponse()?.status != 200)
            try Self.expectServing(live, after: "\(length) bytes of garbage")
        }

        #expect(try live.residentKiB() - before < Self.memoryBoundKiB)
    }
}
