import Foundation

// SpikingJelly's nonlinear and parametric neurons (`spikingjelly.activation_based.neuron`: ParametricLIFNode,
// QIFNode, EIFNode, IzhikevichNode), discrete time, unitless. Each step follows BaseNode's order: charge
// (H[t] from V[t-1] and X[t]), fire (S[t] = Θ(H[t] - V_threshold), surrogate in backward), reset. The
// expressions are evaluated in the same order as SpikingJelly's torch backend so that float32 traces agree.

/// Parametric leaky integrate-and-fire neuron, SpikingJelly's `ParametricLIFNode` (Fang et al. 2021,
/// "Incorporating Learnable Membrane Time Constant to Enhance Learning of Spiking Neural Networks"):
///
///     k = 1 / tau = sigmoid(w)                        (w learnable; init: w = -ln(init_tau - 1))
///     H[t] = V[t-1] + (X[t] - (V[t-1] - V_reset)) k  (decay_input = true)
///     H[t] = V[t-1] - (V[t-1] - V_reset) k + X[t]    (decay_input = false)
///     S[t] = Θ(H[t] - V_threshold)
///     V[t] = H[t] (1 - S[t]) + V_reset S[t]   (hard reset)   or   H[t] - V_threshold S[t]   (soft reset)
///
/// With soft reset `V_reset` is 0 in the leak (as SpikingJelly). `V[0] = V_reset` (0 when soft).
/// Defaults as SpikingJelly: init_tau 2 (w = 0), decay_input true, v_threshold 1, v_reset 0 (hard),
/// sigmoid surrogate (alpha 4), detach_reset false. In SpikingJelly `w` is one scalar per layer; here it is a
/// per-neuron parameter (a `NeuronParameterTable` row), so the layer's dL/dw is the sum over neurons.
public struct PLIF: NeuronModel, Equatable {
    /// The state variables (see `stateNames`).
    public typealias State = Membrane
    /// The registry id.
    public static var id: String { "plif" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }

    /// The learnable parameter `w`: `1/tau = sigmoid(w)`. Setting it updates `decay`.
    public var w: Float { didSet { decay = stableSigmoidF(w) } }
    /// `1/tau = sigmoid(w)`, in (0, 1) (derived from `w`).
    public private(set) var decay: Float
    /// Whether the input is multiplied by `1/tau` (`decay_input`).
    public var decayInput: Bool
    /// Firing threshold `v_threshold`.
    public var threshold: Float
    /// Reset rule (`v_reset` value or soft).
    public var reset: ResetMode
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    /// Stop gradients through the reset (`detach_reset`).
    public var detachReset: Bool

    /// The membrane time constant `1 / sigmoid(w)` in steps.
    public var tau: Float { 1 / decay }

    /// `w` from SpikingJelly's `init_tau` (> 1): `w = -ln(init_tau - 1)`, evaluated in double as Python does.
    public static func w(fromInitTau initTau: Float) -> Float { Float(-Foundation.log(Double(initTau) - 1)) }

    /// A PLIF with `w = -ln(initTau - 1)` (`initTau` > 1).
    public init(initTau: Float = 2, decayInput: Bool = true, threshold: Float = 1, reset: ResetMode = .hard(0),
                surrogate: Surrogate = .sigmoid, detachReset: Bool = false) {
        precondition(initTau > 1, "PLIF: init_tau must be > 1, got \(initTau)")
        self.init(w: PLIF.w(fromInitTau: initTau), decayInput: decayInput, threshold: threshold, reset: reset,
                  surrogate: surrogate, detachReset: detachReset)
    }

    /// A PLIF with the given `w` (`1/tau = sigmoid(w)`).
    public init(w: Float, decayInput: Bool = true, threshold: Float = 1, reset: ResetMode = .hard(0),
                surrogate: Surrogate = .sigmoid, detachReset: Bool = false) {
        self.w = w; self.decay = stableSigmoidF(w)
        self.decayInput = decayInput; self.threshold = threshold; self.reset = reset
        self.surrogate = surrogate; self.detachReset = detachReset
    }

    /// `V[0] = V_reset` (0 with soft reset), as SpikingJelly's `register_memory('v', v_reset)`.
    public var initialState: Membrane { Membrane(v: reset.restingLevel) }

