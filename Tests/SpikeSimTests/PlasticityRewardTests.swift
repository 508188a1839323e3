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
