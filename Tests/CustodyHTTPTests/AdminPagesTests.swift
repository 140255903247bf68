import CustodyCore
import CustodyHTTP
import CustodyManifest
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The admin pages on a populated station (docs/http.md "Admin pages"): each shows its known clip, gap and the
/// officer's Chinese name, escapes a hostile name, and needs a session that the login form sets.
@Suite struct AdminPagesTests {
    /// The pages that need a session.
    static let pages = ["/admin/", "/admin/log", "/admin/recorders", "/admin/gaps", "/admin/late", "/admin/compliance"]

    /// A docked recorder halfway through its copy, as custodyd would publish it.
    static let status: StationStatus = {
        var status = StationStatus(pid: 1, started: "2026-11-30T00:00:00Z", updated: "2026-11-30T00:00:00Z")
        var recorder = StationStatus.Recorder(
            serial: HTTPTestStation.recorder, model: "DSJ-T1", bay: "bay-3", device: "/dev/sdb1", fileSystem: "exfat",
            docked: "2026-11-30T00:00:00Z")
        recorder.state = "ingesting"
        recorder.filesTotal = 4
        recorder.filesDone = 2
        recorder.bytesTotal = 400
        recorder.bytesCopied = 100
        recorder.copying = [StationStatus.Copy(path: "DCIM/100MEDIA/REC0001_0010.MP4", size: 200, bytesDone: 50)]
        status.recorders = [recorder]
        return status
    }()

    /// The populated station's application, with a docked recorder in its status.
    static func application(_ station: HTTPTestStation) -> some ApplicationProtocol {
        var dependencies = station.dependencies()
        dependencies.status = { AdminPagesTests.status }
        return Application(router: CustodyHTTPServer.router(dependencies))
    }

    /// The `Cookie` header of a browser signed in with `role`'s token.
    static func session(_ station: HTTPTestStation, _ role: AccessRole = .auditor) -> HTTPFields {
        [.cookie: "\(TokenAuthenticator.sessionCookie)=\(station.tokens[role]!)"]
    }

    static func get(
        _ client: some TestClientProtocol, _ station: HTTPTestStation, _ uri: String
    ) async throws -> (TestResponse, String) {
        let response = try await client.execute(uri: uri, method: .get, headers: session(station))
        return (response, String(buffer: response.body))
    }

    // MARK: Pages

    @Test func everyPageIsUTF8HTMLWithTheOfficersChineseName() async throws {
        let station = try HTTPTestStation()
        try station.populate()
        try await Self.application(station).test(.router) { client in
            for page in Self.pages {
                let (response, body) = try await Self.get(client, station, page)
                #expect(response.status == .ok, "\(page)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(page)")
                #expect(body.contains("<meta charset=\"utf-8\">"), "\(page)")
                #expect(body.contains(HTTPTestStation.officerName), "\(page) lacks the officer's name")
                #expect(response.body.readableBytesView.contains(0xE7), "\(page) is not UTF-8 bytes")  // 王 = E7 8E 8B
            }
        }
    }

