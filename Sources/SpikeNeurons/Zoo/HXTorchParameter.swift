import Foundation

/// A BrainScaleS-2 neuron parameter with a value for each of the two worlds hxtorch keeps apart: the
/// **hardware value** (what the BSS-2 calibration targets: CADC units for potentials, LSB of a capacitor,
/// seconds for time constants) and the **model value** (what the numerical model of the neuron integrates).
/// After hxtorch's `hxtorch.core.parameter` (`HXParameter`, `MixedHXModelParameter`,
/// `HXTransformedModelParameter`):
///
/// - `HXParameter(v)`: one value for both worlds (hxtorch's `HXParameter(value)`; a plain number given to a
///   hxtorch module becomes one). Setting either value sets the one shared value. (hxtorch's `model_value`
///   getter returns the hardware value, so its `model_value` setter has no visible effect there; here it
///   sets the shared value.)
/// - `.mixed(model:hardware:)`: two independent values (`MixedHXModelParameter(model_value, hardware_value)`),
///   e.g. `leak = .mixed(model: 0, hardware: 80)`: the model integrates around 0 while the chip is
///   calibrated to a leak of 80 CADC.
/// - `.transformed(model:_:)`: the hardware value is computed from the model value by a function
///   (`HXTransformedModelParameter(model_value, transform_func)`), e.g. hxtorch's default membrane
///   capacitance `model 1e-5 -> int(model / 1e-5 * 63)` LSB. Its hardware value cannot be set.
///
/// SpikeKit simulates the model values (hxtorch's "mock" mode); the hardware values are kept for a hardware
/// backend, which SpikeKit does not have (see `BSS2Backend`).
public struct HXParameter: Sendable, CustomStringConvertible {
    /// Which of hxtorch's parameter types this is.
    public enum Kind: String, Sendable {
        /// `HXParameter`: one value for hardware and model.
        case shared = "HXParameter"
        /// `MixedHXModelParameter`: independent hardware and model values.
        case mixed = "MixedHXModelParameter"
        /// `HXTransformedModelParameter`: hardware value = transform(model value).
        case transformed = "HXTransformedModelParameter"
    }

    @usableFromInline enum Storage: Sendable {
        case shared(Float)
        case mixed(model: Float, hardware: Float)
        case transformed(model: Float, transform: @Sendable (Float) -> Float)
    }
    @usableFromInline var storage: Storage

    /// One value for both worlds (hxtorch `HXParameter(value)`).
    public init(_ value: Float) { storage = .shared(value) }

    /// Independent model and hardware values (hxtorch `MixedHXModelParameter(model_value, hardware_value)`).
    public static func mixed(model: Float, hardware: Float) -> HXParameter {
        var p = HXParameter(model); p.storage = .mixed(model: model, hardware: hardware); return p
    }

    /// A model value whose hardware value is `transform(model)` (hxtorch `HXTransformedModelParameter`).
    public static func transformed(model: Float, _ transform: @escaping @Sendable (Float) -> Float) -> HXParameter {
        var p = HXParameter(model); p.storage = .transformed(model: model, transform: transform); return p
    }

    /// The kind of parameter.
    public var kind: Kind {
        switch storage {
        case .shared: return .shared
        case .mixed: return .mixed
        case .transformed: return .transformed
        }
    }

    /// The value the numerical model uses. Setting it keeps the kind: a shared parameter changes both
    /// worlds, a mixed one only the model, a transformed one recomputes its hardware value.
    public var modelValue: Float {
        get {
            switch storage {
            case .shared(let v): return v
            case .mixed(let m, _): return m
            case .transformed(let m, _): return m
            }
        }
        set {
            switch storage {
            case .shared: storage = .shared(newValue)
            case .mixed(_, let h): storage = .mixed(model: newValue, hardware: h)
            case .transformed(_, let f): storage = .transformed(model: newValue, transform: f)
            }
        }
    }

    /// The value a hardware backend would calibrate to (for a transformed parameter, `transform(modelValue)`).
    public var hardwareValue: Float {
        switch storage {
        case .shared(let v): return v
        case .mixed(_, let h): return h
        case .transformed(let m, let f): return f(m)
        }
    }

