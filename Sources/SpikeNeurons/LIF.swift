/// How the membrane is reset after a spike.
public enum ResetMode: Sendable, Equatable {
    /// Hard reset: `v = v_reset` where a spike occurred (`V = H (1 - S) + v_reset S`).
    case hard(Float)
    /// Soft reset (reset by subtraction): `V = H - v_threshold S` (SpikingJelly's `v_reset=None`).
    case soft

    /// The reset potential (hard), or 0 (soft) as SpikingJelly uses in the leak term.
    @inlinable @inline(__always) var restingLevel: Float {
        if case .hard(let r) = self { return r }
        return 0
    }
}

/// Fires with the surrogate, then resets: the shared tail of SpikingJelly's IF/LIF neurons.
@inlinable @inline(__always)
func fireAndReset(_ h: Float, threshold: Float, reset: ResetMode, surrogate: Surrogate) -> (Float, Float) {
    let s = surrogate.spike(h - threshold)
    switch reset {
    case .hard(let r): return (s, h * (1 - s) + r * s)
    case .soft: return (s, h - threshold * s)
    }
}

/// VJP of `fireAndReset`: dL/dH from the gradient of the spike and of the reset membrane.
@inlinable @inline(__always)
func fireAndResetVJP(_ h: Float, threshold: Float, reset: ResetMode, surrogate: Surrogate, detachReset: Bool,
                     gSpike: Float, gV: Float) -> Float {
    let x = h - threshold
    let sg = surrogate.derivative(x)
    let s = surrogate.spike(x)
    var gH = gSpike * sg
    switch reset {
    case .hard(let r):
        gH += gV * (1 - s)
        if !detachReset { gH += gV * (r - h) * sg }
    case .soft:
        gH += gV
        if !detachReset { gH -= gV * threshold * sg }
    }
    return gH
}

/// Gradient of `fireAndReset` with respect to the threshold.
@inlinable @inline(__always)
func fireAndResetThresholdVJP(_ h: Float, threshold: Float, reset: ResetMode, surrogate: Surrogate, detachReset: Bool,
                              gSpike: Float, gV: Float) -> Float {
    let x = h - threshold
    let sg = surrogate.derivative(x)
    var g = -gSpike * sg
    switch reset {
    case .hard(let r): if !detachReset { g -= gV * (r - h) * sg }
    case .soft:
        g -= gV * surrogate.spike(x)
        if !detachReset { g += gV * threshold * sg }
    }
    return g
}

extension ResetMode {
    /// The reset level as a parameter value (`v_reset`; 0 for soft reset, where it is not used).
    @inlinable var parameterValue: Float {
        get { restingLevel }
        set { if case .hard = self { self = .hard(newValue) } }
    }
}

/// Leaky integrate-and-fire neuron, SpikingJelly's `LIFNode` (discrete update, unitless):
///
///     H[t] = V[t-1] + (X[t] - (V[t-1] - V_reset)) / tau      (decay_input = true)
///     H[t] = V[t-1] - (V[t-1] - V_reset) / tau + X[t]        (decay_input = false)
///     S[t] = Θ(H[t] - V_threshold)
///     V[t] = H[t] (1 - S[t]) + V_reset S[t]    (hard reset)   or   H[t] - V_threshold S[t]   (soft reset)
///
/// With soft reset V_reset is taken as 0 in the leak, as SpikingJelly does. `V[0] = V_reset` (0 when soft).
/// Defaults: tau 2, decay_input true, v_threshold 1, v_reset 0 (hard), sigmoid surrogate (alpha 4),
/// detach_reset false. Backward uses the surrogate for dS/dH, through the reset unless `detachReset`.
public struct LIF: NeuronModel, Equatable {
    public typealias State = Membrane
    public static var id: String { "lif" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }

    /// Membrane time constant in steps (> 1 as SpikingJelly requires; any value > 0 is accepted here).
    public var tau: Float
    /// Whether the input is divided by tau (`decay_input`).
    public var decayInput: Bool
    /// Firing threshold `v_threshold`.
    public var threshold: Float
    /// Reset rule (`v_reset` value or soft).
    public var reset: ResetMode
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    /// Stop gradients through the reset (`detach_reset`).
    public var detachReset: Bool

    public init(tau: Float = 2, decayInput: Bool = true, threshold: Float = 1, reset: ResetMode = .hard(0),
                surrogate: Surrogate = .sigmoid, detachReset: Bool = false) {
        self.tau = tau; self.decayInput = decayInput; self.threshold = threshold
        self.reset = reset; self.surrogate = surrogate; self.detachReset = detachReset
    }

    public var initialState: Membrane { Membrane(v: reset.restingLevel) }

