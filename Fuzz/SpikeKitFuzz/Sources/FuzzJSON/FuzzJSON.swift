import FuzzCommon
@_spi(Fuzzing) import SpikeIO

/// The ordered JSON reader (`JSON.parse(document:)`, network files; and the byte-offset form of safetensors
/// headers). Both forms must agree on what parses (below the document form's string limit), and every string read
/// must come back through `JSON.quote`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let header = bytes.withUnsafeBytes { SpikeIOFuzzing.jsonHeader($0) }
    let document: JSON
    do {
        document = try JSON.parse(document: bytes)
    } catch {
        Fuzz.checkMessage(error.message)
        Fuzz.check(header == nil || size > JSON.maxStringBytes, "the header form parses what the document form rejects")
        return 0
    }
    Fuzz.check(header == document, "the header form parses differently")
    // Every string (keys too) quotes and reads back (iteratively: nesting is bounded, but keep the stack flat).
    var pending = [document]
    while let value = pending.popLast() {
        switch value {
        case let .object(members):
            for (key, member) in members { pending.append(.string(key)); pending.append(member) }
        case let .array(items): pending.append(contentsOf: items)
        case let .string(s):
            let back = try? JSON.parse(document: Array(JSON.quote(s).utf8))
            Fuzz.check(back == .string(s), "string \(s.debugDescription) does not quote and read back")
        default: break
        }
    }
    return 0
}
