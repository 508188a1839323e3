import Foundation

extension Surrogate {
    /// hxtorch's default surrogate, `superspike` with `alpha = 50` (`hxtorch.spiking.functional.superspike`):
    /// the SuperSpike pseudo-derivative `1 / (alpha |x| + 1)^2`, our fast sigmoid with slope 50.
    public static let hxtorchSuperSpike = Surrogate(.fastSigmoid, alpha: 50)
}

/// hxtorch's spike: `torch.gt(v - threshold, 0)`, strict `>` (or the surrogate's smooth primitive with
/// `smoothForward`, for gradient checks).
@inlinable @inline(__always)
func bss2Spike(_ x: Float, _ surrogate: Surrogate) -> Float {
    surrogate.smoothForward ? surrogate.primitive(x) : (x > 0 ? 1 : 0)
}

/// hxtorch's `(1 - z) v + z r` for a flag z; for z exactly 0 or 1 the selected value itself, so that an
/// infinite v (an exploding exponential term) resets to r instead of giving NaN.
@inlinable @inline(__always)
func bss2Select(_ v: Float, _ r: Float, _ z: Float) -> Float {
    if z == 0 { return v }
    if z == 1 { return r }
    return (1 - z) * v + z * r
}

/// `time / dt` as a step count in Double precision, snapped to the nearest integer when within 1e-4 of it (so
/// that 3e-6 / 1e-6 counts 3 steps, not 3.0000002). A fraction is kept: hxtorch's counter then runs
/// ceil(time / dt) steps.
@inlinable func bss2StepCount(_ time: Float, dt: Float) -> Float {
    let r = Double(time) / Double(dt)
    let n = r.rounded()
    return Float(abs(r - n) <= 1e-4 * max(1, n) ? n : r)
}

/// The end of one BSS-2 step shared by the three models: fire on the integrated membrane `vPre`, reset, and
/// hxtorch's refractory update (`hxtorch.spiking.functional.refractory.refractory_update`) extended by the
/// hardware's holdoff period:
///
///     z     = Θ(vPre - threshold)                 (strict >)
///     clamp = ref > holdoff_time / dt,  block = ref > 0
///     out   = z (1 - block)                       (no spikes while refractory)
///     v     = (1 - out) vPre + out reset          (out detached in the backward pass, as hxtorch's z)
///     v     = reset where clamp                   (membrane clamped)
///     ref   = (1 - out) relu(ref - block) + out refractory_time / dt
///
/// With `holdoff_time = 0` (hxtorch's default) clamp = block and this is hxtorch's update exactly (hxtorch
/// resets with the unmasked z, which makes no difference where the clamp follows). hxtorch's numerical model
/// ignores `holdoff_time` (it only goes to the calibration); here it releases the clamp for the last
/// `holdoff_time` of the refractory period while spikes, and so resets, stay blocked: the BSS-2 definition
/// (calix `NeuronCalibTarget.holdoff_time`: "clamping to the reset voltage is already released but new spikes
/// can still not be generated").
@usableFromInline struct BSS2Fire: Sendable {
    @usableFromInline var z: Float, out: Float, v: Float, ref: Float, clamp: Float, block: Float

    @inlinable @inline(__always)
    init(vPre: Float, ref: Float, threshold: Float, reset: Float, refractorySteps: Float, holdoffSteps: Float, surrogate: Surrogate) {
        z = bss2Spike(vPre - threshold, surrogate)
        clamp = ref > holdoffSteps ? 1 : 0
        block = ref > 0 ? 1 : 0
        out = (1 - block) * z
        v = bss2Select(bss2Select(vPre, reset, out), reset, clamp)
        self.ref = (1 - out) * Swift.max(ref - block, 0) + out * refractorySteps
    }
}