    /// `tau`, `v_threshold`, `v_reset` (the last unused with soft reset); `tau` and `v_threshold` learnable.
    public static var parameterNames: [String] { ["tau", "v_threshold", "v_reset"] }
    public static var learnableParameterNames: [String] { ["tau", "v_threshold"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k == 0 && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<3> {
        get { FloatVector([tau, threshold, reset.parameterValue]) }
        set { tau = newValue[0]; threshold = newValue[1]; reset.parameterValue = newValue[2] }
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<3> {
        let r = reset.restingLevel
        let h = decayInput ? s.v + (x - (s.v - r)) / tau : s.v - (s.v - r) / tau + x
        let gH = fireAndResetVJP(h, threshold: threshold, reset: reset, surrogate: surrogate, detachReset: detachReset,
                                 gSpike: gOut, gV: gNext.v)
        let dhdtau = decayInput ? -(x - (s.v - r)) / (tau * tau) : (s.v - r) / (tau * tau)
        var g = FloatVector<3>()
        g[0] = gH * dhdtau
        g[1] = fireAndResetThresholdVJP(h, threshold: threshold, reset: reset, surrogate: surrogate,
                                        detachReset: detachReset, gSpike: gOut, gV: gNext.v)
        return g
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let r = reset.restingLevel
        let h = decayInput ? s.v + (x - (s.v - r)) / tau : s.v - (s.v - r) / tau + x
        let (spike, v) = fireAndReset(h, threshold: threshold, reset: reset, surrogate: surrogate)
        return (spike, Membrane(v: v))
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let r = reset.restingLevel
        let h = decayInput ? s.v + (x - (s.v - r)) / tau : s.v - (s.v - r) / tau + x
        let gH = fireAndResetVJP(h, threshold: threshold, reset: reset, surrogate: surrogate, detachReset: detachReset,
                                 gSpike: gOut, gV: gNext.v)
        return (decayInput ? gH / tau : gH, Membrane(v: gH * (1 - 1 / tau)))
    }
}

/// Integrate-and-fire neuron, SpikingJelly's `IFNode`: `H[t] = V[t-1] + X[t]`, then fire and reset as `LIF`.
/// Defaults: v_threshold 1, v_reset 0 (hard), sigmoid surrogate (alpha 4), detach_reset false.
public struct IF: NeuronModel, Equatable {
    public typealias State = Membrane
    public static var id: String { "if" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }

    /// Firing threshold `v_threshold`.
    public var threshold: Float
    /// Reset rule.
    public var reset: ResetMode
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    /// Stop gradients through the reset.
    public var detachReset: Bool

    public init(threshold: Float = 1, reset: ResetMode = .hard(0), surrogate: Surrogate = .sigmoid, detachReset: Bool = false) {
        self.threshold = threshold; self.reset = reset; self.surrogate = surrogate; self.detachReset = detachReset
    }

    public var initialState: Membrane { Membrane(v: reset.restingLevel) }

    /// `v_threshold` (learnable) and `v_reset` (unused with soft reset).
    public static var parameterNames: [String] { ["v_threshold", "v_reset"] }
    public static var learnableParameterNames: [String] { ["v_threshold"] }
    public var parameters: FloatVector<2> {
        get { FloatVector([threshold, reset.parameterValue]) }
        set { threshold = newValue[0]; reset.parameterValue = newValue[1] }
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<2> {
        var g = FloatVector<2>()
        g[0] = fireAndResetThresholdVJP(s.v + x, threshold: threshold, reset: reset, surrogate: surrogate,
                                        detachReset: detachReset, gSpike: gOut, gV: gNext.v)
        return g
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let (spike, v) = fireAndReset(s.v + x, threshold: threshold, reset: reset, surrogate: surrogate)
        return (spike, Membrane(v: v))
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let gH = fireAndResetVJP(s.v + x, threshold: threshold, reset: reset, surrogate: surrogate, detachReset: detachReset,
                                 gSpike: gOut, gV: gNext.v)
        return (gH, Membrane(v: gH))
    }
}

/// Non-spiking leaky integrator, the usual readout: the LIF charge equation without firing,
///
///     V[t] = V[t-1] + (X[t] - (V[t-1] - V_rest)) / tau     (decay_input = true)
///     V[t] = V[t-1] - (V[t-1] - V_rest) / tau + X[t]       (decay_input = false)
///
/// The output is `V[t]`. `V[0] = V_rest`. Defaults: tau 2, decay_input true, v_rest 0. This is the
/// discrete LI of SpikingJelly-style readouts (a LIF with an unreachable threshold); Norse's current-based
/// `LICell` belongs to the model zoo.
public struct LI: NeuronModel, Equatable {
    public typealias State = Membrane
    public static var id: String { "li_discrete" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { false }

    /// Membrane time constant in steps.
    public var tau: Float
    /// Whether the input is divided by tau.
    public var decayInput: Bool
    /// Resting potential.
    public var restingPotential: Float

    public init(tau: Float = 2, decayInput: Bool = true, restingPotential: Float = 0) {
        self.tau = tau; self.decayInput = decayInput; self.restingPotential = restingPotential
    }

    public var initialState: Membrane { Membrane(v: restingPotential) }

    /// `tau` (learnable, > 0) and `v_rest`.
    public static var parameterNames: [String] { ["tau", "v_rest"] }
    public static var learnableParameterNames: [String] { ["tau"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k == 0 && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<2> {
        get { FloatVector([tau, restingPotential]) }
        set { tau = newValue[0]; restingPotential = newValue[1] }
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<2> {
        let g = gOut + gNext.v
        var out = FloatVector<2>()
        out[0] = g * (decayInput ? -(x - (s.v - restingPotential)) : (s.v - restingPotential)) / (tau * tau)
        out[1] = g / tau
        return out
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let v = decayInput ? s.v + (x - (s.v - restingPotential)) / tau : s.v - (s.v - restingPotential) / tau + x
        return (v, Membrane(v: v))
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let g = gOut + gNext.v
        return (decayInput ? g / tau : g, Membrane(v: g * (1 - 1 / tau)))
    }
}
