import Foundation
import SpikeCore

/// Something the network steps before the neuron groups: input generators and injected currents. Each has
/// its own random stream (split from the network's seed by the order of addition), so runs repeat bit for bit.
public protocol NetworkInput: AnyObject {
    /// The name used in network files and checkpoints.
    var name: String { get }
    /// Produces this step's spikes or currents (`step` counts from 0; `dt` in ms).
    func advance(step: Int, dt: Float)
    /// Random-generator and other state, for checkpoints.
    func checkpointState() -> [(String, [Float])]
    /// Restores what `checkpointState` returned.
    func restore(_ state: [String: [Float]]) throws
}

/// Stores a generator's 256-bit state as sixteen floats, each holding 16 bits exactly.
func encodeRNG(_ rng: SeededRandom) -> [Float] {
    rng.state.flatMap { w in (0..<4).map { Float(UInt16(truncatingIfNeeded: w >> (16 * UInt64($0)))) } }
}

/// The generator saved by `encodeRNG`.
func decodeRNG(_ v: [Float]?, _ what: String) throws -> SeededRandom {
    guard let v, v.count == 16, v.allSatisfy({ $0 >= 0 && $0 < 65536 && $0 == $0.rounded() }) else {
        throw SimulationError("\(what): checkpoint lacks a valid random-generator state")
    }
    let words = (0..<4).map { w in (0..<4).reduce(UInt64(0)) { $0 | (UInt64(v[4 * w + $1]) << (16 * UInt64($1))) } }
    guard let rng = SeededRandom(state: words) else { throw SimulationError("\(what): invalid random-generator state in checkpoint") }
    return rng
}

/// Independent Poisson spike trains (Brian2's `PoissonGroup`): neuron i fires at each step with probability
/// `rate[i] dt` (rates in Hz, dt in ms; rate dt must be <= 1).
public final class PoissonGroup: SpikeSource, NetworkInput {
    public let name: String
    public let size: Int
    /// Firing rate of each neuron in Hz.
    public var rates: [Float]
    public private(set) var spikes: [Int32] = []
    var rng: SeededRandom

    /// `size` Poisson neurons at `rates` Hz (one value for all, or one per neuron).
    public init(name: String, size: Int, rates: [Float], rng: SeededRandom) throws {
        guard size > 0 else { throw SimulationError("poisson group '\(name)': size must be > 0, got \(size)") }
        guard rates.count == 1 || rates.count == size else { throw SimulationError("poisson group '\(name)': \(rates.count) rates for \(size) neurons") }
        if let bad = rates.first(where: { !($0 >= 0 && $0.isFinite) }) { throw SimulationError("poisson group '\(name)': rate must be >= 0 Hz, got \(bad)") }
        self.name = name; self.size = size
        self.rates = rates.count == 1 ? [Float](repeating: rates[0], count: size) : rates
        self.rng = rng
    }

    public func advance(step: Int, dt: Float) {
        var out = spikes
        out.removeAll(keepingCapacity: true)
        let scale = dt / 1000
        var r = rng
        rates.withUnsafeBufferPointer { rt in
            for i in 0..<size where r.nextUniform() < rt[i] * scale { out.append(Int32(i)) }
        }
        rng = r
        spikes = out
    }

    public func checkpointState() -> [(String, [Float])] { [("rng", encodeRNG(rng)), ("rates", rates)] }
    public func restore(_ state: [String: [Float]]) throws {
        rng = try decodeRNG(state["rng"], "poisson group '\(name)'")
        if let r = state["rates"], r.count == size { rates = r }
    }
}

/// Spikes at given times (Brian2's `SpikeGeneratorGroup`): neuron `indices[k]` fires at `times[k]` ms, binned
/// to the step `round(t / dt)`. Two spikes of one neuron in one step are an error, as in Brian2. With a
/// `period` (ms, > 0) the pattern repeats.
public final class SpikeGeneratorGroup: SpikeSource, NetworkInput {
    public let name: String
    public let size: Int
    /// Spike indices and times (ms) as given.
    public let indices: [Int], times: [Float]
    /// Repetition period in ms (0: no repetition).
    public let period: Float
    public private(set) var spikes: [Int32] = []
    var byStep: [Int: [Int32]] = [:]
    var bins: [Int: [Int32]]? = nil
    var periodSteps = 0

    /// A generator of `size` neurons firing at `(indices[k], times[k])`.
    public init(name: String, size: Int, indices: [Int], times: [Float], period: Float = 0) throws {
        guard size > 0 else { throw SimulationError("spike generator '\(name)': size must be > 0, got \(size)") }
        guard indices.count == times.count else { throw SimulationError("spike generator '\(name)': \(indices.count) indices but \(times.count) times") }
        for (k, (i, t)) in zip(indices, times).enumerated() {
            guard i >= 0, i < size else { throw SimulationError("spike generator '\(name)': spike \(k): index \(i) out of range 0..<\(size)") }
            guard t >= 0, t.isFinite else { throw SimulationError("spike generator '\(name)': spike \(k): time \(t) ms must be >= 0") }
        }
        guard period >= 0, period.isFinite else { throw SimulationError("spike generator '\(name)': period must be >= 0 ms") }
        self.name = name; self.size = size; self.indices = indices; self.times = times; self.period = period
    }