/// VJP of `BSS2Fire`: gradients of `vPre`, of the threshold and of the reset, given the gradients of the
/// output spike, of the next membrane and of the unmasked spike z through other paths (`gZExtra`, e.g. the
/// adaptation's `b z`). The refractory masks and counter carry no gradient (as in hxtorch).
@inlinable @inline(__always)
func bss2FireVJP(vPre: Float, ref: Float, threshold: Float, reset: Float, holdoffSteps: Float, surrogate: Surrogate,
                 detachReset: Bool, gOut: Float, gV: Float, gZExtra: Float) -> (gVPre: Float, gThreshold: Float, gReset: Float) {
    let x = vPre - threshold
    let sg = surrogate.derivative(x)
    let z = bss2Spike(x, surrogate)
    let clamp: Float = ref > holdoffSteps ? 1 : 0
    let block: Float = ref > 0 ? 1 : 0
    let gZ = gOut * (1 - block) + gZExtra
    let gVReset = gV * (1 - clamp)
    let out = (1 - block) * z
    var gVPre = gZ * sg + gVReset * (1 - out)
    var gThreshold = -gZ * sg
    if !detachReset {
        let g = gVReset * (reset - vPre) * sg * (1 - block)
        gVPre += g
        gThreshold -= g
    }
    return (gVPre, gThreshold, gVReset * out + gV * clamp)
}

/// A BrainScaleS-2 neuron model simulated numerically (hxtorch's mock mode): its parameters as `HXParameter`s
/// (model values simulated, hardware values kept for a hardware backend) and the time step in seconds.
public protocol BSS2NeuronModel: NeuronModel {
    /// All neuron parameters with model and hardware values (those the model does not use included).
    var hx: BSS2Parameters { get }
    /// Integration step in seconds (hxtorch `Experiment.dt`, 1e-6).
    var dt: Float { get }
}

/// The current-based leaky integrate-and-fire neuron of BrainScaleS-2 as hxtorch simulates it (hxtorch
/// `spiking.modules.neuron.LIF`, an `AELIF` with leak and firing only, integrated by
/// `functional.aelif.cuba_aelif_integration` with the step code of `functional.step_integration_code_factory`
/// and `functional.refractory.refractory_update`), forward Euler with step dt (seconds):
///
///     v'  = v + dt / C (I + g_l (leak - v)),  g_l = C / tau_mem          (uses the previous I)
///     I'  = I (1 - dt / tau_syn) + x
///     z   = Θ(v' - threshold)  (strict >); reset and refractory update as `BSS2Fire`
///
/// Output: the spike after the refractory mask. States: `v`, `i` (the synaptic current), `ref_state` (the
/// refractory counter, in steps). Start: v = leak, I = 0. One dt of synaptic delay: x[t] reaches v at t+1.
/// With `membrane_capacitance` = `tau_mem` (model values; both default to 1e-5) this is hxtorch's
/// `functional.lif.cuba_lif_step`, `v' = v + dt / tau_mem (leak - v + I)`.
///
/// Defaults (hxtorch `LIF.__init__`): leak 80, reset 80, threshold 125, tau_mem 10e-6 s, tau_syn 10e-6 s,
/// membrane_capacitance model 10e-6 (hardware int(model / 1e-5 * 63) = 63 LSB), refractory_time 1e-6 s,
/// holdoff_time 0, i_synin_gm 500 and synapse_dac_bias 600 (hardware only), superspike surrogate alpha 50,
/// dt 1e-6 s. Backward: the surrogate for dz/dv', no gradient through the reset (`z.detach()` in hxtorch;
/// `detachReset = false` gives the full gradient) or the refractory masks. Learnable: reset, threshold,
/// tau_mem, tau_syn, membrane_capacitance (true derivatives; the newest hxtorch computes g_l from detached
/// C and tau_mem, so there tau_mem gets no gradient). `leak` also sets v[0], whose gradient a per-step
/// parameter VJP cannot carry, so it is not listed as learnable.
public struct BSS2LIF: BSS2NeuronModel {
    public typealias State = FloatVector<3>
    public static var id: String { "bss2_lif" }
    public static var stateNames: [String] { ["v", "i", "ref_state"] }
    public static var isSpiking: Bool { true }

    /// The parameters (model and hardware values); the model uses leak, reset, threshold, tau_mem, tau_syn,
    /// membrane_capacitance, refractory_time and holdoff_time.
    public var hx: BSS2Parameters { didSet { update() } }
    /// Time step in seconds.
    public var dt: Float { didSet { update() } }
    /// Surrogate gradient (hxtorch `method="superspike"`, `alpha=50`).
    public var surrogate: Surrogate
    /// No gradient through the reset (hxtorch's `z.detach()`).
    public var detachReset: Bool

    @usableFromInline var leak: Float = 0, reset: Float = 0, threshold: Float = 0
    @usableFromInline var dtOverC: Float = 0, dtOverTauMem: Float = 0, synDecay: Float = 0
    @usableFromInline var refractorySteps: Float = 0, holdoffSteps: Float = 0

