import Foundation
import SpikeCore

/// Input generators: spike trains and currents that need no input data, as `[T, N]` tensors (time first,
/// one column per neuron) over `T` steps of `dt` seconds.
///
/// Rates are in Hz, times and `dt` in seconds, frequencies in Hz, phases in radians. Step `k` covers the
/// time `[k dt, (k + 1) dt)` and its value is the one at `t_k = k dt`. Random generators are seeded and
/// deterministic: the same arguments and seed give the same bits on every machine and thread count.
///
/// Every argument is checked: negative or non-finite rates, `dt <= 0`, `steps < 1`, `neurons < 1`, NaN,
/// indices or times outside the window throw a `CodingError` with a one-line message; no generator ever
/// returns a silently empty train for bad input.
///
/// References: Brian2's `PoissonGroup` (`rand() < rates * dt` each step) and `SpikeGeneratorGroup`
/// (explicit `(index, time)` lists), NEST's `dc_generator`, `ac_generator` and `step_rate_generator`
/// for the current shapes.
public enum Generate {

    // MARK: Poisson

    /// Poisson spike trains at one rate for every neuron: `[steps, neurons]` of 0/1.
    ///
    /// Each step of each neuron spikes independently with probability `p = rate * dt` (Bernoulli
    /// approximation of a Poisson process, as Brian2's `PoissonGroup`: `rand() < rates * dt`), so the
    /// count over `T` steps has mean `T p` and variance `T p (1 - p)` (Fano factor `1 - p`, close to 1
    /// for `p << 1`), and the expected rate is `rate` Hz. At most one spike per step.
    ///
    /// - Parameters:
    ///   - rate: firing rate in Hz, `>= 0` and finite, with `rate * dt <= 1`.
    ///   - neurons: number of neurons `N >= 1`.
    ///   - steps: number of time steps `T >= 1`.
    ///   - dt: time step in seconds, `> 0`.
    ///   - seed: the seed (default 0). Neuron `j` draws from its own stream `split(stream: j)` of
    ///     `SeededRandom(seed:)`, so its train depends only on the seed, `j` and its rate, not on `N`.
    /// - Throws: `CodingError` for a negative or non-finite rate, `rate * dt > 1`, `dt <= 0`,
    ///   `steps < 1` or `neurons < 1`.
    public static func poisson(rate: Float, neurons: Int, steps: Int, dt: Float, seed: UInt64 = 0) throws -> Tensor {
        try checkNeurons(neurons, "poisson generator")
        return try poisson(rates: [Float](repeating: rate, count: neurons), steps: steps, dt: dt, seed: seed)
    }

    /// Poisson spike trains with one rate per neuron: `[steps, rates.count]` of 0/1.
    ///
    /// Neuron `j` spikes at each step with probability `p_j = rates[j] * dt` (Brian2's `PoissonGroup`
    /// with an array of rates). See `poisson(rate:neurons:steps:dt:seed:)` for the statistics and the
    /// seeding (neuron `j` uses stream `j`).
    ///
    /// - Parameters:
    ///   - rates: per-neuron rates in Hz, each `>= 0`, finite, with `rate * dt <= 1`; at least one.
    ///   - steps: number of time steps `T >= 1`.
    ///   - dt: time step in seconds, `> 0`.
    ///   - seed: the seed (default 0).
    /// - Throws: `CodingError` naming the first bad rate and its index, or a bad `dt` / `steps`.
    public static func poisson(rates: [Float], steps: Int, dt: Float, seed: UInt64 = 0) throws -> Tensor {
        var rng = SeededRandom(seed: seed)
        return try poisson(rates: rates, steps: steps, dt: dt, rng: &rng)
    }

