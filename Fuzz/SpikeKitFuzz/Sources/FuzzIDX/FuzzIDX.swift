import FuzzCommon
import Foundation
import SpikeData

/// IDX reading (`IDX.decode`: optional gzip, magic, type code, dimensions, data length). A file that reads must
/// hold as many values as its dimensions say.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let array: IDXArray
    do {
        array = try IDX.decode(Fuzz.bytes(data, size), name: "fuzz.idx", limit: 64 << 20)
    } catch {
        Fuzz.checkMessage("\(error)")
        return 0
    }
    Fuzz.check(array.dims.allSatisfy { $0 >= 0 }, "negative dimension in \(array.dims)")
    Fuzz.check(array.bytes.count == array.count * array.dtype.size,
               "\(array.bytes.count) data bytes for dims \(array.dims) of \(array.dtype.size)-byte values")
    Fuzz.check(array.floats().count == array.count, "floats() does not give \(array.count) values")
    return 0
}