    /// A LIF population's neuron from its `HXParameter`s (defaults as documented on the type).
    public init(leak: HXParameter = HXParameter(80), reset: HXParameter = HXParameter(80),
                threshold: HXParameter = HXParameter(125), tauMem: HXParameter = HXParameter(10e-6),
                tauSyn: HXParameter = HXParameter(10e-6),
                membraneCapacitance: HXParameter = BSS2Parameters.defaultMembraneCapacitance(model: 10e-6),
                refractoryTime: HXParameter = HXParameter(1e-6), holdoffTime: HXParameter = HXParameter(0),
                dt: Float = 1e-6, surrogate: Surrogate = .hxtorchSuperSpike, detachReset: Bool = true) {
        var p = BSS2Parameters()
        p.leak = leak; p.reset = reset; p.threshold = threshold; p.tauMem = tauMem; p.tauSyn = tauSyn
        p.membraneCapacitance = membraneCapacitance; p.refractoryTime = refractoryTime; p.holdoffTime = holdoffTime
        self.init(p, dt: dt, surrogate: surrogate, detachReset: detachReset)
    }

    /// From a full parameter set.
    public init(_ hx: BSS2Parameters, dt: Float = 1e-6, surrogate: Surrogate = .hxtorchSuperSpike, detachReset: Bool = true) {
        self.hx = hx; self.dt = dt; self.surrogate = surrogate; self.detachReset = detachReset
        update()
    }

    @usableFromInline mutating func update() {
        leak = hx.leak.modelValue; reset = hx.reset.modelValue; threshold = hx.threshold.modelValue
        dtOverC = dt / hx.membraneCapacitance.modelValue
        dtOverTauMem = dt / hx.tauMem.modelValue
        synDecay = 1 - dt / hx.tauSyn.modelValue
        refractorySteps = bss2StepCount(hx.refractoryTime.modelValue, dt: dt)
        holdoffSteps = bss2StepCount(hx.holdoffTime.modelValue, dt: dt)
    }

    /// v = leak, I = 0, not refractory.
    public var initialState: FloatVector<3> { FloatVector([leak, 0, 0]) }

    /// The model values of leak, reset, threshold, tau_mem, tau_syn, membrane_capacitance, refractory_time,
    /// holdoff_time.
    public static var parameterNames: [String] {
        ["leak", "reset", "threshold", "tau_mem", "tau_syn", "membrane_capacitance", "refractory_time", "holdoff_time"]
    }
    public static var learnableParameterNames: [String] { ["reset", "threshold", "tau_mem", "tau_syn", "membrane_capacitance"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        BSS2Parameters.domainError(parameterNames[k], value)
    }
    /// Reading gives the model values; setting changes the model values (hardware values follow for shared
    /// and transformed parameters).
    public var parameters: FloatVector<8> {
        get { FloatVector(Self.parameterNames.map { hx[$0]!.modelValue }) }
        set {
            var p = hx
            for (k, name) in Self.parameterNames.enumerated() { p[name]!.modelValue = newValue[k] }
            hx = p
        }
    }

    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<3>) -> (vPre: Float, i: Float) {
        (s[0] + dtOverC * s[1] + dtOverTauMem * (leak - s[0]), s[1] * synDecay + x)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let (vPre, i) = integrate(x, s)
        let f = BSS2Fire(vPre: vPre, ref: s[2], threshold: threshold, reset: reset, refractorySteps: refractorySteps,
                         holdoffSteps: holdoffSteps, surrogate: surrogate)
        var next = FloatVector<3>()
        next[0] = f.v; next[1] = i; next[2] = f.ref
        return (f.out, next)
    }

    @inlinable @inline(__always)
    func fireVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gVPre: Float, gThreshold: Float, gReset: Float) {
        bss2FireVJP(vPre: integrate(x, s).vPre, ref: s[2], threshold: threshold, reset: reset, holdoffSteps: holdoffSteps,
                    surrogate: surrogate, detachReset: detachReset, gOut: gOut, gV: gNext[0], gZExtra: 0)
    }

    @inlinable @inline(__always)
    public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let g = fireVJP(x, s, gOut: gOut, gNext: gNext)
        var gPrev = FloatVector<3>()
        gPrev[0] = g.gVPre * (1 - dtOverTauMem)
        gPrev[1] = g.gVPre * dtOverC + gNext[1] * synDecay
        return (gNext[1], gPrev)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> FloatVector<8> {
        let g = fireVJP(x, s, gOut: gOut, gNext: gNext)
        var out = FloatVector<8>()
        out[1] = g.gReset
        out[2] = g.gThreshold
        out[3] = -g.gVPre * dtOverTauMem * dtOverTauMem / dt * (leak - s[0])        // d/dtau_mem of dt/tau_mem (leak - v)
        out[4] = gNext[1] * s[1] * (1 - synDecay) * (1 - synDecay) / dt             // d/dtau_syn of I (1 - dt/tau_syn)
        out[5] = -g.gVPre * dtOverC * dtOverC / dt * s[1]                           // d/dC of dt/C I
        return out
    }
}

