import Foundation

// The integrate-and-fire neurons of Brian2's benchmark networks, as Brian2 integrates them: the Vogels &
// Abbott (2005) current-based (CUBA) and conductance-based (COBA) neurons with an absolute refractory
// period, and the LIF neuron with delta synapses of Brunel (2000). Units are Brian2's examples' units:
// millivolts and milliseconds (`dt` in ms). Synapses of SpikeSim increment the state variables named here
// (`ge`, `gi`, or `v` for delta synapses), as Brian2's `on_pre='ge += we'`.
//
// The refractory period follows Brian2: after a spike at step n the membrane is neither integrated nor
// thresholded at steps n+1 ... n+R-1 (R = round(refractory / dt)) and is integrated again at step n+R
// (Brian2's `not_refractory = timestep(t - lastspike, dt) >= timestep(refractory, dt)`). The counter `ref`
// holds the refractory steps left; it is discrete (no gradient flows through it). The synaptic variables
// decay during the refractory period, as in Brian2 where only `v` is marked `(unless refractory)`.

/// Refractory steps `round(refractory / dt)`.
@inlinable @inline(__always)
func brian2RefractorySteps(_ refractory: Float, _ dt: Float) -> Float {
    (refractory / dt).rounded()
}

/// The refractory counter after a step with spike `z` (0/1, or smooth in gradient checks): `R - 1` after a
/// spike, else one less than before, down to 0.
@inlinable @inline(__always)
func brian2NextRefractory(_ ref: Float, z: Float, steps: Float) -> Float {
    z * max(steps - 1, 0) + (1 - z) * max(ref - 1, 0)
}

/// The threshold and reset of the Brian2 neurons: the spike `z = (1 - m) Θ(vd - threshold)` (strict; `m` is 1
/// while refractory) and the membrane after the reset, `(1 - z) vd + z reset`.
@inlinable @inline(__always)
func brian2Fire(_ m: Float, _ vd: Float, threshold: Float, reset: Float, surrogate: Surrogate) -> (z: Float, v: Float) {
    let z = (1 - m) * norseThreshold(vd - threshold, surrogate)
    return (z, (1 - z) * vd + z * reset)
}

/// VJP of `brian2Fire`: the gradient of the spike (`gz`, from the output and through the reset), of the
/// membrane before the threshold (`gvd`), and the surrogate derivative `sg` (0 while refractory).
@inlinable @inline(__always)
func brian2FireVJP(_ m: Float, _ vd: Float, threshold: Float, reset: Float, surrogate: Surrogate, gOut: Float, gV: Float)
    -> (gz: Float, gvd: Float, sg: Float) {
    let u = vd - threshold
    let sg = (1 - m) * surrogate.derivative(u), z = (1 - m) * norseThreshold(u, surrogate)
    let gz = gOut + gV * (reset - vd)
    return (gz, gV * (1 - z) + gz * sg, sg)
}

/// `exp(-dt / tau)` in double precision, rounded to float.
@inlinable func brian2Decay(_ dt: Float, _ tau: Float) -> Float { Float(Foundation.exp(-Double(dt) / Double(tau))) }

/// The exact response of the membrane (time constant `taum`) after `dt` to a unit synaptic variable decaying
/// with `taus`: `taus / (taus - taum) (e^{-dt/taus} - e^{-dt/taum})`, `(dt / taum) e^{-dt/taum}` when equal.
@inlinable func brian2SynapticGain(_ dt: Float, taum: Float, taus: Float) -> Float {
    let (d, m, s) = (Double(dt), Double(taum), Double(taus))
    if abs(m - s) <= 1e-9 * m { return Float(d / m * Foundation.exp(-d / m)) }
    return Float(s / (s - m) * (Foundation.exp(-d / s) - Foundation.exp(-d / m)))
}

