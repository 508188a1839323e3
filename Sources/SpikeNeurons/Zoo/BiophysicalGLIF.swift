import Foundation

/// GLIF5 of Teeter et al. (2018, "Generalized leaky integrate-and-fire models classify multiple neuron types",
/// Nat. Commun. 9:709) as SPAIC's `GLIFModel` (spaic/Neuron/Neuron.py, "glif"): two after-spike currents (ASC),
/// a spike-dependent threshold component θs and a voltage-dependent one θv. Forward Euler in SPAIC's units
/// (time in ms, the rest dimensionless; `_membrane_variables` become `dt / value`):
///
///     I_j' = I_j (1 - dt k_j)                                   (j = 1, 2)
///     V'   = V + dt/C (I + I_1' + I_2' - (V - E_L)/R)
///     θs'  = θs (1 - dt b_s)
///     θv'  = θv + dt (a_v (V - E_L) - b_v θv)                   (the previous V)
///     O    = Θ(V' - (θv' + θs' + Theta_inf))                    (strict >)
///     reset where O = 1:  V = E_L + f_v (V' - E_L) - delta_v,  θs = θs' + delta_Theta_s,
///                         I_j = f_j I_j' + delta_I_j,  θv unchanged
///
/// The reset is written `X = X' + O (X_reset - X')` so the surrogate gradient flows through it.
/// SPAIC's names and defaults: C 60, R 2, E_L 0, Theta_inf 1, f_v 0.1, delta_v 0.05, b_s 0.02 (1/ms),
/// delta_Theta_s 0.2, k_1 0.8, k_2 0.6 (1/ms), delta_I1 0.1, delta_I2 0.1, f1 1, f2 1, a_v 0.12, b_v 0.3 (1/ms),
/// dt 0.1 ms. Initial state as SPAIC: V 0 (the parameter `V`), θs 0.1, θv 0.2, I_1 0.08, I_2 0.06.
///
/// SPAIC's operation list writes the ASC reset as `I_j = (f_j I_j' + delta_I_j) O + I_j'` (it computes the
/// difference `f_j I_j' + delta_I_j - I_j'` and then adds the wrong term), which doubles the current at each
/// spike when f_j = 1; we implement the rule of its docstring and of Teeter et al., `I_j = f_j I_j' + delta_I_j`.
///
/// Surrogate: SPAIC's STCA learner's, a rectangle of width 1 around the threshold (`Surrogate(.rectangle,
/// alpha: 1)`). Learnable: every parameter but the initial V and dt.
public struct GLIF5: NeuronModel, Equatable {
    /// The state vector (see `stateNames`).
    public typealias State = FloatVector<5>
    /// `glif`.
    public static var id: String { "glif" }
    /// `v`, the threshold components `theta_s`, `theta_v` and the after-spike currents `i1`, `i2`.
    public static var stateNames: [String] { ["v", "theta_s", "theta_v", "i1", "i2"] }
    /// Emits spikes.
    public static var isSpiking: Bool { true }

    /// Capacitance `C`.
    public var capacitance: Float
    /// Membrane resistance `R`.
    public var resistance: Float
    /// Resting potential `E_L`.
    public var eL: Float
    /// Instantaneous threshold `Theta_inf`.
    public var thetaInf: Float
    /// Voltage fraction kept at reset `f_v`.
    public var fV: Float
    /// Voltage subtracted at reset `delta_v`.
    public var deltaV: Float
    /// Decay rate of θs `b_s` (1/ms).
    public var bS: Float
    /// Jump of θs at a spike `delta_Theta_s`.
    public var deltaThetaS: Float
    /// Decay rate of the first ASC `k_1` (1/ms).
    public var k1: Float
    /// Decay rate of the second ASC `k_2` (1/ms).
    public var k2: Float
    /// Jump of the first ASC at a spike `delta_I1`.
    public var deltaI1: Float
    /// Jump of the second ASC at a spike `delta_I2`.
    public var deltaI2: Float
    /// Fraction of the first ASC kept at a spike `f1`.
    public var f1: Float
    /// Fraction of the second ASC kept at a spike `f2`.
    public var f2: Float
    /// Coupling of θv to V `a_v` (1/ms).
    public var aV: Float
    /// Decay rate of θv `b_v` (1/ms).
    public var bV: Float
    /// Initial membrane potential `V`.
    public var v0: Float
    /// Time step `dt` (ms).
    public var dt: Float
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate

