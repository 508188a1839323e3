import SpikeCore
import SpikeNeurons

/// A plasticity rule of one projection (STDP and its relatives), stepped by the network after each step's
/// spike propagation. It changes `synapses.weight` in place.
public protocol PlasticityRule: AnyObject {
    /// Called once when the rule is attached to `synapses` (allocate traces; check sizes).
    func attach(to synapses: Synapses) throws
    /// One step of the rule: `preSpikes` are the source neurons that fired at this step, `postSpikes` the
    /// target neurons that fired at this step (both in increasing order); `dt` is the step in ms.
    func update(_ synapses: Synapses, preSpikes: [Int32], postSpikes: [Int32], dt: Float)
    /// The rule's state (traces, eligibility, ...) by name, for checkpoints.
    func checkpointState() -> [(String, [Float])]
    /// Restores what `checkpointState` returned.
    func restore(_ state: [String: [Float]]) throws
}

/// A projection of synapses from a spike source to a neuron group (Brian2's `Synapses` with an `on_pre`
/// increment, SPAIC's `Connection`): each spike of pre neuron i adds `w[s]` to the target variable of
/// `post[s]` for each synapse s of row i, after the synapse's delay.
///
/// Event-driven: only the rows of neurons that spiked are touched. The target is either `input` (the model's
/// input `x` of the next step, e.g. a current) or one of the target model's state variables (e.g. `ge`, `gi`,
/// or `v` for delta synapses), incremented between steps.
///
/// Timing (as Brian2): a spike at step n with a delay of d steps is applied at step n + d, after that step's
/// neuron update, so it affects the update of step n + d + 1. Delay 0 (Brian2's default) applies it in the
/// spike's own step. One delay for the whole projection queues spiking neurons; per-synapse delays queue
/// synapse indices; both read the weight when the spike arrives (so plasticity in between counts).
public final class Synapses {
    /// The projection's name (network files, monitors, checkpoints).
    public let name: String
    /// The pre side.
    public let source: any SpikeSource
    /// The post side.
    public let target: NeuronGroup
    /// The target variable's name: `input` or a state variable of the target model.
    public let targetVariable: String
    /// Index of the target state variable, nil for `input`.
    public let targetIndex: Int?
    /// The connectivity (CSR by pre neuron).
    public let matrix: SynapseMatrix
    /// Weight of each synapse (in the unit of the target variable).
    public var weight: [Float]
    /// Delay of each synapse in steps (nil: all `uniformDelay`).
    public let delaySteps: [Int32]?
    /// The projection's delay in steps when it has one delay.
    public let uniformDelay: Int
    /// Largest delay the ring buffer holds, in steps.
    public let maxDelaySteps: Int
    /// The clock step (ms) the delays were converted with.
    public let dt: Float
    /// Plasticity of the weights, if any.
    public private(set) var plasticity: (any PlasticityRule)?

    /// Queued arrivals: for one delay, the spiking pre neurons; for per-synapse delays, synapse indices.
    var ring: [[Int32]]

    /// A projection from `source` to `target` with synapses `matrix`, `weights`, and `delays` in ms (0: none),
    /// at step `dt` ms. `maxDelay` (ms) bounds the delays (the ring buffer's depth); by default the largest delay.
    public init(name: String, source: any SpikeSource, target: NeuronGroup, targetVariable: String = "input",
                matrix: SynapseMatrix, weights: [Float], delays: [Float]? = nil, delay: Float = 0, dt: Float,
                maxDelay: Float? = nil) throws {
        guard matrix.preCount == source.size, matrix.postCount == target.size else {
            throw SimulationError("synapses '\(name)': matrix is \(matrix.preCount) x \(matrix.postCount), groups are \(source.size) x \(target.size)")
        }
        guard weights.count == matrix.count else {
            throw SimulationError("synapses '\(name)': \(weights.count) weights for \(matrix.count) synapses")
        }
        if let bad = weights.first(where: { !$0.isFinite }) { throw SimulationError("synapses '\(name)': weight \(bad) is not finite") }
        guard dt > 0, dt.isFinite else { throw SimulationError("synapses '\(name)': dt must be > 0, got \(dt)") }
        self.name = name; self.source = source; self.target = target; self.targetVariable = targetVariable; self.dt = dt
        targetIndex = targetVariable == "input" ? nil : try target.stateIndex(targetVariable)
        self.matrix = matrix; weight = weights
        func steps(_ d: Float) throws -> Int {
            guard d.isFinite, d >= 0 else { throw SimulationError("synapses '\(name)': delay must be >= 0 ms, got \(d)") }
            if d > 0 && d < dt * 0.999 {
                throw SimulationError("synapses '\(name)': delay \(d) ms is below one step (dt = \(dt) ms); use 0 for none or at least dt")
            }
            let n = (Double(d) / Double(dt)).rounded()
            guard n < Double(Int32.max) else {
                throw SimulationError("synapses '\(name)': delay \(d) ms is \(n) steps of \(dt) ms, more than the \(Int32.max) a delay can have")
            }
            return Int(n)
        }
        if let delays {
            guard delays.count == matrix.count else { throw SimulationError("synapses '\(name)': \(delays.count) delays for \(matrix.count) synapses") }
            let ds = try delays.map { Int32(try steps($0)) }
            delaySteps = ds
            uniformDelay = 0
            let longest = Int(ds.max() ?? 0)
            maxDelaySteps = try maxDelay.map { try steps($0) } ?? longest
            if longest > maxDelaySteps {
                throw SimulationError("synapses '\(name)': delay of \(Float(longest) * dt) ms exceeds max_delay \(Float(maxDelaySteps) * dt) ms")
            }
        } else {
            delaySteps = nil
            uniformDelay = try steps(delay)
            maxDelaySteps = try maxDelay.map { try steps($0) } ?? uniformDelay
            if uniformDelay > maxDelaySteps {
                throw SimulationError("synapses '\(name)': delay of \(delay) ms exceeds max_delay \(Float(maxDelaySteps) * dt) ms")
            }
        }
        // One (empty) queue per slot of the ring: an array header of 8 bytes each, before any spike is queued.
        try MemoryBudget.checkProduct([maxDelaySteps + 1], elementSize: MemoryLayout<[Int32]>.stride,
                                      what: "synapses '\(name)': delay ring of \(maxDelaySteps + 1) steps")
        ring = [[Int32]](repeating: [], count: maxDelaySteps + 1)
    }