/// The Vogels & Abbott (2005) current-based LIF neuron of Brian2's CUBA benchmark (brian2/examples/CUBA.py):
///
///     dv/dt  = (ge + gi - (v - El)) / taum     (unless refractory)
///     dge/dt = -ge / taue,   dgi/dt = -gi / taui
///     spike when v > Vt (not refractory); then v = Vr and R = round(refractory / dt) steps of refractoriness
///
/// integrated exactly over each step as Brian2's `method='exact'` does (the input `x`, a current in mV held
/// over the step, adds to the drive):
///
///     v~  = El + (v - El) e^{-dt/taum} + ge ke + gi ki + x (1 - e^{-dt/taum})     (v~ = v while refractory)
///     ke  = taue / (taue - taum) (e^{-dt/taue} - e^{-dt/taum}),   ki likewise with taui
///     ge' = ge e^{-dt/taue},   gi' = gi e^{-dt/taui}
///     z   = Θ(v~ - Vt) (strict) unless refractory,   v' = (1 - z) v~ + z Vr
///
/// Units: mV and ms. Defaults are the benchmark's: taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV, Vr -60 mV,
/// El -49 mV, refractory 5 ms, dt 0.1 ms. Initial state v = Vr, ge = gi = 0, not refractory. State variables
/// `v`, `ge`, `gi`, `ref` (refractory steps left); output the spike. The surrogate (default atan, alpha 2 per
/// mV) gives the gradient of the jump; the gradient flows through the reset.
public struct Brian2CUBA: NeuronModel, Equatable {
    public typealias State = FloatVector<4>
    public static var id: String { "va_cuba" }
    /// `v` (index 0), `ge` (1), `gi` (2), `ref` (3).
    public static var stateNames: [String] { ["v", "ge", "gi", "ref"] }
    public static var isSpiking: Bool { true }

    /// Membrane time constant `taum` in ms (> 0).
    public private(set) var tauMembrane: Float
    /// Excitatory synaptic time constant `taue` in ms (> 0).
    public private(set) var tauExcitatory: Float
    /// Inhibitory synaptic time constant `taui` in ms (> 0).
    public private(set) var tauInhibitory: Float
    /// Threshold `Vt` in mV.
    public var threshold: Float
    /// Reset potential `Vr` in mV.
    public var reset: Float
    /// Resting potential `El` in mV.
    public var rest: Float
    /// Absolute refractory period in ms (>= 0).
    public private(set) var refractory: Float
    /// Integration step in ms (> 0).
    public private(set) var dt: Float
    /// Surrogate gradient of the threshold.
    public var surrogate: Surrogate
    /// Derived per-step constants: membrane decay, synaptic decays, synaptic gains, refractory steps.
    public private(set) var dm: Float = 0, de: Float = 0, di: Float = 0, ke: Float = 0, ki: Float = 0, refSteps: Float = 0

    /// A CUBA neuron with the benchmark's values unless given.
    public init(tauMembrane: Float = 20, tauExcitatory: Float = 5, tauInhibitory: Float = 10, threshold: Float = -50,
                reset: Float = -60, rest: Float = -49, refractory: Float = 5, dt: Float = 0.1, surrogate: Surrogate = .atan) {
        self.tauMembrane = tauMembrane; self.tauExcitatory = tauExcitatory; self.tauInhibitory = tauInhibitory
        self.threshold = threshold; self.reset = reset; self.rest = rest; self.refractory = refractory; self.dt = dt
        self.surrogate = surrogate
        derive()
    }

    mutating func derive() {
        dm = brian2Decay(dt, tauMembrane); de = brian2Decay(dt, tauExcitatory); di = brian2Decay(dt, tauInhibitory)
        ke = brian2SynapticGain(dt, taum: tauMembrane, taus: tauExcitatory)
        ki = brian2SynapticGain(dt, taum: tauMembrane, taus: tauInhibitory)
        refSteps = brian2RefractorySteps(refractory, dt)
    }

    public var initialState: FloatVector<4> { FloatVector([reset, 0, 0, 0]) }

