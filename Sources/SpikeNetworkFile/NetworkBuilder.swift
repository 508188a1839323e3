import Foundation
import SpikeCore
import SpikeNeurons
import SpikeCoding
import SpikeIO
import SpikeSim

/// Counts the spikes of each neuron group during a run, for `spike simulate`'s summary (whatever the file's
/// monitors are).
public final class SpikeCounter: Monitor {
    /// `#count:` followed by the group's name (no network-file name can start with `#`).
    public let name: String
    /// The counted group.
    public let group: NeuronGroup
    /// Spikes so far.
    public private(set) var count = 0

    /// A counter of `group`.
    public init(_ group: NeuronGroup) { self.group = group; name = "#count:\(group.name)" }

    /// Adds this step's spikes of the group.
    public func record(step: Int) { count += group.spikes.count }

    /// Checkpoint tensor (`spike simulate --save-state` adds it to the network's own), so that a resumed run
    /// counts from time 0, as the restored spike monitors hold the whole run.
    public func checkpoint() -> [(String, Tensor)] {
        // Two float32 halves: counts above 2^24 stay exact.
        [("spikecli/count/\(group.name)", Tensor(shape: [2], scalars: [Float(count >> 24), Float(count & 0xFF_FFFF)]))]
    }

    /// Restores what `checkpoint()` saved.
    public func restore(_ byName: [String: Tensor]) throws {
        guard let t = byName["spikecli/count/\(group.name)"], t.count == 2 else {
            throw SimulationError("checkpoint: missing spike count of group '\(group.name)' (a state saved before counts were saved)")
        }
        count = Int(t.scalars[0]) << 24 + Int(t.scalars[1])
    }
}

/// Records the weights of a projection (all its synapses, or chosen ones) every `every` steps, after the step's
/// plasticity: `spike simulate`'s `weights` monitor.
public final class WeightMonitor: Monitor {
    /// The recording's name (its output files start with it).
    public let name: String
    /// The recorded projection.
    public let synapses: Synapses
    /// The recorded synapse indices.
    public let indices: [Int]
    /// Recording interval in steps.
    public let every: Int
    /// `[samples, indices]` flat.
    public internal(set) var values: [Float] = []
    /// Steps of the samples.
    public internal(set) var steps: [Int32] = []

    /// A monitor of `indices` (all if nil; each must be a synapse of `synapses`) every `every` steps.
    public init(name: String, synapses: Synapses, indices: [Int]?, every: Int) throws {
        let ix = indices ?? Array(0..<synapses.count)
        if let bad = ix.first(where: { $0 < 0 || $0 >= synapses.count }) {
            throw SimulationError("weights monitor '\(name)': synapse \(bad) out of range 0..<\(synapses.count) of '\(synapses.name)'")
        }
        guard every >= 1 else { throw SimulationError("weights monitor '\(name)': every must be >= 1 step, got \(every)") }
        self.name = name; self.synapses = synapses; self.indices = ix; self.every = every
    }

    /// `steps / every` samples (one more at most) of the recorded weights, and their steps.
    public func estimatedBytes(steps: Int) -> Int? { MemoryBudget.product([steps / every + 1, indices.count + 1, 4]) }

    /// Samples the weights at every `every`-th step.
    public func record(step: Int) {
        guard step % every == 0 else { return }
        steps.append(Int32(step))
        let w = synapses.weight
        for i in indices { values.append(w[i]) }
    }

    /// Checkpoint tensors (`spike simulate --save-state` adds them to the network's own).
    public func checkpoint() -> [(String, Tensor)] {
        [("spikecli/weights/\(name)/values", Tensor(shape: [values.count], scalars: values)),
         ("spikecli/weights/\(name)/steps", Tensor(shape: [steps.count], scalars: steps.map(Float.init)))]
    }

    /// Restores what `checkpoint()` saved.
    public func restore(_ byName: [String: Tensor]) throws {
        guard let v = byName["spikecli/weights/\(name)/values"], let s = byName["spikecli/weights/\(name)/steps"],
              v.count == s.count * indices.count else {
            throw SimulationError("checkpoint: missing or mismatched recording of weights monitor '\(name)'")
        }
        values = v.scalars; steps = s.scalars.map { Int32($0) }
    }
}

/// Builds a SpikeSim `Network` from a checked `NetworkDescription`.
///
/// Random draws follow the network's streams (`Network.nextStream`, numbered from 1) in the order things are
/// made, so one file and seed give the same bits: when any group draws values (a distribution or mismatch),
/// stream 1 draws every group's per-neuron parameters, mismatch seeds and initial values, group by group in file
/// order; then each random spike source (`poisson`, `correlated_poisson`) takes the next stream in file order;
/// then each projection (connectivity, then weights, then delays) in file order; then each `poisson_input` in
/// file order (sources before the projections that read them, drives after). This is the order of
/// `NetworkExamples.cuba`, `.coba`, `.brunel` and `.stdp`, so the built-in examples reproduce them bit for bit.
/// (Encoder inputs draw from streams of their own, see `NetworkFile`.)
public enum NetworkBuilder {
    /// Whether `v` is drawn at random.
    static func isRandom(_ v: SynapseValues) -> Bool {
        switch v { case .uniform, .normal: return true; case .constant, .values: return false }
    }

