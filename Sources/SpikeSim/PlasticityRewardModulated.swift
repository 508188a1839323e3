import Foundation

/// Reward-modulated STDP with eligibility traces (Izhikevich 2007, "Solving the distal reward problem through
/// linkage of STDP and dopamine signaling"; Florian 2007, "Reinforcement learning through modulation of
/// spike-timing-dependent synaptic plasticity", MSTDPET; SpikingJelly's `MSTDPETLearner`).
///
/// STDP does not change the weights directly: its pair changes go into an eligibility trace `c` per synapse,
/// and the weights follow the eligibility times a reward (dopamine) signal:
///
///     x_pre, x_post:  the pair traces of `STDP` (decay by exp(-dt / tau), then +1 or reset to 1)
///     c <- c exp(-dt / tau_c) + [j spiked] A_plus x_pre[i] - [i spiked] A_minus x_post[j]
///     d <- d exp(-dt / tau_d) + r(t)          (tau_d > 0: Izhikevich's dopamine; tau_d = 0: d = r(t), Florian)
///     w <- clip(w + eta d c dt, w_min, w_max)
///
/// in that order at each step, after the network's propagation. `r(t)` is the reward of the step: `rewardSignal()`
/// when set (called once per step; `network.step` is the current step while it runs), else the `reward`
/// property, which holds its value until changed (set it to 0 after a one-step reward). Without reward
/// (`d = 0`) the weights do not change; the sign of the change is the sign of `d c`.
///
/// Units: time constants in ms, `eta` per ms (the change per step is `eta d c dt`), `A_plus`, `A_minus` in units
/// of the eligibility. Defaults (Izhikevich 2007): tau_plus = tau_minus = 20 ms, A_plus = 1, A_minus = 1.5,
/// tau_c = 1000 ms, weights in [0, 4] (mV); tau_d = 0 (the reward used as given; Izhikevich's dopamine is
/// tau_d = 200 ms) and eta = 1 (Izhikevich's ds/dt = c d); scale eta to the size of the rewards and weights.
///
/// The eligibility is per synapse but decays in O(1) per step: it is stored as `c = g C` with one shared scale
/// `g` that takes the decay (`g <- g exp(-dt / tau_c)`; increments add `delta / g` to `C`; when `g` falls below
/// 1e-20 every `C` is multiplied by `g` and `g` reset to 1). A step costs the rows and columns of the neurons
/// that fired, plus one multiply-add per synapse while the reward trace `d` is nonzero.
public final class RewardModulatedSTDP: PlasticityRule {
    /// Time constant of the pre trace in ms.
    public let tauPlus: Float
    /// Time constant of the post trace in ms.
    public let tauMinus: Float
    /// Size of the potentiating eligibility increment (>= 0).
    public let aPlus: Float
    /// Size of the depressing eligibility increment (>= 0; subtracted).
    public let aMinus: Float
    /// Time constant of the eligibility trace `tau_c` in ms.
    public let tauEligibility: Float
    /// Time constant of the reward (dopamine) trace `tau_d` in ms; 0: the reward is used as given each step.
    public let tauReward: Float
    /// Learning rate `eta` per ms.
    public let learningRate: Float
    /// Lower weight bound.
    public let wMin: Float
    /// Upper weight bound.
    public let wMax: Float
    /// Spike pairing of the pair traces.
    public let pairing: SpikePairing
    /// Whether a pre spike counts when it is emitted or when it arrives (delayed projections).
    public let preTiming: PreSpikeTiming
    /// The reward of each step when `rewardSignal` is nil; holds until changed.
    public var reward: Float = 0
    /// The reward of the step, called once per step when set (not saved in checkpoints). A closure that reads the
    /// network should capture it weakly (`{ [unowned net] in ... }`): the network owns the rule.
    public var rewardSignal: (() -> Float)?

    var xPre: SpikeTraces!, xPost: SpikeTraces!
    /// The scaled eligibility `C` (the eligibility is `g C`) and its scale `g`.
    var cScaled: [Float] = []
    var g: Float = 1
    var d: Float = 0
    var decayC: Float = 1, decayD: Float = 0, stepDt: Float = 0
    var binding: PlasticityBinding?
    let label = "reward-modulated stdp"

    /// A reward-modulated rule; throws a `SimulationError` for a time constant <= 0 (`tau_d` may be 0), a negative
    /// amplitude, a learning rate that is not finite, or `w_min >= w_max`.
    public init(tauPlus: Float = 20, tauMinus: Float = 20, aPlus: Float = 1, aMinus: Float = 1.5,
                tauEligibility: Float = 1000, tauReward: Float = 0, learningRate: Float = 1,
                wMin: Float = 0, wMax: Float = 4, pairing: SpikePairing = .allToAll,
                preTiming: PreSpikeTiming = .emission) throws {
        try PlasticityCheck.tau(label, "tau_plus", tauPlus)
        try PlasticityCheck.tau(label, "tau_minus", tauMinus)
        try PlasticityCheck.tau(label, "tau_c", tauEligibility)
        guard tauReward.isFinite, tauReward >= 0 else {
            throw SimulationError("\(label): tau_d must be >= 0 ms (0: reward used as given), got \(tauReward)")
        }
        try PlasticityCheck.amplitude(label, "a_plus", aPlus, sign: "potentiation")
        try PlasticityCheck.amplitude(label, "a_minus", aMinus, sign: "depression")
        guard learningRate.isFinite else { throw SimulationError("\(label): learning rate must be finite, got \(learningRate)") }
        try PlasticityCheck.bounds(label, wMin, wMax, .additive)
        self.tauPlus = tauPlus; self.tauMinus = tauMinus; self.aPlus = aPlus; self.aMinus = aMinus
        self.tauEligibility = tauEligibility; self.tauReward = tauReward; self.learningRate = learningRate
        self.wMin = wMin; self.wMax = wMax; self.pairing = pairing
        self.preTiming = preTiming
    }