    /// `taum`, `taue`, `taui`, `v_threshold`, `v_reset`, `v_rest`, `refractory`, `dt` (Brian2's names
    /// `taum`, `taue`, `taui`, `Vt`, `Vr`, `El`). Learnable: `v_threshold`, `v_rest` (not `v_reset`, which also sets
    /// the initial state, a dependence the per-step gradient does not carry).
    public static var parameterNames: [String] { ["taum", "taue", "taui", "v_threshold", "v_reset", "v_rest", "refractory", "dt"] }
    public static var learnableParameterNames: [String] { ["v_threshold", "v_rest"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0, 1, 2, 7: return value > 0 ? nil : "> 0"
        case 6: return value >= 0 ? nil : ">= 0"
        default: return nil
        }
    }
    /// The numeric parameters in `parameterNames` order; setting them recomputes the per-step constants.
    public var parameters: FloatVector<8> {
        get { FloatVector([tauMembrane, tauExcitatory, tauInhibitory, threshold, reset, rest, refractory, dt]) }
        set {
            tauMembrane = newValue[0]; tauExcitatory = newValue[1]; tauInhibitory = newValue[2]; threshold = newValue[3]
            reset = newValue[4]; rest = newValue[5]; refractory = newValue[6]; dt = newValue[7]
            derive()
        }
    }

    /// Refractory mask (1 while refractory) and the membrane before the threshold.
    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<4>) -> (m: Float, vd: Float) {
        let m: Float = s[3] > 0 ? 1 : 0
        let vi = rest + (s[0] - rest) * dm + s[1] * ke + s[2] * ki + x * (1 - dm)
        return (m, m > 0 ? s[0] : vi)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<4>) -> (out: Float, next: FloatVector<4>) {
        let (m, vd) = integrate(x, s)
        let (z, v) = brian2Fire(m, vd, threshold: threshold, reset: reset, surrogate: surrogate)
        var n = FloatVector<4>()
        n[0] = v
        n[1] = s[1] * de
        n[2] = s[2] * di
        n[3] = brian2NextRefractory(s[3], z: z, steps: refSteps)
        return (z, n)
    }

    /// Gradients of the spike (`gz`) and of the membrane before the threshold (`gvd`).
    @inlinable @inline(__always) func backParts(_ m: Float, _ vd: Float, gOut: Float, gNext: FloatVector<4>) -> (gz: Float, gvd: Float, sg: Float) {
        brian2FireVJP(m, vd, threshold: threshold, reset: reset, surrogate: surrogate, gOut: gOut, gV: gNext[0])
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gx: Float, gPrev: FloatVector<4>) {
        let (m, vd) = integrate(x, s)
        let (_, gvd, _) = backParts(m, vd, gOut: gOut, gNext: gNext)
        let gvi = gvd * (1 - m)
        var g = FloatVector<4>()
        g[0] = gvd * m + gvi * dm
        g[1] = gvi * ke + gNext[1] * de
        g[2] = gvi * ki + gNext[2] * di
        return (gvi * (1 - dm), g)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> FloatVector<8> {
        let (m, vd) = integrate(x, s)
        let (gz, gvd, sg) = backParts(m, vd, gOut: gOut, gNext: gNext)
        var g = FloatVector<8>()
        g[3] = -gz * sg
        g[5] = gvd * (1 - m) * (1 - dm)
        return g
    }
}

