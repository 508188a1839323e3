import Foundation

// SPAIC (spaic/Neuron/Neuron.py, release 0.6.3) integer-arithmetic Diehl & Cook neuron: `DiehlAndCookModelInt`,
// registered in SPAIC as "diehlAndCook" and used with `backend.data_type = torch.int32` in
// spaic/Example/eth_mnist_int.py. Bit-exact int32 arithmetic; the states are integers stored in Float.

/// Float -> Int32 as torch's `.int()` on values in range: truncation toward zero. Out of range saturates to the
/// Int32 limits (torch leaves that undefined); NaN gives 0.
@inlinable @inline(__always)
func spaicInt32(_ f: Float) -> Int32 {
    if f.isNaN { return 0 }
    if !(f < 2_147_483_648) { return .max }
    if f < -2_147_483_648 { return .min }
    return Int32(f)
}

/// The largest magnitude an integer parameter or state may have: Float holds every integer below 2^24 exactly.
public let spaicIntegerLimit: Float = 16_777_215

/// SPAIC's integer leaky integrate-and-fire neuron with adaptive threshold and refractory counter,
/// `DiehlAndCookModelInt` (SPAIC's "diehlAndCook"; registered here as "lif_int"). One step in int32 arithmetic,
/// in SPAIC's order (`>>` is the arithmetic right shift of a signed int32, i.e. floor division by a power of 2):
///
///     x'     = clamp(int(x), weight_sum_min, weight_sum_max)       int(): truncation toward zero (torch .int())
///     thresh = thresh >> 1   if thresh > max_threshold               (halving of the adaptive threshold)
///     V      = ((decay (V - v_rest)) >> shift_voltage) + v_rest      (decay 1013, shift 10: V * 0.9893)
///     V      = V + [refrac_count <= 0] ((x' weight_sum_coef) >> shift_weight_sum_coef)   (154 >> 10: x * 0.1504)
///     refrac_count = refrac_count - 1
///     O      = V > thresh                                             (strict)
///     if O:  refrac_count = reset_refrac, V = v_reset, thresh = thresh + thresh_plus
///     V      = max(V, lbound)
///
/// The refractory counter keeps counting down below 0 (as in SPAIC; only `<= 0` matters), so the input is ignored
/// for `reset_refrac` steps after a spike while V keeps decaying. Products wrap around in int32 as torch's int32
/// tensors do. Defaults as SPAIC: thresh 213 (the initial threshold), refrac_count 0 (initial counter),
/// max_threshold 4915, decay 1013, shift_voltage 10, weight_sum_coef 154, shift_weight_sum_coef 10,
/// weight_sum_min -32767, weight_sum_max 32767, v_reset 0, v_rest 0, reset_refrac 5, thresh_plus 66,
/// lbound -32767. Initial state V = 0, thresh = `thresh`, refrac_count = `refrac_count`. Everything is per
/// element: SPAIC adds `thresh_plus` times the spike count summed over the batch (`s.int().sum(0)`) to a threshold
/// shared by the batch, which is the same at batch size 1 (how SPAIC's integer example runs). States are exact
/// while they stay below 2^24 in magnitude (Float); all integer parameters are validated to that range.
///
/// Gradient (SPAIC trains this model with STDP only, so this is our own choice): straight-through estimators for
/// the rounding (`d int(x)/dx = 1` inside the clamp range, 0 outside; a shift `(a c) >> k` has slope `c / 2^k`;
/// the halving has slope 1/2), the surrogate at the threshold (`dO/dV = σ'(V - thresh)`), and the hard reset's
/// true gradient (`dV_new/dV = 1 - O`, plus `(v_reset - V) σ'` through O; gradients also reach the threshold
/// state through O and thresh_plus). The refractory gate and the `lbound` clamp pass no gradient (a clamped V
/// has gradient 0). With `surrogate.smoothForward` (gradient checks) the forward is the real-valued relaxation:
/// no truncation and exact division by the powers of 2, the smooth spike in the reset and the threshold
/// increment (the refractory counter still switches on the hard spike); the backward is that relaxation's exact
/// gradient. The model has no learnable parameters (they are integers). Default surrogate: a rectangle of width
/// 213 (`defaultSurrogate`), the scale of the default threshold.
///
/// State `v`, `thresh`, `refrac_count`; output O.
public struct SPAICLIFInt: NeuronModel, Equatable {
    public typealias State = FloatVector<3>
    public static var id: String { "lif_int" }
    /// `v` (index 0), `thresh` (adaptive threshold), `refrac_count`.
    public static var stateNames: [String] { ["v", "thresh", "refrac_count"] }
    public static var isSpiking: Bool { true }

