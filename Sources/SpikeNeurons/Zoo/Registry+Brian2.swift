extension NeuronRegistry {
    /// The integrate-and-fire neurons of Brian2's benchmark networks (units mV and ms).
    static let brian2Entries: [NeuronEntry] = [
        NeuronEntry(id: "va_cuba",
                    summary: "Vogels & Abbott 2005 CUBA LIF (Brian2 examples/CUBA.py, exact): dv/dt = (ge + gi - (v - El))/taum unless refractory; dge/dt = -ge/taue; dgi/dt = -gi/taui; spike if v > Vt: v = Vr, refractory",
                    parameters: brian2CUBAInfo + brian2FireInfo, build: { try brian2CUBA(parameters: $0) }),
        NeuronEntry(id: "va_coba",
                    summary: "Vogels & Abbott 2005 COBA LIF (Brian2 COBA benchmark, Euler): dv/dt = (ge (Ee - v) + gi (Ei - v) - (v - El) + I)/taum unless refractory; dge/dt = -ge/taue; dgi/dt = -gi/taui; spike if v > Vt: v = Vr, refractory",
                    parameters: brian2COBAInfo + brian2FireInfo, build: { try brian2COBA(parameters: $0) }),
        NeuronEntry(id: "lif_delta",
                    summary: "LIF with delta synapses (Brunel 2000, Brian2 example, exact): dv/dt = -(v - v_rest)/tau unless refractory; v += x; spike if v > v_threshold: v = v_reset, refractory",
                    parameters: brian2DeltaInfo + brian2FireInfo, build: { try brian2DeltaLIF(parameters: $0) }),
    ]

    static let brian2FireInfo = [
        ParameterInfo("refractory", "model default", "ms", "absolute refractory period (>= 0)"),
        ParameterInfo("dt", "0.1", "ms", "integration step (> 0)"),
        ParameterInfo("surrogate", "atan", "", "surrogate gradient of the threshold: \(surrogateNames)"),
        ParameterInfo("alpha", "family default", "", "surrogate shape (per mV)"),
    ]
    static let brian2SynInfo = [
        ParameterInfo("taum", "20.0", "ms", "membrane time constant (> 0)"),
        ParameterInfo("taue", "5.0", "ms", "excitatory synaptic time constant (> 0)"),
        ParameterInfo("taui", "10.0", "ms", "inhibitory synaptic time constant (> 0)"),
        ParameterInfo("v_threshold", "-50.0", "mV", "threshold Vt: spike when v > Vt"),
        ParameterInfo("v_reset", "-60.0", "mV", "reset Vr"),
    ]
    static let brian2CUBAInfo = brian2SynInfo + [ParameterInfo("v_rest", "-49.0", "mV", "resting potential El")]
    static let brian2COBAInfo = brian2SynInfo + [
        ParameterInfo("v_rest", "-60.0", "mV", "leak reversal El"),
        ParameterInfo("e_exc", "0.0", "mV", "excitatory reversal Ee"),
        ParameterInfo("e_inh", "-80.0", "mV", "inhibitory reversal Ei"),
        ParameterInfo("i_bias", "0.0", "mV", "constant drive I (20 in the Brette et al. 2007 benchmark scripts)"),
    ]
    static let brian2DeltaInfo = [
        ParameterInfo("tau", "20.0", "ms", "membrane time constant (> 0)"),
        ParameterInfo("v_threshold", "20.0", "mV", "threshold theta: spike when v > theta"),
        ParameterInfo("v_reset", "10.0", "mV", "reset Vr"),
        ParameterInfo("v_rest", "0.0", "mV", "resting potential"),
    ]

    static func brian2Surrogate(_ r: Reader) throws -> Surrogate {
        try surrogate(try r.string("surrogate", "atan")!, alpha: try r.optionalNumber("alpha", nil))
    }

    /// Brian2 CUBA neuron: taum, taue, taui, v_threshold, v_reset, v_rest, refractory, dt, surrogate, alpha.
    public static func brian2CUBA(parameters p: [String: Any]) throws -> Brian2CUBA {
        let r = Reader("va_cuba", p, brian2CUBAInfo + brian2FireInfo)
        return Brian2CUBA(tauMembrane: try r.number("taum", 20, .positive), tauExcitatory: try r.number("taue", 5, .positive),
                          tauInhibitory: try r.number("taui", 10, .positive), threshold: try r.number("v_threshold", -50),
                          reset: try r.number("v_reset", -60), rest: try r.number("v_rest", -49),
                          refractory: try r.number("refractory", 5, .nonNegative), dt: try r.number("dt", 0.1, .positive),
                          surrogate: try brian2Surrogate(r))
    }

    /// Brian2 COBA neuron: taum, taue, taui, v_threshold, v_reset, v_rest, e_exc, e_inh, refractory, dt, surrogate, alpha.
    public static func brian2COBA(parameters p: [String: Any]) throws -> Brian2COBA {
        let r = Reader("va_coba", p, brian2COBAInfo + brian2FireInfo)
        return Brian2COBA(tauMembrane: try r.number("taum", 20, .positive), tauExcitatory: try r.number("taue", 5, .positive),
                          tauInhibitory: try r.number("taui", 10, .positive), threshold: try r.number("v_threshold", -50),
                          reset: try r.number("v_reset", -60), rest: try r.number("v_rest", -60),
                          excitatoryReversal: try r.number("e_exc", 0), inhibitoryReversal: try r.number("e_inh", -80), bias: try r.number("i_bias", 0),
                          refractory: try r.number("refractory", 5, .nonNegative), dt: try r.number("dt", 0.1, .positive),
                          surrogate: try brian2Surrogate(r))
    }

    /// Brunel (2000) delta-synapse LIF: tau, v_threshold, v_reset, v_rest, refractory, dt, surrogate, alpha.
    public static func brian2DeltaLIF(parameters p: [String: Any]) throws -> Brian2DeltaLIF {
        let r = Reader("lif_delta", p, brian2DeltaInfo + brian2FireInfo)
        return Brian2DeltaLIF(tau: try r.number("tau", 20, .positive), threshold: try r.number("v_threshold", 20),
                              reset: try r.number("v_reset", 10), rest: try r.number("v_rest", 0),
                              refractory: try r.number("refractory", 2, .nonNegative), dt: try r.number("dt", 0.1, .positive),
                              surrogate: try brian2Surrogate(r))
    }
}