    /// `w`, `v_threshold`, `v_reset` (the last unused with soft reset); `w` and `v_threshold` learnable.
    public static var parameterNames: [String] { ["w", "v_threshold", "v_reset"] }
    public static var learnableParameterNames: [String] { ["w", "v_threshold"] }
    public var parameters: FloatVector<3> {
        get { FloatVector([w, threshold, reset.parameterValue]) }
        set { w = newValue[0]; threshold = newValue[1]; reset.parameterValue = newValue[2] }
    }

    /// H[t] as SpikingJelly evaluates it (`v * (1 - k) + x` when decay_input is off and V_reset is 0).
    @inlinable @inline(__always) func charge(_ x: Float, _ v: Float) -> Float {
        let r = reset.restingLevel
        if decayInput { return v + (x - (v - r)) * decay }
        return r == 0 ? v * (1 - decay) + x : v - (v - r) * decay + x
    }

    /// One step: charge, fire, reset (see the type's equations).
    @inlinable @inline(__always) public func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let (spike, v) = fireAndReset(charge(x, s.v), threshold: threshold, reset: reset, surrogate: surrogate)
        return (spike, Membrane(v: v))
    }

    /// VJP of `step` with the surrogate derivative for dS/dH.
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let gH = fireAndResetVJP(charge(x, s.v), threshold: threshold, reset: reset, surrogate: surrogate,
                                 detachReset: detachReset, gSpike: gOut, gV: gNext.v)
        return (decayInput ? gH * decay : gH, Membrane(v: gH * (1 - decay)))
    }

    /// dH/dw = dH/dk · k (1 - k), with dH/dk = X - (V - V_reset) (decay_input) or -(V - V_reset).
    @inlinable public func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<3> {
        let h = charge(x, s.v), r = reset.restingLevel
        let gH = fireAndResetVJP(h, threshold: threshold, reset: reset, surrogate: surrogate, detachReset: detachReset,
                                 gSpike: gOut, gV: gNext.v)
        let dHdk = decayInput ? x - (s.v - r) : -(s.v - r)
        var g = FloatVector<3>()
        g[0] = gH * dHdk * decay * (1 - decay)
        g[1] = fireAndResetThresholdVJP(h, threshold: threshold, reset: reset, surrogate: surrogate,
                                        detachReset: detachReset, gSpike: gOut, gV: gNext.v)
        return g
    }
}

/// Quadratic integrate-and-fire neuron, SpikingJelly's `QIFNode` (discrete Euler step, unitless):
///
///     H[t] = V[t-1] + (X[t] + a0 (V[t-1] - V_rest)(V[t-1] - V_c)) / tau
///     S[t] = Θ(H[t] - V_threshold);  V[t] = H[t] (1 - S[t]) + V_reset S[t]  (hard)  or  H[t] - V_threshold S[t]  (soft)
///
/// Without input V_rest is the stable fixed point and V_c (> V_rest) the unstable one (the firing threshold of
/// the continuous model). `V[0] = V_reset` (0 when soft). Defaults as SpikingJelly: tau 2, v_c 0.8, a0 1,
/// v_threshold 1, v_rest 0, v_reset -0.1 (hard), sigmoid surrogate (alpha 4), detach_reset false.
/// SpikingJelly requires tau > 1, a0 > 0 and, with hard reset, v_threshold > v_reset and v_rest >= v_reset.
public struct SpikingJellyQIF: NeuronModel, Equatable {
    /// The state variables (see `stateNames`).
    public typealias State = Membrane
    /// The registry id.
    public static var id: String { "qif" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }

    /// Membrane time constant `tau` in steps (> 1).
    public var tau: Float
    /// Critical voltage `v_c`.
    public var vC: Float
    /// Sharpness of the quadratic term `a0` (> 0).
    public var a0: Float
    /// Firing threshold `v_threshold`.
    public var threshold: Float
    /// Resting potential `v_rest`.
    public var vRest: Float
    /// Reset rule (`v_reset` value or soft).
    public var reset: ResetMode
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    /// Stop gradients through the reset (`detach_reset`).
    public var detachReset: Bool

