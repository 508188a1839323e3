import Foundation

/// Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005, J. Neurophysiol. 94(5)) as SPAIC's
/// `aEIFModel` (spaic/Neuron/Neuron.py, "aeif"/"adex"), forward Euler in mV, ms, pA, nS, pF:
///
///     V' = V + dt/C (gL (ΔT exp((V - VT)/ΔT) - (V - EL)) - w + I)
///     w' = w + dt/tau_w (a (V - EL) - w)             (the previous V)
///     O  = Θ(V' - Vspk)                               (strict >, SPAIC's torch.gt)
///     V[t] = V' (1 - O) + EL O                         (V_r = EL)
///     w[t] = w' + b O
///
/// SPAIC's names and defaults: C 281 pF, gL 30 nS, EL -70.6 mV, v_th (VT) -50.4 mV, delta_t (ΔT) 2 mV,
/// a 4 nS, tau_w 144 ms, Vspk 20 mV, dt 0.1 ms (SPAIC's backend default), initial V -70.6 mV (SPAIC's fixed
/// initial value, a parameter of its own here, not EL), w = 0 (SPAIC's state is called U).
/// b: 80.5 pA, Brette & Gerstner's 0.0805 nA. SPAIC's default `b = 0.0805` is that value in nA while every
/// other SPAIC quantity is in pA/nS/pF (C dV/dt in pA), i.e. 1000 times too small; we take the published
/// 80.5 pA (pass `b=0.0805` for SPAIC's number).
///
/// The input I is the injected current in pA. With V ≤ Vspk after every step the exponential stays finite in
/// float32 for Vspk below ~ VT + 170 ΔT.
///
/// Surrogate: fast-sigmoid (SuperSpike) with slope 1 per mV on `V' - Vspk` (a choice scaled to mV; SPAIC's
/// default learners' surrogates are defined for unit thresholds). Learnable: every parameter but the initial V and dt.
public struct AEIF: NeuronModel, Equatable {
    /// The state vector (see `stateNames`).
    public typealias State = FloatVector<2>
    /// `aeif`.
    public static var id: String { "aeif" }
    /// `v` (mV) and the adaptation current `w` (pA; SPAIC's U).
    public static var stateNames: [String] { ["v", "w"] }
    /// Emits spikes.
    public static var isSpiking: Bool { true }

    /// Membrane capacitance `C` (pF).
    public var capacitance: Float
    /// Leak conductance `gL` (nS).
    public var gL: Float
    /// Leak reversal and reset potential `EL` (mV).
    public var eL: Float
    /// Threshold slope-factor location `v_th` (VT, mV).
    public var vT: Float
    /// Slope factor `delta_t` (ΔT, mV).
    public var deltaT: Float
    /// Subthreshold adaptation `a` (nS).
    public var a: Float
    /// Spike-triggered adaptation `b` (pA).
    public var b: Float
    /// Adaptation time constant `tau_w` (ms).
    public var tauW: Float
    /// Spike detection level `Vspk` (mV).
    public var vSpike: Float
    /// Initial membrane potential `V` (mV).
    public var v0: Float
    /// Time step `dt` (ms).
    public var dt: Float
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate

    /// Fast-sigmoid of slope 1 per mV.
    public static let defaultSurrogate = Surrogate(.fastSigmoid, alpha: 1)

    /// A model with SPAIC's defaults (b in pA as published).
    public init(capacitance: Float = 281, gL: Float = 30, eL: Float = -70.6, vT: Float = -50.4, deltaT: Float = 2,
                a: Float = 4, b: Float = 80.5, tauW: Float = 144, vSpike: Float = 20, v0: Float = -70.6, dt: Float = 0.1,
                surrogate: Surrogate = AEIF.defaultSurrogate) {
        self.capacitance = capacitance; self.gL = gL; self.eL = eL; self.vT = vT; self.deltaT = deltaT
        self.a = a; self.b = b; self.tauW = tauW; self.vSpike = vSpike; self.v0 = v0; self.dt = dt; self.surrogate = surrogate
    }

    /// `V = V0`, `w = 0`.
    public var initialState: FloatVector<2> {
        var s = FloatVector<2>()
        s[0] = v0
        return s
    }

