/// One fuzz input through the canonical JSON parser and ``ManifestEntry/init(body:)``, with their invariants
/// (issue 9, docs/fuzzing.md).
///
/// Shared by the libFuzzer target `Fuzz/FuzzCanonicalJSON` and by the regression tests that replay the kept corpus
/// and crashers in every `make test`, so both run exactly the same code.
public enum CanonicalJSONFuzzCheck {
    /// Parses `bytes` and returns a description of the first invariant that does not hold, or nil when all hold.
    ///
    /// The invariants: the parser alone (without ``CanonicalJSON/decode(_:)``'s own re-encoding check) accepts only
    /// bytes that re-encode to themselves, and what it accepts decodes again to the same value;
    /// ``CanonicalJSON/decode(_:)`` agrees with the parser; an accepted ``ManifestEntry`` keeps exactly the bytes it
    /// was given. A trap (an out-of-bounds index, an overflow) is a failure too, found by the fuzzer as a crash.
    public static func check(_ bytes: [UInt8]) -> String? {
        var parser = CanonicalJSONParser(bytes)
        let parsed = try? parser.parseDocument()
        let decoded = try? CanonicalJSON.decode(bytes)
        if let parsed {
            let encoded = CanonicalJSON.encode(parsed)
            guard encoded == bytes else {
                return "the parser accepted \(describe(bytes)), which re-encodes to \(describe(encoded))"
            }
            guard decoded == parsed else {
                return "the parser accepted \(describe(bytes)) but CanonicalJSON.decode refused it"
            }
        } else if decoded != nil {
            return "CanonicalJSON.decode accepted \(describe(bytes)), which the parser refuses"
        }
        // The audit's fast scanner: never "canonical" where the parser refuses, and "canonical" wherever the parser
        // accepts and every object key is plain ASCII (the only keys it decides on bytes alone).
        if case .canonical = CanonicalJSONScanner.scan(bytes) {
            guard parsed != nil else {
                return "the scanner accepted \(describe(bytes)), which the parser refuses"
            }
        } else if let parsed, hasOnlyPlainKeys(parsed) {
            return "the parser accepted \(describe(bytes)) but the scanner left it undecided"
        }
        let entry = try? ManifestEntry(body: bytes)
        if ManifestEntry.isCertainlyValid(body: bytes), entry == nil {
            return "the audit's fast path accepted \(describe(bytes)) as an entry, which ManifestEntry refuses"
        }
        if let entry, hasOnlyPlainKeys(entry.value), !ManifestEntry.isCertainlyValid(body: bytes) {
            return "the audit's fast path left the valid entry \(describe(bytes)) undecided"
        }
        if let entry {
            guard let parsed, entry.value == parsed else {
                return "ManifestEntry accepted \(describe(bytes)), which is not canonical JSON"
            }
            guard entry.body == bytes else {
                return "ManifestEntry accepted \(describe(bytes)) but keeps other bytes, \(describe(entry.body))"
            }
        }
        return nil
    }

    /// Whether every object key in `value` is printable ASCII without `"` or `\`.
    static func hasOnlyPlainKeys(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let elements): elements.allSatisfy(hasOnlyPlainKeys)
        case .object(let members):
            members.allSatisfy { key, member in
                key.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
                    && hasOnlyPlainKeys(member)
            }
        default: true
        }
    }

    /// The first bytes of `bytes` as text, for a failure message.
    static func describe(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return "\"\(text)\"" + (bytes.count > 200 ? "… (\(bytes.count) bytes)" : "")
    }
}