    /// A neuron with SpikingJelly's defaults unless given.
    public init(tau: Float = 2, vC: Float = 0.8, a0: Float = 1, threshold: Float = 1, vRest: Float = 0,
                reset: ResetMode = .hard(-0.1), surrogate: Surrogate = .sigmoid, detachReset: Bool = false) {
        self.tau = tau; self.vC = vC; self.a0 = a0; self.threshold = threshold; self.vRest = vRest
        self.reset = reset; self.surrogate = surrogate; self.detachReset = detachReset
    }

    /// `V[0] = V_reset` (0 with soft reset), as SpikingJelly's `register_memory('v', v_reset)`.
    public var initialState: Membrane { Membrane(v: reset.restingLevel) }

    /// SpikingJelly's names in its constructor order; all but `v_reset` learnable.
    public static var parameterNames: [String] { ["tau", "v_c", "a0", "v_threshold", "v_rest", "v_reset"] }
    public static var learnableParameterNames: [String] { ["tau", "v_c", "a0", "v_threshold", "v_rest"] }
    /// SpikingJelly's asserts: tau > 1, a0 > 0, delta_T > 0 (and tau_w > 0); other values finite.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0: return value > 1 ? nil : "> 1"
        case 2: return value > 0 ? nil : "> 0"
        default: return nil
        }
    }
    public var parameters: FloatVector<6> {
        get { FloatVector([tau, vC, a0, threshold, vRest, reset.parameterValue]) }
        set {
            tau = newValue[0]; vC = newValue[1]; a0 = newValue[2]; threshold = newValue[3]; vRest = newValue[4]
            reset.parameterValue = newValue[5]
        }
    }

    @inlinable @inline(__always) func charge(_ x: Float, _ v: Float) -> Float {
        v + (x + a0 * (v - vRest) * (v - vC)) / tau
    }

    /// One step: charge, fire, reset (see the type's equations).
    @inlinable @inline(__always) public func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let (spike, v) = fireAndReset(charge(x, s.v), threshold: threshold, reset: reset, surrogate: surrogate)
        return (spike, Membrane(v: v))
    }

    /// VJP of `step` with the surrogate derivative for dS/dH.
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let gH = fireAndResetVJP(charge(x, s.v), threshold: threshold, reset: reset, surrogate: surrogate,
                                 detachReset: detachReset, gSpike: gOut, gV: gNext.v)
        let dHdv = 1 + a0 * ((s.v - vC) + (s.v - vRest)) / tau
        return (gH / tau, Membrane(v: gH * dHdv))
    }

    /// Gradients of every parameter but `v_reset` (whose other role, V[0], is outside the step).
    @inlinable public func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<6> {
        let v = s.v, h = charge(x, v)
        let gH = fireAndResetVJP(h, threshold: threshold, reset: reset, surrogate: surrogate, detachReset: detachReset,
                                 gSpike: gOut, gV: gNext.v)
        let g = gH / tau
        var out = FloatVector<6>()
        out[0] = -g * (x + a0 * (v - vRest) * (v - vC)) / tau
        out[1] = -g * a0 * (v - vRest)
        out[2] = g * (v - vRest) * (v - vC)
        out[3] = fireAndResetThresholdVJP(h, threshold: threshold, reset: reset, surrogate: surrogate,
                                          detachReset: detachReset, gSpike: gOut, gV: gNext.v)
        out[4] = -g * a0 * (v - vC)
        return out
    }
}

/// Exponential integrate-and-fire neuron, SpikingJelly's `EIFNode` (Fourcaud-Trocmé et al. 2003; discrete
/// Euler step, unitless):
///
///     H[t] = V[t-1] + (X[t] + V_rest - V[t-1] + delta_T exp((V[t-1] - theta_rh) / delta_T)) / tau
///     S[t] = Θ(H[t] - V_threshold);  V[t] = H[t] (1 - S[t]) + V_reset S[t]  (hard)  or  H[t] - V_threshold S[t]  (soft)
///
/// `V[0] = V_reset` (0 when soft). Defaults as SpikingJelly: tau 2, delta_T 1, theta_rh 0.8, v_threshold 1,
/// v_rest 0, v_reset -0.1 (hard), sigmoid surrogate (alpha 4), detach_reset false. Without input a resting
/// state exists only when `theta_rh - v_rest >= delta_T`; with SpikingJelly's defaults (0.8 < 1) the neuron
/// fires tonically at zero input. SpikingJelly requires tau > 1, delta_T > 0 and, with hard reset,
/// v_threshold > v_reset and v_rest >= v_reset.
public struct SpikingJellyEIF: NeuronModel, Equatable {
    /// The state variables (see `stateNames`).
    public typealias State = Membrane
    /// The registry id.
    public static var id: String { "eif" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }

