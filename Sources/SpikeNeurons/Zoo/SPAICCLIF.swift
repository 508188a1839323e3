import Foundation

// SPAIC (ZJU SPAIC, spaic/Neuron/Neuron.py, release 0.6.3) current-based LIF neurons with three kernels: `CLIFModel`
// ("clif") and `AdaptiveCLIFModel` ("aclif"). SPAIC writes each model as a list of backend operations run once per
// step; the structs below run the same operations in the same order with float32 rounding. SPAIC turns every
// `_tau_variables` entry into the decay factor `exp(-dt / tau)` when the network is built (in float64, stored as
// float32), with `dt` the backend step in ms (0.1 by default).

/// Shared SPAIC settings.
public enum SPAIC {
    /// The surrogate of SPAIC's STCA learner (spaic/Learning/STCA_Learner.py, `alpha = 0.5`): forward `V > v_th`,
    /// backward 1 where `|V - v_th| < alpha`. That is our `rectangle` of width 1 (`Surrogate(.rectangle, alpha: 1)`:
    /// σ' = 1 for |x| < 1/2). The default surrogate of the SPAIC models.
    public static let stcaSurrogate = Surrogate(.rectangle, alpha: 1)
}

/// SPAIC's spike: `O = Θ(V - v_th)` with strict `>` (SPAIC's `threshold` operator is `torch.gt(x, v_th)`), or the
/// surrogate's smooth primitive with `smoothForward` (gradient checks).
@inlinable @inline(__always)
func spaicSpike(_ x: Float, _ surrogate: Surrogate) -> Float {
    if surrogate.smoothForward { return surrogate.primitive(x) }
    return x > 0 ? 1 : 0
}

/// The constants SPAIC derives from `tau_p`, `tau_q` and `dt` for the M and S kernels, with their derivatives.
///
/// Decay factors `beta_p = exp(-dt/tau_p)`, `beta_q = exp(-dt/tau_q)` and the PSP normalisation
/// `V0 = beta^(beta/(beta-1)) / (beta-1)` with `beta = tau_p/tau_q` (SPAIC computes V0 from the time constants
/// themselves, not from the decay factors): V0 makes the peak of the continuous kernel
/// `exp(-t/tau_p) - exp(-t/tau_q)` equal to 1. Computed in double as numpy does, rounded to float.
/// `dV0/dbeta = -V0 ln(beta) / (beta-1)^2`.
///
/// SPAIC registers V0 as a parameter variable, and `NeuronGroup.build` gives every parameter variable the range
/// [0, 1] (`min 0.0, max 1.0`), which clamps it: the V0 SPAIC runs with is `clamp(V0, 0, 1)`, i.e. 1 whenever
/// tau_p > tau_q (V0 > 1 there) and 0 when tau_p < tau_q. Its docstring's `I = V0 Isyn` with the unclamped V0
/// is not what runs (checked against SPAIC 0.6.3, Fixtures/spaic_clif_0); we follow the code, so the clamped V0
/// has no gradient in the time constants.
@usableFromInline
struct SPAICKernelConstants: Sendable, Equatable {
    @usableFromInline let betaP, betaQ, v0: Float
    /// d beta_p / d tau_p, d beta_q / d tau_q, d V0 / d tau_p, d V0 / d tau_q.
    @usableFromInline let dBetaP, dBetaQ, dV0dTauP, dV0dTauQ: Float

    @usableFromInline init(tauP: Float, tauQ: Float, dt: Float) {
        let (tp, tq, h) = (Double(tauP), Double(tauQ), Double(dt))
        let bp = Foundation.exp(-h / tp), bq = Foundation.exp(-h / tq)
        let beta = tp / tq
        let v0 = Foundation.pow(beta, beta / (beta - 1)) / (beta - 1)
        let dv0dBeta = -v0 * Foundation.log(beta) / ((beta - 1) * (beta - 1))
        let clamped = Swift.min(Swift.max(v0, 0), 1)
        betaP = Float(bp); betaQ = Float(bq); self.v0 = Float(clamped)
        dBetaP = Float(bp * h / (tp * tp)); dBetaQ = Float(bq * h / (tq * tq))
        let free = clamped == v0   // inside (0, 1): the gradient of the unclamped V0
        dV0dTauP = free ? Float(dv0dBeta / tq) : 0; dV0dTauQ = free ? Float(-dv0dBeta * tp / (tq * tq)) : 0
    }
}

