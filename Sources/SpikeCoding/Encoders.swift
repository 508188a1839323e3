import SpikeCore
import SpikeNN

/// Encoders: values (or signals) to spikes over `T` time steps, the union of SPAIC's, snnTorch's, SpikingJelly's,
/// Norse's and hxtorch's input codings.
///
/// Every encoder exists twice:
/// - as a plain static function here, `Encode.poisson(x, steps: T, rng: &rng)`, which checks its arguments and
///   throws a `CodingError` whose one-line message names the encoder and the problem (intensity outside the
///   domain, NaN, zero steps, a threshold that is not positive, ...): never a silent all-zero output;
/// - as a `Module` (`PoissonEncoder`, `LatencyEncoder`, ...) usable in a network: `callAsFunction` takes values
///   `[B, ...]` and returns spikes (or currents) `[T, B, ...]` (time first). A module cannot throw, so it traps
///   with the same message on bad input; each also offers a throwing `encode(_:)`.
///
/// In general the output of an encoder of `steps: T` applied to a tensor of shape `S` has shape `[T] + S`, i.e.
/// `[T, B, ...]` for a batch `[B, ...]`; the population encoder appends the population axis (`[T, B, ..., N]`)
/// and the delta encoder keeps the shape of its input, which is already over time.
///
/// Stochastic encoders draw from a `SeededRandom`: the output depends only on the generator's state (never on the
/// number of threads: the output is split into fixed chunks, chunk `c` drawing from `rng.split(stream: c)`), and
/// the generator is advanced, so consecutive calls give fresh spikes. Modules own a generator seeded at
/// construction.
public enum Encode {}

// MARK: - Shared helpers

extension Encode {
    /// Output elements per random chunk: the fixed split that makes sampling independent of the thread count.
    static let randomChunk = 1 << 14

    /// Fills `count` Bernoulli samples, element `i` being 1 with probability `probability(i)` (compared as
    /// `u < p` with `u` uniform in [0, 1), so p = 0 never fires and p = 1 always does). Chunk `c` draws from
    /// `rng.split(stream: c)`; `rng` is then advanced by one draw.
    static func sampleBernoulli(count: Int, rng: inout SeededRandom, _ probability: @Sendable (Int) -> Float) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        let base = rng
        _ = rng.next()
        let chunks = (count + randomChunk - 1) / randomChunk
        out.withUnsafeMutableBufferPointer { buf in
            let ptr = UncheckedSendable(buf)
            Parallel.forEach(chunks: chunks) { c in
                var g = base.split(stream: UInt64(c))
                let lo = c * randomChunk, hi = Swift.min(count, lo + randomChunk)
                for i in lo..<hi { ptr.value[i] = g.nextUniform() < probability(i) ? 1 : 0 }
            }
        }
        return out
    }

    /// Runs a throwing encoder from a module's `callAsFunction`, trapping with the error's message.
    static func orTrap<R>(_ body: () throws -> R) -> R {
        do { return try body() } catch { preconditionFailure("\(error)") }
    }

    /// `[steps] + shape`.
    static func timeShape(_ steps: Int, _ shape: [Int]) -> [Int] { [steps] + shape }
}

// MARK: - Poisson / rate and Bernoulli

