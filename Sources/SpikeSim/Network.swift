import Foundation
import SpikeCore
import SpikeIO
import SpikeNeurons

/// A clock-driven, event-driven network simulation (Brian2's `Network`, SPAIC's `Network`): neuron groups,
/// input generators and currents, synapses with delays and plasticity, and monitors, advanced together at one
/// clock step `dt` (ms).
///
/// Each step, in this order (Brian2's schedule: groups, thresholds, synapses, resets):
/// 1. inputs produce this step's spikes (Poisson groups, spike generators, spike arrays) and currents;
/// 2. every neuron group updates from its input (integration, threshold and reset: the model's step);
/// 3. every projection queues the spikes of its source and applies what arrives at this step;
/// 4. plasticity rules update the weights from this step's pre and post spikes;
/// 5. monitors record.
///
/// Random draws (connectivity, weights, Poisson inputs) come from streams split from `seed` by the order in
/// which things are added, so the same construction gives the same bits. `checkpoint()` / `restore(_:)` save
/// and resume every state (neurons, queued spikes, weights, traces, generators, recordings, time) bit for bit.
public final class Network {
    /// Clock step in ms.
    public let dt: Float
    /// Seed of every random stream of the network.
    public let seed: UInt64
    /// Steps run so far (time = `step` x `dt`).
    public internal(set) var step = 0
    /// The neuron groups, in update order.
    public private(set) var groups: [NeuronGroup] = []
    /// Inputs (generators and currents), in order.
    public private(set) var inputs: [any NetworkInput] = []
    /// Projections, in order.
    public private(set) var synapses: [Synapses] = []
    /// Monitors, in order.
    public private(set) var monitors: [any Monitor] = []
    var names = Set<String>()
    var streams: UInt64 = 0

    /// An empty network at step `dt` ms.
    public init(dt: Float = 0.1, seed: UInt64 = 0) throws {
        guard dt > 0, dt.isFinite else { throw SimulationError("network: dt must be > 0 ms, got \(dt)") }
        self.dt = dt; self.seed = seed
    }

    /// Elapsed biological time in ms.
    public var time: Double { Double(step) * Double(dt) }

    /// A fresh random stream for the next thing added.
    public func nextStream() -> SeededRandom {
        streams += 1
        return SeededRandom(seed: seed).split(stream: streams)
    }

    func claim(_ name: String, _ kind: String) throws {
        guard !name.isEmpty else { throw SimulationError("\(kind): empty name") }
        guard !names.contains(name) else { throw SimulationError("\(kind) '\(name)': the name is already used in this network") }
        names.insert(name)
    }

    /// Adds a neuron group.
    @discardableResult public func add(_ group: NeuronGroup) throws -> NeuronGroup {
        try claim(group.name, "group"); groups.append(group); return group
    }

    /// Adds an input (generator or current).
    @discardableResult public func add<I: NetworkInput>(_ input: I) throws -> I {
        try claim(input.name, "input")
        if let g = input as? SpikeGeneratorGroup { try g.prepare(dt: dt) }
        inputs.append(input); return input
    }

    /// Adds a projection.
    @discardableResult public func add(_ s: Synapses) throws -> Synapses {
        try claim(s.name, "synapses")
        guard abs(s.dt - dt) <= 1e-6 * dt else { throw SimulationError("synapses '\(s.name)': built for dt \(s.dt) ms, network dt \(dt) ms") }
        synapses.append(s); return s
    }

    /// Adds a monitor.
    @discardableResult public func add<M: Monitor>(_ m: M) throws -> M {
        try claim(m.name, "monitor"); monitors.append(m); return m
    }

    /// A group of `size` neurons of zoo model `id` with `parameters`, added to the network. Unless `parameters`
    /// sets `dt`, a model that integrates with one gets the network's step in its own unit (ms or s).
    @discardableResult
    public func addGroup(_ name: String, size: Int, model id: String, parameters: [String: Any] = [:]) throws -> NeuronGroup {
        var p = parameters
        // The model integrates at the network's step, in the model's own unit of time (ms or s).
        if p["dt"] == nil, let info = NeuronRegistry.parameters(of: id).first(where: { $0.name == "dt" }),
           let scale = ["ms": Float(1), "s": Float(1e-3)][info.unit] {
            p["dt"] = dt * scale
        }
        return try add(NeuronGroup(name: name, size: size, model: NeuronRegistry.model(id, parameters: p)))
    }

