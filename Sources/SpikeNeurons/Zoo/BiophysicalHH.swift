import Foundation

/// Hodgkin & Huxley (1952, J. Physiol. 117) squid-axon neuron as SPAIC's `HodgkinHuxleyModel`
/// (spaic/Neuron/Neuron.py, "hh"): the 1952 rate functions with the rest at 0 mV (u = V + Vreset, SPAIC's
/// voltage shift, 0 by default), gates updated first from the previous V, then the membrane with the new gates
/// and the previous V (SPAIC's order). Units: mV, ms, mS/cm², µA/cm², µF/cm².
///
///     alpha_m = 0.1 (25 - u) / (exp((25 - u)/10) - 1)     beta_m = 4 exp(-u/18)
///     alpha_n = 0.01 (10 - u) / (exp((10 - u)/10) - 1)    beta_n = 0.125 exp(-u/80)
///     alpha_h = 0.07 exp(-u/20)                           beta_h = 1 / (exp((30 - u)/10) + 1)
///     x' = x + dt (alpha_x (1 - x) - beta_x x)            (x = m, n, h)
///     V' = V + dt/C (I - g_NA m'³ h' (V - E_NA) - g_K n'⁴ (V - E_K) - g_L (V - E_L))
///     spike = Θ(V' - v_th) (1 - Θ(V - v_th))              (upward crossing, strict >)
///
/// Defaults: g_NA 120, g_K 36, g_L 0.3 mS/cm², E_NA 115, E_K -12, E_L 10.6 mV, C 1 µF/cm², V (initial) 0 mV,
/// gates at their steady state `alpha/(alpha + beta)` at the initial V, v_th 50 mV, dt 0.01 ms.
///
/// Where SPAIC differs, we follow the 1952 paper and say so: SPAIC's default E_NA is 120 mV (published: 115);
/// its initial gates are m = n = 0.5, h = 0.06 (far from rest: without input V swings to +3.5 and -7.6 mV over
/// the first 10 ms before settling; pass `m`, `n`, `h` to get them); SPAIC adds its input to V unscaled
/// (`V += Isyn - dt Iion`), a voltage increment per step, where we take the current density (SPAIC's
/// Isyn = dt I / C); and SPAIC's output is the level `V > v_th` (v_th 1 mV) at every step, which marks the
/// whole action potential, where we emit one spike per upward crossing.
///
/// Surrogate: fast-sigmoid (SuperSpike) with slope 1 per mV on both factors of the crossing. Learnable:
/// g_NA, g_K, g_L, E_NA, E_K, E_L, C, v_th.
public struct HodgkinHuxley: NeuronModel, Equatable {
    /// The state vector (see `stateNames`).
    public typealias State = FloatVector<4>
    /// `hh`.
    public static var id: String { "hh" }
    /// `v` (mV) and the gates `m`, `n`, `h`.
    public static var stateNames: [String] { ["v", "m", "n", "h"] }
    /// Emits spikes.
    public static var isSpiking: Bool { true }

    /// Maximal sodium conductance `g_NA` (mS/cm²).
    public var gNa: Float
    /// Maximal potassium conductance `g_K` (mS/cm²).
    public var gK: Float
    /// Leak conductance `g_L` (mS/cm²).
    public var gL: Float
    /// Sodium reversal `E_NA` (mV, relative to rest).
    public var eNa: Float
    /// Potassium reversal `E_K` (mV).
    public var eK: Float
    /// Leak reversal `E_L` (mV).
    public var eL: Float
    /// Membrane capacitance `C` (µF/cm²).
    public var capacitance: Float
    /// Spike detection threshold `v_th` (mV), crossed upwards.
    public var vThreshold: Float
    /// SPAIC's `Vreset`: shift added to V in the rate functions (mV).
    public var vShift: Float
    /// Initial membrane `V` (mV).
    public var v0: Float
    /// Time step `dt` (ms).
    public var dt: Float
    /// Initial gates (m, n, h), or nil for the steady state at the initial V.
    public var initialGates: (m: Float, n: Float, h: Float)?
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate

    /// Fast-sigmoid of slope 1 per mV.
    public static let defaultSurrogate = Surrogate(.fastSigmoid, alpha: 1)

