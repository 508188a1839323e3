// Norse (norse.torch.functional) adaptive neurons: the adaptive exponential LIF (`LIFAdExCell`) and the LSNN
// with an adaptive threshold (`LSNNCell`, Bellec et al. 2018). Explicit Euler steps at `dt` in Norse's order.

import Foundation

/// Adaptive exponential leaky integrate-and-fire neuron, Norse's `LIFAdExCell` (`lif_adex_feed_forward_step`,
/// norse/torch/functional/lif_adex.py; Brette & Gerstner 2005 as on Scholarpedia), one Euler step of
///
///     dv/dt = tau_mem_inv (v_leak - v + i + delta_T exp((v - v_th) / delta_T) - a)
///     di/dt = -tau_syn_inv i
///     da/dt = tau_ada_inv (adaptation_current (v - v_leak) - a)
///
/// in Norse's order (the input jumps into the current first; `a` decays with the previous `v`):
///
///     j    = i[t-1] + x[t]
///     v~   = v[t-1] + dt tau_mem_inv ((v_leak - v[t-1]) + delta_T exp((v[t-1] - v_th)/delta_T) + j - a[t-1])
///     i[t] = j - dt tau_syn_inv j
///     a~   = a[t-1] + dt tau_ada_inv (adaptation_current (v[t-1] - v_leak) - a[t-1])
///     z[t] = Θ(v~ - v_th)   (strict)
///     v[t] = (1 - z) v~ + z v_reset
///     a[t] = a~ + z adaptation_spike
///
/// Defaults (`LIFAdExParameters`): adaptation_current 4, adaptation_spike 0.02, delta_T 0.5, tau_ada_inv 2,
/// tau_syn_inv 200, tau_mem_inv 100, v_leak 0, v_th 1, v_reset 0, method "super", dt 0.001. Initial
/// `v = v_leak`, `i = a = 0`. State `a`, `i`, `v`; output the spike.
public struct NorseLIFAdEx: NeuronModel, Equatable {
    public typealias State = FloatVector<3>
    public static var id: String { "adex" }
    /// `a` (adaptation current, index 0), `i` (index 1), `v` (index 2).
    public static var stateNames: [String] { ["a", "i", "v"] }
    public static var isSpiking: Bool { true }

    /// Subthreshold adaptation coupling `adaptation_current`.
    public var adaptationCurrent: Float
    /// Spike-triggered adaptation jump `adaptation_spike`.
    public var adaptationSpike: Float
    /// Sharpness of the exponential upswing `delta_T` (> 0).
    public var deltaT: Float
    /// Inverse adaptation time constant `tau_ada_inv` (> 0).
    public var tauAdaInv: Float
    /// Inverse synaptic time constant `tau_syn_inv` (> 0).
    public var tauSynInv: Float
    /// Inverse membrane time constant `tau_mem_inv` (> 0).
    public var tauMemInv: Float
    /// Leak potential `v_leak` (also the initial membrane).
    public var vLeak: Float
    /// Threshold `v_th` (also the centre of the exponential term).
    public var vTh: Float
    /// Reset potential `v_reset`.
    public var vReset: Float
    /// Time step `dt` (> 0).
    public var dt: Float
    /// Surrogate gradient (Norse's `method`).
    public var surrogate: Surrogate

    /// A `LIFAdExCell` with Norse's `LIFAdExParameters` defaults unless given.
    public init(adaptationCurrent: Float = 4, adaptationSpike: Float = 0.02, deltaT: Float = 0.5, tauAdaInv: Float = 2,
                tauSynInv: Float = 200, tauMemInv: Float = 100, vLeak: Float = 0, vTh: Float = 1, vReset: Float = 0,
                dt: Float = 0.001, surrogate: Surrogate = .norseSuperSpike) {
        self.adaptationCurrent = adaptationCurrent; self.adaptationSpike = adaptationSpike; self.deltaT = deltaT
        self.tauAdaInv = tauAdaInv; self.tauSynInv = tauSynInv; self.tauMemInv = tauMemInv
        self.vLeak = vLeak; self.vTh = vTh; self.vReset = vReset; self.dt = dt; self.surrogate = surrogate
    }

    /// Norse's `initial_state` of the cell (see the type's documentation).
    public var initialState: FloatVector<3> { norseVector3(0, 0, vLeak) }

