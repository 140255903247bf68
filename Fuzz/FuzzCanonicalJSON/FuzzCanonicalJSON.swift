import CustodyManifest

/// libFuzzer's entry point for the canonical JSON parser and manifest entries (docs/fuzzing.md).
///
/// Runs `CanonicalJSONFuzzCheck.check` and traps when an invariant does not hold, so that libFuzzer keeps
/// the input as a crasher.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let violation = CanonicalJSONFuzzCheck.check(bytes) {
        fatalError("invariant broken: \(violation)")
    }
    return 0
}