    /// Bins the spikes at step `dt` (done on the first step, when the clock is known).
    func bin(dt: Float) throws {
        var b: [Int: [Int32]] = [:]
        /// `ms` in whole steps of `dt`, refused beyond the steps a run can reach (Int32.max).
        func steps(_ ms: Float, _ what: String) throws -> Int {
            let n = (Double(ms) / Double(dt)).rounded()
            guard n <= Double(Int32.max) else {
                throw SimulationError("spike generator '\(name)': \(what) \(ms) ms is \(n) steps of \(dt) ms, beyond the \(Int32.max) steps a run can reach")
            }
            return Int(n)
        }
        periodSteps = period > 0 ? try steps(period, "period") : 0
        for (k, (i, t)) in zip(indices, times).enumerated() {
            let s = try steps(t, "spike \(k) at")
            if periodSteps > 0 && s >= periodSteps {
                throw SimulationError("spike generator '\(name)': spike \(k) at \(t) ms is not before the period \(period) ms")
            }
            if b[s, default: []].contains(Int32(i)) {
                throw SimulationError("spike generator '\(name)': neuron \(i) has two spikes in the step of \(t) ms (dt = \(dt) ms)")
            }
            b[s, default: []].append(Int32(i))
        }
        for key in b.keys { b[key]!.sort() }
        bins = b
    }

    /// Checks the spike list against the clock (duplicates in one step, times beyond the period).
    public func prepare(dt: Float) throws { try bin(dt: dt) }

    public func advance(step: Int, dt: Float) {
        if bins == nil { try? bin(dt: dt) }
        let s = periodSteps > 0 ? step % periodSteps : step
        spikes = bins?[s] ?? []
    }

    public func checkpointState() -> [(String, [Float])] { [] }
    public func restore(_ state: [String: [Float]]) throws {}
}

/// Spikes from a `[T, N]` array of 0/1 (the output of any SpikeCoding encoder, or a recorded raster): step t
/// emits the neurons with a nonzero entry in row t; after T steps it is silent (or repeats with `loop`).
public final class SpikeArrayInput: SpikeSource, NetworkInput {
    public let name: String
    public let size: Int
    /// The spike array `[T, N]`.
    public let raster: Tensor
    /// Whether the array repeats after its last step.
    public let loop: Bool
    public private(set) var spikes: [Int32] = []

    /// Spikes from `raster` (`[T, N]`).
    public init(name: String, raster: Tensor, loop: Bool = false) throws {
        guard raster.rank == 2, raster.shape[0] > 0, raster.shape[1] > 0 else {
            throw SimulationError("spike array '\(name)': expected a [T, N] array, got shape \(raster.shape)")
        }
        self.name = name; self.raster = raster; self.loop = loop; size = raster.shape[1]
    }

    public func advance(step: Int, dt: Float) {
        spikes.removeAll(keepingCapacity: true)
        let T = raster.shape[0]
        guard loop || step < T else { return }
        let row = (step % T) * size
        for i in 0..<size where raster.scalars[row + i] != 0 { spikes.append(Int32(i)) }
    }

    public func checkpointState() -> [(String, [Float])] { [] }
    public func restore(_ state: [String: [Float]]) throws {}
}

/// A time-varying current (Brian2's `TimedArray` driving a group): row t of `values` (`[T, N]`, or `[T, 1]` for
/// all neurons) is added at step t to the target: the model's `input` of that step, or a state variable. After
/// the last row the last row holds, as a `TimedArray` does.
public final class CurrentInput: NetworkInput {
    public let name: String
    /// The driven group.
    public let target: NeuronGroup
    /// `input` or a state variable of the target model.
    public let variable: String
    let index: Int?
    /// `[T, N]` or `[T, 1]`.
    public let values: Tensor

    /// A current from `values` into `variable` of `target`.
    public init(name: String, target: NeuronGroup, variable: String = "input", values: Tensor) throws {
        guard values.rank == 2, values.shape[0] > 0, values.shape[1] == 1 || values.shape[1] == target.size else {
            throw SimulationError("current '\(name)': expected [T, \(target.size)] or [T, 1] values, got shape \(values.shape)")
        }
        guard values.scalars.allSatisfy(\.isFinite) else { throw SimulationError("current '\(name)': values must be finite") }
        self.name = name; self.target = target; self.variable = variable; self.values = values
        index = variable == "input" ? nil : try target.stateIndex(variable)
    }

    public func advance(step: Int, dt: Float) {
        let T = values.shape[0], cols = values.shape[1]
        let row = min(step, T - 1) * cols
        for i in 0..<target.size {
            let v = values.scalars[row + (cols == 1 ? 0 : i)]
            if let k = index { target.dynamics.add(k, i, v) } else { target.input[i] += v }
        }
    }

    public func checkpointState() -> [(String, [Float])] { [] }
    public func restore(_ state: [String: [Float]]) throws {}
}

