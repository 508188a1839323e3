import Foundation

// SPAIC (spaic/Neuron/Neuron.py, release 0.6.3) Diehl & Cook (2015) excitatory neuron: `LIFSTDPEXModel`, registered
// in SPAIC as "lifstdp_ex", the float LIF with an adaptive threshold theta used for unsupervised STDP learning.

/// Diehl & Cook (2015) excitatory LIF neuron with adaptive threshold, SPAIC's `LIFSTDPEXModel` ("lifstdp_ex"):
///
///     V~[t]     = (decay_v (V[t-1] - v_rest) + v_rest) + x[t]      (x ignored while refractory, see below)
///     theta~[t] = decay_th theta[t-1]
///     O[t]      = Θ(V~[t] - (v_th + theta~[t]))                   strict: fires when V~ > v_th + theta~
///     V[t]      = v_reset O[t] + (V~[t] - V~[t] O[t])
///     theta[t]  = theta~[t] + th_inc O[t]
///
/// The leak and the threshold relaxation are per-step decay factors, as in SPAIC (not time constants): the
/// defaults `decay_v = exp(-1/100)` and `decay_th = exp(-1/1e7)` are tau_m = 100 steps and tau_theta = 1e7
/// steps. Defaults as SPAIC (mV): v_th -52, v_reset -60, v_rest -65, th_inc 0.05; the STCA surrogate. Initial
/// state V = -65 (SPAIC's fixed initial `V`, whatever v_rest is), theta = 0.
///
/// Refractory period (`reset_refrac`, steps, default 0): SPAIC's `lifstdp_ex` has none, so the default 0 is
/// SPAIC's model exactly. With `reset_refrac = R > 0` the input is ignored for the R steps after a spike, as in
/// SPAIC's integer Diehl & Cook model (`SPAICLIFInt`): the counter is set to R at a spike, the input is added only
/// while the counter is 0, and the counter falls by 1 per step (down to 0); the voltage keeps decaying. The
/// counter is not differentiable (its gradient is zero) and switches on the hard spike `V~ > v_th + theta~` even
/// with `smoothForward`.
///
/// State `v`, `theta`, `refrac_count`; output O. Gradients flow through the reset and theta.
public struct SPAICDiehlCook: NeuronModel, Equatable {
    public typealias State = FloatVector<3>
    public static var id: String { "diehl_cook" }
    /// `v` (index 0), `theta`, `refrac_count`.
    public static var stateNames: [String] { ["v", "theta", "refrac_count"] }
    public static var isSpiking: Bool { true }

    /// Base threshold `v_th` (mV).
    public var threshold: Float
    /// Reset potential `v_reset` (mV).
    public var vReset: Float
    /// Resting potential `v_rest` (mV), the fixed point of the leak.
    public var vRest: Float
    /// Threshold increment per spike `th_inc` (mV).
    public var thInc: Float
    /// Per-step decay factor of theta, `decay_th` (in [0, 1]).
    public var decayTh: Float
    /// Per-step decay factor of `V - v_rest`, `decay_v` (in [0, 1]).
    public var decayV: Float
    /// Refractory period `reset_refrac` in steps (an integer >= 0; 0 as SPAIC's lifstdp_ex).
    public var resetRefrac: Float
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate

    public init(threshold: Float = -52, vReset: Float = -60, vRest: Float = -65, thInc: Float = 0.05,
                decayTh: Float = Float(Foundation.exp(-1 / 1e7)), decayV: Float = Float(Foundation.exp(-1.0 / 100)),
                resetRefrac: Float = 0, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.threshold = threshold; self.vReset = vReset; self.vRest = vRest; self.thInc = thInc
        self.decayTh = decayTh; self.decayV = decayV; self.resetRefrac = resetRefrac; self.surrogate = surrogate
    }

    /// SPAIC's initial membrane, -65 mV (a constant in `LIFSTDPEXModel`, not v_rest).
    public static let initialV: Float = -65

    public var initialState: FloatVector<3> {
        var s = FloatVector<3>()
        s[0] = SPAICDiehlCook.initialV
        return s
    }

    /// `v_th`, `v_reset`, `v_rest`, `th_inc`, `decay_th`, `decay_v`, `reset_refrac`; all but `reset_refrac` learnable.
    public static var parameterNames: [String] { ["v_th", "v_reset", "v_rest", "th_inc", "decay_th", "decay_v", "reset_refrac"] }
    public static var learnableParameterNames: [String] { ["v_th", "v_reset", "v_rest", "th_inc", "decay_th", "decay_v"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 3: return value >= 0 ? nil : ">= 0"
        case 4, 5: return value >= 0 && value <= 1 ? nil : "in [0, 1]"
        case 6: return value >= 0 && value == value.rounded() && value < 16_777_216 ? nil : "an integer >= 0"
        default: return nil
        }
    }
    public var parameters: FloatVector<7> {
        get { FloatVector([threshold, vReset, vRest, thInc, decayTh, decayV, resetRefrac]) }
        set {
            threshold = newValue[0]; vReset = newValue[1]; vRest = newValue[2]; thInc = newValue[3]
            decayTh = newValue[4]; decayV = newValue[5]; resetRefrac = newValue[6]
        }
    }

    /// The integrated membrane V~, the decayed theta~, and whether the input was let in.
    @inlinable @inline(__always) func integrate(_ x: Float, _ s: FloatVector<3>) -> (vt: Float, th: Float, open: Bool) {
        let open = !(s[2] > 0)
        let psp = decayV * (s[0] - vRest) + vRest
        return (open ? psp + x : psp, decayTh * s[1], open)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let (vt, th, _) = integrate(x, s)
        let thr = threshold + th
        let o = spaicSpike(vt - thr, surrogate)
        var n = FloatVector<3>()
        n[0] = vReset * o + (vt - vt * o)
        n[1] = th + o * thInc
        n[2] = vt > thr ? resetRefrac : Swift.max(s[2] - 1, 0)
        return (o, n)
    }

    /// Backward through one step: totals of V~ and theta~ and of the spike, the surrogate slope, o and V~.
    @inlinable @inline(__always)
    func back(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gVt: Float, gTh: Float, gO: Float, sg: Float, o: Float, open: Bool) {
        let (vt, th, open) = integrate(x, s)
        let u = vt - (threshold + th)
        let o = spaicSpike(u, surrogate), sg = surrogate.derivative(u)
        let gO = gOut + gNext[0] * (vReset - vt) + gNext[1] * thInc
        return (gNext[0] * (1 - o) + gO * sg, gNext[1] - gO * sg, gO, sg, o, open)
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        var g = FloatVector<3>()
        g[0] = b.gVt * decayV
        g[1] = b.gTh * decayTh
        return (b.open ? b.gVt : 0, g)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> FloatVector<7> {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        var g = FloatVector<7>()
        g[0] = -b.gO * b.sg
        g[1] = gNext[0] * b.o
        g[2] = b.gVt * (1 - decayV)
        g[3] = gNext[1] * b.o
        g[4] = b.gTh * s[1]
        g[5] = b.gVt * (s[0] - vRest)
        return g
    }
}
