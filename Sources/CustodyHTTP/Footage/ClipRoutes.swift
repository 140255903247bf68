import CustodyCore
public import CustodyManifest
import Foundation
public import Hummingbird
import Logging

/// A clip's metadata and footage (shared/DESIGN.md "HTTP"; docs/http.md "Clips and footage").
///
/// A clip is named by the SHA-256 of its bytes: `GET /v1/clips/{sha256}` lists every `clip.ingested` recording of
/// those bytes with its case links, open holds and purge state; `GET /v1/clips/{sha256}/content` streams the
/// footage with single byte-range requests (RFC 9110 §14). Every download is recorded as a `footage.read` entry
/// before its first byte is sent (Art 28); footage purged after its retention is 410 Gone naming the `clip.purged`
/// entry (Art 25). An officer's token reaches only clips recorded under the officer's own certificate; any other
/// clip is 404 to it, as if it did not exist.
public struct ClipRoutes: Sendable {
    let store: ManifestStore
    let footage: any FootageLocator
    let fileIO: FileIO
    let onRead: @Sendable () -> Void

    /// Serves the clips of `store` and the footage `footage` locates; `onRead` is called after each recorded read
    /// (the metrics count them).
    public init(store: ManifestStore, footage: any FootageLocator, onRead: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.footage = footage
        self.fileIO = FileIO()
        self.onRead = onRead
    }

    /// Adds the routes under `/v1/clips`.
    public func register(on router: Router<CustodyRequestContext>) {
        let clips = router.group("v1/clips")
        clips.get(":sha256") { request, context in try self.metadata(request, context) }
        clips.get(":sha256/content") { request, context in try await self.content(request, context) }
    }

    /// The recordings of the digest in the path that the caller may see, or the HTTP error to answer.
    func recordings(
        _ context: CustodyRequestContext, footagePermission: Bool
    ) throws -> (caller: Caller, digest: SHA256Hash, clips: [ClipSummary]) {
        let caller = try context.require(
            anyOf: footagePermission ? [.readFootage, .readOwnClips] : [.readFeed, .readOwnClips])
        let text = context.parameters.get("sha256") ?? ""
        guard text.utf8.count == 64,
            text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            let digest = SHA256Hash(hex: text)
        else {
            throw HTTPError(
                .badRequest, message: "a clip is named by its SHA-256: 64 lowercase hexadecimal digits")
        }
        var clips = try manifest { () throws(ManifestError) in try store.clips(sha256: digest.hex) }
        let seesAll = caller.allows(footagePermission ? .readFootage : .readFeed)
        if !seesAll {
            clips = clips.filter { $0.officerCertificate != nil && $0.officerCertificate == caller.officer }
        }
        guard !clips.isEmpty else {
            throw HTTPError(.notFound, message: "no clip with this SHA-256 was ingested here (or it is not yours)")
        }
        // Oldest recording entry first.
        return (caller, digest, clips.sorted { $0.entryIndex < $1.entryIndex })
    }

    func metadata(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        let (_, digest, clips) = try recordings(context, footagePermission: false)
        let value = try manifest { () throws(ManifestError) -> JSONValue in
            let purged = try store.purgedClips()
            let holds = try store.holds(openOnly: true)
            var recordings = [JSONValue]()
            var purge: JSONValue = .null
            for clip in clips {
                let entry = try store.entry(at: clip.entryIndex)
                let officer: JSONValue
                if let certificate = clip.officerCertificate {
                    officer = [
                        "certificate": .string(certificate),
                        "name": (try store.officer(certificate: certificate)).map { .string($0.name) } ?? .null,
                    ]
                } else {
                    officer = .null
                }
                let caseLinks = try store.caseLinks(clipEntry: clip.entryIndex)
                let links = caseLinks.map { link -> JSONValue in
                    [
                        "case": .string(link.caseID), "linkEntry": .int(Int64(link.linkEntry)),
                        "unlinkEntry": link.unlinkEntry.map { .int(Int64($0)) } ?? .null,
                    ]
                }
                let linkedCases = Set(caseLinks.filter { $0.unlinkEntry == nil }.map(\.caseID))
                // The holds `custody purge` honours (Art 26): those naming the clip, and case holds of its cases.
                let clipHolds = holds.filter { hold in
                    hold.clipEntries.contains(clip.entryIndex)
                        || (hold.scope == "case" && hold.caseID.map(linkedCases.contains) == true)
                }.map { hold -> JSONValue in
                    [
                        "entry": .int(Int64(hold.entryIndex)), "scope": .string(hold.scope),
                        "case": hold.caseID.map { .string($0) } ?? .null, "reason": .string(hold.reason),
                    ]
                }
                if let purgeIndex = purged[clip.entryIndex], purge == .null {
                    purge = try store.entry(at: purgeIndex).feedValue
                }
                let recorder: JSONValue = ["serial": .string(clip.serial), "model": .string(clip.model)]
                let reference: JSONValue = ["index": .int(Int64(entry.index)), "leaf": .string(entry.leafHash.hex)]
                let recording: JSONValue = [
                    "entry": reference,
                    "recorder": recorder,
                    "path": clip.path.map { .string($0.display) } ?? .null,
                    "size": .int(Int64(clip.size)),
                    "officer": officer,
                    "recordingStart": .string(RFC3339.format(clip.recordingStart)),
                    "recordingEnd": .string(RFC3339.format(clip.recordingEnd)),
                    "ingested": .string(RFC3339.format(clip.ingestTime)),
                    "late": .bool(clip.late),
                    "cases": .array(links),
                    "holds": .array(clipHolds),
                ]
                recordings.append(recording)
            }
            return [
                "sha256": .string(digest.hex),
                "size": .int(Int64(clips[0].size)),
                "recordings": .array(recordings),
                "purged": purge,
                "stored": .bool(footage.path(of: digest) != nil),
            ]
        }
        return .json(value)
    }

