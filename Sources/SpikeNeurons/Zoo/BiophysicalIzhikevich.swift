import Foundation

/// Izhikevich (2003) "Simple model of spiking neurons" (IEEE Trans. Neural Netw. 14(6)), discretised as Norse's
/// `izhikevich_feed_forward_step` (norse/torch/functional/izhikevich.py), biological units (mV, ms, input in
/// mV/ms):
///
///     v' = v + dt (sq (v v) + mn v + bias - u + I)     (v² first, then sq: Norse's `p.sq * s.v**2`)
///     u' = u + dt a (b v - u)                       (the previous v, as Norse)
///     z  = Θ(v' - v_th)                             (strict >, as Norse's heaviside)
///     v[t] = (1 - z) v' + z c
///     u[t] = (1 - z) u' + z (u' + d)
///
/// The reset is in the fused step and the gradient flows through it (Norse does not detach it). Norse writes
/// the step as `tau_inv * dt` with `tau_inv` = 250 (1/s) and `dt` = 0.001 s; our `dt` is that product in ms
/// (0.25 ms). SPAIC's `IZHModel` has the same structure but updates `u += a (b v - u)` without `dt`; we follow
/// Norse. Initial state `v = v0`, `u = u0`; Norse's presets start at `u = b v` (except `accomodation`,
/// u = -16), which is our default `u0 = b v0`. `u0` is a parameter of its own (not `b` times something), so
/// that the gradient of `b` is that of the dynamics alone.
///
/// Defaults: the regular-spiking cell of the 2003 paper, a 0.02 (1/ms), b 0.2, c -65 mV, d 8 (mV/ms), v_th 30 mV,
/// sq 0.04, mn 5, bias 140, dt 0.25 ms, v0 = -65 mV, u0 = b v0 = -13 (the 2003 paper's script). `Preset` holds
/// the 20 behaviours of Izhikevich (2004) with Norse's parameters.
///
/// Surrogate: Norse's default `method="super"` with `alpha=100`. Norse 1.1.0's `SuperSpike.backward` ignores
/// alpha and uses `1/(|x| + 1)²` (slope 1, `Surrogate.norseSuperSpike`), applied to `v' - v_th` in mV, as every
/// other Norse model of the zoo. (Norse's documentation still describes alpha as the SuperSpike slope; we follow
/// its code.) Learnable: a, b, c, d, v_th.
public struct Izhikevich2003: NeuronModel, Equatable {
    /// The state vector (see `stateNames`).
    public typealias State = FloatVector<2>
    /// `izhikevich2003`.
    public static var id: String { "izhikevich2003" }
    /// `v` (mV) and the recovery variable `u`.
    public static var stateNames: [String] { ["v", "u"] }
    /// Emits spikes.
    public static var isSpiking: Bool { true }

    /// Time scale of the recovery variable `a` (1/ms).
    public var a: Float
    /// Sensitivity of `u` to `v`, `b`.
    public var b: Float
    /// After-spike reset of `v`, `c` (mV).
    public var c: Float
    /// After-spike increment of `u`, `d`.
    public var d: Float
    /// Spike threshold `v_th` (mV).
    public var vThreshold: Float
    /// Time step `dt` (ms): Norse's `tau_inv * dt`.
    public var dt: Float
    /// Coefficient of v² `sq` (1/(mV ms)).
    public var sq: Float
    /// Coefficient of v `mn` (1/ms).
    public var mn: Float
    /// Constant drive `bias` (mV/ms).
    public var bias: Float
    /// Initial membrane `v0` (mV).
    public var v0: Float
    /// Initial recovery variable `u0`.
    public var u0: Float
    /// Surrogate gradient of the spike.
    public var surrogate: Surrogate

    /// Norse 1.1.0's SuperSpike as its code computes it: `1/(|x| + 1)²`, alpha unused (`Surrogate.norseSuperSpike`).
    public static let defaultSurrogate = Surrogate.norseSuperSpike

