import Foundation
import SpikeCore
import SpikeIO

/// The time in ms of step `step` at clock `dt`: `step` times the decimal value of `dt` (0.1, not the float
/// 0.100000001), rounded once to float, so step 21 at 0.1 ms reads 2.1.
@inlinable public func stepTime(_ step: Int32, dt: Float) -> Float {
    Float(Double(step) * (Double("\(dt)") ?? Double(dt)))
}

/// Something that records during a run, after each step's propagation and plasticity.
public protocol Monitor: AnyObject {
    /// The name of the recording (file names of `spike simulate`).
    var name: String { get }
    /// Records step `step`.
    func record(step: Int)
    /// The bytes this monitor will add over the next `steps` steps when that is known in advance (nil: the
    /// estimate overflows); `Network.run` refuses a run whose recordings exceed the memory budget. Recordings
    /// whose size depends on the activity (spikes) estimate 0.
    func estimatedBytes(steps: Int) -> Int?
}

extension Monitor {
    /// Recordings whose size depends on the activity: nothing known in advance.
    public func estimatedBytes(steps: Int) -> Int? { 0 }
}

/// Records every spike of a source as (neuron index, step) (Brian2's `SpikeMonitor`).
public final class SpikeMonitor: Monitor {
    public let name: String
    /// The recorded source.
    public let source: any SpikeSource
    /// Neuron index of each recorded spike.
    public private(set) var indices: [Int32] = []
    /// Step of each recorded spike (time = step x dt).
    public private(set) var steps: [Int32] = []

    /// A monitor of `source`.
    public init(name: String, source: any SpikeSource) { self.name = name; self.source = source }

    public func record(step: Int) {
        let s = source.spikes
        if s.isEmpty { return }
        indices.append(contentsOf: s)
        steps.append(contentsOf: repeatElement(Int32(step), count: s.count))
    }

    /// Number of recorded spikes.
    public var count: Int { indices.count }

    /// Spike times in ms at step `dt`.
    public func times(dt: Float) -> [Float] { steps.map { stepTime($0, dt: dt) } }

    /// Spike count of each neuron.
    public var counts: [Int] {
        var c = [Int](repeating: 0, count: source.size)
        for i in indices { c[Int(i)] += 1 }
        return c
    }

    /// Spike times (ms) of each neuron.
    public func trains(dt: Float) -> [[Float]] {
        var t = [[Float]](repeating: [], count: source.size)
        for (i, s) in zip(indices, steps) { t[Int(i)].append(stepTime(s, dt: dt)) }
        return t
    }

    /// `[K, 2]` array of (index, time in ms) rows.
    public func tensor(dt: Float) -> Tensor {
        Tensor(shape: [count, 2], scalars: zip(indices, steps).flatMap { [Float($0), stepTime($1, dt: dt)] })
    }

    /// CSV with a header `index,time_ms` and one row per spike.
    public func csv(dt: Float) -> String {
        var out = "index,time_ms\n"
        for (i, s) in zip(indices, steps) { out += "\(i),\(stepTime(s, dt: dt))\n" }
        return out
    }

    /// Restores recordings (checkpoints).
    func restore(indices: [Int32], steps: [Int32]) { self.indices = indices; self.steps = steps }
}

/// Records state variables of chosen neurons every `every` steps (Brian2's `StateMonitor`).
public final class StateMonitor: Monitor {
    public let name: String
    /// The recorded group.
    public let group: NeuronGroup
    /// The recorded variables.
    public let variables: [String]
    let indices: [Int]
    /// The recorded neurons.
    public let neurons: [Int]
    /// Recording interval in steps (>= 1).
    public let every: Int
    /// Recorded values of each variable, `[samples, neurons]` flat.
    public private(set) var values: [String: [Float]] = [:]
    /// Steps at which samples were taken.
    public private(set) var steps: [Int32] = []