    /// Sets the hardware value: of both worlds for a shared parameter, of the hardware alone for a mixed one.
    /// Throws for a transformed parameter, whose hardware value follows from its model value.
    public mutating func setHardwareValue(_ value: Float) throws {
        switch storage {
        case .shared: storage = .shared(value)
        case .mixed(let m, _): storage = .mixed(model: m, hardware: value)
        case .transformed:
            throw ParameterError("the hardware value of an HXTransformedModelParameter is computed from its model value; set the model value or use a mixed parameter")
        }
    }

    /// hxtorch's `__str__` form, e.g. `MixedHXModelParameter(hardware_value=80.0, model_value=0.0)`.
    public var description: String { "\(kind.rawValue)(hardware_value=\(hardwareValue), model_value=\(modelValue))" }
}

/// The parameters of a BrainScaleS-2 neuron population as hxtorch's `AELIF`/`LIF`/`Population` take them, one
/// `HXParameter` each, with hxtorch's defaults (hxtorch `spiking/modules/neuron.py`, `AELIF.__init__`):
///
/// | name (hxtorch) | default | model unit | role in the model |
/// |---|---|---|---|
/// | `leak` | 80 | potential | leak (resting) potential, also v[0] |
/// | `reset` | 80 | potential | reset potential |
/// | `threshold` | 125 | potential | firing threshold (spike if v > threshold) |
/// | `tau_mem` | 10e-6 | s | membrane time constant; the leak conductance is g_l = C / tau_mem |
/// | `tau_syn` | 10e-6 | s | synaptic current time constant |
/// | `membrane_capacitance` | model 10e-6, hardware int(model / 1e-5 * 63) LSB | (model) | C in dv = dt / C (I + ...) |
/// | `refractory_time` | 1e-6 | s | refractory period (clamped to reset, no spikes) |
/// | `holdoff_time` | 0 | s | last part of the refractory period: clamp released, still no spikes |
/// | `i_synin_gm` | 500 | capmem | hardware only: synaptic input OTA bias (not in the model) |
/// | `synapse_dac_bias` | 600 | capmem | hardware only: synapse DAC bias (not in the model) |
/// | `exponential_slope` | 50e-3 | potential | AdEx slope factor Δ_T |
/// | `exponential_threshold` | 110 | potential | AdEx exponential threshold V_T |
/// | `subthreshold_adaptation_strength` | 1 | | AdEx a |
/// | `spike_triggered_adaptation_increment` | 1 | | AdEx b |
/// | `tau_adap` | 100e-6 | s | adaptation time constant |
///
/// The defaults are BSS-2 operating points (CADC units for potentials); a model in other units gives mixed
/// parameters (model value plus hardware value) and maps recorded traces with `BSS2TraceTransform`.
public struct BSS2Parameters: Sendable {
    /// `leak`: leak potential (default 80); v[0] of the leaky models.
    public var leak = HXParameter(80)
    /// `reset`: reset potential (default 80).
    public var reset = HXParameter(80)
    /// `threshold`: firing threshold, spike if v > threshold (default 125).
    public var threshold = HXParameter(125)
    /// `tau_mem`: membrane time constant in s (default 10e-6).
    public var tauMem = HXParameter(10e-6)
    /// `tau_syn`: synaptic time constant in s (default 10e-6).
    public var tauSyn = HXParameter(10e-6)
    /// `membrane_capacitance`: C (model default 10e-6; hardware int(model / 1e-5 * 63) LSB).
    public var membraneCapacitance = BSS2Parameters.defaultMembraneCapacitance(model: 10e-6)
    /// `refractory_time`: refractory period in s (default 1e-6).
    public var refractoryTime = HXParameter(1e-6)
    /// `holdoff_time`: end of the refractory period without clamp, in s (default 0).
    public var holdoffTime = HXParameter(0)
    /// `i_synin_gm`: hardware-only synaptic input OTA bias (default 500).
    public var iSyninGm = HXParameter(500)
    /// `synapse_dac_bias`: hardware-only synapse DAC bias (default 600).
    public var synapseDacBias = HXParameter(600)
    /// `exponential_slope`: AdEx Δ_T (default 50e-3).
    public var exponentialSlope = HXParameter(50e-3)
    /// `exponential_threshold`: AdEx V_T (default 110).
    public var exponentialThreshold = HXParameter(110)
    /// `subthreshold_adaptation_strength`: AdEx a (default 1).
    public var subthresholdAdaptationStrength = HXParameter(1)
    /// `spike_triggered_adaptation_increment`: AdEx b (default 1).
    public var spikeTriggeredAdaptationIncrement = HXParameter(1)
    /// `tau_adap`: adaptation time constant in s (default 100e-6).
    public var tauAdap = HXParameter(100e-6)