    /// A model with explicit parameters (defaults: the 2003 regular-spiking cell).
    public init(a: Float = 0.02, b: Float = 0.2, c: Float = -65, d: Float = 8, vThreshold: Float = 30, dt: Float = 0.25,
                sq: Float = 0.04, mn: Float = 5, bias: Float = 140, v0: Float = -65, u0: Float? = nil,
                surrogate: Surrogate = Izhikevich2003.defaultSurrogate) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.vThreshold = vThreshold; self.dt = dt
        self.sq = sq; self.mn = mn; self.bias = bias; self.v0 = v0; self.u0 = u0 ?? b * v0
        self.surrogate = surrogate
    }

    /// The model of one of Norse's presets (a, b, c, d, sq, mn, bias, dt and the initial state).
    public init(preset p: Preset, vThreshold: Float = 30, surrogate: Surrogate = Izhikevich2003.defaultSurrogate) {
        let q = p.values
        self.init(a: q.a, b: q.b, c: q.c, d: q.d, vThreshold: vThreshold, dt: q.dt, sq: q.sq, mn: q.mn, bias: q.bias,
                  v0: q.v0, u0: q.u0, surrogate: surrogate)
    }

    /// `v = v0`, `u = u0`.
    public var initialState: FloatVector<2> {
        var s = FloatVector<2>()
        s[0] = v0; s[1] = u0
        return s
    }

    /// a, b, c, d, v_th, dt, sq, mn, bias, v0, u0.
    public static var parameterNames: [String] { ["a", "b", "c", "d", "v_th", "dt", "sq", "mn", "bias", "v0", "u0"] }
    /// a, b, c, d and v_th.
    public static var learnableParameterNames: [String] { ["a", "b", "c", "d", "v_th"] }
    /// dt > 0; every value finite.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k == 5 && !(value > 0) ? "> 0" : nil
    }
    /// The numeric parameters in the order of `parameterNames`.
    public var parameters: FloatVector<11> {
        get { FloatVector([a, b, c, d, vThreshold, dt, sq, mn, bias, v0, u0]) }
        set {
            a = newValue[0]; b = newValue[1]; c = newValue[2]; d = newValue[3]; vThreshold = newValue[4]; dt = newValue[5]
            sq = newValue[6]; mn = newValue[7]; bias = newValue[8]; v0 = newValue[9]; u0 = newValue[10]
        }
    }

    @inlinable @inline(__always)
    func integrate(_ x: Float, _ v: Float, _ u: Float) -> (vh: Float, uh: Float) {
        (v + dt * (sq * (v * v) + mn * v + bias - u + x), u + dt * a * (b * v - u))
    }

    /// One Euler step, spike and reset (the equations above).
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let (vh, uh) = integrate(x, s[0], s[1])
        let z = biophysicalSpike(vh - vThreshold, surrogate)
        var n = FloatVector<2>()
        n[0] = (1 - z) * vh + z * c
        n[1] = (1 - z) * uh + z * (uh + d)
        return (z, n)
    }

    /// Gradients of v' (before reset), of u' and of the spike's pre-activation `v' - v_th`.
    @inlinable @inline(__always)
    func back(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gvh: Float, guh: Float, gPre: Float, z: Float, vh: Float) {
        let vh = integrate(x, s[0], s[1]).vh
        let pre = vh - vThreshold
        let z = biophysicalSpike(pre, surrogate), sg = surrogate.derivative(pre)
        let gz = gOut + gNext[0] * (c - vh) + gNext[1] * d
        return (gNext[0] * (1 - z) + gz * sg, gNext[1], gz * sg, z, vh)
    }

    /// VJP of `step`: gradients of the input and of the previous state (surrogate for the spike).
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let r = back(x, s, gOut: gOut, gNext: gNext)
        var g = FloatVector<2>()
        g[0] = r.gvh * (1 + dt * (sq * (2 * s[0]) + mn)) + r.guh * dt * a * b
        g[1] = -r.gvh * dt + r.guh * (1 - dt * a)
        return (r.gvh * dt, g)
    }

    /// Gradient of `step` with respect to the learnable parameters (zero for the others).
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> FloatVector<11> {
        let r = back(x, s, gOut: gOut, gNext: gNext)
        var g = FloatVector<11>()
        g[0] = r.guh * dt * (b * s[0] - s[1])
        g[1] = r.guh * dt * a * s[0]
        g[2] = gNext[0] * r.z
        g[3] = gNext[1] * r.z
        g[4] = -r.gPre
        return g
    }
}

