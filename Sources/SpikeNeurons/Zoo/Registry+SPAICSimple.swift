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

extension NeuronRegistry {
    static let darwinInfo = [
        ParameterInfo("dt", "0.1", "ms", "time step (> 0)"),
        ParameterInfo("tau_m", "12.0", "ms", "membrane time constant (> 0); P0 = round(exp(-dt/tau_m) 2^8)/2^8"),
        ParameterInfo("tau_s", "8.0", "ms", "current time constant (> 0); P4 = round(exp(-dt/tau_s) 2^8)/2^8"),
        ParameterInfo("bias", "0.0", "", "bias; P1 = round(bias 2^15)/2.0*15 as SPAIC's code"),
        ParameterInfo("v_th", "16384", "integer units", "threshold"),
    ]
    static let darwinSurrogateInfo = [
        ParameterInfo("surrogate", "rectangle", "", "surrogate gradient (straight-through elsewhere); \(surrogateNames)"),
        ParameterInfo("alpha", "v_th", "", "surrogate width in integer units"),
    ]

    static func darwinSurrogate(_ r: Reader, width: Float) throws -> Surrogate {
        let name = try r.string("surrogate", "rectangle")!
        return try surrogate(name, alpha: try r.optionalNumber("alpha", nil) ?? (name == "rectangle" ? Swift.max(Swift.abs(width), 1) : nil))
    }

    /// SPAIC's Darwin chip models and two-kernel CLIF variants under their SPAIC ids.
    static let spaicDarwinEntries: [NeuronEntry] = [
        NeuronEntry(id: "spaic.darwin_clif", summary: "SPAIC Darwin_CLIF (16-bit): I = q16(I P4 + x); V = q16(V P0 + I + P1); O = V > v_th; V = V - V O",
                    parameters: darwinInfo + [ParameterInfo("V", "12500", "integer units", "initial V (SPAIC draws it uniformly in [10000, 15000))")] + darwinSurrogateInfo,
                    build: { p in
                        let r = Reader("spaic.darwin_clif", p, darwinInfo + [ParameterInfo("V", "", "", "")] + darwinSurrogateInfo)
                        let th = try r.number("v_th", 16384, .any)
                        return SPAICDarwinCLIF(dt: try r.number("dt", 0.1, .positive), tauM: try r.number("tau_m", 12, .positive),
                                               tauS: try r.number("tau_s", 8, .positive), bias: try r.number("bias", 0, .any), threshold: th,
                                               v0: try r.number("V", 12500, .any), surrogate: try darwinSurrogate(r, width: th))
                    }),
        NeuronEntry(id: "spaic.darwin_alif", summary: "SPAIC Darwin_ALIF (16-bit): I = q16(I P4 + x); V = q16(V P0 + I + P1); O = V > Vth; V = V - V O; Vth = 0.999 Vth + round(0.001 v_th) + round(0.2 v_th) O",
                    parameters: darwinInfo + [ParameterInfo("V", "-7500", "integer units", "initial V (SPAIC draws it uniformly in [-30000, 15000))")] + darwinSurrogateInfo,
                    build: { p in
                        let r = Reader("spaic.darwin_alif", p, darwinInfo + [ParameterInfo("V", "", "", "")] + darwinSurrogateInfo)
                        let th = try r.number("v_th", 16384, .any)
                        return SPAICDarwinALIF(dt: try r.number("dt", 0.1, .positive), tauM: try r.number("tau_m", 12, .positive),
                                               tauS: try r.number("tau_s", 8, .positive), bias: try r.number("bias", 0, .any), threshold: th,
                                               v0: try r.number("V", -7500, .any), surrogate: try darwinSurrogate(r, width: th))
                    }),
        NeuronEntry(id: "spaic.darwin_random", summary: "SPAIC Darwin_Random: V = P0 V + round(std u - std/2) + round(bias), u ~ U[0,1) (seeded); O = V > v_th; V = V - V O (no input)",
                    parameters: spaicDarwinRandomInfo, build: { p in
                        let r = Reader("spaic.darwin_random", p, spaicDarwinRandomInfo)
                        let th = try r.number("v_th", 15000, .any)
                        let seed = try r.number("seed", 0, .nonNegative)
                        guard seed == seed.rounded(), seed < 16_777_216 else { throw ParameterError("spaic.darwin_random: seed must be an integer in [0, 2^24), got \(seed)") }
                        return SPAICDarwinRandom(dt: try r.number("dt", 0.1, .positive), tauM: try r.number("tau_m", 10, .positive),
                                                 std: try r.number("std", 0, .nonNegative), bias: try r.number("bias", 0, .any), threshold: th,
                                                 v0: try r.number("V", 12500, .any), seed: seed, surrogate: try darwinSurrogate(r, width: th))
                    }),
        NeuronEntry(id: "spaic.clif2k", summary: "SPAIC CLIF2kModel: I = V0 x; M = exp(-dt/tau_m) M + I; S = exp(-dt/tau_s) S + I; V = M - S - E; O = V > v_th; E = exp(-dt/tau_m) E + v_th O",
                    parameters: spaicCLIF2kInfo, build: { p in
                        let r = Reader("spaic.clif2k", p, spaicCLIF2kInfo)
                        let tauM = try r.number("tau_m", 20, .positive), tauS = try r.number("tau_s", 12, .positive)
                        guard tauM != tauS else { throw ParameterError("spaic.clif2k: tau_m must differ from tau_s (V0 is undefined when they are equal), got \(tauM) for both") }
                        return SPAICCLIF2k(tauM: tauM, tauS: tauS, threshold: try r.number("v_th", 1, .any), dt: try r.number("dt", 0.1, .positive),
                                           surrogate: try spaicSurrogate(r))
                    }),
        NeuronEntry(id: "spaic.pclif", summary: "SPAIC PLIF2kModel: M = tau_m (M + x); S = tau_s (S + x); E = tau_m E + v_th O[t-1]; V = M - S - E; O = V > v_th (tau_m, tau_s learnable decay factors)",
                    parameters: spaicPCLIFInfo, build: { p in
                        let r = Reader("spaic.pclif", p, spaicPCLIFInfo)
                        return SPAICPCLIF(tauM: try r.number("tau_m", 0.9, .any), tauS: try r.number("tau_s", 0.6, .any),
                                          threshold: try r.number("v_th", 1, .any), surrogate: try spaicSurrogate(r))
                    }),
    ]
    static let spaicDarwinRandomInfo = [
        ParameterInfo("dt", "0.1", "ms", "time step (> 0)"),
        ParameterInfo("tau_m", "10.0", "ms", "time constant (> 0); P0 = round(exp(-dt/tau_m) 2^16)/2^16"),
        ParameterInfo("std", "0.0", "integer units", "noise width (>= 0): round(std u - std/2) per step"),
        ParameterInfo("bias", "0.0", "integer units", "constant drive (rounded)"),
        ParameterInfo("v_th", "15000", "integer units", "threshold"),
        ParameterInfo("V", "12500", "integer units", "initial V (SPAIC draws it uniformly in [10000, 15000))"),
        ParameterInfo("seed", "0", "", "noise seed (integer in [0, 2^24); give neurons different seeds for independent noise)"),
    ] + darwinSurrogateInfo
    static let spaicCLIF2kInfo = [
        ParameterInfo("tau_m", "20.0", "ms", "membrane and reset kernel time constant (> 0, != tau_s)"),
        ParameterInfo("tau_s", "12.0", "ms", "synaptic kernel time constant (> 0)"),
        spaicThresholdInfo, spaicDtInfo,
    ] + spaicSurrogateInfo
    static let spaicPCLIFInfo = [
        ParameterInfo("tau_m", "0.9", "per step", "decay factor of M and E (learnable; SPAIC uses it as a multiplier)"),
        ParameterInfo("tau_s", "0.6", "per step", "decay factor of S (learnable)"),
        spaicThresholdInfo,
    ] + spaicSurrogateInfo
}

