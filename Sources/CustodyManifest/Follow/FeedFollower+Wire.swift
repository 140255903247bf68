import CustodyCore

extension FeedFollower.Response {
    /// Parses the body of the answer to `request` in the feed's wire format (docs/http.md "The feed"): the checkpoint
    /// as text, the rest as the canonical JSON the listener writes. A proof whose sizes differ from the request's is
    /// refused.
    public init(parsing body: [UInt8], answering request: FeedFollower.Request) throws(FeedFollowError) {
        if case .checkpoint = request {
            self = .checkpoint(String(decoding: body, as: UTF8.self))
            return
        }
        let json: JSONValue
        do {
            json = try CanonicalJSON.decode(body)
        } catch {
            throw Self.malformed(request, "it is not the feed's JSON (\(error))")
        }
        switch request {
        case .checkpoint:
            preconditionFailure("handled above")
        case .consistency(let from, let to):
            guard json["from"]?.intValue == Int64(from), json["to"]?.intValue == Int64(to) else {
                throw Self.malformed(request, "its from and to are not \(from) and \(to)")
            }
            self = .consistency(try Self.hashes(json["proof"], request))
        case .inclusion(let index, let size):
            guard json["index"]?.intValue == Int64(index), json["size"]?.intValue == Int64(size) else {
                throw Self.malformed(request, "its index and size are not \(index) and \(size)")
            }
            guard let leaf = json["leaf"]?.stringValue.flatMap({ SHA256Hash(hex: $0) }) else {
                throw Self.malformed(request, "its leaf is not a hex SHA-256")
            }
            self = .inclusion(leaf: leaf, proof: try Self.hashes(json["proof"], request))
        case .entries:
            guard let list = json["entries"]?.arrayValue else { throw Self.malformed(request, "it has no entries list") }
            var entries = [FeedEntry]()
            for item in list {
                guard let index = item["index"]?.intValue, index >= 0,
                    let leaf = item["leaf"]?.stringValue.flatMap({ SHA256Hash(hex: $0) }),
                    let body = item["body"]?.stringValue
                else {
                    throw Self.malformed(request, "an entry lacks its index, leaf or body")
                }
                entries.append(FeedEntry(index: UInt64(index), leaf: leaf, body: body))
            }
            self = .entries(entries)
        }
    }

    private static func hashes(_ value: JSONValue?, _ request: FeedFollower.Request) throws(FeedFollowError)
        -> [SHA256Hash]
    {
        guard let list = value?.arrayValue else { throw malformed(request, "it has no proof list") }
        var hashes = [SHA256Hash]()
        for item in list {
            guard let hash = item.stringValue.flatMap({ SHA256Hash(hex: $0) }) else {
                throw malformed(request, "a proof hash is not a hex SHA-256")
            }
            hashes.append(hash)
        }
        return hashes
    }

    private static func malformed(_ request: FeedFollower.Request, _ reason: String) -> FeedFollowError {
        FeedFollowError(
            .rejected, "the answer to \(request.path) cannot be used: \(reason); check the URL is a Custody station's")
    }
}

extension FeedFollower.Request {
    /// The request's path and query under the station's base URL, e.g. `/v1/entries?start=0&limit=1000`.
    public var path: String {
        switch self {
        case .checkpoint: "/v1/checkpoint"
        case .consistency(let from, let to): "/v1/proof/consistency?from=\(from)&to=\(to)"
        case .inclusion(let index, let size): "/v1/proof/inclusion?index=\(index)&size=\(size)"
        case .entries(let start, let limit): "/v1/entries?start=\(start)&limit=\(limit)"
        }
    }
}
