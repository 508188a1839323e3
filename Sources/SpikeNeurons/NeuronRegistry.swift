import Foundation

/// One parameter of a model as listed by `spike neuron --list`.
public struct ParameterInfo: Sendable {
    public let name: String
    public let defaultValue: String
    public let unit: String
    public let help: String
}

/// One model of the zoo as the registry lists it: id, reference and equation, parameters, and how to build it
/// from string-keyed parameters.
public struct NeuronEntry: Sendable {
    /// The model id (`spike neuron ID`).
    public let id: String
    /// One line: the reference followed and the discrete update (shown by `spike neuron --list`).
    public let summary: String
    /// Parameters with defaults, units and meaning (including non-numeric ones such as the surrogate).
    public let parameters: [ParameterInfo]
    /// Builds the model; throws `ParameterError` for unknown names and values out of range.
    public let build: @Sendable ([String: Any]) throws -> any NeuronModel

    public init(id: String, summary: String, parameters: [ParameterInfo], build: @escaping @Sendable ([String: Any]) throws -> any NeuronModel) {
        self.id = id; self.summary = summary; self.parameters = parameters; self.build = build
    }
}

extension ParameterInfo {
    /// A parameter description.
    public init(_ name: String, _ defaultValue: String, _ unit: String, _ help: String) {
        self.init(name: name, defaultValue: defaultValue, unit: unit, help: help)
    }
}

/// A neuron model chosen at run time by id (type erasure of the generic `NeuronKernel` over the concrete
/// model): what `spike neuron` runs.
public struct AnyNeuronModel: Sendable {
    /// The concrete model.
    public let base: any NeuronModel
    /// The model id.
    public var id: String { base.instanceID }
    /// State variable names (the membrane is "v").
    public var stateNames: [String] { base.instanceStateNames }
    /// Number of state slots per element in the kernel's `[T, S, M]` traces (`stateNames.count`, or more for
    /// models defined at run time, whose state vector has a fixed capacity).
    public var stateCount: Int {
        func count<M: NeuronModel>(_: M) -> Int { M.State.count }
        return count(base)
    }
    /// Whether the output is a spike.
    public var isSpiking: Bool { base.instanceIsSpiking }
    /// Names of the numeric parameters (those that may vary per neuron).
    public var parameterNames: [String] { base.instanceParameterNames }
    /// Human-readable parameter summary.
    public let summary: String

    /// Wraps a concrete model.
    public init(_ model: any NeuronModel, summary: String? = nil) {
        base = model; self.summary = summary ?? "\(model)"
    }

    /// Every neuron with this model's parameters.
    public func table(neurons: Int) -> NeuronParameterTable {
        func make<M: NeuronModel>(_ m: M) -> NeuronParameterTable { NeuronParameterTable(m, neurons: neurons) }
        return make(base)
    }

    /// Checks a table's values against the model's parameter domains.
    public func validate(_ table: NeuronParameterTable) throws {
        func check<M: NeuronModel>(_ m: M) throws { try table.validate(for: M.self) }
        try check(base)
    }

    /// Adds relative Gaussian mismatch to one parameter of a table (see `NeuronParameterTable.addMismatch`).
    public func addMismatch(_ table: inout NeuronParameterTable, _ name: String, fraction: Float, seed: UInt64) throws {
        func add<M: NeuronModel>(_ m: M) throws { try table.addMismatch(name, fraction: fraction, seed: seed, model: M.self) }
        try add(base)
    }

    /// Runs the fused forward kernel over `[T, M]`.
    public func forward(_ input: [Float], steps: Int, elements: Int, table: NeuronParameterTable? = nil) -> NeuronKernel.Forward {
        func run<M: NeuronModel>(_ m: M) -> NeuronKernel.Forward {
            NeuronKernel.forward(m, input: input, steps: steps, elements: elements, table: table)
        }
        return run(base)
    }