    /// hxtorch's defaults.
    public init() {}

    /// hxtorch's default membrane capacitance transform: hardware value `int(model / 1e-5 * 63)` (capacitor
    /// LSB, 63 = about 2.2 pF, the largest), computed in Float32 as hxtorch's `model_value / 10e-6 * 63`.
    public static func defaultMembraneCapacitance(model: Float) -> HXParameter {
        .transformed(model: model) { m in Float(Int((m / 1e-5 * 63).rounded(.towardZero))) }
    }

    /// The hxtorch names, in the order of this table.
    public static let names = ["leak", "reset", "threshold", "tau_mem", "tau_syn", "membrane_capacitance",
                               "refractory_time", "holdoff_time", "i_synin_gm", "synapse_dac_bias",
                               "exponential_slope", "exponential_threshold", "subthreshold_adaptation_strength",
                               "spike_triggered_adaptation_increment", "tau_adap"]

    /// The parameter of hxtorch name `name` (nil for an unknown name; setting an unknown name is a no-op).
    public subscript(name: String) -> HXParameter? {
        get {
            switch name {
            case "leak": return leak
            case "reset": return reset
            case "threshold": return threshold
            case "tau_mem": return tauMem
            case "tau_syn": return tauSyn
            case "membrane_capacitance": return membraneCapacitance
            case "refractory_time": return refractoryTime
            case "holdoff_time": return holdoffTime
            case "i_synin_gm": return iSyninGm
            case "synapse_dac_bias": return synapseDacBias
            case "exponential_slope": return exponentialSlope
            case "exponential_threshold": return exponentialThreshold
            case "subthreshold_adaptation_strength": return subthresholdAdaptationStrength
            case "spike_triggered_adaptation_increment": return spikeTriggeredAdaptationIncrement
            case "tau_adap": return tauAdap
            default: return nil
            }
        }
        set {
            guard let v = newValue else { return }
            switch name {
            case "leak": leak = v
            case "reset": reset = v
            case "threshold": threshold = v
            case "tau_mem": tauMem = v
            case "tau_syn": tauSyn = v
            case "membrane_capacitance": membraneCapacitance = v
            case "refractory_time": refractoryTime = v
            case "holdoff_time": holdoffTime = v
            case "i_synin_gm": iSyninGm = v
            case "synapse_dac_bias": synapseDacBias = v
            case "exponential_slope": exponentialSlope = v
            case "exponential_threshold": exponentialThreshold = v
            case "subthreshold_adaptation_strength": subthresholdAdaptationStrength = v
            case "spike_triggered_adaptation_increment": spikeTriggeredAdaptationIncrement = v
            case "tau_adap": tauAdap = v
            default: return
            }
        }
    }

    /// The allowed model values of parameter `name` in words (nil if `value` is allowed): time constants and
    /// the capacitance and exponential slope > 0, refractory and holdoff times >= 0, everything finite.
    public static func domainError(_ name: String, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch name {
        case "tau_mem", "tau_syn", "membrane_capacitance", "exponential_slope", "tau_adap":
            return value > 0 ? nil : "> 0"
        case "refractory_time", "holdoff_time":
            return value >= 0 ? nil : ">= 0"
        default: return nil
        }
    }
}