    /// SPAIC's STCA surrogate: a rectangle of width 1.
    public static let defaultSurrogate = Surrogate(.rectangle, alpha: 1)

    /// A model with SPAIC's defaults.
    public init(capacitance: Float = 60, resistance: Float = 2, eL: Float = 0, thetaInf: Float = 1, fV: Float = 0.1,
                deltaV: Float = 0.05, bS: Float = 0.02, deltaThetaS: Float = 0.2, k1: Float = 0.8, k2: Float = 0.6,
                deltaI1: Float = 0.1, deltaI2: Float = 0.1, f1: Float = 1, f2: Float = 1, aV: Float = 0.12, bV: Float = 0.3,
                v0: Float = 0, dt: Float = 0.1, surrogate: Surrogate = GLIF5.defaultSurrogate) {
        self.capacitance = capacitance; self.resistance = resistance; self.eL = eL; self.thetaInf = thetaInf
        self.fV = fV; self.deltaV = deltaV; self.bS = bS; self.deltaThetaS = deltaThetaS; self.k1 = k1; self.k2 = k2
        self.deltaI1 = deltaI1; self.deltaI2 = deltaI2; self.f1 = f1; self.f2 = f2; self.aV = aV; self.bV = bV
        self.v0 = v0; self.dt = dt; self.surrogate = surrogate
    }

    /// SPAIC's initial values: V = V0 (0), θs 0.1, θv 0.2, I_1 0.08, I_2 0.06.
    public var initialState: FloatVector<5> {
        var s = FloatVector<5>()
        s[0] = v0; s[1] = 0.1; s[2] = 0.2; s[3] = 0.08; s[4] = 0.06
        return s
    }

