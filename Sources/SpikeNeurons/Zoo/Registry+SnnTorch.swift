extension NeuronRegistry {
    /// The `snntorch.surrogate` names the snnTorch models accept, with snnTorch's defaults (atan alpha 2,
    /// fast_sigmoid slope 25, sigmoid slope 25); SpikeKit's surrogate names (`Surrogate.Kind`) are accepted too.
    static let snnTorchSurrogateNames = "atan, fast_sigmoid, sigmoid, straight_through_estimator"

    static let snnTorchFireInfo = [
        ParameterInfo("threshold", "1.0", "a.u.", "firing threshold U_thr (learnable)"),
        ParameterInfo("reset_mechanism", "subtract", "", "subtract (U -= U_thr on the step after a spike), zero, or none"),
        ParameterInfo("surrogate", "atan", "", "spike_grad: \(snnTorchSurrogateNames) (or a SpikeKit surrogate name)"),
        ParameterInfo("slope", "family default", "", "surrogate shape: atan's alpha (2), fast_sigmoid's / sigmoid's slope (25)"),
    ]

    /// The snnTorch models of the zoo: Leaky, Synaptic and Alpha, with snnTorch's parameter names.
    static let snnTorchEntries: [NeuronEntry] = [
        NeuronEntry(id: "leaky",
                    summary: "snnTorch Leaky: R = Θ(U[t-1] - thr) (detached); U = beta U[t-1] + X - R thr (subtract); S = Θ(U - thr), strict >",
                    parameters: [ParameterInfo("beta", "0.9", "", "membrane decay rate per step in [0, 1] (learnable; snnTorch has no default)")]
                        + snnTorchFireInfo,
                    build: { try snnTorchLeaky(parameters: $0) }),
        NeuronEntry(id: "synaptic",
                    summary: "snnTorch Synaptic: I = alpha I + X; U = beta U + I - R thr (subtract), R = Θ(U[t-1] - thr) detached; S = Θ(U - thr)",
                    parameters: [ParameterInfo("alpha", "0.9", "", "synaptic current decay rate per step in [0, 1] (learnable)"),
                                 ParameterInfo("beta", "0.8", "", "membrane decay rate per step in [0, 1] (learnable)")]
                        + snnTorchFireInfo,
                    build: { try snnTorchSynaptic(parameters: $0) }),
        NeuronEntry(id: "alpha",
                    summary: "snnTorch Alpha: E = alpha E + X; H = beta H - X; U = tau_a (E + H), tau_a = log a/(log b - log a) + 1; zero reset by R = Θ(U[t-1] - thr)",
                    parameters: [ParameterInfo("alpha", "0.9", "", "excitatory current decay rate per step in (0, 1], > beta (learnable)"),
                                 ParameterInfo("beta", "0.8", "", "inhibitory current decay rate per step in (0, 1) (learnable)")]
                        + snnTorchFireInfo.map {
                            $0.name == "reset_mechanism" ? ParameterInfo("reset_mechanism", "zero", "", "zero (snnTorch's default for Alpha), subtract, or none") : $0
                        },
                    build: { try snnTorchAlpha(parameters: $0) }),
    ]

    /// A surrogate for an snnTorch model: `surrogate` (snnTorch's name, default atan) and `slope` (its shape).
    static func snnTorchSurrogate(_ r: Reader) throws -> Surrogate {
        let name = try r.string("surrogate", "atan")!
        let slope = try r.optionalNumber("slope", nil)
        if let slope, !(slope > 0) { throw ParameterError("\(r.model): slope must be > 0, got \(slope)") }
        switch name {
        case "atan": return Surrogate(.atan, alpha: slope ?? 2)
        case "fast_sigmoid": return Surrogate(.fastSigmoid, alpha: slope ?? 25)
        case "sigmoid": return Surrogate(.sigmoid, alpha: slope ?? 25)
        case "straight_through_estimator": return Surrogate(.straightThrough)
        default:
            guard let kind = Surrogate.Kind(rawValue: name) else {
                throw ParameterError("\(r.model): surrogate must be one of \(snnTorchSurrogateNames) (or \(surrogateNames)), got '\(name)'")
            }
            return Surrogate(kind, alpha: slope)
        }
    }

    static func snnTorchResetMechanism(_ r: Reader, _ def: SnnTorchResetMechanism) throws -> SnnTorchResetMechanism {
        let name = try r.string("reset_mechanism", def.rawValue)!
        guard let m = SnnTorchResetMechanism(rawValue: name) else {
            throw ParameterError("\(r.model): reset_mechanism must be subtract, zero or none, got '\(name)'")
        }
        return m
    }

    /// snnTorch `Leaky` parameters: beta, threshold, reset_mechanism, surrogate, slope.
    public static func snnTorchLeaky(parameters p: [String: Any]) throws -> SnnTorchLeaky {
        let r = Reader("leaky", p, allowed: ["beta"] + snnTorchFireInfo.map(\.name))
        return SnnTorchLeaky(beta: try r.number("beta", 0.9, .unitInterval), threshold: try r.number("threshold", 1),
                             resetMechanism: try snnTorchResetMechanism(r, .subtract), surrogate: try snnTorchSurrogate(r))
    }

    /// snnTorch `Synaptic` parameters: alpha, beta, threshold, reset_mechanism, surrogate, slope.
    public static func snnTorchSynaptic(parameters p: [String: Any]) throws -> SnnTorchSynaptic {
        let r = Reader("synaptic", p, allowed: ["alpha", "beta"] + snnTorchFireInfo.map(\.name))
        return SnnTorchSynaptic(alpha: try r.number("alpha", 0.9, .unitInterval), beta: try r.number("beta", 0.8, .unitInterval),
                                threshold: try r.number("threshold", 1), resetMechanism: try snnTorchResetMechanism(r, .subtract),
                                surrogate: try snnTorchSurrogate(r))
    }

    /// snnTorch `Alpha` parameters: alpha, beta (alpha > beta), threshold, reset_mechanism (default zero), surrogate, slope.
    public static func snnTorchAlpha(parameters p: [String: Any]) throws -> SnnTorchAlpha {
        let r = Reader("alpha", p, allowed: ["alpha", "beta"] + snnTorchFireInfo.map(\.name))
        let alpha = try r.number("alpha", 0.9)
        if let range = SnnTorchAlpha.parameterDomainError(0, alpha) { throw ParameterError("alpha: alpha must be \(range), got \(alpha)") }
        let beta = try r.number("beta", 0.8)
        if let range = SnnTorchAlpha.parameterDomainError(1, beta) { throw ParameterError("alpha: beta must be \(range), got \(beta)") }
        guard alpha > beta else { throw ParameterError("alpha: alpha must be > beta, got alpha \(alpha), beta \(beta)") }
        return SnnTorchAlpha(alpha: alpha, beta: beta, threshold: try r.number("threshold", 1),
                             resetMechanism: try snnTorchResetMechanism(r, .zero), surrogate: try snnTorchSurrogate(r))
    }
}
