import Foundation

// SPAIC's own simple models (spaic/Neuron/Neuron.py, release 0.6.3), as its Torch backend executes them.
//
// SPAIC writes each model as a list of operations. An operation that reads a stored variable (`V`, `O`, `Isyn`,
// `M`, ...) without the `[updated]` tag reads its value from the previous step; temporaries (`Vtemp`, ...) are of
// this step. Where SPAIC's code reads `Isyn` or `O` untagged, the previous step's value is therefore used, and the
// models below keep it in their state (a one-step delay). `x` is the group's `Isyn` of this step. Tau-type
// constants are converted as SPAIC's `NeuronGroup.build` does: a `_tau_variables` entry becomes
// `exp(-dt / tau)`, a `_membrane_variables` entry `dt / tau`. The spike is SPAIC's `threshold` operator,
// `V > v_th` (strict), with the STCA surrogate for the gradient by default; SPAIC's `reset` operator
// (`o.eq(0) * v`) has no gradient through the spike, while a reset written as `V - V * O` has one.
// Reference traces: Tests/SpikeNeuronsTests/Fixtures/spaic_* (make_spaic_fixtures.py, SPAIC's Torch backend).

/// SPAIC `LIFModel` ("lif"): `V~ = exp(-dt/tau_m) V + x`; `O = V~ > v_th`; `V = V~` if no spike else 0 (SPAIC's
/// `reset` operator: no gradient through the spike, and `v_reset` is accepted but not used by SPAIC's code).
/// Defaults tau_m 8 ms (SPAIC's code), v_th 1, dt 0.1 ms. State `v` (initial 0).
public struct SPAICLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<1>
    public static var id: String { "spaic.lif" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }
    /// Membrane time constant `tau_m` (ms, > 0).
    public var tauM: Float
    /// Threshold `v_th`.
    public var threshold: Float
    /// `v_reset`: stored as SPAIC does; SPAIC's update resets to 0 whatever its value.
    public var vReset: Float
    /// Time step `dt` (ms, > 0).
    public var dt: Float
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    public init(tauM: Float = 8, threshold: Float = 1, vReset: Float = 0, dt: Float = 0.1, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.tauM = tauM; self.threshold = threshold; self.vReset = vReset; self.dt = dt; self.surrogate = surrogate
    }
    public var initialState: FloatVector<1> { FloatVector<1>() }
    /// tau_m, v_th, v_reset, dt.
    public static var parameterNames: [String] { ["tau_m", "v_th", "v_reset", "dt"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return (k == 0 || k == 3) && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<4> {
        get { FloatVector([tauM, threshold, vReset, dt]) }
        set { tauM = newValue[0]; threshold = newValue[1]; vReset = newValue[2]; dt = newValue[3] }
    }
    @inlinable var decay: Float { Foundation.exp(-dt / tauM) }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<1>) -> (out: Float, next: FloatVector<1>) {
        let vt = decay * s[0] + x
        var n = FloatVector<1>()
        n[0] = vt > threshold ? 0 : vt
        return (spaicSpike(vt - threshold, surrogate), n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<1>, gOut: Float, gNext: FloatVector<1>) -> (gx: Float, gPrev: FloatVector<1>) {
        let k = decay, vt = k * s[0] + x
        let g = (vt > threshold ? 0 : gNext[0]) + gOut * surrogate.derivative(vt - threshold)
        var p = FloatVector<1>(); p[0] = g * k
        return (g, p)
    }
}

/// SPAIC `IFModel` ("if"): `V~ = V + x - ConstantDecay`; `O = V~ > v_th`; `V = V~` if no spike else 0 (SPAIC's
/// `reset` operator, no gradient through the spike). Defaults v_th 1, ConstantDecay 0. State `v` (initial 0).
public struct SPAICIF: NeuronModel, Equatable {
    public typealias State = FloatVector<1>
    public static var id: String { "spaic.if" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }
    /// Threshold `v_th`.
    public var threshold: Float
    /// Constant subtracted each step, `ConstantDecay`.
    public var constantDecay: Float
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    public init(threshold: Float = 1, constantDecay: Float = 0, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.threshold = threshold; self.constantDecay = constantDecay; self.surrogate = surrogate
    }
    public var initialState: FloatVector<1> { FloatVector<1>() }
    /// v_th, ConstantDecay.
    public static var parameterNames: [String] { ["v_th", "ConstantDecay"] }
    public var parameters: FloatVector<2> {
        get { FloatVector([threshold, constantDecay]) }
        set { threshold = newValue[0]; constantDecay = newValue[1] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<1>) -> (out: Float, next: FloatVector<1>) {
        let vt = s[0] + x - constantDecay
        var n = FloatVector<1>()
        n[0] = vt > threshold ? 0 : vt
        return (spaicSpike(vt - threshold, surrogate), n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<1>, gOut: Float, gNext: FloatVector<1>) -> (gx: Float, gPrev: FloatVector<1>) {
        let vt = s[0] + x - constantDecay
        let g = (vt > threshold ? 0 : gNext[0]) + gOut * surrogate.derivative(vt - threshold)
        var p = FloatVector<1>(); p[0] = g
        return (g, p)
    }
}

/// `V = V~ - V~ O` with its gradient through O (SPAIC's `var_mult` then `minus`): the forward values are those of
/// a reset to 0 (SPAIC's "soft reset" IF and IFB models reset to 0 in their code, not by subtracting v_th).
@inlinable @inline(__always)
func spaicMultReset(_ vt: Float, _ o: Float, _ sg: Float, gOut: Float, gV: Float) -> Float {
    gV * (1 - o) + (gOut - gV * vt) * sg
}

/// SPAIC `IFSoftModel` ("ifsoftreset"): `V~ = V + x - ConstantDecay`; `O = V~ > v_th`; `V = V~ - V~ O`. SPAIC's
/// docstring calls it a soft reset, but its code multiplies by V~ (not v_th): a spike sets V to 0, as `if`, and the
/// only difference from `spaic.if` is the gradient through the reset. We follow the code. Defaults v_th 1,
/// ConstantDecay 0.
public struct SPAICIFSoft: NeuronModel, Equatable {
    public typealias State = FloatVector<1>
    public static var id: String { "spaic.ifsoftreset" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }
    public var threshold: Float
    public var constantDecay: Float
    public var surrogate: Surrogate
    public init(threshold: Float = 1, constantDecay: Float = 0, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.threshold = threshold; self.constantDecay = constantDecay; self.surrogate = surrogate
    }
    public var initialState: FloatVector<1> { FloatVector<1>() }
    /// v_th, ConstantDecay.
    public static var parameterNames: [String] { ["v_th", "ConstantDecay"] }
    public var parameters: FloatVector<2> {
        get { FloatVector([threshold, constantDecay]) }
        set { threshold = newValue[0]; constantDecay = newValue[1] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<1>) -> (out: Float, next: FloatVector<1>) {
        let vt = s[0] + x - constantDecay, o = spaicSpike(vt - threshold, surrogate)
        var n = FloatVector<1>(); n[0] = vt - vt * o
        return (o, n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<1>, gOut: Float, gNext: FloatVector<1>) -> (gx: Float, gPrev: FloatVector<1>) {
        let vt = s[0] + x - constantDecay, o = spaicSpike(vt - threshold, surrogate)
        let g = spaicMultReset(vt, o, surrogate.derivative(vt - threshold), gOut: gOut, gV: gNext[0])
        var p = FloatVector<1>(); p[0] = g
        return (g, p)
    }
}

/// SPAIC `IFBModel` ("ifb"): `V~ = V + (x + bias)`; `O = V~ > v_th`; `V = V~ - V~ O` (a reset to 0, with gradient
/// through O; the docstring's ConstantDecay is not in the code). Defaults v_th 1, bias 0.
public struct SPAICIFB: NeuronModel, Equatable {
    public typealias State = FloatVector<1>
    public static var id: String { "spaic.ifb" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }
    public var threshold: Float
    /// Constant input `bias` added each step.
    public var bias: Float
    public var surrogate: Surrogate
    public init(threshold: Float = 1, bias: Float = 0, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.threshold = threshold; self.bias = bias; self.surrogate = surrogate
    }
    public var initialState: FloatVector<1> { FloatVector<1>() }
    /// v_th, bias.
    public static var parameterNames: [String] { ["v_th", "bias"] }
    public var parameters: FloatVector<2> {
        get { FloatVector([threshold, bias]) }
        set { threshold = newValue[0]; bias = newValue[1] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<1>) -> (out: Float, next: FloatVector<1>) {
        let vt = s[0] + (x + bias), o = spaicSpike(vt - threshold, surrogate)
        var n = FloatVector<1>(); n[0] = vt - vt * o
        return (o, n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<1>, gOut: Float, gNext: FloatVector<1>) -> (gx: Float, gPrev: FloatVector<1>) {
        let vt = s[0] + (x + bias), o = spaicSpike(vt - threshold, surrogate)
        let g = spaicMultReset(vt, o, surrogate.derivative(vt - threshold), gOut: gOut, gV: gNext[0])
        var p = FloatVector<1>(); p[0] = g
        return (g, p)
    }
}

/// SPAIC `NonSpikingIFBModel` ("nonspikingifb"): `V = V + (x + bias)`, output V (no spikes). Default bias 0.
public struct SPAICNonSpikingIFB: NeuronModel, Equatable {
    public typealias State = FloatVector<1>
    public static var id: String { "spaic.nonspikingifb" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { false }
    public var bias: Float
    public init(bias: Float = 0) { self.bias = bias }
    public var initialState: FloatVector<1> { FloatVector<1>() }
    /// bias.
    public static var parameterNames: [String] { ["bias"] }
    public var parameters: FloatVector<1> {
        get { FloatVector([bias]) }
        set { bias = newValue[0] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<1>) -> (out: Float, next: FloatVector<1>) {
        var n = FloatVector<1>(); n[0] = s[0] + (x + bias)
        return (n[0], n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<1>, gOut: Float, gNext: FloatVector<1>) -> (gx: Float, gPrev: FloatVector<1>) {
        let g = gOut + gNext[0]
        var p = FloatVector<1>(); p[0] = g
        return (g, p)
    }
}

/// SPAIC `NullModel` ("null"): `O = x` (the input passed through; the state `v` holds the last output O).
public struct SPAICNull: NeuronModel, Equatable {
    public typealias State = FloatVector<1>
    public static var id: String { "spaic.null" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { false }
    public init() {}
    public var initialState: FloatVector<1> { FloatVector<1>() }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<1>) -> (out: Float, next: FloatVector<1>) {
        var n = FloatVector<1>(); n[0] = x
        return (x, n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<1>, gOut: Float, gNext: FloatVector<1>) -> (gx: Float, gPrev: FloatVector<1>) {
        (gOut + gNext[0], FloatVector<1>())
    }
}

/// SPAIC `ConstantCurrentLIFModel` ("constantcurrentlif"), as its code runs:
///
///     V~[t] = V[t-1] + (dt/tau_m) (Isyn[t-1] - V[t-1])     (untagged Isyn: the previous step's input)
///     O[t]  = V~[t] > v_th
///     V[t]  = V~[t] - V~[t] O[t-1]                          (untagged O: the reset comes one step after the spike)
///
/// The docstring's `Ureset` is not in the code. Defaults tau_m 20 ms, v_th 1, dt 0.1 ms (`v_reset` accepted, not
/// used). State `v`, `isyn` (the previous input), `o` (the previous spike).
public struct SPAICConstantCurrentLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<3>
    public static var id: String { "spaic.constantcurrentlif" }
    public static var stateNames: [String] { ["v", "isyn", "o"] }
    public static var isSpiking: Bool { true }
    public var tauM: Float
    public var threshold: Float
    public var vReset: Float
    public var dt: Float
    public var surrogate: Surrogate
    public init(tauM: Float = 20, threshold: Float = 1, vReset: Float = 0, dt: Float = 0.1, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.tauM = tauM; self.threshold = threshold; self.vReset = vReset; self.dt = dt; self.surrogate = surrogate
    }
    public var initialState: FloatVector<3> { FloatVector<3>() }
    /// tau_m, v_th, v_reset, dt.
    public static var parameterNames: [String] { ["tau_m", "v_th", "v_reset", "dt"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return (k == 0 || k == 3) && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<4> {
        get { FloatVector([tauM, threshold, vReset, dt]) }
        set { tauM = newValue[0]; threshold = newValue[1]; vReset = newValue[2]; dt = newValue[3] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let k = dt / tauM
        let vt = k * (s[1] - s[0]) + s[0]
        let o = spaicSpike(vt - threshold, surrogate)
        var n = FloatVector<3>()
        n[0] = vt - vt * s[2]; n[1] = x; n[2] = o
        return (o, n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let k = dt / tauM
        let vt = k * (s[1] - s[0]) + s[0]
        let g = gNext[0] * (1 - s[2]) + (gOut + gNext[2]) * surrogate.derivative(vt - threshold)
        var p = FloatVector<3>()
        p[0] = g * (1 - k); p[1] = g * k; p[2] = -gNext[0] * vt
        return (gNext[1], p)
    }
}

/// SPAIC `IZHModel` ("izh"), as its code runs (no dt in the u update, unlike Norse's `izhikevich2003`):
///
///     V~ = V + dt (V (C1 V + C2) + C3 - U + x)
///     U~ = U + a (b V - U)
///     O  = V~ > v_th;   V = V~ + O (Vreset - V~);   U = U~ + d O
///
/// C1 0.04, C2 5, C3 140 (fixed in SPAIC); defaults a 0.02, b 0.2, v_th 30, Vreset -65, d 8, dt 0.1 ms; the
/// initial state V = -65, U = 1 (SPAIC's). The reset and the jump carry the surrogate gradient.
public struct SPAICIZH: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.izh" }
    public static var stateNames: [String] { ["v", "u"] }
    public static var isSpiking: Bool { true }
    public var a: Float, b: Float, threshold: Float, vReset: Float, d: Float, dt: Float
    public var surrogate: Surrogate
    public static let c1: Float = 0.04, c2: Float = 5, c3: Float = 140
    public init(a: Float = 0.02, b: Float = 0.2, threshold: Float = 30, vReset: Float = -65, d: Float = 8, dt: Float = 0.1,
                surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.a = a; self.b = b; self.threshold = threshold; self.vReset = vReset; self.d = d; self.dt = dt; self.surrogate = surrogate
    }
    public var initialState: FloatVector<2> { FloatVector([-65, 1]) }
    /// a, b, v_th, Vreset, d, dt.
    public static var parameterNames: [String] { ["a", "b", "v_th", "Vreset", "d", "dt"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k == 5 && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<6> {
        get { FloatVector([a, b, threshold, vReset, d, dt]) }
        set { a = newValue[0]; b = newValue[1]; threshold = newValue[2]; vReset = newValue[3]; d = newValue[4]; dt = newValue[5] }
    }
    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<2>) -> (vt: Float, ut: Float) {
        let v = s[0], u = s[1]
        let t1 = SPAICIZH.c1 * v + SPAICIZH.c2
        let t2 = t1 * v + SPAICIZH.c3
        return (dt * (t2 - u + x) + v, a * (b * v - u) + u)
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let (vt, ut) = integrate(x, s)
        let o = spaicSpike(vt - threshold, surrogate)
        var n = FloatVector<2>()
        n[0] = o * (vReset - vt) + vt; n[1] = d * o + ut
        return (o, n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let (vt, _) = integrate(x, s)
        let o = spaicSpike(vt - threshold, surrogate), sg = surrogate.derivative(vt - threshold)
        let gO = gOut + gNext[0] * (vReset - vt) + gNext[1] * d
        let gvt = gNext[0] * (1 - o) + gO * sg, gut = gNext[1]
        var p = FloatVector<2>()
        p[0] = gvt * (1 + dt * (2 * SPAICIZH.c1 * s[0] + SPAICIZH.c2)) + gut * a * b
        p[1] = -gvt * dt + gut * (1 - a)
        return (gvt * dt, p)
    }
}

/// SPAIC `MeanFieldModel` ("meanfield"), a rate model, as its code runs:
///
///     U[t] = U[t-1] + (dt/tau) (rho Isyn[t-1] + Iext - U[t-1]);   O = relu(U[t])
///
/// The docstring writes `rho (Iext + Isyn)`; the code (`var_linear(rho, Isyn, Iext)`) scales only Isyn, and reads
/// the previous step's Isyn (untagged). We follow the code. Defaults rho 0.1, tau 1 ms, Iext 0, dt 0.1 ms. Output
/// O (a rate, not a spike). State `v` (SPAIC's U), `isyn` (the previous input).
public struct SPAICMeanField: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.meanfield" }
    public static var stateNames: [String] { ["v", "isyn"] }
    public static var isSpiking: Bool { false }
    public var rho: Float, tau: Float, iExt: Float, dt: Float
    public init(rho: Float = 0.1, tau: Float = 1, iExt: Float = 0, dt: Float = 0.1) {
        self.rho = rho; self.tau = tau; self.iExt = iExt; self.dt = dt
    }
    public var initialState: FloatVector<2> { FloatVector<2>() }
    /// rho, tau, Iext, dt.
    public static var parameterNames: [String] { ["rho", "tau", "Iext", "dt"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return (k == 1 || k == 3) && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<4> {
        get { FloatVector([rho, tau, iExt, dt]) }
        set { rho = newValue[0]; tau = newValue[1]; iExt = newValue[2]; dt = newValue[3] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let k = dt / tau
        let u = k * ((rho * s[1] + iExt) - s[0]) + s[0]
        var n = FloatVector<2>(); n[0] = u; n[1] = x
        return (Swift.max(u, 0), n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let k = dt / tau
        let u = k * ((rho * s[1] + iExt) - s[0]) + s[0]
        let gu = gNext[0] + (u > 0 ? gOut : 0)
        var p = FloatVector<2>(); p[0] = gu * (1 - k); p[1] = gu * k * rho
        return (gNext[1], p)
    }
}

/// SPAIC `SimpleRateModel`, a rate model: `U[t] = U[t-1] + (dt/tau) (sigmoid(WgtSum[t-1] + Iext) - U[t-1])`,
/// output U. SPAIC 0.6.3 cannot build it (its `__init__` calls `super(MeanFieldModel, self)` from a class that
/// does not derive from MeanFieldModel, and it is not registered), so this follows its operations with SPAIC's
/// untagged-read rule (the previous step's input). Defaults tau 1 ms, Iext 0, dt 0.1 ms. State `v` (SPAIC's U), `isyn`.
public struct SPAICSimpleRate: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.simplerate" }
    public static var stateNames: [String] { ["v", "isyn"] }
    public static var isSpiking: Bool { false }
    public var tau: Float, iExt: Float, dt: Float
    public init(tau: Float = 1, iExt: Float = 0, dt: Float = 0.1) { self.tau = tau; self.iExt = iExt; self.dt = dt }
    public var initialState: FloatVector<2> { FloatVector<2>() }
    /// tau, Iext, dt.
    public static var parameterNames: [String] { ["tau", "Iext", "dt"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return (k == 0 || k == 2) && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<3> {
        get { FloatVector([tau, iExt, dt]) }
        set { tau = newValue[0]; iExt = newValue[1]; dt = newValue[2] }
    }
    @inlinable @inline(__always) func f(_ z: Float) -> Float { 1 / (1 + Foundation.exp(-z)) }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let k = dt / tau
        let u = k * (f(s[1] + iExt) - s[0]) + s[0]
        var n = FloatVector<2>(); n[0] = u; n[1] = x
        return (u, n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let k = dt / tau, y = f(s[1] + iExt)
        let gu = gNext[0] + gOut
        var p = FloatVector<2>(); p[0] = gu * (1 - k); p[1] = gu * k * y * (1 - y)
        return (gNext[1], p)
    }
}

/// SPAIC `NonSpikingLIFModel` ("nonspikinglif"), as its code runs (untagged reads are the previous step's):
///
///     I[t] = V0 Isyn[t-1];   M[t] = kp M[t-1] + I[t-1];   S[t] = kq S[t-1] + I[t-1]
///     V[t] = V[t-1] + (dt/tau_m) (M[t-1] - S[t-1] - V[t-1])                 output V
///
/// with kp = exp(-dt/tau_p), kq = exp(-dt/tau_q), beta = tau_p/tau_q, V0 = beta^(beta/(beta-1))/(beta-1).
/// Defaults tau_p 4, tau_q 1, tau_m 1 ms (SPAIC's), dt 0.1 ms. State `v`, `m`, `s`, `i`, `isyn`.
public struct SPAICNonSpikingLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<5>
    public static var id: String { "spaic.nonspikinglif" }
    public static var stateNames: [String] { ["v", "m", "s", "i", "isyn"] }
    public static var isSpiking: Bool { false }
    public var tauP: Float, tauQ: Float, tauM: Float, dt: Float
    public init(tauP: Float = 4, tauQ: Float = 1, tauM: Float = 1, dt: Float = 0.1) {
        self.tauP = tauP; self.tauQ = tauQ; self.tauM = tauM; self.dt = dt
    }
    public var initialState: FloatVector<5> { FloatVector<5>() }
    /// tau_p, tau_q, tau_m, dt.
    public static var parameterNames: [String] { ["tau_p", "tau_q", "tau_m", "dt"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return value > 0 ? nil : "> 0"
    }
    public var parameters: FloatVector<4> {
        get { FloatVector([tauP, tauQ, tauM, dt]) }
        set { tauP = newValue[0]; tauQ = newValue[1]; tauM = newValue[2]; dt = newValue[3] }
    }
    /// SPAIC's normalisation V0 (computed in double as SPAIC's numpy does).
    @inlinable public var v0: Float {
        let beta = Double(tauP) / Double(tauQ)
        return Float((1 / (beta - 1)) * Foundation.pow(beta, beta / (beta - 1)))
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<5>) -> (out: Float, next: FloatVector<5>) {
        let kp = Foundation.exp(-dt / tauP), kq = Foundation.exp(-dt / tauQ), km = dt / tauM
        var n = FloatVector<5>()
        n[3] = v0 * s[4]
        n[1] = kp * s[1] + s[3]
        n[2] = kq * s[2] + s[3]
        n[0] = km * ((s[1] - s[2]) - s[0]) + s[0]
        n[4] = x
        return (n[0], n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<5>, gOut: Float, gNext: FloatVector<5>) -> (gx: Float, gPrev: FloatVector<5>) {
        let kp = Foundation.exp(-dt / tauP), kq = Foundation.exp(-dt / tauQ), km = dt / tauM
        let gv = gNext[0] + gOut
        var p = FloatVector<5>()
        p[0] = gv * (1 - km)
        p[1] = gv * km + gNext[1] * kp
        p[2] = -gv * km + gNext[2] * kq
        p[3] = gNext[1] + gNext[2]
        p[4] = gNext[3] * v0
        return (gNext[4], p)
    }
}

/// SPAIC `LIFMModel` ("lifm"), as its code runs:
///
///     I[t] = exp(-dt/tau_p) I[t-1] + x;   V~ = exp(-dt/tau_m) V[t-1] + I[t];   O = V~ > v_th;   V = V~ - V~ O
///
/// The docstring's spike-dependent decay `F = tauM exp(-O/tauM)`, bias b and I_ele are not in the code; we follow
/// the code. Defaults tau_m 10, tau_p 1 ms, v_th 1, dt 0.1 ms. State `v`, `i`.
public struct SPAICLIFM: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.lifm" }
    public static var stateNames: [String] { ["v", "i"] }
    public static var isSpiking: Bool { true }
    public var tauM: Float, tauP: Float, threshold: Float, dt: Float
    public var surrogate: Surrogate
    public init(tauM: Float = 10, tauP: Float = 1, threshold: Float = 1, dt: Float = 0.1, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.tauM = tauM; self.tauP = tauP; self.threshold = threshold; self.dt = dt; self.surrogate = surrogate
    }
    public var initialState: FloatVector<2> { FloatVector<2>() }
    /// tau_m, tau_p, v_th, dt.
    public static var parameterNames: [String] { ["tau_m", "tau_p", "v_th", "dt"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k != 2 && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<4> {
        get { FloatVector([tauM, tauP, threshold, dt]) }
        set { tauM = newValue[0]; tauP = newValue[1]; threshold = newValue[2]; dt = newValue[3] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let i = Foundation.exp(-dt / tauP) * s[1] + x
        let vt = s[0] * Foundation.exp(-dt / tauM) + i
        let o = spaicSpike(vt - threshold, surrogate)
        var n = FloatVector<2>(); n[0] = vt - vt * o; n[1] = i
        return (o, n)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let kp = Foundation.exp(-dt / tauP), km = Foundation.exp(-dt / tauM)
        let i = kp * s[1] + x, vt = s[0] * km + i
        let o = spaicSpike(vt - threshold, surrogate)
        let gvt = spaicMultReset(vt, o, surrogate.derivative(vt - threshold), gOut: gOut, gV: gNext[0])
        let gi = gvt + gNext[1]
        var p = FloatVector<2>(); p[0] = gvt * km; p[1] = gi * kp
        return (gi, p)
    }
}

/// SPAIC `LIFSTDPIHModel` ("lifstdp_ih"), the inhibitory LIF of Diehl & Cook's network (no threshold adaptation):
///
///     V~ = decay_v (V - v_rest) + v_rest + x;   O = V~ > v_th;   V = v_reset O + (V~ - V~ O)
///
/// SPAIC's defaults: v_th -40, v_reset -45, v_rest -60 mV, decay_v exp(-1/10), initial V -60 mV (SPAIC's fixed
/// value). Gradients through the reset (SPAIC's ops are products with O). State `v`.
public struct SPAICLIFSTDPIH: NeuronModel, Equatable {
    public typealias State = FloatVector<1>
    public static var id: String { "spaic.lifstdp_ih" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }
    public var threshold: Float, vReset: Float, vRest: Float, decayV: Float
    public var surrogate: Surrogate
    public init(threshold: Float = -40, vReset: Float = -45, vRest: Float = -60, decayV: Float = Float(Foundation.exp(-1.0 / 10)),
                surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.threshold = threshold; self.vReset = vReset; self.vRest = vRest; self.decayV = decayV; self.surrogate = surrogate
    }
    /// SPAIC's fixed initial V, -60 mV.
    public var initialState: FloatVector<1> { FloatVector([-60]) }
    /// v_th, v_reset, v_rest, decay_v.
    public static var parameterNames: [String] { ["v_th", "v_reset", "v_rest", "decay_v"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k == 3 && !(value >= 0 && value <= 1) ? "in [0, 1]" : nil
    }
    public var parameters: FloatVector<4> {
        get { FloatVector([threshold, vReset, vRest, decayV]) }
        set { threshold = newValue[0]; vReset = newValue[1]; vRest = newValue[2]; decayV = newValue[3] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<1>) -> (out: Float, next: FloatVector<1>) {
        let vt = (decayV * (s[0] - vRest) + vRest) + x
        let o = spaicSpike(vt - threshold, surrogate)
        return (o, FloatVector([vReset * o + (vt - vt * o)]))
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<1>, gOut: Float, gNext: FloatVector<1>) -> (gx: Float, gPrev: FloatVector<1>) {
        let vt = (decayV * (s[0] - vRest) + vRest) + x
        let o = spaicSpike(vt - threshold, surrogate)
        let g = gNext[0] * (1 - o) + (gOut + gNext[0] * (vReset - vt)) * surrogate.derivative(vt - threshold)
        return (g, FloatVector([g * decayV]))
    }
}

/// SPAIC `ALIFSTDPEXModel` ("alifstdp_ex") as its code runs. Its docstring is a copy of `lifstdp_ex`'s, but the
/// code differs: the reset subtracts v_reset, and theta grows in proportion to the current threshold:
///
///     V~ = decay_v (V - v_rest) + v_rest + x;   theta~ = decay_th theta;   Vth = v_th + theta~
///     O  = V~ > Vth;   V = V~ - v_reset O;   theta = theta~ + th_inc O Vth
///
/// SPAIC's defaults: v_th 2, v_reset 2, v_rest 0, th_inc 0.001, decay_th exp(-1e-5), decay_v exp(-1/100);
/// initial V 0, theta 0. State `v`, `theta`.
public struct SPAICALIFSTDPEX: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.alifstdp_ex" }
    public static var stateNames: [String] { ["v", "theta"] }
    public static var isSpiking: Bool { true }
    public var threshold: Float, vReset: Float, vRest: Float, thInc: Float, decayTh: Float, decayV: Float
    public var surrogate: Surrogate
    public init(threshold: Float = 2, vReset: Float = 2, vRest: Float = 0, thInc: Float = 0.001,
                decayTh: Float = Float(Foundation.exp(-1.0 / 100_000)), decayV: Float = Float(Foundation.exp(-1.0 / 100)),
                surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.threshold = threshold; self.vReset = vReset; self.vRest = vRest; self.thInc = thInc
        self.decayTh = decayTh; self.decayV = decayV; self.surrogate = surrogate
    }
    public var initialState: FloatVector<2> { FloatVector<2>() }
    /// v_th, v_reset, v_rest, th_inc, decay_th, decay_v.
    public static var parameterNames: [String] { ["v_th", "v_reset", "v_rest", "th_inc", "decay_th", "decay_v"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 3: return value >= 0 ? nil : ">= 0"
        case 4, 5: return value >= 0 && value <= 1 ? nil : "in [0, 1]"
        default: return nil
        }
    }
    public var parameters: FloatVector<6> {
        get { FloatVector([threshold, vReset, vRest, thInc, decayTh, decayV]) }
        set { threshold = newValue[0]; vReset = newValue[1]; vRest = newValue[2]; thInc = newValue[3]; decayTh = newValue[4]; decayV = newValue[5] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let vt = (decayV * (s[0] - vRest) + vRest) + x
        let th = decayTh * s[1], vth = threshold + th
        let o = spaicSpike(vt - vth, surrogate)
        return (o, FloatVector([vt - vReset * o, th + (o * thInc) * vth]))
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let vt = (decayV * (s[0] - vRest) + vRest) + x
        let th = decayTh * s[1], vth = threshold + th
        let o = spaicSpike(vt - vth, surrogate), sg = surrogate.derivative(vt - vth)
        let gO = gOut - gNext[0] * vReset + gNext[1] * thInc * vth
        let gvt = gNext[0] + gO * sg
        let gth = gNext[1] * (1 + o * thInc) - gO * sg
        return (gvt, FloatVector([gvt * decayV, gth * decayTh]))
    }
}

/// SPAIC `LIFInt` ("lifint"): the LIF of SPAIC's integer models without threshold adaptation, as its `update`
/// runs (plain multiplications despite the name; the inputs are whatever the connection delivers):
///
///     V~ = decay (V - v_rest) + v_rest + (x if refrac_count <= 0 else 0);   refrac_count -= 1
///     O = V~ >= thresh;   where O: refrac_count = reset_refrac, V = v_reset   (else V = V~)
///
/// Note `>=` (SPAIC's other models fire on `>`), and the counter keeps falling below 0 as SPAIC's does.
/// SPAIC's defaults: thresh 1, decay 1, v_rest 0, v_reset 0, reset_refrac 0, initial refrac_count 0. The
/// reset is a masked fill (no gradient through the spike); the output carries the surrogate gradient.
/// State `v`, `refrac_count`.
public struct SPAICLIFIntPlain: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.lifint" }
    public static var stateNames: [String] { ["v", "refrac_count"] }
    public static var isSpiking: Bool { true }
    public var threshold: Float, decay: Float, vRest: Float, vReset: Float, resetRefrac: Float, refracCount: Float
    public var surrogate: Surrogate
    public init(threshold: Float = 1, decay: Float = 1, vRest: Float = 0, vReset: Float = 0, resetRefrac: Float = 0, refracCount: Float = 0,
                surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.threshold = threshold; self.decay = decay; self.vRest = vRest; self.vReset = vReset
        self.resetRefrac = resetRefrac; self.refracCount = refracCount; self.surrogate = surrogate
    }
    public var initialState: FloatVector<2> { FloatVector([0, refracCount]) }
    /// thresh, decay, v_rest, v_reset, reset_refrac, refrac_count (initial).
    public static var parameterNames: [String] { ["thresh", "decay", "v_rest", "v_reset", "reset_refrac", "refrac_count"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return (k == 4 || k == 5) && !(value == value.rounded() && Swift.abs(value) < 16_777_216) ? "an integer" : nil
    }
    public var parameters: FloatVector<6> {
        get { FloatVector([threshold, decay, vRest, vReset, resetRefrac, refracCount]) }
        set { threshold = newValue[0]; decay = newValue[1]; vRest = newValue[2]; vReset = newValue[3]; resetRefrac = newValue[4]; refracCount = newValue[5] }
    }
    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<2>) -> (vt: Float, open: Bool) {
        let open = !(s[1] > 0)
        return ((decay * (s[0] - vRest) + vRest) + (open ? x : 0), open)
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let (vt, _) = integrate(x, s)
        let fired = vt >= threshold
        let o = surrogate.smoothForward ? surrogate.primitive(vt - threshold) : (fired ? 1 : 0)
        return (o, FloatVector([fired ? vReset : vt, fired ? resetRefrac : s[1] - 1]))
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let (vt, open) = integrate(x, s)
        let g = (vt >= threshold ? 0 : gNext[0]) + gOut * surrogate.derivative(vt - threshold)
        return (open ? g : 0, FloatVector([g * decay, vt >= threshold ? 0 : gNext[1]]))
    }
}

/// SPAIC `PLIFModel` ("plif"), the LIF with a learnable time constant, as its code runs:
///
///     k  = sigmoid(w);   V~ = k (x - V) + V;   O = V~ > v_th;   V = V~ if O[t-1] = 0 else 0
///
/// `w` is SPAIC's parameter variable `tau = -ln(tau_m - 1)` (so that k = 1/tau_m), but SPAIC clamps parameter
/// variables to [0, 1] when it builds the group, so the `w` it runs with is `clamp(-ln(tau_m - 1), 0, 1)`:
/// tau_m 2 gives w 0 (k = 1/2); tau_m > 2 gives w 0 as well. The reset reads the previous step's spike (SPAIC's
/// untagged `O`) and has no gradient (SPAIC's `reset` operator); `v_reset` is accepted, not used. Defaults tau_m 2,
/// v_th 1, the STCA surrogate. Learnable: w. State `v`, `o` (the previous spike).
public struct SPAICPLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.plif" }
    public static var stateNames: [String] { ["v", "o"] }
    public static var isSpiking: Bool { true }
    /// The learnable parameter (SPAIC's `tau`): k = sigmoid(w).
    public var w: Float
    public var threshold: Float, vReset: Float
    public var surrogate: Surrogate
    public init(w: Float = 0, threshold: Float = 1, vReset: Float = 0, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.w = w; self.threshold = threshold; self.vReset = vReset; self.surrogate = surrogate
    }
    /// The `w` SPAIC runs with for `tau_m`: `clamp(-ln(tau_m - 1), 0, 1)` (tau_m > 1).
    public static func w(fromTauM tauM: Float) -> Float {
        Float(Swift.min(Swift.max(-Foundation.log(Double(tauM) - 1), 0), 1))
    }
    public var initialState: FloatVector<2> { FloatVector<2>() }
    /// w, v_th, v_reset.
    public static var parameterNames: [String] { ["w", "v_th", "v_reset"] }
    public static var learnableParameterNames: [String] { ["w"] }
    public var parameters: FloatVector<3> {
        get { FloatVector([w, threshold, vReset]) }
        set { w = newValue[0]; threshold = newValue[1]; vReset = newValue[2] }
    }
    @inlinable var k: Float { 1 / (1 + Foundation.exp(-w)) }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let vt = k * (x - s[0]) + s[0]
        let o = spaicSpike(vt - threshold, surrogate)
        return (o, FloatVector([s[1] == 0 ? vt : 0, o]))
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let kk = k, vt = kk * (x - s[0]) + s[0]
        let g = (s[1] == 0 ? gNext[0] : 0) + (gOut + gNext[1]) * surrogate.derivative(vt - threshold)
        return (g * kk, FloatVector([g * (1 - kk), 0]))
    }
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<3> {
        let kk = k, vt = kk * (x - s[0]) + s[0]
        let g = (s[1] == 0 ? gNext[0] : 0) + (gOut + gNext[1]) * surrogate.derivative(vt - threshold)
        var p = FloatVector<3>()
        p[0] = g * (x - s[0]) * kk * (1 - kk)
        p[1] = -(gOut + gNext[1]) * surrogate.derivative(vt - threshold)
        return p
    }
}
