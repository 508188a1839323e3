import FuzzCommon
import Foundation
import SpikeNetworkFile

/// The network-file checker (`NetworkFile.parse`: reader, then every field, name, size, index, model and
/// plasticity rule), on the input read as JSON and again as YAML. Errors are one line naming the file.
/// Relative `file` fields resolve in a folder that does not exist, so nothing is read from disk through them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let directory = URL(fileURLWithPath: "/nonexistent-spikekit-fuzz")
    for file in ["fuzz.json", "fuzz.yaml"] {
        do {
            _ = try NetworkFile.parse(bytes, file: file, directory: directory)
        } catch {
            let message = "\(error)"
            Fuzz.checkMessage(message)
            Fuzz.checkNamesFile(message, file + ": ")
        }
    }
    return 0
}
