import FuzzCommon
@_spi(Fuzzing) import SpikeIO

/// The Python-literal parser of `.npy` headers, on its own (the NPY target reaches it only behind a valid
/// preamble). Input bytes are read as latin-1, as `.npy` 1.0 and 2.0 headers are.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var text = ""
    text.unicodeScalars.reserveCapacity(size)
    for b in UnsafeBufferPointer(start: data, count: size) { text.unicodeScalars.append(Unicode.Scalar(b)) }
    if let repr = SpikeIOFuzzing.pythonLiteral(text) {
        // What parsed renders (error messages quote it) and, for values without strings, reads back the same.
        if !repr.contains("'") { Fuzz.check(SpikeIOFuzzing.pythonLiteral(repr) == repr, "\(repr) does not read back") }
    }
    return 0
}
