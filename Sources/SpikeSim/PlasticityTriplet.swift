import Foundation

/// Triplet spike-timing-dependent plasticity (Pfister & Gerstner 2006, "Triplets of spikes in a model of spike
/// timing-dependent plasticity", J. Neurosci. 26:9673), as NEST's `stdp_triplet_synapse` and Brian2's triplet
/// examples.
///
/// Each pre neuron has two traces, `r1` (time constant `tau_plus`) and `r2` (`tau_x`); each post neuron two,
/// `o1` (`tau_minus`) and `o2` (`tau_y`). The weight changes at spikes (eqs. 3 and 4 of the paper):
///
///     post spike:  w <- w + r1 (A2+ + A3+ o2(t - eps))      (potentiation by pairs and pre-post-post triplets)
///     pre spike:   w <- w - o1 (A2- + A3- r2(t - eps))      (depression by pairs and post-pre-pre triplets)
///
/// where `o2(t - eps)` and `r2(t - eps)` exclude the spike's own jump. The traces jump by 1 (all-to-all) or are
/// reset to 1 (nearest spike: the "nearest" model of the paper, every trace saturating at 1). At each step,
/// after the network's propagation: every trace decays by `exp(-dt / tau)`; `r2` of the pre neurons and `o2` of
/// the post neurons that spike now are read; then all traces jump; then the weights change, with `r1` and `o1`
/// read after the jump, as `STDP` does: a pre spike k steps before a post spike gives the pair term
/// `A2+ exp(-k dt / tau_plus)` exactly, and a pre and a post spike in one step give `A2+ - A2-`.
///
/// With `dependence = .multiplicative` both terms are scaled by the distance to the bound (`w_max - w`,
/// `w - w_min`), as in `STDP`; the paper's model is additive. Weights are clipped to `[w_min, w_max]`.
///
/// Units: time constants in ms. Defaults: the paper's visual-cortex all-to-all full model (Table 4), also NEST's
/// defaults: tau_plus 16.8 ms, tau_minus 33.7 ms, tau_x 101 ms, tau_y 125 ms, A2+ 5e-10, A3+ 6.2e-3,
/// A2- 7e-3, A3- 2.3e-4; weights in [0, 1]. Other published sets: `TripletSTDP.Parameters`.
public final class TripletSTDP: PlasticityRule {
    /// The amplitudes and time constants of one fit of the model. The presets are Table 4 of Pfister & Gerstner
    /// (2006) (tau_plus 16.8 ms and tau_minus 33.7 ms in every set); the visual-cortex all-to-all set is also NEST's
    /// `stdp_triplet_synapse` default, the other sets should be checked against the paper before a quantitative fit.
    public struct Parameters: Sendable, Equatable {
        /// Time constant of `r1` in ms.
        public var tauPlus: Float
        /// Time constant of `o1` in ms.
        public var tauMinus: Float
        /// Time constant of `r2` in ms.
        public var tauX: Float
        /// Time constant of `o2` in ms.
        public var tauY: Float
        /// Pair potentiation `A2+`.
        public var a2Plus: Float
        /// Triplet (pre-post-post) potentiation `A3+`.
        public var a3Plus: Float
        /// Pair depression `A2-` (>= 0; subtracted).
        public var a2Minus: Float
        /// Triplet (post-pre-pre) depression `A3-` (>= 0; subtracted).
        public var a3Minus: Float
        /// The pairing the set was fitted with.
        public var pairing: SpikePairing

        /// A parameter set (time constants in ms).
        public init(tauPlus: Float = 16.8, tauMinus: Float = 33.7, tauX: Float, tauY: Float, a2Plus: Float, a3Plus: Float,
                    a2Minus: Float, a3Minus: Float, pairing: SpikePairing) {
            self.tauPlus = tauPlus; self.tauMinus = tauMinus; self.tauX = tauX; self.tauY = tauY
            self.a2Plus = a2Plus; self.a3Plus = a3Plus; self.a2Minus = a2Minus; self.a3Minus = a3Minus; self.pairing = pairing
        }

