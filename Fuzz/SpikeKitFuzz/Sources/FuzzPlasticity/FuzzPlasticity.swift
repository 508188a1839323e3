import FuzzCommon
import SpikeNetworkFile
@_spi(Fuzzing) import SpikeNetworkFile
import SpikeIO

/// The `plasticity` object of a projection (`PlasticityDescription.parse`), on its own: the input is read as a
/// JSON value (or, when that fails, as YAML) and checked as a rule. Errors are one line naming the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let value: JSON
    if let v = try? JSON.parse(document: bytes) {
        value = v
    } else if let v = try? YAMLSubset.parse(document: bytes) {
        value = v
    } else {
        return 0
    }
    do {
        try NetworkFileFuzzing.plasticity(value, file: "fuzz.json")
    } catch {
        let message = "\(error)"
        Fuzz.checkMessage(message)
        Fuzz.checkNamesFile(message, "fuzz.json: ")
    }
    return 0
}