/// The Vogels & Abbott (2005) conductance-based LIF neuron of Brian2's COBA benchmark (Brette et al. 2007,
/// benchmark 1), conductances in units of the leak conductance:
///
///     dv/dt  = (ge (Ee - v) + gi (Ei - v) - (v - El)) / taum     (unless refractory)
///     dge/dt = -ge / taue,   dgi/dt = -gi / taui
///     spike when v > Vt (not refractory); then v = Vr and R = round(refractory / dt) refractory steps
///
/// integrated with forward Euler as Brian2's `method='euler'` (the input `x`, a current in mV, adds to the drive):
///
///     v~  = v + dt (ge (Ee - v) + gi (Ei - v) - (v - El) + x) / taum      (v~ = v while refractory)
///     ge' = ge - dt ge / taue,   gi' = gi - dt gi / taui
///     z   = Θ(v~ - Vt) (strict) unless refractory,   v' = (1 - z) v~ + z Vr
///
/// Units: mV and ms. Defaults: taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV, Vr -60 mV, El -60 mV, Ee 0 mV,
/// Ei -80 mV, refractory 5 ms, dt 0.1 ms (the benchmark's synaptic jumps are we = 0.6, wi = 6.7). Initial
/// state v = Vr, ge = gi = 0. State variables `v`, `ge`, `gi`, `ref`; output the spike.
public struct Brian2COBA: NeuronModel, Equatable {
    public typealias State = FloatVector<4>
    public static var id: String { "va_coba" }
    /// `v` (index 0), `ge` (1), `gi` (2), `ref` (3).
    public static var stateNames: [String] { ["v", "ge", "gi", "ref"] }
    public static var isSpiking: Bool { true }

    /// Membrane time constant `taum` in ms (> 0).
    public var tauMembrane: Float
    /// Excitatory conductance time constant `taue` in ms (> 0).
    public var tauExcitatory: Float
    /// Inhibitory conductance time constant `taui` in ms (> 0).
    public var tauInhibitory: Float
    /// Threshold `Vt` in mV.
    public var threshold: Float
    /// Reset `Vr` in mV.
    public var reset: Float
    /// Leak reversal `El` in mV.
    public var rest: Float
    /// Excitatory reversal `Ee` in mV.
    public var excitatoryReversal: Float
    /// Inhibitory reversal `Ei` in mV.
    public var inhibitoryReversal: Float
    /// Constant drive `I` in mV added to the input (the Brette et al. 2007 benchmark scripts use 20 mV).
    public var bias: Float
    /// Refractory period in ms (>= 0).
    public var refractory: Float
    /// Integration step in ms (> 0).
    public var dt: Float
    /// Surrogate gradient of the threshold.
    public var surrogate: Surrogate

    /// A COBA neuron with the benchmark's values unless given.
    public init(tauMembrane: Float = 20, tauExcitatory: Float = 5, tauInhibitory: Float = 10, threshold: Float = -50,
                reset: Float = -60, rest: Float = -60, excitatoryReversal: Float = 0, inhibitoryReversal: Float = -80,
                bias: Float = 0, refractory: Float = 5, dt: Float = 0.1, surrogate: Surrogate = .atan) {
        self.tauMembrane = tauMembrane; self.tauExcitatory = tauExcitatory; self.tauInhibitory = tauInhibitory
        self.threshold = threshold; self.reset = reset; self.rest = rest; self.excitatoryReversal = excitatoryReversal
        self.inhibitoryReversal = inhibitoryReversal; self.bias = bias; self.refractory = refractory; self.dt = dt; self.surrogate = surrogate
    }

    public var initialState: FloatVector<4> { FloatVector([reset, 0, 0, 0]) }

