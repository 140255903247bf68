import CustodyCore
import CustodyHTTP
import CustodyManifest
import CustodyTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// docs/openapi.yaml against the server: every documented operation is called on a populated station as its
/// `x-test-requests` say, and each answer's status, content type and JSON body must be the documented ones; the
/// routes served and the operations documented must be the same set. The convention is at the top of the file.
@Suite struct OpenAPIContractTests {
    /// The specification, parsed from YAML by Debian's python3-yaml into JSON (the Swift toolchain has no YAML
    /// parser, and the registries these machines reach carry no Swift one).
    static func specification() throws -> JSONValue {
        let file = CommandRunner.packageRoot.appendingPathComponent("docs/openapi.yaml")
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [
                "-c",
                "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), sys.stdout, "
                    + "sort_keys=True, separators=(',', ':'), ensure_ascii=False)",
                file.path,
            ])
        guard result.status == 0 else {
            throw ContractFailure(
                "cannot parse docs/openapi.yaml (apt-get install python3-yaml): \(result.standardError)")
        }
        return try CanonicalJSON.decode(Array(result.standardOutput.utf8))
    }

    struct ContractFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// One documented operation.
    struct Operation {
        let path: String
        let method: String
        let value: JSONValue
        var name: String { "\(method.uppercased()) \(path)" }
    }

    static let methods = ["get", "put", "post", "delete", "patch"]

    static func operations(_ spec: JSONValue) throws -> [Operation] {
        let paths = try #require(spec["paths"]?.objectValue)
        return paths.keys.sorted().flatMap { path in
            methods.compactMap { method in paths[path]?[method].map { Operation(path: path, method: method, value: $0) }
            }
        }
    }

    /// A station with a registered officer, a stored clip of that officer, a purged clip, the register of
    /// `populateRegister()` (officers, clips, gaps, a case link, a hold) for the writes, and a checkpoint.
    static func populatedStation() throws -> (HTTPTestStation, [String: String]) {
        let station = try HTTPTestStation(entries: 5)
        try station.store.registerOfficer(HTTPTestStation.officer, time: Date())
        let clip = try station.ingest((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 31) })
        let gone = try station.ingest(Array(repeating: 7, count: 100), name: "20261130_090000_0002.MP4")
        try station.purge(gone)
        let register = try station.populateRegister()  // signs a checkpoint
        return (
            station,
            [
                "clip": clip.sha256.hex, "clipEntry": "\(clip.entry.index)", "clipLeaf": clip.entry.leafHash.hex,
                "purgedClip": gone.sha256.hex, "unknownClip": String(repeating: "0f", count: 32),
                "registerClip": register.clips[1], "linkedClip": register.clips[0], "linkedCase": register.linkedCase,
                "gap": "\(register.ownGap)", "hold": "\(register.hold)", "officer": register.officers[0],
                "officer2": register.officers[1], "adminToken": station.tokens[.admin]!,
            ]
        )
    }

    static func fill(_ template: String, _ placeholders: [String: String], size: UInt64) -> String {
        var text = template
        var values = placeholders
        values["size"] = "\(size)"
        values["last"] = "\(size - 1)"
        for (key, value) in values { text = text.replacingOccurrences(of: "{\(key)}", with: value) }
        return text
    }

    /// The start of a response's body, for a message.
    static func excerpt(_ response: TestResponse) -> String { String(String(buffer: response.body).prefix(300)) }

    /// The documented response for `status`: the operation's own, with a `$ref` resolved.
    static func documentedResponse(_ operation: Operation, status: Int, spec: JSONValue) -> JSONValue? {
        guard let response = operation.value["responses"]?["\(status)"] else { return nil }
        return SchemaChecker(spec: spec).resolve(response)
    }

    @Test func everyDocumentedOperationAnswersAsDocumented() async throws {
        let spec = try Self.specification()
        let (station, placeholders) = try Self.populatedStation()
        let checker = SchemaChecker(spec: spec)
        let operations = try Self.operations(spec)
        #expect(!operations.isEmpty)
        try await station.application().test(.router) { client in
            for operation in operations {
                let declared = operation.value["x-test-requests"]?.arrayValue
                let requests = declared ?? [["path": .string(operation.path)]]
                if declared == nil && operation.path.contains("{") {
                    Issue.record("\(operation.name): a path with parameters needs x-test-requests")
                    continue
                }
                let documented = (operation.value["responses"]?.objectValue ?? [:]).keys.compactMap { Int($0) }.sorted()
                // A redirect is the documented success of the admin sign-in and sign-out forms.
                guard let success = documented.first(where: { (200..<400).contains($0) }) else {
                    Issue.record("\(operation.name): documents no 2xx or 3xx response")
                    continue
                }
                var succeeded = false
                for request in requests {
                    let target = Self.fill(
                        try #require(request["path"]?.stringValue), placeholders, size: try station.store.size())
                    let method = HTTPRequest.Method(
                        rawValue: (request["method"]?.stringValue ?? operation.method).uppercased())!
                    let role = request["role"]?.stringValue ?? "admin"
                    var headers = HTTPFields()
                    if role != "none" {
                        headers = station.authorization(
                            try #require(AccessRole(rawValue: role), "unknown role \(role)"))
                    }
                    for (name, value) in request["headers"]?.objectValue ?? [:] {
                        headers[try #require(HTTPField.Name(name))] = value.stringValue
                    }
                    var body: ByteBuffer?
                    if let form = request["form"]?.stringValue {
                        headers[.contentType] = "application/x-www-form-urlencoded"
                        body = ByteBuffer(string: Self.fill(form, placeholders, size: try station.store.size()))
                    } else if let json = request["body"] {
                        headers[.contentType] = "application/json"
                        let text = String(decoding: CanonicalJSON.encode(json), as: UTF8.self)
                        body = ByteBuffer(string: Self.fill(text, placeholders, size: try station.store.size()))
                    }
                    let expected = request["status"]?.intValue.map(Int.init) ?? success
                    let response = try await client.execute(uri: target, method: method, headers: headers, body: body)
                    let context = "\(operation.name) as \(role) at \(target)"
                    #expect(
                        Int(response.status.code) == expected,
                        "\(context): status \(response.status.code), expected \(expected): \(Self.excerpt(response))"
                    )
                    guard Int(response.status.code) == expected else { continue }
                    if (200..<400).contains(expected) { succeeded = true }
                    guard let documentedResponse = Self.documentedResponse(operation, status: expected, spec: spec)
                    else {
                        Issue.record("\(context): status \(expected) is not documented")
                        continue
                    }
                    let contents = documentedResponse["content"]?.objectValue ?? [:]
                    let mediaType = response.headers[.contentType].map {
                        String($0.split(separator: ";")[0]).trimmingCharacters(in: .whitespaces)
                    }
                    if !contents.isEmpty {
                        guard let mediaType, let content = contents[mediaType] else {
                            Issue.record(
                                "\(context): Content-Type \(response.headers[.contentType] ?? "none") is not documented"
                            )
                            continue
                        }
                        if let schema = content["schema"] {
                            do {
                                let value = try CanonicalJSON.decode(Array(response.body.readableBytesView))
                                for problem in checker.problems(value, schema, at: "$") {
                                    Issue.record("\(context): \(problem)")
                                }
                            } catch {
                                Issue.record("\(context): the body is not canonical JSON: \(error)")
                            }
                        }
                    }
                }
                #expect(succeeded, "\(operation.name): no x-test-request got a documented 2xx answer")
                // Every secured operation refuses a request without a token, as documented.
                let secured = (operation.value["security"] ?? spec["security"])?.arrayValue?.isEmpty == false
                if secured, let first = requests.first?["path"]?.stringValue {
                    let target = Self.fill(first, placeholders, size: try station.store.size())
                    let response = try await client.execute(
                        uri: target, method: HTTPRequest.Method(rawValue: operation.method.uppercased())!)
                    // 401, or what the operation documents instead (the admin pages send a browser to the sign-in form).
                    let refused = operation.value["x-without-token"]?.intValue.map(Int.init) ?? 401
                    #expect(Int(response.status.code) == refused, "\(operation.name) without a token")
                    #expect(
                        operation.value["responses"]?["\(refused)"] != nil,
                        "\(operation.name) does not document \(refused)")
                }
            }
        }
    }

    @Test func theRoutesServedAreTheOperationsDocumented() throws {
        let spec = try Self.specification()
        let documented = Set(try Self.operations(spec).map(\.name))
        let station = try HTTPTestStation(entries: 0)
        let served = Set(
            CustodyHTTPServer.router(station.dependencies()).routes.map { route in
                let path = "\(route.path)".split(separator: "/").map { segment in
                    segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
                }.joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            })
        #expect(served.subtracting(documented).isEmpty, "served but not documented in docs/openapi.yaml")
        #expect(documented.subtracting(served).isEmpty, "documented in docs/openapi.yaml but not served")
    }

    @Test func theSchemaCheckerCatchesWhatItMust() throws {
        let spec = try Self.specification()
        let checker = SchemaChecker(spec: spec)
        let entry: JSONValue = ["$ref": "#/components/schemas/Entry"]
        let good: JSONValue = ["index": 1, "leaf": .string(String(repeating: "a", count: 64)), "body": "{}"]
        #expect(checker.problems(good, entry, at: "$").isEmpty)
        #expect(
            !checker.problems(["index": 1, "leaf": .string(String(repeating: "a", count: 64))], entry, at: "$").isEmpty)
        #expect(
            !checker.problems(
                ["index": "1", "leaf": .string(String(repeating: "a", count: 64)), "body": "{}"], entry, at: "$"
            ).isEmpty)
        #expect(
            !checker.problems(
                ["index": 1, "leaf": .string(String(repeating: "A", count: 64)), "body": "{}"], entry, at: "$"
            ).isEmpty)
        #expect(
            !checker.problems(
                ["index": -1, "leaf": .string(String(repeating: "a", count: 64)), "body": "{}"], entry, at: "$"
            ).isEmpty)
        #expect(!checker.problems(.array([]), entry, at: "$").isEmpty)
    }
}