/// The integrate-and-fire neuron of hxtorch (`functional.iaf.cuba_refractory_iaf_integration` with `iaf_step`
/// and `refractory_update`; BSS-2 with the leak disabled, hxtorch `IAFNeuron`), forward Euler with step dt (s):
///
///     v' = v + dt / tau_mem I                 (no leak; uses the previous I)
///     I' = I (1 - dt / tau_syn) + x
///     z  = Θ(v' - threshold)  (strict >); reset and refractory update as `BSS2Fire`
///
/// States `v`, `i`, `ref_state`; start v = reset, I = 0. Defaults as `BSS2LIF` (hxtorch's module defaults:
/// reset 80, threshold 125, tau_mem = tau_syn = 10e-6 s, refractory_time 1e-6 s, holdoff_time 0, superspike
/// alpha 50, dt 1e-6 s). Backward: the surrogate for dz/dv', none through the reset (hxtorch detaches it) or
/// the refractory masks. Learnable: threshold, tau_mem, tau_syn (`reset` also sets v[0], whose gradient a
/// per-step parameter VJP cannot carry).
public struct BSS2IAF: BSS2NeuronModel {
    public typealias State = FloatVector<3>
    public static var id: String { "bss2_iaf" }
    public static var stateNames: [String] { ["v", "i", "ref_state"] }
    public static var isSpiking: Bool { true }

    /// The parameters; the model uses reset, threshold, tau_mem, tau_syn, refractory_time, holdoff_time.
    public var hx: BSS2Parameters { didSet { update() } }
    /// Time step in seconds.
    public var dt: Float { didSet { update() } }
    /// Surrogate gradient (superspike, alpha 50).
    public var surrogate: Surrogate
    /// No gradient through the reset (hxtorch's `z.detach()`).
    public var detachReset: Bool

    @usableFromInline var reset: Float = 0, threshold: Float = 0
    @usableFromInline var dtOverTauMem: Float = 0, synDecay: Float = 0
    @usableFromInline var refractorySteps: Float = 0, holdoffSteps: Float = 0

    /// An IAF neuron from its `HXParameter`s (defaults as documented on the type).
    public init(reset: HXParameter = HXParameter(80), threshold: HXParameter = HXParameter(125),
                tauMem: HXParameter = HXParameter(10e-6), tauSyn: HXParameter = HXParameter(10e-6),
                refractoryTime: HXParameter = HXParameter(1e-6), holdoffTime: HXParameter = HXParameter(0),
                dt: Float = 1e-6, surrogate: Surrogate = .hxtorchSuperSpike, detachReset: Bool = true) {
        var p = BSS2Parameters()
        p.reset = reset; p.threshold = threshold; p.tauMem = tauMem; p.tauSyn = tauSyn
        p.refractoryTime = refractoryTime; p.holdoffTime = holdoffTime
        self.init(p, dt: dt, surrogate: surrogate, detachReset: detachReset)
    }

    /// From a full parameter set.
    public init(_ hx: BSS2Parameters, dt: Float = 1e-6, surrogate: Surrogate = .hxtorchSuperSpike, detachReset: Bool = true) {
        self.hx = hx; self.dt = dt; self.surrogate = surrogate; self.detachReset = detachReset
        update()
    }

    @usableFromInline mutating func update() {
        reset = hx.reset.modelValue; threshold = hx.threshold.modelValue
        dtOverTauMem = dt / hx.tauMem.modelValue
        synDecay = 1 - dt / hx.tauSyn.modelValue
        refractorySteps = bss2StepCount(hx.refractoryTime.modelValue, dt: dt)
        holdoffSteps = bss2StepCount(hx.holdoffTime.modelValue, dt: dt)
    }