    /// `taum`, `taue`, `taui`, `v_threshold`, `v_reset`, `v_rest`, `e_exc`, `e_inh`, `i_bias`, `refractory`, `dt`.
    /// Learnable: `v_threshold`, `v_rest`, `e_exc`, `e_inh`, `i_bias` (not `v_reset`, which also sets the initial state).
    public static var parameterNames: [String] {
        ["taum", "taue", "taui", "v_threshold", "v_reset", "v_rest", "e_exc", "e_inh", "i_bias", "refractory", "dt"]
    }
    public static var learnableParameterNames: [String] { ["v_threshold", "v_rest", "e_exc", "e_inh", "i_bias"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0, 1, 2, 10: return value > 0 ? nil : "> 0"
        case 9: return value >= 0 ? nil : ">= 0"
        default: return nil
        }
    }
    /// The numeric parameters in `parameterNames` order.
    public var parameters: FloatVector<11> {
        get {
            FloatVector([tauMembrane, tauExcitatory, tauInhibitory, threshold, reset, rest, excitatoryReversal,
                         inhibitoryReversal, bias, refractory, dt])
        }
        set {
            tauMembrane = newValue[0]; tauExcitatory = newValue[1]; tauInhibitory = newValue[2]; threshold = newValue[3]
            reset = newValue[4]; rest = newValue[5]; excitatoryReversal = newValue[6]; inhibitoryReversal = newValue[7]
            bias = newValue[8]; refractory = newValue[9]; dt = newValue[10]
        }
    }

    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<4>) -> (m: Float, vd: Float) {
        let m: Float = s[3] > 0 ? 1 : 0
        let v = s[0]
        let drive = s[1] * (excitatoryReversal - v) + s[2] * (inhibitoryReversal - v) - (v - rest) + bias + x
        return (m, m > 0 ? v : v + dt * drive / tauMembrane)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<4>) -> (out: Float, next: FloatVector<4>) {
        let (m, vd) = integrate(x, s)
        let (z, v) = brian2Fire(m, vd, threshold: threshold, reset: reset, surrogate: surrogate)
        var n = FloatVector<4>()
        n[0] = v
        n[1] = s[1] - dt * s[1] / tauExcitatory
        n[2] = s[2] - dt * s[2] / tauInhibitory
        n[3] = brian2NextRefractory(s[3], z: z, steps: brian2RefractorySteps(refractory, dt))
        return (z, n)
    }

    @inlinable @inline(__always) func backParts(_ m: Float, _ vd: Float, gOut: Float, gNext: FloatVector<4>) -> (gz: Float, gvd: Float, sg: Float) {
        brian2FireVJP(m, vd, threshold: threshold, reset: reset, surrogate: surrogate, gOut: gOut, gV: gNext[0])
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gx: Float, gPrev: FloatVector<4>) {
        let (m, vd) = integrate(x, s)
        let (_, gvd, _) = backParts(m, vd, gOut: gOut, gNext: gNext)
        let a = (1 - m) * gvd * dt / tauMembrane     // gradient of the drive
        let v = s[0]
        var g = FloatVector<4>()
        g[0] = gvd * m + (1 - m) * gvd + a * (-s[1] - s[2] - 1)
        g[1] = a * (excitatoryReversal - v) + gNext[1] * (1 - dt / tauExcitatory)
        g[2] = a * (inhibitoryReversal - v) + gNext[2] * (1 - dt / tauInhibitory)
        return (a, g)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> FloatVector<11> {
        let (m, vd) = integrate(x, s)
        let (gz, gvd, sg) = backParts(m, vd, gOut: gOut, gNext: gNext)
        let a = (1 - m) * gvd * dt / tauMembrane
        var g = FloatVector<11>()
        g[3] = -gz * sg
        g[5] = a
        g[6] = a * s[1]
        g[7] = a * s[2]
        g[8] = a
        return g
    }
}