    /// The eligibility trace of each synapse (empty until attached).
    public var eligibility: [Float] { let scale = g; return cScaled.map { $0 * scale } }
    /// The reward (dopamine) trace `d` of the last step.
    public var rewardTrace: Float { d }

    public func attach(to synapses: Synapses) throws {
        if let binding, try binding.isBound(to: synapses, label) { return }
        try PlasticityCheck.weights(label, synapses, wMin, wMax)
        xPre = SpikeTraces(count: synapses.matrix.preCount, tau: tauPlus, dt: synapses.dt)
        xPost = SpikeTraces(count: synapses.matrix.postCount, tau: tauMinus, dt: synapses.dt)
        cScaled = [Float](repeating: 0, count: synapses.count)
        g = 1; d = 0
        binding = try PlasticityBinding(synapses, timing: preTiming, rule: label)
    }

    func use(dt: Float) {
        guard dt != stepDt else { return }
        stepDt = dt
        decayC = Float(Foundation.exp(-Double(dt) / Double(tauEligibility)))
        decayD = tauReward > 0 ? Float(Foundation.exp(-Double(dt) / Double(tauReward))) : 0
    }

    public func update(_ synapses: Synapses, preSpikes emitted: [Int32], postSpikes: [Int32], dt: Float) {
        guard let b = binding else { return }
        let preSpikes = b.timed(emitted)
        use(dt: dt); xPre.use(dt: dt); xPost.use(dt: dt)
        xPre.decayAll(); xPost.decayAll()
        g *= decayC
        if g < 1e-20 {
            let scale = g
            cScaled.withUnsafeMutableBufferPointer { e in for s in e.indices { e[s] *= scale } }
            g = 1
        }
        if !(preSpikes.isEmpty && postSpikes.isEmpty) {
            xPre.jump(preSpikes, pairing: pairing); xPost.jump(postSpikes, pairing: pairing)
            b.mark(pre: preSpikes, post: postSpikes, true)
            let xp = xPre.values, xq = xPost.values, ap = aPlus / g, am = aMinus / g
            let post = synapses.matrix.post, rowStart = synapses.matrix.rowStart
            cScaled.withUnsafeMutableBufferPointer { e in
                for j in postSpikes {
                    for k in b.columnStart[Int(j)]..<b.columnStart[Int(j) + 1] {
                        let s = Int(b.columnSynapses[k]), i = Int(b.pre[s])
                        if !b.preFired[i] { e[s] += ap * xp[i] }
                    }
                }
                for i in preSpikes {
                    let x = xp[Int(i)]
                    for s in rowStart[Int(i)]..<rowStart[Int(i) + 1] {
                        let j = Int(post[s])
                        e[s] += b.postFired[j] ? ap * x - am * xq[j] : -am * xq[j]
                    }
                }
            }
            b.mark(pre: preSpikes, post: postSpikes, false)
        }
        let r = rewardSignal?() ?? reward
        d = decayD * d + r
        guard d != 0 else { return }
        let scale = learningRate * d * dt * g, lo = wMin, hi = wMax
        cScaled.withUnsafeBufferPointer { e in
            synapses.weight.withUnsafeMutableBufferPointer { w in
                for s in w.indices { w[s] = min(max(w[s] + scale * e[s], lo), hi) }
            }
        }
    }

    /// `x_pre`, `x_post`, the scaled eligibility `C` and its scale `g` (`eligibility_scaled`, `eligibility_scale`),
    /// the reward trace `d` (`dopamine`) and the `reward` property.
    public func checkpointState() -> [(String, [Float])] {
        [("x_pre", xPre?.values ?? []), ("x_post", xPost?.values ?? []), ("eligibility_scaled", cScaled),
         ("eligibility_scale", [g]), ("dopamine", [d]), ("reward", [reward])] + (binding?.checkpointState() ?? [])
    }

    public func restore(_ state: [String: [Float]]) throws {
        guard let binding else { throw SimulationError("\(label): restore before the rule is attached to synapses") }
        let a = try PlasticityCheck.restored(label, state, "x_pre", count: xPre.values.count)
        let b = try PlasticityCheck.restored(label, state, "x_post", count: xPost.values.count)
        let e = try PlasticityCheck.restored(label, state, "eligibility_scaled", count: cScaled.count)
        let scale = try PlasticityCheck.restored(label, state, "eligibility_scale", count: 1)
        guard scale[0].isFinite, scale[0] > 0 else { throw SimulationError("\(label): checkpoint 'eligibility_scale' must be > 0, got \(scale[0])") }
        let dd = try PlasticityCheck.restored(label, state, "dopamine", count: 1)
        let r = try PlasticityCheck.restored(label, state, "reward", count: 1)
        try binding.restore(state, label)
        xPre.values = a; xPost.values = b; cScaled = e; g = scale[0]; d = dd[0]; reward = r[0]
    }
}
