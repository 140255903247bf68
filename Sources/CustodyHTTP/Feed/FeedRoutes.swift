import CustodyCore
public import CustodyManifest
public import Hummingbird

/// The verifiable feed (shared/DESIGN.md "HTTP"): the latest signed checkpoint, entries in order, and RFC 9162
/// inclusion and consistency proofs, for the case system and any third-party verifier (Art 28).
public struct FeedRoutes: Sendable {
    /// The most entries one `GET /v1/entries` returns.
    public static let maximumPage = 1000

    let store: ManifestStore

    /// Serves the feed of `store`.
    public init(store: ManifestStore) {
        self.store = store
    }

    /// Adds the routes under `/v1`.
    public func register(on router: Router<CustodyRequestContext>) {
        let v1 = router.group("v1")
        v1.get("checkpoint") { _, context in try self.checkpoint(context) }
        v1.get("entries") { request, context in try self.entries(request, context) }
        v1.get("proof/inclusion") { request, context in try self.inclusion(request, context) }
        v1.get("proof/consistency") { request, context in try self.consistency(request, context) }
    }

    func checkpoint(_ context: CustodyRequestContext) throws -> Response {
        try context.require(anyOf: [.readFeed, .readOwnClips])
        guard let checkpoint = try manifest({ () throws(ManifestError) in try store.latestCheckpoint() }) else {
            throw HTTPError(.notFound, message: "no checkpoint is signed yet; custodyd signs one at start-up")
        }
        return .text(checkpoint.note)
    }

    func entries(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        try context.require(.readFeed)
        let start = try request.uri.queryParameters.require("start", as: UInt64.self)
        let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
        guard (1...Self.maximumPage).contains(limit) else {
            throw HTTPError(.badRequest, message: "limit must be between 1 and \(Self.maximumPage)")
        }
        let (size, page) = try manifest { () throws(ManifestError) in
            let size = try store.size()
            return (size, start >= size ? [] : try store.entries(start: start, limit: limit))
        }
        return .json([
            "size": .int(Int64(size)),
            "entries": .array(page.map { $0.feedValue }),
        ])
    }

    func inclusion(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        try context.require(.readFeed)
        let index = try request.uri.queryParameters.require("index", as: UInt64.self)
        let size = try request.uri.queryParameters.require("size", as: UInt64.self)
        let proof = try manifest { () throws(ManifestError) in
            let current = try store.size()
            guard index < size, size <= current else {
                throw ManifestError(.invalidRequest, "need index < size ≤ \(current), the tree's size")
            }
            return try store.inclusionProof(index: index, size: size)
        }
        return .json(proof.feedValue)
    }

    func consistency(_ request: Request, _ context: CustodyRequestContext) throws -> Response {
        try context.require(.readFeed)
        let from = try request.uri.queryParameters.require("from", as: UInt64.self)
        let to = try request.uri.queryParameters.require("to", as: UInt64.self)
        let proof = try manifest { () throws(ManifestError) in
            let current = try store.size()
            guard from >= 1, from <= to, to <= current else {
                throw ManifestError(.invalidRequest, "need 1 ≤ from ≤ to ≤ \(current), the tree's size")
            }
            return try store.consistencyProof(from: from, to: to)
        }
        return .json(proof.feedValue)
    }
}

extension StoredEntry {
    /// The entry as the feed serves it: index, leaf hash, and the body as a string holding the exact canonical JSON
    /// bytes that were hashed, so a consumer can recompute the leaf.
    public var feedValue: JSONValue {
        ["index": .int(Int64(index)), "leaf": .string(leafHash.hex), "body": .string(text)]
    }
}

extension InclusionProof {
    /// The proof as the feed and `custody prove --json` give it.
    public var feedValue: JSONValue {
        [
            "index": .int(Int64(index)), "size": .int(Int64(size)), "leaf": .string(leafHash.hex),
            "root": .string(root.hex), "proof": .array(path.map { .string($0.hex) }),
        ]
    }
}

extension ConsistencyProof {
    /// The proof as the feed and `custody prove --json` give it.
    public var feedValue: JSONValue {
        [
            "from": .int(Int64(oldSize)), "to": .int(Int64(newSize)), "old_root": .string(oldRoot.hex),
            "new_root": .string(newRoot.hex), "proof": .array(path.map { .string($0.hex) }),
        ]
    }
}