/// The leaky integrate-and-fire neuron with delta synapses of Brunel (2000), as in Brian2's example
/// (examples/frompapers/Brunel_2000.py):
///
///     dv/dt = -(v - v_rest) / tau     (unless refractory);   synaptic and input jumps v += J
///     spike when v > theta (not refractory); then v = Vr and R = round(refractory / dt) refractory steps
///
/// integrated exactly (`method='exact'`), with the input `x` a jump of the membrane in mV at this step:
///
///     v~ = v_rest + (v - v_rest) e^{-dt/tau} + x     (v~ = v while refractory)
///     z  = Θ(v~ - theta) (strict) unless refractory,   v' = (1 - z) v~ + z Vr
///
/// Units: mV and ms. Defaults (Brunel 2000): tau 20 ms, theta 20 mV, Vr 10 mV, v_rest 0 mV, refractory 2 ms,
/// dt 0.1 ms. Initial v = v_rest. State variables `v`, `ref`; output the spike. Synapses target `v`.
public struct Brian2DeltaLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "lif_delta" }
    /// `v` (index 0), `ref` (1).
    public static var stateNames: [String] { ["v", "ref"] }
    public static var isSpiking: Bool { true }

    /// Membrane time constant in ms (> 0).
    public private(set) var tau: Float
    /// Threshold `theta` in mV.
    public var threshold: Float
    /// Reset `Vr` in mV.
    public var reset: Float
    /// Resting potential in mV.
    public var rest: Float
    /// Refractory period `tau_rp` in ms (>= 0).
    public var refractory: Float
    /// Integration step in ms (> 0).
    public private(set) var dt: Float
    /// Surrogate gradient of the threshold.
    public var surrogate: Surrogate
    /// `e^{-dt/tau}`.
    public private(set) var decay: Float = 0

    /// A Brunel (2000) neuron with the paper's values unless given.
    public init(tau: Float = 20, threshold: Float = 20, reset: Float = 10, rest: Float = 0, refractory: Float = 2,
                dt: Float = 0.1, surrogate: Surrogate = .atan) {
        self.tau = tau; self.threshold = threshold; self.reset = reset; self.rest = rest; self.refractory = refractory
        self.dt = dt; self.surrogate = surrogate
        decay = brian2Decay(dt, tau)
    }

    public var initialState: FloatVector<2> { FloatVector([rest, 0]) }

    /// `tau`, `v_threshold`, `v_reset`, `v_rest`, `refractory`, `dt`. Learnable: `v_threshold`, `v_reset` (not
    /// `v_rest`, which also sets the initial state, a dependence the per-step gradient does not carry).
    public static var parameterNames: [String] { ["tau", "v_threshold", "v_reset", "v_rest", "refractory", "dt"] }
    public static var learnableParameterNames: [String] { ["v_threshold", "v_reset"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0, 5: return value > 0 ? nil : "> 0"
        case 4: return value >= 0 ? nil : ">= 0"
        default: return nil
        }
    }
    /// The numeric parameters in `parameterNames` order.
    public var parameters: FloatVector<6> {
        get { FloatVector([tau, threshold, reset, rest, refractory, dt]) }
        set {
            tau = newValue[0]; threshold = newValue[1]; reset = newValue[2]; rest = newValue[3]; refractory = newValue[4]
            dt = newValue[5]
            decay = brian2Decay(dt, tau)
        }
    }

    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<2>) -> (m: Float, vd: Float) {
        let m: Float = s[1] > 0 ? 1 : 0
        return (m, m > 0 ? s[0] : rest + (s[0] - rest) * decay + x)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let (m, vd) = integrate(x, s)
        let (z, v) = brian2Fire(m, vd, threshold: threshold, reset: reset, surrogate: surrogate)
        var n = FloatVector<2>()
        n[0] = v
        n[1] = brian2NextRefractory(s[1], z: z, steps: brian2RefractorySteps(refractory, dt))
        return (z, n)
    }

    @inlinable @inline(__always) func backParts(_ m: Float, _ vd: Float, gOut: Float, gNext: FloatVector<2>) -> (gz: Float, gvd: Float, sg: Float) {
        brian2FireVJP(m, vd, threshold: threshold, reset: reset, surrogate: surrogate, gOut: gOut, gV: gNext[0])
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let (m, vd) = integrate(x, s)
        let (_, gvd, _) = backParts(m, vd, gOut: gOut, gNext: gNext)
        let gvi = gvd * (1 - m)
        var g = FloatVector<2>()
        g[0] = gvd * m + gvi * decay
        return (gvi, g)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<6> {
        let (m, vd) = integrate(x, s)
        let (gz, _, sg) = backParts(m, vd, gOut: gOut, gNext: gNext)
        let z = (1 - m) * norseThreshold(vd - threshold, surrogate)
        var g = FloatVector<6>()
        g[1] = -gz * sg
        g[2] = gNext[0] * z
        return g
    }
}
