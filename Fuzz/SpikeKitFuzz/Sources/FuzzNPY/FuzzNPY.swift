import FuzzCommon
import Foundation
import SpikeCore
import SpikeIO

/// `.npy` reading (`NPY.decode`: preamble, Python-literal header, dtype conversion). A file that reads is written
/// back as float32 and must read back to the same shape and bits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let tensor: Tensor
    do {
        tensor = try NPY.decode(Fuzz.data(data, size), name: "fuzz.npy")
    } catch {
        Fuzz.checkMessage("\(error)")
        return 0
    }
    let again = try? NPY.decode(NPY.encode(tensor), name: "again.npy")
    Fuzz.check(again?.shape == tensor.shape, "shape \(tensor.shape) does not read back")
    Fuzz.check(again?.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "values do not read back")
    return 0
}
