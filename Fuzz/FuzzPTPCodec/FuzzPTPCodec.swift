import CustodyDevices

/// libFuzzer's entry point for the PTP container and dataset codec (docs/fuzzing.md).
///
/// Runs `PTPCodecFuzzCheck.check` and traps when an invariant does not hold, so that libFuzzer keeps
/// the input as a crasher.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let violation = PTPCodecFuzzCheck.check(bytes) {
        fatalError("invariant broken: \(violation)")
    }
    return 0
}