    /// Number of synapses.
    public var count: Int { matrix.count }

    /// Attaches a plasticity rule (replacing any).
    public func setPlasticity(_ rule: (any PlasticityRule)?) throws {
        try rule?.attach(to: self)
        plasticity = rule
    }

    /// The synapses onto each post neuron (built once, on first use): see `SynapseMatrix.columns`.
    public private(set) lazy var columns: (columnStart: [Int], synapses: [Int32]) = matrix.columns()

    /// Queues this step's spikes of the source and applies everything that arrives at step `step`.
    public func propagate(step: Int) {
        let depth = ring.count
        let spikes = source.spikes
        if let delaySteps {
            if !spikes.isEmpty {
                for i in spikes {
                    for s in matrix.rowStart[Int(i)]..<matrix.rowStart[Int(i) + 1] {
                        ring[(step + Int(delaySteps[s])) % depth].append(Int32(s))
                    }
                }
            }
            let slot = step % depth
            if ring[slot].isEmpty { return }
            deliverSynapses(ring[slot])
            ring[slot].removeAll(keepingCapacity: true)
        } else {
            if uniformDelay == 0 {
                deliverRows(spikes)
                return
            }
            if !spikes.isEmpty { ring[(step + uniformDelay) % depth].append(contentsOf: spikes) }
            let slot = step % depth
            if ring[slot].isEmpty { return }
            deliverRows(ring[slot])
            ring[slot].removeAll(keepingCapacity: true)
        }
    }

    /// Applies the rows of the given pre neurons.
    func deliverRows(_ pres: [Int32]) {
        if pres.isEmpty { return }
        matrix.post.withUnsafeBufferPointer { post in
        weight.withUnsafeBufferPointer { w in
            if let k = targetIndex {
                let dyn = target.dynamics
                for i in pres {
                    let a = matrix.rowStart[Int(i)], b = matrix.rowStart[Int(i) + 1]
                    if b > a { dyn.deliver(k, post: post.baseAddress! + a, weight: w.baseAddress! + a, count: b - a, scale: 1) }
                }
            } else {
                target.input.withUnsafeMutableBufferPointer { x in
                    for i in pres {
                        for s in matrix.rowStart[Int(i)]..<matrix.rowStart[Int(i) + 1] { x[Int(post[s])] += w[s] }
                    }
                }
            }
        }}
    }

    /// Applies the given synapses.
    func deliverSynapses(_ syn: [Int32]) {
        // Gather the arriving synapses' targets and current weights, then one bulk delivery (not one
        // dynamically dispatched call per synapse).
        var posts = scratchPosts, weights = scratchWeights
        posts.removeAll(keepingCapacity: true); weights.removeAll(keepingCapacity: true)
        matrix.post.withUnsafeBufferPointer { post in
        weight.withUnsafeBufferPointer { w in
            for s in syn { posts.append(post[Int(s)]); weights.append(w[Int(s)]) }
        }}
        if let k = targetIndex {
            posts.withUnsafeBufferPointer { p in weights.withUnsafeBufferPointer { w in
                target.dynamics.deliver(k, post: p.baseAddress!, weight: w.baseAddress!, count: p.count, scale: 1)
            }}
        } else {
            target.input.withUnsafeMutableBufferPointer { x in
                for (j, w) in zip(posts, weights) { x[Int(j)] += w }
            }
        }
        scratchPosts = posts; scratchWeights = weights
    }

    /// Reused buffers of `deliverSynapses`.
    var scratchPosts: [Int32] = [], scratchWeights: [Float] = []

    /// The queued arrivals (for checkpoints): slot k of the ring holds what arrives at steps congruent to k.
    public var queued: [[Int32]] { ring }

    /// Restores queued arrivals saved with `queued`.
    public func restoreQueue(_ q: [[Int32]]) throws {
        guard q.count == ring.count else { throw SimulationError("synapses '\(name)': checkpoint has a ring of \(q.count) slots, expected \(ring.count)") }
        ring = q
    }
}
