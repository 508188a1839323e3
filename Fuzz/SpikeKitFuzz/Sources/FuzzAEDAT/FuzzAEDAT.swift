import FuzzCommon
import Foundation
import SpikeData

/// AEDAT reading (`AEDAT.header`, then `AEDAT.decode` for 2.0 and 3.1: header lines, 8-byte events or packets)
/// in every DVS128 layout, and for 3.x with and without invalid events. Decoded streams must fit the sensor.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let header: AEDAT.Header
    do {
        header = try AEDAT.header(bytes, name: "fuzz.aedat")
    } catch {
        Fuzz.checkMessage("\(error)")
        return 0
    }
    Fuzz.check(header.dataOffset >= 0 && header.dataOffset <= bytes.count,
               "data offset \(header.dataOffset) outside a file of \(bytes.count) bytes")
    for layout in AEDAT.DVS128Layout.allCases {
        for includeInvalid in header.isPacketed ? [false, true] : [false] {
            do {
                checkStream(try AEDAT.decode(bytes, name: "fuzz.aedat", layout: layout, includeInvalid: includeInvalid))
            } catch {
                Fuzz.checkMessage("\(error)")
            }
        }
    }
    return 0
}

/// A decoded stream must pass the checked initializer: columns of one length, every event inside its sensor.
func checkStream(_ e: EventStream) {
    do {
        _ = try EventStream(x: e.x, y: e.y, t: e.t, p: e.p, sensorSize: e.sensorSize, hasY: e.hasY)
    } catch {
        Fuzz.check(false, "decoded stream is inconsistent: \(error)")
    }
}