    /// A Poisson group added to the network (rates in Hz).
    @discardableResult
    public func addPoisson(_ name: String, size: Int, rates: [Float]) throws -> PoissonGroup {
        try add(PoissonGroup(name: name, size: size, rates: rates, rng: nextStream()))
    }

    /// Connects `source` to `target` by `rule`, weights and delays (ms) drawn from the network's streams, and
    /// adds the projection. `variable` is `input` or a state variable of the target model. Delays drawn from a
    /// distribution are rounded to whole steps (negative draws to 0), as Brian2 rounds delays to the clock;
    /// explicit delays between 0 and one step are an error.
    @discardableResult
    public func connect(_ name: String, from source: any SpikeSource, to target: NeuronGroup, variable: String = "input",
                        rule: Connectivity, weight: SynapseValues, delay: SynapseValues = .constant(0),
                        maxDelay: Float? = nil) throws -> Synapses {
        var rng = nextStream()
        let m = try SynapseMatrix.build(rule, pre: source.size, post: target.size, sameGroup: source === target, rng: &rng)
        let w = try weight.draw(count: m.count, rng: &rng, what: "synapses '\(name)' weight")
        let s: Synapses
        if case let .constant(d) = delay {
            s = try Synapses(name: name, source: source, target: target, targetVariable: variable, matrix: m, weights: w,
                             delay: d, dt: dt, maxDelay: maxDelay)
        } else {
            // Explicit values below one step are an error (in `Synapses`); drawn ones are rounded to whole steps.
            var d = try delay.draw(count: m.count, rng: &rng, what: "synapses '\(name)' delay")
            if case .values = delay {} else { d = d.map { Swift.max(0, ($0 / dt).rounded()) * dt } }
            s = try Synapses(name: name, source: source, target: target, targetVariable: variable, matrix: m, weights: w,
                             delays: d, dt: dt, maxDelay: maxDelay)
        }
        return try add(s)
    }

    /// Advances the network by one step.
    public func advance() {
        for i in inputs { i.advance(step: step, dt: dt) }
        for g in groups { g.update() }
        for s in synapses { s.propagate(step: step) }
        for s in synapses {
            if let rule = s.plasticity { rule.update(s, preSpikes: s.source.spikes, postSpikes: s.target.spikes, dt: dt) }
        }
        for m in monitors { m.record(step: step) }
        step += 1
    }

    /// Runs `steps` steps; `progress(done, total)` is called every `progressEvery` steps and at the end.
    public func run(steps n: Int, progressEvery: Int = 1000, progress: ((Int, Int) -> Void)? = nil) throws {
        try checkRun(steps: n)
        for k in 0..<n {
            advance()
            if let progress, (k + 1) % max(1, progressEvery) == 0 || k + 1 == n { progress(k + 1, n) }
        }
    }

    /// Throws unless `n` more steps can run: `n >= 0`, the run ends at step `Int32.max` at the latest (steps are
    /// recorded as int32), and what the monitors will record fits the memory budget (`MemoryBudget`).
    public func checkRun(steps n: Int) throws {
        guard n >= 0 else { throw SimulationError("run: steps must be >= 0, got \(n)") }
        // Steps are recorded as int32: a run ends at step Int32.max at the latest.
        guard n <= Int(Int32.max) - step else {
            throw SimulationError("run: \(n) steps from step \(step) would pass step \(Int32.max), the last a run can reach")
        }
        try MemoryBudget.check(bytes: MemoryBudget.sum(monitors.map { $0.estimatedBytes(steps: n) }),
                               what: "the recordings of \(n) steps")
    }

    /// Runs for `duration` ms of biological time (rounded to whole steps).
    public func run(duration: Double, progressEvery: Int = 1000, progress: ((Int, Int) -> Void)? = nil) throws {
        guard duration >= 0, duration.isFinite else { throw SimulationError("run: duration must be >= 0 ms, got \(duration)") }
        let n = (duration / Double(dt)).rounded()
        guard n <= Double(Int32.max) else {
            throw SimulationError("run: \(duration) ms is \(n) steps of \(dt) ms, more than the \(Int32.max) a run can have")
        }
        try run(steps: Int(n), progressEvery: progressEvery, progress: progress)
    }

    /// Every object of the network by name (groups, inputs, synapses, monitors).
    public func group(_ name: String) -> NeuronGroup? { groups.first { $0.name == name } }
    /// The spike source named `name` (a group or a spike-producing input).
    public func source(_ name: String) -> (any SpikeSource)? {
        if let g = group(name) { return g }
        return inputs.first { $0.name == name } as? any SpikeSource
    }
}