    /// Norse's `LIFAdExParameters` names in order; all but `v_leak` (which sets the initial state) learnable.
    public static var parameterNames: [String] {
        ["adaptation_current", "adaptation_spike", "delta_T", "tau_ada_inv", "tau_syn_inv", "tau_mem_inv", "v_leak", "v_th", "v_reset"]
    }
    public static var learnableParameterNames: [String] {
        ["adaptation_current", "adaptation_spike", "delta_T", "tau_ada_inv", "tau_syn_inv", "tau_mem_inv", "v_th", "v_reset"]
    }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return (2...5).contains(k) && !(value > 0) ? "> 0" : nil
    }
    /// The numeric parameters in `parameterNames` order (per-neuron values, mismatch, learning).
    public var parameters: FloatVector<9> {
        get { FloatVector([adaptationCurrent, adaptationSpike, deltaT, tauAdaInv, tauSynInv, tauMemInv, vLeak, vTh, vReset]) }
        set {
            adaptationCurrent = newValue[0]; adaptationSpike = newValue[1]; deltaT = newValue[2]; tauAdaInv = newValue[3]
            tauSynInv = newValue[4]; tauMemInv = newValue[5]; vLeak = newValue[6]; vTh = newValue[7]; vReset = newValue[8]
        }
    }

    /// `(j, e, drive, vd)`: current after the jump, exp((v - v_th)/delta_T), the bracket of dv, membrane before threshold.
    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<3>) -> (j: Float, e: Float, drive: Float, vd: Float) {
        let v = s[2], j = s[1] + x
        let e = Foundation.exp((v - vTh) / deltaT)
        let drive = (vLeak - v) + deltaT * e + j - s[0]
        return (j, e, drive, v + dt * tauMemInv * drive)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let (j, _, _, vd) = integrate(x, s)
        let di = -dt * tauSynInv * j
        let ad = s[0] + dt * tauAdaInv * (adaptationCurrent * (s[2] - vLeak) - s[0])
        let z = norseThreshold(vd - vTh, surrogate)
        return (z, norseVector3(ad + z * adaptationSpike, j + di, (1 - z) * vd + z * vReset))
    }

    /// `(gz, gvd, sg, z)` at the threshold: gradient of the spike (output, reset, adaptation jump), of `v~`.
    @inlinable @inline(__always) func backParts(_ vd: Float, gOut: Float, gNext: FloatVector<3>) -> (gz: Float, gvd: Float, sg: Float, z: Float) {
        let u = vd - vTh
        let sg = surrogate.derivative(u), z = norseThreshold(u, surrogate)
        let gz = gOut + gNext[2] * (vReset - vd) + gNext[0] * adaptationSpike
        return (gz, gNext[2] * (1 - z) + gz * sg, sg, z)
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let (_, e, _, vd) = integrate(x, s)
        let (_, gvd, _, _) = backParts(vd, gOut: gOut, gNext: gNext)
        let am = dt * tauMemInv, aa = dt * tauAdaInv
        let gj = gvd * am + gNext[1] * (1 - dt * tauSynInv)
        let ga = -gvd * am + gNext[0] * (1 - aa)
        let gv = gvd * (1 + am * (e - 1)) + gNext[0] * aa * adaptationCurrent
        return (gj, norseVector3(ga, gj, gv))
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> FloatVector<9> {
        let (j, e, drive, vd) = integrate(x, s)
        let (gz, gvd, sg, z) = backParts(vd, gOut: gOut, gNext: gNext)
        let am = dt * tauMemInv, gA = gNext[0], w = s[2] - vLeak
        var g = FloatVector<9>()
        g[0] = gA * dt * tauAdaInv * w
        g[1] = gA * z
        g[2] = gvd * am * e * (1 - (s[2] - vTh) / deltaT)
        g[3] = gA * dt * (adaptationCurrent * w - s[0])
        g[4] = gNext[1] * (-dt * j)
        g[5] = gvd * dt * drive
        g[6] = gvd * am - gA * dt * tauAdaInv * adaptationCurrent
        g[7] = -gvd * am * e - gz * sg
        g[8] = gNext[2] * z
        return g
    }
}

/// Long short-term memory spiking neuron (LIF with an adaptive threshold), Norse's `LSNNCell`
/// (`lsnn_feed_forward_step`, norse/torch/functional/lsnn.py; Bellec et al. 2018, "Long short-term memory and
/// learning-to-learn in networks of spiking neurons"). The state `b` is the threshold itself: it relaxes to
/// `v_th` with rate `tau_adapt_inv` and jumps by `beta` at each spike. One Euler step in Norse's order (the
/// input current enters `i` after the membrane update, so `x[t]` first acts on `v` at step t+1):
///
///     v~   = v[t-1] + dt tau_mem_inv ((v_leak - v[t-1]) + i[t-1])
///     i~   = i[t-1] - dt tau_syn_inv i[t-1]
///     b~   = b[t-1] + dt tau_adapt_inv (v_th - b[t-1])
///     z[t] = Θ(v~ - b~)          (strict)
///     v[t] = (1 - z) v~ + z v_reset
///     b[t] = b~ + z beta
///     i[t] = i~ + x[t]
///
/// Defaults (`LSNNParameters`, Norse 1.1.0): tau_syn_inv 200, tau_mem_inv 100, tau_adapt_inv 1/800, v_leak 0,
/// v_th 1, v_reset 0, beta 1.8, method "super", dt 0.001. Initial `v = v_leak`, `i = 0`, `b = v_th`
/// (`LSNNCell.initial_state`). State `b`, `i`, `v`; output the spike.
public struct NorseLSNN: NeuronModel, Equatable {
    public typealias State = FloatVector<3>
    public static var id: String { "lsnn" }
    /// `b` (adaptive threshold, index 0), `i` (index 1), `v` (index 2).
    public static var stateNames: [String] { ["b", "i", "v"] }
    public static var isSpiking: Bool { true }

