/// One fuzz input through the PTP codec: containers, datasets and DateTime strings as a recorder might send them
/// (issue 9, docs/fuzzing.md).
///
/// Shared by the libFuzzer target `Fuzz/FuzzPTPCodec` and by the regression tests that replay the kept corpus and
/// crashers in every `make test`. Byte 0 chooses the decoder (``Decoder``); the rest is what the device sent.
public enum PTPCodecFuzzCheck {
    /// The decoder an input is for: its first byte, modulo the number of cases.
    public enum Decoder: UInt8, CaseIterable, Sendable {
        case parameterContainer, containerHeader, deviceInfo, objectInfo, objectPropertyList, dateTime
    }

    /// An input for `decoder` carrying `payload`, for writing seeds.
    public static func input(_ decoder: Decoder, _ payload: [UInt8]) -> [UInt8] { [decoder.rawValue] + payload }

    /// Decodes the input and returns a description of the first invariant that does not hold, or nil when all hold.
    ///
    /// The invariants: decoding returns a value or throws ``PTPError`` (a trap is found by the fuzzer as a crash);
    /// a container re-encodes to exactly the bytes it came from; a dataset or DateTime that was accepted encodes
    /// again, and decoding that encoding gives the same value (a dataset may spell an empty string two ways).
    public static func check(_ bytes: [UInt8]) -> String? {
        guard let first = bytes.first else { return nil }
        let payload = Array(bytes.dropFirst())
        switch Decoder(rawValue: first % UInt8(Decoder.allCases.count))! {
        case .parameterContainer:
            guard let container = try? PTPParameterContainer(decoding: payload) else { return nil }
            return container.encoded == payload ? nil : "a container does not re-encode to its bytes: \(container)"
        case .containerHeader:
            guard let header = try? PTPContainerHeader(decoding: payload) else { return nil }
            return header.encoded == Array(payload.prefix(12)) ? nil : "a header does not re-encode: \(header)"
        case .deviceInfo:
            return roundTrip(payload, decode: PTPDeviceInfo.init(decoding:), encode: { try $0.encoded() })
        case .objectInfo:
            return roundTrip(payload, decode: { try PTPObjectInfo(decoding: $0) }, encode: { try $0.encoded() })
        case .objectPropertyList:
            return roundTrip(payload, decode: PTPObjectPropertyList.init(decoding:), encode: { try $0.encoded() })
        case .dateTime:
            guard let text = String(validating: payload, as: UTF8.self), let time = try? PTPDateTime(text) else {
                return nil
            }
            return (try? PTPDateTime(time.description)) == time ? nil : "\"\(text)\" does not read back as \(time)"
        }
    }

    static func roundTrip<Value: Equatable>(
        _ payload: [UInt8], decode: ([UInt8]) throws -> Value, encode: (Value) throws -> [UInt8]
    ) -> String? {
        guard let value = try? decode(payload) else { return nil }
        guard let encoded = try? encode(value) else { return "an accepted \(Value.self) cannot be encoded: \(value)" }
        guard encoded.count <= payload.count, (try? decode(encoded)) == value else {
            return "an accepted \(Value.self) does not survive encoding and decoding again: \(value)"
        }
        return nil
    }
}
