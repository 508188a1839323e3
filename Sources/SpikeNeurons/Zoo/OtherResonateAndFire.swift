import Foundation

/// Resonate-and-fire neuron (Izhikevich 2001, "Resonate-and-fire neurons", Neural Networks 14:883-894): a
/// damped linear oscillator with a firing threshold,
///
///     dz/dt = (b + iω) z + I,    z = x + i y,
///
/// where x is current-like, y voltage-like (the membrane, state `v`), b < 0 the damping and ω the natural
/// angular frequency. The neuron fires when y reaches the threshold, after which z is reset to
/// `x_reset + i y_reset` (z = i, i.e. x_reset 0 and y_reset 1 with threshold 1, in BrainPy's
/// `ResonateandFire`, which follows the paper).
///
/// Discretisation: the exact flow of the linear part over one step, with the input of step t delivered as an
/// impulse of area `I[t] dt` at the end of the step (exact for a train of brief pulses, which is how the
/// paper probes resonance):
///
///     z' = e^{(b + iω) dt} z[t-1] + I[t] dt
///        x' = c x - s y + I[t] dt,   y' = s x + c y,   c = e^{b dt} cos(ω dt),   s = e^{b dt} sin(ω dt)
///     S[t] = Θ(y' - threshold)
///     x[t] = x' (1 - S) + x_reset S,   y[t] = y' (1 - S) + y_reset S
///
/// Units: time in the unit of `dt` (ms by the zoo's convention), so b is in 1/ms, ω in rad/ms, I in 1/ms
/// (a step input `I` moves x by `I dt`). Without input and spikes y oscillates as `e^{bt} sin(ωt)` at
/// period 2π/ω. Defaults: b -1, omega 10 (BrainPy's `ResonateandFire` defaults), threshold 1,
/// x_reset 0, y_reset 1, dt 0.01, sigmoid surrogate (alpha 4), gradient through the reset unless
/// `detachReset`. z starts at 0. Learnable: b and omega.
public struct ResonateAndFire: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "rf" }
    /// `x` = Re z (current-like) and `v` = y = Im z (voltage-like, the membrane).
    public static var stateNames: [String] { ["x", "v"] }
    public static var isSpiking: Bool { true }

    /// Damping rate b (1/ms), < 0.
    public var damping: Float { didSet { updateRotation() } }
    /// Natural angular frequency ω (rad/ms), > 0.
    public var angularFrequency: Float { didSet { updateRotation() } }
    /// Firing threshold on y (the paper's a_thresh).
    public var threshold: Float
    /// Value of x after a spike.
    public var xReset: Float
    /// Value of y after a spike.
    public var yReset: Float
    /// Time step (ms), > 0.
    public var dt: Float { didSet { updateRotation() } }
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate
    /// Stop gradients through the reset.
    public var detachReset: Bool
    /// `e^{b dt} cos(ω dt)`, derived.
    public private(set) var c: Float = 0
    /// `e^{b dt} sin(ω dt)`, derived.
    public private(set) var s: Float = 0

    /// A resonate-and-fire neuron; defaults as documented on the type.
    public init(b: Float = -1, omega: Float = 10, threshold: Float = 1, xReset: Float = 0, yReset: Float = 1,
                dt: Float = 0.01, surrogate: Surrogate = .sigmoid, detachReset: Bool = false) {
        damping = b; angularFrequency = omega; self.threshold = threshold
        self.xReset = xReset; self.yReset = yReset; self.dt = dt
        self.surrogate = surrogate; self.detachReset = detachReset
        updateRotation()
    }

    mutating func updateRotation() {
        let decay = Foundation.exp(damping * dt)
        c = decay * Foundation.cos(angularFrequency * dt)
        s = decay * Foundation.sin(angularFrequency * dt)
    }

    /// z = 0.
    public var initialState: FloatVector<2> { FloatVector<2>() }

    /// `b` (< 0), `omega` (> 0), `threshold`, `x_reset`, `y_reset`, `dt` (> 0); b and omega learnable.
    public static var parameterNames: [String] { ["b", "omega", "threshold", "x_reset", "y_reset", "dt"] }
    public static var learnableParameterNames: [String] { ["b", "omega"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0: return value < 0 ? nil : "< 0"
        case 1, 5: return value > 0 ? nil : "> 0"
        default: return nil
        }
    }
    public var parameters: FloatVector<6> {
        get { FloatVector([damping, angularFrequency, threshold, xReset, yReset, dt]) }
        set {
            damping = newValue[0]; angularFrequency = newValue[1]; threshold = newValue[2]
            xReset = newValue[3]; yReset = newValue[4]; dt = newValue[5]
        }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ st: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let xh = c * st[0] - s * st[1] + x * dt
        let yh = s * st[0] + c * st[1]
        let spike = surrogate.spike(yh - threshold)
        var next = FloatVector<2>()
        next[0] = xh * (1 - spike) + xReset * spike
        next[1] = yh * (1 - spike) + yReset * spike
        return (spike, next)
    }

    /// Gradients of x' and y' (before the reset) from those of the output and next state.
    @inlinable @inline(__always) func backward(_ x: Float, _ st: FloatVector<2>, gOut: Float, gNext: FloatVector<2>)
        -> (gx: Float, gy: Float) {
        let xh = c * st[0] - s * st[1] + x * dt
        let yh = s * st[0] + c * st[1]
        let u = yh - threshold
        let spike = surrogate.spike(u)
        var gSpike = gOut
        if !detachReset { gSpike += gNext[0] * (xReset - xh) + gNext[1] * (yReset - yh) }
        return (gNext[0] * (1 - spike), gNext[1] * (1 - spike) + gSpike * surrogate.derivative(u))
    }

    @inlinable @inline(__always)
    public func stepVJP(_ x: Float, _ st: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let g = backward(x, st, gOut: gOut, gNext: gNext)
        var gPrev = FloatVector<2>()
        gPrev[0] = c * g.gx + s * g.gy
        gPrev[1] = -s * g.gx + c * g.gy
        return (g.gx * dt, gPrev)
    }

    /// With `c = e^{b dt} cos ωdt`, `s = e^{b dt} sin ωdt`: ∂(c, s)/∂b = dt (c, s), ∂(c, s)/∂ω = dt (-s, c).
    @inlinable public func parameterVJP(_ x: Float, _ st: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<6> {
        let g = backward(x, st, gOut: gOut, gNext: gNext)
        let rx = c * st[0] - s * st[1], ry = s * st[0] + c * st[1]   // e^{λ dt} z: its b-derivative is dt times it
        var out = FloatVector<6>()
        out[0] = dt * (g.gx * rx + g.gy * ry)
        out[1] = dt * (-g.gx * ry + g.gy * rx)
        return out
    }
}
