public import CustodyManifest
public import Hummingbird
import Logging

extension Response {
    /// The answer to a write that appended entries: 201 with `{"entry":{"index","leaf"},"type"}`, or
    /// `{"entries":[…],"type"}` when the write appended several entries (docs/http.md).
    public static func written(_ type: EntryType, _ entries: [StoredEntry]) -> Response {
        let references: [JSONValue] = entries.map {
            .object(["index": .int(Int64($0.index)), "leaf": .string($0.leafHash.hex)])
        }
        var answer: [String: JSONValue] = ["type": .string(type.rawValue)]
        if references.count == 1 { answer["entry"] = references[0] } else { answer["entries"] = .array(references) }
        return .json(.object(answer), status: .created)
    }

    /// The answer to a write that had nothing left to do (every clip already linked): 200, no entry appended.
    public static func unchanged(_ type: EntryType, message: String) -> Response {
        .json(["type": .string(type.rawValue), "entries": .array([]), "message": .string(message)])
    }
}

extension CustodyRequestContext {
    /// Logs an appended entry under the caller's name (already in the logger's metadata), never a token.
    func logWritten(_ type: EntryType, _ entries: [StoredEntry]) {
        for entry in entries {
            logger.notice(
                "register entry appended over HTTP",
                metadata: ["entry.type": "\(type.rawValue)", "entry.index": "\(entry.index)"])
        }
    }
}