    /// Poisson spike trains at one rate for every neuron, drawn from `rng` (the form of the `Encode`
    /// functions): the same as `poisson(rate:neurons:steps:dt:seed:)` with neuron `j` on stream
    /// `rng.split(stream: j)` of `rng`'s state on entry; `rng` is then advanced by one draw, so successive
    /// calls give new trains. With `rng = SeededRandom(seed: s)` it equals the `seed: s` form.
    public static func poisson(rate: Float, neurons: Int, steps: Int, dt: Float, rng: inout SeededRandom) throws -> Tensor {
        try checkNeurons(neurons, "poisson generator")
        return try poisson(rates: [Float](repeating: rate, count: neurons), steps: steps, dt: dt, rng: &rng)
    }

    /// Poisson spike trains with one rate per neuron, drawn from `rng`: see
    /// `poisson(rate:neurons:steps:dt:rng:)` for the streams and `poisson(rates:steps:dt:seed:)` for the rest.
    public static func poisson(rates: [Float], steps: Int, dt: Float, rng: inout SeededRandom) throws -> Tensor {
        let coder = "poisson generator"
        try CodingCheck.steps(steps, coder, elements: rates.count)
        try CodingCheck.positive(dt, "dt", coder)
        guard !rates.isEmpty else { throw CodingError("\(coder): needs at least one rate (one per neuron)") }
        for (j, r) in rates.enumerated() {
            guard r.isFinite else { throw CodingError("\(coder): rate \(r) Hz at index \(j) is not finite") }
            guard r >= 0 else { throw CodingError("\(coder): rate \(r) Hz at index \(j) is negative") }
            let p = r * dt
            guard p <= 1 else {
                throw CodingError("\(coder): rate \(r) Hz at index \(j) with dt \(dt) s gives spike probability \(p) per step, above 1")
            }
        }
        let n = rates.count
        let base = rng
        _ = rng.next()
        var out = [Float](repeating: 0, count: steps * n)
        for j in 0..<n {
            var stream = base.split(stream: UInt64(j))
            let p = rates[j] * dt
            for t in 0..<steps where stream.nextUniform() < p { out[t * n + j] = 1 }
        }
        return Tensor(shape: [steps, n], scalars: out)
    }

    // MARK: Currents

    /// A constant current: `value` at every step for every neuron, `[steps, neurons]`.
    ///
    /// `I(t) = value` (NEST's `dc_generator` with `amplitude = value`); units are those of the consumer
    /// (e.g. the input of a neuron layer).
    /// - Throws: `CodingError` for a non-finite value, `steps < 1` or `neurons < 1`.
    public static func constantCurrent(_ value: Float, neurons: Int, steps: Int) throws -> Tensor {
        try checkNeurons(neurons, "constant generator")
        return try constantCurrent([Float](repeating: value, count: neurons), steps: steps)
    }

    /// A constant current per neuron: `I_j(t) = values[j]`, `[steps, values.count]`.
    /// - Throws: `CodingError` for an empty or non-finite `values` or `steps < 1`.
    public static func constantCurrent(_ values: [Float], steps: Int) throws -> Tensor {
        let coder = "constant generator"
        try CodingCheck.steps(steps, coder, elements: values.count)
        guard !values.isEmpty else { throw CodingError("\(coder): needs at least one value (one per neuron)") }
        try CodingCheck.finite(values, coder)
        var out = [Float]()
        out.reserveCapacity(steps * values.count)
        for _ in 0..<steps { out += values }
        return Tensor(shape: [steps, values.count], scalars: out)
    }