        /// Visual cortex (Sjöström et al. 2001 data), all-to-all, full model (Pfister & Gerstner 2006, Table 4).
        public static let visualCortexAllToAll = Parameters(tauX: 101, tauY: 125, a2Plus: 5e-10, a3Plus: 6.2e-3,
                                                            a2Minus: 7e-3, a3Minus: 2.3e-4, pairing: .allToAll)
        /// Visual cortex, all-to-all, minimal model (no pair potentiation, no triplet depression; Table 4).
        public static let visualCortexAllToAllMinimal = Parameters(tauX: 101, tauY: 114, a2Plus: 0, a3Plus: 6.5e-3,
                                                                   a2Minus: 7.1e-3, a3Minus: 0, pairing: .allToAll)
        /// Visual cortex, nearest spike, full model (Table 4).
        public static let visualCortexNearest = Parameters(tauX: 714, tauY: 40, a2Plus: 8.8e-11, a3Plus: 5.3e-2,
                                                           a2Minus: 6.6e-3, a3Minus: 3.1e-3, pairing: .nearest)
        /// Hippocampal cultures (Wang et al. 2005 data), all-to-all, full model (Table 4).
        public static let hippocampalAllToAll = Parameters(tauX: 946, tauY: 27, a2Plus: 6.1e-3, a3Plus: 6.7e-3,
                                                           a2Minus: 1.6e-3, a3Minus: 1.4e-3, pairing: .allToAll)
        /// Hippocampal cultures, nearest spike, full model (Table 4).
        public static let hippocampalNearest = Parameters(tauX: 575, tauY: 47, a2Plus: 4.6e-3, a3Plus: 9.1e-3,
                                                          a2Minus: 3e-3, a3Minus: 7.5e-9, pairing: .nearest)
    }

    /// The model's parameters.
    public let parameters: Parameters
    /// Lower weight bound.
    public let wMin: Float
    /// Upper weight bound.
    public let wMax: Float
    /// Additive (the paper's) or multiplicative weight dependence.
    public let dependence: WeightDependence
    /// Whether a pre spike counts when it is emitted or when it arrives (delayed projections).
    public let preTiming: PreSpikeTiming

    var r1: SpikeTraces!, r2: SpikeTraces!, o1: SpikeTraces!, o2: SpikeTraces!
    var binding: PlasticityBinding?
    /// `r2` of this step's pre spikes and `o2` of its post spikes before their jumps (scratch, by neuron).
    var r2Before: [Float] = [], o2Before: [Float] = []
    let label = "triplet stdp"

    /// A triplet rule with `parameters` (by default the visual-cortex all-to-all set); throws a `SimulationError`
    /// for a time constant <= 0, a negative amplitude or `w_min >= w_max`.
    public init(_ parameters: Parameters = .visualCortexAllToAll, wMin: Float = 0, wMax: Float = 1,
                dependence: WeightDependence = .additive, preTiming: PreSpikeTiming = .emission) throws {
        let p = parameters
        for (name, tau) in [("tau_plus", p.tauPlus), ("tau_minus", p.tauMinus), ("tau_x", p.tauX), ("tau_y", p.tauY)] {
            try PlasticityCheck.tau(label, name, tau)
        }
        try PlasticityCheck.amplitude(label, "a2_plus", p.a2Plus, sign: "potentiation")
        try PlasticityCheck.amplitude(label, "a3_plus", p.a3Plus, sign: "potentiation")
        try PlasticityCheck.amplitude(label, "a2_minus", p.a2Minus, sign: "depression")
        try PlasticityCheck.amplitude(label, "a3_minus", p.a3Minus, sign: "depression")
        try PlasticityCheck.bounds(label, wMin, wMax, dependence)
        self.parameters = p; self.wMin = wMin; self.wMax = wMax; self.dependence = dependence
        self.preTiming = preTiming
    }

    /// The traces `r1`, `r2` (by pre neuron) and `o1`, `o2` (by post neuron); empty until attached.
    public var traces: (r1: [Float], r2: [Float], o1: [Float], o2: [Float]) {
        (r1?.values ?? [], r2?.values ?? [], o1?.values ?? [], o2?.values ?? [])
    }