    /// Runs the fused backward kernel: gradients of the input and of every neuron's parameters.
    public func backward(_ input: [Float], states: [Float], gradOutput: [Float], steps: Int, elements: Int,
                         table: NeuronParameterTable? = nil, parameterGradients: Bool = false) -> NeuronKernel.Backward {
        func run<M: NeuronModel>(_ m: M) -> NeuronKernel.Backward {
            NeuronKernel.backward(m, input: input, states: states, gradOutput: gradOutput, steps: steps, elements: elements,
                                  table: table, parameterGradients: parameterGradients)
        }
        return run(base)
    }
}

/// Builds models from string-keyed parameters (the `--set NAME=VALUE` of `spike neuron`, the `params` of
/// a reference `case.json`), with each reference framework's parameter names, and validates them.
///
/// The zoo is the concatenation of the family lists (`coreEntries`, `spikingJellyEntries`, `norseEntries`,
/// `snnTorchEntries`, `spaicEntries`, `biophysicalEntries`, `arcanaEntries`, `hxtorchEntries`, `brian2Entries`, `otherEntries`), one per source file.
public enum NeuronRegistry {
    /// Every registered model.
    public static let entries: [NeuronEntry] = coreEntries + spikingJellyEntries + norseEntries + snnTorchEntries
        + spaicEntries + spaicSimpleEntries + spaicBiophysicalEntries + spaicDarwinEntries + spaicSTDPEntries + spaicLIFIntPlainEntries + spaicPLIFEntries + biophysicalEntries + arcanaEntries + hxtorchEntries + brian2Entries + otherEntries

    /// Ids of the models available here.
    public static var modelIDs: [String] { entries.map(\.id) }

    /// The entry of `id` (a registry id or its family-qualified alias, see `qualifiedIDs`), or a `ParameterError`
    /// listing the known ids.
    public static func entry(_ id: String) throws -> NeuronEntry {
        let canonical = canonicalID(id)
        guard let e = entries.first(where: { $0.id == canonical }) else {
            throw ParameterError("unknown neuron model '\(id)' (known: \(allIDs.joined(separator: ", ")))")
        }
        return e
    }

    static let surrogateNames = Surrogate.Kind.allCases.map(\.rawValue).joined(separator: ", ")

    static let fireInfo = [
        ParameterInfo(name: "v_threshold", defaultValue: "1.0", unit: "a.u.", help: "firing threshold"),
        ParameterInfo(name: "v_reset", defaultValue: "0.0", unit: "a.u.", help: "hard-reset potential; 'none' for soft reset"),
        ParameterInfo(name: "reset", defaultValue: "hard", unit: "", help: "hard (to v_reset) or soft (subtract v_threshold)"),
        ParameterInfo(name: "surrogate", defaultValue: "sigmoid", unit: "", help: "surrogate gradient: \(surrogateNames)"),
        ParameterInfo(name: "alpha", defaultValue: "family default", unit: "", help: "surrogate shape (sigmoid 4, atan 2, fast-sigmoid slope 25, ...)"),
        ParameterInfo(name: "detach_reset", defaultValue: "false", unit: "", help: "no gradient through the reset"),
    ]
    static let leakInfo = [
        ParameterInfo(name: "tau", defaultValue: "2.0", unit: "steps", help: "membrane time constant (> 0)"),
        ParameterInfo(name: "decay_input", defaultValue: "true", unit: "", help: "divide the input by tau"),
    ]

    /// IF, LIF and the discrete leaky integrator (SpikingJelly conventions).
    static let coreEntries: [NeuronEntry] = [
        NeuronEntry(id: "if", summary: "integrate-and-fire (SpikingJelly IFNode): H = V + X; spike if H >= v_threshold; reset",
                    parameters: fireInfo, build: { try ifModel(parameters: $0) }),
        NeuronEntry(id: "lif", summary: "leaky integrate-and-fire (SpikingJelly LIFNode): H = V + (X - (V - v_reset))/tau; spike; reset",
                    parameters: leakInfo + fireInfo, build: { try lif(parameters: $0) }),
        NeuronEntry(id: "li_discrete", summary: "discrete leaky integrator readout, no spikes: V = V + (X - (V - v_rest))/tau; output V",
                    parameters: leakInfo + [ParameterInfo(name: "v_rest", defaultValue: "0.0", unit: "a.u.", help: "resting potential")],
                    build: { try li(parameters: $0) }),
    ]

