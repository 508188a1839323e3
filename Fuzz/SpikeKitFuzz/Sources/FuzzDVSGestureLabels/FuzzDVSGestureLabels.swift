import FuzzCommon
import Foundation
import SpikeData

/// DVS Gesture label files (`DVSGesture.parseLabels`: a header row, then class,start,end rows). Rows that read
/// must have a class in 0..<11 and times in the unsigned 32-bit range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let rows: [(label: Int, start: Int64, end: Int64)]
    do {
        rows = try DVSGesture.parseLabels(Fuzz.bytes(data, size), name: "fuzz_labels.csv")
    } catch {
        Fuzz.checkMessage("\(error)")
        return 0
    }
    for row in rows {
        Fuzz.check((0..<11).contains(row.label), "label \(row.label) outside 0..<11")
        Fuzz.check((0...Int64(UInt32.max)).contains(row.start) && (0...Int64(UInt32.max)).contains(row.end),
                   "times \(row.start), \(row.end) outside the unsigned 32-bit range")
    }
    return 0
}
