import Foundation

/// SPAIC's `aEIFModel` ("aeif", also registered as "adex") with SPAIC's own defaults: the update of `AEIF`
/// (which already follows SPAIC's code: capacitance/conductance form; the docstring's `tauM`/`delta_t2` form is
/// not what SPAIC computes), with SPAIC's `b = 0.0805` (its number, the paper's value in nA while every other
/// quantity is in pA/nS/pF) and the STCA surrogate of the other `spaic.*` models. `aeif` keeps the published
/// 80.5 pA.
public struct SPAICAEIF: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.aeif" }
    public static var stateNames: [String] { AEIF.stateNames }
    public static var isSpiking: Bool { true }
    /// The update (SPAIC's code with SPAIC's defaults).
    public var base: AEIF
    /// SPAIC's defaults: C 281, gL 30, EL -70.6, v_th -50.4, delta_t 2, a 4, b 0.0805, tau_w 144, Vspk 20, V -70.6, dt 0.1.
    public init(_ base: AEIF = AEIF(b: 0.0805, surrogate: SPAIC.stcaSurrogate)) { self.base = base }
    public var initialState: FloatVector<2> { base.initialState }
    public static var parameterNames: [String] { AEIF.parameterNames }
    public static var learnableParameterNames: [String] { AEIF.learnableParameterNames }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? { AEIF.parameterDomainError(k, value) }
    public var parameters: FloatVector<11> {
        get { base.parameters }
        set { base.parameters = newValue }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) { base.step(x, s) }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        base.stepVJP(x, s, gOut: gOut, gNext: gNext)
    }
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<11> {
        base.parameterVJP(x, s, gOut: gOut, gNext: gNext)
    }
}

/// SPAIC's `HodgkinHuxleyModel` ("hh") exactly as its code runs (spaic/Neuron/Neuron.py 0.6.3), unlike `hh`
/// (SpikeKit's form: E_NA 115, steady-state gates, a current-density input, one spike per crossing):
///
///     u = V + Vreset
///     a_m = am1 (am2 - u)/(exp((am2 - u)/am3) - 1),  b_m = bm1 exp((bm2 - u)/bm3)       (and n alike)
///     a_h = ah1 exp((ah2 - u)/ah3),                   b_h = bh1/(exp((bh2 - u)/bh3) + 1)
///     m' = m + dt (a_m (1 - m) - b_m m)               (n', h' alike)
///     V' = V + x - dt (g_NA m'^3 h' (V - E_NA) + g_K n'^4 (V - E_K) + g_L (V - E_L))
///     O  = V' > v_th                                  (a level: every step above v_th)
///
/// The input `x` is added to V as it is (SPAIC's `Isyn`, a voltage increment per step), and `dt` is the
/// backend step (SPAIC's `tauM = tauN = tauH = tauV = 1` membrane constants become dt/1). SPAIC's defaults:
/// g_NA 120, g_K 36, g_L 0.3, E_NA 120, E_K -12, E_L 10.6, v_th 1, Vreset 0, dt 0.1 ms, initial V 0, m 0.5,
/// n 0.5, h 0.06, and the 18 rate constants of Hodgkin & Huxley (alpha_m1 0.1, alpha_m2 25, alpha_m3 10, beta_m1
/// 4, beta_m2 0, beta_m3 18, alpha_n1 0.01, alpha_n2 10, alpha_n3 10, beta_n1 0.125, beta_n2 0, beta_n3 80,
/// alpha_h1 0.07, alpha_h2 0, alpha_h3 20, beta_h1 1, beta_h2 30, beta_h3 10). Surrogate: STCA on `V' - v_th`.
/// State `v`, `m`, `n`, `h`.
public struct SPAICHodgkinHuxley: NeuronModel, Equatable {
    public typealias State = FloatVector<4>
    public static var id: String { "spaic.hh" }
    public static var stateNames: [String] { ["v", "m", "n", "h"] }
    public static var isSpiking: Bool { true }
    /// The numeric parameters in the order of `parameterNames`.
    public var values: FloatVector<31>
    public var surrogate: Surrogate

