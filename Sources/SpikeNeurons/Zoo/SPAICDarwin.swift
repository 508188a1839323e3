import Foundation

// SPAIC's models of the Darwin neuromorphic chip (spaic/Neuron/Neuron.py 0.6.3: Darwin_CLIF, Darwin_ALIF,
// Darwin_Random), in the chip's integer units. They are not trained in SPAIC (their update is a Python function
// with rounding); here `stepVJP` gives the straight-through estimate (rounding and clamping as identity, the
// spike through the surrogate) so that they can sit inside a trained network.

/// SPAIC's `quantize_16`: `round(clamp(x + 2^15, 0, 2^16)) - 2^15` (round half to even, as `torch.round`).
@inlinable @inline(__always)
public func spaicQuantize16(_ x: Float) -> Float {
    (Swift.min(Swift.max(x + 32768, 0), 65536)).rounded(.toNearestOrEven) - 32768
}

/// The Darwin chip's 8-bit decay factor `round(exp(-dt/tau) 2^8)/2^8` (2^16 for Darwin_Random), computed in
/// double as SPAIC's numpy does.
@inlinable public func darwinDecay(dt: Float, tau: Float, bits: Int = 8) -> Float {
    let scale = Foundation.pow(2.0, Double(bits))
    return Float((Foundation.exp(-Double(dt) / Double(tau)) * scale).rounded(.toNearestOrEven) / scale)
}

/// SPAIC's bias constant `P1 = round(bias 2^15) / 2.0 * 15`, as its code computes it (the code multiplies by 15
/// where the comment's fixed-point scaling would divide by 2^15; we follow the code).
@inlinable public func darwinBias(_ bias: Float) -> Float {
    Float((Double(bias) * 32768).rounded(.toNearestOrEven) / 2.0 * 15)
}

/// SPAIC `Darwin_CLIF` ("darwin_clif"), 16-bit quantised current LIF of the Darwin chip:
///
///     I = q16(I P4 + x[t-1]);   V = q16(V P0 + I + P1);   O = V > v_th;   V = V - V O
///
/// The update reads SPAIC's untagged `Isyn`, the previous step's input (kept in the state).
/// P0 = round(exp(-dt/tau_m) 2^8)/2^8, P4 the same with tau_s, P1 = `darwinBias(bias)`, q16 = `spaicQuantize16`.
/// Defaults dt 0.1, tau_m 12, tau_s 8, bias 0, v_th 16384. SPAIC draws the initial V uniformly in [10000, 15000)
/// per neuron; here it is the parameter `V` (default 12500, the middle; per-neuron values through the parameter
/// table). I starts at 0. State `v`, `i`, `isyn` (the previous input).
public struct SPAICDarwinCLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<3>
    public static var id: String { "spaic.darwin_clif" }
    public static var stateNames: [String] { ["v", "i", "isyn"] }
    public static var isSpiking: Bool { true }
    public var dt: Float, tauM: Float, tauS: Float, bias: Float, threshold: Float, v0: Float
    public var surrogate: Surrogate
    public init(dt: Float = 0.1, tauM: Float = 12, tauS: Float = 8, bias: Float = 0, threshold: Float = 16384, v0: Float = 12500,
                surrogate: Surrogate = Surrogate(.rectangle, alpha: 16384)) {
        self.dt = dt; self.tauM = tauM; self.tauS = tauS; self.bias = bias; self.threshold = threshold; self.v0 = v0; self.surrogate = surrogate
    }
    public var initialState: FloatVector<3> { FloatVector([v0, 0, 0]) }
    /// dt, tau_m, tau_s, bias, v_th, V (initial).
    public static var parameterNames: [String] { ["dt", "tau_m", "tau_s", "bias", "v_th", "V"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k <= 2 && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<6> {
        get { FloatVector([dt, tauM, tauS, bias, threshold, v0]) }
        set { dt = newValue[0]; tauM = newValue[1]; tauS = newValue[2]; bias = newValue[3]; threshold = newValue[4]; v0 = newValue[5] }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let i = spaicQuantize16(s[1] * darwinDecay(dt: dt, tau: tauS) + s[2])
        let v = spaicQuantize16(s[0] * darwinDecay(dt: dt, tau: tauM) + i + darwinBias(bias))
        let o = spaicSpike(v - threshold, surrogate)
        return (o, FloatVector([v - v * o, i, x]))
    }
    /// Straight-through estimate (see the file's note).
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let p0 = darwinDecay(dt: dt, tau: tauM), p4 = darwinDecay(dt: dt, tau: tauS)
        let i = spaicQuantize16(s[1] * p4 + s[2])
        let v = spaicQuantize16(s[0] * p0 + i + darwinBias(bias))
        let o = spaicSpike(v - threshold, surrogate)
        let gv = spaicMultReset(v, o, surrogate.derivative(v - threshold), gOut: gOut, gV: gNext[0])
        let gi = gv + gNext[1]
        return (gNext[2], FloatVector([gv * p0, gi * p4, gi]))
    }
}