extension Encode {
    /// Poisson (rate) encoding: at every step each element spikes independently with probability
    ///
    ///     p = intensity                         (maxRate nil: snnTorch `spikegen.rate`, SpikingJelly `PoissonEncoder`)
    ///     p = intensity * maxRate * dt          (maxRate in Hz, dt in seconds: Norse `poisson_encode(f_max, dt)`,
    ///                                            SPAIC `PoissonEncoding` with maxRate = unit_conversion)
    ///
    /// so the expected spike count over `T` steps is `T p` with variance `T p (1 - p)` (a Bernoulli process, the
    /// discrete-time Poisson process). A spike is drawn as `u < p`, `u` uniform in [0, 1).
    ///
    /// Deviation: snnTorch clamps intensities outside [0, 1] silently (and SpikingJelly/SPAIC/Norse do not
    /// check them); here they are an error.
    ///
    /// - Parameters:
    ///   - x: intensities in [0, 1], any shape `S` (typically `[B, ...]`).
    ///   - steps: number of time steps `T` (>= 1).
    ///   - maxRate: the rate in Hz of intensity 1; nil (default) means the intensity is the probability per step.
    ///   - dt: the step in seconds (default 1e-3, Norse's); used only with `maxRate`.
    ///   - rng: the generator; advanced.
    /// - Returns: spikes (0/1) of shape `[T] + S`.
    /// - Throws: `CodingError` for steps < 1, an intensity outside [0, 1] or NaN, a non-positive `maxRate` or
    ///   `dt`, or `maxRate * dt > 1` (a probability per step above 1).
    public static func poisson(_ x: Tensor, steps: Int, maxRate: Float? = nil, dt: Float = 1e-3,
                               rng: inout SeededRandom) throws -> Tensor {
        let coder = "poisson"
        try CodingCheck.steps(steps, coder, elements: x.count)
        try CodingCheck.within(x.scalars, 0...1, coder)
        var scale: Float = 1
        if let maxRate {
            try CodingCheck.positive(maxRate, "maxRate", coder)
            try CodingCheck.positive(dt, "dt", coder)
            scale = maxRate * dt
            guard scale <= 1 else {
                throw CodingError("\(coder): maxRate * dt = \(maxRate) Hz * \(dt) s = \(scale) is a probability per step above 1; lower maxRate or dt")
            }
        }
        let p = x.scalars.map { $0 * scale }
        let n = p.count
        let out = sampleBernoulli(count: steps * n, rng: &rng) { p[$0 % Swift.max(n, 1)] }
        return Tensor(shape: timeShape(steps, x.shape), scalars: out)
    }

    /// Bernoulli encoding: each element spikes with probability equal to its value, `p = x` (snnTorch's
    /// `rate_conv`, `torch.bernoulli(x)`), drawn as `u < p`.
    ///
    /// - With `steps: T` the value is repeated over `T` independent steps and the output is `[T] + S`: the same
    ///   as `poisson(x, steps: T)` without a rate.
    /// - With `steps: nil` (default) the input is taken as already over time (e.g. time-varying probabilities
    ///   `[T, B, ...]`, snnTorch's `rate(..., time_var_input=True)`) and one sample is drawn per element: the
    ///   output has the input's shape.
    ///
    /// Deviation: snnTorch clamps values outside [0, 1]; here they are an error.
    ///
    /// - Throws: `CodingError` for steps < 1, a probability outside [0, 1] or NaN.
    public static func bernoulli(_ x: Tensor, steps: Int? = nil, rng: inout SeededRandom) throws -> Tensor {
        let coder = "bernoulli"
        if let steps { try CodingCheck.steps(steps, coder, elements: x.count) }
        try CodingCheck.within(x.scalars, 0...1, coder)
        let p = x.scalars, n = p.count
        let t = steps ?? 1
        let out = sampleBernoulli(count: t * n, rng: &rng) { p[$0 % Swift.max(n, 1)] }
        return Tensor(shape: steps.map { timeShape($0, x.shape) } ?? x.shape, scalars: out)
    }
}

/// Poisson (rate) encoder module: `[B, ...]` intensities in [0, 1] to `[T, B, ...]` spikes, each step spiking
/// with probability `p = intensity` or `p = intensity * maxRate * dt` (see `Encode.poisson`). Owns a generator
/// seeded at construction and advanced by every call. Not differentiable (the output is a constant).
public final class PoissonEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// Rate in Hz of intensity 1, or nil: the intensity is the probability per step.
    public let maxRate: Float?
    /// Step in seconds (used with `maxRate`).
    public let dt: Float
    var rng: SeededRandom

    /// Traps on steps < 1 or an invalid `maxRate`/`dt` (use `Encode.poisson` to get a thrown error).
    /// Defaults: no rate (p = intensity), dt 1e-3 s, seed 0.
    public init(steps: Int, maxRate: Float? = nil, dt: Float = 1e-3, seed: UInt64 = 0) {
        var probe = SeededRandom(seed: seed)
        _ = Encode.orTrap { try Encode.poisson(Tensor(shape: [0], scalars: []), steps: steps, maxRate: maxRate, dt: dt, rng: &probe) }
        self.steps = steps; self.maxRate = maxRate; self.dt = dt; rng = SeededRandom(seed: seed)
    }

    /// Encodes `x` (`[B, ...]`), throwing `CodingError` on bad intensities.
    public func encode(_ x: Tensor) throws -> Tensor { try Encode.poisson(x, steps: steps, maxRate: maxRate, dt: dt, rng: &rng) }

    /// `[B, ...]` to `[T, B, ...]`; traps on intensities outside [0, 1] or NaN (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}

