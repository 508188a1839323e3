import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

final class PlasticityExampleTests: XCTestCase {
    /// The example shortened for a debug build: 200 inputs (g_max scaled up 5 times to 0.025 so they drive the
    /// neuron as 1000 do), five times Brian2's learning rate, dt 0.5 ms.
    func shortExample(seed: UInt64 = 1, correlation: Float = 0.1) throws -> Network {
        try NetworkExamples.stdp(inputs: 200, correlation: correlation, gmax: 0.025, potentiation: 0.05, seed: seed, dt: 0.5)
    }

    func testCorrelatedInputsArePotentiatedAndTheWeightsSplit() throws {
        let net = try shortExample()
        let start = try NetworkExamples.stdpReport(net)
        XCTAssertEqual(start.correlatedMean, start.uncorrelatedMean, accuracy: 0.1, "uniform initial weights")
        try net.run(duration: 8000)
        let r = try NetworkExamples.stdpReport(net)
        XCTAssertEqual(r.correlatedCount, 100)
        XCTAssertGreaterThan(r.correlatedMean, 0.8, r.summary)
        XCTAssertGreaterThan(r.correlatedMean, r.uncorrelatedMean + 0.3, r.summary)
        XCTAssertLessThan(r.uncorrelatedMean, start.uncorrelatedMean, r.summary)
        // Bimodal: the top bin holds the most weights, and each middle bin fewer than either end bin.
        XCTAssertEqual(r.histogram.max(), r.histogram[9], r.summary)
        XCTAssertLessThan(r.histogram[3...6].max()!, min(r.histogram[0], r.histogram[9]), r.summary)
        XCTAssertGreaterThan(r.outputSpikes, 0)
    }

    func testSameSeedSameBitsOtherSeedOtherWeights() throws {
        func run(_ seed: UInt64) throws -> ([UInt32], [Int32]) {
            let net = try shortExample(seed: seed)
            try net.run(duration: 1000)
            let spikes = net.monitors.compactMap { $0 as? SpikeMonitor }.first!
            return (bits(net.synapses[0].weight), spikes.steps)
        }
        let a = try run(3), b = try run(3), c = try run(4)
        XCTAssertEqual(a.0, b.0); XCTAssertEqual(a.1, b.1)
        XCTAssertNotEqual(a.0, c.0)
    }

    func testCheckpointResumeGivesTheUninterruptedWeights() throws {
        let whole = try shortExample(seed: 7)
        try whole.run(steps: 8000)
        let first = try shortExample(seed: 7)
        try first.run(steps: 4000)
        let saved = try first.checkpoint()
        let resumed = try shortExample(seed: 7)
        try resumed.restore(tensors: saved.tensors, metadata: saved.metadata)
        try resumed.run(steps: 4000)
        XCTAssertEqual(bits(resumed.synapses[0].weight), bits(whole.synapses[0].weight))
        XCTAssertEqual(bits((resumed.synapses[0].plasticity as! STDP).preTrace), bits((whole.synapses[0].plasticity as! STDP).preTrace))
        let spikes = { (n: Network) in n.monitors.compactMap { $0 as? SpikeMonitor }.first!.steps }
        XCTAssertEqual(spikes(resumed), spikes(whole))
        let initial = try shortExample(seed: 7).synapses[0].weight
        XCTAssertTrue(zip(whole.synapses[0].weight, initial).contains { $0 != $1 }, "the weights were learnt")
        XCTAssertGreaterThan(spikes(whole).count, 0)
    }

    func testCorrelatedPoissonGroupHasTheRateAndCorrelation() throws {
        // 4 neurons at 20 Hz, the first two with c = 0.3: counts in 20 ms bins over 100 s (dt 1 ms).
        let g = try CorrelatedPoissonGroup(name: "in", size: 4, rate: 20, correlation: [0.3, 0.3, 0, 0], rng: SeededRandom(seed: 9))
        let bins = 5000
        var counts = [[Double]](repeating: [Double](repeating: 0, count: bins), count: 4)
        for step in 0..<(bins * 20) {
            g.advance(step: step, dt: 1)
            for i in g.spikes { counts[Int(i)][step / 20] += 1 }
        }
        func corr(_ a: [Double], _ b: [Double]) -> Double {
            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
            let cov = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
            let va = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }, vb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }
            return cov / (va * vb).squareRoot()
        }
        for i in 0..<4 { XCTAssertEqual(counts[i].reduce(0, +) / 100, 20, accuracy: 1.5, "rate of \(i)") }
        XCTAssertEqual(corr(counts[0], counts[1]), 0.3, accuracy: 0.06)
        XCTAssertEqual(corr(counts[2], counts[3]), 0, accuracy: 0.06)
        XCTAssertEqual(corr(counts[0], counts[2]), 0, accuracy: 0.06)
        XCTAssertThrowsError(try CorrelatedPoissonGroup(name: "in", size: 2, rate: 5, correlation: [1.5], rng: SeededRandom(seed: 1))) {
            XCTAssertEqual("\($0)", "correlated poisson group 'in': correlation must be in [0, 1], got 1.5")
        }
    }

    func testBadExampleArgumentsAreOneLineErrors() {
        XCTAssertThrowsError(try NetworkExamples.stdp(inputs: 1)) { XCTAssertEqual("\($0)", "stdp: needs at least 2 inputs, got 1") }
        XCTAssertThrowsError(try NetworkExamples.stdp(correlatedFraction: 2)) {
            XCTAssertEqual("\($0)", "stdp: correlated fraction must be in [0, 1], got 2.0")
        }
        XCTAssertThrowsError(try NetworkExamples.stdpReport(NetworkExamples.cuba(neurons: 20))) {
            XCTAssertEqual("\($0)", "stdp report: the network lacks the example's synapses 'S' from 'input'")
        }
    }
}