    /// Membrane time constant `tau` in steps (> 1).
    public var tau: Float
    /// Sharpness `delta_T` of the exponential (> 0).
    public var deltaT: Float
    /// Rheobase threshold `theta_rh`.
    public var thetaRh: Float
    /// Firing threshold `v_threshold`.
    public var threshold: Float
    /// Resting potential `v_rest`.
    public var vRest: Float
    /// Reset rule (`v_reset` value or soft).
    public var reset: ResetMode
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    /// Stop gradients through the reset (`detach_reset`).
    public var detachReset: Bool

    /// A neuron with SpikingJelly's defaults unless given.
    public init(tau: Float = 2, deltaT: Float = 1, thetaRh: Float = 0.8, threshold: Float = 1, vRest: Float = 0,
                reset: ResetMode = .hard(-0.1), surrogate: Surrogate = .sigmoid, detachReset: Bool = false) {
        self.tau = tau; self.deltaT = deltaT; self.thetaRh = thetaRh; self.threshold = threshold; self.vRest = vRest
        self.reset = reset; self.surrogate = surrogate; self.detachReset = detachReset
    }

    /// `V[0] = V_reset` (0 with soft reset), as SpikingJelly's `register_memory('v', v_reset)`.
    public var initialState: Membrane { Membrane(v: reset.restingLevel) }

    /// SpikingJelly's names in its constructor order; all but `v_reset` learnable.
    public static var parameterNames: [String] { ["tau", "delta_T", "theta_rh", "v_threshold", "v_rest", "v_reset"] }
    public static var learnableParameterNames: [String] { ["tau", "delta_T", "theta_rh", "v_threshold", "v_rest"] }
    /// SpikingJelly's asserts: tau > 1, a0 > 0, delta_T > 0 (and tau_w > 0); other values finite.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0: return value > 1 ? nil : "> 1"
        case 1: return value > 0 ? nil : "> 0"
        default: return nil
        }
    }
    public var parameters: FloatVector<6> {
        get { FloatVector([tau, deltaT, thetaRh, threshold, vRest, reset.parameterValue]) }
        set {
            tau = newValue[0]; deltaT = newValue[1]; thetaRh = newValue[2]; threshold = newValue[3]; vRest = newValue[4]
            reset.parameterValue = newValue[5]
        }
    }

    @inlinable @inline(__always) func charge(_ x: Float, _ v: Float) -> Float {
        v + (x + vRest - v + deltaT * Foundation.exp((v - thetaRh) / deltaT)) / tau
    }

    /// One step: charge, fire, reset (see the type's equations).
    @inlinable @inline(__always) public func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let (spike, v) = fireAndReset(charge(x, s.v), threshold: threshold, reset: reset, surrogate: surrogate)
        return (spike, Membrane(v: v))
    }

    /// VJP of `step` with the surrogate derivative for dS/dH.
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let gH = fireAndResetVJP(charge(x, s.v), threshold: threshold, reset: reset, surrogate: surrogate,
                                 detachReset: detachReset, gSpike: gOut, gV: gNext.v)
        let e = Foundation.exp((s.v - thetaRh) / deltaT)
        return (gH / tau, Membrane(v: gH * (1 + (e - 1) / tau)))
    }

    /// Gradients of every parameter but `v_reset` (whose other role, V[0], is outside the step).
    @inlinable public func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<6> {
        let v = s.v, h = charge(x, v)
        let gH = fireAndResetVJP(h, threshold: threshold, reset: reset, surrogate: surrogate, detachReset: detachReset,
                                 gSpike: gOut, gV: gNext.v)
        let g = gH / tau
        let u = (v - thetaRh) / deltaT, e = Foundation.exp(u)
        var out = FloatVector<6>()
        out[0] = -g * (x + vRest - v + deltaT * e) / tau
        out[1] = g * e * (1 - u)
        out[2] = -g * e
        out[3] = fireAndResetThresholdVJP(h, threshold: threshold, reset: reset, surrogate: surrogate,
                                          detachReset: detachReset, gSpike: gOut, gV: gNext.v)
        out[4] = g
        return out
    }
}