    /// v = reset, I = 0, not refractory.
    public var initialState: FloatVector<3> { FloatVector([reset, 0, 0]) }

    /// The model values of reset, threshold, tau_mem, tau_syn, refractory_time, holdoff_time.
    public static var parameterNames: [String] { ["reset", "threshold", "tau_mem", "tau_syn", "refractory_time", "holdoff_time"] }
    public static var learnableParameterNames: [String] { ["threshold", "tau_mem", "tau_syn"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        BSS2Parameters.domainError(parameterNames[k], value)
    }
    /// The model values (setting them updates the `HXParameter`s).
    public var parameters: FloatVector<6> {
        get { FloatVector(Self.parameterNames.map { hx[$0]!.modelValue }) }
        set {
            var p = hx
            for (k, name) in Self.parameterNames.enumerated() { p[name]!.modelValue = newValue[k] }
            hx = p
        }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let f = BSS2Fire(vPre: s[0] + dtOverTauMem * s[1], ref: s[2], threshold: threshold, reset: reset,
                         refractorySteps: refractorySteps, holdoffSteps: holdoffSteps, surrogate: surrogate)
        var next = FloatVector<3>()
        next[0] = f.v; next[1] = s[1] * synDecay + x; next[2] = f.ref
        return (f.out, next)
    }

    @inlinable @inline(__always)
    func fireVJP(_ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gVPre: Float, gThreshold: Float, gReset: Float) {
        bss2FireVJP(vPre: s[0] + dtOverTauMem * s[1], ref: s[2], threshold: threshold, reset: reset, holdoffSteps: holdoffSteps,
                    surrogate: surrogate, detachReset: detachReset, gOut: gOut, gV: gNext[0], gZExtra: 0)
    }

    @inlinable @inline(__always)
    public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let g = fireVJP(s, gOut: gOut, gNext: gNext)
        var gPrev = FloatVector<3>()
        gPrev[0] = g.gVPre
        gPrev[1] = g.gVPre * dtOverTauMem + gNext[1] * synDecay
        return (gNext[1], gPrev)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> FloatVector<6> {
        let g = fireVJP(s, gOut: gOut, gNext: gNext)
        var out = FloatVector<6>()
        out[1] = g.gThreshold
        out[2] = -g.gVPre * dtOverTauMem * dtOverTauMem / dt * s[1]
        out[3] = gNext[1] * s[1] * (1 - synDecay) * (1 - synDecay) / dt
        return out
    }
}

/// The adaptive exponential integrate-and-fire neuron of BrainScaleS-2 as hxtorch simulates it (hxtorch
/// `spiking.modules.neuron.AELIF` with all terms enabled, `functional.aelif.cuba_aelif_integration` and the
/// step code of `functional.step_integration_code_factory.CuBaStepCode`), forward Euler with step dt (s):
///
///     v' = v + dt / C (I + g_l (leak - v) + g_l Δ_T exp((v - V_T) / Δ_T) - w),  g_l = C / tau_mem
///     I' = I (1 - dt / tau_syn) + x
///     z  = Θ(v' - threshold)  (strict >)
///     w' = w (1 - dt / tau_adap) + dt / tau_adap a (v' - leak) + b z
///     reset and refractory update as `BSS2Fire`
///
/// with Δ_T = `exponential_slope`, V_T = `exponential_threshold`, a = `subthreshold_adaptation_strength`,
/// b = `spike_triggered_adaptation_increment`. As in hxtorch, w sees the membrane before the reset and the spike
/// z before the refractory mask (a crossing while refractory still adds b). `exponential`,
/// `subthresholdAdaptation` and `spikeTriggeredAdaptation` switch terms off as hxtorch's flags (with both
/// adaptations off, w is neither simulated nor subtracted). States `v`, `i`, `adaptation` (w), `ref_state`;
/// start v = leak, I = w = 0. Defaults (hxtorch `AELIF.__init__`): those of `BSS2LIF` plus exponential_slope
/// 50e-3, exponential_threshold 110, a = b = 1, tau_adap 100e-6 s, all terms on. The defaults are hardware
/// operating points: with Δ_T = 0.05 the exponential overflows Float32 once v exceeds V_T by about 4.4, in
/// hxtorch as here (a spike from an infinite v resets to `reset`, but w then takes the infinite v' - leak;
/// model-unit parameters avoid this). Backward: surrogate for dz/dv', no gradient through the reset (hxtorch
/// detaches it), the spike's gradient through `b z` kept (hxtorch does not detach it). Learnable: reset,
/// threshold, tau_mem, tau_syn, membrane_capacitance, exponential_slope, exponential_threshold,
/// subthreshold_adaptation_strength, spike_triggered_adaptation_increment, tau_adap (true derivatives).
public struct BSS2AELIF: BSS2NeuronModel {
    public typealias State = FloatVector<4>
    public static var id: String { "bss2_aelif" }
    public static var stateNames: [String] { ["v", "i", "adaptation", "ref_state"] }
    public static var isSpiking: Bool { true }