    /// Parameters of each model with defaults, units and meaning.
    public static func parameters(of id: String) -> [ParameterInfo] {
        entries.first(where: { $0.id == canonicalID(id) })?.parameters ?? []
    }

    /// One-line description of each model: reference and equation.
    public static func describe(_ id: String) -> String {
        entries.first(where: { $0.id == canonicalID(id) })?.summary ?? ""
    }

    /// The model `id` with `parameters` (values as String, number or Bool).
    public static func model(_ id: String, parameters: [String: Any]) throws -> AnyNeuronModel {
        AnyNeuronModel(try entry(id).build(parameters))
    }

    /// SpikingJelly LIFNode parameters: tau, decay_input, v_threshold, v_reset, reset, surrogate, alpha, detach_reset.
    public static func lif(parameters p: [String: Any]) throws -> LIF {
        let r = Reader("lif", p, allowed: (leakInfo + fireInfo).map(\.name))
        let tau = try r.number("tau", 2)
        guard tau > 0 else { throw ParameterError("lif: tau must be > 0, got \(tau)") }
        let (threshold, reset, surrogate, detach) = try fireParameters(r)
        return LIF(tau: tau, decayInput: try r.bool("decay_input", true), threshold: threshold, reset: reset,
                   surrogate: surrogate, detachReset: detach)
    }

    /// SpikingJelly IFNode parameters: v_threshold, v_reset, reset, surrogate, alpha, detach_reset.
    public static func ifModel(parameters p: [String: Any]) throws -> IF {
        let r = Reader("if", p, allowed: fireInfo.map(\.name))
        let (threshold, reset, surrogate, detach) = try fireParameters(r)
        return IF(threshold: threshold, reset: reset, surrogate: surrogate, detachReset: detach)
    }

    /// LI parameters: tau, decay_input, v_rest.
    public static func li(parameters p: [String: Any]) throws -> LI {
        let r = Reader("li_discrete", p, allowed: (leakInfo + ["v_rest"].map { ParameterInfo($0, "", "", "") }).map(\.name))
        let tau = try r.number("tau", 2)
        guard tau > 0 else { throw ParameterError("li_discrete: tau must be > 0, got \(tau)") }
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
        /// A reader for the parameters listed in `info`.
        init(_ model: String, _ values: [String: Any], _ info: [ParameterInfo]) {
            self.init(model, values, allowed: info.map(\.name))
        }
        let allowed: [String]

        func checkNames() throws {
            for k in values.keys.sorted() where !allowed.contains(k) {
                throw ParameterError("\(model): unknown parameter '\(k)' (known: \(allowed.joined(separator: ", ")))")
            }
        }

        func number(_ name: String, _ def: Float) throws -> Float { try optionalNumber(name, def) ?? def }

        /// The allowed values of a numeric parameter.
        enum Domain {
            case any, positive, nonNegative, unitInterval, atLeast(Float), above(Float), below(Float)

            func error(_ v: Float) -> String? {
                switch self {
                case .any: return nil
                case .positive: return v > 0 ? nil : "> 0"
                case .nonNegative: return v >= 0 ? nil : ">= 0"
                case .unitInterval: return v >= 0 && v <= 1 ? nil : "in [0, 1]"
                case .atLeast(let a): return v >= a ? nil : ">= \(a)"
                case .above(let a): return v > a ? nil : "> \(a)"
                case .below(let a): return v < a ? nil : "< \(a)"
                }
            }
        }

        /// A number in `domain`, or a one-line error naming the model, parameter and allowed range.
        func number(_ name: String, _ def: Float, _ domain: Domain) throws -> Float {
            let v = try number(name, def)
            if let range = domain.error(v) { throw ParameterError("\(model): \(name) must be \(range), got \(v)") }
            return v
        }

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