    /// The network of `d` with a `SpikeCounter` per group after the file's monitors.
    public static func build(_ d: NetworkDescription) throws -> Network {
        let net = try Network(dt: d.dt, seed: d.seed)
        try populate(net, d)
        return net
    }

    /// Adds the groups, inputs, projections and monitors of `d` (and a `SpikeCounter` per group) to `net`, a
    /// new network made with `d.dt` and `d.seed` (its random streams are taken in the order of `build`).
    static func populate(_ net: Network, _ d: NetworkDescription) throws {
        func place(_ node: FileNode) -> String { "\(node.file): \(node.path)" }
        func at<T>(_ node: FileNode, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as NetworkFileError { throw e } catch { throw node.error("\(error)") }
        }
        let drawsValues = d.groups.contains { g in
            !g.mismatch.isEmpty || g.perNeuron.contains { isRandom($0.values) } || g.initial.contains { isRandom($0.values) }
        }
        var values = drawsValues ? net.nextStream() : SeededRandom(seed: d.seed)
        // Poisson inputs (drives) are made in file order with the sources but take the streams after the projections'.
        let sources = d.inputs.filter { if case .poisson = $0.kind { return true }; if case .correlatedPoisson = $0.kind { return true }; return false }.count
        var driveStream = UInt64(drawsValues ? 1 : 0) + UInt64(sources) + UInt64(d.synapses.count)
        var drives = 0
        func stream() -> SeededRandom {
            driveStream += 1; drives += 1
            return SeededRandom(seed: d.seed).split(stream: driveStream)
        }
        for g in d.groups {
            var table: NeuronParameterTable? = nil
            if !g.perNeuron.isEmpty || !g.mismatch.isEmpty {
                var t = g.model.table(neurons: g.size)
                for (name, v, node) in g.perNeuron { t[name] = try v.draw(count: g.size, rng: &values, what: place(node)) }
                try at(g.node) { try g.model.validate(t) }
                for (name, fraction, node) in g.mismatch {
                    let seed = values.next()
                    try at(node) { try g.model.addMismatch(&t, name, fraction: fraction, seed: seed) }
                }
                table = t
            }
            let group = try at(g.node) { try net.add(NeuronGroup(name: g.name, size: g.size, model: g.model, table: table)) }
            for (variable, v, node) in g.initial {
                let x = try v.draw(count: g.size, rng: &values, what: place(node))
                try at(node) { try group.setState(variable, x) }
            }
        }
        for i in d.inputs {
            try at(i.node) {
                switch i.kind {
                case let .poisson(size, rates):
                    try net.add(PoissonGroup(name: i.name, size: size, rates: rates, rng: net.nextStream()))
                case let .correlatedPoisson(size, rate, correlation):
                    try net.add(CorrelatedPoissonGroup(name: i.name, size: size, rate: rate, correlation: correlation, rng: net.nextStream()))
                case let .spikeGenerator(size, indices, times, period):
                    try net.add(SpikeGeneratorGroup(name: i.name, size: size, indices: indices, times: times, period: period))
                case let .current(target, variable, v):
                    try net.add(CurrentInput(name: i.name, target: net.group(target)!, variable: variable, values: v))
                case let .poissonInput(target, variable, count, rate, weight):
                    try net.add(PoissonInput(name: i.name, target: net.group(target)!, variable: variable, count: count, rate: rate,
                                             weight: weight, rng: stream()))
                case let .spikeArray(_, raster, loop):
                    try net.add(SpikeArrayInput(name: i.name, raster: raster, loop: loop))
                }
            }
        }
        for s in d.synapses {
            let projection = try at(s.node) {
                try net.connect(s.name, from: net.source(s.source)!, to: net.group(s.target)!, variable: s.variable, rule: s.rule,
                                weight: s.weight, delay: s.delay, maxDelay: s.maxDelay)
            }
            if let p = s.plasticity { try p.attach(to: projection, network: net) }
        }
        for _ in 0..<drives { _ = net.nextStream() }     // the drives' streams, taken above
        for m in d.monitors {
            try at(m.node) {
                switch m.kind {
                case let .spikes(source): try net.add(SpikeMonitor(name: m.name, source: net.source(source)!))
                case let .rate(source): try net.add(PopulationRateMonitor(name: m.name, source: net.source(source)!))
                case let .state(group, variables, neurons, every):
                    try net.add(StateMonitor(name: m.name, group: net.group(group)!, variables: variables, neurons: neurons, every: every))
                case let .weights(synapses, indices, every):
                    try net.add(WeightMonitor(name: m.name, synapses: net.synapses.first { $0.name == synapses }!, indices: indices, every: every))
                }
            }
        }
        for g in net.groups { try net.add(SpikeCounter(g)) }
    }
}
