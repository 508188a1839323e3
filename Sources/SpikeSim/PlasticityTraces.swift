import Foundation

/// How the traces of a spike-timing rule react to a spike, which sets the pairs of spikes that interact
/// (Morrison, Diesmann & Gerstner 2008, "Phenomenological models of synaptic plasticity based on spike timing").
public enum SpikePairing: String, Sendable, Equatable, CaseIterable {
    /// Every pre spike pairs with every post spike: the trace accumulates, `x <- x + 1` (Brian2's
    /// `Apre += dApre`, SPAIC's `full_online_STDP`, SpikingJelly's `STDPLearner`).
    case allToAll = "all_to_all"
    /// Symmetric nearest-spike pairing: the trace is reset, `x <- 1`, so a spike pairs only with the latest spike
    /// of the other side (SPAIC's `nearest_online_STDP`, Brian2's "nearest-spike" variant `Apre = dApre`).
    case nearest
}

/// How a weight change depends on the current weight.
public enum WeightDependence: String, Sendable, Equatable, CaseIterable {
    /// Additive (hard bounds): `dw+ = A_plus x_pre`, `dw- = -A_minus x_post`, then clipped to `[w_min, w_max]`
    /// (Song, Miller & Abbott 2000; Brian2's STDP example). `A_plus`, `A_minus` are in weight units.
    case additive
    /// Multiplicative (soft bounds): `dw+ = A_plus (w_max - w) x_pre`, `dw- = -A_minus (w - w_min) x_post`
    /// (van Rossum, Bi & Turrigiano 2000; SpikingJelly's `f_post(w)`, `f_pre(w)`); `A_plus`, `A_minus` are
    /// fractions of the distance to the bound, so the weight approaches the bounds without reaching them.
    case multiplicative
}

/// When a pre spike counts for a plasticity rule on a projection with a delay.
public enum PreSpikeTiming: String, Sendable, Equatable, CaseIterable {
    /// When the source neuron fires (the step the network passes to `update`).
    case emission
    /// When the spike arrives at the synapse, `delay` steps later, as Brian2's `on_pre` pathway with a delay
    /// (the STDP window is then measured from the arrival). Needs one delay for the whole projection.
    case arrival
}

/// Exponentially decaying spike traces of a set of neurons, stepped at the clock: each step every trace decays by
/// `exp(-dt / tau)`, then the traces of the neurons that spiked jump (`+1` or reset to `1`, by `SpikePairing`).
struct SpikeTraces {
    /// One trace per neuron.
    var values: [Float]
    /// Time constant in ms.
    let tau: Float
    /// Per-step decay factor `exp(-dt / tau)` (computed in double precision).
    private(set) var decay: Float
    private(set) var dt: Float

    init(count: Int, tau: Float, dt: Float) {
        values = [Float](repeating: 0, count: count)
        self.tau = tau; self.dt = dt
        decay = Float(Foundation.exp(-Double(dt) / Double(tau)))
    }

    /// Re-derives the decay for a different step (only when `dt` changes).
    mutating func use(dt newDt: Float) {
        if newDt != dt { dt = newDt; decay = Float(Foundation.exp(-Double(newDt) / Double(tau))) }
    }

    /// Multiplies every trace by the decay factor.
    mutating func decayAll() {
        let d = decay
        values.withUnsafeMutableBufferPointer { v in
            for i in v.indices { v[i] *= d }
        }
    }

    /// The jump of the traces of `spikes`.
    mutating func jump(_ spikes: [Int32], pairing: SpikePairing) {
        switch pairing {
        case .allToAll: for i in spikes { values[Int(i)] += 1 }
        case .nearest: for i in spikes { values[Int(i)] = 1 }
        }
    }
}

/// Checks of rule parameters that throw a one-line `SimulationError` naming the rule and the parameter.
enum PlasticityCheck {
    /// A time constant: finite and > 0 ms.
    static func tau(_ rule: String, _ name: String, _ value: Float) throws {
        guard value.isFinite, value > 0 else { throw SimulationError("\(rule): \(name) must be > 0 ms, got \(value)") }
    }

    /// An amplitude: finite and >= 0 (the sign is the rule's).
    static func amplitude(_ rule: String, _ name: String, _ value: Float, sign: String) throws {
        guard value.isFinite, value >= 0 else {
            throw SimulationError("\(rule): \(name) must be >= 0 (the size of the \(sign); the rule applies the sign), got \(value)")
        }
    }

    /// Weight bounds: not NaN, `w_min < w_max`, finite for soft bounds.
    static func bounds(_ rule: String, _ wMin: Float, _ wMax: Float, _ dependence: WeightDependence) throws {
        guard !wMin.isNaN, !wMax.isNaN, wMin < wMax else {
            throw SimulationError("\(rule): w_min must be < w_max, got w_min = \(wMin), w_max = \(wMax)")
        }
        if dependence == .multiplicative, !(wMin.isFinite && wMax.isFinite) {
            throw SimulationError("\(rule): multiplicative weight dependence needs finite bounds, got [\(wMin), \(wMax)]")
        }
    }