/// Bernoulli encoder module: spikes with probability equal to the value (see `Encode.bernoulli`). With `steps`
/// it maps `[B, ...]` to `[T, B, ...]`; with `steps: nil` the input is already over time (`[T, B, ...]`
/// probabilities) and keeps its shape. Seeded generator, advanced by every call. Not differentiable.
public final class BernoulliEncoder: Module {
    /// Number of time steps, or nil when the input is already over time.
    public let steps: Int?
    var rng: SeededRandom

    /// Traps on steps < 1. Defaults: seed 0.
    public init(steps: Int?, seed: UInt64 = 0) {
        if let steps { Encode.orTrap { try CodingCheck.steps(steps, "bernoulli") } }
        self.steps = steps; rng = SeededRandom(seed: seed)
    }

    /// Encodes `x`, throwing `CodingError` on probabilities outside [0, 1] or NaN.
    public func encode(_ x: Tensor) throws -> Tensor { try Encode.bernoulli(x, steps: steps, rng: &rng) }

    /// `[B, ...]` to `[T, B, ...]` (or `[T, B, ...]` kept with `steps: nil`); traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}

// MARK: - Constant current

extension Encode {
    /// Constant-current ("direct") encoding: the value is injected as a current at every step,
    ///
    ///     I[t] = amp * x        for t = 0 ..< T
    ///
    /// (SPAIC's `Constant_Current` with its `amp`, default 1; SpikingJelly's and snnTorch's direct input
    /// repeated over T). Units: those of `x` times `amp`.
    ///
    /// - Returns: `[T] + S`.
    /// - Throws: `CodingError` for steps < 1, a non-finite `amp`, or NaN/infinite values.
    public static func constantCurrent(_ x: Tensor, steps: Int, amp: Float = 1) throws -> Tensor {
        let coder = "constant current"
        try CodingCheck.steps(steps, coder, elements: x.count)
        guard amp.isFinite else { throw CodingError("\(coder): amp must be finite, got \(amp)") }
        try CodingCheck.finite(x.scalars, coder)
        var out = [Float](); out.reserveCapacity(steps * x.count)
        let v = x.scalars.map { $0 * amp }
        for _ in 0..<steps { out += v }
        return Tensor(shape: timeShape(steps, x.shape), scalars: out)
    }

    /// Differentiable constant current: `I[t] = amp * x` for every step, recorded on the tape; the VJP is
    /// `dL/dx = amp * sum_t dL/dI[t]` (the sum over the time axis).
    /// - Throws: as `constantCurrent(_: Tensor, ...)`.
    public static func constantCurrent(_ x: Variable, steps: Int, amp: Float = 1) throws -> Variable {
        let y = try constantCurrent(x.value, steps: steps, amp: amp)
        let shape = x.shape, inner = x.value.count
        return Variable.record(y, parents: [x]) { g in
            [Tensor(shape: shape, scalars: Encode.sumOverTime(g.scalars, steps: steps, inner: inner, scale: amp))]
        }
    }

