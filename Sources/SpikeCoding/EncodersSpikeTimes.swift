import SpikeCore
import SpikeNN

// MARK: - Delta

extension Encode {
    /// snnTorch `spikegen.delta`: on an input already over time `x[t, ...]`, a spike where the signal rose by at
    /// least the threshold since the previous step,
    ///
    ///     d[t] = x[t] - x[t-1],   x[-1] = 0 (padding false)  or  x[-1] = x[0] (padding true: no spike at t = 0)
    ///     out[t] = 1 if d[t] >= threshold
    ///            = -1 if offSpikes and d[t] <= -threshold        (an "off" spike for a fall)
    ///            = 0 otherwise
    ///
    /// Defaults (snnTorch's): threshold 0.1, padding false, offSpikes false. E.g. [1, 2, 0, 2, 2.9] with
    /// threshold 1 and offSpikes: [1, 1, -1, 1, 0]; with padding: [0, 1, -1, 1, 0].
    ///
    /// - Parameter x: `[T, ...]` (T >= 1), finite values.
    /// - Returns: the shape of `x`.
    /// - Throws: `CodingError` for a scalar input or T = 0, a threshold not positive, or NaN/infinite values.
    public static func delta(_ x: Tensor, threshold: Float = 0.1, padding: Bool = false, offSpikes: Bool = false) throws -> Tensor {
        let coder = "delta"
        guard x.rank >= 1 else { throw CodingError("\(coder): input must be over time, [T, ...], got a scalar") }
        try CodingCheck.steps(x.shape[0], coder)
        try CodingCheck.positive(threshold, "threshold", coder)
        try CodingCheck.finite(x.scalars, coder)
        let T = x.shape[0], n = x.count / T
        var out = [Float](repeating: 0, count: x.count)
        for t in 0..<T {
            for i in 0..<n {
                let cur = x.scalars[t * n + i]
                let prev: Float = t > 0 ? x.scalars[(t - 1) * n + i] : (padding ? cur : 0)
                let d = cur - prev
                if d >= threshold { out[t * n + i] = 1 } else if offSpikes && d <= -threshold { out[t * n + i] = -1 }
            }
        }
        return Tensor(shape: x.shape, scalars: out)
    }
}

/// Delta encoder module (snnTorch `spikegen.delta`): `[T, B, ...]` signals to `[T, B, ...]` spikes where the
/// step-to-step change reaches the threshold, -1 for falls with `offSpikes` (see `Encode.delta`). Defaults:
/// threshold 0.1, padding false, offSpikes false. Not differentiable.
public final class DeltaEncoder: Module {
    /// The change that makes a spike (> 0).
    public let threshold: Float
    /// Compare the first step with itself (no spike at t = 0) instead of with 0; emit -1 for falls.
    public let padding: Bool, offSpikes: Bool

    /// Traps on a threshold that is not positive.
    public init(threshold: Float = 0.1, padding: Bool = false, offSpikes: Bool = false) {
        Encode.orTrap { try CodingCheck.positive(threshold, "threshold", "delta") }
        self.threshold = threshold; self.padding = padding; self.offSpikes = offSpikes
    }
    /// Encodes `x` (`[T, ...]`), throwing `CodingError` on bad input.
    public func encode(_ x: Tensor) throws -> Tensor { try Encode.delta(x, threshold: threshold, padding: padding, offSpikes: offSpikes) }
    /// `[T, B, ...]` to `[T, B, ...]`; traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}

// MARK: - Spike times to binary

/// What to do with a spike time at or after the end of the window (`T dt`).
public enum LateSpikePolicy: String, Sendable, CaseIterable {
    /// Throw a `CodingError` naming the time (SPAIC's single-spike encoder fails on it).
    case error
    /// Put the spike on the last step (SPAIC's multiple-spike encoder clamps the index to T - 1).
    case clamp
    /// Leave it out.
    case drop
}

/// The spikes of one sample for `Encode.multipleSpikesToBinary`: parallel lists of times and neuron indices.
public struct SpikeList: Sendable, Equatable {
    /// Spike times (seconds with dt in seconds, or steps with dt = 1), >= 0.
    public var times: [Float]
    /// The neuron of each spike, in 0 ..< neurons.
    public var neurons: [Int]
    /// Spikes at `times` of `neurons` (equal counts; checked by the encoder).
    public init(times: [Float], neurons: [Int]) { self.times = times; self.neurons = neurons }
}

extension Encode {
    /// The step of spike time `t` for the binary encoders, or nil when it is to be left out.
    static func binaryStep(_ t: Float, dt: Float, steps: Int, late: LateSpikePolicy, coder: String, at index: Int) throws -> Int? {
        if t.isNaN || t < 0 { throw CodingError("\(coder): spike time \(t) at index \(index) must be >= 0") }
        if t == .infinity { return nil }
        let k = stepIndex(t, dt: dt)
        if k < steps { return k }
        switch late {
        case .error:
            throw CodingError("\(coder): spike time \(t) at index \(index) is at or after the window's end \(Float(steps) * dt) (steps \(steps) * dt \(dt))")
        case .clamp: return steps - 1
        case .drop: return nil
        }
    }

