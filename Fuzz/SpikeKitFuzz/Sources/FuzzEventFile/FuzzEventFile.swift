import FuzzCommon
import Foundation
import SpikeData

/// Event files (`EventFile.decodeNPY` with structured and plain dtypes through `NPY.layout`, `decodeNPZ` through
/// the zip reader, `decodeCSV`): every input is tried as each of the three, without a sensor size and with
/// DVS128's. Decoded streams must fit their sensor.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let decoders: [(String, ([UInt8], String, SensorSize?) throws -> EventStream)] = [
        ("fuzz.npy", { try EventFile.decodeNPY($0, name: $1, sensorSize: $2) }),
        ("fuzz.npz", { try EventFile.decodeNPZ($0, name: $1, sensorSize: $2) }),
        ("fuzz.csv", { try EventFile.decodeCSV($0, name: $1, sensorSize: $2) }),
    ]
    for (name, decode) in decoders {
        for sensor in [nil, AEDAT.dvs128] {
            do {
                checkStream(try decode(bytes, name, sensor))
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