extension Izhikevich2003 {
    /// The 20 firing patterns of Izhikevich (2004, "Which model to use for cortical spiking neurons?", Fig. 1)
    /// with Norse's preset parameters (norse/torch/functional/izhikevich.py; `dt = tau_inv * 0.001 s` in ms) and
    /// the input protocols of Norse's tests (norse/torch/functional/test/test_izhikevich.py), which follow
    /// Izhikevich's figure script. Norse has no test for `accomodation` (Norse's spelling); its protocol here
    /// is Izhikevich's (a ramp of slope 1/25 to 200 ms, then a steep ramp 300-312.5 ms). Note Norse's choices
    /// where they differ from the 2004 script: its `accomodation` uses the standard `u' = a (b v - u)` rather than
    /// `a b (v + 65)`, its inhibition-induced presets run at 0.25 ms (the script: 0.5 ms), `spike_latency` at
    /// 0.25 ms with 7.4 (the script: 0.2 ms, 7.04), and some tests sample the input on a grid other than the
    /// preset's dt; `stimulus` reproduces Norse's test exactly (one value per test step).
    public enum Preset: String, CaseIterable, Sendable {
        case tonicSpiking = "tonic_spiking", phasicSpiking = "phasic_spiking", tonicBursting = "tonic_bursting"
        case phasicBursting = "phasic_bursting", mixedMode = "mixed_mode"
        case spikeFrequencyAdaptation = "spike_frequency_adaptation", class1Excitable = "class_1_exc"
        case class2Excitable = "class_2_exc", spikeLatency = "spike_latency"
        case subthresholdOscillation = "subthreshold_oscillation", resonator, integrator
        case reboundSpike = "rebound_spike", reboundBurst = "rebound_burst"
        case thresholdVariability = "threshold_variability", bistability, dap, accomodation
        case inhibitionInducedSpiking = "inhibition_induced_spiking"
        case inhibitionInducedBursting = "inhibition_induced_bursting"

        /// Norse's parameters: a, b, c, d, sq, mn, bias, dt (ms) and the initial v and u (Norse: u = b v, except
        /// accomodation's u = -16).
        public var values: (a: Float, b: Float, c: Float, d: Float, sq: Float, mn: Float, bias: Float, dt: Float, v0: Float, u0: Float) {
            let (a, b, c, d, sq, mn, bias, dt, v0, uRest) = norse
            return (a, b, c, d, sq, mn, bias, dt, v0, b * uRest)
        }

        /// Norse's numbers: a, b, c, d, sq, mn, bias, dt and the `v_rest`, `u_rest` of
        /// `create_izhikevich_spiking_behavior` (u = b u_rest).
        var norse: (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float) {
            switch self {
            case .tonicSpiking: return (0.02, 0.2, -65, 6, 0.04, 5, 140, 0.25, -70, -70)
            case .phasicSpiking: return (0.02, 0.25, -65, 6, 0.04, 5, 140, 0.25, -64, -64)
            case .tonicBursting: return (0.02, 0.2, -50, 2, 0.04, 5, 140, 0.25, -70, -70)
            case .phasicBursting: return (0.02, 0.25, -55, 0.05, 0.04, 5, 140, 0.2, -64, -64)
            case .mixedMode: return (0.02, 0.2, -55, 4, 0.04, 5, 140, 0.25, -70, -70)
            case .spikeFrequencyAdaptation: return (0.01, 0.2, -65, 8, 0.04, 5, 140, 0.25, -70, -70)
            case .class1Excitable: return (0.02, -0.1, -55, 6, 0.04, 4.1, 108, 0.25, -60, -60)
            case .class2Excitable: return (0.2, 0.26, -65, 0, 0.04, 5, 140, 0.25, -64, -64)
            case .spikeLatency: return (0.02, 0.2, -65, 6, 0.04, 5, 140, 0.25, -70, -70)
            case .subthresholdOscillation: return (0.05, 0.26, -60, 0, 0.04, 5, 140, 0.25, -62, -62)
            case .resonator: return (0.1, 0.26, -60, -1, 0.04, 5, 140, 0.25, -62, -62)
            case .integrator: return (0.02, -0.1, -55, 6, 0.04, 4.1, 108, 0.25, -60, -60)
            case .reboundSpike: return (0.03, 0.25, -60, 4, 0.04, 5, 140, 0.2, -64, -64)
            case .reboundBurst: return (0.03, 0.25, -52, 0, 0.04, 5, 140, 0.2, -64, -64)
            case .thresholdVariability: return (0.03, 0.25, -60, 4, 0.04, 5, 140, 0.25, -64, -64)
            case .bistability: return (0.1, 0.26, -60, 0, 0.04, 5, 140, 0.25, -61, -61)
            case .dap: return (1, 0.2, -60, -21, 0.04, 5, 140, 0.1, -70, -70)
            case .accomodation: return (0.02, 1, -55, 4, 0.04, 5, 140, 0.5, -65, -16)
            case .inhibitionInducedSpiking: return (-0.02, -1, -60, 8, 0.04, 5, 140, 0.25, -63.8, -63.8)
            case .inhibitionInducedBursting: return (-0.026, -1, -45, -2, 0.04, 5, 140, 0.25, -63.8, -63.8)
            }
        }