extension NeuronRegistry {
    static let spaicLIFSTDPIHInfo = [
        ParameterInfo("v_th", "-40.0", "mV", "threshold (V~ > v_th)"),
        ParameterInfo("v_reset", "-45.0", "mV", "reset potential"),
        ParameterInfo("v_rest", "-60.0", "mV", "resting potential (the initial V is SPAIC's fixed -60)"),
        ParameterInfo("decay_v", "exp(-1/10)", "per step", "decay factor of V - v_rest (in [0, 1])"),
    ] + spaicSurrogateInfo
    static let spaicALIFSTDPEXInfo = [
        ParameterInfo("v_th", "2.0", "a.u.", "base threshold"),
        ParameterInfo("v_reset", "2.0", "a.u.", "subtracted from V at a spike (SPAIC's code)"),
        ParameterInfo("v_rest", "0.0", "a.u.", "resting potential"),
        ParameterInfo("th_inc", "0.001", "", "theta grows by th_inc times the current threshold per spike (>= 0)"),
        ParameterInfo("decay_th", "exp(-1/1e5)", "per step", "decay factor of theta (in [0, 1])"),
        ParameterInfo("decay_v", "exp(-1/100)", "per step", "decay factor of V - v_rest (in [0, 1])"),
    ] + spaicSurrogateInfo

