extension NeuronRegistry {
    /// The Norse models of the zoo (norse.torch, Norse 1.1.0 conventions; Norse's parameter names).
    static let norseEntries: [NeuronEntry] = [
        NeuronEntry(id: "cuba_lif",
                    summary: "current-based LIF (Norse LIFCell): j = i + x; v += dt tau_mem_inv (v_leak - v + j); i = j - dt tau_syn_inv j; spike if v > v_th; v = v_reset",
                    parameters: norseLIFInfo + norseFireInfo, build: { try norseLIF(parameters: $0) }),
        NeuronEntry(id: "lif_box",
                    summary: "LIF without synaptic current (Norse LIFBoxCell): v += dt tau_mem_inv (x + v_leak - v); spike if v > v_th; reset to v_reset or subtract v_th",
                    parameters: norseLIFBoxInfo + norseFireInfo, build: { try norseLIFBox(parameters: $0) }),
        NeuronEntry(id: "li",
                    summary: "leaky integrator, no spikes (Norse LICell): j = i + x; v += dt tau_mem_inv (v_leak - v + j); i = j - dt tau_syn_inv j; output v",
                    parameters: norseLIInfo, build: { try norseLI(parameters: $0) }),
        NeuronEntry(id: "adex",
                    summary: "adaptive exponential LIF (Norse LIFAdExCell): v += dt tau_mem_inv (v_leak - v + delta_T exp((v - v_th)/delta_T) + i - a); a += dt tau_ada_inv (adaptation_current (v - v_leak) - a); spike: v = v_reset, a += adaptation_spike",
                    parameters: norseAdExInfo + norseFireInfo, build: { try norseAdEx(parameters: $0) }),
        NeuronEntry(id: "lsnn",
                    summary: "LIF with adaptive threshold b (Norse LSNNCell, Bellec 2018): v += dt tau_mem_inv (v_leak - v + i); b += dt tau_adapt_inv (v_th - b); spike if v > b: v = v_reset, b += beta; i = i - dt tau_syn_inv i + x",
                    parameters: norseLSNNInfo + norseFireInfo, build: { try norseLSNN(parameters: $0) }),
        NeuronEntry(id: "lif_refrac",
                    summary: "current-based LIF with absolute refractory period (Norse LIFRefracCell): LIFCell step, then silent with v held for rho_reset steps after a spike",
                    parameters: norseLIFInfo + [ParameterInfo("rho_reset", "5.0", "steps", "refractory steps after a spike (>= 0)")] + norseFireInfo,
                    build: { try norseLIFRefrac(parameters: $0) }),
    ]

    static let norseDtInfo = ParameterInfo("dt", "0.001", "s", "Euler time step (> 0)")
    static let norseFireInfo = [
        ParameterInfo("v_th", "1.0", "a.u.", "threshold: spike when v > v_th (strict, Norse heaviside)"),
        ParameterInfo("v_reset", "0.0", "a.u.", "reset potential"),
        ParameterInfo("method", "super", "", "surrogate: super (Norse 1.1.0 SuperSpike, 1/(|x|+1)^2, alpha unused), triangle (alpha relu(1-|x|)), or \(surrogateNames)"),
        ParameterInfo("surrogate", "super", "", "same as method (the name reference cases use)"),
        ParameterInfo("alpha", "100.0", "", "surrogate shape (Norse passes it; super ignores it in Norse 1.1.0)"),
        norseDtInfo,
    ]
    static let norseSynInfo = ParameterInfo("tau_syn_inv", "200.0", "1/s", "inverse synaptic time constant (> 0)")
    static let norseMemInfo = ParameterInfo("tau_mem_inv", "100.0", "1/s", "inverse membrane time constant (> 0)")
    static let norseLeakInfo = ParameterInfo("v_leak", "0.0", "a.u.", "leak potential and initial membrane")
    static let norseLIFInfo = [norseSynInfo, norseMemInfo, norseLeakInfo]
    static let norseLIFBoxInfo = [norseMemInfo, norseLeakInfo,
                                  ParameterInfo("reset_method", "value", "", "value (v = v_reset) or subtract (v = v - v_th)")]
    static let norseLIInfo = [norseSynInfo, norseMemInfo, norseLeakInfo, norseDtInfo]
    static let norseAdExInfo = [
        ParameterInfo("adaptation_current", "4.0", "a.u.", "subthreshold adaptation coupling"),
        ParameterInfo("adaptation_spike", "0.02", "a.u.", "adaptation jump per spike"),
        ParameterInfo("delta_T", "0.5", "a.u.", "sharpness of the exponential upswing (> 0)"),
        ParameterInfo("tau_ada_inv", "2.0", "1/s", "inverse adaptation time constant (> 0)"),
    ] + norseLIFInfo
    static let norseLSNNInfo = norseLIFInfo + [
        ParameterInfo("tau_adapt_inv", "0.00125", "1/s", "inverse threshold-adaptation time constant (> 0; 1/800)"),
        ParameterInfo("beta", "1.8", "a.u.", "threshold jump per spike"),
    ]

