import CustodyManifest

/// libFuzzer's entry point for signed notes, checkpoints and verifier keys (docs/fuzzing.md).
///
/// Runs `SignedNoteFuzzCheck.check` and traps when an invariant does not hold, so that libFuzzer keeps
/// the input as a crasher.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let violation = SignedNoteFuzzCheck.check(bytes) {
        fatalError("invariant broken: \(violation)")
    }
    return 0
}
