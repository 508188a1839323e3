extension NeuronRegistry {
    /// SPAIC's own simple models under family-qualified ids (`spaic.lif`, `spaic.if`, ...): SPAIC's keyword names
    /// and defaults, as SPAIC 0.6.3's code runs them (Zoo/SPAICSimpleModels.swift).
    static let spaicSimpleEntries: [NeuronEntry] = [
        NeuronEntry(id: "spaic.lif", summary: "SPAIC LIFModel: V~ = exp(-dt/tau_m) V + x; O = V~ > v_th; V = V~ unless O (then 0; reset without gradient)",
                    parameters: spaicLIFInfo, build: { try spaicLIF(parameters: $0) }),
        NeuronEntry(id: "spaic.if", summary: "SPAIC IFModel: V~ = V + x - ConstantDecay; O = V~ > v_th; V = V~ unless O (then 0; reset without gradient)",
                    parameters: spaicIFInfo, build: { p in
                        let r = Reader("spaic.if", p, spaicIFInfo)
                        return SPAICIF(threshold: try r.number("v_th", 1, .any), constantDecay: try r.number("ConstantDecay", 0, .any),
                                       surrogate: try spaicSurrogate(r))
                    }),
        NeuronEntry(id: "spaic.ifsoftreset", summary: "SPAIC IFSoftModel as its code runs: V~ = V + x - ConstantDecay; O = V~ > v_th; V = V~ - V~ O (to 0, gradient through O)",
                    parameters: spaicIFInfo, build: { p in
                        let r = Reader("spaic.ifsoftreset", p, spaicIFInfo)
                        return SPAICIFSoft(threshold: try r.number("v_th", 1, .any), constantDecay: try r.number("ConstantDecay", 0, .any),
                                           surrogate: try spaicSurrogate(r))
                    }),
        NeuronEntry(id: "spaic.ifb", summary: "SPAIC IFBModel: V~ = V + (x + bias); O = V~ > v_th; V = V~ - V~ O",
                    parameters: spaicIFBInfo, build: { p in
                        let r = Reader("spaic.ifb", p, spaicIFBInfo)
                        return SPAICIFB(threshold: try r.number("v_th", 1, .any), bias: try r.number("bias", 0, .any), surrogate: try spaicSurrogate(r))
                    }),
        NeuronEntry(id: "spaic.nonspikingifb", summary: "SPAIC NonSpikingIFBModel: V = V + (x + bias); output V",
                    parameters: [ParameterInfo("bias", "0", "a.u.", "constant input added each step")], build: { p in
                        let r = Reader("spaic.nonspikingifb", p, allowed: ["bias"])
                        return SPAICNonSpikingIFB(bias: try r.number("bias", 0, .any))
                    }),
        NeuronEntry(id: "spaic.null", summary: "SPAIC NullModel: O = x (input passed through)", parameters: [], build: { p in
                        try Reader("spaic.null", p, allowed: []).checkNames()
                        return SPAICNull()
                    }),
        NeuronEntry(id: "spaic.constantcurrentlif",
                    summary: "SPAIC ConstantCurrentLIFModel as its code runs: V~ = V + dt/tau_m (Isyn[t-1] - V); O = V~ > v_th; V = V~ - V~ O[t-1]",
                    parameters: spaicLIFInfoWith(tauM: "20.0"), build: { p in
                        let r = Reader("spaic.constantcurrentlif", p, spaicLIFInfoWith(tauM: "20.0"))
                        return SPAICConstantCurrentLIF(tauM: try r.number("tau_m", 20, .positive), threshold: try r.number("v_th", 1, .any),
                                                       vReset: try r.number("v_reset", 0, .any), dt: try r.number("dt", 0.1, .positive),
                                                       surrogate: try spaicSurrogate(r))
                    }),
        NeuronEntry(id: "spaic.izh",
                    summary: "SPAIC IZHModel: V~ = V + dt (V (0.04 V + 5) + 140 - U + x); U~ = U + a (b V - U) (no dt); O = V~ > v_th; V = V~ + O (Vreset - V~); U = U~ + d O",
                    parameters: spaicIZHInfo, build: { p in
                        let r = Reader("spaic.izh", p, spaicIZHInfo)
                        return SPAICIZH(a: try r.number("a", 0.02, .any), b: try r.number("b", 0.2, .any), threshold: try r.number("v_th", 30, .any),
                                        vReset: try r.number("Vreset", -65, .any), d: try r.number("d", 8, .any),
                                        dt: try r.number("dt", 0.1, .positive), surrogate: try spaicSurrogate(r))
                    }),
        NeuronEntry(id: "spaic.meanfield",
                    summary: "SPAIC MeanFieldModel as its code runs (rate): U += dt/tau (rho Isyn[t-1] + Iext - U); output relu(U)",
                    parameters: spaicMeanFieldInfo, build: { p in
                        let r = Reader("spaic.meanfield", p, spaicMeanFieldInfo)
                        return SPAICMeanField(rho: try r.number("rho", 0.1, .any), tau: try r.number("tau", 1, .positive),
                                              iExt: try r.number("Iext", 0, .any), dt: try r.number("dt", 0.1, .positive))
                    }),
        NeuronEntry(id: "spaic.simplerate",
                    summary: "SPAIC SimpleRateModel (rate): U += dt/tau (sigmoid(x[t-1] + Iext) - U); output U",
                    parameters: spaicSimpleRateInfo, build: { p in
                        let r = Reader("spaic.simplerate", p, spaicSimpleRateInfo)
                        return SPAICSimpleRate(tau: try r.number("tau", 1, .positive), iExt: try r.number("Iext", 0, .any),
                                               dt: try r.number("dt", 0.1, .positive))
                    }),
        NeuronEntry(id: "spaic.nonspikinglif",
                    summary: "SPAIC NonSpikingLIFModel as its code runs: I = V0 Isyn[t-1]; M = exp(-dt/tau_p) M + I[t-1]; S = exp(-dt/tau_q) S + I[t-1]; V += dt/tau_m (M[t-1] - S[t-1] - V); output V",
                    parameters: spaicNonSpikingLIFInfo, build: { p in
                        let r = Reader("spaic.nonspikinglif", p, spaicNonSpikingLIFInfo)
                        let tauP = try r.number("tau_p", 4, .positive), tauQ = try r.number("tau_q", 1, .positive)
                        guard tauP != tauQ else { throw ParameterError("spaic.nonspikinglif: tau_p must differ from tau_q (V0 is undefined when they are equal), got \(tauP) for both") }
                        return SPAICNonSpikingLIF(tauP: tauP, tauQ: tauQ, tauM: try r.number("tau_m", 1, .positive), dt: try r.number("dt", 0.1, .positive))
                    }),
        NeuronEntry(id: "spaic.lifm",
                    summary: "SPAIC LIFMModel as its code runs: I = exp(-dt/tau_p) I + x; V~ = exp(-dt/tau_m) V + I; O = V~ > v_th; V = V~ - V~ O",
                    parameters: spaicLIFMInfo, build: { p in
                        let r = Reader("spaic.lifm", p, spaicLIFMInfo)
                        return SPAICLIFM(tauM: try r.number("tau_m", 10, .positive), tauP: try r.number("tau_p", 1, .positive),
                                         threshold: try r.number("v_th", 1, .any), dt: try r.number("dt", 0.1, .positive), surrogate: try spaicSurrogate(r))
                    }),
    ]

    static func spaicLIFInfoWith(tauM: String) -> [ParameterInfo] {
        [ParameterInfo("tau_m", tauM, "ms", "membrane time constant (> 0)"),
         ParameterInfo("v_th", "1.0", "a.u.", "threshold (spike when V~ > v_th)"),
         ParameterInfo("v_reset", "0.0", "a.u.", "accepted as SPAIC does; SPAIC's code resets to 0 whatever its value"),
         spaicDtInfo] + spaicSurrogateInfo
    }
    static let spaicLIFInfo = spaicLIFInfoWith(tauM: "8.0")
    static let spaicIFInfo = [ParameterInfo("v_th", "1.0", "a.u.", "threshold (spike when V~ > v_th)"),
                              ParameterInfo("ConstantDecay", "0.0", "a.u.", "constant subtracted each step")] + spaicSurrogateInfo
    static let spaicIFBInfo = [ParameterInfo("v_th", "1.0", "a.u.", "threshold (spike when V~ > v_th)"),
                               ParameterInfo("bias", "0", "a.u.", "constant input added each step")] + spaicSurrogateInfo
    static let spaicIZHInfo = [
        ParameterInfo("a", "0.02", "", "time scale of U (per step: no dt in SPAIC's U update)"),
        ParameterInfo("b", "0.2", "", "sensitivity of U to V"),
        ParameterInfo("v_th", "30", "mV", "threshold (V~ > v_th)"),
        ParameterInfo("Vreset", "-65", "mV", "reset of V"),
        ParameterInfo("d", "8", "", "jump of U per spike"),
        spaicDtInfo,
    ] + spaicSurrogateInfo
    static let spaicMeanFieldInfo = [
        ParameterInfo("rho", "0.1", "", "scale of the synaptic input (SPAIC's code scales Isyn only)"),
        ParameterInfo("tau", "1.0", "ms", "time constant (> 0)"),
        ParameterInfo("Iext", "0.0", "a.u.", "external input"),
        spaicDtInfo,
    ]
    static let spaicSimpleRateInfo = [
        ParameterInfo("tau", "1.0", "ms", "time constant (> 0)"),
        ParameterInfo("Iext", "0.0", "a.u.", "external input"),
        spaicDtInfo,
    ]
    static let spaicNonSpikingLIFInfo = [
        ParameterInfo("tau_p", "4.0", "ms", "time constant of M (> 0, != tau_q)"),
        ParameterInfo("tau_q", "1.0", "ms", "time constant of S (> 0)"),
        ParameterInfo("tau_m", "1.0", "ms", "membrane time constant (> 0)"),
        spaicDtInfo,
    ]
    static let spaicLIFMInfo = [
        ParameterInfo("tau_m", "10.0", "ms", "membrane time constant (> 0)"),
        ParameterInfo("tau_p", "1.0", "ms", "current time constant (> 0)"),
        ParameterInfo("v_th", "1.0", "a.u.", "threshold (V~ > v_th)"),
        spaicDtInfo,
    ] + spaicSurrogateInfo

    /// SPAIC `LIFModel` parameters: tau_m, v_th, v_reset (unused by SPAIC's code), dt, surrogate, alpha.
    public static func spaicLIF(parameters p: [String: Any]) throws -> SPAICLIF {
        let r = Reader("spaic.lif", p, spaicLIFInfo)
        return SPAICLIF(tauM: try r.number("tau_m", 8, .positive), threshold: try r.number("v_th", 1, .any),
                        vReset: try r.number("v_reset", 0, .any), dt: try r.number("dt", 0.1, .positive), surrogate: try spaicSurrogate(r))
    }
}

