// Norse (norse.torch.functional) leaky integrate-and-fire family: current-based LIF (`LIFCell`), the boxed
// LIF without synaptic current (`LIFBoxCell`), the leaky integrator readout (`LICell`) and the LIF with an
// absolute refractory period (`LIFRefracCell`). Each step is Norse's explicit Euler update at `dt`, with
// Norse's order of operations and float32 rounding (checked against Norse 1.1.0 traces).

extension Surrogate {
    /// Norse 1.1.0's SuperSpike (`method="super"`, the default of every Norse neuron): forward Heaviside, backward
    /// `1 / (|x| + 1)^2`. Norse 1.1.0's `SuperSpike.backward` no longer multiplies `|x|` by `alpha` (older
    /// releases and Zenke & Ganguli 2018 use `1 / (alpha |x| + 1)^2`), so the `alpha` of `LIFParameters` has no
    /// effect: this is `fast-sigmoid` with slope 1. For the published slope use `Surrogate(.fastSigmoid, alpha:)`.
    public static let norseSuperSpike = Surrogate(.fastSigmoid, alpha: 1)
}

/// Norse's jump condition `z = Θ(x)` with Norse's strict Heaviside (`heaviside(x) = 1 if x > 0 else 0`,
/// norse/torch/functional/heaviside.py), or the surrogate's smooth primitive with `smoothForward`.
@inlinable @inline(__always)
func norseThreshold(_ x: Float, _ surrogate: Surrogate) -> Float {
    if surrogate.smoothForward { return surrogate.primitive(x) }
    return x > 0 ? 1 : 0
}

@inlinable @inline(__always)
func norseVector2(_ a: Float, _ b: Float) -> FloatVector<2> {
    var v = FloatVector<2>()
    v[0] = a; v[1] = b
    return v
}

@inlinable @inline(__always)
func norseVector3(_ a: Float, _ b: Float, _ c: Float) -> FloatVector<3> {
    var v = FloatVector<3>()
    v[0] = a; v[1] = b; v[2] = c
    return v
}

