import Foundation

/// Alpha-function leaky integrate-and-fire neuron, snnTorch's `snntorch.Alpha` (snnTorch 1.0), discrete and
/// unitless: an excitatory and an inhibitory current with decay rates α > β, whose difference shapes the
/// membrane response into an alpha function:
///
///     R[t]     = Θ(U[t-1] - U_thr)                          (from the previous membrane, detached)
///     E'       = α I_exc[t-1] + X[t]
///     H'       = β I_inh[t-1] - X[t]
///     τ_α      = log α / (log β - log α) + 1
///     U'       = τ_α (E' + H')
///     reset_mechanism "zero" (snnTorch's default for Alpha):
///         I_exc[t] = (1 - R) E',  I_inh[t] = (1 - R) H',  U[t] = (1 - R) U'
///     reset_mechanism "subtract":
///         I_exc[t] = E' - R U_thr,  I_inh[t] = (1 - R) H',  U[t] = U' + R I_inh[t-1]
///     reset_mechanism "none":
///         I_exc[t] = E',  I_inh[t] = H',  U[t] = U'
///     S[t]     = Θ(U[t] - U_thr)                            (strict >)
///
/// This is snnTorch's code (`_base_state_function`, `_base_sub`, `_base_zero`), not its docstring, which
/// writes `τ_α = log(α)/log(β) - log(α) + 1`; the subtract rule's `U + R I_inh[t-1]` is snnTorch's
/// `mem -= reset * (-syn_inh)`. α and β are clamped to [0, 1] in the forward pass. The membrane has no memory
/// of its own: U[t] depends on U[t-1] only through the detached reset. States `syn_exc`, `syn_inh` and `v`
/// (snnTorch's `mem`) as returned by the step; all start at 0. Defaults: alpha 0.9, beta 0.8 (snnTorch's
/// example; it has no defaults), threshold 1, reset_mechanism zero, atan surrogate (alpha 2). snnTorch
/// requires α > β (and β ≠ 1); here α is in (0, 1] and β in (0, 1). Backward: the surrogate for dS/dU, no
/// gradient through R. Learnable: alpha, beta (through the currents and τ_α) and threshold.
public struct SnnTorchAlpha: NeuronModel, Equatable {
    public typealias State = FloatVector<3>
    public static var id: String { "alpha" }
    public static var stateNames: [String] { ["syn_exc", "syn_inh", "v"] }
    public static var isSpiking: Bool { true }

    /// Excitatory current decay rate α per step (`alpha`), in (0, 1], greater than `beta`.
    public var alpha: Float
    /// Inhibitory current decay rate β per step (`beta`), in (0, 1).
    public var beta: Float
    /// Firing threshold `U_thr` (`threshold`).
    public var threshold: Float
    /// What the reset does (`reset_mechanism`).
    public var resetMechanism: SnnTorchResetMechanism
    /// Surrogate gradient of the spike (`spike_grad`).
    public var surrogate: Surrogate

    /// An Alpha neuron; defaults as documented on the type.
    public init(alpha: Float = 0.9, beta: Float = 0.8, threshold: Float = 1,
                resetMechanism: SnnTorchResetMechanism = .zero, surrogate: Surrogate = .atan) {
        self.alpha = alpha; self.beta = beta; self.threshold = threshold
        self.resetMechanism = resetMechanism; self.surrogate = surrogate
    }

    /// All currents and the membrane start at 0.
    public var initialState: FloatVector<3> { FloatVector<3>() }

    /// `alpha` (in (0, 1]), `beta` (in (0, 1)) and `threshold`, all learnable. α > β is checked when the model
    /// is built from parameters (a per-neuron constraint between two parameters is not a domain).
    public static var parameterNames: [String] { ["alpha", "beta", "threshold"] }
    public static var learnableParameterNames: [String] { ["alpha", "beta", "threshold"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0: return value > 0 && value <= 1 ? nil : "in (0, 1]"
        case 1: return value > 0 && value < 1 ? nil : "in (0, 1)"
        default: return nil
        }
    }
    public var parameters: FloatVector<3> {
        get { FloatVector([alpha, beta, threshold]) }
        set { alpha = newValue[0]; beta = newValue[1]; threshold = newValue[2] }
    }