    /// The parameters (all of `BSS2Parameters` but the hardware-only ones enter the model).
    public var hx: BSS2Parameters { didSet { update() } }
    /// Time step in seconds.
    public var dt: Float { didSet { update() } }
    /// The exponential term (hxtorch `exponential`).
    public var exponential: Bool
    /// The a (v - leak) term of w (hxtorch `subthreshold_adaptation`).
    public var subthresholdAdaptation: Bool { didSet { update() } }
    /// The b z term of w (hxtorch `spike_triggered_adaptation`).
    public var spikeTriggeredAdaptation: Bool { didSet { update() } }
    /// Surrogate gradient (superspike, alpha 50).
    public var surrogate: Surrogate
    /// No gradient through the reset (hxtorch's `z.detach()`).
    public var detachReset: Bool

    @usableFromInline var leak: Float = 0, reset: Float = 0, threshold: Float = 0
    @usableFromInline var dtOverC: Float = 0, dtOverTauMem: Float = 0, synDecay: Float = 0
    @usableFromInline var slope: Float = 1, expThreshold: Float = 0
    @usableFromInline var a: Float = 0, b: Float = 0, dtOverTauAdap: Float = 0, adaptation: Bool = true
    @usableFromInline var refractorySteps: Float = 0, holdoffSteps: Float = 0

    /// From a full parameter set (defaults: hxtorch's; see the type).
    public init(_ hx: BSS2Parameters = BSS2Parameters(), dt: Float = 1e-6, exponential: Bool = true,
                subthresholdAdaptation: Bool = true, spikeTriggeredAdaptation: Bool = true,
                surrogate: Surrogate = .hxtorchSuperSpike, detachReset: Bool = true) {
        self.hx = hx; self.dt = dt; self.exponential = exponential
        self.subthresholdAdaptation = subthresholdAdaptation; self.spikeTriggeredAdaptation = spikeTriggeredAdaptation
        self.surrogate = surrogate; self.detachReset = detachReset
        update()
    }

    @usableFromInline mutating func update() {
        leak = hx.leak.modelValue; reset = hx.reset.modelValue; threshold = hx.threshold.modelValue
        dtOverC = dt / hx.membraneCapacitance.modelValue
        dtOverTauMem = dt / hx.tauMem.modelValue
        synDecay = 1 - dt / hx.tauSyn.modelValue
        slope = hx.exponentialSlope.modelValue; expThreshold = hx.exponentialThreshold.modelValue
        adaptation = subthresholdAdaptation || spikeTriggeredAdaptation
        a = subthresholdAdaptation ? hx.subthresholdAdaptationStrength.modelValue : 0
        b = spikeTriggeredAdaptation ? hx.spikeTriggeredAdaptationIncrement.modelValue : 0
        dtOverTauAdap = adaptation ? dt / hx.tauAdap.modelValue : 0
        refractorySteps = bss2StepCount(hx.refractoryTime.modelValue, dt: dt)
        holdoffSteps = bss2StepCount(hx.holdoffTime.modelValue, dt: dt)
    }

    /// v = leak, I = w = 0, not refractory.
    public var initialState: FloatVector<4> { FloatVector([leak, 0, 0, 0]) }

