import Foundation

/// One parameter of a model as listed by `spike neuron --list`.
public struct ParameterInfo: Sendable {
    public let name: String
    public let defaultValue: String
    public let unit: String
    public let help: String
}

/// A neuron model chosen at run time by id, with its dynamics behind closures (type erasure of the generic
/// `NeuronKernel` over the concrete model).
public struct AnyNeuronModel: Sendable {
    /// The model id.
    public let id: String
    /// State variable names, "v" first.
    public let stateNames: [String]
    /// Whether the output is a spike.
    public let isSpiking: Bool
    /// Human-readable parameter summary.
    public let summary: String
    /// Runs the fused forward kernel over `[T, M]`.
    public let forward: @Sendable (_ input: [Float], _ steps: Int, _ elements: Int) -> NeuronKernel.Forward
    /// Runs the fused backward kernel: gradient of the input given the gradient of the output.
    public let backward: @Sendable (_ input: [Float], _ states: [Float], _ gradOutput: [Float], _ steps: Int, _ elements: Int) -> [Float]

    /// Wraps a concrete model.
    public init<M: NeuronModel>(_ model: M, summary: String) {
        id = M.id; stateNames = M.stateNames; isSpiking = M.isSpiking; self.summary = summary
        forward = { NeuronKernel.forward(model, input: $0, steps: $1, elements: $2) }
        backward = { NeuronKernel.backward(model, input: $0, states: $1, gradOutput: $2, steps: $3, elements: $4).gradInput }
    }
}

/// Builds models from string-keyed parameters (the `--set NAME=VALUE` of `spike neuron`, the `params` of
/// a reference `case.json`), with SpikingJelly's parameter names, and validates them.
public enum NeuronRegistry {
    /// Ids of the models available here.
    public static let modelIDs = ["if", "lif", "li"]

    static let surrogateNames = Surrogate.Kind.allCases.map(\.rawValue).joined(separator: ", ")

    /// Parameters of each model with defaults, units and meaning.
    public static func parameters(of id: String) -> [ParameterInfo] {
        let fire = [
            ParameterInfo(name: "v_threshold", defaultValue: "1.0", unit: "a.u.", help: "firing threshold"),
            ParameterInfo(name: "v_reset", defaultValue: "0.0", unit: "a.u.", help: "hard-reset potential; 'none' for soft reset"),
            ParameterInfo(name: "reset", defaultValue: "hard", unit: "", help: "hard (to v_reset) or soft (subtract v_threshold)"),
            ParameterInfo(name: "surrogate", defaultValue: "sigmoid", unit: "", help: "surrogate gradient: \(surrogateNames)"),
            ParameterInfo(name: "alpha", defaultValue: "family default", unit: "", help: "surrogate shape (sigmoid 4, atan 2, fast-sigmoid slope 25, ...)"),
            ParameterInfo(name: "detach_reset", defaultValue: "false", unit: "", help: "no gradient through the reset"),
        ]
        let leak = [
            ParameterInfo(name: "tau", defaultValue: "2.0", unit: "steps", help: "membrane time constant (> 0)"),
            ParameterInfo(name: "decay_input", defaultValue: "true", unit: "", help: "divide the input by tau"),
        ]
        switch id {
        case "if": return fire
        case "lif": return leak + fire
        case "li": return leak + [ParameterInfo(name: "v_rest", defaultValue: "0.0", unit: "a.u.", help: "resting potential")]
        default: return []
        }
    }

    /// One-line description of each model: reference and equation.
    public static func describe(_ id: String) -> String {
        switch id {
        case "if": return "integrate-and-fire (SpikingJelly IFNode): H = V + X; spike if H >= v_threshold; reset"
        case "lif": return "leaky integrate-and-fire (SpikingJelly LIFNode): H = V + (X - (V - v_reset))/tau; spike; reset"
        case "li": return "leaky integrator readout, no spikes: V = V + (X - (V - v_rest))/tau; output V"
        default: return ""
        }
    }

    /// The model `id` with `parameters` (values as String, number or Bool).
    public static func model(_ id: String, parameters: [String: Any]) throws -> AnyNeuronModel {
        switch id {
        case "lif": let m = try lif(parameters: parameters); return AnyNeuronModel(m, summary: "\(m)")
        case "if": let m = try ifModel(parameters: parameters); return AnyNeuronModel(m, summary: "\(m)")
        case "li": let m = try li(parameters: parameters); return AnyNeuronModel(m, summary: "\(m)")
        default: throw ParameterError("unknown neuron model '\(id)' (known: \(modelIDs.joined(separator: ", ")))")
        }
    }

