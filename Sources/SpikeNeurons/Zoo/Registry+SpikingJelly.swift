extension NeuronRegistry {
    /// The SpikingJelly models of the zoo (`spikingjelly.activation_based.neuron`), with SpikingJelly's
    /// parameter names: `plif` (ParametricLIFNode), `qif` (QIFNode), `eif` (EIFNode), `izhikevich` (IzhikevichNode).
    static let spikingJellyEntries: [NeuronEntry] = [
        NeuronEntry(id: "plif",
                    summary: "parametric LIF (SpikingJelly ParametricLIFNode): 1/tau = sigmoid(w), H = V + (X - (V - v_reset)) sigmoid(w); spike if H >= v_threshold; reset",
                    parameters: sjPLIFInfo, build: { try spikingJellyPLIF(parameters: $0) }),
        NeuronEntry(id: "qif",
                    summary: "quadratic integrate-and-fire (SpikingJelly QIFNode): H = V + (X + a0 (V - v_rest)(V - v_c))/tau; spike if H >= v_threshold; reset",
                    parameters: sjQIFInfo, build: { try spikingJellyQIF(parameters: $0) }),
        NeuronEntry(id: "eif",
                    summary: "exponential integrate-and-fire (SpikingJelly EIFNode): H = V + (X + v_rest - V + delta_T exp((V - theta_rh)/delta_T))/tau; spike if H >= v_threshold; reset",
                    parameters: sjEIFInfo, build: { try spikingJellyEIF(parameters: $0) }),
        NeuronEntry(id: "izhikevich",
                    summary: "adaptive quadratic neuron (SpikingJelly IzhikevichNode): H = V + (X + a0 (V - v_rest)(V - v_c) - W)/tau; W += (a (H - v_rest) - W)/tau_w; spike; reset; W += b S",
                    parameters: sjIzhikevichInfo, build: { try spikingJellyIzhikevich(parameters: $0) }),
    ]

    /// `fireInfo` with SpikingJelly's QIF/EIF default `v_reset = -0.1`.
    static let sjFireInfoResetMinus01 = fireInfo.map {
        $0.name == "v_reset" ? ParameterInfo("v_reset", "-0.1", "a.u.", "hard-reset potential (also V[0]); 'none' for soft reset") : $0
    }
    static let sjTauInfo = ParameterInfo("tau", "2.0", "steps", "membrane time constant (> 1, as SpikingJelly asserts)")

    static let sjPLIFInfo: [ParameterInfo] = [
        ParameterInfo("init_tau", "2.0", "steps", "initial membrane time constant (> 1): w = -ln(init_tau - 1)"),
        ParameterInfo("w", "-ln(init_tau - 1)", "", "learnable w, 1/tau = sigmoid(w) (instead of init_tau)"),
        ParameterInfo("decay_input", "true", "", "multiply the input by 1/tau"),
    ] + fireInfo
    static let sjQIFInfo: [ParameterInfo] = [
        sjTauInfo,
        ParameterInfo("v_c", "0.8", "a.u.", "critical voltage (unstable fixed point without input)"),
        ParameterInfo("a0", "1.0", "", "sharpness of the quadratic term (> 0)"),
        ParameterInfo("v_rest", "0.0", "a.u.", "resting potential (< v_reset is rejected under hard reset; equal is allowed, as SpikingJelly asserts v_rest >= v_reset)"),
    ] + sjFireInfoResetMinus01
    static let sjEIFInfo: [ParameterInfo] = [
        sjTauInfo,
        ParameterInfo("delta_T", "1.0", "a.u.", "sharpness of the exponential (> 0)"),
        ParameterInfo("theta_rh", "0.8", "a.u.", "rheobase threshold"),
        ParameterInfo("v_rest", "0.0", "a.u.", "resting potential (< v_reset is rejected)"),
    ] + sjFireInfoResetMinus01
    static let sjIzhikevichInfo: [ParameterInfo] = [
        sjTauInfo,
        ParameterInfo("v_c", "0.8", "a.u.", "critical voltage"),
        ParameterInfo("a0", "1.0", "", "sharpness of the quadratic term (> 0)"),
        ParameterInfo("v_rest", "-0.1", "a.u.", "resting potential"),
        ParameterInfo("w_rest", "0.0", "a.u.", "initial adaptation current W[0]"),
        ParameterInfo("tau_w", "2.0", "steps", "adaptation time constant (> 0)"),
        ParameterInfo("a", "0.0", "", "subthreshold coupling of W to V - v_rest"),
        ParameterInfo("b", "0.0", "a.u.", "jump of W at each spike"),
    ] + fireInfo

    /// SpikingJelly ParametricLIFNode: init_tau (> 1) or w, decay_input, v_threshold, v_reset, reset, surrogate,
    /// alpha, detach_reset.
    public static func spikingJellyPLIF(parameters p: [String: Any]) throws -> PLIF {
        let r = Reader("plif", p, sjPLIFInfo)
        let initTau = try r.number("init_tau", 2, .above(1))
        let w = try r.optionalNumber("w", nil)
        if w != nil, p["init_tau"] != nil { throw ParameterError("plif: give init_tau or w, not both") }
        let (threshold, reset, surrogate, detach) = try fireParameters(r)
        return PLIF(w: w ?? PLIF.w(fromInitTau: initTau), decayInput: try r.bool("decay_input", true), threshold: threshold,
                    reset: reset, surrogate: surrogate, detachReset: detach)
    }

    /// The values with SpikingJelly's QIF/EIF default `v_reset = -0.1` filled in when absent.
    static func sjWithResetMinus01(_ p: [String: Any]) -> [String: Any] {
        var q = p
        if q["v_reset"] == nil { q["v_reset"] = Float(-0.1) }
        return q
    }

    /// SpikingJelly's asserts of QIFNode/EIFNode under hard reset: v_threshold > v_reset, v_rest >= v_reset.
    static func sjCheckResetOrder(_ model: String, threshold: Float, vRest: Float, reset: ResetMode) throws {
        guard case .hard(let r) = reset else { return }
        if !(threshold > r) { throw ParameterError("\(model): v_threshold must be > v_reset (\(r)), got \(threshold)") }
        if !(vRest >= r) { throw ParameterError("\(model): v_rest must be >= v_reset (\(r)), got \(vRest)") }
    }

    /// SpikingJelly QIFNode: tau (> 1), v_c, a0 (> 0), v_threshold, v_rest, v_reset (default -0.1), reset,
    /// surrogate, alpha, detach_reset.
    public static func spikingJellyQIF(parameters p: [String: Any]) throws -> SpikingJellyQIF {
        let r = Reader("qif", sjWithResetMinus01(p), sjQIFInfo)
        let tau = try r.number("tau", 2, .above(1)), vC = try r.number("v_c", 0.8), a0 = try r.number("a0", 1, .positive)
        let vRest = try r.number("v_rest", 0)
        let (threshold, reset, surrogate, detach) = try fireParameters(r)
        try sjCheckResetOrder("qif", threshold: threshold, vRest: vRest, reset: reset)
        return SpikingJellyQIF(tau: tau, vC: vC, a0: a0, threshold: threshold, vRest: vRest, reset: reset,
                               surrogate: surrogate, detachReset: detach)
    }

    /// SpikingJelly EIFNode: tau (> 1), delta_T (> 0), theta_rh, v_threshold, v_rest, v_reset (default -0.1),
    /// reset, surrogate, alpha, detach_reset.
    public static func spikingJellyEIF(parameters p: [String: Any]) throws -> SpikingJellyEIF {
        let r = Reader("eif", sjWithResetMinus01(p), sjEIFInfo)
        let tau = try r.number("tau", 2, .above(1)), deltaT = try r.number("delta_T", 1, .positive)
        let thetaRh = try r.number("theta_rh", 0.8), vRest = try r.number("v_rest", 0)
        let (threshold, reset, surrogate, detach) = try fireParameters(r)
        try sjCheckResetOrder("eif", threshold: threshold, vRest: vRest, reset: reset)
        return SpikingJellyEIF(tau: tau, deltaT: deltaT, thetaRh: thetaRh, threshold: threshold, vRest: vRest, reset: reset,
                               surrogate: surrogate, detachReset: detach)
    }

    /// SpikingJelly IzhikevichNode: tau (> 1), v_c, a0 (> 0), v_threshold, v_reset, v_rest, w_rest, tau_w (> 0),
    /// a, b, reset, surrogate, alpha, detach_reset.
    public static func spikingJellyIzhikevich(parameters p: [String: Any]) throws -> SpikingJellyIzhikevich {
        let r = Reader("izhikevich", p, sjIzhikevichInfo)
        let tau = try r.number("tau", 2, .above(1)), vC = try r.number("v_c", 0.8), a0 = try r.number("a0", 1, .positive)
        let vRest = try r.number("v_rest", -0.1), wRest = try r.number("w_rest", 0)
        let tauW = try r.number("tau_w", 2, .positive), a = try r.number("a", 0), b = try r.number("b", 0)
        let (threshold, reset, surrogate, detach) = try fireParameters(r)
        return SpikingJellyIzhikevich(tau: tau, vC: vC, a0: a0, threshold: threshold, reset: reset, vRest: vRest, wRest: wRest,
                                      tauW: tauW, a: a, b: b, surrogate: surrogate, detachReset: detach)
    }
}
