extension NeuronRegistry {
    /// The biophysical models of the zoo: Izhikevich (2003) with Norse's discretisation and presets, and SPAIC's
    /// aEIF, Hodgkin-Huxley and GLIF5 (biological units, `dt` in ms).
    static let biophysicalEntries: [NeuronEntry] = [
        NeuronEntry(id: "izhikevich2003",
                    summary: "Izhikevich 2003 (Norse izhikevich_step; presets of Izhikevich 2004): v' = v + dt(sq v^2 + mn v + bias - u + I), u' = u + dt a(b v - u); spike if v' > v_th: v = c, u = u' + d",
                    parameters: izhikevich2003Info, build: { try izhikevich2003(parameters: $0) }),
        NeuronEntry(id: "aeif",
                    summary: "adaptive exponential IF (Brette & Gerstner 2005, SPAIC aEIFModel): V' = V + dt/C(gL(dT exp((V-VT)/dT) - (V-EL)) - w + I), w' = w + dt/tau_w(a(V-EL) - w); spike if V' > Vspk: V = EL, w = w' + b",
                    parameters: aeifInfo, build: { try aeif(parameters: $0) }),
        NeuronEntry(id: "hh",
                    summary: "Hodgkin-Huxley 1952, rest 0 mV (SPAIC HodgkinHuxleyModel): gates x' = x + dt(a_x(1-x) - b_x x), V' = V + dt/C(I - gNa m^3 h(V-ENa) - gK n^4(V-EK) - gL(V-EL)); spike on upward crossing of v_th",
                    parameters: hhInfo, build: { try hh(parameters: $0) }),
        NeuronEntry(id: "glif",
                    summary: "GLIF5 (Teeter et al. 2018, SPAIC GLIFModel): V' = V + dt/C(I + I1 + I2 - (V-E_L)/R), decaying ASCs and threshold theta_s + theta_v + Theta_inf; spike if V' > threshold: V = E_L + f_v(V'-E_L) - delta_v, theta_s += delta_Theta_s, I_j = f_j I_j + delta_I_j",
                    parameters: glifInfo, build: { try glif(parameters: $0) }),
    ]

    static func biophysicalSurrogateInfo(_ kind: String, _ alpha: String, _ why: String) -> [ParameterInfo] {
        [ParameterInfo("surrogate", kind, "", "surrogate gradient (\(why)): \(surrogateNames)"),
         ParameterInfo("alpha", alpha, "", "surrogate shape parameter")]
    }

    /// Reads `surrogate` and `alpha` with a model's default.
    static func biophysicalSurrogate(_ r: Reader, _ def: Surrogate) throws -> Surrogate {
        let name = try r.string("surrogate", nil)
        let alpha = try r.optionalNumber("alpha", nil)
        if name == nil && alpha == nil { return def }
        return try surrogate(name ?? def.kind.rawValue, alpha: alpha)
    }

    static let izhikevich2003Info: [ParameterInfo] = [
        ParameterInfo("preset", "none", "", "Izhikevich 2004 behaviour with Norse's parameters: "
                      + Izhikevich2003.Preset.allCases.map(\.rawValue).joined(separator: ", ")),
        ParameterInfo("a", "0.02", "1/ms", "time scale of the recovery variable u"),
        ParameterInfo("b", "0.2", "", "sensitivity of u to v"),
        ParameterInfo("c", "-65", "mV", "after-spike reset of v"),
        ParameterInfo("d", "8", "mV/ms", "after-spike increment of u"),
        ParameterInfo("v_th", "30", "mV", "spike threshold (v' > v_th)"),
        ParameterInfo("dt", "0.25", "ms", "time step (Norse's tau_inv * dt = 250/s * 1 ms); > 0"),
        ParameterInfo("sq", "0.04", "1/(mV ms)", "coefficient of v^2"),
        ParameterInfo("mn", "5", "1/ms", "coefficient of v"),
        ParameterInfo("bias", "140", "mV/ms", "constant drive"),
        ParameterInfo("v0", "-65", "mV", "initial v"),
        ParameterInfo("u0", "b * v0", "mV/ms", "initial u (Norse's presets: b * v, accomodation -16)"),
        ParameterInfo("method", "super", "", "surrogate: super/superspike (Norse 1.1.0 SuperSpike, 1/(|x|+1)^2, alpha unused), triangle (alpha relu(1-|x|)), or \(surrogateNames)"),
        ParameterInfo("surrogate", "super", "", "same as method"),
        ParameterInfo("alpha", "100.0", "", "surrogate shape (Norse passes it; super ignores it in Norse 1.1.0)"),
    ]