    /// A sinusoidal current, the same for every neuron: `[steps, neurons]` with
    /// `I(t_k) = offset + amplitude * sin(2 pi frequency t_k + phase)`, `t_k = k dt` (NEST's
    /// `ac_generator`, with the phase in radians instead of degrees). Evaluated in double precision.
    ///
    /// - Parameters:
    ///   - amplitude: peak deviation from `offset` (any finite value; a negative one flips the sign).
    ///   - frequency: in Hz, `>= 0` (0 gives the constant `offset + amplitude sin(phase)`), at most the
    ///     Nyquist frequency `1 / (2 dt)`: faster sines cannot be represented at this `dt`.
    ///   - phase: in radians at `t = 0` (default 0).
    ///   - offset: the constant added (default 0).
    ///   - neurons: number of identical columns (default 1).
    ///   - steps: `T >= 1`.
    ///   - dt: time step in seconds, `> 0`.
    /// - Throws: `CodingError` for a non-finite parameter, a negative frequency or one above Nyquist,
    ///   `dt <= 0`, `steps < 1` or `neurons < 1`.
    public static func sine(amplitude: Float, frequency: Float, phase: Float = 0, offset: Float = 0,
                            neurons: Int = 1, steps: Int, dt: Float) throws -> Tensor {
        let coder = "sine generator"
        try CodingCheck.steps(steps, coder, elements: neurons)
        try checkNeurons(neurons, coder)
        try CodingCheck.positive(dt, "dt", coder)
        for (name, v) in [("amplitude", amplitude), ("frequency", frequency), ("phase", phase), ("offset", offset)] {
            guard v.isFinite else { throw CodingError("\(coder): \(name) \(v) is not finite") }
        }
        guard frequency >= 0 else { throw CodingError("\(coder): frequency must be >= 0 Hz, got \(frequency)") }
        let nyquist = 0.5 / Double(dt)
        guard Double(frequency) <= nyquist else {
            throw CodingError("\(coder): frequency \(frequency) Hz is above the Nyquist frequency \(Float(nyquist)) Hz of dt \(dt) s")
        }
        let w = 2 * Double.pi * Double(frequency), d = Double(dt)
        var out = [Float](repeating: 0, count: steps * neurons)
        for k in 0..<steps {
            let v = Float(Double(offset) + Double(amplitude) * sin(w * Double(k) * d + Double(phase)))
            for j in 0..<neurons { out[k * neurons + j] = v }
        }
        return Tensor(shape: [steps, neurons], scalars: out)
    }

    /// A linear ramp, the same for every neuron: `[steps, neurons]` going from `start` at the first step
    /// to `end` at the last: `I(k) = start + (end - start) k / (T - 1)` for `k = 0 ... T - 1` (both ends
    /// included, as `numpy.linspace(start, end, T)`); a single step holds `start`. Evaluated in double
    /// precision.
    /// - Throws: `CodingError` for a non-finite `start` or `end`, `steps < 1` or `neurons < 1`.
    public static func ramp(from start: Float, to end: Float, neurons: Int = 1, steps: Int) throws -> Tensor {
        let coder = "ramp generator"
        try CodingCheck.steps(steps, coder, elements: neurons)
        try checkNeurons(neurons, coder)
        guard start.isFinite else { throw CodingError("\(coder): start \(start) is not finite") }
        guard end.isFinite else { throw CodingError("\(coder): end \(end) is not finite") }
        var out = [Float](repeating: 0, count: steps * neurons)
        let a = Double(start), span = Double(end) - Double(start)
        for k in 0..<steps {
            let v = steps == 1 ? start : Float(a + span * Double(k) / Double(steps - 1))
            for j in 0..<neurons { out[k * neurons + j] = v }
        }
        return Tensor(shape: [steps, neurons], scalars: out)
    }

    // MARK: Explicit spikes