    /// `scale * sum_t g[t, i]` for `g` of `[steps, inner]`.
    static func sumOverTime(_ g: [Float], steps: Int, inner: Int, scale: Float) -> [Float] {
        var s = [Float](repeating: 0, count: inner)
        for t in 0..<steps { for i in 0..<inner { s[i] += g[t * inner + i] } }
        return scale == 1 ? s : s.map { $0 * scale }
    }
}

/// Constant-current encoder module: `[B, ...]` to `[T, B, ...]` with `I[t] = amp * x` at every step
/// (see `Encode.constantCurrent`). Differentiable: the gradient of the input is `amp` times the sum over time of
/// the output's gradient. Defaults: amp 1.
public final class ConstantCurrentEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// Gain applied to the value.
    public let amp: Float

    /// Traps on steps < 1 or a non-finite amp.
    public init(steps: Int, amp: Float = 1) {
        Encode.orTrap {
            try CodingCheck.steps(steps, "constant current")
            guard amp.isFinite else { throw CodingError("constant current: amp must be finite, got \(amp)") }
        }
        self.steps = steps; self.amp = amp
    }

    /// Encodes `x`, throwing `CodingError` on NaN or infinite values.
    public func encode(_ x: Tensor) throws -> Tensor { try Encode.constantCurrent(x, steps: steps, amp: amp) }

    /// `[B, ...]` to `[T, B, ...]`, recorded on the tape (gradient: `amp` times the sum over time); traps on NaN
    /// or infinite values.
    public func callAsFunction(_ x: Variable) -> Variable { Encode.orTrap { try Encode.constantCurrent(x, steps: steps, amp: amp) } }
}

// MARK: - Uniform / periodic

extension Encode {
    /// Uniform (periodic, regular) encoding: a value `v` in [0, 1] fires regularly with period
    ///
    ///     P = round(1 / v) steps        (rounded half away from zero; v = 0: never fires)
    ///
    /// at the 1-based steps that are multiples of P, i.e. at 0-based `t = P-1, 2P-1, ...` (`(t + 1) mod P == 0`,
    /// SPAIC `UniformEncoding`'s `fmod(t + 1, period) == 0` convention). So v = 1 fires every step, v = 0.5 every
    /// second step, and the rate over a long window is 1/P ~ v. Deterministic (no generator).
    ///
    /// Reference: SPAIC `UniformEncoding`, which derives the period from the value relative to the tensor's
    /// min and max (`ceil(amp * time * (bias + max - x) / ((bias + max - min) dt))`); here the period depends on
    /// the value alone so that a sample's code does not depend on its batch.
    ///
    /// - Returns: spikes `[T] + S`.
    /// - Throws: `CodingError` for steps < 1 or a value outside [0, 1] or NaN.
    public static func uniform(_ x: Tensor, steps: Int) throws -> Tensor {
        let coder = "uniform"
        try CodingCheck.steps(steps, coder, elements: x.count)
        try CodingCheck.within(x.scalars, 0...1, coder)
        let n = x.count
        var out = [Float](repeating: 0, count: steps * n)
        for (i, v) in x.scalars.enumerated() where v > 0 {
            let q = (1 / v).rounded()           // in Float: 1 / 0.4 is 2.5, a period of 3
            if q > Float(steps) { continue }    // the first spike would fall after the window
            let period = Swift.max(1, Int(q))
            var t = period - 1
            while t < steps { out[t * n + i] = 1; t += period }
        }
        return Tensor(shape: timeShape(steps, x.shape), scalars: out)
    }
}

/// Uniform (periodic) encoder module: `[B, ...]` values in [0, 1] to `[T, B, ...]` regular spike trains with
/// period `round(1/v)` steps (see `Encode.uniform`). Deterministic, not differentiable.
public final class UniformEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// Traps on steps < 1.
    public init(steps: Int) {
        Encode.orTrap { try CodingCheck.steps(steps, "uniform") }
        self.steps = steps
    }
    /// Encodes `x`, throwing `CodingError` on values outside [0, 1] or NaN.
    public func encode(_ x: Tensor) throws -> Tensor { try Encode.uniform(x, steps: steps) }
    /// `[B, ...]` to `[T, B, ...]`; traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}

// MARK: - Weighted phase