/// Many independent Poisson inputs onto every neuron of a group without modelling them as neurons (Brian2's
/// `PoissonInput`): each step, each target neuron receives k ~ Binomial(n, rate dt) input spikes, each adding
/// `weight` to `variable`. As Brian2, the binomial is sampled exactly when its mean is below 5 (or n p (1-p)
/// small) and by the normal approximation (rounded, clipped to [0, n]) otherwise.
public final class PoissonInput: NetworkInput {
    public let name: String
    /// The driven group.
    public let target: NeuronGroup
    /// `input` or a state variable of the target model.
    public let variable: String
    let index: Int?
    /// Number of inputs per neuron.
    public let count: Int
    /// Rate of each input in Hz.
    public let rate: Float
    /// Increment per input spike.
    public let weight: Float
    var rng: SeededRandom

    /// `count` Poisson inputs at `rate` Hz onto each neuron of `target`, each spike adding `weight` to `variable`.
    public init(name: String, target: NeuronGroup, variable: String, count: Int, rate: Float, weight: Float, rng: SeededRandom) throws {
        guard count >= 0 else { throw SimulationError("poisson input '\(name)': count must be >= 0, got \(count)") }
        guard rate >= 0, rate.isFinite else { throw SimulationError("poisson input '\(name)': rate must be >= 0 Hz, got \(rate)") }
        guard weight.isFinite else { throw SimulationError("poisson input '\(name)': weight must be finite") }
        self.name = name; self.target = target; self.variable = variable; self.count = count; self.rate = rate
        self.weight = weight; self.rng = rng
        index = variable == "input" ? nil : try target.stateIndex(variable)
    }

    /// One Binomial(n, p) draw (exact inversion for small means, else the normal approximation).
    static func binomial(_ n: Int, _ p: Double, _ rng: inout SeededRandom) -> Int {
        binomial(n, p, table: binomialTable(n, p), &rng)
    }

    /// Whether Binomial(n, p) is sampled exactly (by inversion) rather than by the normal approximation.
    static func exact(_ n: Int, _ p: Double) -> Bool { Double(n) * p < 5 || Double(n) * (1 - p) < 5 }

    /// The cumulative distribution of Binomial(n, p) from k = 0 until it reaches 1 (or k = n), by the recurrence
    /// P(k+1) = P(k) (n - k) / (k + 1) p / q; empty when the normal approximation is used.
    static func binomialTable(_ n: Int, _ p: Double) -> [Double] {
        guard n > 0, p > 0, p < 1, exact(n, p) else { return [] }
        let q = 1 - p
        var prob = Foundation.pow(q, Double(n)), cdf = prob
        var table = [cdf]
        var k = 0
        while cdf < 1 && k < n && prob > 0 || k < Int(Double(n) * p) {
            prob *= Double(n - k) / Double(k + 1) * p / q
            k += 1
            cdf += prob
            table.append(cdf)
            if k >= n { break }
        }
        return table
    }

    /// One draw with a precomputed `table` (see `binomialTable`).
    @inline(__always)
    static func binomial(_ n: Int, _ p: Double, table: [Double], _ rng: inout SeededRandom) -> Int {
        if n == 0 || p <= 0 { return 0 }
        if p >= 1 { return n }
        if !table.isEmpty {
            // Inversion: the smallest k with u <= cdf(k); beyond the table (rounding), the last k.
            let u = rng.nextDouble()
            var k = 0
            while k < table.count - 1 && u > table[k] { k += 1 }
            return k
        }
        let mean = Double(n) * p
        let sd = (mean * (1 - p)).squareRoot()
        let k = Int((mean + sd * Double(rng.nextNormal())).rounded())
        return min(max(k, 0), n)
    }

    /// The cumulative distribution used at the current `dt` (built on the first step).
    var table: [Double]? = nil
    var increments: [Float] = []

    public func advance(step: Int, dt: Float) {
        let p = Double(rate) * Double(dt) / 1000
        if table == nil { table = PoissonInput.binomialTable(count, p) }
        let tb = table!
        let n = target.size, count = self.count, weight = self.weight
        // Local copies: class properties accessed in the loop would be checked for exclusivity at every access.
        var inc = increments.count == n ? increments : [Float](repeating: 0, count: n)
        var r = rng
        var any = false
        inc.withUnsafeMutableBufferPointer { b in
            for i in 0..<n {
                let k = PoissonInput.binomial(count, p, table: tb, &r)
                b[i] = Float(k) * weight
                any = any || k != 0
            }
        }
        rng = r
        increments = inc
        guard any else { return }
        if let idx = index {
            inc.withUnsafeBufferPointer { target.dynamics.addAll(idx, $0.baseAddress!) }
        } else {
            target.input.withUnsafeMutableBufferPointer { x in for i in 0..<n { x[i] += inc[i] } }
        }
    }

    public func checkpointState() -> [(String, [Float])] { [("rng", encodeRNG(rng))] }
    public func restore(_ state: [String: [Float]]) throws { rng = try decodeRNG(state["rng"], "poisson input '\(name)'") }
}