    /// A model with the 1952 parameters.
    public init(gNa: Float = 120, gK: Float = 36, gL: Float = 0.3, eNa: Float = 115, eK: Float = -12, eL: Float = 10.6,
                capacitance: Float = 1, vThreshold: Float = 50, vShift: Float = 0, v0: Float = 0, dt: Float = 0.01,
                initialGates: (m: Float, n: Float, h: Float)? = nil, surrogate: Surrogate = HodgkinHuxley.defaultSurrogate) {
        self.gNa = gNa; self.gK = gK; self.gL = gL; self.eNa = eNa; self.eK = eK; self.eL = eL
        self.capacitance = capacitance; self.vThreshold = vThreshold; self.vShift = vShift; self.v0 = v0; self.dt = dt
        self.initialGates = initialGates; self.surrogate = surrogate
    }

    /// Equal parameters, initial gates and surrogate.
    public static func == (l: HodgkinHuxley, r: HodgkinHuxley) -> Bool {
        l.parameters == r.parameters && l.surrogate == r.surrogate
            && l.initialGates?.m == r.initialGates?.m && l.initialGates?.n == r.initialGates?.n && l.initialGates?.h == r.initialGates?.h
    }

    /// The six rate functions (1/ms) at `u` (mV relative to rest).
    @inlinable @inline(__always)
    public static func rates(_ u: Float) -> (am: Float, bm: Float, an: Float, bn: Float, ah: Float, bh: Float) {
        let am = biophysicalExprel((25 - u) / 10).g            // 0.1 (25-u) / (exp((25-u)/10) - 1)
        let an = 0.1 * biophysicalExprel((10 - u) / 10).g      // 0.01 (10-u) / (exp((10-u)/10) - 1)
        return (am, 4 * Foundation.exp(-u / 18), an, 0.125 * Foundation.exp(-u / 80),
                0.07 * Foundation.exp(-u / 20), 1 / (Foundation.exp((30 - u) / 10) + 1))
    }

    /// Derivatives of the six rate functions with respect to `u`.
    @inlinable @inline(__always)
    static func rateDerivatives(_ u: Float) -> (am: Float, bm: Float, an: Float, bn: Float, ah: Float, bh: Float) {
        let bh = 1 / (Foundation.exp((30 - u) / 10) + 1)
        return (-0.1 * biophysicalExprel((25 - u) / 10).dg, -4 * Foundation.exp(-u / 18) / 18,
                -0.01 * biophysicalExprel((10 - u) / 10).dg, -0.125 * Foundation.exp(-u / 80) / 80,
                -0.07 * Foundation.exp(-u / 20) / 20, bh * (1 - bh) / 10)
    }

    /// Steady-state gates `alpha/(alpha + beta)` at membrane `v` (mV, unshifted).
    public func steadyStateGates(at v: Float) -> (m: Float, n: Float, h: Float) {
        let r = HodgkinHuxley.rates(v + vShift)
        return (r.am / (r.am + r.bm), r.an / (r.an + r.bn), r.ah / (r.ah + r.bh))
    }

    /// `v = V`, gates as given or at steady state.
    public var initialState: FloatVector<4> {
        let g = initialGates ?? steadyStateGates(at: v0)
        var s = FloatVector<4>()
        s[0] = v0; s[1] = g.m; s[2] = g.n; s[3] = g.h
        return s
    }

