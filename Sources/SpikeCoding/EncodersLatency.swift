import Foundation
import SpikeCore
import SpikeNN

// MARK: - snnTorch latency

extension Encode {
    /// `threshold + epsilon` as PyTorch forms it: the two Python floats (the decimals the user wrote) added in
    /// double precision, then rounded to Float32. Adding the Float32 threshold instead is off by up to half an
    /// ulp of the threshold, which with epsilon 1e-7 moves the saturated time `tau ln((thr + eps) / eps)` by
    /// ~0.1% (e.g. 57.58 instead of snnTorch's 57.54 for tau 5).
    static func saturationFloor(_ threshold: Float, _ epsilon: Float) -> Float {
        func decimal(_ f: Float) -> Double { Double("\(f)") ?? Double(f) }
        return Float(decimal(threshold) + decimal(epsilon))
    }

    /// The spike times of snnTorch's `spikegen.latency_code` (snnTorch 1.0), in steps before rounding, and
    /// which elements are below the threshold. Computed in Float32 as snnTorch does. With `x` the data in
    /// [0, 1] (any shape), `thr` the threshold, `eps` epsilon, `t0` the first spike time and `T` the steps:
    ///
    /// Logarithmic (default; the time an RC circuit with time constant `tau`, charged by the current `x`,
    /// needs to reach `thr`):
    ///
    ///     x' = max(x, thr + eps)                                     (values below thr saturate)
    ///     t  = tau * ln(x' / (x' - thr)) + t0
    ///     normalize:  t = (t - t0) (T - t0 - 1) / max(t - t0) + t0    (the latest spike at T - 1)
    ///
    /// Linear:
    ///
    ///     normalize:  tau = T - 1 - t0
    ///     t = min(-tau (x - 1), -tau (thr - 1)) + t0                  (x = 1 at t0; values below thr at the time of thr)
    ///
    /// The maximum runs over the whole tensor (the whole batch), as in snnTorch. Where the normalisation would
    /// divide by zero (every time already at t0) the times are left at t0.
    ///
    /// - Parameters:
    ///   - x: intensities in [0, 1] (snnTorch 1.0 rejects data outside [0, 1]).
    ///   - steps: T (>= 1).
    ///   - tau: RC time constant in steps (> 0), default 1. Replaced by T - 1 - t0 for linear with `normalize`.
    ///   - threshold: in (0, 1), default 0.01.
    ///   - epsilon: > 0, default 1e-7.
    ///   - firstSpikeTime: t0 in 0 ... T-1, default 0.
    ///   - normalize: default false.
    ///   - linear: default false (logarithmic).
    /// - Returns: `times` of the shape of `x`, and `belowThreshold` (x < threshold) per element.
    /// - Throws: `CodingError` (as snnTorch's exceptions): steps < 1, a value outside [0, 1] or NaN, threshold
    ///   outside (0, 1), tau or epsilon not positive, firstSpikeTime outside [0, T-1].
    public static func latencyTimes(_ x: Tensor, steps: Int, tau: Float = 1, threshold: Float = 0.01, epsilon: Float = 1e-7,
                                    firstSpikeTime: Int = 0, normalize: Bool = false,
                                    linear: Bool = false) throws -> (times: Tensor, belowThreshold: [Bool]) {
        let coder = "latency"
        try CodingCheck.steps(steps, coder, elements: x.count)
        guard threshold > 0, threshold < 1 else { throw CodingError("\(coder): threshold must be in (0, 1), got \(threshold)") }
        try CodingCheck.positive(tau, "tau", coder)
        try CodingCheck.positive(epsilon, "epsilon", coder)
        guard firstSpikeTime >= 0, firstSpikeTime <= steps - 1 else {
            throw CodingError("\(coder): firstSpikeTime \(firstSpikeTime) must be in [0, steps - 1] = [0, \(steps - 1)]")
        }
        try CodingCheck.within(x.scalars, 0...1, coder)
        let below = x.scalars.map { $0 < threshold }
        guard x.count > 0 else { return (x, below) }
        let t0 = Float(firstSpikeTime), T = Float(steps)
        var t: [Float]
        if !linear {
            let floor = Encode.saturationFloor(threshold, epsilon)
            t = x.scalars.map { v in
                let c = Swift.max(v, floor)
                return tau * Foundation.log(c / (c - threshold)) + t0
            }
            if normalize {
                let m = t.map { $0 - t0 }.max()!
                t = m > 0 ? t.map { ($0 - t0) * (T - t0 - 1) / m + t0 } : t.map { _ in t0 }
            }
        } else {
            let k = normalize ? T - 1 - t0 : tau
            let cap = -k * (threshold - 1)
            t = x.scalars.map { Swift.min(-k * ($0 - 1), cap) + t0 }
        }
        return (Tensor(shape: x.shape, scalars: t), below)
    }

