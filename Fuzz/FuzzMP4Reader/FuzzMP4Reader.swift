import CustodyIngest

/// libFuzzer's entry point for the MP4 reader (docs/fuzzing.md).
///
/// Runs `MP4ReaderFuzzCheck.check` and traps when an invariant does not hold, so that libFuzzer keeps
/// the input as a crasher.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let violation = MP4ReaderFuzzCheck.check(bytes) {
        fatalError("invariant broken: \(violation)")
    }
    return 0
}