    /// The model values of the `BSS2LIF` parameters, then exponential_slope, exponential_threshold,
    /// subthreshold_adaptation_strength, spike_triggered_adaptation_increment, tau_adap.
    public static var parameterNames: [String] {
        BSS2LIF.parameterNames + ["exponential_slope", "exponential_threshold", "subthreshold_adaptation_strength",
                                  "spike_triggered_adaptation_increment", "tau_adap"]
    }
    public static var learnableParameterNames: [String] {
        ["reset", "threshold", "tau_mem", "tau_syn", "membrane_capacitance", "exponential_slope", "exponential_threshold",
         "subthreshold_adaptation_strength", "spike_triggered_adaptation_increment", "tau_adap"]
    }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        BSS2Parameters.domainError(parameterNames[k], value)
    }
    /// The model values (setting them updates the `HXParameter`s).
    public var parameters: FloatVector<13> {
        get { FloatVector(Self.parameterNames.map { hx[$0]!.modelValue }) }
        set {
            var p = hx
            for (k, name) in Self.parameterNames.enumerated() { p[name]!.modelValue = newValue[k] }
            hx = p
        }
    }

    /// The membrane before firing, the new current, exp((v - V_T) / Δ_T) (0 when off) and the w used.
    @inlinable @inline(__always)
    func integrate(_ x: Float, _ s: FloatVector<4>) -> (vPre: Float, i: Float, e: Float, w: Float) {
        let e = exponential ? Foundation.exp((s[0] - expThreshold) / slope) : 0
        let w = adaptation ? s[2] : 0
        let vPre = s[0] + dtOverC * (s[1] - w) + dtOverTauMem * (leak - s[0] + slope * e)
        return (vPre, s[1] * synDecay + x, e, w)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<4>) -> (out: Float, next: FloatVector<4>) {
        let p = integrate(x, s)
        let f = BSS2Fire(vPre: p.vPre, ref: s[3], threshold: threshold, reset: reset, refractorySteps: refractorySteps,
                         holdoffSteps: holdoffSteps, surrogate: surrogate)
        var next = FloatVector<4>()
        next[0] = f.v; next[1] = p.i
        next[2] = adaptation ? p.w * (1 - dtOverTauAdap) + dtOverTauAdap * a * (p.vPre - leak) + b * f.z : 0
        next[3] = f.ref
        return (f.out, next)
    }

    /// Gradients of v' (all paths), of the threshold and reset, and the integration quantities.
    @inlinable @inline(__always)
    func backward(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>)
        -> (gVPre: Float, gThreshold: Float, gReset: Float, p: (vPre: Float, i: Float, e: Float, w: Float)) {
        let p = integrate(x, s)
        let gW = adaptation ? gNext[2] : 0
        let g = bss2FireVJP(vPre: p.vPre, ref: s[3], threshold: threshold, reset: reset, holdoffSteps: holdoffSteps,
                            surrogate: surrogate, detachReset: detachReset, gOut: gOut, gV: gNext[0], gZExtra: gW * b)
        return (g.gVPre + gW * dtOverTauAdap * a, g.gThreshold, g.gReset, p)
    }

    @inlinable @inline(__always)
    public func stepVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gx: Float, gPrev: FloatVector<4>) {
        let g = backward(x, s, gOut: gOut, gNext: gNext)
        var gPrev = FloatVector<4>()
        gPrev[0] = g.gVPre * (1 - dtOverTauMem + dtOverTauMem * g.p.e)
        gPrev[1] = g.gVPre * dtOverC + gNext[1] * synDecay
        gPrev[2] = adaptation ? gNext[2] * (1 - dtOverTauAdap) - g.gVPre * dtOverC : 0
        return (gNext[1], gPrev)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> FloatVector<13> {
        let g = backward(x, s, gOut: gOut, gNext: gNext)
        let p = g.p
        let gW = adaptation ? gNext[2] : 0
        var out = FloatVector<13>()
        out[1] = g.gReset
        out[2] = g.gThreshold
        out[3] = -g.gVPre * dtOverTauMem * dtOverTauMem / dt * (leak - s[0] + slope * p.e)
        out[4] = gNext[1] * s[1] * (1 - synDecay) * (1 - synDecay) / dt
        out[5] = -g.gVPre * dtOverC * dtOverC / dt * (s[1] - p.w)
        if exponential {
            let u = (s[0] - expThreshold) / slope
            out[8] = g.gVPre * dtOverTauMem * p.e * (1 - u)
            out[9] = -g.gVPre * dtOverTauMem * p.e
        }
        if subthresholdAdaptation { out[10] = gW * dtOverTauAdap * (p.vPre - leak) }
        if spikeTriggeredAdaptation { out[11] = gW * bss2Spike(p.vPre - threshold, surrogate) }
        if adaptation { out[12] = gW * dtOverTauAdap * dtOverTauAdap / dt * (p.w - a * (p.vPre - leak)) }
        return out
    }
}