    /// snnTorch `spikegen.latency` (snnTorch 1.0): one spike per element at step `round(t)` (round half to even,
    /// as `torch.round`) of the times `t` of `latencyTimes` (see there for the logarithmic and linear formulas
    /// and the options). Larger values spike earlier. Values below the threshold saturate at the latest time
    /// (`tau ln((thr + eps) / eps)` for the logarithmic code, the time of `thr` for the linear one; with
    /// `normalize` that is step T - 1); with `clip` they do not spike at all.
    ///
    /// A spike time beyond the window (rounded above T - 1) is an error, as in snnTorch, unless `bypass`, which
    /// drops those spikes (snnTorch's `bypass=True`). Deviation: elements removed by `clip` are left out of that
    /// check (snnTorch checks every time, so clipped zeros with the unnormalised logarithmic code raise there).
    ///
    /// Defaults (snnTorch's): tau 1, threshold 0.01, epsilon 1e-7, firstSpikeTime 0, clip false, normalize
    /// false, linear false, bypass false. (snnTorch's target-coding options `on_target`, `off_target`,
    /// `interpolate` and the `num_steps`-from-data mode are not offered.)
    ///
    /// - Returns: spikes `[T] + S`.
    /// - Throws: as `latencyTimes`, and for a spike time beyond the window without `bypass`.
    public static func latency(_ x: Tensor, steps: Int, tau: Float = 1, threshold: Float = 0.01, epsilon: Float = 1e-7,
                               firstSpikeTime: Int = 0, clip: Bool = false, normalize: Bool = false,
                               linear: Bool = false, bypass: Bool = false) throws -> Tensor {
        let (times, below) = try latencyTimes(x, steps: steps, tau: tau, threshold: threshold, epsilon: epsilon,
                                              firstSpikeTime: firstSpikeTime, normalize: normalize, linear: linear)
        let n = x.count
        var out = [Float](repeating: 0, count: steps * n)
        for i in 0..<n where !(clip && below[i]) {
            let r = times.scalars[i].rounded(.toNearestOrEven)
            if r > Float(steps - 1) {
                if bypass { continue }
                throw CodingError("latency: spike time \(r) of value \(x.scalars[i]) at index \(i) is beyond the window [0, \(steps - 1)]; set normalize, lower tau, clip values below the threshold, or bypass to drop late spikes")
            }
            out[Int(r) * n + i] = 1
        }
        return Tensor(shape: timeShape(steps, x.shape), scalars: out)
    }
}