    /// SPAIC's other Diehl & Cook LIF variants.
    static let spaicSTDPEntries: [NeuronEntry] = [
        NeuronEntry(id: "spaic.lifstdp_ih", summary: "SPAIC LIFSTDPIHModel: V~ = decay_v (V - v_rest) + v_rest + x; O = V~ > v_th; V = v_reset O + V~ (1 - O)",
                    parameters: spaicLIFSTDPIHInfo, build: { p in
                        let r = Reader("spaic.lifstdp_ih", p, spaicLIFSTDPIHInfo)
                        let d = SPAICLIFSTDPIH()
                        return SPAICLIFSTDPIH(threshold: try r.number("v_th", -40, .any), vReset: try r.number("v_reset", -45, .any),
                                              vRest: try r.number("v_rest", -60, .any), decayV: try r.number("decay_v", d.decayV, .unitInterval),
                                              surrogate: try spaicSurrogate(r))
                    }),
        NeuronEntry(id: "spaic.alifstdp_ex", summary: "SPAIC ALIFSTDPEXModel as its code runs: V~ = decay_v (V - v_rest) + v_rest + x; Vth = v_th + decay_th theta; O = V~ > Vth; V = V~ - v_reset O; theta = decay_th theta + th_inc O Vth",
                    parameters: spaicALIFSTDPEXInfo, build: { p in
                        let r = Reader("spaic.alifstdp_ex", p, spaicALIFSTDPEXInfo)
                        let d = SPAICALIFSTDPEX()
                        return SPAICALIFSTDPEX(threshold: try r.number("v_th", 2, .any), vReset: try r.number("v_reset", 2, .any),
                                               vRest: try r.number("v_rest", 0, .any), thInc: try r.number("th_inc", 0.001, .nonNegative),
                                               decayTh: try r.number("decay_th", d.decayTh, .unitInterval),
                                               decayV: try r.number("decay_v", d.decayV, .unitInterval), surrogate: try spaicSurrogate(r))
                    }),
    ]
}

extension NeuronRegistry {
    static let spaicLIFIntPlainInfo = [
        ParameterInfo("thresh", "1", "a.u.", "threshold (fires on V~ >= thresh)"),
        ParameterInfo("decay", "1", "per step", "decay factor of V - v_rest"),
        ParameterInfo("v_rest", "0", "a.u.", "resting potential"),
        ParameterInfo("v_reset", "0", "a.u.", "reset potential"),
        ParameterInfo("reset_refrac", "0", "steps", "refractory steps after a spike (integer)"),
        ParameterInfo("refrac_count", "0", "steps", "initial refractory counter (integer)"),
    ] + spaicSurrogateInfo

    /// SPAIC's `LIFInt` under `spaic.lifint`.
    static let spaicLIFIntPlainEntries: [NeuronEntry] = [
        NeuronEntry(id: "spaic.lifint", summary: "SPAIC LIFInt: V~ = decay (V - v_rest) + v_rest + x (0 while refractory); O = V~ >= thresh; V = v_reset, refrac_count = reset_refrac at a spike",
                    parameters: spaicLIFIntPlainInfo, build: { p in
                        let r = Reader("spaic.lifint", p, spaicLIFIntPlainInfo)
                        var v: [Float] = []
                        let defaults: [Float] = [1, 1, 0, 0, 0, 0]
                        for (k, name) in SPAICLIFIntPlain.parameterNames.enumerated() {
                            let x = try r.number(name, defaults[k], .any)
                            if let range = SPAICLIFIntPlain.parameterDomainError(k, x) { throw ParameterError("spaic.lifint: \(name) must be \(range), got \(x)") }
                            v.append(x)
                        }
                        return SPAICLIFIntPlain(threshold: v[0], decay: v[1], vRest: v[2], vReset: v[3], resetRefrac: v[4], refracCount: v[5],
                                                surrogate: try spaicSurrogate(r))
                    }),
    ]
}

extension NeuronRegistry {
    static let spaicPLIFInfo = [
        ParameterInfo("tau_m", "2.0", "steps", "time constant (> 1); SPAIC runs with w = clamp(-ln(tau_m - 1), 0, 1)"),
        ParameterInfo("w", "from tau_m", "", "the learnable parameter itself (k = sigmoid(w)); give tau_m or w"),
        ParameterInfo("v_th", "1.0", "a.u.", "threshold (V~ > v_th)"),
        ParameterInfo("v_reset", "0.0", "a.u.", "accepted as SPAIC does; its code resets to 0"),
    ] + spaicSurrogateInfo

    /// SPAIC's `PLIFModel` under `spaic.plif`.
    static let spaicPLIFEntries: [NeuronEntry] = [
        NeuronEntry(id: "spaic.plif", summary: "SPAIC PLIFModel as its code runs: V~ = sigmoid(w) (x - V) + V; O = V~ > v_th; V = V~ unless O[t-1] (then 0); w = clamp(-ln(tau_m - 1), 0, 1) learnable",
                    parameters: spaicPLIFInfo, build: { p in
                        let r = Reader("spaic.plif", p, spaicPLIFInfo)
                        let tau = try r.optionalNumber("tau_m", nil), w = try r.optionalNumber("w", nil)
                        if tau != nil && w != nil { throw ParameterError("spaic.plif: give tau_m or w, not both") }
                        if let tau, !(tau > 1) { throw ParameterError("spaic.plif: tau_m must be > 1, got \(tau)") }
                        return SPAICPLIF(w: w ?? SPAICPLIF.w(fromTauM: tau ?? 2), threshold: try r.number("v_th", 1, .any),
                                         vReset: try r.number("v_reset", 0, .any), surrogate: try spaicSurrogate(r))
                    }),
    ]
}
