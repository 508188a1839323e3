import FuzzCommon
import Foundation
import SpikeCore
import SpikeIO

/// safetensors reading (`SafeTensors.decode`: length prefix, JSON header, entries, data coverage). A file that
/// reads is written back (as F32) and must read back to the same names, shapes, bits and metadata.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let decoded: (tensors: [(String, Tensor)], metadata: [String: String])
    do {
        decoded = try SafeTensors.decode(Fuzz.data(data, size), name: "fuzz.safetensors")
    } catch {
        Fuzz.checkMessage("\(error)")
        return 0
    }
    do {
        let again = try SafeTensors.decode(try SafeTensors.encode(decoded.tensors, metadata: decoded.metadata), name: "again")
        Fuzz.check(again.metadata == decoded.metadata, "metadata does not read back")
        Fuzz.check(again.tensors.map(\.0) == decoded.tensors.map(\.0), "names do not read back")
        for ((_, a), (_, b)) in zip(again.tensors, decoded.tensors) {
            Fuzz.check(a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "tensor does not read back")
        }
    } catch {
        Fuzz.check(false, "a file that reads does not write and read back: \(error)")
    }
    return 0
}