    /// Spikes at explicit times, as Brian2's `SpikeGeneratorGroup(N, indices, times)`: `[steps, neurons]`
    /// with a 1 at `(step(times[s]), indices[s])` for every `s`, zeros elsewhere.
    ///
    /// A time `t` (seconds) falls in step `floor((t + 1e-3 dt) / dt)`: the same binning as Brian2, whose
    /// small shift keeps times at exact multiples of `dt` (e.g. `0.003` with `dt = 0.001`, not exactly
    /// representable) in their own step rather than the one before.
    ///
    /// Duplicates are an error, not merged: two spikes of the same neuron in the same step throw, as
    /// Brian2 raises "some neurons ... spike more than once during a time step". The order of the
    /// pairs does not matter.
    ///
    /// - Parameters:
    ///   - indices: neuron of each spike, in `0 ..< neurons`.
    ///   - times: time of each spike in seconds, `>= 0`, finite and inside the window (`step < steps`,
    ///     i.e. before about `steps * dt`); same count as `indices`. Both may be empty (no spikes).
    ///   - neurons: `N >= 1`.
    ///   - steps: `T >= 1`.
    ///   - dt: time step in seconds, `> 0`.
    /// - Throws: `CodingError` for counts that differ, an index out of range, a negative, non-finite or
    ///   beyond-window time, a duplicate `(neuron, step)`, or a bad `neurons` / `steps` / `dt`.
    public static func spikes(indices: [Int], times: [Float], neurons: Int, steps: Int, dt: Float) throws -> Tensor {
        let coder = "spike generator"
        try CodingCheck.steps(steps, coder, elements: neurons)
        try checkNeurons(neurons, coder)
        try CodingCheck.positive(dt, "dt", coder)
        guard indices.count == times.count else {
            throw CodingError("\(coder): \(indices.count) neuron indices but \(times.count) times; they must pair up")
        }
        var bins = [Int]()
        bins.reserveCapacity(times.count)
        let d = Double(dt)
        for (s, t) in times.enumerated() {
            guard t.isFinite else { throw CodingError("\(coder): time \(t) s at position \(s) is not finite") }
            guard t >= 0 else { throw CodingError("\(coder): time \(t) s at position \(s) is negative") }
            let b = ((Double(t) + 1e-3 * d) / d).rounded(.down)
            guard b < Double(steps) else {
                throw CodingError("\(coder): time \(t) s at position \(s) falls in step \(Int(min(b, 1e15))), beyond the window of \(steps) steps of \(dt) s")
            }
            bins.append(Int(b))
        }
        return try place(indices: indices, bins: bins, neurons: neurons, steps: steps, coder: coder)
    }

    /// Spikes at explicit step numbers: `[steps, neurons]` with a 1 at `(timeSteps[s], indices[s])`.
    /// The step-indexed form of `spikes(indices:times:neurons:steps:dt:)`; the same rules apply
    /// (duplicate `(neuron, step)` pairs are an error, not merged).
    ///
    /// - Parameters:
    ///   - indices: neuron of each spike, in `0 ..< neurons`.
    ///   - timeSteps: step of each spike, in `0 ..< steps`; same count as `indices`.
    ///   - neurons: `N >= 1`.
    ///   - steps: `T >= 1`.
    /// - Throws: `CodingError` for counts that differ, an index or step out of range, a duplicate, or a
    ///   bad `neurons` / `steps`.
    public static func spikes(indices: [Int], timeSteps: [Int], neurons: Int, steps: Int) throws -> Tensor {
        let coder = "spike generator"
        try CodingCheck.steps(steps, coder, elements: neurons)
        try checkNeurons(neurons, coder)
        guard indices.count == timeSteps.count else {
            throw CodingError("\(coder): \(indices.count) neuron indices but \(timeSteps.count) steps; they must pair up")
        }
        for (s, k) in timeSteps.enumerated() where k < 0 || k >= steps {
            throw CodingError("\(coder): step \(k) at position \(s) is outside the window 0..<\(steps)")
        }
        return try place(indices: indices, bins: timeSteps, neurons: neurons, steps: steps, coder: coder)
    }

    // MARK: Helpers

    static func checkNeurons(_ neurons: Int, _ coder: String) throws {
        guard neurons >= 1 else { throw CodingError("\(coder): neurons must be at least 1, got \(neurons)") }
    }