    /// SPAIC's single-spike-to-binary (`SigleSpikeToBinary`, 'sstb'): one spike time per neuron to a binary
    /// `[T, ...]` tensor, the spike at step `floor(t / dt)` (a quotient within 1e-5 of an integer counts as that
    /// integer, so `t = k dt` lands on step k despite float rounding). `+infinity` means "never fires".
    ///
    /// - Parameters:
    ///   - times: spike times `S` (e.g. `[B, N]`), >= 0; in seconds with `dt` in seconds, or in steps with
    ///     dt = 1 (default).
    ///   - steps: T.
    ///   - late: times at or after `T dt`: `.error` (default; SPAIC's scatter fails on them), `.clamp`, `.drop`.
    /// - Returns: `[T] + S`.
    /// - Throws: `CodingError` for steps < 1, dt not positive, a negative or NaN time, or a late time with
    ///   `.error`.
    public static func singleSpikeToBinary(_ times: Tensor, steps: Int, dt: Float = 1, late: LateSpikePolicy = .error) throws -> Tensor {
        let coder = "single spike to binary"
        try CodingCheck.steps(steps, coder, elements: times.count)
        try CodingCheck.positive(dt, "dt", coder)
        let n = times.count
        var out = [Float](repeating: 0, count: steps * n)
        for (i, t) in times.scalars.enumerated() {
            if let k = try binaryStep(t, dt: dt, steps: steps, late: late, coder: coder, at: i) { out[k * n + i] = 1 }
        }
        return Tensor(shape: timeShape(steps, times.shape), scalars: out)
    }

    /// SPAIC's multiple-spike-to-binary (`MultipleSpikeToBinary`, 'mstb'): per sample, a list of (time,
    /// neuron) spikes to a binary `[T, B, neurons]` tensor, spike at step `floor(t / dt)` (tolerant as in
    /// `singleSpikeToBinary`).
    ///
    /// Defaults: dt 1 (times in steps), late `.clamp` (SPAIC clamps late indices to T - 1).
    /// Deviation: two spikes of a neuron in the same step give 1 (the output is binary); SPAIC's sparse-to-dense
    /// conversion sums them to 2.
    ///
    /// - Throws: `CodingError` for steps < 1, neurons < 1, dt not positive, lists of different lengths, a
    ///   neuron index outside [0, neurons), a negative or NaN time, or a late time with `.error`.
    public static func multipleSpikesToBinary(_ samples: [SpikeList], neurons: Int, steps: Int, dt: Float = 1,
                                              late: LateSpikePolicy = .clamp) throws -> Tensor {
        let coder = "multiple spikes to binary"
        try CodingCheck.steps(steps, coder)
        try MemoryBudget.checkProduct([steps, samples.count, Swift.max(neurons, 1)], elementSize: 4, what: "\(coder): output of \(steps) steps x \(samples.count) samples x \(neurons) neurons")
        guard neurons >= 1 else { throw CodingError("\(coder): neurons must be at least 1, got \(neurons)") }
        try CodingCheck.positive(dt, "dt", coder)
        let B = samples.count, n = B * neurons
        var out = [Float](repeating: 0, count: steps * n)
        for (b, s) in samples.enumerated() {
            guard s.times.count == s.neurons.count else {
                throw CodingError("\(coder): sample \(b) has \(s.times.count) times but \(s.neurons.count) neuron indices")
            }
            for (j, (t, id)) in zip(s.times, s.neurons).enumerated() {
                guard id >= 0, id < neurons else {
                    throw CodingError("\(coder): neuron \(id) of spike \(j) in sample \(b) is outside [0, \(neurons))")
                }
                if let k = try binaryStep(t, dt: dt, steps: steps, late: late, coder: coder, at: j) { out[k * n + b * neurons + id] = 1 }
            }
        }
        return Tensor(shape: [steps, B, neurons], scalars: out)
    }
}

/// SPAIC single-spike-to-binary module: `[B, ...]` spike times (one per neuron; +infinity for none) to
/// `[T, B, ...]` binary spikes at step `floor(t / dt)` (see `Encode.singleSpikeToBinary`). Defaults: dt 1
/// (times in steps), late times an error. Multiple spikes per neuron (ragged lists) have the function
/// `Encode.multipleSpikesToBinary` only. Not differentiable.
public final class SingleSpikeToBinaryEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// Step in the unit of the times (1: times in steps).
    public let dt: Float
    /// What to do with times at or after `T dt`.
    public let late: LateSpikePolicy