/// snnTorch latency encoder module (`spikegen.latency`): `[B, ...]` values in [0, 1] to `[T, B, ...]`, one
/// spike per element, larger values earlier; logarithmic or linear code with tau, threshold, normalize, clip,
/// first spike time and bypass (see `Encode.latency` and `Encode.latencyTimes` for the formulas). Defaults:
/// tau 1, threshold 0.01, epsilon 1e-7, firstSpikeTime 0, clip false, normalize false, linear false, bypass
/// false. Not differentiable.
public final class LatencyEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// RC time constant in steps, threshold in (0, 1), and the saturation margin epsilon.
    public let tau: Float, threshold: Float, epsilon: Float
    /// The step of the earliest spike, t0.
    public let firstSpikeTime: Int
    /// snnTorch's options: silence values below the threshold, stretch the code over the window, linear
    /// instead of logarithmic code, drop spikes beyond the window instead of failing.
    public let clip: Bool, normalize: Bool, linear: Bool, bypass: Bool

    /// Traps on invalid options (checked by encoding a zero-size tensor).
    public init(steps: Int, tau: Float = 1, threshold: Float = 0.01, epsilon: Float = 1e-7, firstSpikeTime: Int = 0,
                clip: Bool = false, normalize: Bool = false, linear: Bool = false, bypass: Bool = false) {
        self.steps = steps; self.tau = tau; self.threshold = threshold; self.epsilon = epsilon
        self.firstSpikeTime = firstSpikeTime; self.clip = clip; self.normalize = normalize; self.linear = linear
        self.bypass = bypass
        _ = Encode.orTrap { try encode(Tensor(shape: [0], scalars: [])) }
    }

    /// Encodes `x`, throwing `CodingError` on values outside [0, 1], NaN, or spikes beyond the window.
    public func encode(_ x: Tensor) throws -> Tensor {
        try Encode.latency(x, steps: steps, tau: tau, threshold: threshold, epsilon: epsilon, firstSpikeTime: firstSpikeTime,
                           clip: clip, normalize: normalize, linear: linear, bypass: bypass)
    }
    /// `[B, ...]` to `[T, B, ...]`; traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}

// MARK: - SPAIC relative latency

extension Encode {
    /// SPAIC's relative latency (`Relative_Latency`): within each sample, the relatively stronger inputs spike
    /// earlier. For sample b with features x_i (all axes after the first flattened):
    ///
    ///     e_i   = exp(-amp x_i)
    ///     idx_i = floor((T - 1) * scale * (e_i - min_j e_j))           (the strongest input of a sample at step 0)
    ///     cut   = floor(min_i idx_i + cutFraction (max_i idx_i - min_i idx_i))
    ///     spike at step idx_i, unless idx_i >= cut                     (the weakest inputs are silenced)
    ///
    /// Defaults (SPAIC's): amp 1, scale 0.9999999, cutFraction 0.8.
    ///
    /// Deviations: SPAIC computes `cut` over the whole batch; here it is per sample, so that a sample's code does
    /// not depend on the other samples. SPAIC silences every spike when `cut` equals the minimum index (e.g. a
    /// constant sample, or a largest index of 1), an all-zero output; here the cut applies only when it lies
    /// above the minimum index, so the strongest inputs of a sample always spike. `cutFraction: nil` keeps all.
    ///
    /// - Parameters:
    ///   - x: `[B, ...]` with at least one axis after the sample axis; finite values (intensities).
    ///   - steps: T (>= 1).
    ///   - amp: > 0, the gain inside the exponential.
    ///   - scale: in (0, 1), the fraction of the window used.
    ///   - cutFraction: in (0, 1], or nil for no cut.
    /// - Returns: spikes `[T, B, ...]`.
    /// - Throws: `CodingError` for steps < 1, rank < 2, amp not positive, scale outside (0, 1), cutFraction
    ///   outside (0, 1], NaN or infinite values, or values so negative that exp(-amp x) overflows.
    public static func relativeLatency(_ x: Tensor, steps: Int, amp: Float = 1, scale: Float = 0.9999999,
                                       cutFraction: Float? = 0.8) throws -> Tensor {
        let coder = "relative latency"
        try CodingCheck.steps(steps, coder, elements: x.count)
        guard x.rank >= 2 else { throw CodingError("\(coder): input must be [B, ...] with at least one feature axis, got shape \(x.shape)") }
        try CodingCheck.positive(amp, "amp", coder)
        guard scale > 0, scale < 1 else { throw CodingError("\(coder): scale must be in (0, 1), got \(scale)") }
        if let f = cutFraction, !(f > 0 && f <= 1) { throw CodingError("\(coder): cutFraction must be in (0, 1], got \(f)") }
        try CodingCheck.finite(x.scalars, coder)
        let B = x.shape[0], F = x.count / Swift.max(B, 1), n = x.count
        let e = x.scalars.map { Foundation.exp(-amp * $0) }
        if let i = e.firstIndex(where: { !$0.isFinite }) {
            throw CodingError("\(coder): value \(x.scalars[i]) at index \(i) is too negative: exp(-amp x) overflows")
        }
        let maxScale = Float(steps - 1)
        var out = [Float](repeating: 0, count: steps * n)
        for b in 0..<B {
            let row = e[(b * F)..<((b + 1) * F)]
            guard let m = row.min() else { continue }
            let idx = row.map { Int((maxScale * scale * ($0 - m)).rounded(.towardZero)) }
            var cut = Int.max
            if let f = cutFraction, let lo = idx.min(), let hi = idx.max() {
                let c = Int((Float(lo) + f * Float(hi - lo)).rounded(.towardZero))
                if c > lo { cut = c }
            }
            for (j, k) in idx.enumerated() where k < cut && k <= steps - 1 { out[k * n + b * F + j] = 1 }
        }
        return Tensor(shape: timeShape(steps, x.shape), scalars: out)
    }
}