/// SPAIC `Darwin_ALIF` ("darwin_alif"), the Darwin CLIF with an adaptive threshold (16-bit quantised V and I):
///
///     I = q16(I P4 + x[t-1]);   V = q16(V P0 + I + P1);   O = V > Vth;   V = V - V O;   Vth = P2 Vth + C1 + C2 O
///
/// (the previous step's input, SPAIC's untagged `Isyn`, kept in the state)
/// P2 = 0.999, C1 = round(0.001 v_th), C2 = round(0.2 v_th); the threshold starts at v_th. Defaults as
/// `darwin_clif`; SPAIC draws the initial V uniformly in [-30000, 15000) (here the parameter `V`, default
/// -7500). State `v`, `i`, `vth`, `isyn`.
public struct SPAICDarwinALIF: NeuronModel, Equatable {
    public typealias State = FloatVector<4>
    public static var id: String { "spaic.darwin_alif" }
    public static var stateNames: [String] { ["v", "i", "vth", "isyn"] }
    public static var isSpiking: Bool { true }
    public var dt: Float, tauM: Float, tauS: Float, bias: Float, threshold: Float, v0: Float
    public var surrogate: Surrogate
    public init(dt: Float = 0.1, tauM: Float = 12, tauS: Float = 8, bias: Float = 0, threshold: Float = 16384, v0: Float = -7500,
                surrogate: Surrogate = Surrogate(.rectangle, alpha: 16384)) {
        self.dt = dt; self.tauM = tauM; self.tauS = tauS; self.bias = bias; self.threshold = threshold; self.v0 = v0; self.surrogate = surrogate
    }
    public var initialState: FloatVector<4> { FloatVector([v0, 0, threshold, 0]) }
    /// dt, tau_m, tau_s, bias, v_th (initial threshold and scale of C1, C2), V (initial).
    public static var parameterNames: [String] { ["dt", "tau_m", "tau_s", "bias", "v_th", "V"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? { SPAICDarwinCLIF.parameterDomainError(k, value) }
    public var parameters: FloatVector<6> {
        get { FloatVector([dt, tauM, tauS, bias, threshold, v0]) }
        set { dt = newValue[0]; tauM = newValue[1]; tauS = newValue[2]; bias = newValue[3]; threshold = newValue[4]; v0 = newValue[5] }
    }
    @inlinable var c1: Float { Float((0.001 * Double(threshold)).rounded(.toNearestOrEven)) }
    @inlinable var c2: Float { Float((0.2 * Double(threshold)).rounded(.toNearestOrEven)) }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<4>) -> (out: Float, next: FloatVector<4>) {
        let i = spaicQuantize16(s[1] * darwinDecay(dt: dt, tau: tauS) + s[3])
        let v = spaicQuantize16(s[0] * darwinDecay(dt: dt, tau: tauM) + i + darwinBias(bias))
        let o = spaicSpike(v - s[2], surrogate)
        return (o, FloatVector([v - v * o, i, Float(0.999) * s[2] + c1 + o * c2, x]))
    }
    /// Straight-through estimate (see the file's note).
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gx: Float, gPrev: FloatVector<4>) {
        let p0 = darwinDecay(dt: dt, tau: tauM), p4 = darwinDecay(dt: dt, tau: tauS)
        let i = spaicQuantize16(s[1] * p4 + s[3])
        let v = spaicQuantize16(s[0] * p0 + i + darwinBias(bias))
        let o = spaicSpike(v - s[2], surrogate), sg = surrogate.derivative(v - s[2])
        let gO = gOut - gNext[0] * v + gNext[2] * c2
        let gv = gNext[0] * (1 - o) + gO * sg
        let gi = gv + gNext[1]
        return (gNext[3], FloatVector([gv * p0, gi * p4, gNext[2] * 0.999 - gO * sg, gi]))
    }
}