/// The mapping between recorded BrainScaleS-2 membrane traces (CADC samples) and model units, as hxtorch's
/// `AELIF.post_process` applies it with the module's `trace_offset` and `trace_scale`:
///
///     model = (hardware - trace_offset) * trace_scale          (toModel)
///     hardware = model / trace_scale + trace_offset            (toHardware, the inverse; trace_scale != 0)
///
/// or, with `shiftToFirst` (hxtorch `shift_cadc_to_first`), `model = (hardware - hardware[t = 0]) * trace_scale`
/// per trace, which ignores `trace_offset` and has no inverse. Offset and scale are one value for all
/// neurons or one per neuron (hxtorch: a float or a tensor of the population size). Traces are `[T, M]`
/// with M = batch x neurons, neurons last; element i is neuron `i % neurons`. Defaults: offset 0, scale 1.
public struct BSS2TraceTransform: Sendable, Equatable {
    /// `trace_offset`: one value, or one per neuron.
    public private(set) var offset: [Float]
    /// `trace_scale`: one value, or one per neuron.
    public private(set) var scale: [Float]
    /// `shift_cadc_to_first`: subtract each trace's first sample instead of `offset`.
    public var shiftToFirst: Bool

    /// One offset and scale for every neuron.
    public init(offset: Float = 0, scale: Float = 1, shiftToFirst: Bool = false) {
        self.offset = [offset]; self.scale = [scale]; self.shiftToFirst = shiftToFirst
    }

    /// Per-neuron offsets and scales (each one value or one per neuron, the same count if both are per neuron).
    public init(offsets: [Float], scales: [Float], shiftToFirst: Bool = false) throws {
        guard !offsets.isEmpty, !scales.isEmpty else { throw ParameterError("trace transform: trace_offset and trace_scale need at least one value") }
        if offsets.count > 1, scales.count > 1, offsets.count != scales.count {
            throw ParameterError("trace transform: \(offsets.count) trace_offset values but \(scales.count) trace_scale values")
        }
        guard (offsets + scales).allSatisfy(\.isFinite) else { throw ParameterError("trace transform: trace_offset and trace_scale must be finite") }
        offset = offsets; scale = scales; self.shiftToFirst = shiftToFirst
    }

    /// Number of neurons the per-neuron values describe (1 if both are shared).
    public var neurons: Int { max(offset.count, scale.count) }

    private func check(_ count: Int, steps: Int, elements: Int) throws {
        guard steps > 0, elements > 0 else { throw ParameterError("trace transform: steps and elements must be > 0, got \(steps) x \(elements)") }
        guard count == steps * elements else {
            throw ParameterError("trace transform: trace has \(count) values, expected \(steps) x \(elements)")
        }
        guard elements % neurons == 0 else {
            throw ParameterError("trace transform: \(elements) elements per step is not a multiple of the \(neurons) neurons of trace_offset/trace_scale")
        }
    }

    /// Hardware trace `[T, M]` to model units: `(hw - trace_offset) * trace_scale` (or relative to the first
    /// sample with `shiftToFirst`).
    public func toModel(_ hardware: [Float], steps: Int, elements: Int) throws -> [Float] {
        try check(hardware.count, steps: steps, elements: elements)
        var out = hardware
        for t in 0..<steps {
            for i in 0..<elements {
                let o = shiftToFirst ? hardware[i] : offset[offset.count == 1 ? 0 : i % offset.count]
                out[t * elements + i] = (hardware[t * elements + i] - o) * scale[scale.count == 1 ? 0 : i % scale.count]
            }
        }
        return out
    }

    /// Model trace `[T, M]` to hardware units: `model / trace_scale + trace_offset`. Throws for a zero scale and
    /// with `shiftToFirst` (the first hardware sample is not known from the model trace).
    public func toHardware(_ model: [Float], steps: Int, elements: Int) throws -> [Float] {
        try check(model.count, steps: steps, elements: elements)
        if shiftToFirst { throw ParameterError("trace transform: shift_cadc_to_first has no inverse (the first hardware sample is not known)") }
        if let n = scale.firstIndex(of: 0) { throw ParameterError("trace transform: trace_scale of neuron \(n) is 0, no inverse") }
        var out = model
        for i in 0..<(steps * elements) {
            let e = i % elements
            out[i] = model[i] / scale[scale.count == 1 ? 0 : e % scale.count] + offset[offset.count == 1 ? 0 : e % offset.count]
        }
        return out
    }
}