    /// Initial threshold `thresh`.
    public let thresh: Int32
    /// Initial refractory counter `refrac_count`.
    public let refracCount: Int32
    /// `max_threshold`: above it the threshold is halved at the next step.
    public let maxThreshold: Int32
    /// Membrane decay numerator `decay` (V decays by decay / 2^shift_voltage per step).
    public let decay: Int32
    /// `shift_voltage` in [0, 31].
    public let shiftVoltage: Int32
    /// Input scale numerator `weight_sum_coef`.
    public let weightSumCoef: Int32
    /// `shift_weight_sum_coef` in [0, 31].
    public let shiftWeightSumCoef: Int32
    /// Input clamp `weight_sum_min`...`weight_sum_max`.
    public let weightSumMin, weightSumMax: Int32
    /// Reset `v_reset` and resting `v_rest` potentials.
    public let vReset, vRest: Int32
    /// Refractory period `reset_refrac` in steps.
    public let resetRefrac: Int32
    /// Threshold increment per spike `thresh_plus`.
    public let threshPlus: Int32
    /// Lower bound of V, `lbound`.
    public let lbound: Int32
    /// Surrogate gradient of the spike, in the model's integer units (default `defaultSurrogate`).
    public let surrogate: Surrogate
    /// A rectangle of width 213 (SPAIC's default initial threshold): gradient 1/213 where |V - thresh| < 106.5.
    /// SPAIC's STCA window of width 1 would only see V == thresh, as V and thresh are integers.
    public static let defaultSurrogate = Surrogate(.rectangle, alpha: 213)
    /// The slopes of the two shifts, `decay / 2^shift_voltage` and `weight_sum_coef / 2^shift_weight_sum_coef`
    /// (exact in Float).
    public let voltageSlope, inputSlope: Float

    public init(thresh: Int32 = 213, refracCount: Int32 = 0, maxThreshold: Int32 = 4915, decay: Int32 = 1013,
                shiftVoltage: Int32 = 10, weightSumCoef: Int32 = 154, shiftWeightSumCoef: Int32 = 10,
                weightSumMin: Int32 = -32767, weightSumMax: Int32 = 32767, vReset: Int32 = 0, vRest: Int32 = 0,
                resetRefrac: Int32 = 5, threshPlus: Int32 = 66, lbound: Int32 = -32767, surrogate: Surrogate = SPAICLIFInt.defaultSurrogate) {
        self.thresh = thresh; self.refracCount = refracCount; self.maxThreshold = maxThreshold; self.decay = decay
        self.shiftVoltage = Swift.min(Swift.max(shiftVoltage, 0), 31); self.weightSumCoef = weightSumCoef
        self.shiftWeightSumCoef = Swift.min(Swift.max(shiftWeightSumCoef, 0), 31)
        self.weightSumMin = weightSumMin; self.weightSumMax = weightSumMax; self.vReset = vReset; self.vRest = vRest
        self.resetRefrac = resetRefrac; self.threshPlus = threshPlus; self.lbound = lbound; self.surrogate = surrogate
        voltageSlope = Float(decay) / Float(1 << Int(self.shiftVoltage))
        inputSlope = Float(weightSumCoef) / Float(1 << Int(self.shiftWeightSumCoef))
    }

    public var initialState: FloatVector<3> {
        var s = FloatVector<3>()
        s[1] = Float(thresh); s[2] = Float(refracCount)
        return s
    }