/// SPAIC `Darwin_Random` ("darwin_random"), the Darwin chip's noisy integrator without input:
///
///     V = P0 V + round(std u - std/2) + round(bias),   u ~ U[0, 1);   O = V > v_th;   V = V - V O
///
/// P0 = round(exp(-dt/tau_m) 2^16)/2^16. Defaults dt 0.1, tau_m 10, std 0, bias 0, v_th 15000; SPAIC draws the
/// initial V uniformly in [10000, 15000) (here the parameter `V`, default 12500). The noise comes from a
/// counter-based generator (SplitMix64 of `seed` and the step count), so a run is the same whatever the threads;
/// give neurons different `seed` values (a per-neuron parameter) for independent noise. SPAIC's draws come from
/// torch's generator and cannot be reproduced bit for bit. The input is ignored (SPAIC's model has none).
/// State `v`, `step`.
public struct SPAICDarwinRandom: NeuronModel, Equatable {
    public typealias State = FloatVector<2>
    public static var id: String { "spaic.darwin_random" }
    public static var stateNames: [String] { ["v", "step"] }
    public static var isSpiking: Bool { true }
    public var dt: Float, tauM: Float, std: Float, bias: Float, threshold: Float, v0: Float, seed: Float
    public var surrogate: Surrogate
    public init(dt: Float = 0.1, tauM: Float = 10, std: Float = 0, bias: Float = 0, threshold: Float = 15000, v0: Float = 12500,
                seed: Float = 0, surrogate: Surrogate = Surrogate(.rectangle, alpha: 15000)) {
        self.dt = dt; self.tauM = tauM; self.std = std; self.bias = bias; self.threshold = threshold; self.v0 = v0; self.seed = seed
        self.surrogate = surrogate
    }
    public var initialState: FloatVector<2> { FloatVector([v0, 0]) }
    /// dt, tau_m, std, bias, v_th, V (initial), seed.
    public static var parameterNames: [String] { ["dt", "tau_m", "std", "bias", "v_th", "V", "seed"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case 0, 1: return value > 0 ? nil : "> 0"
        case 2: return value >= 0 ? nil : ">= 0"
        case 6: return value >= 0 && value == value.rounded() && value < 16_777_216 ? nil : "an integer in [0, 2^24)"
        default: return nil
        }
    }
    public var parameters: FloatVector<7> {
        get { FloatVector([dt, tauM, std, bias, threshold, v0, seed]) }
        set { dt = newValue[0]; tauM = newValue[1]; std = newValue[2]; bias = newValue[3]; threshold = newValue[4]; v0 = newValue[5]; seed = newValue[6] }
    }
    /// A uniform draw in [0, 1) for (seed, step): SplitMix64, top 24 bits.
    @inlinable static func uniform(seed: Float, step: Float) -> Float {
        var z = (UInt64(seed) &* 0x9E37_79B9_7F4A_7C15) &+ UInt64(step) &+ 0x632B_E59B_D9B4_E019
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / 16_777_216
    }
    @inlinable @inline(__always) func integrate(_ s: FloatVector<2>) -> Float {
        let noise = std > 0 ? (std * Self.uniform(seed: seed, step: s[1]) - std / 2).rounded(.toNearestOrEven) : 0
        return darwinDecay(dt: dt, tau: tauM, bits: 16) * s[0] + noise + bias.rounded(.toNearestOrEven)
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<2>) -> (out: Float, next: FloatVector<2>) {
        let v = integrate(s)
        let o = spaicSpike(v - threshold, surrogate)
        // The step counter wraps below 2^24 so that it stays an exact float.
        return (o, FloatVector([v - v * o, s[1] + 1 < 16_777_216 ? s[1] + 1 : 0]))
    }
    /// The input does not enter (gradient 0); V carries the straight-through estimate.
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<2>, gOut: Float, gNext: FloatVector<2>) -> (gx: Float, gPrev: FloatVector<2>) {
        let v = integrate(s)
        let o = spaicSpike(v - threshold, surrogate)
        let gv = spaicMultReset(v, o, surrogate.derivative(v - threshold), gOut: gOut, gV: gNext[0])
        return (0, FloatVector([gv * darwinDecay(dt: dt, tau: tauM, bits: 16), 0]))
    }
}