    /// SPAIC's keyword names in this order.
    public static let names = ["v_th", "Vreset", "dt", "g_NA", "g_K", "g_L", "E_NA", "E_K", "E_L",
                               "alpha_m1", "alpha_m2", "alpha_m3", "beta_m1", "beta_m2", "beta_m3",
                               "alpha_n1", "alpha_n2", "alpha_n3", "beta_n1", "beta_n2", "beta_n3",
                               "alpha_h1", "alpha_h2", "alpha_h3", "beta_h1", "beta_h2", "beta_h3", "V", "m", "n", "h"]
    /// SPAIC's defaults, in the order of `names`.
    public static let defaults: [Float] = [1, 0, 0.1, 120, 36, 0.3, 120, -12, 10.6,
                                           0.1, 25, 10, 4, 0, 18, 0.01, 10, 10, 0.125, 0, 80, 0.07, 0, 20, 1, 30, 10,
                                           0, 0.5, 0.5, 0.06]
    public init(values: [Float] = SPAICHodgkinHuxley.defaults, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.values = FloatVector(values); self.surrogate = surrogate
    }
    public static var parameterNames: [String] { names }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 2: return value > 0 ? nil : "> 0"
        case 3, 4, 5: return value >= 0 ? nil : ">= 0"
        case 11, 14, 17, 20, 23, 26: return value != 0 ? nil : "!= 0"
        case 28, 29, 30: return value >= 0 && value <= 1 ? nil : "in [0, 1]"
        default: return nil
        }
    }
    public var parameters: FloatVector<31> {
        get { values }
        set { values = newValue }
    }
    public var initialState: FloatVector<4> { FloatVector([values[27], values[28], values[29], values[30]]) }

    /// `c1 (c2 - u)/(exp((c2 - u)/c3) - 1)` and its derivative in u.
    @inlinable @inline(__always) static func linExp(_ c1: Float, _ c2: Float, _ c3: Float, _ u: Float) -> (Float, Float) {
        let z = c2 - u, e = Foundation.exp(z / c3), d = e - 1
        return (c1 * (z / d), -c1 * (d - z * e / c3) / (d * d))
    }
    /// `c1 exp((c2 - u)/c3)` and its derivative.
    @inlinable @inline(__always) static func expo(_ c1: Float, _ c2: Float, _ c3: Float, _ u: Float) -> (Float, Float) {
        let b = c1 * Foundation.exp((c2 - u) / c3)
        return (b, -b / c3)
    }
    /// `c1/(exp((c2 - u)/c3) + 1)` and its derivative.
    @inlinable @inline(__always) static func sigm(_ c1: Float, _ c2: Float, _ c3: Float, _ u: Float) -> (Float, Float) {
        let e = Foundation.exp((c2 - u) / c3)
        return (c1 / (e + 1), c1 * e / c3 / ((e + 1) * (e + 1)))
    }

    @inlinable @inline(__always)
    func rates(_ v: Float) -> (am: (Float, Float), bm: (Float, Float), an: (Float, Float), bn: (Float, Float), ah: (Float, Float), bh: (Float, Float)) {
        let p = values, u = v + p[1]
        return (Self.linExp(p[9], p[10], p[11], u), Self.expo(p[12], p[13], p[14], u),
                Self.linExp(p[15], p[16], p[17], u), Self.expo(p[18], p[19], p[20], u),
                Self.expo(p[21], p[22], p[23], u), Self.sigm(p[24], p[25], p[26], u))
    }

    @inlinable @inline(__always) func gates(_ s: FloatVector<4>) -> (m: Float, n: Float, h: Float) {
        let r = rates(s[0]), dt = values[2]
        let m = dt * (r.am.0 * (1 - s[1]) - r.bm.0 * s[1]) + s[1]
        let n = dt * (r.an.0 * (1 - s[2]) - r.bn.0 * s[2]) + s[2]
        let h = dt * (r.ah.0 * (1 - s[3]) - r.bh.0 * s[3]) + s[3]
        return (m, n, h)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<4>) -> (out: Float, next: FloatVector<4>) {
        let p = values, v = s[0], (m, n, h) = gates(s)
        let m3h = ((m * m) * m) * h, n2 = n * n, n4 = n2 * n2
        let ik = (p[3] * m3h) * (v - p[6]) + (p[4] * n4) * (v - p[7]) + p[5] * (v - p[8])
        var next = FloatVector<4>()
        next[0] = v + (x - p[2] * ik)
        next[1] = m; next[2] = n; next[3] = h
        return (spaicSpike(next[0] - p[0], surrogate), next)
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gx: Float, gPrev: FloatVector<4>) {
        let p = values, v = s[0], dt = p[2], r = rates(v), (m, n, h) = gates(s)
        let m3h = m * m * m * h, n4 = n * n * n * n
        let ik = p[3] * m3h * (v - p[6]) + p[4] * n4 * (v - p[7]) + p[5] * (v - p[8])
        let vNext = v + (x - dt * ik)
        let gV = gNext[0] + gOut * surrogate.derivative(vNext - p[0])
        let gm = gNext[1] - gV * dt * p[3] * 3 * m * m * h * (v - p[6])
        let gn = gNext[2] - gV * dt * p[4] * 4 * n * n * n * (v - p[7])
        let gh = gNext[3] - gV * dt * p[3] * m * m * m * (v - p[6])
        var g = FloatVector<4>()
        g[0] = gV * (1 - dt * (p[3] * m3h + p[4] * n4 + p[5]))
            + gm * dt * ((1 - s[1]) * r.am.1 - s[1] * r.bm.1)
            + gn * dt * ((1 - s[2]) * r.an.1 - s[2] * r.bn.1)
            + gh * dt * ((1 - s[3]) * r.ah.1 - s[3] * r.bh.1)
        g[1] = gm * (1 - dt * (r.am.0 + r.bm.0))
        g[2] = gn * (1 - dt * (r.an.0 + r.bn.0))
        g[3] = gh * (1 - dt * (r.ah.0 + r.bh.0))
        return (gV, g)
    }
}
