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
    /// Scratch flags: whether each pre / post neuron fired at the current step.
    var preFired: [Bool], postFired: [Bool]

    init(_ s: Synapses) {
        synapses = s; name = s.name
        pre = s.matrix.pre
        let c = s.columns
        columnStart = c.columnStart; columnSynapses = c.synapses
        preFired = [Bool](repeating: false, count: s.matrix.preCount)
        postFired = [Bool](repeating: false, count: s.matrix.postCount)
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
