import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

final class PlasticitySTDPTests: XCTestCase {
    let delays = [1, 2, 5, 20, 100, 400]   // steps of 0.1 ms: 0.1 ms to 40 ms

    /// Weight change of one pre spike at step 3 and one post spike at step 3 + k (k < 0: post first).
    func pairChange(_ rule: STDP, k: Int, w0: Float = 0.5) throws -> Float {
        let s = try plasticSynapses(weight: w0)
        try s.setPlasticity(rule)
        let tPre = k >= 0 ? 3 : 3 - k, tPost = tPre + k
        drive(rule, s, steps: max(tPre, tPost) + 2, pre: [tPre: [0]], post: [tPost: [0]])
        return s.weight[0] - w0
    }

    func testPairWindowEqualsTheAnalyticExponentialAdditive() throws {
        for pairing in SpikePairing.allCases {
            for k in delays {
                let ltp = try pairChange(STDP(tauPlus: 16.8, tauMinus: 33.7, aPlus: 0.01, aMinus: 0.012, pairing: pairing), k: k)
                let ltd = try pairChange(STDP(tauPlus: 16.8, tauMinus: 33.7, aPlus: 0.01, aMinus: 0.012, pairing: pairing), k: -k)
                let dt = 0.1 * Double(k)
                XCTAssertEqual(Double(ltp), 0.01 * exp(-dt / 16.8), accuracy: 1e-5 * 0.01 + 1e-7, "\(pairing) +\(k)")
                XCTAssertEqual(Double(ltd), -0.012 * exp(-dt / 33.7), accuracy: 1e-5 * 0.012 + 1e-7, "\(pairing) -\(k)")
            }
        }
    }

    func testPairWindowEqualsTheAnalyticExponentialMultiplicative() throws {
        let w0: Float = 0.3, lo: Float = -0.2, hi: Float = 1.5
        for pairing in SpikePairing.allCases {
            for k in delays {
                let make = { try STDP(tauPlus: 20, tauMinus: 10, aPlus: 0.05, aMinus: 0.04, wMin: lo, wMax: hi, dependence: .multiplicative, pairing: pairing) }
                let ltp = try pairChange(make(), k: k, w0: w0), ltd = try pairChange(make(), k: -k, w0: w0)
                let dt = 0.1 * Double(k)
                let ePlus = 0.05 * Double(hi - w0) * exp(-dt / 20), eMinus = -0.04 * Double(w0 - lo) * exp(-dt / 10)
                XCTAssertEqual(Double(ltp), ePlus, accuracy: 1e-5 * abs(ePlus) + 1e-7, "\(pairing) +\(k)")
                XCTAssertEqual(Double(ltd), eMinus, accuracy: 1e-5 * abs(eMinus) + 1e-7, "\(pairing) -\(k)")
            }
        }
    }

    func testSameStepPairGivesBothTermsFromTheOldWeight() throws {
        let add = try pairChange(STDP(aPlus: 0.01, aMinus: 0.004), k: 0)
        XCTAssertEqual(add, 0.006, accuracy: 1e-7)
        let mul = try pairChange(STDP(aPlus: 0.1, aMinus: 0.2, dependence: .multiplicative), k: 0, w0: 0.25)
        XCTAssertEqual(mul, 0.1 * 0.75 - 0.2 * 0.25, accuracy: 1e-7)
    }

    func testNearestPairsOnlyTheLatestSpikeAllToAllSumsThemAll() throws {
        // Pre at steps 0 and 50, post at 100 (dt 0.1 ms: 10 ms and 5 ms before), then pre at 130 (3 ms after).
        let pre: [Int: [Int32]] = [0: [0], 50: [0], 130: [0]], post: [Int: [Int32]] = [100: [0]]
        func change(_ p: SpikePairing) throws -> Float {
            let s = try plasticSynapses(weight: 0.5)
            let r = try STDP(aPlus: 0.01, aMinus: 0.01, pairing: p)
            try s.setPlasticity(r)
            drive(r, s, steps: 140, pre: pre, post: post)
            return s.weight[0] - 0.5
        }
        let a = Double(try change(.allToAll)), n = Double(try change(.nearest))
        XCTAssertEqual(a, 0.01 * (exp(-10.0 / 20) + exp(-5.0 / 20)) - 0.01 * exp(-3.0 / 20), accuracy: 1e-6)
        XCTAssertEqual(n, 0.01 * exp(-5.0 / 20) - 0.01 * exp(-3.0 / 20), accuracy: 1e-6)
    }

