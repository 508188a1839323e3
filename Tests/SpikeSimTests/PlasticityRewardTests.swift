import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

final class PlasticityRewardTests: XCTestCase {
    func testNoRewardNoWeightChange() throws {
        let s = try plasticSynapses(pre: 10, post: 5, weight: 1)
        let r = try RewardModulatedSTDP()
        try s.setPlasticity(r)
        drive(r, s, steps: 2000, pre: randomSpikes(count: 10, steps: 2000, p: 0.02, seed: 1),
              post: randomSpikes(count: 5, steps: 2000, p: 0.02, seed: 2))
        XCTAssertEqual(s.weight, [Float](repeating: 1, count: 50))
        XCTAssertTrue(r.eligibility.contains { $0 != 0 }, "STDP went into the eligibility")
    }

    /// Pre at step 10, post at step 10 + k (k < 0: post first), dt 1 ms; a reward `reward` at step `m` only.
    func change(k: Int, reward: Float, at m: Int, tauReward: Float = 0, steps: Int = 400) throws -> Float {
        let s = try plasticSynapses(weight: 2, dt: 1)
        let rule = try RewardModulatedSTDP(tauEligibility: 100, tauReward: tauReward, learningRate: 0.01)
        try s.setPlasticity(rule)
        var n = 0
        rule.rewardSignal = { defer { n += 1 }; return n == m ? reward : 0 }
        let tPre = k >= 0 ? 10 : 10 - k, tPost = tPre + k
        drive(rule, s, steps: steps, pre: [tPre: [0]], post: [tPost: [0]], dt: 1)
        return s.weight[0] - 2
    }

    func testRewardTimesTheDecayedEligibilityClosedForm() throws {
        // c after the pair = A_plus e^{-k/20} (or -A_minus e^{-k/20}), decaying with tau_c = 100 ms until the reward
        // at step 60: dw = eta r dt c.
        for k in [1, 5, 15] {
            let cPlus = 1.0 * exp(-Double(k) / 20) * exp(-Double(60 - (10 + k)) / 100)
            XCTAssertEqual(Double(try change(k: k, reward: 0.5, at: 60)), 0.01 * 0.5 * cPlus, accuracy: 1e-6)
            XCTAssertEqual(Double(try change(k: k, reward: -0.5, at: 60)), -0.01 * 0.5 * cPlus, accuracy: 1e-6)
            let cMinus = -1.5 * exp(-Double(k) / 20) * exp(-Double(60 - (10 + k)) / 100)
            XCTAssertEqual(Double(try change(k: -k, reward: 0.5, at: 60)), 0.01 * 0.5 * cMinus, accuracy: 1e-6)
        }
    }

    func testTheSignFollowsTheReward() throws {
        XCTAssertGreaterThan(try change(k: 5, reward: 1, at: 100), 0)
        XCTAssertLessThan(try change(k: 5, reward: -1, at: 100), 0)
        XCTAssertLessThan(try change(k: -5, reward: 1, at: 100), 0)
        XCTAssertGreaterThan(try change(k: -5, reward: -1, at: 100), 0)
        XCTAssertEqual(try change(k: 5, reward: 1, at: 5), 0, "a reward before the pair finds no eligibility")
    }

    func testDopamineTraceSpreadsTheReward() throws {
        // tau_d = 200 ms: a release of 1 at step 60 gives d = e^{-(n-60)/200} at every later step n < 400.
        let c0 = exp(-5.0 / 20)   // eligibility right after the pair (post at step 15)
        var want = 0.0
        for n in 60..<400 { want += 0.01 * exp(-Double(n - 60) / 200) * c0 * exp(-Double(n - 15) / 100) }
        XCTAssertEqual(Double(try change(k: 5, reward: 1, at: 60, tauReward: 200)), want, accuracy: 1e-5)
    }