    /// A monitor of `variables` of `neurons` (all if nil) of `group`, every `every` steps.
    public init(name: String, group: NeuronGroup, variables: [String], neurons: [Int]? = nil, every: Int = 1) throws {
        guard every >= 1 else { throw SimulationError("state monitor '\(name)': every must be >= 1 step, got \(every)") }
        guard !variables.isEmpty else { throw SimulationError("state monitor '\(name)': no variables to record") }
        indices = try variables.map { try group.stateIndex($0) }
        let ns = neurons ?? Array(0..<group.size)
        if let bad = ns.first(where: { $0 < 0 || $0 >= group.size }) {
            throw SimulationError("state monitor '\(name)': neuron \(bad) out of range 0..<\(group.size) of group '\(group.name)'")
        }
        self.name = name; self.group = group; self.variables = variables; self.neurons = ns; self.every = every
        for v in variables { values[v] = [] }
    }

    /// `steps / every` samples (one more at most) of every variable for every recorded neuron, and their steps.
    public func estimatedBytes(steps: Int) -> Int? {
        MemoryBudget.product([steps / every + 1, variables.count * neurons.count + 1, 4])
    }

    public func record(step: Int) {
        guard step % every == 0 else { return }
        steps.append(Int32(step))
        for (v, k) in zip(variables, indices) {
            for n in neurons { values[v]!.append(group.dynamics.value(k, n)) }
        }
    }

    /// Number of samples taken.
    public var samples: Int { steps.count }

    /// The recording of `variable` as `[samples, neurons]`.
    public func tensor(_ variable: String) -> Tensor {
        Tensor(shape: [samples, neurons.count], scalars: values[variable] ?? [])
    }

    /// CSV with a header `time_ms,<neuron ids>` and one row per sample.
    public func csv(_ variable: String, dt: Float) -> String {
        var out = "time_ms," + neurons.map { "n\($0)" }.joined(separator: ",") + "\n"
        let v = values[variable] ?? []
        for (r, s) in steps.enumerated() {
            out += "\(stepTime(s, dt: dt))," + (0..<neurons.count).map { "\(v[r * neurons.count + $0])" }.joined(separator: ",") + "\n"
        }
        return out
    }

    func restore(values: [String: [Float]], steps: [Int32]) { self.values = values; self.steps = steps }
}

/// Records the number of spikes of a source at every step (Brian2's `PopulationRateMonitor`).
public final class PopulationRateMonitor: Monitor {
    public let name: String
    /// The recorded source.
    public let source: any SpikeSource
    /// Spikes per step.
    public private(set) var counts: [Int32] = []

    /// A monitor of `source`.
    public init(name: String, source: any SpikeSource) { self.name = name; self.source = source }

    public func record(step: Int) { counts.append(Int32(source.spikes.count)) }

    /// One int32 count per step.
    public func estimatedBytes(steps: Int) -> Int? { MemoryBudget.product([steps, 4]) }

    /// Population rate in Hz at each step: spikes / (N dt).
    public func rates(dt: Float) -> [Float] { counts.map { Float($0) / (Float(source.size) * dt / 1000) } }

    /// The rate smoothed with a centred box of `width` ms (Brian2's `smooth_rate(window='flat')`).
    public func smoothRates(dt: Float, width: Float) -> [Float] {
        let r = rates(dt: dt)
        let half = max(0, Int((width / dt / 2).rounded()))
        if half == 0 || r.isEmpty { return r }
        var prefix = [Double](repeating: 0, count: r.count + 1)
        for (i, v) in r.enumerated() { prefix[i + 1] = prefix[i] + Double(v) }
        return (0..<r.count).map { i in
            let a = max(0, i - half), b = min(r.count, i + half + 1)
            return Float((prefix[b] - prefix[a]) / Double(b - a))
        }
    }

    /// CSV with a header `time_ms,rate_hz`.
    public func csv(dt: Float) -> String {
        var out = "time_ms,rate_hz\n"
        for (s, r) in rates(dt: dt).enumerated() { out += "\(stepTime(Int32(s), dt: dt)),\(r)\n" }
        return out
    }

    func restore(counts: [Int32]) { self.counts = counts }
}