/// Izhikevich-type adaptive quadratic neuron, SpikingJelly's `IzhikevichNode` (an `AdaptBaseNode`; discrete,
/// unitless). One step, in SpikingJelly's order (charge, adaptation, fire, reset):
///
///     H[t]  = V[t-1] + (X[t] + a0 (V[t-1] - V_rest)(V[t-1] - V_c) - W[t-1]) / tau      (neuronal_charge)
///     W'[t] = W[t-1] + (a (H[t] - V_rest) - W[t-1]) / tau_w                            (neuronal_adaptation, on H)
///     S[t]  = Θ(H[t] - V_threshold)
///     V[t]  = (1 - S_d[t]) H[t] + S[t] V_reset   (hard)   or   H[t] - S_d[t] V_threshold   (soft)
///     W[t]  = W'[t] + b S[t]                                                            (jump b at each spike)
///
/// `S_d` is the spike detached from the graph when `detach_reset`. SpikingJelly's code (every backend: the
/// reference `_ops/reset.py voltage`, the CPU, Triton and CUDA kernels) detaches the spike in the whole voltage
/// reset, so with `detach_reset` the hard reset is `(1 - S_d) H + S_d V_reset` and the soft reset `H - S_d V_th`;
/// the jump `b S` of `w` keeps its surrogate gradient. (`AdaptBaseNode.apply_hard_reset`'s docstring writes
/// `S V_reset` with the undetached spike; we follow the code, as for `lif`, `qif`, `eif` and `plif`.)
/// `V[0] = V_reset` (0 when soft), `W[0] = w_rest`. Defaults as SpikingJelly: tau 2, v_c 0.8, a0 1,
/// v_threshold 1, v_reset 0 (hard), v_rest -0.1, w_rest 0, tau_w 2, a 0, b 0, sigmoid surrogate (alpha 4),
/// detach_reset false. SpikingJelly requires tau > 1 and a0 > 0; tau_w > 0 is required here.
public struct SpikingJellyIzhikevich: NeuronModel, Equatable {
    /// The state variables (see `stateNames`).
    public typealias State = FloatVector<2>
    /// The registry id.
    public static var id: String { "izhikevich" }
    /// The membrane `v` and the adaptation current `w`.
    public static var stateNames: [String] { ["v", "w"] }
    public static var isSpiking: Bool { true }

    /// Membrane time constant `tau` in steps (> 1).
    public var tau: Float
    /// Critical voltage `v_c`.
    public var vC: Float
    /// Sharpness of the quadratic term `a0` (> 0).
    public var a0: Float
    /// Firing threshold `v_threshold`.
    public var threshold: Float
    /// Reset rule (`v_reset` value or soft).
    public var reset: ResetMode
    /// Resting potential `v_rest`.
    public var vRest: Float
    /// Initial adaptation current `w_rest`.
    public var wRest: Float
    /// Adaptation time constant `tau_w` in steps (> 0).
    public var tauW: Float
    /// Subthreshold coupling `a` of `w` to `v - v_rest`.
    public var a: Float
    /// Spike-triggered jump `b` of `w`.
    public var b: Float
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    /// Stop gradients through the voltage reset (`detach_reset`; the jump `b S` of `w` keeps its gradient).
    public var detachReset: Bool

    /// A neuron with SpikingJelly's defaults unless given.
    public init(tau: Float = 2, vC: Float = 0.8, a0: Float = 1, threshold: Float = 1, reset: ResetMode = .hard(0),
                vRest: Float = -0.1, wRest: Float = 0, tauW: Float = 2, a: Float = 0, b: Float = 0,
                surrogate: Surrogate = .sigmoid, detachReset: Bool = false) {
        self.tau = tau; self.vC = vC; self.a0 = a0; self.threshold = threshold; self.reset = reset
        self.vRest = vRest; self.wRest = wRest; self.tauW = tauW; self.a = a; self.b = b
        self.surrogate = surrogate; self.detachReset = detachReset
    }

    /// `V[0] = V_reset` (0 with soft reset) and `W[0] = w_rest`, as SpikingJelly's `register_memory`.
    public var initialState: FloatVector<2> {
        var s = FloatVector<2>()
        s[0] = reset.restingLevel; s[1] = wRest
        return s
    }