    /// SpikingJelly LIFNode parameters: tau, decay_input, v_threshold, v_reset, reset, surrogate, alpha, detach_reset.
    public static func lif(parameters p: [String: Any]) throws -> LIF {
        let r = Reader("lif", p, allowed: parameters(of: "lif").map(\.name))
        let tau = try r.number("tau", 2)
        guard tau > 0 else { throw ParameterError("lif: tau must be > 0, got \(tau)") }
        let (threshold, reset, surrogate, detach) = try fireParameters(r)
        return LIF(tau: tau, decayInput: try r.bool("decay_input", true), threshold: threshold, reset: reset,
                   surrogate: surrogate, detachReset: detach)
    }

    /// SpikingJelly IFNode parameters: v_threshold, v_reset, reset, surrogate, alpha, detach_reset.
    public static func ifModel(parameters p: [String: Any]) throws -> IF {
        let r = Reader("if", p, allowed: parameters(of: "if").map(\.name))
        let (threshold, reset, surrogate, detach) = try fireParameters(r)
        return IF(threshold: threshold, reset: reset, surrogate: surrogate, detachReset: detach)
    }

    /// LI parameters: tau, decay_input, v_rest.
    public static func li(parameters p: [String: Any]) throws -> LI {
        let r = Reader("li", p, allowed: parameters(of: "li").map(\.name))
        let tau = try r.number("tau", 2)
        guard tau > 0 else { throw ParameterError("li: tau must be > 0, got \(tau)") }
        return LI(tau: tau, decayInput: try r.bool("decay_input", true), restingPotential: try r.number("v_rest", 0))
    }

    /// A surrogate from its family name and optional parameter.
    public static func surrogate(_ name: String, alpha: Float? = nil) throws -> Surrogate {
        guard let kind = Surrogate.Kind(rawValue: name) ?? Surrogate.Kind.allCases.first(where: { "\($0)".lowercased() == name.lowercased() })
        else { throw ParameterError("unknown surrogate '\(name)' (known: \(surrogateNames))") }
        if let alpha, !(alpha > 0 && alpha.isFinite) { throw ParameterError("surrogate \(name): alpha must be > 0, got \(alpha)") }
        return Surrogate(kind, alpha: alpha)
    }

    static func fireParameters(_ r: Reader) throws -> (Float, ResetMode, Surrogate, Bool) {
        let threshold = try r.number("v_threshold", 1)
        let resetKind = try r.string("reset", nil)
        let vReset = try r.optionalNumber("v_reset", 0)
        let reset: ResetMode
        switch resetKind {
        case "soft": reset = .soft
        case "hard", nil:
            if let v = vReset { reset = .hard(v) }
            else if resetKind == "hard" { throw ParameterError("\(r.model): reset 'hard' needs a v_reset value") }
            else { reset = .soft }
        default: throw ParameterError("\(r.model): reset must be 'hard' or 'soft', got '\(resetKind!)'")
        }
        let alpha = try r.optionalNumber("alpha", nil)
        let surrogate = try surrogate(try r.string("surrogate", "sigmoid")!, alpha: alpha)
        return (threshold, reset, surrogate, try r.bool("detach_reset", false))
    }

    /// Typed access to loosely typed parameters, with one-line errors naming the model and parameter.
    struct Reader {
        let model: String
        let values: [String: Any]
        init(_ model: String, _ values: [String: Any], allowed: [String]) {
            self.model = model; self.values = values; self.allowed = allowed
        }
        let allowed: [String]

        func checkNames() throws {
            for k in values.keys.sorted() where !allowed.contains(k) {
                throw ParameterError("\(model): unknown parameter '\(k)' (known: \(allowed.joined(separator: ", ")))")
            }
        }

        func number(_ name: String, _ def: Float) throws -> Float { try optionalNumber(name, def) ?? def }

        func optionalNumber(_ name: String, _ def: Float?) throws -> Float? {
            try checkNames()
            guard let v = values[name] else { return def }
            if v is NSNull { return nil }
            if let s = v as? String {
                if ["none", "null", "nil"].contains(s.lowercased()) { return nil }
                guard let d = Double(s), d.isFinite else { throw ParameterError("\(model): \(name) must be a number, got '\(s)'") }
                return Float(d)
            }
            if let n = v as? NSNumber, n.doubleValue.isFinite { return n.floatValue }
            if let d = v as? Double, d.isFinite { return Float(d) }
            if let f = v as? Float, f.isFinite { return f }
            if let i = v as? Int { return Float(i) }
            throw ParameterError("\(model): \(name) must be a finite number, got \(v)")
        }

        func bool(_ name: String, _ def: Bool) throws -> Bool {
            try checkNames()
            guard let v = values[name] else { return def }
            if let b = v as? Bool { return b }
            if let s = v as? String {
                switch s.lowercased() {
                case "true", "1", "yes": return true
                case "false", "0", "no": return false
                default: break
                }
            }
            throw ParameterError("\(model): \(name) must be true or false, got \(v)")
        }

        func string(_ name: String, _ def: String?) throws -> String? {
            try checkNames()
            guard let v = values[name] else { return def }
            if let s = v as? String { return s }
            throw ParameterError("\(model): \(name) must be a name, got \(v)")
        }
    }
}