    /// SPAIC's names: C, R, E_L, Theta_inf, f_v, delta_v, b_s, delta_Theta_s, k_1, k_2, delta_I1, delta_I2, f1, f2,
    /// a_v, b_v, the initial V and dt.
    public static var parameterNames: [String] {
        ["C", "R", "E_L", "Theta_inf", "f_v", "delta_v", "b_s", "delta_Theta_s", "k_1", "k_2", "delta_I1", "delta_I2",
         "f1", "f2", "a_v", "b_v", "V", "dt"]
    }
    /// Every parameter but the initial V and dt.
    public static var learnableParameterNames: [String] { Array(parameterNames.dropLast(2)) }
    /// C, R, dt > 0; the rates b_s, k_1, k_2, b_v >= 0.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0, 1, 17: return value > 0 ? nil : "> 0"
        case 6, 8, 9, 15: return value >= 0 ? nil : ">= 0"
        default: return nil
        }
    }
    /// The numeric parameters in the order of `parameterNames`.
    public var parameters: FloatVector<18> {
        get {
            FloatVector([capacitance, resistance, eL, thetaInf, fV, deltaV, bS, deltaThetaS, k1, k2, deltaI1, deltaI2,
                         f1, f2, aV, bV, v0, dt])
        }
        set {
            capacitance = newValue[0]; resistance = newValue[1]; eL = newValue[2]; thetaInf = newValue[3]
            fV = newValue[4]; deltaV = newValue[5]; bS = newValue[6]; deltaThetaS = newValue[7]; k1 = newValue[8]
            k2 = newValue[9]; deltaI1 = newValue[10]; deltaI2 = newValue[11]; f1 = newValue[12]; f2 = newValue[13]
            aV = newValue[14]; bV = newValue[15]; v0 = newValue[16]; dt = newValue[17]
        }
    }

    /// The Euler step before the spike: V', θs', θv', I_1', I_2' and the threshold.
    @inlinable @inline(__always)
    func integrate(_ x: Float, _ s: FloatVector<5>) -> (v: Float, ts: Float, tv: Float, i1: Float, i2: Float, th: Float) {
        let i1 = s[3] * (1 - dt * k1), i2 = s[4] * (1 - dt * k2)
        let dv = s[0] - eL
        let v = s[0] + dt / capacitance * (i1 + i2 + x - dv / resistance)
        let ts = s[1] * (1 - dt * bS)
        let tv = s[2] + dt * (aV * dv - bV * s[2])
        return (v, ts, tv, i1, i2, tv + ts + thetaInf)
    }

    /// One Euler step, spike and reset (the equations above).
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<5>) -> (out: Float, next: FloatVector<5>) {
        let p = integrate(x, s)
        let o = biophysicalSpike(p.v - p.th, surrogate)
        var n = FloatVector<5>()
        n[0] = p.v + o * (eL + fV * (p.v - eL) - deltaV - p.v)
        n[1] = p.ts + deltaThetaS * o
        n[2] = p.tv
        n[3] = p.i1 + o * (f1 * p.i1 + deltaI1 - p.i1)
        n[4] = p.i2 + o * (f2 * p.i2 + deltaI2 - p.i2)
        return (o, n)
    }

    /// Gradients of the pre-reset values (V', θs', θv', I_1', I_2') and of the spike pre-activation.
    @inlinable @inline(__always)
    func back(_ x: Float, _ s: FloatVector<5>, gOut: Float, gNext: FloatVector<5>)
        -> (gv: Float, gts: Float, gtv: Float, gi1: Float, gi2: Float, gPre: Float, o: Float, p: (v: Float, ts: Float, tv: Float, i1: Float, i2: Float, th: Float)) {
        let p = integrate(x, s)
        let pre = p.v - p.th
        let o = biophysicalSpike(pre, surrogate), sg = surrogate.derivative(pre)
        let jump1 = (f1 - 1) * p.i1 + deltaI1, jump2 = (f2 - 1) * p.i2 + deltaI2
        let gz = gOut + gNext[0] * (eL + fV * (p.v - eL) - deltaV - p.v) + gNext[1] * deltaThetaS
            + gNext[3] * jump1 + gNext[4] * jump2
        let gPre = gz * sg
        let gv = gNext[0] * (1 + o * (fV - 1)) + gPre
        return (gv, gNext[1] - gPre, gNext[2] - gPre, gNext[3] * (1 + o * (f1 - 1)), gNext[4] * (1 + o * (f2 - 1)), gPre, o, p)
    }

    /// VJP of `step`: gradients of the input and of the previous state (surrogate for the spike).
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<5>, gOut: Float, gNext: FloatVector<5>) -> (gx: Float, gPrev: FloatVector<5>) {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        let k = dt / capacitance
        let gi1 = b.gi1 + b.gv * k, gi2 = b.gi2 + b.gv * k
        var g = FloatVector<5>()
        g[0] = b.gv * (1 - k / resistance) + b.gtv * dt * aV
        g[1] = b.gts * (1 - dt * bS)
        g[2] = b.gtv * (1 - dt * bV)
        g[3] = gi1 * (1 - dt * k1)
        g[4] = gi2 * (1 - dt * k2)
        return (b.gv * k, g)
    }

    /// Gradient of `step` with respect to the learnable parameters (zero for the others).
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<5>, gOut: Float, gNext: FloatVector<5>) -> FloatVector<18> {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        let p = b.p, o = b.o
        let k = dt / capacitance
        let dv = s[0] - eL
        let gi1 = b.gi1 + b.gv * k, gi2 = b.gi2 + b.gv * k
        var g = FloatVector<18>()
        g[0] = -b.gv * (p.v - s[0]) / capacitance                              // C
        g[1] = b.gv * k * dv / (resistance * resistance)                       // R
        g[2] = b.gv * k / resistance - b.gtv * dt * aV + gNext[0] * o * (1 - fV)  // E_L
        g[3] = -b.gPre                                                         // Theta_inf
        g[4] = gNext[0] * o * (p.v - eL)                                       // f_v
        g[5] = -gNext[0] * o                                                   // delta_v
        g[6] = -b.gts * dt * s[1]                                              // b_s
        g[7] = gNext[1] * o                                                    // delta_Theta_s
        g[8] = -gi1 * dt * s[3]                                                // k_1
        g[9] = -gi2 * dt * s[4]                                                // k_2
        g[10] = gNext[3] * o                                                   // delta_I1
        g[11] = gNext[4] * o                                                   // delta_I2
        g[12] = gNext[3] * o * p.i1                                            // f1
        g[13] = gNext[4] * o * p.i2                                            // f2
        g[14] = b.gtv * dt * dv                                                // a_v
        g[15] = -b.gtv * dt * s[2]                                             // b_v
        return g
    }
}