/// SPAIC `CLIF2kModel` ("clif2k"), the two-kernel current LIF: `spaic.clif` with the membrane kernel on tau_m and
/// the synaptic kernel on tau_s (`SPAICCLIF(tauM: tau_m, tauP: tau_m, tauQ: tau_s)`):
///
///     I = V0 x;  M = exp(-dt/tau_m) M + I;  S = exp(-dt/tau_s) S + I;  V = M - S - E;  O = V > v_th;
///     E = exp(-dt/tau_m) E + v_th O,      V0 = clamp(beta^(beta/(beta-1))/(beta-1), 0, 1), beta = tau_m/tau_s
///
/// (SPAIC's parameter range [0, 1] clamps V0, as for `clif`: 1 for tau_m > tau_s.)
/// Defaults tau_m 20, tau_s 12 ms, v_th 1, dt 0.1 ms, the STCA surrogate. Learnable: tau_m, tau_s, v_th.
public struct SPAICCLIF2k: NeuronModel, Equatable {
    public typealias State = FloatVector<4>
    public static var id: String { "spaic.clif2k" }
    public static var stateNames: [String] { SPAICCLIF.stateNames }
    public static var isSpiking: Bool { true }
    /// The three-kernel model it runs (tau_p = tau_m, tau_q = tau_s).
    public var base: SPAICCLIF
    public init(tauM: Float = 20, tauS: Float = 12, threshold: Float = 1, dt: Float = 0.1, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        base = SPAICCLIF(tauM: tauM, tauP: tauM, tauQ: tauS, threshold: threshold, dt: dt, surrogate: surrogate)
    }
    public var initialState: FloatVector<4> { base.initialState }
    /// tau_m, tau_s, v_th, dt.
    public static var parameterNames: [String] { ["tau_m", "tau_s", "v_th", "dt"] }
    public static var learnableParameterNames: [String] { ["tau_m", "tau_s", "v_th"] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        return k != 2 && !(value > 0) ? "> 0" : nil
    }
    public var parameters: FloatVector<4> {
        get { let p = base.parameters; return FloatVector([p[0], p[2], p[3], p[4]]) }
        set { base.parameters = FloatVector([newValue[0], newValue[0], newValue[1], newValue[2], newValue[3]]) }
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<4>) -> (out: Float, next: FloatVector<4>) { base.step(x, s) }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> (gx: Float, gPrev: FloatVector<4>) {
        base.stepVJP(x, s, gOut: gOut, gNext: gNext)
    }
    /// tau_m collects the gradients of the reset and membrane kernels (both on tau_m).
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<4>, gOut: Float, gNext: FloatVector<4>) -> FloatVector<4> {
        let g = base.parameterVJP(x, s, gOut: gOut, gNext: gNext)
        return FloatVector([g[0] + g[1], g[2], g[3], 0])
    }
}