    /// Norse's `method` (or `surrogate`) and `alpha` as a `Surrogate`: "super"/"superspike" is Norse 1.1.0's
    /// SuperSpike (`Surrogate.norseSuperSpike`, alpha unused), "triangle"/"tent" is `alpha relu(1 - |x|)`, and
    /// SpikeKit's surrogate names take `alpha` as their shape parameter.
    static func norseSurrogate(_ r: Reader) throws -> Surrogate {
        let method = try r.string("method", nil), named = try r.string("surrogate", nil)
        if let method, let named, method != named {
            throw ParameterError("\(r.model): method '\(method)' and surrogate '\(named)' differ (give one)")
        }
        let alpha = try r.number("alpha", 100, .positive)
        let name = method ?? named ?? "super"
        switch name.lowercased() {
        case "super", "superspike": return .norseSuperSpike
        case "triangle", "tent": return Surrogate(.triangle, alpha: alpha)
        default:
            guard let s = try? surrogate(name, alpha: alpha) else {
                throw ParameterError("\(r.model): unknown method '\(name)' (known: super, superspike, triangle, \(surrogateNames))")
            }
            return s
        }
    }

    /// Norse `LIFCell`: tau_syn_inv, tau_mem_inv, v_leak, v_th, v_reset, method/surrogate, alpha, dt.
    public static func norseLIF(parameters p: [String: Any]) throws -> NorseLIF {
        let r = Reader("cuba_lif", p, norseLIFInfo + norseFireInfo)
        return try norseLIF(r)
    }

    static func norseLIF(_ r: Reader) throws -> NorseLIF {
        NorseLIF(tauSynInv: try r.number("tau_syn_inv", 200, .positive), tauMemInv: try r.number("tau_mem_inv", 100, .positive),
                 vLeak: try r.number("v_leak", 0), vTh: try r.number("v_th", 1), vReset: try r.number("v_reset", 0),
                 dt: try r.number("dt", 0.001, .positive), surrogate: try norseSurrogate(r))
    }

    /// Norse `LIFBoxCell`: tau_mem_inv, v_leak, v_th, v_reset, reset_method (value/subtract), method/surrogate, alpha, dt.
    public static func norseLIFBox(parameters p: [String: Any]) throws -> NorseLIFBox {
        let r = Reader("lif_box", p, norseLIFBoxInfo + norseFireInfo)
        let resetName = try r.string("reset_method", "value")!
        let key = resetName.lowercased()
        guard let reset = NorseResetMethod(rawValue: key.hasPrefix("reset_") ? String(key.dropFirst(6)) : key) else {
            throw ParameterError("lif_box: reset_method must be 'value' or 'subtract', got '\(resetName)'")
        }
        return NorseLIFBox(tauMemInv: try r.number("tau_mem_inv", 100, .positive), vLeak: try r.number("v_leak", 0),
                           vTh: try r.number("v_th", 1), vReset: try r.number("v_reset", 0), resetMethod: reset,
                           dt: try r.number("dt", 0.001, .positive), surrogate: try norseSurrogate(r))
    }

    /// Norse `LICell`: tau_syn_inv, tau_mem_inv, v_leak, dt.
    public static func norseLI(parameters p: [String: Any]) throws -> NorseLI {
        let r = Reader("li", p, norseLIInfo)
        return NorseLI(tauSynInv: try r.number("tau_syn_inv", 200, .positive), tauMemInv: try r.number("tau_mem_inv", 100, .positive),
                       vLeak: try r.number("v_leak", 0), dt: try r.number("dt", 0.001, .positive))
    }

    /// Norse `LIFAdExCell`: adaptation_current, adaptation_spike, delta_T, tau_ada_inv, tau_syn_inv, tau_mem_inv,
    /// v_leak, v_th, v_reset, method/surrogate, alpha, dt.
    public static func norseAdEx(parameters p: [String: Any]) throws -> NorseLIFAdEx {
        let r = Reader("adex", p, norseAdExInfo + norseFireInfo)
        return NorseLIFAdEx(adaptationCurrent: try r.number("adaptation_current", 4), adaptationSpike: try r.number("adaptation_spike", 0.02),
                            deltaT: try r.number("delta_T", 0.5, .positive), tauAdaInv: try r.number("tau_ada_inv", 2, .positive),
                            tauSynInv: try r.number("tau_syn_inv", 200, .positive), tauMemInv: try r.number("tau_mem_inv", 100, .positive),
                            vLeak: try r.number("v_leak", 0), vTh: try r.number("v_th", 1), vReset: try r.number("v_reset", 0),
                            dt: try r.number("dt", 0.001, .positive), surrogate: try norseSurrogate(r))
    }

    /// Norse `LSNNCell`: tau_syn_inv, tau_mem_inv, tau_adapt_inv, v_leak, v_th, v_reset, beta, method/surrogate, alpha, dt.
    public static func norseLSNN(parameters p: [String: Any]) throws -> NorseLSNN {
        let r = Reader("lsnn", p, norseLSNNInfo + norseFireInfo)
        return NorseLSNN(tauSynInv: try r.number("tau_syn_inv", 200, .positive), tauMemInv: try r.number("tau_mem_inv", 100, .positive),
                         tauAdaptInv: try r.number("tau_adapt_inv", 1.0 / 800, .positive), vLeak: try r.number("v_leak", 0),
                         vTh: try r.number("v_th", 1), vReset: try r.number("v_reset", 0), beta: try r.number("beta", 1.8),
                         dt: try r.number("dt", 0.001, .positive), surrogate: try norseSurrogate(r))
    }

    /// Norse `LIFRefracCell`: the `LIFCell` parameters and rho_reset.
    public static func norseLIFRefrac(parameters p: [String: Any]) throws -> NorseLIFRefrac {
        let r = Reader("lif_refrac", p, norseLIFInfo + [ParameterInfo("rho_reset", "", "", "")] + norseFireInfo)
        return NorseLIFRefrac(lif: try norseLIF(r), rhoReset: try r.number("rho_reset", 5, .nonNegative))
    }
}