    public func attach(to synapses: Synapses) throws {
        if let binding, try binding.isBound(to: synapses, label) { return }
        try PlasticityCheck.weights(label, synapses, wMin, wMax)
        let p = parameters, nPre = synapses.matrix.preCount, nPost = synapses.matrix.postCount, dt = synapses.dt
        r1 = SpikeTraces(count: nPre, tau: p.tauPlus, dt: dt); r2 = SpikeTraces(count: nPre, tau: p.tauX, dt: dt)
        o1 = SpikeTraces(count: nPost, tau: p.tauMinus, dt: dt); o2 = SpikeTraces(count: nPost, tau: p.tauY, dt: dt)
        r2Before = [Float](repeating: 0, count: nPre); o2Before = [Float](repeating: 0, count: nPost)
        binding = try PlasticityBinding(synapses, timing: preTiming, rule: label)
    }

    public func update(_ synapses: Synapses, preSpikes emitted: [Int32], postSpikes: [Int32], dt: Float) {
        guard let b = binding else { return }
        let preSpikes = b.timed(emitted)
        r1.use(dt: dt); r2.use(dt: dt); o1.use(dt: dt); o2.use(dt: dt)
        r1.decayAll(); r2.decayAll(); o1.decayAll(); o2.decayAll()
        if preSpikes.isEmpty && postSpikes.isEmpty { return }
        for i in preSpikes { r2Before[Int(i)] = r2.values[Int(i)] }
        for j in postSpikes { o2Before[Int(j)] = o2.values[Int(j)] }
        let pairing = parameters.pairing
        r1.jump(preSpikes, pairing: pairing); r2.jump(preSpikes, pairing: pairing)
        o1.jump(postSpikes, pairing: pairing); o2.jump(postSpikes, pairing: pairing)
        b.mark(pre: preSpikes, post: postSpikes, true)
        let p = parameters, lo = wMin, hi = wMax, soft = dependence == .multiplicative
        let x1 = r1.values, y1 = o1.values, r2b = r2Before, o2b = o2Before
        let post = synapses.matrix.post, rowStart = synapses.matrix.rowStart
        @inline(__always) func plus(_ w: Float, _ i: Int, _ j: Int) -> Float {
            let d = x1[i] * (p.a2Plus + p.a3Plus * o2b[j])
            return soft ? d * (hi - w) : d
        }
        @inline(__always) func minus(_ w: Float, _ i: Int, _ j: Int) -> Float {
            let d = y1[j] * (p.a2Minus + p.a3Minus * r2b[i])
            return soft ? d * (w - lo) : d
        }
        synapses.weight.withUnsafeMutableBufferPointer { w in
            for j in postSpikes {
                for c in b.columnStart[Int(j)]..<b.columnStart[Int(j) + 1] {
                    let s = Int(b.columnSynapses[c]), i = Int(b.pre[s])
                    if b.preFired[i] { continue }
                    w[s] = min(max(w[s] + plus(w[s], i, Int(j)), lo), hi)
                }
            }
            for i in preSpikes {
                for s in rowStart[Int(i)]..<rowStart[Int(i) + 1] {
                    let j = Int(post[s])
                    var dw = -minus(w[s], Int(i), j)
                    if b.postFired[j] { dw += plus(w[s], Int(i), j) }
                    w[s] = min(max(w[s] + dw, lo), hi)
                }
            }
        }
        b.mark(pre: preSpikes, post: postSpikes, false)
    }

    /// `r1`, `r2`, `o1`, `o2`.
    public func checkpointState() -> [(String, [Float])] {
        let t = traces
        return [("r1", t.r1), ("r2", t.r2), ("o1", t.o1), ("o2", t.o2)] + (binding?.checkpointState() ?? [])
    }

    public func restore(_ state: [String: [Float]]) throws {
        guard let binding else { throw SimulationError("\(label): restore before the rule is attached to synapses") }
        let nPre = r1.values.count, nPost = o1.values.count
        let a = try PlasticityCheck.restored(label, state, "r1", count: nPre), b = try PlasticityCheck.restored(label, state, "r2", count: nPre)
        let c = try PlasticityCheck.restored(label, state, "o1", count: nPost), d = try PlasticityCheck.restored(label, state, "o2", count: nPost)
        try binding.restore(state, label)
        r1.values = a; r2.values = b; o1.values = c; o2.values = d
    }
}
