import Foundation

/// Pair-based spike-timing-dependent plasticity with exponential traces (Song, Miller & Abbott 2000; the online
/// form of Morrison, Diesmann & Gerstner 2008), as Brian2's examples/synapses/STDP.py, SpikingJelly's
/// `STDPLearner` and SPAIC's `full_online_STDP` / `nearest_online_STDP`.
///
/// Each pre neuron i has a trace `x_pre[i]` (time constant `tau_plus`), each post neuron j a trace `x_post[j]`
/// (`tau_minus`). At every step, after the network's spike propagation, with this step's pre and post spikes:
///
///     1. decay:   x_pre <- x_pre exp(-dt / tau_plus),   x_post <- x_post exp(-dt / tau_minus)
///     2. jump:    x <- x + 1 (all-to-all pairing) or x <- 1 (nearest), for the neurons that spiked
///     3. weights: for each synapse s = (i -> j), from the weight w before this step's change,
///                 dw = [j spiked] f+(w) x_pre[i] - [i spiked] f-(w) x_post[j],   w <- clip(w + dw, w_min, w_max)
///
/// with `f+(w) = A_plus`, `f-(w) = A_minus` (additive) or `f+(w) = A_plus (w_max - w)`,
/// `f-(w) = A_minus (w - w_min)` (multiplicative, soft bounds). The traces are read after this step's jump, as
/// SpikingJelly and SPAIC do, so a pre spike k steps before a post spike changes the weight by exactly the
/// window `A_plus exp(-k dt / tau_plus)`, a post spike k steps before a pre spike by
/// `-A_minus exp(-k dt / tau_minus)`, and a pre and a post spike in the same step by `A_plus - A_minus`
/// (additive). (Brian2's event-driven `on_pre` runs before `on_post`, which gives `+A_plus` alone for a
/// same-step pair; the windows at Delta t != 0 are the same.) The pairing of the whole window follows from the
/// traces: all-to-all sums over every earlier spike, nearest takes only the latest one. The traces decay by the
/// exact factor `exp(-dt / tau)` per step, as SPAIC's `trace_decay` and Brian2's event-driven traces
/// (SpikingJelly's `STDPLearner` decays by the Euler factor `1 - 1/tau` per step instead).
///
/// Units: time constants in ms (`dt` is the network's step), amplitudes in weight units (additive) or as
/// fractions of the distance to the bound (multiplicative). Defaults as Song, Miller & Abbott (2000) with
/// weights in units of `g_max`: tau_plus = tau_minus = 20 ms, A_plus = 0.005, A_minus = 1.05 A_plus = 0.00525,
/// weights in [0, 1], additive, all-to-all.
///
/// On a projection with a delay, a pre spike counts when the source fires (`preTiming: .emission`, the default) or
/// when it arrives at the synapse (`.arrival`, as Brian2's `on_pre` with a delay; one delay per projection). Traces are
/// per neuron, so the cost per step is one multiply per pre and post neuron plus the rows of the pre neurons and
/// the columns of the post neurons that spiked.
public final class STDP: PlasticityRule {
    /// Time constant of the pre trace (potentiation window) in ms.
    public let tauPlus: Float
    /// Time constant of the post trace (depression window) in ms.
    public let tauMinus: Float
    /// Size of potentiation `A_plus` (>= 0).
    public let aPlus: Float
    /// Size of depression `A_minus` (>= 0; the rule subtracts it).
    public let aMinus: Float
    /// Lower weight bound.
    public let wMin: Float
    /// Upper weight bound.
    public let wMax: Float
    /// Additive or multiplicative weight dependence.
    public let dependence: WeightDependence
    /// All-to-all or nearest-spike pairing.
    public let pairing: SpikePairing
    /// Whether a pre spike counts when it is emitted or when it arrives (delayed projections).
    public let preTiming: PreSpikeTiming

    var xPre: SpikeTraces!
    var xPost: SpikeTraces!
    var binding: PlasticityBinding?
    let label = "stdp"

    /// A pair-based STDP rule; throws a `SimulationError` for a time constant <= 0, a negative amplitude, or
    /// `w_min >= w_max`.
    public init(tauPlus: Float = 20, tauMinus: Float = 20, aPlus: Float = 0.005, aMinus: Float = 0.00525,
                wMin: Float = 0, wMax: Float = 1, dependence: WeightDependence = .additive,
                pairing: SpikePairing = .allToAll, preTiming: PreSpikeTiming = .emission) throws {
        try PlasticityCheck.tau(label, "tau_plus", tauPlus)
        try PlasticityCheck.tau(label, "tau_minus", tauMinus)
        try PlasticityCheck.amplitude(label, "a_plus", aPlus, sign: "potentiation")
        try PlasticityCheck.amplitude(label, "a_minus", aMinus, sign: "depression")
        try PlasticityCheck.bounds(label, wMin, wMax, dependence)
        self.tauPlus = tauPlus; self.tauMinus = tauMinus; self.aPlus = aPlus; self.aMinus = aMinus
        self.wMin = wMin; self.wMax = wMax; self.dependence = dependence; self.pairing = pairing
        self.preTiming = preTiming
    }