    func testEligibilityMatchesADirectReferenceAcrossRescalings() throws {
        // tau_c = 5 ms at dt 1 ms: the shared scale falls below 1e-20 every ~230 steps and is folded back in.
        let (nPre, nPost, steps) = (3, 2, 2000)
        let pre = randomSpikes(count: nPre, steps: steps, p: 0.05, seed: 5), post = randomSpikes(count: nPost, steps: steps, p: 0.05, seed: 6)
        let s = try plasticSynapses(pre: nPre, post: nPost, weight: 2, dt: 1)
        let r = try RewardModulatedSTDP(tauEligibility: 5)
        try s.setPlasticity(r)
        var xp = [Double](repeating: 0, count: nPre), xq = [Double](repeating: 0, count: nPost)
        var c = [Double](repeating: 0, count: nPre * nPost)
        for n in 0..<steps {
            r.update(s, preSpikes: pre[n] ?? [], postSpikes: post[n] ?? [], dt: 1)
            for i in 0..<nPre { xp[i] *= exp(-1.0 / 20) }
            for j in 0..<nPost { xq[j] *= exp(-1.0 / 20) }
            for k in c.indices { c[k] *= exp(-1.0 / 5) }
            for i in pre[n] ?? [] { xp[Int(i)] += 1 }
            for j in post[n] ?? [] { xq[Int(j)] += 1 }
            for i in 0..<nPre {
                for j in 0..<nPost {
                    if post[n]?.contains(Int32(j)) == true { c[i * nPost + j] += xp[i] }
                    if pre[n]?.contains(Int32(i)) == true { c[i * nPost + j] -= 1.5 * xq[j] }
                }
            }
            if n % 97 == 0 || n == steps - 1 {
                for (got, want) in zip(r.eligibility, c) { XCTAssertEqual(Double(got), want, accuracy: 1e-4 * abs(want) + 1e-9, "step \(n)") }
            }
        }
        XCTAssertEqual(s.weight, [Float](repeating: 2, count: 6))
    }

    func testWeightsStayWithinTheBounds() throws {
        let s = try plasticSynapses(pre: 4, post: 3, weight: 2)
        let r = try RewardModulatedSTDP(learningRate: 10)
        try s.setPlasticity(r)
        r.reward = 1
        var pre: [Int: [Int32]] = [:], post: [Int: [Int32]] = [:]
        for n in stride(from: 0, to: 3000, by: 1000) { pre[n] = [0, 1, 2, 3]; post[n + 3] = [0, 1, 2] }
        drive(r, s, steps: 3000, pre: pre, post: post)
        XCTAssertEqual(s.weight, [Float](repeating: 4, count: 12))
        r.reward = -1
        func later(_ d: [Int: [Int32]]) -> [Int: [Int32]] { d.reduce(into: [:]) { $0[$1.key + 3000] = $1.value } }
        drive(r, s, from: 3000, steps: 3000, pre: later(pre), post: later(post))
        XCTAssertEqual(s.weight, [Float](repeating: 0, count: 12))
    }

    func testCheckpointRestoreThenContinueEqualsRunningOn() throws {
        let (a, b) = try checkpointRoundTrip {
            let r = try RewardModulatedSTDP(tauReward: 50, learningRate: 0.05)
            r.reward = 0.02
            return r
        }
        XCTAssertEqual(bits(a), bits(b))
        XCTAssertNotEqual(a, [Float](repeating: 0.5, count: a.count))
        // tau_c 0.5 ms: the eligibility scale is folded back in every ~230 steps, across the checkpoint at step 170.
        let (a2, b2) = try checkpointRoundTrip {
            let r = try RewardModulatedSTDP(tauEligibility: 0.5, learningRate: 5)
            r.reward = 0.02
            return r
        }
        XCTAssertEqual(bits(a2), bits(b2))
        XCTAssertNotEqual(a2, [Float](repeating: 0.5, count: a2.count))
        let r = try RewardModulatedSTDP()
        try plasticSynapses().setPlasticity(r)
        r.reward = 3
        let saved = Dictionary(uniqueKeysWithValues: r.checkpointState())
        XCTAssertEqual(saved["reward"], [3])
        XCTAssertThrowsError(try r.restore(saved.filter { $0.key != "dopamine" })) {
            XCTAssertEqual("\($0)", "reward-modulated stdp: checkpoint lacks 'dopamine'")
        }
    }

    func testBadParametersAreOneLineErrors() {
        XCTAssertThrowsError(try RewardModulatedSTDP(tauEligibility: 0)) {
            XCTAssertEqual("\($0)", "reward-modulated stdp: tau_c must be > 0 ms, got 0.0")
        }
        XCTAssertThrowsError(try RewardModulatedSTDP(tauReward: -1)) {
            XCTAssertEqual("\($0)", "reward-modulated stdp: tau_d must be >= 0 ms (0: reward used as given), got -1.0")
        }
        XCTAssertThrowsError(try RewardModulatedSTDP(learningRate: .nan)) {
            XCTAssertEqual("\($0)", "reward-modulated stdp: learning rate must be finite, got nan")
        }
        XCTAssertThrowsError(try RewardModulatedSTDP(wMin: 4, wMax: 0)) {
            XCTAssertEqual("\($0)", "reward-modulated stdp: w_min must be < w_max, got w_min = 4.0, w_max = 0.0")
        }
    }
}