    /// SPAIC's keyword names, in the order of `Parameters`.
    public static var parameterNames: [String] {
        ["thresh", "refrac_count", "max_threshold", "decay", "shift_voltage", "weight_sum_coef", "shift_weight_sum_coef",
         "weight_sum_min", "weight_sum_max", "v_reset", "v_rest", "reset_refrac", "thresh_plus", "lbound"]
    }
    /// Integers below 2^24 in magnitude; the shifts in [0, 31]; `reset_refrac` >= 0.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        let integer = value.isFinite && value == value.rounded()
        switch k {
        case 4, 6: return integer && value >= 0 && value <= 31 ? nil : "an integer in [0, 31]"
        case 11: return integer && value >= 0 && value <= spaicIntegerLimit ? nil : "an integer in [0, 16777215]"
        default: return integer && abs(value) <= spaicIntegerLimit ? nil : "an integer in [-16777215, 16777215]"
        }
    }
    public var parameters: FloatVector<14> {
        get {
            FloatVector([thresh, refracCount, maxThreshold, decay, shiftVoltage, weightSumCoef, shiftWeightSumCoef,
                         weightSumMin, weightSumMax, vReset, vRest, resetRefrac, threshPlus, lbound].map { Float($0) })
        }
        set {
            let p = (0..<14).map { spaicInt32(newValue[$0]) }
            self = SPAICLIFInt(thresh: p[0], refracCount: p[1], maxThreshold: p[2], decay: p[3], shiftVoltage: p[4],
                               weightSumCoef: p[5], shiftWeightSumCoef: p[6], weightSumMin: p[7], weightSumMax: p[8],
                               vReset: p[9], vRest: p[10], resetRefrac: p[11], threshPlus: p[12], lbound: p[13], surrogate: surrogate)
        }
    }

    /// One step with the intermediates the backward needs.
    @usableFromInline
    struct Parts {
        /// Output spike and next state.
        @usableFromInline var o: Float, next: FloatVector<3>
        /// V after decay and input (before the spike), the threshold after halving, the input let through.
        @usableFromInline var v2: Float, thH: Float
        @usableFromInline var halved: Bool, gateOpen: Bool, inRange: Bool, clamped: Bool
        @inlinable init(o: Float, next: FloatVector<3>, v2: Float, thH: Float, halved: Bool, gateOpen: Bool, inRange: Bool, clamped: Bool) {
            self.o = o; self.next = next; self.v2 = v2; self.thH = thH
            self.halved = halved; self.gateOpen = gateOpen; self.inRange = inRange; self.clamped = clamped
        }
    }

    @inlinable @inline(__always) func run(_ x: Float, _ s: FloatVector<3>) -> Parts {
        var n = FloatVector<3>()
        if surrogate.smoothForward {
            // The real-valued relaxation (gradient checks only).
            let (lo, hi) = (Float(weightSumMin), Float(weightSumMax))
            let inRange = x >= lo && x <= hi
            let xc = Swift.min(Swift.max(x, lo), hi)
            let halved = s[1] > Float(maxThreshold)
            let thH = halved ? s[1] / 2 : s[1]
            let rest = Float(vRest)
            let v1 = voltageSlope * (s[0] - rest) + rest
            let open = s[2] <= 0
            let v2 = open ? v1 + inputSlope * xc : v1
            let o = surrogate.primitive(v2 - thH)
            let v3 = v2 * (1 - o) + Float(vReset) * o
            let clamped = v3 < Float(lbound)
            n[0] = clamped ? Float(lbound) : v3
            n[1] = thH + Float(threshPlus) * o
            n[2] = v2 > thH ? Float(resetRefrac) : s[2] - 1
            return Parts(o: o, next: n, v2: v2, thH: thH, halved: halved, gateOpen: open, inRange: inRange, clamped: clamped)
        }
        let xt = spaicInt32(x)
        let inRange = xt >= weightSumMin && xt <= weightSumMax
        let xi = Swift.min(Swift.max(xt, weightSumMin), weightSumMax)
        var th = spaicInt32(s[1])
        let halved = th > maxThreshold
        if halved { th = th >> 1 }
        var v = spaicInt32(s[0]), rc = spaicInt32(s[2])
        v = ((decay &* (v &- vRest)) >> shiftVoltage) &+ vRest
        let open = rc <= 0
        if open { v = v &+ ((xi &* weightSumCoef) >> shiftWeightSumCoef) }
        rc = rc &- 1
        let v2 = v, thH = th
        let spike = v > th
        if spike { rc = resetRefrac; v = vReset; th = th &+ threshPlus }
        let clamped = v < lbound
        if clamped { v = lbound }
        n[0] = Float(v); n[1] = Float(th); n[2] = Float(rc)
        return Parts(o: spike ? 1 : 0, next: n, v2: Float(v2), thH: Float(thH), halved: halved, gateOpen: open,
                     inRange: inRange, clamped: clamped)
    }

    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<3>) -> (out: Float, next: FloatVector<3>) {
        let p = run(x, s)
        return (p.o, p.next)
    }

    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<3>, gOut: Float, gNext: FloatVector<3>) -> (gx: Float, gPrev: FloatVector<3>) {
        let p = run(x, s)
        let sg = surrogate.derivative(p.v2 - p.thH)
        let gV3 = p.clamped ? 0 : gNext[0]
        let gO = gOut + gNext[1] * Float(threshPlus) + gV3 * (Float(vReset) - p.v2)
        let gV2 = gV3 * (1 - p.o) + gO * sg
        let gThH = gNext[1] - gO * sg
        var g = FloatVector<3>()
        g[0] = gV2 * voltageSlope
        g[1] = p.halved ? gThH / 2 : gThH
        let gx = p.gateOpen && p.inRange ? gV2 * inputSlope : 0
        return (gx, g)
    }
}