    func testWeightsStayWithinTheBounds() throws {
        let s = try plasticSynapses(pre: 3, post: 2, weight: 0.5)
        let r = try STDP(aPlus: 0.3, aMinus: 0.1)
        try s.setPlasticity(r)
        // Causal pairs only: every weight climbs to w_max and stops there.
        var pre: [Int: [Int32]] = [:], post: [Int: [Int32]] = [:]
        for n in stride(from: 0, to: 200, by: 10) { pre[n] = [0, 1, 2]; post[n + 2] = [0, 1] }
        drive(r, s, steps: 210, pre: pre, post: post)
        XCTAssertEqual(s.weight, [Float](repeating: 1, count: 6))
        // Anti-causal pairs: down to w_min exactly.
        let r2 = try STDP(aPlus: 0.1, aMinus: 0.3)
        let s2 = try plasticSynapses(pre: 3, post: 2, weight: 0.5)
        try s2.setPlasticity(r2)
        drive(r2, s2, steps: 210, pre: post.mapValues { _ in [0, 1, 2] }, post: pre.mapValues { _ in [0, 1] })
        XCTAssertEqual(s2.weight, [Float](repeating: 0, count: 6))
    }

    func testEverySynapseOfAProjectionFollowsItsOwnPair() throws {
        // 2 x 2 all-to-all: pre 0 at step 10, pre 1 at step 40, post 0 at step 20, post 1 at step 30.
        let s = try plasticSynapses(pre: 2, post: 2, weight: 0.5)
        let r = try STDP(aPlus: 0.01, aMinus: 0.02)
        try s.setPlasticity(r)
        drive(r, s, steps: 50, pre: [10: [0], 40: [1]], post: [20: [0], 30: [1]])
        // Synapse order (CSR by pre): 0->0, 0->1, 1->0, 1->1.
        let expect = [0.01 * exp(-1.0 / 20), 0.01 * exp(-2.0 / 20), -0.02 * exp(-2.0 / 20), -0.02 * exp(-1.0 / 20)]
        for (w, e) in zip(s.weight, expect) { XCTAssertEqual(Double(w - 0.5), e, accuracy: 1e-6) }
        XCTAssertEqual(r.preTrace.count, 2)
        XCTAssertEqual(Double(r.postTrace[1]), exp(-1.9 / 20), accuracy: 1e-6)  // 19 decays after step 30
    }

    func testThePairWindowHoldsInANetworkOneStepAfterTheDrive() throws {
        // A generator drives the post neuron (100 mV jump into v) at step 30, so it fires at step 31; the plastic
        // input fires at step 10: Delta t = 21 steps = 2.1 ms.
        let net = try Network(dt: 0.1, seed: 1)
        let pre = try net.add(SpikeGeneratorGroup(name: "pre", size: 1, indices: [0], times: [1.0]))
        let drive = try net.add(SpikeGeneratorGroup(name: "drive", size: 1, indices: [0], times: [3.0]))
        let post = try net.addGroup("post", size: 1, model: "lif_delta")
        try net.connect("D", from: drive, to: post, variable: "v", rule: .oneToOne, weight: .constant(100))
        let s = try net.connect("S", from: pre, to: post, variable: "v", rule: .oneToOne, weight: .constant(0.5))
        try s.setPlasticity(STDP(aPlus: 0.01, aMinus: 0.01, wMin: 0, wMax: 1))
        let spikes = try net.add(SpikeMonitor(name: "post_spikes", source: post))
        try net.run(steps: 60)
        XCTAssertEqual(spikes.steps, [31])
        XCTAssertEqual(Double(s.weight[0]), 0.5 + 0.01 * exp(-2.1 / 20), accuracy: 1e-6)
    }

    func testArrivalTimingMeasuresTheWindowFromTheDelayedSpike() throws {
        // The plastic input fires at step 10 with a 2 ms (20-step) delay, so it arrives at step 30; the post neuron
        // fires at step 31 (driven at 30) or at step 21 (driven at 20).
        func change(_ timing: PreSpikeTiming, drive: Float) throws -> Double {
            let net = try Network(dt: 0.1, seed: 1)
            let pre = try net.add(SpikeGeneratorGroup(name: "pre", size: 1, indices: [0], times: [1.0]))
            let d = try net.add(SpikeGeneratorGroup(name: "drive", size: 1, indices: [0], times: [drive]))
            let post = try net.addGroup("post", size: 1, model: "lif_delta")
            try net.connect("D", from: d, to: post, variable: "v", rule: .oneToOne, weight: .constant(100))
            let s = try net.connect("S", from: pre, to: post, variable: "v", rule: .oneToOne, weight: .constant(0.5), delay: .constant(2))
            try s.setPlasticity(STDP(aPlus: 0.01, aMinus: 0.01, preTiming: timing))
            try net.run(steps: 80)
            return Double(s.weight[0]) - 0.5
        }
        XCTAssertEqual(try change(.emission, drive: 3.0), 0.01 * exp(-2.1 / 20), accuracy: 1e-6)
        XCTAssertEqual(try change(.arrival, drive: 3.0), 0.01 * exp(-0.1 / 20), accuracy: 1e-6)
        XCTAssertEqual(try change(.emission, drive: 2.0), 0.01 * exp(-1.1 / 20), accuracy: 1e-6)
        XCTAssertEqual(try change(.arrival, drive: 2.0), -0.01 * exp(-0.9 / 20), accuracy: 1e-6)
        // Per-synapse delays have no single arrival step per pre spike.
        let net = try Network(dt: 0.1)
        let src = try net.addPoisson("in", size: 2, rates: [1])
        let dst = try net.addGroup("out", size: 1, model: "lif_delta")
        let s = try net.connect("S", from: src, to: dst, variable: "v", rule: .allToAll(), weight: .constant(0.5),
                                delay: .values([1, 2]))
        XCTAssertThrowsError(try s.setPlasticity(STDP(preTiming: .arrival))) {
            XCTAssertEqual("\($0)", "stdp on synapses 'S': arrival timing needs one delay for the whole projection, not per-synapse delays")
        }
        // The queue of delayed pre spikes is checkpointed and checked on restore.
        let delayed = try Synapses(name: "S", source: src, target: dst, targetVariable: "v",
                                   matrix: SynapseMatrix(preCount: 2, postCount: 1, rows: [[0], [0]]), weights: [0.5, 0.5], delay: 0.3, dt: 0.1)
        let rule = try STDP(preTiming: .arrival)
        try delayed.setPlasticity(rule)
        rule.update(delayed, preSpikes: [1], postSpikes: [], dt: 0.1)
        var saved = Dictionary(uniqueKeysWithValues: rule.checkpointState())
        XCTAssertEqual(saved["pre_delay_lengths"], [1, 0, 0])
        XCTAssertEqual(saved["pre_delay_queue"], [1])
        XCTAssertEqual(saved["pre_delay_head"], [1])
        XCTAssertNoThrow(try rule.restore(saved))
        saved["pre_delay_queue"] = [5]
        XCTAssertThrowsError(try rule.restore(saved)) {
            XCTAssertEqual("\($0)", "stdp: checkpoint holds an invalid queue of delayed pre spikes")
        }
    }

