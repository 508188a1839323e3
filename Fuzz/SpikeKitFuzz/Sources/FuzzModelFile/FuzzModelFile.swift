import FuzzCommon
import Foundation
import SpikeCLI

/// The model-file checker (`ModelFile.parse`: reader, then every layer, option, bound, shape and the memory
/// estimate), on the input read as JSON and again as YAML, without building the network (a valid file may
/// ask for up to the memory budget). Errors are one line naming the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    for file in ["fuzz.json", "fuzz.yaml"] {
        do {
            _ = try ModelFile.parse(bytes, file: file)
        } catch {
            let message = "\(error)"
            Fuzz.checkMessage(message)
            Fuzz.checkNamesFile(message, file + ": ")
        }
    }
    return 0
}