    /// Writes the spikes, checking indices and duplicates; `bins` are already inside `0..<steps`.
    static func place(indices: [Int], bins: [Int], neurons: Int, steps: Int, coder: String) throws -> Tensor {
        var out = [Float](repeating: 0, count: steps * neurons)
        var firstAt = [Int: Int]()  // flat index -> position of the spike that set it
        for (s, (i, b)) in zip(indices, bins).enumerated() {
            guard i >= 0 && i < neurons else {
                throw CodingError("\(coder): neuron index \(i) at position \(s) is outside 0..<\(neurons)")
            }
            let f = b * neurons + i
            if let earlier = firstAt[f] {
                throw CodingError("\(coder): neuron \(i) spikes twice in step \(b) (positions \(earlier) and \(s)); duplicates are not merged")
            }
            firstAt[f] = s
            out[f] = 1
        }
        return Tensor(shape: [steps, neurons], scalars: out)
    }
}

extension Generate {
    /// A sinusoidal current per element of `amplitudes` (SPAIC's `Sin_Generator`; `spike encode sine`):
    /// `[steps] + amplitudes.shape` with `I(t_k) = offset + a sin(2 pi frequency t_k + phase)`, `t_k = k dt`, `a`
    /// the element's amplitude. `Cosine_Generator` is `phase = pi/2` (`spike encode cosine`). Evaluated in double
    /// precision, like `sine(amplitude:...)`.
    /// - Throws: `CodingError` for a non-finite amplitude or parameter, a negative frequency or one above the
    ///   Nyquist frequency `1/(2 dt)`, `dt <= 0` or `steps < 1`.
    public static func sine(amplitudes: Tensor, frequency: Float, phase: Float = 0, offset: Float = 0, steps: Int, dt: Float) throws -> Tensor {
        let coder = "sine generator"
        guard amplitudes.scalars.allSatisfy({ $0.isFinite }) else { throw CodingError("\(coder): an amplitude is not finite") }
        // The scalar generator checks frequency (>= 0, <= Nyquist), phase, dt and steps.
        _ = try sine(amplitude: 1, frequency: frequency, phase: phase, offset: 0, neurons: 1, steps: 1, dt: dt)
        try CodingCheck.steps(steps, coder, elements: amplitudes.count)
        guard offset.isFinite else { throw CodingError("\(coder): offset \(offset) is not finite") }
        let w = 2 * Double.pi * Double(frequency), d = Double(dt), n = amplitudes.count
        var out = [Float](repeating: 0, count: steps * n)
        for k in 0..<steps {
            let s = sin(w * Double(k) * d + Double(phase))
            for (j, a) in amplitudes.scalars.enumerated() { out[k * n + j] = Float(Double(offset) + Double(a) * s) }
        }
        return Tensor(shape: [steps] + amplitudes.shape, scalars: out)
    }

    /// A linear ramp per element (SPAIC's `Ramp_Generator`; `spike encode ramp`): `[steps] + ends.shape`, from
    /// `start` at the first step to the element's value at the last, `start + (end - start) k / (T - 1)` (both ends
    /// included, as `numpy.linspace`); a single step holds `start`. Evaluated in double precision.
    /// - Throws: `CodingError` for a non-finite value or `steps < 1`.
    public static func ramp(from start: Float, to ends: Tensor, steps: Int) throws -> Tensor {
        let coder = "ramp generator"
        try CodingCheck.steps(steps, coder, elements: ends.count)
        guard start.isFinite else { throw CodingError("\(coder): start \(start) is not finite") }
        guard ends.scalars.allSatisfy({ $0.isFinite }) else { throw CodingError("\(coder): an end value is not finite") }
        let n = ends.count
        var out = [Float](repeating: 0, count: steps * n)
        for k in 0..<steps {
            for (j, e) in ends.scalars.enumerated() {
                out[k * n + j] = steps == 1 ? start : Float(Double(start) + (Double(e) - Double(start)) * Double(k) / Double(steps - 1))
            }
        }
        return Tensor(shape: [steps] + ends.shape, scalars: out)
    }
}