    /// Norse's IzhikevichParameters (a, b, c, d, sq, mn, bias, v_th; dt = tau_inv * dt in ms), a preset, the
    /// initial state and the surrogate. Explicit values override the preset's.
    public static func izhikevich2003(parameters p: [String: Any]) throws -> Izhikevich2003 {
        let r = Reader("izhikevich2003", p, izhikevich2003Info)
        var m = Izhikevich2003()
        var preset: Izhikevich2003.Preset?
        if let name = try r.string("preset", nil), !["none", ""].contains(name.lowercased()) {
            guard let q = Izhikevich2003.Preset(rawValue: name) else {
                throw ParameterError("izhikevich2003: unknown preset '\(name)' (known: \(Izhikevich2003.Preset.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            preset = q
            m = Izhikevich2003(preset: q)
        }
        m.a = try r.number("a", m.a); m.b = try r.number("b", m.b); m.c = try r.number("c", m.c); m.d = try r.number("d", m.d)
        m.vThreshold = try r.number("v_th", m.vThreshold)
        m.dt = try r.number("dt", m.dt, .positive)
        m.sq = try r.number("sq", m.sq); m.mn = try r.number("mn", m.mn); m.bias = try r.number("bias", m.bias)
        // u0 follows b and v0 unless given, except for a preset that starts elsewhere (accomodation).
        let presetU = preset.map { $0.values.u0 != $0.values.b * $0.values.v0 } ?? false
        m.v0 = try r.number("v0", m.v0)
        m.u0 = try r.number("u0", presetU ? m.u0 : m.b * m.v0)
        m.surrogate = try norseSurrogate(r)
        return m
    }

    static let aeifInfo: [ParameterInfo] = [
        ParameterInfo("C", "281", "pF", "membrane capacitance (> 0)"),
        ParameterInfo("gL", "30", "nS", "leak conductance (>= 0)"),
        ParameterInfo("EL", "-70.6", "mV", "leak reversal, initial and reset potential"),
        ParameterInfo("v_th", "-50.4", "mV", "VT, centre of the exponential"),
        ParameterInfo("delta_t", "2", "mV", "slope factor ΔT (> 0)"),
        ParameterInfo("a", "4", "nS", "subthreshold adaptation"),
        ParameterInfo("b", "80.5", "pA", "spike-triggered adaptation (SPAIC's default 0.0805 is the nA value)"),
        ParameterInfo("tau_w", "144", "ms", "adaptation time constant (> 0)"),
        ParameterInfo("Vspk", "20", "mV", "spike detection level (V' > Vspk)"),
        ParameterInfo("V", "-70.6", "mV", "initial membrane potential (SPAIC's initial value)"),
        ParameterInfo("dt", "0.1", "ms", "time step (> 0)"),
    ] + biophysicalSurrogateInfo("fast-sigmoid", "1", "slope per mV")

    /// SPAIC's aEIFModel parameters (C, gL, EL, v_th, delta_t, a, b, tau_w, Vspk), the initial V, dt and the surrogate.
    public static func aeif(parameters p: [String: Any]) throws -> AEIF {
        let r = Reader("aeif", p, aeifInfo)
        return AEIF(capacitance: try r.number("C", 281, .positive), gL: try r.number("gL", 30, .nonNegative),
                    eL: try r.number("EL", -70.6), vT: try r.number("v_th", -50.4),
                    deltaT: try r.number("delta_t", 2, .positive), a: try r.number("a", 4), b: try r.number("b", 80.5),
                    tauW: try r.number("tau_w", 144, .positive), vSpike: try r.number("Vspk", 20), v0: try r.number("V", -70.6),
                    dt: try r.number("dt", 0.1, .positive), surrogate: try biophysicalSurrogate(r, AEIF.defaultSurrogate))
    }

    static let hhInfo: [ParameterInfo] = [
        ParameterInfo("g_NA", "120", "mS/cm^2", "maximal sodium conductance (>= 0)"),
        ParameterInfo("g_K", "36", "mS/cm^2", "maximal potassium conductance (>= 0)"),
        ParameterInfo("g_L", "0.3", "mS/cm^2", "leak conductance (>= 0)"),
        ParameterInfo("E_NA", "115", "mV", "sodium reversal, relative to rest (SPAIC's default: 120)"),
        ParameterInfo("E_K", "-12", "mV", "potassium reversal"),
        ParameterInfo("E_L", "10.6", "mV", "leak reversal"),
        ParameterInfo("C", "1", "uF/cm^2", "membrane capacitance (> 0)"),
        ParameterInfo("v_th", "50", "mV", "spike = upward crossing of v_th"),
        ParameterInfo("Vreset", "0", "mV", "SPAIC's shift added to V in the rate functions"),
        ParameterInfo("V", "0", "mV", "initial membrane potential"),
        ParameterInfo("m", "steady state", "", "initial Na activation (SPAIC: 0.5)"),
        ParameterInfo("n", "steady state", "", "initial K activation (SPAIC: 0.5)"),
        ParameterInfo("h", "steady state", "", "initial Na inactivation (SPAIC: 0.06)"),
        ParameterInfo("dt", "0.01", "ms", "time step (> 0)"),
    ] + biophysicalSurrogateInfo("fast-sigmoid", "1", "slope per mV")

    /// SPAIC's HodgkinHuxleyModel parameters (g_NA, g_K, g_L, E_NA, E_K, E_L, v_th, Vreset, V, m, n, h), C, dt and
    /// the surrogate. The initial gates are given together or not at all (steady state at V).
    public static func hh(parameters p: [String: Any]) throws -> HodgkinHuxley {
        let r = Reader("hh", p, hhInfo)
        var m = HodgkinHuxley(gNa: try r.number("g_NA", 120, .nonNegative), gK: try r.number("g_K", 36, .nonNegative),
                              gL: try r.number("g_L", 0.3, .nonNegative), eNa: try r.number("E_NA", 115),
                              eK: try r.number("E_K", -12), eL: try r.number("E_L", 10.6),
                              capacitance: try r.number("C", 1, .positive), vThreshold: try r.number("v_th", 50),
                              vShift: try r.number("Vreset", 0), v0: try r.number("V", 0), dt: try r.number("dt", 0.01, .positive),
                              surrogate: try biophysicalSurrogate(r, HodgkinHuxley.defaultSurrogate))
        let gates = try ["m", "n", "h"].map { name -> Float? in
            guard let g = try r.optionalNumber(name, nil) else { return nil }
            guard g >= 0 && g <= 1 else { throw ParameterError("hh: \(name) must be in [0, 1], got \(g)") }
            return g
        }
        let given = gates.compactMap { $0 }
        if given.count == 3 {
            m.initialGates = (given[0], given[1], given[2])
        } else if !given.isEmpty {
            throw ParameterError("hh: give all of m, n, h or none of them (steady state at V)")
        }
        return m
    }

    static let glifInfo: [ParameterInfo] = [
        ParameterInfo("C", "60", "a.u.", "capacitance (> 0)"),
        ParameterInfo("R", "2", "a.u.", "membrane resistance (> 0)"),
        ParameterInfo("E_L", "0", "a.u.", "resting potential"),
        ParameterInfo("Theta_inf", "1", "a.u.", "instantaneous threshold"),
        ParameterInfo("f_v", "0.1", "", "fraction of V - E_L kept at reset"),
        ParameterInfo("delta_v", "0.05", "a.u.", "voltage subtracted at reset"),
        ParameterInfo("b_s", "0.02", "1/ms", "decay rate of the spike-dependent threshold (>= 0)"),
        ParameterInfo("delta_Theta_s", "0.2", "a.u.", "jump of the spike-dependent threshold"),
        ParameterInfo("k_1", "0.8", "1/ms", "decay rate of after-spike current 1 (>= 0)"),
        ParameterInfo("k_2", "0.6", "1/ms", "decay rate of after-spike current 2 (>= 0)"),
        ParameterInfo("delta_I1", "0.1", "a.u.", "jump of after-spike current 1"),
        ParameterInfo("delta_I2", "0.1", "a.u.", "jump of after-spike current 2"),
        ParameterInfo("f1", "1", "", "fraction of after-spike current 1 kept at a spike"),
        ParameterInfo("f2", "1", "", "fraction of after-spike current 2 kept at a spike"),
        ParameterInfo("a_v", "0.12", "1/ms", "coupling of the voltage-dependent threshold to V - E_L"),
        ParameterInfo("b_v", "0.3", "1/ms", "decay rate of the voltage-dependent threshold (>= 0)"),
        ParameterInfo("V", "0", "a.u.", "initial membrane potential (SPAIC's initial value)"),
        ParameterInfo("dt", "0.1", "ms", "time step (> 0)"),
    ] + biophysicalSurrogateInfo("rectangle", "1", "SPAIC's STCA learner")

    /// SPAIC's GLIFModel parameters, the initial V, dt and the surrogate.
    public static func glif(parameters p: [String: Any]) throws -> GLIF5 {
        let r = Reader("glif", p, glifInfo)
        return GLIF5(capacitance: try r.number("C", 60, .positive), resistance: try r.number("R", 2, .positive),
                     eL: try r.number("E_L", 0), thetaInf: try r.number("Theta_inf", 1), fV: try r.number("f_v", 0.1),
                     deltaV: try r.number("delta_v", 0.05), bS: try r.number("b_s", 0.02, .nonNegative),
                     deltaThetaS: try r.number("delta_Theta_s", 0.2), k1: try r.number("k_1", 0.8, .nonNegative),
                     k2: try r.number("k_2", 0.6, .nonNegative), deltaI1: try r.number("delta_I1", 0.1),
                     deltaI2: try r.number("delta_I2", 0.1), f1: try r.number("f1", 1), f2: try r.number("f2", 1),
                     aV: try r.number("a_v", 0.12), bV: try r.number("b_v", 0.3, .nonNegative),
                     v0: try r.number("V", 0), dt: try r.number("dt", 0.1, .positive),
                     surrogate: try biophysicalSurrogate(r, GLIF5.defaultSurrogate))
    }
}
