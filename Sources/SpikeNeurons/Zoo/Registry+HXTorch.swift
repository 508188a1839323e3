extension NeuronRegistry {
    /// The BrainScaleS-2 neurons of hxtorch, simulated numerically (hxtorch's mock mode): `bss2_lif`, `bss2_iaf`,
    /// `bss2_aelif`, with hxtorch's parameter names. Each neuron parameter NAME takes `NAME=value` (one value for
    /// model and hardware, hxtorch's `HXParameter`) and/or `NAME_hw=value` (the hardware value alone: with
    /// `NAME` too the pair is a `MixedHXModelParameter(NAME, NAME_hw)`, alone it keeps the default model
    /// value). `membrane_capacitance=value` sets the model value and keeps hxtorch's default transform to the
    /// hardware (`int(value / 1e-5 * 63)` LSB) unless `membrane_capacitance_hw` is given. Hardware values are
    /// kept for a hardware backend (there is none; see `BSS2Backend`) and do not change the simulation.
    static let hxtorchEntries: [NeuronEntry] = [
        NeuronEntry(id: "bss2_lif",
                    summary: "BrainScaleS-2 LIF as hxtorch simulates it (LIF, cuba_aelif_integration): v += dt/C (I + C/tau_mem (leak - v)); I = I (1 - dt/tau_syn) + x; spike if v > threshold; reset; refractory clamp",
                    parameters: bss2Info(BSS2LIF.parameterNames) + bss2FireInfo,
                    build: { try bss2LIF(parameters: $0) }),
        NeuronEntry(id: "bss2_iaf",
                    summary: "BrainScaleS-2 IAF as hxtorch simulates it (cuba_refractory_iaf_integration): v += dt/tau_mem I; I = I (1 - dt/tau_syn) + x; spike if v > threshold; reset; refractory clamp",
                    parameters: bss2Info(BSS2IAF.parameterNames) + bss2FireInfo,
                    build: { try bss2IAF(parameters: $0) }),
        NeuronEntry(id: "bss2_aelif",
                    summary: "BrainScaleS-2 AdEx as hxtorch simulates it (AELIF, cuba_aelif_integration): v += dt/C (I + g_l (leak - v) + g_l dT exp((v - vT)/dT) - w); I decays + x; spike if v > threshold; w += dt/tau_adap (a (v - leak) - w) + b z; reset; refractory",
                    parameters: bss2Info(BSS2AELIF.parameterNames) + bss2FireInfo + bss2AELIFFlags,
                    build: { try bss2AELIF(parameters: $0) }),
    ]

    /// Default, unit and meaning of each hxtorch neuron parameter (model value).
    static let bss2ParameterInfo: [String: (String, String, String)] = [
        "leak": ("80", "potential", "leak potential (also v[0] of bss2_lif/bss2_aelif)"),
        "reset": ("80", "potential", "reset potential (also v[0] of bss2_iaf)"),
        "threshold": ("125", "potential", "threshold: spike if v > threshold"),
        "tau_mem": ("10e-6", "s", "membrane time constant (> 0); g_l = membrane_capacitance / tau_mem"),
        "tau_syn": ("10e-6", "s", "synaptic current time constant (> 0)"),
        "membrane_capacitance": ("10e-6", "model units", "C in dv = dt/C (I + ...) (> 0); hardware int(C / 1e-5 * 63) LSB unless _hw"),
        "refractory_time": ("1e-6", "s", "refractory period (>= 0): membrane clamped to reset, no spikes"),
        "holdoff_time": ("0", "s", "last part of the refractory period (<= refractory_time): clamp released, no spikes"),
        "exponential_slope": ("50e-3", "potential", "AdEx slope factor Delta_T (> 0)"),
        "exponential_threshold": ("110", "potential", "AdEx exponential threshold V_T"),
        "subthreshold_adaptation_strength": ("1", "", "AdEx a: w += dt/tau_adap a (v - leak)"),
        "spike_triggered_adaptation_increment": ("1", "", "AdEx b: w += b per spike"),
        "tau_adap": ("100e-6", "s", "adaptation time constant (> 0)"),
    ]

    /// Each parameter, its `_hw` form, then the hardware-only settings.
    static func bss2Info(_ names: [String]) -> [ParameterInfo] {
        names.flatMap { name -> [ParameterInfo] in
            let (def, unit, help) = bss2ParameterInfo[name]!
            return [ParameterInfo(name, def, unit, help + " (model and hardware value)"),
                    ParameterInfo(name + "_hw", "= \(name)", name == "membrane_capacitance" ? "LSB (0-63)" : unit,
                                  "hardware value of \(name) alone (MixedHXModelParameter); not simulated")]
        } + [ParameterInfo("i_synin_gm", "500", "capmem", "hardware only: synaptic input OTA bias (not simulated)"),
             ParameterInfo("synapse_dac_bias", "600", "capmem", "hardware only: synapse DAC bias (not simulated)")]
    }

    static let bss2FireInfo = [
        ParameterInfo("dt", "1e-6", "s", "integration step (> 0)"),
        ParameterInfo("method", "superspike", "", "surrogate: superspike (hxtorch: 1/(alpha |x| + 1)^2) or a SpikeKit surrogate (\(surrogateNames))"),
        ParameterInfo("alpha", "50", "", "surrogate slope (superspike alpha; for another method its shape parameter)"),
        ParameterInfo("detach_reset", "true", "", "no gradient through the reset (hxtorch detaches it)"),
    ]
    static let bss2AELIFFlags = [
        ParameterInfo("exponential", "true", "", "exponential term on"),
        ParameterInfo("subthreshold_adaptation", "true", "", "a (v - leak) term of w on"),
        ParameterInfo("spike_triggered_adaptation", "true", "", "b z term of w on"),
    ]

    /// The `HXParameter`s of `names` from `NAME` / `NAME_hw` (and the hardware-only settings), with the model
    /// values checked against their domains and holdoff_time <= refractory_time in both worlds.
    static func bss2Parameters(_ r: Reader, _ names: [String]) throws -> BSS2Parameters {
        var hx = BSS2Parameters()
        for name in names {
            let model = try r.optionalNumber(name, nil)
            let hw = try r.optionalNumber(name + "_hw", nil)
            let m = model ?? hx[name]!.modelValue
            if let range = BSS2Parameters.domainError(name, m) { throw ParameterError("\(r.model): \(name) must be \(range), got \(m)") }
            if let hw {
                var range: String? = nil
                if name == "membrane_capacitance" {
                    range = hw >= 0 && hw <= 63 ? nil : "in [0, 63]"
                } else if ["tau_mem", "tau_syn", "tau_adap", "refractory_time", "holdoff_time"].contains(name) {
                    range = BSS2Parameters.domainError(name, hw)
                }
                if let range { throw ParameterError("\(r.model): \(name)_hw must be \(range), got \(hw)") }
                hx[name] = .mixed(model: m, hardware: hw)
            } else if name == "membrane_capacitance" {
                hx[name] = BSS2Parameters.defaultMembraneCapacitance(model: m)
            } else if model != nil {
                hx[name] = HXParameter(m)
            }
        }
        for name in ["i_synin_gm", "synapse_dac_bias"] {
            if let v = try r.optionalNumber(name, nil) { hx[name] = HXParameter(v) }
        }
        try bss2CheckHoldoff(r.model, hx.refractoryTime.modelValue, hx.holdoffTime.modelValue)
        if hx.holdoffTime.hardwareValue > hx.refractoryTime.hardwareValue {
            throw ParameterError("\(r.model): holdoff_time_hw must be <= refractory_time_hw (\(hx.refractoryTime.hardwareValue)), got \(hx.holdoffTime.hardwareValue)")
        }
        return hx
    }

    /// dt, the surrogate (`method`, `alpha`) and `detach_reset`.
    static func bss2Fire(_ r: Reader) throws -> (dt: Float, surrogate: Surrogate, detach: Bool) {
        let dt = try r.number("dt", 1e-6, .positive)
        let method = try r.string("method", "superspike")!
        let alpha = try r.optionalNumber("alpha", nil)
        let surrogate: Surrogate
        if method == "superspike" {
            let a = alpha ?? 50
            guard a > 0 else { throw ParameterError("\(r.model): alpha must be > 0, got \(a)") }
            surrogate = Surrogate(.fastSigmoid, alpha: a)
        } else {
            do { surrogate = try NeuronRegistry.surrogate(method, alpha: alpha) }
            catch { throw ParameterError("\(r.model): method must be superspike or a surrogate (\(surrogateNames)), got '\(method)'") }
        }
        return (dt, surrogate, try r.bool("detach_reset", true))
    }

    /// hxtorch LIF parameters (see `hxtorchEntries`).
    public static func bss2LIF(parameters p: [String: Any]) throws -> BSS2LIF {
        let r = Reader("bss2_lif", p, bss2Info(BSS2LIF.parameterNames) + bss2FireInfo)
        let hx = try bss2Parameters(r, BSS2LIF.parameterNames)
        let f = try bss2Fire(r)
        return BSS2LIF(hx, dt: f.dt, surrogate: f.surrogate, detachReset: f.detach)
    }

    /// hxtorch IAF parameters (see `hxtorchEntries`).
    public static func bss2IAF(parameters p: [String: Any]) throws -> BSS2IAF {
        let r = Reader("bss2_iaf", p, bss2Info(BSS2IAF.parameterNames) + bss2FireInfo)
        let hx = try bss2Parameters(r, BSS2IAF.parameterNames)
        let f = try bss2Fire(r)
        return BSS2IAF(hx, dt: f.dt, surrogate: f.surrogate, detachReset: f.detach)
    }

    /// hxtorch AELIF parameters (see `hxtorchEntries`).
    public static func bss2AELIF(parameters p: [String: Any]) throws -> BSS2AELIF {
        let r = Reader("bss2_aelif", p, bss2Info(BSS2AELIF.parameterNames) + bss2FireInfo + bss2AELIFFlags)
        let hx = try bss2Parameters(r, BSS2AELIF.parameterNames)
        let f = try bss2Fire(r)
        return BSS2AELIF(hx, dt: f.dt, exponential: try r.bool("exponential", true),
                         subthresholdAdaptation: try r.bool("subthreshold_adaptation", true),
                         spikeTriggeredAdaptation: try r.bool("spike_triggered_adaptation", true),
                         surrogate: f.surrogate, detachReset: f.detach)
    }
}