    /// The membrane scale `τ_α = log α / (log β - log α) + 1` of the clamped rates, and its derivatives with
    /// respect to α and β: `dτ/dα = log β / (α D²)`, `dτ/dβ = -log α / (β D²)`, `D = log β - log α`.
    @inlinable @inline(__always) func membraneScale(_ a: Float, _ b: Float) -> (tau: Float, dA: Float, dB: Float) {
        let la = Foundation.log(a), lb = Foundation.log(b)
        let d = lb - la
        return (la / d + 1, lb / (a * d * d), -la / (b * d * d))
    }

    /// One update before firing. `keepE`, `keepH`, `keepU` multiply E', H', U' in the new state.
    @inlinable @inline(__always)
    func update(_ x: Float, _ s: FloatVector<3>)
        -> (e: Float, h: Float, tau: Float, next: FloatVector<3>, reset: Float, keepE: Float, keepH: Float, keepU: Float) {
        let r = snnTorchResetFlag(s[2], threshold: threshold)
        let a = snnTorchClampedDecay(alpha).value, b = snnTorchClampedDecay(beta).value
        let e = a * s[0] + x
        let h = b * s[1] - x
        let tau = membraneScale(a, b).tau
        let u = tau * (e + h)
        var next = FloatVector<3>()
        switch resetMechanism {
        case .zero:
            next[0] = e - e * r; next[1] = h - h * r; next[2] = u - u * r
            return (e, h, tau, next, r, 1 - r, 1 - r, 1 - r)
        case .subtract:
            next[0] = e - threshold * r; next[1] = h - h * r; next[2] = u - (-s[1]) * r
            return (e, h, tau, next, r, 1, 1 - r, 1)
        case .none:
            next[0] = e; next[1] = h; next[2] = u
            return (e, h, tau, next, r, 1, 1, 1)
        }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let p = update(x, s)
        return (surrogate.snnTorchFire(p.next[2] - threshold), p.next)
    }

    /// Gradients of E', H' and U' (and of the membrane after the reset) from those of the output and next state.
    @inlinable @inline(__always)
    func backward(_ p: (e: Float, h: Float, tau: Float, next: FloatVector<3>, reset: Float, keepE: Float, keepH: Float, keepU: Float),
                  gOut: Float, gNext: FloatVector<3>) -> (gFire: Float, gU: Float, gUPre: Float, gE: Float, gH: Float) {
        let gFire = gOut * surrogate.derivative(p.next[2] - threshold)
        let gU = gFire + gNext[2]
        let gUPre = gU * p.keepU
        return (gFire, gU, gUPre, gNext[0] * p.keepE + p.tau * gUPre, gNext[1] * p.keepH + p.tau * gUPre)
    }

    @inlinable @inline(__always)
    public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let p = update(x, s)
        let g = backward(p, gOut: gOut, gNext: gNext)
        var gPrev = FloatVector<3>()
        gPrev[0] = g.gE * snnTorchClampedDecay(alpha).value
        gPrev[1] = g.gH * snnTorchClampedDecay(beta).value + (resetMechanism == .subtract ? g.gU * p.reset : 0)
        gPrev[2] = 0
        return (g.gE - g.gH, gPrev)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> FloatVector<3> {
        let p = update(x, s)
        let g = backward(p, gOut: gOut, gNext: gNext)
        let (a, sa) = snnTorchClampedDecay(alpha), (b, sb) = snnTorchClampedDecay(beta)
        let scale = membraneScale(a, b)
        let gTau = g.gUPre * (p.e + p.h)
        var out = FloatVector<3>()
        out[0] = (g.gE * s[0] + gTau * scale.dA) * sa
        out[1] = (g.gH * s[1] + gTau * scale.dB) * sb
        out[2] = -g.gFire - (resetMechanism == .subtract ? gNext[0] * p.reset : 0)
        return out
    }
}