    /// The rule of Brian2's examples/synapses/STDP.py: taupre = taupost = 20 ms, dApre = 0.01 g_max,
    /// dApost = -1.05 dApre (taupre = taupost), additive, all-to-all, weights clipped to [0, g_max].
    public static func brian2Example(gmax: Float = 0.01) throws -> STDP {
        let a = 0.01 * gmax
        return try STDP(tauPlus: 20, tauMinus: 20, aPlus: a, aMinus: 1.05 * a, wMin: 0, wMax: gmax)
    }

    /// SPAIC's `nearest_online_STDP` defaults (release 0.6.3): `trace_decay = exp(-1/20)` per step, that is
    /// tau = 20 steps (`20 dt` ms), `Apost = 1e-2` (potentiation), `Apre = 1e-4` (depression), nearest-spike
    /// traces, additive, weights in [0, 1]. SPAIC's learner also renormalises each post neuron's weights to sum to
    /// 78.4 after each update (Diehl & Cook's MNIST setting); that normalisation is not part of this rule.
    public static func spaicNearest(dt: Float) throws -> STDP {
        try STDP(tauPlus: 20 * dt, tauMinus: 20 * dt, aPlus: 1e-2, aMinus: 1e-4, wMin: 0, wMax: 1, pairing: .nearest)
    }

    /// The pre trace of each source neuron (empty until attached).
    public var preTrace: [Float] { xPre?.values ?? [] }
    /// The post trace of each target neuron (empty until attached).
    public var postTrace: [Float] { xPost?.values ?? [] }

    public func attach(to synapses: Synapses) throws {
        if let binding, try binding.isBound(to: synapses, label) { return }
        try PlasticityCheck.weights(label, synapses, wMin, wMax)
        xPre = SpikeTraces(count: synapses.matrix.preCount, tau: tauPlus, dt: synapses.dt)
        xPost = SpikeTraces(count: synapses.matrix.postCount, tau: tauMinus, dt: synapses.dt)
        binding = try PlasticityBinding(synapses, timing: preTiming, rule: label)
    }

    @inline(__always) func potentiation(_ w: Float, _ x: Float) -> Float {
        dependence == .additive ? aPlus * x : aPlus * (wMax - w) * x
    }

    @inline(__always) func depression(_ w: Float, _ y: Float) -> Float {
        dependence == .additive ? aMinus * y : aMinus * (w - wMin) * y
    }

    public func update(_ synapses: Synapses, preSpikes emitted: [Int32], postSpikes: [Int32], dt: Float) {
        guard let b = binding else { return }
        let preSpikes = b.timed(emitted)
        xPre.use(dt: dt); xPost.use(dt: dt)
        xPre.decayAll(); xPost.decayAll()
        if preSpikes.isEmpty && postSpikes.isEmpty { return }
        xPre.jump(preSpikes, pairing: pairing); xPost.jump(postSpikes, pairing: pairing)
        b.mark(pre: preSpikes, post: postSpikes, true)
        let lo = wMin, hi = wMax
        let xp = xPre.values, xq = xPost.values
        let post = synapses.matrix.post, rowStart = synapses.matrix.rowStart
        synapses.weight.withUnsafeMutableBufferPointer { w in
            // Post spikes: potentiation of the synapses onto them whose pre neuron did not fire now (those get
            // both terms from the same weight below).
            for j in postSpikes {
                for c in b.columnStart[Int(j)]..<b.columnStart[Int(j) + 1] {
                    let s = Int(b.columnSynapses[c]), i = Int(b.pre[s])
                    if b.preFired[i] { continue }
                    w[s] = min(max(w[s] + potentiation(w[s], xp[i]), lo), hi)
                }
            }
            // Pre spikes: depression by the post trace (and potentiation where the post neuron fired too).
            for i in preSpikes {
                let x = xp[Int(i)]
                for s in rowStart[Int(i)]..<rowStart[Int(i) + 1] {
                    let j = Int(post[s])
                    var dw = -depression(w[s], xq[j])
                    if b.postFired[j] { dw += potentiation(w[s], x) }
                    w[s] = min(max(w[s] + dw, lo), hi)
                }
            }
        }
        b.mark(pre: preSpikes, post: postSpikes, false)
    }

    /// `x_pre` and `x_post` (and the delayed pre spikes with arrival timing).
    public func checkpointState() -> [(String, [Float])] {
        [("x_pre", preTrace), ("x_post", postTrace)] + (binding?.checkpointState() ?? [])
    }

    public func restore(_ state: [String: [Float]]) throws {
        guard let binding else { throw SimulationError("\(label): restore before the rule is attached to synapses") }
        let a = try PlasticityCheck.restored(label, state, "x_pre", count: xPre.values.count)
        let b = try PlasticityCheck.restored(label, state, "x_post", count: xPost.values.count)
        try binding.restore(state, label)
        xPre.values = a; xPost.values = b
    }
}