/// SPAIC relative latency encoder module: `[B, ...]` to `[T, B, ...]`, within each sample stronger inputs
/// earlier and the weakest silenced (see `Encode.relativeLatency`). Defaults: amp 1, scale 0.9999999,
/// cutFraction 0.8. Not differentiable.
public final class RelativeLatencyEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// Gain inside exp(-amp x), and the fraction of the window used.
    public let amp: Float, scale: Float
    /// Fraction of a sample's index range beyond which spikes are silenced, or nil.
    public let cutFraction: Float?

    /// Traps on invalid options.
    public init(steps: Int, amp: Float = 1, scale: Float = 0.9999999, cutFraction: Float? = 0.8) {
        self.steps = steps; self.amp = amp; self.scale = scale; self.cutFraction = cutFraction
        _ = Encode.orTrap { try encode(Tensor(shape: [0, 1], scalars: [])) }
    }
    /// Encodes `x` (`[B, ...]`), throwing `CodingError` on bad input.
    public func encode(_ x: Tensor) throws -> Tensor {
        try Encode.relativeLatency(x, steps: steps, amp: amp, scale: scale, cutFraction: cutFraction)
    }
    /// `[B, ...]` to `[T, B, ...]`; traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}

// MARK: - hxtorch time to first spike

/// The shape of a time-to-first-spike code.
public enum FirstSpikeCode: String, Sendable, CaseIterable {
    /// hxtorch `PixelsToSpikeTimes`: `t = tau ln(x / (x - threshold))` (the time a LIF neuron with time constant
    /// tau, driven by x, needs to reach the threshold).
    case logarithmic
    /// `t = tau (1 - x)`.
    case linear
}

extension Encode {
    /// Tolerant binning of a time onto steps of `dt`: `floor(t / dt)`, except that a quotient within a relative
    /// 1e-5 of an integer counts as that integer (so that `t = k dt` lands on step k despite float rounding).
    static func stepIndex(_ t: Float, dt: Float) -> Int {
        let q = Swift.min(Double(t) / Double(dt), 1e15)
        let r = q.rounded()
        return abs(q - r) <= 1e-5 * Swift.max(1, abs(q)) ? Int(r) : Int(q.rounded(.down))
    }