/// Current-based leaky integrate-and-fire neuron, Norse's `LIFCell` (`lif_feed_forward_step`,
/// norse/torch/functional/lif.py, Norse 1.1.0), one explicit Euler step of
///
///     dv/dt = tau_mem_inv (v_leak - v + i),   di/dt = -tau_syn_inv i,   z = Θ(v - v_th),   v <- (1 - z) v + z v_reset
///
/// in Norse's order (input current `x` jumps into `i` first, then both decay):
///
///     j      = i[t-1] + x[t]
///     v~     = v[t-1] + dt tau_mem_inv ((v_leak - v[t-1]) + j)
///     i[t]   = j - dt tau_syn_inv j
///     z[t]   = Θ(v~ - v_th)            (strict: fires when v~ > v_th)
///     v[t]   = (1 - z) v~ + z v_reset  (the gradient flows through the reset, as in Norse's feed-forward step)
///
/// Units as Norse: inverse time constants in 1/s with `dt` in s (any consistent unit works). Defaults
/// (`LIFParameters`): tau_syn_inv 200, tau_mem_inv 100, v_leak 0, v_th 1, v_reset 0, method "super"
/// (`Surrogate.norseSuperSpike`), dt 0.001. Initial state `v = v_leak`, `i = 0` (`LIFCell.initial_state`).
/// State variables `i`, `v`; output the spike `z`.
public struct NorseLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "cuba_lif" }
    /// `i` (synaptic current, index 0) and `v` (membrane, index 1).
    public static var stateNames: [String] { ["i", "v"] }
    public static var isSpiking: Bool { true }

    /// Inverse synaptic time constant `tau_syn_inv` (> 0).
    public var tauSynInv: Float
    /// Inverse membrane time constant `tau_mem_inv` (> 0).
    public var tauMemInv: Float
    /// Leak (resting) potential `v_leak`; also the initial membrane.
    public var vLeak: Float
    /// Threshold `v_th`.
    public var vTh: Float
    /// Reset potential `v_reset`.
    public var vReset: Float
    /// Integration time step `dt` (> 0).
    public var dt: Float
    /// Surrogate gradient of the jump condition (Norse's `method`).
    public var surrogate: Surrogate

    /// A `LIFCell` with Norse's `LIFParameters` defaults unless given (`surrogate` is Norse's `method`).
    public init(tauSynInv: Float = 200, tauMemInv: Float = 100, vLeak: Float = 0, vTh: Float = 1, vReset: Float = 0,
                dt: Float = 0.001, surrogate: Surrogate = .norseSuperSpike) {
        self.tauSynInv = tauSynInv; self.tauMemInv = tauMemInv; self.vLeak = vLeak; self.vTh = vTh; self.vReset = vReset
        self.dt = dt; self.surrogate = surrogate
    }

    /// Norse's `initial_state` of the cell (see the type's documentation).
    public var initialState: FloatVector<2> { norseVector2(0, vLeak) }

    /// `tau_syn_inv`, `tau_mem_inv`, `v_leak`, `v_th`, `v_reset`. All but `v_leak` are learnable (`v_leak` also sets
    /// the initial state, whose dependence the per-step gradient does not carry; Norse detaches it too).
    public static var parameterNames: [String] { ["tau_syn_inv", "tau_mem_inv", "v_leak", "v_th", "v_reset"] }
    public static var learnableParameterNames: [String] { ["tau_syn_inv", "tau_mem_inv", "v_th", "v_reset"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k <= 1 && !(value > 0) ? "> 0" : nil
    }
    /// The numeric parameters in `parameterNames` order (per-neuron values, mismatch, learning).
    public var parameters: FloatVector<5> {
        get { FloatVector([tauSynInv, tauMemInv, vLeak, vTh, vReset]) }
        set { tauSynInv = newValue[0]; tauMemInv = newValue[1]; vLeak = newValue[2]; vTh = newValue[3]; vReset = newValue[4] }
    }

    /// The current after the jump and the membrane before the threshold.
    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<2>) -> (j: Float, vd: Float) {
        let j = s[0] + x
        let dv = dt * tauMemInv * ((vLeak - s[1]) + j)
        return (j, s[1] + dv)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let (j, vd) = integrate(x, s)
        let di = -dt * tauSynInv * j
        let z = norseThreshold(vd - vTh, surrogate)
        return (z, norseVector2(j + di, (1 - z) * vd + z * vReset))
    }

    /// Gradients through the jump, the reset (`gz`) and the decayed membrane (`gvd`).
    @inlinable @inline(__always) func backParts(_ vd: Float, gOut: Float, gNext: FloatVector<2>) -> (gz: Float, gvd: Float, sg: Float) {
        let u = vd - vTh
        let sg = surrogate.derivative(u), z = norseThreshold(u, surrogate)
        let gz = gOut + gNext[1] * (vReset - vd)
        return (gz, gNext[1] * (1 - z) + gz * sg, sg)
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let (_, vd) = integrate(x, s)
        let (_, gvd, _) = backParts(vd, gOut: gOut, gNext: gNext)
        let a = dt * tauMemInv
        let gj = gvd * a + gNext[0] * (1 - dt * tauSynInv)
        return (gj, norseVector2(gj, gvd * (1 - a)))
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<5> {
        let (j, vd) = integrate(x, s)
        let (gz, gvd, sg) = backParts(vd, gOut: gOut, gNext: gNext)
        let z = norseThreshold(vd - vTh, surrogate)
        var g = FloatVector<5>()
        g[0] = gNext[0] * (-dt * j)
        g[1] = gvd * dt * ((vLeak - s[1]) + j)
        g[2] = gvd * dt * tauMemInv
        g[3] = -gz * sg
        g[4] = gNext[1] * z
        return g
    }
}

/// How Norse resets the membrane after a spike (`norse.torch.functional.reset`).
public enum NorseResetMethod: String, Sendable, Equatable, CaseIterable {
    /// `reset_value`: `v = (1 - z) v + z v_reset` (the default).
    case value
    /// `reset_subtract`: `v = (1 - z) v + z (v - v_th)`.
    case subtract
}