    func content(_ request: Request, _ context: CustodyRequestContext) async throws -> Response {
        let (caller, digest, clips) = try recordings(context, footagePermission: true)
        guard let path = footage.path(of: digest) else {
            let purged = try manifest { () throws(ManifestError) -> StoredEntry? in
                let purged = try store.purgedClips()
                guard let index = clips.lazy.compactMap({ purged[$0.entryIndex] }).first else { return nil }
                return try store.entry(at: index)
            }
            if let purged {
                return .json(
                    [
                        "error": [
                            "message": .string(
                                "this footage was purged after its retention (Art 25); the clip.purged entry "
                                    + "\(purged.index) says when and on whose authority; the clip's entry stays")
                        ],
                        "purged": purged.feedValue,
                    ], status: .gone)
            }
            throw HTTPError(
                .internalServerError,
                message: "the footage is missing from the store and no clip.purged entry explains it; "
                    + "run `custody verify --deep` on the station")
        }
        let size = try Self.fileSize(path)
        let etag = "\"\(digest.hex)\""
        var selected: ClosedRange<UInt64>? = size == 0 ? nil : 0...(size - 1)
        var partial = false
        if let header = request.headers[.range], Self.ifRangeMatches(request, etag: etag) {
            do throws(ByteRangeRequest.Problem) {
                if let range = try ByteRangeRequest.parse(header) {
                    selected = try range.resolve(size: size)
                    partial = true
                }
            } catch .malformed {
                throw HTTPError(
                    .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"],
                    message: "send one range per request: bytes=FIRST-LAST, bytes=FIRST- or bytes=-COUNT")
            } catch {
                throw HTTPError(
                    .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"],
                    message: "the footage is \(size) bytes; ask for a range inside it")
            }
        }
        // Art 28: the read is an entry before the first byte leaves; no entry, no bytes.
        let clipEntry = try manifest { () throws(ManifestError) in try store.entry(at: clips[0].entryIndex) }
        do {
            let entry = try ManifestEntry.footageRead(
                callerName: caller.name, callerRole: caller.role.rawValue, officer: caller.officer, clip: clipEntry,
                sha256: digest.hex,
                range: selected.map { .init(first: $0.lowerBound, last: $0.upperBound, size: size) }, partial: partial,
                time: Date())
            let stored = try store.append(entry)
            context.logger.info(
                "footage read recorded",
                metadata: [
                    "clip.sha256": "\(digest.hex)", "manifest.entry": "\(stored.index)",
                    "http.range": "\(selected.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "empty")",
                ])
        } catch {
            context.logger.error(
                "footage read not recorded; download refused",
                metadata: ["clip.sha256": "\(digest.hex)", "error": "\(error)"])
            throw HTTPError(
                .serviceUnavailable,
                message: "the station could not record this download in its manifest, so it is refused (Art 28); "
                    + "try again, and tell the station administrator if it persists")
        }
        onRead()
        var headers: HTTPFields = [
            .contentType: Self.contentType(clips), .acceptRanges: "bytes", .eTag: etag,
        ]
        guard let selected else {
            return Response(status: .ok, headers: headers, body: .init())
        }
        if partial {
            headers[.contentRange] = "bytes \(selected.lowerBound)-\(selected.upperBound)/\(size)"
        }
        let body = try await fileIO.loadFile(
            path: path, range: Int(selected.lowerBound)...Int(selected.upperBound), context: context)
        return Response(status: partial ? .partialContent : .ok, headers: headers, body: body)
    }

    /// Whether a `Range` header applies: without `If-Range`, always; with one, only when it names this ETag
    /// (RFC 9110 §13.1.5). The footage under a digest never changes, so a date never matches.
    static func ifRangeMatches(_ request: Request, etag: String) -> Bool {
        guard let condition = request.headers[.ifRange] else { return true }
        return condition.trimmingCharacters(in: .whitespaces) == etag
    }

    /// `video/mp4` when a recording's file name ends in `.mp4` or `.mov`, otherwise `application/octet-stream`.
    static func contentType(_ clips: [ClipSummary]) -> String {
        let names = clips.compactMap { $0.path?.fileName.display.lowercased() }
        if names.contains(where: { $0.hasSuffix(".mp4") }) { return "video/mp4" }
        if names.contains(where: { $0.hasSuffix(".mov") }) { return "video/quicktime" }
        return "application/octet-stream"
    }

    static func fileSize(_ path: String) throws -> UInt64 {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch {
            throw HTTPError(.internalServerError, message: "the stored footage cannot be read; see custodyd's log")
        }
    }
}