/// SPAIC `PLIF2kModel` ("pclif"), the two-kernel LIF with learnable decay factors (not time constants):
///
///     M = tau_m (M + x);  S = tau_s (S + x);  E = tau_m E + v_th O[t-1];  V = M - S - E;  O = V > v_th
///
/// `tau_m`, `tau_s` are SPAIC's `_parameter_variables` used as multipliers directly (defaults 0.9 and 0.6); the
/// reset kernel reads the previous step's spike (SPAIC's untagged `O`), and there is no V0 scaling. Defaults v_th 1,
/// the STCA surrogate. Learnable: tau_m, tau_s, v_th. State `v`, `M`, `S`, `E`, `O` (the previous spike).
public struct SPAICPCLIF: NeuronModel, Equatable {
    public typealias State = FloatVector<5>
    public static var id: String { "spaic.pclif" }
    public static var stateNames: [String] { ["v", "M", "S", "E", "O"] }
    public static var isSpiking: Bool { true }
    public var tauM: Float, tauS: Float, threshold: Float
    public var surrogate: Surrogate
    public init(tauM: Float = 0.9, tauS: Float = 0.6, threshold: Float = 1, surrogate: Surrogate = SPAIC.stcaSurrogate) {
        self.tauM = tauM; self.tauS = tauS; self.threshold = threshold; self.surrogate = surrogate
    }
    public var initialState: FloatVector<5> { FloatVector<5>() }
    /// tau_m, tau_s (decay factors), v_th.
    public static var parameterNames: [String] { ["tau_m", "tau_s", "v_th"] }
    public static var learnableParameterNames: [String] { ["tau_m", "tau_s", "v_th"] }
    public var parameters: FloatVector<3> {
        get { FloatVector([tauM, tauS, threshold]) }
        set { tauM = newValue[0]; tauS = newValue[1]; threshold = newValue[2] }
    }
    @inlinable @inline(__always) func forward(_ x: Float, _ s: FloatVector<5>) -> (m: Float, sv: Float, e: Float, v: Float) {
        let m = tauM * (s[1] + x), sv = tauS * (s[2] + x), e = tauM * s[3] + threshold * s[4]
        return (m, sv, e, (m - sv) - e)
    }
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<5>) -> (out: Float, next: FloatVector<5>) {
        let f = forward(x, s)
        let o = spaicSpike(f.v - threshold, surrogate)
        return (o, FloatVector([f.v, f.m, f.sv, f.e, o]))
    }
    @inlinable @inline(__always)
    func back(_ x: Float, _ s: FloatVector<5>, gOut: Float, gNext: FloatVector<5>) -> (gv: Float, gm: Float, gs: Float, ge: Float, sg: Float, v: Float) {
        let f = forward(x, s)
        let sg = surrogate.derivative(f.v - threshold)
        let gv = gNext[0] + (gOut + gNext[4]) * sg
        return (gv, gNext[1] + gv, gNext[2] - gv, gNext[3] - gv, sg, f.v)
    }
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<5>, gOut: Float, gNext: FloatVector<5>) -> (gx: Float, gPrev: FloatVector<5>) {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        return (b.gm * tauM + b.gs * tauS, FloatVector([0, b.gm * tauM, b.gs * tauS, b.ge * tauM, b.ge * threshold]))
    }
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<5>, gOut: Float, gNext: FloatVector<5>) -> FloatVector<3> {
        let b = back(x, s, gOut: gOut, gNext: gNext)
        return FloatVector([b.gm * (s[1] + x) + b.ge * s[3], b.gs * (s[2] + x), b.ge * s[4] - (gOut + gNext[4]) * b.sg])
    }
}