    func testBadParametersAreOneLineErrors() {
        func message(_ f: () throws -> STDP) -> String {
            do { _ = try f(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try STDP(tauPlus: -1) }, "stdp: tau_plus must be > 0 ms, got -1.0")
        XCTAssertEqual(message { try STDP(tauMinus: 0) }, "stdp: tau_minus must be > 0 ms, got 0.0")
        XCTAssertEqual(message { try STDP(aMinus: -0.0105) },
                       "stdp: a_minus must be >= 0 (the size of the depression; the rule applies the sign), got -0.0105")
        XCTAssertEqual(message { try STDP(wMin: 1, wMax: 0) }, "stdp: w_min must be < w_max, got w_min = 1.0, w_max = 0.0")
        XCTAssertEqual(message { try STDP(wMax: .infinity, dependence: .multiplicative) },
                       "stdp: multiplicative weight dependence needs finite bounds, got [0.0, inf]")
        XCTAssertNoThrow(try STDP(wMax: .infinity))
    }

    func testAttachChecksTheWeightsAndOneProjectionPerRule() throws {
        let s = try plasticSynapses(weight: 2)
        XCTAssertThrowsError(try s.setPlasticity(STDP())) {
            XCTAssertEqual("\($0)", "stdp on synapses 'S': weight 2.0 of synapse 0 is outside [0.0, 1.0]")
        }
        let r = try STDP()
        let first = try plasticSynapses()
        try first.setPlasticity(r)
        XCTAssertNoThrow(try first.setPlasticity(r))
        XCTAssertThrowsError(try plasticSynapses().setPlasticity(r)) {
            XCTAssertEqual("\($0)", "stdp: already attached to synapses 'S'; use one rule object per projection")
        }
    }

    func testCheckpointRestoreThenContinueEqualsRunningOn() throws {
        for pairing in SpikePairing.allCases {
            for dependence in WeightDependence.allCases {
                let (a, b) = try checkpointRoundTrip { try STDP(aPlus: 0.02, aMinus: 0.021, dependence: dependence, pairing: pairing) }
                XCTAssertEqual(bits(a), bits(b), "\(pairing) \(dependence)")
                XCTAssertNotEqual(a, [Float](repeating: 0.5, count: a.count))
            }
        }
        let r = try STDP()
        XCTAssertThrowsError(try r.restore([:])) { XCTAssertEqual("\($0)", "stdp: restore before the rule is attached to synapses") }
        try plasticSynapses(pre: 3).setPlasticity(r)
        XCTAssertThrowsError(try r.restore(["x_pre": [0, 0]])) { XCTAssertEqual("\($0)", "stdp: checkpoint 'x_pre' has 2 values, expected 3") }
        XCTAssertThrowsError(try r.restore(["x_pre": [0, 0, 0]])) { XCTAssertEqual("\($0)", "stdp: checkpoint lacks 'x_post'") }
    }

    func testPresetsFollowTheirReferences() throws {
        let b = try STDP.brian2Example()
        XCTAssertEqual(b.aPlus, 1e-4, accuracy: 1e-10)
        XCTAssertEqual(b.aMinus, 1.05e-4, accuracy: 1e-10)
        XCTAssertEqual(b.wMax, 0.01)
        let s = try STDP.spaicNearest(dt: 1)
        XCTAssertEqual(s.tauPlus, 20); XCTAssertEqual(s.pairing, .nearest); XCTAssertEqual(s.aMinus, 1e-4)
    }
}
