import CustodyManifest

/// libFuzzer's entry point for the inclusion and consistency proof verifiers (docs/fuzzing.md).
///
/// Runs `MerkleProofFuzzCheck.check` and traps when an invariant does not hold, so that libFuzzer keeps
/// the input as a crasher.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let violation = MerkleProofFuzzCheck.check(bytes) {
        fatalError("invariant broken: \(violation)")
    }
    return 0
}