    /// g_NA, g_K, g_L, E_NA, E_K, E_L, C, v_th, Vreset, V, dt (SPAIC's names; C is ours).
    public static var parameterNames: [String] { ["g_NA", "g_K", "g_L", "E_NA", "E_K", "E_L", "C", "v_th", "Vreset", "V", "dt"] }
    /// Conductances, reversal potentials, C and v_th.
    public static var learnableParameterNames: [String] { ["g_NA", "g_K", "g_L", "E_NA", "E_K", "E_L", "C", "v_th"] }
    /// Conductances >= 0; C, dt > 0.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0, 1, 2: return value >= 0 ? nil : ">= 0"
        case 6, 10: return value > 0 ? nil : "> 0"
        default: return nil
        }
    }
    /// The numeric parameters in the order of `parameterNames`.
    public var parameters: FloatVector<11> {
        get { FloatVector([gNa, gK, gL, eNa, eK, eL, capacitance, vThreshold, vShift, v0, dt]) }
        set {
            gNa = newValue[0]; gK = newValue[1]; gL = newValue[2]; eNa = newValue[3]; eK = newValue[4]; eL = newValue[5]
            capacitance = newValue[6]; vThreshold = newValue[7]; vShift = newValue[8]; v0 = newValue[9]; dt = newValue[10]
        }
    }

    /// The updated gates and membrane.
    @inlinable @inline(__always)
    func integrate(_ x: Float, _ s: FloatVector<4>) -> (v1: Float, m1: Float, n1: Float, h1: Float) {
        let v = s[0], m = s[1], n = s[2], h = s[3]
        let r = HodgkinHuxley.rates(v + vShift)
        let m1 = m + dt * (r.am * (1 - m) - r.bm * m)
        let n1 = n + dt * (r.an * (1 - n) - r.bn * n)
        let h1 = h + dt * (r.ah * (1 - h) - r.bh * h)
        let n2 = n1 * n1
        let iIon = gNa * (m1 * m1 * m1 * h1) * (v - eNa) + gK * (n2 * n2) * (v - eK) + gL * (v - eL)
        return (v + dt / capacitance * (x - iIon), m1, n1, h1)
    }

    /// One step: gates, then membrane (the equations above), and the upward-crossing spike.
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<4>) -> (out: Float, next: FloatVector<4>) {
        let (v1, m1, n1, h1) = integrate(x, s)
        let o = biophysicalSpike(v1 - vThreshold, surrogate) * (1 - biophysicalSpike(s[0] - vThreshold, surrogate))
        var n = FloatVector<4>()
        n[0] = v1; n[1] = m1; n[2] = n1; n[3] = h1
        return (o, n)
    }

    /// Gradients of V', m', n', h' and the gradient reaching V through the spike's previous-step factor.
    @inlinable @inline(__always)
    func back(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gv1: Float, gm1: Float, gn1: Float, gh1: Float, gvSpike: Float, gTh: Float, v1: Float, m1: Float, n1: Float, h1: Float) {
        let (v1, m1, n1, h1) = integrate(x, s)
        let v = s[0]
        let p1 = v1 - vThreshold, p0 = v - vThreshold
        let s1 = biophysicalSpike(p1, surrogate), s0 = biophysicalSpike(p0, surrogate)
        let d1 = surrogate.derivative(p1), d0 = surrogate.derivative(p0)
        let gv1 = gNext[0] + gOut * d1 * (1 - s0)
        let k = dt / capacitance
        let gm1 = gNext[1] - gv1 * k * gNa * 3 * m1 * m1 * h1 * (v - eNa)
        let n3 = n1 * n1 * n1
        let gn1 = gNext[2] - gv1 * k * gK * 4 * n3 * (v - eK)
        let gh1 = gNext[3] - gv1 * k * gNa * m1 * m1 * m1 * (v - eNa)
        let gvSpike = -gOut * s1 * d0
        let gTh = gOut * (-d1 * (1 - s0) + s1 * d0)
        return (gv1, gm1, gn1, gh1, gvSpike, gTh, v1, m1, n1, h1)
    }

    /// VJP of `step`: gradients of the input and of the previous state (surrogate for the spike).
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gx: Float, gPrev: FloatVector<4>) {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        let v = s[0], m = s[1], n = s[2], h = s[3]
        let u = v + vShift
        let r = HodgkinHuxley.rates(u), dr = HodgkinHuxley.rateDerivatives(u)
        let k = dt / capacitance
        let n2 = b.n1 * b.n1
        var g = FloatVector<4>()
        g[0] = b.gv1 * (1 - k * (gNa * b.m1 * b.m1 * b.m1 * b.h1 + gK * n2 * n2 + gL)) + b.gvSpike
            + b.gm1 * dt * (dr.am * (1 - m) - dr.bm * m)
            + b.gn1 * dt * (dr.an * (1 - n) - dr.bn * n)
            + b.gh1 * dt * (dr.ah * (1 - h) - dr.bh * h)
        g[1] = b.gm1 * (1 - dt * (r.am + r.bm))
        g[2] = b.gn1 * (1 - dt * (r.an + r.bn))
        g[3] = b.gh1 * (1 - dt * (r.ah + r.bh))
        return (b.gv1 * k, g)
    }

    /// Gradient of `step` with respect to the learnable parameters (zero for the others).
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> FloatVector<11> {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        let v = s[0], k = dt / capacitance
        let m3h = b.m1 * b.m1 * b.m1 * b.h1, n2 = b.n1 * b.n1, n4 = n2 * n2
        var g = FloatVector<11>()
        g[0] = -b.gv1 * k * m3h * (v - eNa)
        g[1] = -b.gv1 * k * n4 * (v - eK)
        g[2] = -b.gv1 * k * (v - eL)
        g[3] = b.gv1 * k * gNa * m3h
        g[4] = b.gv1 * k * gK * n4
        g[5] = b.gv1 * k * gL
        g[6] = -b.gv1 * (b.v1 - v) / capacitance
        g[7] = b.gTh
        return g
    }
}
