import FuzzCommon
import Foundation
import SpikeData

/// SHD/SSC reading (`HeidelbergSpikes(bytes:name:defaultClasses:)`: the HDF5 reader, then spikes/times,
/// spikes/units, labels, extra/keys and their consistency). Every sample of a file that reads must come out
/// with a label among its classes and events inside the sensor.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let spikes: HeidelbergSpikes
    do {
        spikes = try HeidelbergSpikes(bytes: Fuzz.bytes(data, size), name: "fuzz.h5", defaultClasses: 20)
    } catch {
        Fuzz.checkMessage("\(error)")
        return 0
    }
    for i in 0..<spikes.count {
        do {
            let sample = try spikes.events(at: i)
            Fuzz.check((0..<spikes.classes).contains(sample.label), "sample \(i): label \(sample.label) outside 0..<\(spikes.classes)")
            checkStream(sample.events)
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
