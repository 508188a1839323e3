import FuzzCommon
import SpikeEquations
import SpikeIO

/// Brian2's model language (`EquationModel`: parser, units, methods, the step program and its reverse mode)
/// on the input cut at NUL bytes into equations, threshold, reset, refractory, method and `NAME=VALUE`
/// parameter lines; and the same bytes as an `EquationModelFile` (JSON). Errors are one line; nothing traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    func field(_ i: Int) -> String? { i < fields.count && !fields[i].isEmpty ? fields[i] : nil }
    var parameters: [String: String] = [:]
    for line in (field(5) ?? "").split(separator: "\n") {
        guard let eq = line.firstIndex(of: "=") else { continue }
        parameters[String(line[..<eq])] = String(line[line.index(after: eq)...])
    }
    do {
        _ = try EquationModel(equations: field(0) ?? "", threshold: field(1), reset: field(2), refractory: field(3),
                              method: field(4), parameters: parameters)
    } catch {
        Fuzz.checkMessage("\(error)")
    }
    if let json = try? JSON.parse(document: bytes) {
        do { _ = try EquationModelFile(json, file: "fuzz.json") } catch { Fuzz.checkMessage("\(error)") }
    }
    return 0
}
