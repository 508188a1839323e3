extension NeuronRegistry {
    /// The SPAIC models of the zoo (ZJU SPAIC 0.6.3, spaic/Neuron/Neuron.py), with SPAIC's keyword names.
    static let spaicEntries: [NeuronEntry] = [
        NeuronEntry(id: "clif",
                    summary: "SPAIC CLIFModel (3-kernel current LIF): M = bp M + V0 x; S = bq S + V0 x; V = M - S - E; spike if V > v_th; E = bm E + v_th O",
                    parameters: spaicCLIFInfo, build: { try spaicCLIF(parameters: $0) }),
        NeuronEntry(id: "aclif",
                    summary: "SPAIC AdaptiveCLIFModel: CLIF with Vth1 = ba Vth1 + O[t-1]; V = M - S - (beta_adaptive Vth1 + E); spike if V > v_th",
                    parameters: spaicACLIFInfo, build: { try spaicACLIF(parameters: $0) }),
        NeuronEntry(id: "diehl_cook",
                    summary: "SPAIC LIFSTDPEXModel (Diehl & Cook 2015): V = decay_v (V - v_rest) + v_rest + x; theta *= decay_th; spike if V > v_th + theta; V = v_reset; theta += th_inc",
                    parameters: spaicDiehlCookInfo, build: { try spaicDiehlCook(parameters: $0) }),
        NeuronEntry(id: "lif_int",
                    summary: "SPAIC DiehlAndCookModelInt (int32): V = ((decay (V - v_rest)) >> 10) + v_rest + ((x coef) >> 10); spike if V > thresh; refractory; thresh += thresh_plus",
                    parameters: spaicLIFIntInfo, build: { try spaicLIFInt(parameters: $0) }),
    ]

    static let spaicSurrogateInfo = [
        ParameterInfo("surrogate", "rectangle", "", "surrogate gradient (SPAIC's STCA learner: rectangle); \(surrogateNames)"),
        ParameterInfo("alpha", "1.0", "", "surrogate shape; rectangle width 1 = SPAIC's STCA alpha 0.5 (gradient 1 where |V - v_th| < 0.5)"),
    ]
    static let spaicKernelInfo = [
        ParameterInfo("tau_m", "20.0", "ms", "time constant of the reset kernel E (> 0)"),
        ParameterInfo("tau_p", "12.0", "ms", "time constant of the membrane kernel M (> 0)"),
        ParameterInfo("tau_q", "8.0", "ms", "time constant of the synaptic kernel S (> 0, != tau_p)"),
    ]
    static let spaicThresholdInfo = ParameterInfo("v_th", "1.0", "a.u.", "threshold (the normalised PSP peaks at 1); E jumps by v_th at a spike")
    static let spaicDtInfo = ParameterInfo("dt", "0.1", "ms", "time step (> 0; SPAIC's backend default 0.1)")

    static let spaicCLIFInfo = spaicKernelInfo + [spaicThresholdInfo, spaicDtInfo] + spaicSurrogateInfo
    static let spaicACLIFInfo = spaicKernelInfo + [
        ParameterInfo("tau_a", "2000.0", "ms", "time constant of the adaptation Vth1 (> 0)"),
        spaicThresholdInfo,
        ParameterInfo("beta_adaptive", "0.1", "a.u.", "weight of Vth1 in the threshold"),
        spaicDtInfo,
    ] + spaicSurrogateInfo
    static let spaicDiehlCookInfo = [
        ParameterInfo("v_th", "-52.0", "mV", "base threshold"),
        ParameterInfo("v_reset", "-60.0", "mV", "reset potential"),
        ParameterInfo("v_rest", "-65.0", "mV", "resting potential (the initial V is SPAIC's fixed -65)"),
        ParameterInfo("th_inc", "0.05", "mV", "theta increment per spike (>= 0)"),
        ParameterInfo("decay_th", "exp(-1/1e7)", "per step", "decay factor of theta per step (in [0, 1])"),
        ParameterInfo("decay_v", "exp(-1/100)", "per step", "decay factor of V - v_rest per step (in [0, 1])"),
        ParameterInfo("reset_refrac", "0", "steps", "refractory period (integer >= 0; SPAIC's lifstdp_ex has none: 0)"),
    ] + spaicSurrogateInfo
    static let spaicLIFIntInfo = [
        ParameterInfo("thresh", "213", "integer", "initial threshold (the threshold is a state)"),
        ParameterInfo("refrac_count", "0", "steps", "initial refractory counter"),
        ParameterInfo("max_threshold", "4915", "integer", "above it the threshold is halved (>> 1) at the next step"),
        ParameterInfo("decay", "1013", "integer", "membrane decay: V = (decay (V - v_rest)) >> shift_voltage + v_rest"),
        ParameterInfo("shift_voltage", "10", "bits", "right shift of the decay (integer in [0, 31])"),
        ParameterInfo("weight_sum_coef", "154", "integer", "input scale: (x weight_sum_coef) >> shift_weight_sum_coef"),
        ParameterInfo("shift_weight_sum_coef", "10", "bits", "right shift of the input (integer in [0, 31])"),
        ParameterInfo("weight_sum_min", "-32767", "integer", "lower clamp of the (truncated) input"),
        ParameterInfo("weight_sum_max", "32767", "integer", "upper clamp of the (truncated) input"),
        ParameterInfo("v_reset", "0", "integer", "reset potential"),
        ParameterInfo("v_rest", "0", "integer", "resting potential"),
        ParameterInfo("reset_refrac", "5", "steps", "refractory period: input ignored for this many steps after a spike (integer >= 0)"),
        ParameterInfo("thresh_plus", "66", "integer", "threshold increment per spike"),
        ParameterInfo("lbound", "-32767", "integer", "lower bound of V"),
        ParameterInfo("surrogate", "rectangle", "", "surrogate gradient at the threshold (STE for the rounding); \(surrogateNames)"),
        ParameterInfo("alpha", "213.0", "", "surrogate shape in integer units; rectangle width 213 (the default threshold's scale)"),
    ]

    /// The surrogate: SPAIC's STCA rectangle by default; `rectangleWidth` is the rectangle's default width.
    static func spaicSurrogate(_ r: Reader, rectangleWidth: Float = 1) throws -> Surrogate {
        let name = try r.string("surrogate", "rectangle")!
        let alpha = try r.optionalNumber("alpha", nil)
        return try surrogate(name, alpha: alpha ?? (name == "rectangle" ? rectangleWidth : nil))
    }

    /// `tau_p`, `tau_q` (> 0 and different: V0 is undefined when they are equal).
    static func spaicKernelTaus(_ r: Reader) throws -> (Float, Float, Float) {
        let tauM = try r.number("tau_m", 20, .positive)
        let tauP = try r.number("tau_p", 12, .positive), tauQ = try r.number("tau_q", 8, .positive)
        guard tauP != tauQ else { throw ParameterError("\(r.model): tau_p must differ from tau_q (V0 is undefined when they are equal), got \(tauP) for both") }
        return (tauM, tauP, tauQ)
    }

    /// SPAIC CLIFModel parameters: tau_m, tau_p, tau_q, v_th, dt, surrogate, alpha.
    public static func spaicCLIF(parameters p: [String: Any]) throws -> SPAICCLIF {
        let r = Reader("clif", p, spaicCLIFInfo)
        let (tauM, tauP, tauQ) = try spaicKernelTaus(r)
        return SPAICCLIF(tauM: tauM, tauP: tauP, tauQ: tauQ, threshold: try r.number("v_th", 1, .any),
                         dt: try r.number("dt", 0.1, .positive), surrogate: try spaicSurrogate(r))
    }

    /// SPAIC AdaptiveCLIFModel parameters: tau_m, tau_p, tau_q, tau_a, v_th, beta_adaptive, dt, surrogate, alpha.
    public static func spaicACLIF(parameters p: [String: Any]) throws -> SPAICAdaptiveCLIF {
        let r = Reader("aclif", p, spaicACLIFInfo)
        let (tauM, tauP, tauQ) = try spaicKernelTaus(r)
        return SPAICAdaptiveCLIF(tauM: tauM, tauP: tauP, tauQ: tauQ, tauA: try r.number("tau_a", 2000, .positive),
                                 threshold: try r.number("v_th", 1, .any), betaAdaptive: try r.number("beta_adaptive", 0.1, .any),
                                 dt: try r.number("dt", 0.1, .positive), surrogate: try spaicSurrogate(r))
    }

    /// SPAIC LIFSTDPEXModel parameters: v_th, v_reset, v_rest, th_inc, decay_th, decay_v, reset_refrac, surrogate, alpha.
    public static func spaicDiehlCook(parameters p: [String: Any]) throws -> SPAICDiehlCook {
        let r = Reader("diehl_cook", p, spaicDiehlCookInfo)
        let d = SPAICDiehlCook()
        let refrac = try r.number("reset_refrac", 0, .nonNegative)
        guard refrac == refrac.rounded(), refrac <= spaicIntegerLimit else {
            throw ParameterError("diehl_cook: reset_refrac must be an integer >= 0, got \(refrac)")
        }
        return SPAICDiehlCook(threshold: try r.number("v_th", -52, .any), vReset: try r.number("v_reset", -60, .any),
                              vRest: try r.number("v_rest", -65, .any), thInc: try r.number("th_inc", 0.05, .nonNegative),
                              decayTh: try r.number("decay_th", d.decayTh, .unitInterval),
                              decayV: try r.number("decay_v", d.decayV, .unitInterval), resetRefrac: refrac,
                              surrogate: try spaicSurrogate(r))
    }

    /// SPAIC DiehlAndCookModelInt parameters (all integers): thresh, refrac_count, max_threshold, decay, shift_voltage,
    /// weight_sum_coef, shift_weight_sum_coef, weight_sum_min, weight_sum_max, v_reset, v_rest, reset_refrac,
    /// thresh_plus, lbound; and surrogate, alpha.
    public static func spaicLIFInt(parameters p: [String: Any]) throws -> SPAICLIFInt {
        let r = Reader("lif_int", p, spaicLIFIntInfo)
        let base = SPAICLIFInt()
        var v: [Int32] = []
        for (k, name) in SPAICLIFInt.parameterNames.enumerated() {
            let x = try r.number(name, base.parameters[k], .any)
            if let range = SPAICLIFInt.parameterDomainError(k, x) { throw ParameterError("lif_int: \(name) must be \(range), got \(x)") }
            v.append(Int32(x))
        }
        guard v[7] <= v[8] else { throw ParameterError("lif_int: weight_sum_min must be <= weight_sum_max, got \(v[7]) > \(v[8])") }
        return SPAICLIFInt(thresh: v[0], refracCount: v[1], maxThreshold: v[2], decay: v[3], shiftVoltage: v[4],
                           weightSumCoef: v[5], shiftWeightSumCoef: v[6], weightSumMin: v[7], weightSumMax: v[8], vReset: v[9],
                           vRest: v[10], resetRefrac: v[11], threshPlus: v[12], lbound: v[13],
                           surrogate: try spaicSurrogate(r, rectangleWidth: 213))
    }
}