    /// Every weight of `synapses` within `[wMin, wMax]`.
    static func weights(_ rule: String, _ synapses: Synapses, _ wMin: Float, _ wMax: Float) throws {
        if let s = synapses.weight.firstIndex(where: { !($0 >= wMin && $0 <= wMax) }) {
            throw SimulationError("\(rule) on synapses '\(synapses.name)': weight \(synapses.weight[s]) of synapse \(s) is outside [\(wMin), \(wMax)]")
        }
    }

    /// A checkpointed array of the expected size.
    static func restored(_ rule: String, _ state: [String: [Float]], _ key: String, count: Int) throws -> [Float] {
        guard let v = state[key] else { throw SimulationError("\(rule): checkpoint lacks '\(key)'") }
        guard v.count == count else { throw SimulationError("\(rule): checkpoint '\(key)' has \(v.count) values, expected \(count)") }
        return v
    }
}

/// The per-projection bookkeeping every rule needs once attached: the projection, the pre neuron of each synapse
/// and, for the step's spikes, which pre and post neurons fired (a class, so the flags change in place).
final class PlasticityBinding {
    /// The projection (weak: the projection owns the rule) and its name.
    weak var synapses: Synapses?
    let name: String
    /// Pre neuron of each synapse.
    let pre: [Int32]
    /// Synapses onto each post neuron (CSC).
    let columnStart: [Int], columnSynapses: [Int32]
    /// Scratch flags: whether each pre / post neuron fired at the current step (raw buffers: read in the rules'
    /// inner loops without exclusivity checks or copies).
    let preFired: UnsafeMutableBufferPointer<Bool>, postFired: UnsafeMutableBufferPointer<Bool>
    /// With `.arrival` timing on a delayed projection: the pre spikes of the last `delay` steps, oldest at `head`.
    var delayed: [[Int32]] = []
    var head = 0

    init(_ s: Synapses, timing: PreSpikeTiming, rule: String) throws {
        if timing == .arrival {
            guard s.delaySteps == nil else {
                throw SimulationError("\(rule) on synapses '\(s.name)': arrival timing needs one delay for the whole projection, not per-synapse delays")
            }
            delayed = [[Int32]](repeating: [], count: s.uniformDelay)
        }
        synapses = s; name = s.name
        pre = s.matrix.pre
        let c = s.columns
        columnStart = c.columnStart; columnSynapses = c.synapses
        preFired = .allocate(capacity: s.matrix.preCount); preFired.initialize(repeating: false)
        postFired = .allocate(capacity: s.matrix.postCount); postFired.initialize(repeating: false)
    }

    deinit { preFired.deallocate(); postFired.deallocate() }

    /// The pre spikes that count at this step: `emitted` itself, or (arrival timing) those emitted `delay` steps ago.
    func timed(_ emitted: [Int32]) -> [Int32] {
        if delayed.isEmpty { return emitted }
        let out = delayed[head]
        delayed[head] = emitted
        head = (head + 1) % delayed.count
        return out
    }

    /// The delayed pre spikes (arrival timing on a delayed projection only).
    func checkpointState() -> [(String, [Float])] {
        if delayed.isEmpty { return [] }
        return [("pre_delay_lengths", delayed.map { Float($0.count) }), ("pre_delay_queue", delayed.flatMap { $0.map(Float.init) }),
                ("pre_delay_head", [Float(head)])]
    }

    /// Restores what `checkpointState` saved.
    func restore(_ state: [String: [Float]], _ rule: String) throws {
        if delayed.isEmpty { return }
        let lengths = try PlasticityCheck.restored(rule, state, "pre_delay_lengths", count: delayed.count)
        let h = try PlasticityCheck.restored(rule, state, "pre_delay_head", count: 1)[0]
        guard let flat = state["pre_delay_queue"] else { throw SimulationError("\(rule): checkpoint lacks 'pre_delay_queue'") }
        func index(_ v: Float, below n: Int) -> Int? { v >= 0 && v < Float(n) && v == v.rounded() ? Int(v) : nil }
        guard let hd = index(h, below: delayed.count), lengths.allSatisfy({ index($0, below: preFired.count + 1) != nil }),
              Int(lengths.reduce(0, +)) == flat.count, flat.allSatisfy({ index($0, below: preFired.count) != nil }) else {
            throw SimulationError("\(rule): checkpoint holds an invalid queue of delayed pre spikes")
        }
        var q: [[Int32]] = [], at = 0
        for n in lengths { q.append(flat[at..<(at + Int(n))].map { Int32($0) }); at += Int(n) }
        delayed = q; head = hd
    }

    /// Sets the flags of this step's spikes.
    func mark(pre: [Int32], post: [Int32], _ on: Bool) {
        for i in pre { preFired[Int(i)] = on }
        for j in post { postFired[Int(j)] = on }
    }

    /// Whether the rule is bound to `s` already; throws when it is bound to another live projection (a rule
    /// holds the state of one projection).
    func isBound(to s: Synapses, _ rule: String) throws -> Bool {
        if synapses === s { return true }
        guard synapses == nil else {
            throw SimulationError("\(rule): already attached to synapses '\(name)'; use one rule object per projection")
        }
        return false
    }
}