    /// Inverse synaptic time constant `tau_syn_inv` (> 0).
    public var tauSynInv: Float
    /// Inverse membrane time constant `tau_mem_inv` (> 0).
    public var tauMemInv: Float
    /// Inverse threshold-adaptation time constant `tau_adapt_inv` (> 0).
    public var tauAdaptInv: Float
    /// Leak potential `v_leak` (also the initial membrane).
    public var vLeak: Float
    /// Resting threshold `v_th` (also the initial `b`).
    public var vTh: Float
    /// Reset potential `v_reset`.
    public var vReset: Float
    /// Threshold jump per spike `beta`.
    public var beta: Float
    /// Time step `dt` (> 0).
    public var dt: Float
    /// Surrogate gradient (Norse's `method`).
    public var surrogate: Surrogate

    /// An `LSNNCell` with Norse's `LSNNParameters` defaults unless given.
    public init(tauSynInv: Float = 200, tauMemInv: Float = 100, tauAdaptInv: Float = 1.0 / 800, vLeak: Float = 0, vTh: Float = 1,
                vReset: Float = 0, beta: Float = 1.8, dt: Float = 0.001, surrogate: Surrogate = .norseSuperSpike) {
        self.tauSynInv = tauSynInv; self.tauMemInv = tauMemInv; self.tauAdaptInv = tauAdaptInv; self.vLeak = vLeak
        self.vTh = vTh; self.vReset = vReset; self.beta = beta; self.dt = dt; self.surrogate = surrogate
    }

    /// Norse's `initial_state` of the cell (see the type's documentation).
    public var initialState: FloatVector<3> { norseVector3(vTh, 0, vLeak) }

    /// Norse's `LSNNParameters` names in order. `v_leak` and `v_th` also set the initial state, so they are not
    /// offered as learnable (the per-step gradient does not carry that dependence; Norse detaches it).
    public static var parameterNames: [String] { ["tau_syn_inv", "tau_mem_inv", "tau_adapt_inv", "v_leak", "v_th", "v_reset", "beta"] }
    public static var learnableParameterNames: [String] { ["tau_syn_inv", "tau_mem_inv", "tau_adapt_inv", "v_reset", "beta"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k <= 2 && !(value > 0) ? "> 0" : nil
    }
    /// The numeric parameters in `parameterNames` order (per-neuron values, mismatch, learning).
    public var parameters: FloatVector<7> {
        get { FloatVector([tauSynInv, tauMemInv, tauAdaptInv, vLeak, vTh, vReset, beta]) }
        set {
            tauSynInv = newValue[0]; tauMemInv = newValue[1]; tauAdaptInv = newValue[2]; vLeak = newValue[3]
            vTh = newValue[4]; vReset = newValue[5]; beta = newValue[6]
        }
    }

    @inlinable @inline(__always) func decay(_ s: FloatVector<3>) -> (vd: Float, bd: Float) {
        let vd = s[2] + dt * tauMemInv * ((vLeak - s[2]) + s[1])
        let bd = s[0] + dt * tauAdaptInv * (vTh - s[0])
        return (vd, bd)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let (vd, bd) = decay(s)
        let di = -dt * tauSynInv * s[1]
        let id = s[1] + di
        let z = norseThreshold(vd - bd, surrogate)
        return (z, norseVector3(bd + z * beta, id + x, (1 - z) * vd + z * vReset))
    }

    /// `(gz, gvd, gbd, z)`: gradients of the spike, of `v~` and of `b~`.
    @inlinable @inline(__always) func backParts(_ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gz: Float, gvd: Float, gbd: Float, z: Float) {
        let (vd, bd) = decay(s)
        let u = vd - bd
        let sg = surrogate.derivative(u), z = norseThreshold(u, surrogate)
        let gz = gOut + gNext[2] * (vReset - vd) + gNext[0] * beta
        return (gz, gNext[2] * (1 - z) + gz * sg, gNext[0] - gz * sg, z)
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let (_, gvd, gbd, _) = backParts(s, gOut: gOut, gNext: gNext)
        let am = dt * tauMemInv
        return (gNext[1], norseVector3(gbd * (1 - dt * tauAdaptInv), gvd * am + gNext[1] * (1 - dt * tauSynInv), gvd * (1 - am)))
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> FloatVector<7> {
        let (_, gvd, gbd, z) = backParts(s, gOut: gOut, gNext: gNext)
        var g = FloatVector<7>()
        g[0] = gNext[1] * (-dt * s[1])
        g[1] = gvd * dt * ((vLeak - s[2]) + s[1])
        g[2] = gbd * dt * (vTh - s[0])
        g[3] = gvd * dt * tauMemInv
        g[4] = gbd * dt * tauAdaptInv
        g[5] = gNext[2] * z
        g[6] = gNext[0] * z
        return g
    }
}
