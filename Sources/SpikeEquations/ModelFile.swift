import Foundation
import SpikeIO
import SpikeNeurons

/// An equation model file (`spike neuron --equations FILE`) read into a description, plus the settings that
/// concern running it: the input's unit.
public struct EquationModelFile: Sendable {
    /// The model.
    public var description: EquationModelDescription
    /// The unit of the input file's values (`input_unit: nA`: the file holds nanoamps), as a scale to SI; 1 when absent.
    public var inputScale: Double
    /// The input's unit as written ("" when absent: SI base units).
    public var inputUnit: String

    /// Reads a model from a parsed YAML or JSON document:
    ///
    ///     equations:  a string (lines separated by newlines) or a list of lines; in YAML an unquoted line
    ///                 `dv/dt = -v/tau : volt` reads as a one-key mapping and is taken back as the line
    ///     threshold:  condition, e.g. "v > -50*mV"
    ///     reset:      statements, a string ("v = vr; w += b") or a list
    ///     refractory: a time ("2*ms") or a condition
    ///     method:     euler, rk2, rk4, heun, exponential_euler, exact (linear); absent: Brian2's choice
    ///     parameters: NAME: value with units ("10*ms", or a number for dimensionless values)
    ///     input:      the parameter the input file replaces, or the state variable it increments
    ///     input_unit: unit of the input file's values (default: SI base units)
    ///     initial:    NAME: value of state variables (default 0)
    ///     dt:         integration step (default 0.1*ms)
    ///     surrogate:  a name (atan, sigmoid, fast-sigmoid, ...) or {kind, alpha, scale}; `scale` (e.g. 1*mV) divides
    ///                 the threshold margin before the surrogate
    ///
    /// `file` names the file in errors; unknown keys are errors.
    public init(_ json: JSON, file: String) throws {
        guard case .object(let pairs) = json else { throw EquationError("\(file): the model must be a mapping of keys (equations, threshold, ...)") }
        var seen: Set<String> = []
        func text(_ v: JSON, _ key: String, joiner: String) throws -> String {
            switch v {
            case .string(let s): return s
            case .number(let t, _): return t
            case .array(let items):
                return try items.map { item -> String in
                    switch item {
                    case .string(let s): return s
                    case .object(let kv) where kv.count == 1:
                        return "\(kv[0].key) : \(try text(kv[0].value, key, joiner: joiner))"
                    default: throw EquationError("\(file): \(key): each item must be a string, got \(item.kind)")
                    }
                }.joined(separator: joiner)
            default: throw EquationError("\(file): \(key) must be a string or a list of strings, got \(v.kind)")
            }
        }
        func map(_ v: JSON, _ key: String) throws -> [String: String] {
            guard case .object(let kv) = v else { throw EquationError("\(file): \(key) must be a mapping NAME: value, got \(v.kind)") }
            var out: [String: String] = [:]
            for (k, value) in kv {
                guard out[k] == nil else { throw EquationError("\(file): \(key): '\(k)' given twice") }
                switch value {
                case .string(let s): out[k] = s
                case .number(let t, _): out[k] = t
                case .bool(let b): out[k] = b ? "True" : "False"
                default: throw EquationError("\(file): \(key).\(k) must be a value such as 10*ms, got \(value.kind)")
                }
            }
            return out
        }
        var d = EquationModelDescription(equations: "")
        var hasEquations = false
        var unit = ""
        for (key, value) in pairs {
            guard seen.insert(key).inserted else { throw EquationError("\(file): key '\(key)' given twice") }
            switch key {
            case "equations": d.equations = try text(value, key, joiner: "\n"); hasEquations = true
            case "threshold": d.threshold = try text(value, key, joiner: " and ")
            case "reset": d.reset = try text(value, key, joiner: "\n")
            case "refractory": d.refractory = try text(value, key, joiner: "")
            case "method": d.method = try text(value, key, joiner: "")
            case "parameters": d.parameters = try map(value, key)
            case "initial": d.initial = try map(value, key)
            case "input": d.input = try text(value, key, joiner: "")
            case "input_unit": unit = try text(value, key, joiner: "")
            case "dt": d.dt = try text(value, key, joiner: "")
            case "surrogate":
                if case .object = value {
                    let m = try map(value, key)
                    for k in m.keys where !["kind", "alpha", "scale"].contains(k) {
                        throw EquationError("\(file): surrogate: unknown key '\(k)' (kind, alpha, scale)")
                    }
                    d.surrogate = try Self.surrogate(m["kind"] ?? "atan", alpha: m["alpha"], file: file)
                    d.surrogateScale = m["scale"]
                } else {
                    d.surrogate = try Self.surrogate(try text(value, key, joiner: ""), alpha: nil, file: file)
                }
            default:
                throw EquationError("\(file): unknown key '\(key)' (equations, threshold, reset, refractory, method, parameters, input, input_unit, initial, dt, surrogate)")
            }
        }
        guard hasEquations else { throw EquationError("\(file): missing 'equations'") }
        description = d
        inputUnit = unit
        if unit.isEmpty { inputScale = 1 } else {
            let e = try parseExpression(unit, place: "\(file): input_unit")
            let (s, _, _) = try Checker(names: [:], place: "\(file): input_unit").check(e)
            guard let v = s.constant, v > 0, v.isFinite else { throw EquationError("\(file): input_unit '\(unit)' is not a unit") }
            inputScale = v
        }
    }

    static func surrogate(_ name: String, alpha: String?, file: String) throws -> Surrogate {
        guard let kind = Surrogate.Kind(rawValue: name) else {
            throw EquationError("\(file): surrogate '\(name)' is unknown (\(Surrogate.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var a: Float?
        if let alpha {
            guard let v = Float(alpha), v > 0, v.isFinite else { throw EquationError("\(file): surrogate alpha must be a number > 0, got '\(alpha)'") }
            a = v
        }
        return Surrogate(kind, alpha: a)
    }
}