extension Encode {
    /// The spike weight of each of `phases` phases: `w_k = 2^-(k+1)` for k = 0 ..< K (1/2, 1/4, ...), so that
    /// `x = sum_k w_k s_k` for the phase code `s` of `x`.
    public static func phaseWeights(_ phases: Int) -> [Float] { (0..<Swift.max(0, phases)).map { Float(pow2(-($0 + 1))) } }

    /// 2^e, exact.
    static func pow2(_ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: 1) }

    /// Weighted phase encoding (SpikingJelly `WeightedPhaseEncoder`; Kim et al. 2018, "Deep neural networks
    /// with weighted spikes"): `x` in [0, 1 - 2^-K] is written in binary over K phases, most significant first,
    ///
    ///     r_0 = x;   s_k = [r_k >= w_k];   r_{k+1} = r_k - w_k s_k;   w_k = 2^-(k+1)
    ///
    /// and the K-phase code repeats over the T steps: `out[t] = s[t mod K]` (SpikingJelly's stateful encoder
    /// outputs `spike[t % K]`). E.g. K = 8: 192/256 -> 1 1 0 0 0 0 0 0, 1/256 -> 0 0 0 0 0 0 0 1.
    ///
    /// - Parameters:
    ///   - phases: K (>= 1); nil (default) means K = steps, as SpikingJelly (the period equals the simulation).
    /// - Returns: spikes `[T] + S`.
    /// - Throws: `CodingError` for steps < 1, phases < 1, or a value outside [0, 1 - 2^-K] or NaN.
    public static func weightedPhase(_ x: Tensor, steps: Int, phases: Int? = nil) throws -> Tensor {
        let coder = "weighted phase"
        try CodingCheck.steps(steps, coder, elements: x.count)
        let K = phases ?? steps
        guard K >= 1 else { throw CodingError("\(coder): phases must be at least 1, got \(K)") }
        // The code of one period is K x values, like the output.
        try CodingCheck.steps(K, coder + " phases", elements: x.count)
        try CodingCheck.finite(x.scalars, coder)
        let upper = 1 - pow2(-K)
        if let i = x.scalars.firstIndex(where: { $0 < 0 || Double($0) > upper }) {
            throw CodingError("\(coder): value \(x.scalars[i]) at index \(i) is outside [0, 1 - 2^-\(K)] = [0, \(upper)]")
        }
        let n = x.count
        var code = [Float](repeating: 0, count: K * n)
        for i in 0..<n {
            var r = Double(x.scalars[i])
            for k in 0..<K {
                let w = pow2(-(k + 1))
                if r >= w { code[k * n + i] = 1; r -= w }
            }
        }
        var out = [Float](repeating: 0, count: steps * n)
        for t in 0..<steps {
            let k = t % K
            for i in 0..<n { out[t * n + i] = code[k * n + i] }
        }
        return Tensor(shape: timeShape(steps, x.shape), scalars: out)
    }
}

/// Weighted phase encoder module (SpikingJelly `WeightedPhaseEncoder`): `[B, ...]` values in [0, 1 - 2^-K] to
/// `[T, B, ...]` binary phase codes with weights `2^-(k+1)`, repeating with period K (see
/// `Encode.weightedPhase`). Defaults: K = steps. Deterministic, not differentiable.
public final class WeightedPhaseEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// Number of phases `K`.
    public let phases: Int
    /// The weight of each phase, `2^-(k+1)`.
    public var weights: [Float] { Encode.phaseWeights(phases) }

    /// Traps on steps < 1 or phases < 1.
    public init(steps: Int, phases: Int? = nil) {
        let K = phases ?? steps
        Encode.orTrap {
            try CodingCheck.steps(steps, "weighted phase")
            guard K >= 1 else { throw CodingError("weighted phase: phases must be at least 1, got \(K)") }
        }
        self.steps = steps; self.phases = K
    }
    /// Encodes `x`, throwing `CodingError` on values outside [0, 1 - 2^-K] or NaN.
    public func encode(_ x: Tensor) throws -> Tensor { try Encode.weightedPhase(x, steps: steps, phases: phases) }
    /// `[B, ...]` to `[T, B, ...]`; traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}