final class PlasticityRewardNetworkTests: XCTestCase {
    func testRewardSignalSeesTheNetworkStep() throws {
        // Pre at step 10, post forced at step 31 (as in the STDP network test), a reward of 1 at step 100 only.
        let net = try Network(dt: 0.1, seed: 1)
        let pre = try net.add(SpikeGeneratorGroup(name: "pre", size: 1, indices: [0], times: [1.0]))
        let drive = try net.add(SpikeGeneratorGroup(name: "drive", size: 1, indices: [0], times: [3.0]))
        let post = try net.addGroup("post", size: 1, model: "lif_delta")
        try net.connect("D", from: drive, to: post, variable: "v", rule: .oneToOne, weight: .constant(100))
        let s = try net.connect("S", from: pre, to: post, variable: "v", rule: .oneToOne, weight: .constant(1))
        let rule = try RewardModulatedSTDP(tauEligibility: 50, learningRate: 0.1)
        rule.rewardSignal = { [unowned net] in net.step == 100 ? 1 : 0 }
        try s.setPlasticity(rule)
        try net.run(steps: 300)
        let c = exp(-2.1 / 20) * exp(-Double(100 - 31) * 0.1 / 50)
        XCTAssertEqual(Double(s.weight[0]), 1 + 0.1 * 1 * 0.1 * c, accuracy: 1e-6)
    }
}

extension PlasticityRewardNetworkTests {
    func testADistalRewardSinglesOutTheSynapseWhosePairingsItFollows() throws {
        // Izhikevich (2007), "distal reward problem", reduced: 50 inputs at 5 Hz onto one neuron that fires at 5 Hz
        // by its own drive (so the pairings are chance coincidences). Whenever input 0 fires and the neuron
        // follows within 10 ms, a dopamine release of 0.5 comes 0.5 s later (tau_d 200 ms, tau_c 1 s; dt 2 ms).
        // Balanced STDP (A_plus = A_minus) leaves the other synapses' eligibility at zero on average, so only
        // synapse 0 grows, although its pairings are long over when the reward comes.
        let net = try Network(dt: 2, seed: 2007)
        let input = try net.addPoisson("input", size: 50, rates: [5])
        let drive = try net.addPoisson("drive", size: 1, rates: [5])
        let post = try net.addGroup("post", size: 1, model: "lif_delta")
        try net.connect("D", from: drive, to: post, variable: "v", rule: .oneToOne, weight: .constant(100))
        let s = try net.connect("S", from: input, to: post, variable: "v", rule: .allToAll(), weight: .constant(1))
        let rule = try RewardModulatedSTDP(aPlus: 1, aMinus: 1, tauEligibility: 1000, tauReward: 200,
                                           learningRate: 5e-4, wMin: 0, wMax: 3)
        try s.setPlasticity(rule)
        var lastPre0 = -1_000, pending: [Int] = [], rewards = 0
        rule.rewardSignal = { [unowned net, unowned input, unowned post] in
            let n = net.step
            if input.spikes.first == 0 { lastPre0 = n }
            if !post.spikes.isEmpty, n - lastPre0 <= 5 { pending.append(n + 250); lastPre0 = -1_000 }
            guard pending.first == n else { return 0 }
            pending.removeFirst(); rewards += 1
            return 0.5
        }
        try net.run(steps: 125_000)
        let others = s.weight.dropFirst().map(Double.init)
        let mean = others.reduce(0, +) / Double(others.count)
        let sd = (others.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(others.count)).squareRoot()
        XCTAssertGreaterThan(rewards, 10)
        XCTAssertGreaterThan(Double(s.weight[0]), mean + 3 * sd, "w0 \(s.weight[0]), others \(mean) +- \(sd), \(rewards) rewards")
        XCTAssertEqual(s.weight.max(), s.weight[0], "the rewarded synapse is the strongest")
        XCTAssertEqual(mean, 1, accuracy: 0.2, "the unrewarded synapses stay near where they started")
    }
}
