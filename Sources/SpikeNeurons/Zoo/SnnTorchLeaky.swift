import Foundation

/// snnTorch's `reset_mechanism` (`snntorch._neurons.neurons.SpikingNeuron.reset_dict`).
///
/// snnTorch computes the reset flag of step t from the membrane returned at step t-1,
/// `R[t] = Θ(U[t-1] - U_thr)` (strict `>`, detached from the graph: `SpikingNeuron.mem_reset`), and applies it
/// inside the update of step t (`reset_delay=True`, the default). Each model documents what the reset does.
public enum SnnTorchResetMechanism: String, Sendable, Equatable, CaseIterable {
    /// Reset by subtraction (`"subtract"`).
    case subtract
    /// Reset to zero (`"zero"`).
    case zero
    /// No reset, pure integration (`"none"`).
    case none
}

extension Surrogate {
    /// snnTorch's spike for `x = U - U_thr`: `Θ(x) = 1 if x > 0` (strict, `(input_ > 0).float()` in every
    /// `snntorch.surrogate` function), or the smooth primitive with `smoothForward`.
    @inlinable @inline(__always) func snnTorchFire(_ x: Float) -> Float {
        if smoothForward { return primitive(x) }
        return x > 0 ? 1 : 0
    }
}

/// snnTorch's detached reset flag `R = Θ(U[t-1] - U_thr)` (strict `>`). It is a constant of the graph in
/// snnTorch (`.clone().detach()`), so it stays the Heaviside step even with a `smoothForward` surrogate: the
/// backward pass, which ignores it, is then the exact derivative of the forward pass almost everywhere.
@inlinable @inline(__always) func snnTorchResetFlag(_ previousMembrane: Float, threshold: Float) -> Float {
    previousMembrane - threshold > 0 ? 1 : 0
}

/// `clamp(0, 1)` of a decay rate as snnTorch applies it in the forward pass, and its derivative (PyTorch's
/// clamp passes the gradient where `0 <= x <= 1`).
@inlinable @inline(__always) func snnTorchClampedDecay(_ x: Float) -> (value: Float, slope: Float) {
    (Swift.min(1, Swift.max(0, x)), x >= 0 && x <= 1 ? 1 : 0)
}

/// First-order leaky integrate-and-fire neuron, snnTorch's `snntorch.Leaky` (snnTorch 1.0, `reset_delay=True`),
/// discrete and unitless:
///
///     R[t] = Θ(U[t-1] - U_thr)                         (from the previous membrane, detached)
///     U[t] = β U[t-1] + X[t] - R[t] U_thr               (reset_mechanism "subtract")
///     U[t] = β (1 - R[t]) U[t-1] + X[t]                 (reset_mechanism "zero": the old membrane is zeroed)
///     U[t] = β U[t-1] + X[t]                            (reset_mechanism "none")
///     S[t] = Θ(U[t] - U_thr)                            (strict >)
///
/// with β clamped to [0, 1] in the forward pass as snnTorch does. `v` is the membrane `U[t]` snnTorch returns:
/// the reset of a spike at step t is applied in step t+1, so `v` stays above threshold on the step of a spike.
/// `U[0] = 0`. Defaults: beta 0.9 (snnTorch has no default), threshold 1, reset_mechanism subtract, atan
/// surrogate (alpha 2, snnTorch's default `spike_grad`). Backward: the surrogate for dS/dU; no gradient
/// through R (snnTorch detaches it). Learnable: beta (`learn_beta`) and threshold (`learn_threshold`).
public struct SnnTorchLeaky: NeuronModel, Equatable {
    public typealias State = Membrane
    public static var id: String { "leaky" }
    public static var stateNames: [String] { ["v"] }
    public static var isSpiking: Bool { true }

    /// Membrane decay rate β per step (`beta`), in [0, 1].
    public var beta: Float
    /// Firing threshold `U_thr` (`threshold`).
    public var threshold: Float
    /// What the reset does (`reset_mechanism`).
    public var resetMechanism: SnnTorchResetMechanism
    /// Surrogate gradient of the spike (`spike_grad`).
    public var surrogate: Surrogate

    /// A Leaky neuron; defaults as documented on the type.
    public init(beta: Float = 0.9, threshold: Float = 1, resetMechanism: SnnTorchResetMechanism = .subtract,
                surrogate: Surrogate = .atan) {
        self.beta = beta; self.threshold = threshold; self.resetMechanism = resetMechanism; self.surrogate = surrogate
    }

    /// `U[0] = 0` (snnTorch's `reset_mem`).
    public var initialState: Membrane { Membrane(v: 0) }

    /// `beta` (in [0, 1]) and `threshold`, both learnable.
    public static var parameterNames: [String] { ["beta", "threshold"] }
    public static var learnableParameterNames: [String] { ["beta", "threshold"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k == 0 && !(value >= 0 && value <= 1) ? "in [0, 1]" : nil
    }
    public var parameters: FloatVector<2> {
        get { FloatVector([beta, threshold]) }
        set { beta = newValue[0]; threshold = newValue[1] }
    }

    /// The membrane after the update of one step (before firing), with the reset flag and clamped beta.
    @inlinable @inline(__always) func update(_ x: Float, _ v: Float) -> (u: Float, reset: Float, beta: Float) {
        let r = snnTorchResetFlag(v, threshold: threshold)
        let b = snnTorchClampedDecay(beta).value
        switch resetMechanism {
        case .subtract: return (b * v + x - r * threshold, r, b)
        case .zero: return (b * ((1 - r) * v) + x, r, b)
        case .none: return (b * v + x, r, b)
        }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let u = update(x, s.v).u
        return (surrogate.snnTorchFire(u - threshold), Membrane(v: u))
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let (u, r, b) = update(x, s.v)
        let gU = gOut * surrogate.derivative(u - threshold) + gNext.v
        return (gU, Membrane(v: gU * b * (resetMechanism == .zero ? 1 - r : 1)))
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<2> {
        let (u, r, _) = update(x, s.v)
        let gFire = gOut * surrogate.derivative(u - threshold)
        let gU = gFire + gNext.v
        var g = FloatVector<2>()
        g[0] = gU * (resetMechanism == .zero ? (1 - r) * s.v : s.v) * snnTorchClampedDecay(beta).slope
        g[1] = -gFire - (resetMechanism == .subtract ? gU * r : 0)
        return g
    }
}