/// Leaky integrate-and-fire neuron without synaptic current, Norse's `LIFBoxCell` (`lif_box_feed_forward_step`,
/// norse/torch/functional/lif_box.py): the input is the current itself ("current boxes"). One Euler step:
///
///     v~   = v[t-1] + dt tau_mem_inv ((x[t] + v_leak) - v[t-1])
///     z[t] = Θ(v~ - v_th)                      (strict)
///     v[t] = (1 - z) v~ + z v_reset            (reset "value")   or   (1 - z) v~ + z (v~ - v_th)   ("subtract")
///
/// Defaults (`LIFBoxParameters`): tau_mem_inv 100, v_leak 0, v_th 1, v_reset 0, method "super", reset_method
/// value, dt 0.001. Initial `v = v_leak`. State `v`; output the spike.
public struct NorseLIFBox: NeuronModel, Equatable {
    public typealias State = Membrane
    public static var id: String { "lif_box" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }

    /// Inverse membrane time constant `tau_mem_inv` (> 0).
    public var tauMemInv: Float
    /// Leak potential `v_leak` (also the initial membrane).
    public var vLeak: Float
    /// Threshold `v_th`.
    public var vTh: Float
    /// Reset potential `v_reset` (unused by the subtract reset).
    public var vReset: Float
    /// Reset rule (`reset_method`).
    public var resetMethod: NorseResetMethod
    /// Time step `dt` (> 0).
    public var dt: Float
    /// Surrogate gradient (Norse's `method`).
    public var surrogate: Surrogate

    /// A `LIFBoxCell` with Norse's `LIFBoxParameters` defaults unless given.
    public init(tauMemInv: Float = 100, vLeak: Float = 0, vTh: Float = 1, vReset: Float = 0, resetMethod: NorseResetMethod = .value,
                dt: Float = 0.001, surrogate: Surrogate = .norseSuperSpike) {
        self.tauMemInv = tauMemInv; self.vLeak = vLeak; self.vTh = vTh; self.vReset = vReset; self.resetMethod = resetMethod
        self.dt = dt; self.surrogate = surrogate
    }

    /// Norse's `initial_state` of the cell (see the type's documentation).
    public var initialState: Membrane { Membrane(v: vLeak) }

    /// `tau_mem_inv`, `v_leak`, `v_th`, `v_reset`; learnable all but `v_leak` (it sets the initial state).
    public static var parameterNames: [String] { ["tau_mem_inv", "v_leak", "v_th", "v_reset"] }
    public static var learnableParameterNames: [String] { ["tau_mem_inv", "v_th", "v_reset"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k == 0 && !(value > 0) ? "> 0" : nil
    }
    /// The numeric parameters in `parameterNames` order (per-neuron values, mismatch, learning).
    public var parameters: FloatVector<4> {
        get { FloatVector([tauMemInv, vLeak, vTh, vReset]) }
        set { tauMemInv = newValue[0]; vLeak = newValue[1]; vTh = newValue[2]; vReset = newValue[3] }
    }

    @inlinable @inline(__always) func integrate(_ x: Float, _ v: Float) -> Float {
        v + dt * tauMemInv * ((x + vLeak) - v)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let vd = integrate(x, s.v)
        let z = norseThreshold(vd - vTh, surrogate)
        switch resetMethod {
        case .value: return (z, Membrane(v: (1 - z) * vd + z * vReset))
        case .subtract: return (z, Membrane(v: (1 - z) * vd + z * (vd - vTh)))
        }
    }

    /// `(gz, gvd, sg, z)`: gradient of the spike (output and reset), of the decayed membrane, the surrogate slope.
    @inlinable @inline(__always) func backParts(_ vd: Float, gOut: Float, gV: Float) -> (gz: Float, gvd: Float, sg: Float, z: Float) {
        let u = vd - vTh
        let sg = surrogate.derivative(u), z = norseThreshold(u, surrogate)
        switch resetMethod {
        case .value:
            let gz = gOut + gV * (vReset - vd)
            return (gz, gV * (1 - z) + gz * sg, sg, z)
        case .subtract:
            let gz = gOut - gV * vTh
            return (gz, gV + gz * sg, sg, z)
        }
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let (_, gvd, _, _) = backParts(integrate(x, s.v), gOut: gOut, gV: gNext.v)
        let a = dt * tauMemInv
        return (gvd * a, Membrane(v: gvd * (1 - a)))
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<4> {
        let vd = integrate(x, s.v)
        let (gz, gvd, sg, z) = backParts(vd, gOut: gOut, gV: gNext.v)
        var g = FloatVector<4>()
        g[0] = gvd * dt * ((x + vLeak) - s.v)
        g[1] = gvd * dt * tauMemInv
        switch resetMethod {
        case .value:
            g[2] = -gz * sg
            g[3] = gNext.v * z
        case .subtract:
            g[2] = -gz * sg - gNext.v * z
        }
        return g
    }
}

/// Leaky integrator with synaptic current, no spikes: Norse's `LICell` (`li_feed_forward_step`,
/// norse/torch/functional/leaky_integrator.py, the version with the current jump first as in Norse 1.1.0):
///
///     j    = i[t-1] + x[t]
///     v[t] = v[t-1] + dt tau_mem_inv ((v_leak - v[t-1]) + j)
///     i[t] = j - dt tau_syn_inv j
///
/// The output is `v[t]`. For a constant input x the fixed point is `v = v_leak + x / (dt tau_syn_inv)`.
/// Defaults (`LIParameters`): tau_syn_inv 200, tau_mem_inv 100, v_leak 0, dt 0.001. Initial `v = v_leak`, `i = 0`.
/// (Id "li"; the discrete SpikingJelly-style integrator is "li_discrete".)
public struct NorseLI: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "li" }
    /// `i` (index 0) and `v` (index 1).
    public static var stateNames: [String] { ["i", "v"] }
    public static var isSpiking: Bool { false }

