import FuzzCommon
import Foundation
import SpikeData

/// ATIS binary reading (`ATISBinary.decode`: 5-byte events, timestamp overflow markers), without a sensor size
/// and with N-MNIST's. Decoded streams must have columns of one length, and fit the sensor when one is given.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    for sensor in [nil, NMNIST.sensor] {
        do {
            let e = try ATISBinary.decode(bytes, name: "fuzz.bin", sensorSize: sensor)
            checkStream(e)
        } catch {
            Fuzz.checkMessage("\(error)")
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
