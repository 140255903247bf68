import Foundation

/// A `Range: bytes=…` request header (RFC 9110 §14.1.2), reduced to what the footage route serves: one range.
///
/// `bytes=a-b`, `bytes=a-` and `bytes=-n` are understood. Several ranges in one header are refused (the caller
/// asks again, one range per request), and so is any syntax error; a unit other than `bytes` is ignored, as RFC 9110
/// §14.2 allows.
public enum ByteRangeRequest: Sendable, Equatable {
    /// From `first` to `last` inclusive; `last` nil means to the end.
    case from(first: UInt64, last: UInt64?)
    /// The last `count` bytes.
    case suffix(count: UInt64)

    /// Why a `Range` header was not served.
    public enum Problem: Error, Equatable {
        /// Not `bytes=…` in the grammar of RFC 9110 §14.1.2, or more than one range.
        case malformed
        /// Well formed, but no byte of the object is in it (RFC 9110 §15.5.17).
        case unsatisfiable
    }

    /// Parses a `Range` header; nil when its unit is not `bytes` (the header is then ignored).
    public static func parse(_ header: String) throws(Problem) -> ByteRangeRequest? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let equals = trimmed.firstIndex(of: "=") else { throw .malformed }
        guard trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased() == "bytes" else { return nil }
        let spec = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { throw .malformed }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), first.count <= 19, last.count <= 19
        else { throw .malformed }
        switch (UInt64(first), UInt64(last)) {
        case (nil, nil): throw .malformed
        case (nil, let count?): return .suffix(count: count)
        case (let first?, nil): return .from(first: first, last: nil)
        case (let first?, let last?):
            guard first <= last else { throw .malformed }
            return .from(first: first, last: last)
        }
    }

    /// The inclusive byte bounds this request selects in an object of `size` bytes (RFC 9110 §14.1.2: a last byte
    /// past the end is the end; a suffix longer than the object is the whole object).
    public func resolve(size: UInt64) throws(Problem) -> ClosedRange<UInt64> {
        switch self {
        case .from(let first, let last):
            guard first < size else { throw .unsatisfiable }
            return first...min(last ?? (size - 1), size - 1)
        case .suffix(let count):
            guard count > 0, size > 0 else { throw .unsatisfiable }
            return (size - min(count, size))...(size - 1)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