    /// hxtorch's `PixelsToSpikeTimes`: pixel intensities to first-spike times,
    ///
    ///     logarithmic:  t = tau ln(x' / (x' - threshold)),  x' = max(x, threshold + epsilon)
    ///     linear:       t = tau (1 - x)
    ///     x < threshold:  t = tMax                  ("non-spiking", i.e. at the end of the window)
    ///     t = clamp(t, 0, tMax)
    ///
    /// Brighter pixels spike earlier. Times are in the unit of `tau` and `tMax` (hxtorch uses seconds, e.g.
    /// tau 8 µs and tMax 100 µs).
    ///
    /// - Parameters:
    ///   - x: pixel intensities in [0, 1], any shape.
    ///   - tau: the stretch factor (> 0).
    ///   - threshold: in (0, 1), default 0.2 (hxtorch's).
    ///   - tMax: the latest time (> 0).
    ///   - epsilon: > 0, default 1e-7.
    ///   - code: logarithmic (default, hxtorch) or linear.
    /// - Returns: times of the shape of `x`.
    /// - Throws: `CodingError` for a pixel outside [0, 1] or NaN, threshold outside (0, 1), or tau, tMax or
    ///   epsilon not positive.
    public static func pixelSpikeTimes(_ x: Tensor, tau: Float, threshold: Float = 0.2, tMax: Float, epsilon: Float = 1e-7,
                                       code: FirstSpikeCode = .logarithmic) throws -> Tensor {
        let coder = "time to first spike"
        try CodingCheck.positive(tau, "tau", coder)
        try CodingCheck.positive(tMax, "tMax", coder)
        try CodingCheck.positive(epsilon, "epsilon", coder)
        guard threshold > 0, threshold < 1 else { throw CodingError("\(coder): threshold must be in (0, 1), got \(threshold)") }
        try CodingCheck.within(x.scalars, 0...1, coder)
        let floor = Encode.saturationFloor(threshold, epsilon)
        return x.map { v in
            guard v >= threshold else { return tMax }
            let t: Float
            switch code {
            case .logarithmic:
                let c = Swift.max(v, floor)
                t = tau * Foundation.log(c / (c - threshold))
            case .linear:
                t = tau * (1 - v)
            }
            return Swift.min(Swift.max(t, 0), tMax)
        }
    }

    /// Time-to-first-spike encoding of pixels (hxtorch `PixelsToSpikeTimes` followed by `SpikeTimesToDense`):
    /// the times of `pixelSpikeTimes` binned onto T steps of `dt`, step `floor(t / dt)`, one spike per pixel;
    /// times at or after the window's end `T dt` give no spike.
    ///
    /// Defaults: dt 1 (times in steps); threshold 0.2 and epsilon 1e-7 (hxtorch's); `tMax = T dt` (so pixels
    /// below the threshold do not spike, as in hxtorch's MNIST example where t_max equals the dense window);
    /// `tau = 0.08 T dt` for the logarithmic code (the ratio of hxtorch's example, tau 8 µs for a 100 µs window:
    /// a white pixel spikes at 0.018 of the window, x = 0.3 at 0.088) and `tau = T dt` for the linear code (x = 1
    /// at 0, x = 0 at the window's end). hxtorch's own constructor defaults (tau 20, t_max 1) put every pixel at
    /// t_max and are not used.
    ///
    /// - Returns: spikes `[T] + S`.
    /// - Throws: as `pixelSpikeTimes`, and for steps < 1 or dt not positive.
    public static func timeToFirstSpike(_ x: Tensor, steps: Int, dt: Float = 1, tau: Float? = nil, threshold: Float = 0.2,
                                        tMax: Float? = nil, epsilon: Float = 1e-7,
                                        code: FirstSpikeCode = .logarithmic) throws -> Tensor {
        let coder = "time to first spike"
        try CodingCheck.steps(steps, coder, elements: x.count)
        try CodingCheck.positive(dt, "dt", coder)
        let window = Float(steps) * dt
        let tau = tau ?? (code == .logarithmic ? 0.08 * window : window)
        let times = try pixelSpikeTimes(x, tau: tau, threshold: threshold, tMax: tMax ?? window, epsilon: epsilon, code: code)
        let n = x.count
        var out = [Float](repeating: 0, count: steps * n)
        for (i, t) in times.scalars.enumerated() {
            let k = stepIndex(t, dt: dt)
            if k >= 0 && k < steps { out[k * n + i] = 1 }
        }
        return Tensor(shape: timeShape(steps, x.shape), scalars: out)
    }
}

