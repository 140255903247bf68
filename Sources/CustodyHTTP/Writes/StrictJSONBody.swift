import Foundation
public import Hummingbird
import NIOCore

/// Reads the JSON body of a write strictly: at most `http.max_body_bytes` (else 413), a JSON object whose fields
/// are all known (else 400 naming the unknown one), each of the right type (else 400 naming the field).
///
/// A write becomes evidence (Art 28): a misspelt or misplaced field must be refused, not silently dropped.
public enum StrictJSONBody {
    /// Decodes the body of `request` as `type`, turning every problem into an HTTP error whose message says what to
    /// send instead.
    public static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, context: CustodyRequestContext
    ) async throws -> T {
        let limit = context.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge(limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit)
        }
        guard buffer.readableBytes > 0 else {
            throw HTTPError(.badRequest, message: "the request needs a JSON object body; see docs/openapi.yaml")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as RequestBodyError {
            throw HTTPError(.badRequest, message: error.message)
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, message: message(error))
        }
    }

    static func tooLarge(_ limit: Int) -> HTTPError {
        HTTPError(
            .contentTooLarge,
            message: "the request body is larger than \(limit) bytes (http.max_body_bytes); send fewer clips at once")
    }

    static func message(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "the body must be a JSON object; see docs/openapi.yaml" }
            return "the field \"\(field(context.codingPath))\" must be \(describe(type))"
        case .valueNotFound(let type, let context):
            return "the field \"\(field(context.codingPath))\" must be \(describe(type)), not null"
        case .keyNotFound(let key, let context):
            return "the field \"\(field(context.codingPath + [key]))\" is missing"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON; send a JSON object" }
            return "the field \"\(field(context.codingPath))\" is malformed: \(context.debugDescription)"
        @unknown default:
            return "the body does not match the request's schema; see docs/openapi.yaml"
        }
    }

    /// The JSON type a request field must have; every array a write takes is an array of strings.
    static func describe(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Bool.self { return "true or false" }
        if type == Int.self || type == UInt64.self || type == Int64.self { return "an integer" }
        if String(describing: type).hasPrefix("Array") { return "an array of strings" }
        if String(describing: type).hasPrefix("Dictionary") { return "a JSON object" }
        return "of another type (see docs/openapi.yaml)"
    }
}

/// A body that breaks a rule of its request (an unknown field, fields that do not go together), with a message
/// that says what to send.
struct RequestBodyError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Any JSON object key, to list the keys a body actually sent.
private struct AnyKey: CodingKey {
    let stringValue: String
    let intValue: Int? = nil
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// The keyed container of `Keys`, after refusing any key that is not one of `Keys` (`RequestBodyError`).
    func strictContainer<Keys: CodingKey & CaseIterable>(
        keyedBy keys: Keys.Type
    ) throws -> KeyedDecodingContainer<Keys> {
        let sent = try container(keyedBy: AnyKey.self)
        if let unknown = sent.allKeys.first(where: { Keys(stringValue: $0.stringValue) == nil }) {
            let known = Keys.allCases.map { "\"\($0.stringValue)\"" }.sorted().joined(separator: ", ")
            throw RequestBodyError("unknown field \"\(unknown.stringValue)\"; this request takes only \(known)")
        }
        return try container(keyedBy: keys)
    }
}