/// `exp(-dt/tau)` in double, rounded to float (SPAIC's `_tau_variables`), and its derivative in tau.
@inlinable
func spaicDecay(tau: Float, dt: Float) -> (beta: Float, dBeta: Float) {
    let b = Foundation.exp(-Double(dt) / Double(tau))
    return (Float(b), Float(b * Double(dt) / (Double(tau) * Double(tau))))
}

/// SPAIC's current-based LIF with three kernels, `CLIFModel` (registered as "clif", spaic/Neuron/Neuron.py):
///
///     I[t] = V0 x[t]                       V0 clamped to [0, 1] as SPAIC runs it (see SPAICKernelConstants): 1
///     M[t] = beta_p M[t-1] + I[t]          membrane-like (excitatory) kernel, tau_p
///     S[t] = beta_q S[t-1] + I[t]          synaptic kernel, tau_q
///     V[t] = (M[t] - S[t]) - E[t-1]
///     O[t] = Θ(V[t] - v_th)                strict: fires when V > v_th
///     E[t] = beta_m E[t-1] + v_th O[t]      reset (refractory) kernel, tau_m
///
/// with `beta_k = exp(-dt/tau_k)` and `V0 = beta^(beta/(beta-1))/(beta-1)`, `beta = tau_p/tau_q`: one input of
/// 1 at t = 0 gives the PSP `V0 (exp(-t/tau_p) - exp(-t/tau_q))`, a difference of exponentials that peaks at
/// 1 at `t* = tau_p tau_q/(tau_p - tau_q) ln(tau_p/tau_q)`. A spike does not reset V directly: it adds v_th to the
/// E kernel, which is subtracted from the next step on and decays with tau_m. V is the membrane of the step
/// before the spike's E is added (SPAIC's `V`).
///
/// Units: time constants and `dt` in ms, potentials in units of the normalised PSP. Defaults as SPAIC: tau_m 20,
/// tau_p 12, tau_q 8, v_th 1, dt 0.1 (SPAIC's backend default); the STCA surrogate. Initial state all 0.
/// State `v` (SPAIC's V), `M`, `S`, `E`; output O. Gradients flow through the E kernel (SPAIC does not detach
/// it). `tau_p` must differ from `tau_q` (V0 is undefined at beta = 1).
public struct SPAICCLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<4>
    public static var id: String { "clif" }
    /// `v` (index 0), `M`, `S`, `E`.
    public static var stateNames: [String] { ["v", "M", "S", "E"] }
    public static var isSpiking: Bool { true }

    /// Time constant of the reset kernel E, `tau_m` (ms, > 0).
    public let tauM: Float
    /// Time constant of the M kernel, `tau_p` (ms, > 0).
    public let tauP: Float
    /// Time constant of the S kernel, `tau_q` (ms, > 0, != tau_p).
    public let tauQ: Float
    /// Threshold `v_th`, also the size of E's jump at a spike.
    public let threshold: Float
    /// Time step `dt` (ms, > 0).
    public let dt: Float
    /// Surrogate gradient of the spike.
    public let surrogate: Surrogate
    /// `exp(-dt/tau_m)` and its derivative in tau_m.
    public let betaM: Float
    @usableFromInline let dBetaM: Float
    @usableFromInline let k: SPAICKernelConstants

    public init(tauM: Float = 20, tauP: Float = 12, tauQ: Float = 8, threshold: Float = 1, dt: Float = 0.1,
                surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.tauM = tauM; self.tauP = tauP; self.tauQ = tauQ; self.threshold = threshold; self.dt = dt
        self.surrogate = surrogate
        (betaM, dBetaM) = spaicDecay(tau: tauM, dt: dt)
        k = SPAICKernelConstants(tauP: tauP, tauQ: tauQ, dt: dt)
    }

    /// The PSP normalisation V0.
    public var v0: Float { k.v0 }

    public var initialState: FloatVector<4> { FloatVector<4>() }

    /// `tau_m`, `tau_p`, `tau_q`, `v_th`, `dt`; all but `dt` learnable.
    public static var parameterNames: [String] { ["tau_m", "tau_p", "tau_q", "v_th", "dt"] }
    public static var learnableParameterNames: [String] { ["tau_m", "tau_p", "tau_q", "v_th"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k != 3 && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<5> {
        get { FloatVector([tauM, tauP, tauQ, threshold, dt]) }
        set { self = SPAICCLIF(tauM: newValue[0], tauP: newValue[1], tauQ: newValue[2], threshold: newValue[3], dt: newValue[4], surrogate: surrogate) }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<4>) -> (out: Float, next: FloatVector<4>) {
        let i = k.v0 * x
        let m = k.betaP * s[1] + i
        let sy = k.betaQ * s[2] + i
        let v = (m - sy) - s[3]
        let o = spaicSpike(v - threshold, surrogate)
        var n = FloatVector<4>()
        n[0] = v; n[1] = m; n[2] = sy; n[3] = betaM * s[3] + threshold * o
        return (o, n)
    }

    /// Backward through one step: gradients of M[t], S[t] (totals), of the spike and the surrogate slope.
    @inlinable @inline(__always)
    func back(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gM: Float, gS: Float, gO: Float, sg: Float, o: Float) {
        let i = k.v0 * x
        let v = ((k.betaP * s[1] + i) - (k.betaQ * s[2] + i)) - s[3]
        let sg = surrogate.derivative(v - threshold)
        let gO = gOut + gNext[3] * threshold
        let gV = gNext[0] + gO * sg
        return (gNext[1] + gV, gNext[2] - gV, gO, sg, spaicSpike(v - threshold, surrogate))
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gx: Float, gPrev: FloatVector<4>) {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        var g = FloatVector<4>()
        g[1] = b.gM * k.betaP
        g[2] = b.gS * k.betaQ
        g[3] = gNext[3] * betaM - (b.gM - gNext[1])   // E[t-1] enters V with -1: gV = gM - gNext[1]
        return (k.v0 * (b.gM + b.gS), g)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> FloatVector<5> {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        var g = FloatVector<5>()
        g[0] = gNext[3] * s[3] * dBetaM
        g[1] = b.gM * (s[1] * k.dBetaP + x * k.dV0dTauP) + b.gS * x * k.dV0dTauP
        g[2] = b.gM * x * k.dV0dTauQ + b.gS * (s[2] * k.dBetaQ + x * k.dV0dTauQ)
        g[3] = gNext[3] * b.o - b.gO * b.sg
        return g
    }
}

/// SPAIC's adaptive current-based LIF, `AdaptiveCLIFModel` (registered as "aclif", spaic/Neuron/Neuron.py): the
/// three-kernel `SPAICCLIF` with an adaptation variable `Vth1` driven by the previous step's spike and added,
/// scaled by `beta_adaptive`, to the reset kernel:
///
///     Vth1[t] = beta_a Vth1[t-1] + O[t-1]           adaptation, tau_a (SPAIC's `Vth1[stay]`)
///     I[t] = V0 x[t];  M[t] = beta_p M[t-1] + I[t];  S[t] = beta_q S[t-1] + I[t]
///     V[t] = (M[t] - S[t]) - (beta_adaptive Vth1[t] + E[t-1])
///     O[t] = Θ(V[t] - v_th)                          strict
///     E[t] = beta_m E[t-1] + v_th O[t]
///
/// so the effective threshold `v_th + beta_adaptive Vth1 + E` grows with every spike and relaxes with tau_a
/// (spike-frequency adaptation). Defaults as SPAIC: tau_m 20, tau_p 12, tau_q 8, tau_a 2000 (ms), v_th 1,
/// beta_adaptive 0.1, dt 0.1; the STCA surrogate; initial state all 0. State `v`, `M`, `S`, `E`, `Vth1`, and
/// `O` (the previous spike, which SPAIC's Vth1 update reads; gradients flow through it as in SPAIC).
public struct SPAICAdaptiveCLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<6>
    public static var id: String { "aclif" }
    /// `v` (index 0), `M`, `S`, `E`, `Vth1`, `O`.
    public static var stateNames: [String] { ["v", "M", "S", "E", "Vth1", "O"] }
    public static var isSpiking: Bool { true }

    /// Time constant of the reset kernel E, `tau_m` (ms, > 0).
    public let tauM: Float
    /// Time constant of the M kernel, `tau_p` (ms, > 0).
    public let tauP: Float
    /// Time constant of the S kernel, `tau_q` (ms, > 0, != tau_p).
    public let tauQ: Float
    /// Time constant of the adaptation `Vth1`, `tau_a` (ms, > 0).
    public let tauA: Float
    /// Threshold `v_th`.
    public let threshold: Float
    /// Weight of the adaptation in the threshold, `beta_adaptive`.
    public let betaAdaptive: Float
    /// Time step `dt` (ms, > 0).
    public let dt: Float
    /// Surrogate gradient of the spike.
    public let surrogate: Surrogate
    /// `exp(-dt/tau_m)`, `exp(-dt/tau_a)`.
    public let betaM, betaA: Float
    @usableFromInline let dBetaM, dBetaA: Float
    @usableFromInline let k: SPAICKernelConstants

    public init(tauM: Float = 20, tauP: Float = 12, tauQ: Float = 8, tauA: Float = 2000, threshold: Float = 1,
                betaAdaptive: Float = 0.1, dt: Float = 0.1, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.tauM = tauM; self.tauP = tauP; self.tauQ = tauQ; self.tauA = tauA; self.threshold = threshold
        self.betaAdaptive = betaAdaptive; self.dt = dt; self.surrogate = surrogate
        (betaM, dBetaM) = spaicDecay(tau: tauM, dt: dt)
        (betaA, dBetaA) = spaicDecay(tau: tauA, dt: dt)
        k = SPAICKernelConstants(tauP: tauP, tauQ: tauQ, dt: dt)
    }

    /// The PSP normalisation V0.
    public var v0: Float { k.v0 }

    public var initialState: FloatVector<6> { FloatVector<6>() }

    /// `tau_m`, `tau_p`, `tau_q`, `tau_a`, `v_th`, `beta_adaptive`, `dt`; all but `dt` learnable.
    public static var parameterNames: [String] { ["tau_m", "tau_p", "tau_q", "tau_a", "v_th", "beta_adaptive", "dt"] }
    public static var learnableParameterNames: [String] { ["tau_m", "tau_p", "tau_q", "tau_a", "v_th", "beta_adaptive"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return (k <= 3 || k == 6) && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<7> {
        get { FloatVector([tauM, tauP, tauQ, tauA, threshold, betaAdaptive, dt]) }
        set {
            self = SPAICAdaptiveCLIF(tauM: newValue[0], tauP: newValue[1], tauQ: newValue[2], tauA: newValue[3],
                                     threshold: newValue[4], betaAdaptive: newValue[5], dt: newValue[6], surrogate: surrogate)
        }
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<6>) -> (out: Float, next: FloatVector<6>) {
        let a = betaA * s[4] + s[5]
        let i = k.v0 * x
        let m = k.betaP * s[1] + i
        let sy = k.betaQ * s[2] + i
        let v = (m - sy) - (betaAdaptive * a + s[3])
        let o = spaicSpike(v - threshold, surrogate)
        var n = FloatVector<6>()
        n[0] = v; n[1] = m; n[2] = sy; n[3] = betaM * s[3] + threshold * o; n[4] = a; n[5] = o
        return (o, n)
    }

    /// Backward through one step: totals of M[t], S[t], V[t], Vth1[t] and the spike, the surrogate slope, o, Vth1[t].
    @inlinable @inline(__always)
    func back(_ x: Float, _ s: FloatVector<6>, gOut: Float, gNext: FloatVector<6>)
        -> (gM: Float, gS: Float, gV: Float, gA: Float, gO: Float, sg: Float, o: Float, a: Float) {
        let a = betaA * s[4] + s[5]
        let i = k.v0 * x
        let v = ((k.betaP * s[1] + i) - (k.betaQ * s[2] + i)) - (betaAdaptive * a + s[3])
        let sg = surrogate.derivative(v - threshold)
        let gO = gOut + gNext[5] + gNext[3] * threshold
        let gV = gNext[0] + gO * sg
        return (gNext[1] + gV, gNext[2] - gV, gV, gNext[4] - gV * betaAdaptive, gO, sg, spaicSpike(v - threshold, surrogate), a)
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<6>, gOut: Float, gNext: FloatVector<6>) -> (gx: Float, gPrev: FloatVector<6>) {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        var g = FloatVector<6>()
        g[1] = b.gM * k.betaP
        g[2] = b.gS * k.betaQ
        g[3] = gNext[3] * betaM - b.gV
        g[4] = b.gA * betaA
        g[5] = b.gA
        return (k.v0 * (b.gM + b.gS), g)
    }

    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<6>, gOut: Float, gNext: FloatVector<6>) -> FloatVector<7> {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        var g = FloatVector<7>()
        g[0] = gNext[3] * s[3] * dBetaM
        g[1] = b.gM * (s[1] * k.dBetaP + x * k.dV0dTauP) + b.gS * x * k.dV0dTauP
        g[2] = b.gM * x * k.dV0dTauQ + b.gS * (s[2] * k.dBetaQ + x * k.dV0dTauQ)
        g[3] = b.gA * s[4] * dBetaA
        g[4] = gNext[3] * b.o - b.gO * b.sg
        g[5] = -b.gV * b.a
        return g
    }
}