/// A small JSON Schema checker for the subset docs/openapi.yaml uses (OpenAPI 3.1 schemas are JSON Schema
/// 2020-12): `$ref` within the document, `type` (one or several), `required`, `properties`,
/// `additionalProperties: false`, `items`, `enum`, `pattern`, `minimum`, `maximum`, `oneOf`, `anyOf`.
struct SchemaChecker {
    let spec: JSONValue

    /// `value` with a local `$ref` followed (repeatedly).
    func resolve(_ value: JSONValue) -> JSONValue {
        var current = value
        var hops = 0
        while let reference = current["$ref"]?.stringValue, reference.hasPrefix("#/"), hops < 32 {
            var target: JSONValue? = spec
            for part in reference.dropFirst(2).split(separator: "/") { target = target?[String(part)] }
            guard let target else { return current }
            current = target
            hops += 1
        }
        return current
    }

    func problems(_ value: JSONValue, _ schemaValue: JSONValue, at location: String) -> [String] {
        let schema = resolve(schemaValue)
        if schemaValue["$ref"] != nil, schema["$ref"] != nil {
            return ["\(location): unresolvable \(schemaValue["$ref"]!)"]
        }
        var found = [String]()
        if let types = schema["type"] {
            let names = types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue].compactMap { $0 }
            if !names.contains(where: { Self.has(type: $0, value) }) {
                return [
                    "\(location): expected \(names.joined(separator: " or ")), got \(Self.text(value))"
                ]
            }
        }
        if let choices = schema["oneOf"]?.arrayValue {
            let matching = choices.filter { problems(value, $0, at: location).isEmpty }.count
            if matching != 1 {
                found.append("\(location): matches \(matching) of oneOf's \(choices.count) schemas, not 1")
            }
        }
        if let choices = schema["anyOf"]?.arrayValue,
            !choices.contains(where: { problems(value, $0, at: location).isEmpty })
        {
            found.append("\(location): matches none of anyOf's schemas")
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            found.append(
                "\(location): \(Self.text(value)) is not one of the enum's values"
            )
        }
        if let pattern = schema["pattern"]?.stringValue, let text = value.stringValue {
            let expression = try? NSRegularExpression(pattern: pattern)
            let range = NSRange(text.startIndex..., in: text)
            if expression?.firstMatch(in: text, range: range) == nil {
                found.append("\(location): \"\(text.prefix(80))\" does not match \(pattern)")
            }
        }
        if let number = value.intValue {
            if let minimum = schema["minimum"]?.intValue, number < minimum {
                found.append("\(location): \(number) < minimum \(minimum)")
            }
            if let maximum = schema["maximum"]?.intValue, number > maximum {
                found.append("\(location): \(number) > maximum \(maximum)")
            }
        }
        if let object = value.objectValue {
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
                found.append("\(location): the required property \"\(name)\" is missing")
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, member) in object {
                if let property = properties[name] {
                    found += problems(member, property, at: "\(location).\(name)")
                } else if schema["additionalProperties"] == .bool(false) {
                    found.append("\(location): the property \"\(name)\" is not documented")
                } else if let additional = schema["additionalProperties"], additional.objectValue != nil {
                    found += problems(member, additional, at: "\(location).\(name)")
                }
            }
        }
        if let array = value.arrayValue, let items = schema["items"] {
            for (index, element) in array.enumerated() {
                found += problems(element, items, at: "\(location)[\(index)]")
            }
        }
        return found
    }

    /// `value` as canonical JSON text, for a message.
    static func text(_ value: JSONValue) -> String {
        String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }

    static func has(type: String, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("string", .string),
            ("array", .array), ("object", .object):
            true
        default: false
        }
    }
}
