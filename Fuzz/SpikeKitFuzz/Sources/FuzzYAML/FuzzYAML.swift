import FuzzCommon
import SpikeNetworkFile
import SpikeIO

/// The YAML subset of network files (`YAMLSubset.parse`). Errors are one line; a document that parses reads the
/// same with CRLF line ends.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let value: JSON
    do {
        value = try YAMLSubset.parse(document: bytes)
    } catch let e as YAMLSubset.ParseError {
        Fuzz.checkMessage(e.message)
        return 0
    } catch {
        Fuzz.check(false, "YAMLSubset threw something else than a ParseError: \(error)")
        return 0
    }
    if !bytes.contains(0x0D) {
        var crlf: [UInt8] = []
        crlf.reserveCapacity(bytes.count + bytes.count / 8)
        for b in bytes { if b == 0x0A { crlf.append(0x0D) }; crlf.append(b) }
        let again = try? YAMLSubset.parse(document: crlf)
        Fuzz.check(again == value, "the document reads differently with CRLF line ends")
    }
    return 0
}