    @Test func theIngestLogListsDocksClipsAndGapsNewestFirst() async throws {
        let station = try HTTPTestStation()
        let (clips, gap) = try station.populate()
        try await Self.application(station).test(.router) { client in
            let (_, body) = try await Self.get(client, station, "/admin/")
            let newest = try #require(body.range(of: HTTPTestStation.clipDigest(2)))
            let oldest = try #require(body.range(of: HTTPTestStation.clipDigest(0)))
            #expect(newest.lowerBound < oldest.lowerBound, "the later entry comes first")
            #expect(body.contains(HTTPTestStation.gapEvidence))
            #expect(body.contains("href=\"/admin/clips/\(HTTPTestStation.clipDigest(1))\""))
            #expect(
                body.contains("<td class=\"number\">\(gap)</td>")
                    && body.contains("<td class=\"number\">\(clips[0])</td>"))
        }
    }

    @Test func theIngestLogFiltersByRecorderOfficerAndDay() async throws {
        let station = try HTTPTestStation()
        try station.populate()
        let third = try #require(try station.store.clips(sha256: HTTPTestStation.clipDigest(2)).first)
        try await Self.application(station).test(.router) { client in
            let (_, byRecorder) = try await Self.get(
                client, station, "/admin/?recorder=\(HTTPTestStation.hostileRecorder)")
            #expect(byRecorder.contains(HTTPTestStation.clipDigest(2)))
            #expect(!byRecorder.contains(HTTPTestStation.clipDigest(0)))
            let (_, byOfficer) = try await Self.get(
                client, station, "/admin/log?officer=\(HTTPTestStation.officerCertificate)")
            #expect(byOfficer.contains(HTTPTestStation.clipDigest(0)))
            #expect(!byOfficer.contains(HTTPTestStation.clipDigest(2)))
            let day = String(RFC3339.format(third.ingestTime).prefix(10))
            let (_, byDay) = try await Self.get(client, station, "/admin/?date=\(day)")
            #expect(byDay.contains(HTTPTestStation.clipDigest(2)))
            #expect(!byDay.contains(HTTPTestStation.clipDigest(1)))
            let (bad, _) = try await Self.get(client, station, "/admin/?date=yesterday")
            #expect(bad.status == .badRequest)
        }
    }

    @Test func theIngestLogPagesOlderEntries() async throws {
        let station = try HTTPTestStation()
        let now = Date()
        let pageSize = 50  // IngestLogPage.pageSize
        for n in 0..<(pageSize + 5) {
            _ = try station.store.append(
                .ingestInterrupted(
                    recorder: RecorderIdentity(serial: "REC0009", model: "DSJ-T1"),
                    path: RecorderPath("DCIM/F\(n).MP4")!, size: 100, bytesDone: 10, reason: "removed",
                    detail: "unplugged", time: now))
        }
        try await Self.application(station).test(.router) { client in
            let (_, first) = try await Self.get(client, station, "/admin/?recorder=REC0009")
            #expect(first.contains("DCIM/F\(pageSize + 4).MP4"))
            #expect(!first.contains("DCIM/F0.MP4:"))
            let link = try #require(first.firstMatch(of: /id="older" href="([^"]+)"/)).1
            let (_, second) = try await Self.get(
                client, station, String(link).replacingOccurrences(of: "&amp;", with: "&"))
            #expect(second.contains("DCIM/F0.MP4:"))
            #expect(!second.contains("id=\"older\""))
        }
    }

    @Test func theRecordersPageShowsTheDockedBayProgressAndAssignments() async throws {
        let station = try HTTPTestStation()
        try station.populate()
        try await Self.application(station).test(.router) { client in
            let (_, body) = try await Self.get(client, station, "/admin/recorders")
            #expect(body.contains("bay-3"))
            #expect(body.contains("<progress max=\"100\" value=\"25\">"))
            #expect(body.contains("2 of 4 files"))
            #expect(body.contains("DCIM/100MEDIA/REC0001_0010.MP4"))
            #expect(body.contains(HTTPTestStation.hostileRecorder))
            #expect(body.contains("<span class=\"officer-name\">\(HTTPTestStation.officerName)</span>"))
        }
    }

    @Test func theClipPageShowsItsCasesHoldsEntryAndAVerifiedInclusionProof() async throws {
        let station = try HTTPTestStation()
        let (clips, _) = try station.populate()
        let checkpoint = try #require(try station.store.latestCheckpoint())
        let proof = try station.store.inclusionProof(index: clips[0], size: checkpoint.size)
        let entry = try station.store.entry(at: clips[0])
        try await Self.application(station).test(.router) { client in
            let (response, body) = try await Self.get(client, station, "/admin/clips/\(HTTPTestStation.clipDigest(0))")
            #expect(response.status == .ok)
            #expect(body.contains(HTTPTestStation.clipDigest(0)))
            #expect(body.contains(HTTPTestStation.caseID))
            #expect(body.contains("(dispute)"))
            #expect(body.contains(HTTPTestStation.officerName))
            #expect(body.contains("<strong>verified</strong>"))
            #expect(body.contains(entry.leafHash.hex))
            for hash in proof.path { #expect(body.contains(hash.hex)) }
            #expect(body.contains(checkpoint.root.hex))
        }
    }

    @Test func aMalformedClipDigestIs400AndAnUnknownOneIs404() async throws {
        let station = try HTTPTestStation()
        try station.populate()
        try await Self.application(station).test(.router) { client in
            let (malformed, _) = try await Self.get(client, station, "/admin/clips/not-a-digest")
            #expect(malformed.status == .badRequest)
            let (traversal, _) = try await Self.get(client, station, "/admin/clips/..%2F..%2Fetc%2Fpasswd")
            #expect(traversal.status == .badRequest || traversal.status == .notFound)
            let (upper, _) = try await Self.get(
                client, station, "/admin/clips/\(HTTPTestStation.clipDigest(0).uppercased())")
            #expect(upper.status == .badRequest)
            let (unknown, _) = try await Self.get(client, station, "/admin/clips/\(String(repeating: "ab", count: 32))")
            #expect(unknown.status == .notFound)
        }
    }

    @Test func theGapsPageListsTheUnexplainedGapWithItsEvidence() async throws {
        let station = try HTTPTestStation()
        let (_, gap) = try station.populate()
        try await Self.application(station).test(.router) { client in
            let (_, body) = try await Self.get(client, station, "/admin/gaps")
            #expect(body.contains(HTTPTestStation.gapEvidence))
            #expect(body.contains("<td class=\"number\">\(gap)</td>"))
            #expect(body.contains("<span class=\"open\">unexplained</span>"))
            #expect(body.contains("missingSequence"))
            #expect(body.contains("<strong id=\"open-count\">1</strong>"))
        }
    }

    @Test func theLatePageShowsTheLateClipAndTheOverdueRecorder() async throws {
        let station = try HTTPTestStation()
        try station.populate()
        try await Self.application(station).test(.router) { client in
            let (_, body) = try await Self.get(client, station, "/admin/late")
            let late = try #require(body.range(of: "id=\"late-clips\""))
            #expect(body[late.lowerBound...].contains(HTTPTestStation.clipDigest(1)))
            #expect(!body.contains(HTTPTestStation.clipDigest(0)), "clip 0 was on time")
            let overdue = try #require(body.range(of: "id=\"overdue\""))
            #expect(body[overdue.lowerBound..<late.lowerBound].contains(HTTPTestStation.hostileRecorder))
            #expect(!body[overdue.lowerBound..<late.lowerBound].contains(HTTPTestStation.recorder + "<"))
        }
    }

    @Test func theComplianceSummaryShowsTheReportsFiguresAndServerDrawnCharts() async throws {
        let station = try HTTPTestStation()
        try station.populate()
        let now = Date()
        let today = String(RFC3339.format(now).prefix(10))
        let from = RFC3339.parse(today + "T00:00:00Z")!.addingTimeInterval(-29 * 86_400)
        let rows = try station.store.complianceReport(
            from: from, to: from.addingTimeInterval(30 * 86_400), by: .officer, window: UploadWindow(hours: 24),
            now: now)
        let officer = try #require(rows.first { $0.key == HTTPTestStation.officerCertificate })
        try await Self.application(station).test(.router) { client in
            let (_, body) = try await Self.get(client, station, "/admin/compliance")
            #expect(body.contains("<svg id=\"officer-hours\""))
            #expect(body.contains("<svg id=\"officer-unexplained\""))
            #expect(body.contains("<svg id=\"recorder-hours\""))
            #expect(body.contains(String(format: "%.2f h", officer.hoursRecorded)))
            #expect(body.contains("\(HTTPTestStation.officerName) \(HTTPTestStation.officerCertificate)</text>"))
            #expect(officer.unexplainedGaps == 1 && officer.lateClips == 1 && officer.clips == 2)
            #expect(body.contains("<td class=\"number\">\(String(format: "%.2f", officer.hoursRecorded))</td>"))
            let (bad, _) = try await Self.get(client, station, "/admin/compliance?from=2026-13-01")
            #expect(bad.status == .badRequest)
        }
    }

    @Test func aHostileOfficerNameIsEscapedOnEveryPage() async throws {
        let station = try HTTPTestStation()
        try station.populate()
        try await Self.application(station).test(.router) { client in
            for page in Self.pages + ["/admin/clips/\(HTTPTestStation.clipDigest(2))"] {
                let (_, body) = try await Self.get(client, station, page)
                #expect(!body.contains("<script"), "\(page) has a script element")
                if page != "/admin/gaps" {  // the only gap is 王小明's
                    #expect(body.contains("&lt;script&gt;alert(&quot;custody&quot;)&lt;/script&gt;"), "\(page)")
                }
            }
        }
    }

    // MARK: Sessions

    @Test func theLoginFormIsPublic() async throws {
        let station = try HTTPTestStation()
        try await Self.application(station).test(.router) { client in
            let response = try await client.execute(uri: "/admin/login", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: response.body).contains("<form method=\"post\" action=\"/admin/login\">"))
            #expect(!String(buffer: response.body).contains("href=\"/admin/gaps\""), "no navigation before signing in")
        }
    }

    @Test func signingInWithAnAuditorTokenSetsTheSessionCookieAndRedirects() async throws {
        let station = try HTTPTestStation()
        let token = station.tokens[.auditor]!
        try await Self.application(station).test(.router) { client in
            let response = try await client.execute(
                uri: "/admin/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(token)"))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/admin/")
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasPrefix("\(TokenAuthenticator.sessionCookie)=\(token)"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/admin"))
            #expect(!cookie.contains("Secure"), "no TLS here")
            let page = try await client.execute(
                uri: "/admin/", method: .get, headers: [.cookie: "\(TokenAuthenticator.sessionCookie)=\(token)"])
            #expect(page.status == .ok)
        }
    }

    @Test func aWrongTokenReshowsTheFormWith401AndSetsNoCookie() async throws {
        let station = try HTTPTestStation()
        try await Self.application(station).test(.router) { client in
            let response = try await client.execute(
                uri: "/admin/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=custody_wrong"))
            #expect(response.status == .unauthorized)
            #expect(response.headers[.setCookie] == nil)
            let body = String(buffer: response.body)
            #expect(body.contains("id=\"login-error\""))
            #expect(!body.contains("custody_wrong"), "the page never shows a token")
        }
    }

    @Test func aCaseSystemTokenMayNotSignIn() async throws {
        let station = try HTTPTestStation()
        try await Self.application(station).test(.router) { client in
            let response = try await client.execute(
                uri: "/admin/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(station.tokens[.caseSystem]!)"))
            #expect(response.status == .forbidden)
            #expect(response.headers[.setCookie] == nil)
        }
    }

    @Test func aPageWithoutASessionRedirectsToTheLoginButTheAPIKeeps401() async throws {
        let station = try HTTPTestStation()
        try await Self.application(station).test(.router) { client in
            for page in Self.pages + ["/admin/clips/\(HTTPTestStation.clipDigest(0))"] {
                let response = try await client.execute(uri: page, method: .get)
                #expect(response.status == .seeOther, "\(page)")
                #expect(response.headers[.location] == "/admin/login", "\(page)")
            }
            let revoked = try await client.execute(
                uri: "/admin/gaps", method: .get, headers: [.cookie: "\(TokenAuthenticator.sessionCookie)=custody_gone"]
            )
            #expect(revoked.status == .seeOther)
            #expect(revoked.headers[.setCookie]?.contains("Max-Age=0") == true)
            let api = try await client.execute(uri: "/v1/checkpoint", method: .get)
            #expect(api.status == .unauthorized)
        }
    }

    @Test func anOfficerSessionIsForbiddenThePages() async throws {
        let station = try HTTPTestStation()
        try await Self.application(station).test(.router) { client in
            let response = try await client.execute(
                uri: "/admin/", method: .get, headers: Self.session(station, .officer))
            #expect(response.status == .forbidden)
        }
    }

    @Test func signingOutClearsTheCookie() async throws {
        let station = try HTTPTestStation()
        try await Self.application(station).test(.router) { client in
            let response = try await client.execute(uri: "/admin/logout", method: .post, headers: Self.session(station))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/admin/login")
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasPrefix("\(TokenAuthenticator.sessionCookie)=;") && cookie.contains("Max-Age=0"))
        }
    }
}
