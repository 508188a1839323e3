import Foundation

/// Second-order (current-based) leaky integrate-and-fire neuron, snnTorch's `snntorch.Synaptic` (snnTorch 1.0,
/// `reset_delay=True`), discrete and unitless:
///
///     R[t]     = Θ(U[t-1] - U_thr)                     (from the previous membrane, detached)
///     I_syn[t] = α I_syn[t-1] + X[t]
///     U[t]     = β U[t-1] + I_syn[t] - R[t] U_thr       (reset_mechanism "subtract")
///     U[t]     = (1 - R[t]) (β U[t-1] + I_syn[t])       (reset_mechanism "zero": the new membrane is zeroed)
///     U[t]     = β U[t-1] + I_syn[t]                    (reset_mechanism "none")
///     S[t]     = Θ(U[t] - U_thr)                        (strict >)
///
/// with α and β clamped to [0, 1] in the forward pass. Note that "zero" differs from `SnnTorchLeaky`'s, which
/// zeroes the old membrane before the input is added; both follow snnTorch's code (`Synaptic._base_zero`
/// subtracts `R (β U + I_syn)`, `Leaky._base_zero` multiplies the old membrane by `1 - R`). The synaptic
/// current is never reset. States: `i` (snnTorch's `syn`) and `v` (its `mem`), as returned by the step, so
/// the reset of a spike at step t appears at step t+1. `I_syn[0] = U[0] = 0`. Defaults: alpha 0.9, beta 0.8
/// (snnTorch has no defaults), threshold 1, reset_mechanism subtract, atan surrogate (alpha 2). Backward: the
/// surrogate for dS/dU, no gradient through R. Learnable: alpha, beta, threshold.
public struct SnnTorchSynaptic: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "synaptic" }
    public static var stateNames: [String] { ["i", "v"] }
    public static var isSpiking: Bool { true }

    /// Synaptic current decay rate α per step (`alpha`), in [0, 1].
    public var alpha: Float
    /// Membrane decay rate β per step (`beta`), in [0, 1].
    public var beta: Float
    /// Firing threshold `U_thr` (`threshold`).
    public var threshold: Float
    /// What the reset does (`reset_mechanism`).
    public var resetMechanism: SnnTorchResetMechanism
    /// Surrogate gradient of the spike (`spike_grad`).
    public var surrogate: Surrogate

    /// A Synaptic neuron; defaults as documented on the type.
    public init(alpha: Float = 0.9, beta: Float = 0.8, threshold: Float = 1,
                resetMechanism: SnnTorchResetMechanism = .subtract, surrogate: Surrogate = .atan) {
        self.alpha = alpha; self.beta = beta; self.threshold = threshold
        self.resetMechanism = resetMechanism; self.surrogate = surrogate
    }

    /// `I_syn[0] = U[0] = 0`.
    public var initialState: FloatVector<2> { FloatVector<2>() }

    /// `alpha`, `beta` (both in [0, 1]) and `threshold`, all learnable.
    public static var parameterNames: [String] { ["alpha", "beta", "threshold"] }
    public static var learnableParameterNames: [String] { ["alpha", "beta", "threshold"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k < 2 && !(value >= 0 && value <= 1) ? "in [0, 1]" : nil
    }
    public var parameters: FloatVector<3> {
        get { FloatVector([alpha, beta, threshold]) }
        set { alpha = newValue[0]; beta = newValue[1]; threshold = newValue[2] }
    }

    /// One update: the new current, the membrane before the reset term (`β U + I_syn`), the membrane, the
    /// reset flag and the factor that multiplies `β U + I_syn` in the membrane (1 - R for "zero", else 1).
    @inlinable @inline(__always)
    func update(_ x: Float, _ s: FloatVector<2>) -> (i: Float, base: Float, u: Float, reset: Float, keep: Float) {
        let r = snnTorchResetFlag(s[1], threshold: threshold)
        let i = snnTorchClampedDecay(alpha).value * s[0] + x
        let base = snnTorchClampedDecay(beta).value * s[1] + i
        switch resetMechanism {
        case .subtract: return (i, base, base - r * threshold, r, 1)
        case .zero: return (i, base, base - base * r, r, 1 - r)
        case .none: return (i, base, base, r, 1)
        }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let p = update(x, s)
        var next = FloatVector<2>()
        next[0] = p.i; next[1] = p.u
        return (surrogate.snnTorchFire(p.u - threshold), next)
    }

    /// Gradients of the new current and of `β U + I_syn`, given those of the output and the next state.
    @inlinable @inline(__always)
    func backward(_ p: (i: Float, base: Float, u: Float, reset: Float, keep: Float), gOut: Float, gNext: FloatVector<2>)
        -> (gFire: Float, gU: Float, gBase: Float, gI: Float) {
        let gFire = gOut * surrogate.derivative(p.u - threshold)
        let gU = gFire + gNext[1]
        let gBase = gU * p.keep
        return (gFire, gU, gBase, gNext[0] + gBase)
    }

    @inlinable @inline(__always)
    public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let g = backward(update(x, s), gOut: gOut, gNext: gNext)
        var gPrev = FloatVector<2>()
        gPrev[0] = g.gI * snnTorchClampedDecay(alpha).value
        gPrev[1] = g.gBase * snnTorchClampedDecay(beta).value
        return (g.gI, gPrev)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<3> {
        let p = update(x, s)
        let g = backward(p, gOut: gOut, gNext: gNext)
        var out = FloatVector<3>()
        out[0] = g.gI * s[0] * snnTorchClampedDecay(alpha).slope
        out[1] = g.gBase * s[1] * snnTorchClampedDecay(beta).slope
        out[2] = -g.gFire - (resetMechanism == .subtract ? g.gU * p.reset : 0)
        return out
    }
}