    /// Traps on steps < 1 or dt not positive.
    public init(steps: Int, dt: Float = 1, late: LateSpikePolicy = .error) {
        Encode.orTrap {
            try CodingCheck.steps(steps, "single spike to binary"); try CodingCheck.positive(dt, "dt", "single spike to binary")
        }
        self.steps = steps; self.dt = dt; self.late = late
    }
    /// Encodes spike times, throwing `CodingError` on bad times.
    public func encode(_ x: Tensor) throws -> Tensor { try Encode.singleSpikeToBinary(x, steps: steps, dt: dt, late: late) }
    /// `[B, ...]` spike times to `[T, B, ...]`; traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}

extension Encode {
    /// Spike lists from a table (the form `spike encode mstb` reads): rows `(time, neuron)` of one sample
    /// (`[K, 2]`) or `(sample, time, neuron)` (`[K, 3]`). Samples are `0 ..< samples` (default: the largest index
    /// plus 1, so trailing empty samples need `samples`); neuron and sample indices must be integers >= 0.
    /// - Throws: `CodingError` naming the row for a table of another shape, a non-integer or negative index, or a
    ///   sample index >= `samples`.
    public static func spikeLists(table: Tensor, samples: Int? = nil) throws -> [SpikeList] {
        let coder = "spike table"
        guard table.rank == 2, table.shape[1] == 2 || table.shape[1] == 3 else {
            throw CodingError("\(coder): expected [K, 2] (time, neuron) or [K, 3] (sample, time, neuron) rows, got shape \(table.shape)")
        }
        let K = table.shape[0], w = table.shape[1], v = table.scalars
        func index(_ x: Float, _ what: String, _ row: Int) throws -> Int {
            guard x.isFinite, x >= 0, x == x.rounded(), x < 2_147_483_648 else {
                throw CodingError("\(coder): \(what) of row \(row) must be an integer >= 0, got \(x)")
            }
            return Int(x)
        }
        var sampleOf = [Int](repeating: 0, count: K)
        if w == 3 { for r in 0..<K { sampleOf[r] = try index(v[r * 3], "sample", r) } }
        let B = samples ?? ((sampleOf.max() ?? 0) + 1)
        guard B >= 1 else { throw CodingError("\(coder): samples must be at least 1, got \(B)") }
        var lists = [SpikeList](repeating: SpikeList(times: [], neurons: []), count: B)
        for r in 0..<K {
            guard sampleOf[r] < B else { throw CodingError("\(coder): sample \(sampleOf[r]) of row \(r) is outside [0, \(B))") }
            lists[sampleOf[r]].times.append(v[r * w + w - 2])
            lists[sampleOf[r]].neurons.append(try index(v[r * w + w - 1], "neuron", r))
        }
        return lists
    }
}