/// Time-to-first-spike pixel encoder module (hxtorch `PixelsToSpikeTimes` + `SpikeTimesToDense`): `[B, ...]`
/// pixels in [0, 1] to `[T, B, ...]`, one spike per pixel at `floor(t / dt)` with `t = tau ln(x / (x - thr))`
/// (or `tau (1 - x)`), none for pixels below the threshold with the default `tMax = T dt` (see
/// `Encode.timeToFirstSpike` for the defaults). Not differentiable.
public final class TimeToFirstSpikeEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// Step (bin width), in the unit of the times.
    public let dt: Float
    /// Stretch factor (nil: the default of `Encode.timeToFirstSpike`), threshold, latest time (nil: T dt) and
    /// saturation margin.
    public let tau: Float?, threshold: Float, tMax: Float?, epsilon: Float
    /// Logarithmic or linear code.
    public let code: FirstSpikeCode

    /// Traps on invalid options.
    public init(steps: Int, dt: Float = 1, tau: Float? = nil, threshold: Float = 0.2, tMax: Float? = nil,
                epsilon: Float = 1e-7, code: FirstSpikeCode = .logarithmic) {
        self.steps = steps; self.dt = dt; self.tau = tau; self.threshold = threshold; self.tMax = tMax
        self.epsilon = epsilon; self.code = code
        _ = Encode.orTrap { try encode(Tensor(shape: [0], scalars: [])) }
    }
    /// Encodes `x`, throwing `CodingError` on pixels outside [0, 1] or NaN.
    public func encode(_ x: Tensor) throws -> Tensor {
        try Encode.timeToFirstSpike(x, steps: steps, dt: dt, tau: tau, threshold: threshold, tMax: tMax, epsilon: epsilon, code: code)
    }
    /// `[B, ...]` pixels to `[T, B, ...]`; traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}

extension Encode {
    /// SPAIC's `Latency` encoder ('latency', spaic/Neuron/Encoders.py `torch_coding`): the whole tensor is
    /// min-max normalised, `x' = (x - min)/(max - min + 1e-10)`, and each element spikes once, at step
    /// `trunc(s (1 - x'))` with `s = max_scale (T - 1)` (`max_scale` default 1): the largest value fires at 0,
    /// the smallest at s. With `cutOff` an element fires only if it exceeds 5 % of the largest value along the
    /// last axis (SPAIC's `cut_off`). Float32 arithmetic as SPAIC's torch path. Output `[T] + x.shape`.
    /// - Throws: `CodingError` for steps < 1, a negative or non-finite input, or max_scale outside (0, 1].
    public static func spaicLatency(_ x: Tensor, steps: Int, maxScale: Float? = nil, cutOff: Bool = false) throws -> Tensor {
        let coder = "spaic latency"
        try CodingCheck.steps(steps, coder, elements: x.count)
        if let m = maxScale, !(m > 0 && m <= 1) { throw CodingError("\(coder): max_scale must be in (0, 1], got \(m)") }
        guard x.scalars.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw CodingError("\(coder): inputs must be finite and >= 0") }
        let s = (maxScale ?? 1) * Float(steps - 1)
        let lo = x.scalars.min() ?? 0, hi = x.scalars.max() ?? 0
        let span = (hi - lo) + Float(1e-10)
        let n = x.count, last = x.shape.last ?? 1
        var out = [Float](repeating: 0, count: steps * n)
        for (i, v) in x.scalars.enumerated() {
            if cutOff {
                let row = (i / max(1, last)) * last
                let rowMax = x.scalars[row..<(row + last)].max() ?? 0
                if !(v > 0.05 * rowMax) { continue }
            }
            let k = Int(s * (1 - (v - lo) / span))
            out[Swift.min(Swift.max(k, 0), steps - 1) * n + i] = 1
        }
        return Tensor(shape: [steps] + x.shape, scalars: out)
    }
}