    /// Inverse synaptic time constant `tau_syn_inv` (> 0).
    public var tauSynInv: Float
    /// Inverse membrane time constant `tau_mem_inv` (> 0).
    public var tauMemInv: Float
    /// Leak potential `v_leak` (also the initial membrane).
    public var vLeak: Float
    /// Time step `dt` (> 0).
    public var dt: Float

    /// An `LICell` with Norse's `LIParameters` defaults unless given.
    public init(tauSynInv: Float = 200, tauMemInv: Float = 100, vLeak: Float = 0, dt: Float = 0.001) {
        self.tauSynInv = tauSynInv; self.tauMemInv = tauMemInv; self.vLeak = vLeak; self.dt = dt
    }

    /// Norse's `initial_state` of the cell (see the type's documentation).
    public var initialState: FloatVector<2> { norseVector2(0, vLeak) }

    /// `tau_syn_inv`, `tau_mem_inv` (learnable) and `v_leak`.
    public static var parameterNames: [String] { ["tau_syn_inv", "tau_mem_inv", "v_leak"] }
    public static var learnableParameterNames: [String] { ["tau_syn_inv", "tau_mem_inv"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k <= 1 && !(value > 0) ? "> 0" : nil
    }
    /// The numeric parameters in `parameterNames` order (per-neuron values, mismatch, learning).
    public var parameters: FloatVector<3> {
        get { FloatVector([tauSynInv, tauMemInv, vLeak]) }
        set { tauSynInv = newValue[0]; tauMemInv = newValue[1]; vLeak = newValue[2] }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let j = s[0] + x
        let v = s[1] + dt * tauMemInv * ((vLeak - s[1]) + j)
        let di = -dt * tauSynInv * j
        return (v, norseVector2(j + di, v))
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let gv = gOut + gNext[1], a = dt * tauMemInv
        let gj = gv * a + gNext[0] * (1 - dt * tauSynInv)
        return (gj, norseVector2(gj, gv * (1 - a)))
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<3> {
        let gv = gOut + gNext[1], j = s[0] + x
        var g = FloatVector<3>()
        g[0] = gNext[0] * (-dt * j)
        g[1] = gv * dt * ((vLeak - s[1]) + j)
        g[2] = gv * dt * tauMemInv
        return g
    }
}

/// LIF with an absolute refractory period, Norse's `LIFRefracCell` (`lif_refrac_feed_forward_step` and
/// `compute_refractory_update`, norse/torch/functional/lif_refrac.py): a `NorseLIF` step, then
///
///     m      = Θ(rho[t-1])                        (refractory mask, same surrogate as the spike)
///     v[t]   = (1 - m) v_lif + m v[t-1]           (the membrane is held while refractory)
///     z[t]   = (1 - m) z_lif
///     rho[t] = (1 - z) relu(rho[t-1] - m) + z rho_reset
///
/// so after a spike the neuron is silent for `rho_reset` steps (the counter runs rho_reset, ..., 1) while its
/// current keeps integrating. The gradient flows through the mask and the counter as in Norse's autograd.
/// Defaults (`LIFRefracParameters`): the `LIFParameters` defaults and rho_reset 5. Initial `rho = 0`.
/// State `i`, `rho`, `v`; output the spike.
public struct NorseLIFRefrac: NeuronModel, Equatable {
    public typealias State = FloatVector<3>
    public static var id: String { "lif_refrac" }
    /// `i` (index 0), `rho` (refractory counter, index 1), `v` (index 2).
    public static var stateNames: [String] { ["i", "rho", "v"] }
    public static var isSpiking: Bool { true }

    /// The LIF integration (`p.lif`).
    public var lif: NorseLIF
    /// Refractory steps after a spike, `rho_reset` (>= 0).
    public var rhoReset: Float

    /// A `LIFRefracCell`: the LIF integration and the refractory steps `rho_reset`.
    public init(lif: NorseLIF = NorseLIF(), rhoReset: Float = 5) {
        self.lif = lif; self.rhoReset = rhoReset
    }

    /// Norse's `initial_state` of the cell (see the type's documentation).
    public var initialState: FloatVector<3> { norseVector3(0, 0, lif.vLeak) }

    /// The `NorseLIF` parameters and `rho_reset`; learnable as `NorseLIF` (`rho_reset` counts steps).
    public static var parameterNames: [String] { NorseLIF.parameterNames + ["rho_reset"] }
    public static var learnableParameterNames: [String] { NorseLIF.learnableParameterNames }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        if k < 5 { return NorseLIF.parameterDomainError(k, value) }
        guard value.isFinite else { return "finite" }
        return value >= 0 ? nil : ">= 0"
    }
    /// The numeric parameters in `parameterNames` order (per-neuron values, mismatch, learning).
    public var parameters: FloatVector<6> {
        get { let p = lif.parameters; return FloatVector([p[0], p[1], p[2], p[3], p[4], rhoReset]) }
        set {
            var p = FloatVector<5>()
            for k in 0..<5 { p[k] = newValue[k] }
            lif.parameters = p; rhoReset = newValue[5]
        }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let (zl, nl) = lif.step(x, norseVector2(s[0], s[2]))
        let m = norseThreshold(s[1], lif.surrogate)
        let v = (1 - m) * nl[1] + m * s[2]
        let z = (1 - m) * zl
        let rho = (1 - z) * max(0, s[1] - m) + z * rhoReset
        return (z, norseVector3(nl[0], rho, v))
    }

    /// The gradients handed to the LIF step (`gOut`, `gNext`) and the direct ones of `rho[t-1]` and `v[t-1]`.
    @inlinable @inline(__always) func backParts(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>)
        -> (gzl: Float, gl: FloatVector<2>, grho: Float, gv: Float, z: Float) {
        let (zl, nl) = lif.step(x, norseVector2(s[0], s[2]))
        let m = norseThreshold(s[1], lif.surrogate), dm = lif.surrogate.derivative(s[1])
        let z = (1 - m) * zl
        let r = s[1] - m, relu = max(0, r), dr: Float = r > 0 ? 1 : 0
        let gRho = gNext[1], gV = gNext[2]
        let gz = gOut + gRho * (rhoReset - relu)
        let gRelu = gRho * (1 - z)
        var gm = -gRelu * dr
        gm += gV * (s[2] - nl[1])
        gm -= gz * zl
        return (gz * (1 - m), norseVector2(gNext[0], gV * (1 - m)), gRelu * dr + gm * dm, gV * m, z)
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let b = backParts(x, s, gOut: gOut, gNext: gNext)
        let (gx, gl) = lif.stepVJP(x, norseVector2(s[0], s[2]), gOut: b.gzl, gNext: b.gl)
        return (gx, norseVector3(gl[0], b.grho, gl[1] + b.gv))
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> FloatVector<6> {
        let b = backParts(x, s, gOut: gOut, gNext: gNext)
        let gp = lif.parameterVJP(x, norseVector2(s[0], s[2]), gOut: b.gzl, gNext: b.gl)
        var g = FloatVector<6>()
        for k in 0..<5 { g[k] = gp[k] }
        g[5] = gNext[1] * b.z
        return g
    }
}