    /// SpikingJelly's names in its constructor order; all but `v_reset` and `w_rest` (initial values) learnable.
    public static var parameterNames: [String] { ["tau", "v_c", "a0", "v_threshold", "v_reset", "v_rest", "w_rest", "tau_w", "a", "b"] }
    public static var learnableParameterNames: [String] { ["tau", "v_c", "a0", "v_threshold", "v_rest", "tau_w", "a", "b"] }
    /// SpikingJelly's asserts: tau > 1, a0 > 0, delta_T > 0 (and tau_w > 0); other values finite.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0: return value > 1 ? nil : "> 1"
        case 2, 7: return value > 0 ? nil : "> 0"
        default: return nil
        }
    }
    public var parameters: FloatVector<10> {
        get { FloatVector([tau, vC, a0, threshold, reset.parameterValue, vRest, wRest, tauW, a, b]) }
        set {
            tau = newValue[0]; vC = newValue[1]; a0 = newValue[2]; threshold = newValue[3]
            reset.parameterValue = newValue[4]; vRest = newValue[5]; wRest = newValue[6]; tauW = newValue[7]
            a = newValue[8]; b = newValue[9]
        }
    }

    @inlinable @inline(__always) func charge(_ x: Float, _ v: Float, _ w: Float) -> Float {
        v + (x + a0 * (v - vRest) * (v - vC) - w) / tau
    }

    @inlinable @inline(__always) func adapt(_ h: Float, _ w: Float) -> Float {
        w + (1 / tauW) * (a * (h - vRest) - w)
    }

    /// One step: charge, fire, reset (see the type's equations).
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let h = charge(x, s[0], s[1])
        let wa = adapt(h, s[1])
        let spike = surrogate.spike(h - threshold)
        var n = FloatVector<2>()
        switch reset {
        case .hard(let r): n[0] = (1 - spike) * h + spike * r
        case .soft: n[0] = h - spike * threshold
        }
        n[1] = wa + b * spike
        return (spike, n)
    }

    /// dL/dH and dL/dS (the latter through the spike output, the reset and the jump of w) at one step.
    @inlinable @inline(__always) func gradH(_ h: Float, gOut: Float, gNext: FloatVector<2>) -> (gH: Float, gS: Float, sg: Float, spike: Float) {
        let sg = surrogate.derivative(h - threshold), spike = surrogate.spike(h - threshold)
        let gV = gNext[0], gW = gNext[1]
        var gS = gOut + gW * b
        var gH = gW * a / tauW
        switch reset {
        case .hard(let r):
            if !detachReset { gS += gV * (r - h) }
            gH += gV * (1 - spike)
        case .soft:
            if !detachReset { gS -= gV * threshold }
            gH += gV
        }
        gH += gS * sg
        return (gH, gS, sg, spike)
    }

    /// VJP of `step` with the surrogate derivative for dS/dH.
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let v = s[0]
        let (gH, _, _, _) = gradH(charge(x, v, s[1]), gOut: gOut, gNext: gNext)
        var gp = FloatVector<2>()
        gp[0] = gH * (1 + a0 * ((v - vC) + (v - vRest)) / tau)
        gp[1] = -gH / tau + gNext[1] * (1 - 1 / tauW)
        return (gH / tau, gp)
    }

    /// Gradients of every parameter but `v_reset` and `w_rest` (initial values, outside the step).
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<10> {
        let v = s[0], w = s[1], gW = gNext[1]
        let h = charge(x, v, w)
        let (gH, gS, sg, spike) = gradH(h, gOut: gOut, gNext: gNext)
        let g = gH / tau
        var out = FloatVector<10>()
        out[0] = -g * (x + a0 * (v - vRest) * (v - vC) - w) / tau
        out[1] = -g * a0 * (v - vRest)
        out[2] = g * (v - vRest) * (v - vC)
        out[3] = -gS * sg
        if case .soft = reset { out[3] -= gNext[0] * spike }
        out[5] = -g * a0 * (v - vC) - gW * a / tauW
        out[7] = -gW * (a * (h - vRest) - w) / (tauW * tauW)
        out[8] = gW * (h - vRest) / tauW
        out[9] = gW * spike
        return out
    }
}
