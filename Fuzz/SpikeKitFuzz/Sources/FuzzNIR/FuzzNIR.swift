import FuzzCommon
import Foundation
import SpikeNIR

/// NIR files (`NIRFile.read(bytes:)`: the HDF5 layer, then the graph's nodes, fields and edges, both layouts, and
/// the checks of `NIRValidate`), then building the executable network from what was read (`NIRNetwork`: shapes
/// through every edge, nested graphs, recurrent edges). A file that reads must also encode and read back equal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let graph: NIRGraph
    do {
        graph = try NIRFile.read(bytes: bytes)
    } catch {
        Fuzz.checkMessage("\(error)")
        return 0
    }
    do {
        _ = try NIRNetwork(graph, options: NIRRunOptions(dt: 1e-3))
    } catch {
        Fuzz.checkMessage("\(error)")
    }
    if let again = try? NIRFile.read(bytes: NIRFile.encode(graph)) {
        Fuzz.check(again == graph, "a graph read from the file does not read back equal after encoding")
    }
    return 0
}