        /// The time grid of the protocol (ms per input value) and its duration (ms), as Norse's test
        /// (`np.arange(0, duration, grid)`).
        public var inputProtocol: (grid: Double, duration: Double) {
            switch self {
            case .tonicSpiking, .integrator, .thresholdVariability: return (0.25, 100)
            case .phasicSpiking, .phasicBursting, .subthresholdOscillation: return (0.25, 200)
            case .tonicBursting: return (0.25, 220)
            case .mixedMode: return (0.25, 160)
            case .spikeFrequencyAdaptation: return (0.25, 85)
            case .class1Excitable, .class2Excitable, .bistability: return (0.25, 300)
            case .spikeLatency: return (0.2, 100)
            case .resonator: return (0.25, 400)
            case .reboundSpike, .reboundBurst: return (0.2, 200)
            case .dap: return (0.1, 50)
            case .accomodation: return (0.5, 400)
            case .inhibitionInducedSpiking, .inhibitionInducedBursting: return (0.5, 350)
            }
        }

        /// The injected current at protocol time `t` (ms), as Norse's test (Izhikevich's script for accomodation).
        public func current(at t: Double) -> Float {
            let last = inputProtocol.duration - inputProtocol.grid   // ts[-1] of np.arange
            func within(_ t0: Double, _ width: Double) -> Bool { t > t0 && t < t0 + width }
            switch self {
            case .tonicSpiking: return t > last / 10 ? 14 : 0
            case .phasicSpiking: return t > 20 ? 0.5 : 0
            case .tonicBursting: return t > 25 ? 15 : 0
            case .phasicBursting: return t > 20 ? 0.6 : 0
            case .mixedMode: return t > last / 10 ? 10 : 0
            case .spikeFrequencyAdaptation: return t > last / 10 ? 30 : 0
            case .class1Excitable: return t > 30 ? Float(0.075 * (t - 30)) : 0
            case .class2Excitable: return t > 30 ? Float(-0.5 + 0.015 * (t - 30)) : -0.5
            case .spikeLatency: return within(last / 10, 3) ? 7.4 : 0
            case .subthresholdOscillation: return within(last / 10, 5) ? 2 : 0
            case .resonator:
                let t1 = last / 10, t3 = 0.7 * last
                return [t1, t1 + 20, t3, t3 + 40].contains { within($0, 4) } ? 0.65 : 0
            case .integrator:
                let t1 = last / 11, t3 = 0.7 * last
                return [t1, t1 + 5, t3, t3 + 10].contains { within($0, 2) } ? 9 : 0
            case .reboundSpike, .reboundBurst: return within(20, 5) ? -15 : 0
            case .thresholdVariability:
                if within(10, 5) || within(80, 5) { return 1 }
                return within(70, 5) ? -6 : 0
            case .bistability: return within(last / 8, 5) || within(216, 5) ? 1.24 : 0.24
            case .dap: return Swift.abs(t - 10) < 1 ? 20 : 0
            case .accomodation:
                if t < 200 { return Float(t / 25) }
                if t < 300 { return 0 }
                if t < 312.5 { return Float((t - 300) / 12.5 * 4) }
                return 0
            case .inhibitionInducedSpiking, .inhibitionInducedBursting: return t < 50 || t > 250 ? 80 : 75
            }
        }

        /// The protocol's input, one value per step (`current(at: i * grid)` for i < duration / grid).
        public var stimulus: [Float] {
            let (grid, duration) = inputProtocol
            let n = Int((duration / grid - 1e-9).rounded(.up))
            return (0..<n).map { current(at: Double($0) * grid) }
        }
    }
}