extension NeuronRegistry {
    /// SPAIC's biophysical models with SPAIC's own numbers: `spaic.hh` (its code and defaults) and `spaic.aeif`.
    static let spaicBiophysicalEntries: [NeuronEntry] = [
        NeuronEntry(id: "spaic.hh",
                    summary: "SPAIC HodgkinHuxleyModel as its code runs: gates m' = m + dt (a_m (1-m) - b_m m) at u = V + Vreset; V' = V + x - dt (g_NA m'^3 h' (V-E_NA) + g_K n'^4 (V-E_K) + g_L (V-E_L)); O = V' > v_th (level)",
                    parameters: zip(SPAICHodgkinHuxley.names, SPAICHodgkinHuxley.defaults).map { n, d in
                        ParameterInfo(n, "\(d)", "", "SPAIC HodgkinHuxleyModel keyword (its default)")
                    } + spaicSurrogateInfo,
                    build: { p in
                        let r = Reader("spaic.hh", p, allowed: SPAICHodgkinHuxley.names + ["surrogate", "alpha"])
                        var v: [Float] = []
                        for (k, name) in SPAICHodgkinHuxley.names.enumerated() {
                            let x = try r.number(name, SPAICHodgkinHuxley.defaults[k])
                            if let range = SPAICHodgkinHuxley.parameterDomainError(k, x) { throw ParameterError("spaic.hh: \(name) must be \(range), got \(x)") }
                            v.append(x)
                        }
                        return SPAICHodgkinHuxley(values: v, surrogate: try spaicSurrogate(r))
                    }),
        NeuronEntry(id: "spaic.aeif",
                    summary: "SPAIC aEIFModel with SPAIC's numbers (b 0.0805, STCA surrogate): V' = V + dt/C(gL(dT exp((V-VT)/dT) - (V-EL)) - U + I), U' = U + dt/tau_w(a(V-EL) - U); spike if V' > Vspk: V = EL, U = U' + b",
                    parameters: aeifInfo.filter { !["b", "surrogate", "alpha"].contains($0.name) }
                        + [ParameterInfo("b", "0.0805", "pA", "spike-triggered adaptation (SPAIC's number)")] + spaicSurrogateInfo,
                    build: { p in
                        var q = p
                        let r = Reader("spaic.aeif", p, allowed: aeifInfo.map(\.name))
                        try r.checkNames()
                        let s = try spaicSurrogate(r)
                        q["surrogate"] = nil; q["alpha"] = nil
                        if q["b"] == nil { q["b"] = Float(0.0805) }
                        var m = try aeif(parameters: q)
                        m.surrogate = s
                        return SPAICAEIF(m)
                    }),
    ]
}
