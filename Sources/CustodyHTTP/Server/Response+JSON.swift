public import CustodyManifest
public import Hummingbird

extension Response {
    /// A JSON response whose body is `value` in canonical JSON (the manifest's own encoding: sorted keys, no
    /// insignificant whitespace), so that what the feed serves is byte-for-byte reproducible.
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(value))))
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension HTTPError {
    /// The HTTP error for a manifest error: a request the manifest refuses is 400, 409 or 422, anything else is 500
    /// with the message logged but not its cause.
    public init(_ error: ManifestError) {
        switch error.code {
        case .invalidRequest: self.init(.badRequest, message: error.message)
        case .invalidEntry: self.init(.unprocessableContent, message: error.message)
        case .conflict: self.init(.conflict, message: error.message)
        default: self.init(.internalServerError, message: "the manifest could not answer: \(error.message)")
        }
    }
}

/// Runs a manifest call, turning its typed error into an HTTP error.
func manifest<T>(_ body: () throws(ManifestError) -> T) throws(HTTPError) -> T {
    do {
        return try body()
    } catch {
        throw HTTPError(error)
    }
}
