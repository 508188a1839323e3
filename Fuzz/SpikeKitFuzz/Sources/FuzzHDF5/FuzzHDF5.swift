import FuzzCommon
import Foundation
import SpikeIO

/// HDF5 reading (`HDF5File(bytes:)`: superblock, object headers, B-trees and heaps, then `validateAll()`, which
/// walks every group, dataset and attribute and reads every value with the reader's allocation limit).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        let file = try HDF5File(bytes: Fuzz.bytes(data, size), name: "fuzz.h5")
        try file.validateAll()
    } catch {
        Fuzz.checkMessage("\(error)")
    }
    return 0
}