    /// C, gL, EL, v_th, delta_t, a, b, tau_w, Vspk (SPAIC's names), the initial V and dt.
    public static var parameterNames: [String] { ["C", "gL", "EL", "v_th", "delta_t", "a", "b", "tau_w", "Vspk", "V", "dt"] }
    /// Every parameter but the initial V and dt.
    public static var learnableParameterNames: [String] { ["C", "gL", "EL", "v_th", "delta_t", "a", "b", "tau_w", "Vspk"] }
    /// C, delta_t, tau_w, dt > 0; gL >= 0.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0, 4, 7, 10: return value > 0 ? nil : "> 0"
        case 1: return value >= 0 ? nil : ">= 0"
        default: return nil
        }
    }
    /// The numeric parameters in the order of `parameterNames`.
    public var parameters: FloatVector<11> {
        get { FloatVector([capacitance, gL, eL, vT, deltaT, a, b, tauW, vSpike, v0, dt]) }
        set {
            capacitance = newValue[0]; gL = newValue[1]; eL = newValue[2]; vT = newValue[3]; deltaT = newValue[4]
            a = newValue[5]; b = newValue[6]; tauW = newValue[7]; vSpike = newValue[8]; v0 = newValue[9]; dt = newValue[10]
        }
    }

    /// The Euler step before the spike: V', w' and exp((V - VT)/ΔT).
    @inlinable @inline(__always)
    func integrate(_ x: Float, _ s: FloatVector<2>) -> (vt: Float, wt: Float, e: Float) {
        let v = s[0], w = s[1]
        let dv = v - eL
        let e = Foundation.exp((v - vT) / deltaT)
        let vt = v + dt / capacitance * (gL * (deltaT * e - dv) - w + x)
        let wt = w + dt / tauW * (a * dv - w)
        return (vt, wt, e)
    }

    /// One Euler step, spike and reset (the equations above).
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let (vt, wt, _) = integrate(x, s)
        let o = biophysicalSpike(vt - vSpike, surrogate)
        var n = FloatVector<2>()
        n[0] = vt * (1 - o) + eL * o
        n[1] = wt + b * o
        return (o, n)
    }

    /// Gradients of V' and w' and of the spike pre-activation `V' - Vspk`.
    @inlinable @inline(__always)
    func back(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gvt: Float, gwt: Float, gPre: Float, o: Float, vt: Float, wt: Float, e: Float) {
        let (vt, wt, e) = integrate(x, s)
        let pre = vt - vSpike
        let o = biophysicalSpike(pre, surrogate), sg = surrogate.derivative(pre)
        let gPre = (gOut + gNext[0] * (eL - vt) + gNext[1] * b) * sg
        return (gNext[0] * (1 - o) + gPre, gNext[1], gPre, o, vt, wt, e)
    }

    /// VJP of `step`: gradients of the input and of the previous state (surrogate for the spike).
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let r = back(x, s, gOut: gOut, gNext: gNext)
        let k = dt / capacitance, q = dt / tauW
        var g = FloatVector<2>()
        g[0] = r.gvt * (1 + k * gL * (r.e - 1)) + r.gwt * q * a
        g[1] = -r.gvt * k + r.gwt * (1 - q)
        return (r.gvt * k, g)
    }

    /// Gradient of `step` with respect to the learnable parameters (zero for the others).
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<11> {
        let r = back(x, s, gOut: gOut, gNext: gNext)
        let v = s[0], w = s[1], dv = v - eL
        let k = dt / capacitance, q = dt / tauW
        var g = FloatVector<11>()
        g[0] = -r.gvt * (r.vt - v) / capacitance
        g[1] = r.gvt * k * (deltaT * r.e - dv)
        g[2] = r.gvt * k * gL - r.gwt * q * a + gNext[0] * r.o
        g[3] = -r.gvt * k * gL * r.e
        g[4] = r.gvt * k * gL * r.e * (1 - (v - vT) / deltaT)
        g[5] = r.gwt * q * dv
        g[6] = gNext[1] * r.o
        g[7] = -r.gwt * q / tauW * (a * dv - w)
        g[8] = -r.gPre
        return g
    }
}
