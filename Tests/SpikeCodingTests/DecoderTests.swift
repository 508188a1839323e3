import XCTest
import Foundation
import SpikeCore
import SpikeNN
import SpikeCoding

/// Shared fixtures and helpers of the decoder and readout-loss tests.
enum DecTest {
    /// Spikes `[T=4, B=2, C=3]`. Sample 0: class 0 fires at steps 1, 2; class 1 at 0, 3; class 2 at 3.
    /// Sample 1: class 0 at 2; class 1 at 3; class 2 at every step. Counts [[2, 2, 1], [1, 1, 4]],
    /// first-spike steps [[1, 0, 3], [2, 3, 0]].
    static let spikesA = Tensor(shape: [4, 2, 3], scalars: [0, 1, 0,  0, 0, 1,
                                                            1, 0, 0,  0, 0, 1,
                                                            1, 0, 0,  1, 0, 1,
                                                            0, 1, 1,  0, 1, 1])
    /// Spikes `[T=4, B=2, C=3]` with silent neurons. Sample 0: class 0 fires at 1, class 1 never, class 2 at 2.
    /// Sample 1: classes 0 and 1 never, class 2 at 3. First-spike steps (silent = T) [[1, 4, 2], [4, 4, 3]].
    static let spikesSilent = Tensor(shape: [4, 2, 3], scalars: [0, 0, 0,  0, 0, 0,
                                                                 1, 0, 0,  0, 0, 0,
                                                                 0, 0, 1,  0, 0, 0,
                                                                 0, 0, 0,  0, 0, 1])
    /// Membrane `[T=3, B=2, C=3]` with distinct values. Last step [[-0.4, 0.6, 0.3], [0.2, 1.2, 0.5]], sum over
    /// time [[0.4, 1.3, 0.1], [1.4, 1.5, 1.0]], maximum [[0.7, 0.6, 0.3], [0.9, 1.2, 0.8]].
    static let membraneV = Tensor(shape: [3, 2, 3], scalars: [0.1, 0.5, -0.2,   0.3, -0.1, 0.8,
                                                              0.7, 0.2, 0.0,    0.9, 0.4, -0.3,
                                                              -0.4, 0.6, 0.3,   0.2, 1.2, 0.5])

    /// Asserts `|a[i] - b[i]| <= tol` elementwise (and equal counts).
    static func assertClose(_ a: [Float], _ b: [Float], tol: Float, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "count differs \(message)", file: file, line: line)
        var worst: Float = 0, at = -1
        for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= worst) { worst = abs(x - y); at = i }
        XCTAssertTrue(worst <= tol, "max |diff| \(worst) at \(at) > \(tol) \(message): \(a.prefix(12)) vs \(b.prefix(12))",
                      file: file, line: line)
    }

    /// Asserts that `f` passes `GradCheck.check` on `inputs`; `f` may throw (a throw fails the test).
    static func assertGradCheck(_ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 5e-3, rtol: Float = 1e-2,
                                _ message: String = "", file: StaticString = #filePath, line: UInt = #line,
                                _ f: @escaping ([Variable]) throws -> Variable) {
        var failure: Error?
        let r = GradCheck.check(inputs, eps: eps, atol: atol, rtol: rtol) { vs in
            do { return try f(vs) } catch { failure = error; return Variable(Tensor(0)) }
        }
        if let failure { XCTFail("threw \(failure) \(message)", file: file, line: line); return }
        XCTAssertTrue(r.passed, "\(r) \(message)", file: file, line: line)
    }

    /// Uniform random tensor from a fixed seed.
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var rng = SeededRandom(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, rng: &rng)
    }

    /// Asserts that `body` throws a `CodingError` whose one-line message contains `fragment`.
    static func assertCodingError(_ fragment: String, file: StaticString = #filePath, line: UInt = #line,
                                  _ body: () throws -> Any) {
        do {
            _ = try body()
            XCTFail("expected a CodingError containing '\(fragment)'", file: file, line: line)
        } catch let e as CodingError {
            XCTAssertTrue(e.message.contains(fragment), "message '\(e.message)' lacks '\(fragment)'", file: file, line: line)
            XCTAssertFalse(e.message.contains("\n"), "message is not one line: \(e.message)", file: file, line: line)
        } catch {
            XCTFail("expected a CodingError, got \(error)", file: file, line: line)
        }
    }

    /// `-1/B sum_b log softmax(z_b)[y_b]` in double precision.
    static func referenceCE(_ z: [[Double]], _ labels: [Int]) -> Double {
        var s = 0.0
        for (row, y) in zip(z, labels) {
            let m = row.max()!
            s -= row[y] - (m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +)))
        }
        return s / Double(labels.count)
    }
}

final class DecoderTests: XCTestCase {
    // MARK: Spike decoders

    func testCountsAndRatesByHand() throws {
        let s = Variable(DecTest.spikesA)
        XCTAssertEqual(try Decode.counts(s).value, Tensor([[2, 2, 1], [1, 1, 4]]))
        DecTest.assertClose(try Decode.rates(s).value.scalars, [0.5, 0.5, 0.25, 0.25, 0.25, 1], tol: 1e-7)
        XCTAssertEqual(try Decode.rates(s).shape, [2, 3])
        // Any trailing shape: [T, B, H, W] -> [B, H, W].
        XCTAssertEqual(try Decode.counts(Variable(Tensor.ones([5, 2, 2, 3]))).value, Tensor.full([2, 2, 3], 5))
    }

    func testTimeWeightedCountsMatchSPAIC() throws {
        // SPAIC TimeSpike_Counts: w_t = 0.1 exp(-t / (0.5 T)); T = 4 -> 0.1 e^{-t/2}.
        let w = try Decode.timeWeights(steps: 4)
        DecTest.assertClose(w, (0..<4).map { 0.1 * Foundation.exp(-Float($0) / 2) }, tol: 1e-8)
        XCTAssertGreaterThan(w[0], w[3])
        // Values from SPAIC's formula in PyTorch (torch.sum(record.permute(1, 2, 0) * tw, dim=-1)).
        let spaic: [Float] = [0.09744101762771606, 0.12231302261352539, 0.022313017398118973,
                              0.03678794577717781, 0.022313017398118973, 0.21975402534008026]
        DecTest.assertClose(try Decode.timeWeightedCounts(Variable(DecTest.spikesA)).value.scalars, spaic, tol: 1e-7)
        // Other scale and tau: 2 e^{-t/1} for the spikes of sample 0 class 0 (steps 1 and 2).
        let y = try Decode.timeWeightedCounts(Variable(DecTest.spikesA), scale: 2, tau: 1)
        XCTAssertEqual(y.value[0, 0], 2 * (Foundation.exp(-1) + Foundation.exp(-2)), accuracy: 1e-6)
    }

    func testFirstSpikeTimesWithSilentNeurons() throws {
        XCTAssertEqual(try Decode.firstSpikeTimes(DecTest.spikesA), Tensor([[1, 0, 3], [2, 3, 0]]))
        // Silent neurons get T = 4 (snnTorch would give T - 1 = 3, tying them with a spike at the last step).
        XCTAssertEqual(try Decode.firstSpikeTimes(DecTest.spikesSilent), Tensor([[1, 4, 2], [4, 4, 3]]))
        // The Variable forms agree with the hard decoder on binary spikes, for both surrogates.
        for g in FirstSpikeGradient.allCases {
            XCTAssertEqual(try Decode.firstSpikeTimes(Variable(DecTest.spikesSilent), gradient: g).value,
                           Tensor([[1, 4, 2], [4, 4, 3]]), "\(g)")
            XCTAssertEqual(try Decode.firstSpikeTimes(Variable(DecTest.spikesA), gradient: g).value,
                           Tensor([[1, 0, 3], [2, 3, 0]]), "\(g)")
        }
        // T = 1: fired -> 0, silent -> 1.
        XCTAssertEqual(try Decode.firstSpikeTimes(Tensor(shape: [1, 1, 2], scalars: [1, 0])), Tensor([[0, 1]]))
    }

    func testFirstSpikeSignEstimatorGradient() throws {
        // snnTorch SpikeTime.FirstSpike.backward: -g at the first-spike step, at T - 1 for silent neurons.
        let s = Variable(DecTest.spikesSilent, requiresGrad: true)
        let tau = try Decode.firstSpikeTimes(s, gradient: .signEstimator)
        let g = Tensor([[1, 2, 3], [4, 5, 6]])
        tau.backward(seed: g)
        var expected = Tensor.zeros([4, 2, 3])
        expected[1, 0, 0] = -1; expected[3, 0, 1] = -2; expected[2, 0, 2] = -3
        expected[3, 1, 0] = -4; expected[3, 1, 1] = -5; expected[3, 1, 2] = -6
        XCTAssertEqual(s.grad, expected)
    }

    func testSoftFirstSpikeTimeMatchesExpectationFormula() throws {
        // tau = sum_t t p_t + T prod_k (1 - s_k), p_t = s_t prod_{k<t} (1 - s_k): values and gradients from PyTorch
        // autograd of that formula, for weights (1, 2, -1) on the three neurons.
        let x = Tensor(shape: [4, 1, 3], scalars: [0.2, 0.7, 0.05, 0.5, 0.1, 0.9, 0.3, 0.6, 0.4, 0.8, 0.25, 0.15])
        let s = Variable(x, requiresGrad: true)
        let tau = try Decode.firstSpikeTimes(s, gradient: .soft)
        DecTest.assertClose(tau.value.scalars, [1.5360000133514404, 0.7590000629425049, 1.1504501104354858], tol: 1e-6)
        tau.backward(seed: Tensor([[1, 2, -1]]))
        DecTest.assertClose(s.grad!.scalars, [-1.92, -5.06, 1.211, -1.472, -1.02, 2.0045, -0.48, -0.945, 0.17575,
                                              -0.28, -0.216, 0.057], tol: 1e-5)
        // Binary spikes: -(f - j) before the first spike f, minus the gap to the next spike (or to T) at f, 0 after.
        let b = Variable(Tensor(shape: [5, 1, 1], scalars: [0, 0, 1, 0, 1]), requiresGrad: true)
        try Decode.firstSpikeTimes(b, gradient: .soft).backward(seed: Tensor([[1]]))
        XCTAssertEqual(b.grad!.scalars, [-2, -1, -2, 0, 0])
        DecTest.assertGradCheck([DecTest.uniform([5, 2, 3], 0.05, 0.95, seed: 11)]) {
            try Decode.firstSpikeTimes($0[0], gradient: .soft)
        }
    }

    // MARK: Membrane decoders

    func testMembraneDecodersByHand() throws {
        let v = Variable(DecTest.membraneV)
        DecTest.assertClose(try Decode.finalVoltage(v).value.scalars, [-0.4, 0.6, 0.3, 0.2, 1.2, 0.5], tol: 1e-7)
        XCTAssertEqual(try Decode.finalVoltage(v).shape, [2, 3])
        DecTest.assertClose(try Decode.voltageSum(v).value.scalars, [0.4, 1.3, 0.1, 1.4, 1.5, 1.0], tol: 1e-6)
        DecTest.assertClose(try Decode.maxMembrane(v).value.scalars, [0.7, 0.6, 0.3, 0.9, 1.2, 0.8], tol: 1e-7)
        // Trajectory: the tensor itself.
        XCTAssertEqual(try Decode.trajectory(v).value, DecTest.membraneV)
        XCTAssertTrue(try Decode.trajectory(v) === v)
        // Final voltage: gradient only at the last step.
        let p = Variable(DecTest.membraneV, requiresGrad: true)
        try Decode.finalVoltage(p).sum().backward()
        XCTAssertEqual(p.grad!.scalars, [Float](repeating: 0, count: 12) + [Float](repeating: 1, count: 6))
    }

    func testTimeSoftmaxMatchesSPAICNormalisation() throws {
        // SPAIC Time_Softmax structure: exp(x) normalised over time and neurons (dims 0 and 2), summed over time;
        // reference values from PyTorch on the membrane.
        let p = try Decode.timeSoftmax(Variable(DecTest.membraneV))
        DecTest.assertClose(p.value.scalars, [0.3252548575401306, 0.4027650058269501, 0.2719801664352417,
                                              0.32747218012809753, 0.3721201419830322, 0.30040767788887024], tol: 1e-6)
        for b in 0..<2 { XCTAssertEqual(p.value[b, 0] + p.value[b, 1] + p.value[b, 2], 1, accuracy: 1e-6) }
        // With SPAIC's time discount exp(-t / tau), tau = 2 steps.
        DecTest.assertClose(try Decode.timeSoftmax(Variable(DecTest.membraneV), tau: 2).value.scalars,
                            [0.3405973017215729, 0.40501776337623596, 0.2543849050998688,
                             0.34268918633461, 0.3156225085258484, 0.3416883051395416], tol: 1e-6)
        // log sum_t e^v lies between max_t v and max_t v + log T.
        let z = try Decode.timeLogSumExp(Variable(DecTest.membraneV)).value
        let m = DecTest.membraneV.max(axis: 0)
        for i in 0..<6 {
            XCTAssertGreaterThan(z.scalars[i], m.scalars[i])
            XCTAssertLessThanOrEqual(z.scalars[i], m.scalars[i] + Foundation.log(3) + 1e-6)
        }
        // Stable for large membranes.
        let big = try Decode.timeSoftmax(Variable(Tensor(shape: [2, 1, 2], scalars: [1000, 0, 999, -1000])))
        XCTAssertEqual(big.value[0, 0], 1, accuracy: 1e-6)
    }

    func testDecoderGradientChecks() {
        let smooth = DecTest.uniform([4, 3, 5], 0.05, 0.95, seed: 3)
        DecTest.assertGradCheck([smooth], "counts") { try Decode.counts($0[0]) }
        DecTest.assertGradCheck([smooth], "rates") { try Decode.rates($0[0]) }
        DecTest.assertGradCheck([smooth], "time-weighted") { try Decode.timeWeightedCounts($0[0]) }
        DecTest.assertGradCheck([smooth], "time-weighted scale 3 tau 1.5") { try Decode.timeWeightedCounts($0[0], scale: 3, tau: 1.5) }
        DecTest.assertGradCheck([smooth], "soft first spike") { try Decode.firstSpikeTimes($0[0], gradient: .soft) }
        let v = DecTest.uniform([4, 3, 5], -1, 1, seed: 4)
        DecTest.assertGradCheck([v], "final voltage") { try Decode.finalVoltage($0[0]) }
        DecTest.assertGradCheck([v], "voltage sum") { try Decode.voltageSum($0[0]) }
        DecTest.assertGradCheck([v], "time log-sum-exp") { try Decode.timeLogSumExp($0[0]) }
        DecTest.assertGradCheck([v], "time softmax") { try Decode.timeSoftmax($0[0]) }
        DecTest.assertGradCheck([v], "time softmax tau") { try Decode.timeSoftmax($0[0], tau: 2) }
        DecTest.assertGradCheck([v], "trajectory") { try Decode.trajectory($0[0]) }
        // Max membrane on distinct values spaced far wider than eps.
        var vals = (0..<60).map { Float($0) * 0.05 - 1.5 }
        var rng = SeededRandom(seed: 5)
        rng.shuffle(&vals)
        DecTest.assertGradCheck([Tensor(shape: [4, 3, 5], scalars: vals)], eps: 1e-3, atol: 1e-3, "max membrane") {
            try Decode.maxMembrane($0[0])
        }
    }

    // MARK: Readout (name -> scores, loss, accuracy)

    func testReadoutNamesParametersAndInputs() throws {
        XCTAssertEqual(Readout.names, ["count", "mse-count", "rate", "time-weighted-count", "first-spike",
                                       "final-voltage", "voltage-sum", "max-membrane", "time-softmax"])
        for name in Readout.names {
            let d = try Readout.named(name)
            XCTAssertEqual(d.name, name)
            XCTAssertEqual(d, Readout(d.kind))
            XCTAssertEqual(d.description, name)
        }
        XCTAssertEqual(try Readout.named("count").input, .spikes)
        XCTAssertEqual(try Readout.named("first-spike").input, .spikes)
        XCTAssertEqual(try Readout.named("max-membrane").input, .membrane)
        XCTAssertEqual(try Readout.named("time-softmax").input, .membrane)
        let m = try Readout.named("mse-count", parameters: ["correct_rate": "0.8", "incorrect_rate": "0.2"])
        XCTAssertEqual(m.correctRate, 0.8); XCTAssertEqual(m.incorrectRate, 0.2)
        XCTAssertEqual(m.description, "mse-count(correct_rate=0.8, incorrect_rate=0.2)")
        let f = try Readout.named("first-spike", parameters: ["gradient": "soft", "inverse": "reciprocal"])
        XCTAssertEqual(f.firstSpikeGradient, .soft); XCTAssertEqual(f.temporalInverse, .reciprocal)
        let w = try Readout.named("time-weighted-count", parameters: ["scale": "1", "tau": "3"])
        XCTAssertEqual(w.timeWeightScale, 1); XCTAssertEqual(w.timeWeightTau, 3)
        XCTAssertEqual(try Readout.named("time-softmax", parameters: ["tau": "5"]).timeSoftmaxTau, 5)
        // Round trip through `parameters`.
        for d in [m, f, w, try Readout.named("time-softmax", parameters: ["tau": "5"])] {
            XCTAssertEqual(try Readout.named(d.name, parameters: d.parameters), d)
        }
    }

    func testReadoutScoresMatchDecode() throws {
        let s = DecTest.spikesA, v = DecTest.membraneV
        XCTAssertEqual(try Readout(.count).scores(s), Tensor([[2, 2, 1], [1, 1, 4]]))
        XCTAssertEqual(try Readout(.mseCount).scores(s), Tensor([[2, 2, 1], [1, 1, 4]]))
        XCTAssertEqual(try Readout(.rate).scores(s), try Decode.rates(Variable(s)).value)
        XCTAssertEqual(try Readout(.timeWeightedCount).scores(s), try Decode.timeWeightedCounts(Variable(s)).value)
        XCTAssertEqual(try Readout(.firstSpike).scores(s), Tensor([[-1, 0, -3], [-2, -3, 0]]))
        XCTAssertEqual(try Readout(.firstSpike).scores(DecTest.spikesSilent), Tensor([[-1, -4, -2], [-4, -4, -3]]))
        XCTAssertEqual(try Readout(.finalVoltage).scores(v), try Decode.finalVoltage(Variable(v)).value)
        XCTAssertEqual(try Readout(.voltageSum).scores(v), try Decode.voltageSum(Variable(v)).value)
        XCTAssertEqual(try Readout(.maxMembrane).scores(v), try Decode.maxMembrane(Variable(v)).value)
        XCTAssertEqual(try Readout(.timeSoftmax).scores(v), try Decode.timeSoftmax(Variable(v)).value)
        // decode is the differentiable form of scores.
        let d = try Readout(.timeSoftmax).decode(Variable(v, requiresGrad: true))
        XCTAssertTrue(d.requiresGrad)
        XCTAssertEqual(d.value, try Readout(.timeSoftmax).scores(v))
    }

    func testAccuracyOfEachReadoutByHand() throws {
        // Spike readouts on spikesA. Counts [[2, 2, 1], [1, 1, 4]] -> predictions [0 (first of a tie), 2];
        // time-weighted counts -> [1 (class 1 fired at step 0), 2]; first spikes [[1, 0, 3], [2, 3, 0]] -> [1, 2].
        let s = DecTest.spikesA
        for name in ["count", "mse-count", "rate"] {
            XCTAssertEqual(try Readout.named(name).accuracy(s, labels: [0, 2]), 1, name)
            XCTAssertEqual(try Readout.named(name).accuracy(s, labels: [1, 2]), 0.5, name)
        }
        XCTAssertEqual(try Readout(.timeWeightedCount).accuracy(s, labels: [1, 2]), 1)
        XCTAssertEqual(try Readout(.timeWeightedCount).accuracy(s, labels: [0, 2]), 0.5)
        XCTAssertEqual(try Readout(.firstSpike).accuracy(s, labels: [1, 2]), 1)
        XCTAssertEqual(try Readout(.firstSpike).accuracy(s, labels: [0, 2]), 0.5)
        XCTAssertEqual(try Readout(.firstSpike).accuracy(s, labels: [0, 0]), 0)
        // Membrane readouts on membraneV. Final [[-0.4, 0.6, 0.3], [0.2, 1.2, 0.5]] -> [1, 1]; sum
        // [[0.4, 1.3, 0.1], [1.4, 1.5, 1.0]] -> [1, 1]; max [[0.7, 0.6, 0.3], [0.9, 1.2, 0.8]] -> [0, 1];
        // time softmax [[0.325, 0.403, 0.272], [0.327, 0.372, 0.300]] -> [1, 1].
        let v = DecTest.membraneV
        XCTAssertEqual(try Readout(.finalVoltage).accuracy(v, labels: [1, 1]), 1)
        XCTAssertEqual(try Readout(.finalVoltage).accuracy(v, labels: [0, 1]), 0.5)
        XCTAssertEqual(try Readout(.voltageSum).accuracy(v, labels: [1, 1]), 1)
        XCTAssertEqual(try Readout(.voltageSum).accuracy(v, labels: [0, 1]), 0.5)
        XCTAssertEqual(try Readout(.maxMembrane).accuracy(v, labels: [0, 1]), 1)
        XCTAssertEqual(try Readout(.maxMembrane).accuracy(v, labels: [1, 1]), 0.5)
        XCTAssertEqual(try Readout(.timeSoftmax).accuracy(v, labels: [1, 1]), 1)
        XCTAssertEqual(try Readout(.timeSoftmax).accuracy(v, labels: [0, 1]), 0.5)
    }

    func testReadoutLossesAreTheReadoutLossFunctions() throws {
        let s = Variable(DecTest.spikesA), v = Variable(DecTest.membraneV)
        let lab = [1, 2]
        XCTAssertEqual(try Readout(.count).loss(s, labels: lab).value, try ReadoutLoss.countCrossEntropy(s, labels: lab).value)
        XCTAssertEqual(try Readout(.mseCount).loss(s, labels: lab).value, try ReadoutLoss.mseCount(s, labels: lab).value)
        XCTAssertEqual(try Readout(.rate).loss(s, labels: lab).value, try ReadoutLoss.rateMSE(s, labels: lab).value)
        XCTAssertEqual(try Readout(.firstSpike).loss(s, labels: lab).value,
                       try ReadoutLoss.firstSpikeCrossEntropy(s, labels: lab).value)
        let twc: [[Double]] = [[0.09744101762771606, 0.12231302261352539, 0.022313017398118973],
                               [0.03678794577717781, 0.022313017398118973, 0.21975402534008026]]
        XCTAssertEqual(Double(try Readout(.timeWeightedCount).loss(s, labels: lab).value.scalar),
                       DecTest.referenceCE(twc, lab), accuracy: 1e-6)
        XCTAssertEqual(Double(try Readout(.finalVoltage).loss(v, labels: lab).value.scalar),
                       DecTest.referenceCE([[-0.4, 0.6, 0.3], [0.2, 1.2, 0.5]], lab), accuracy: 1e-6)
        XCTAssertEqual(Double(try Readout(.voltageSum).loss(v, labels: lab).value.scalar),
                       DecTest.referenceCE([[0.4, 1.3, 0.1], [1.4, 1.5, 1.0]], lab), accuracy: 1e-6)
        XCTAssertEqual(try Readout(.maxMembrane).loss(v, labels: lab).value,
                       try ReadoutLoss.maxMembraneCrossEntropy(v, labels: lab).value)
        XCTAssertEqual(try Readout(.timeSoftmax).loss(v, labels: lab).value,
                       try ReadoutLoss.timeSoftmaxCrossEntropy(v, labels: lab).value)
        // Every differentiable readout loss passes a gradient check through the Readout.
        let smooth = DecTest.uniform([3, 2, 3], 0.05, 0.95, seed: 8)
        let membrane = DecTest.uniform([3, 2, 3], -1, 1, seed: 9)
        for name in ["count", "mse-count", "rate", "time-weighted-count"] {
            let d = try Readout.named(name)
            DecTest.assertGradCheck([smooth], name) { try d.loss($0[0], labels: lab) }
        }
        let soft = try Readout.named("first-spike", parameters: ["gradient": "soft"])
        DecTest.assertGradCheck([smooth], "first-spike soft") { try soft.loss($0[0], labels: lab) }
        for name in ["final-voltage", "voltage-sum", "time-softmax"] {
            let d = try Readout.named(name)
            DecTest.assertGradCheck([membrane], name) { try d.loss($0[0], labels: lab) }
        }
    }

    // MARK: Bad input

    func testDecodersRejectBadInput() {
        let empty = Variable(Tensor.zeros([0, 2, 3]))
        DecTest.assertCodingError("T = 0") { try Decode.counts(empty) }
        DecTest.assertCodingError("T = 0") { try Decode.rates(empty) }
        DecTest.assertCodingError("T = 0") { try Decode.timeWeightedCounts(empty) }
        DecTest.assertCodingError("T = 0") { try Decode.firstSpikeTimes(empty) }
        DecTest.assertCodingError("T = 0") { try Decode.firstSpikeTimes(Tensor.zeros([0, 2, 3])) }
        DecTest.assertCodingError("T = 0") { try Decode.finalVoltage(empty) }
        DecTest.assertCodingError("T = 0") { try Decode.voltageSum(empty) }
        DecTest.assertCodingError("T = 0") { try Decode.maxMembrane(empty) }
        DecTest.assertCodingError("T = 0") { try Decode.timeSoftmax(empty) }
        DecTest.assertCodingError("T = 0") { try Decode.trajectory(empty) }
        DecTest.assertCodingError("[T, B, ...]") { try Decode.counts(Variable(Tensor([1, 2, 3]))) }
        DecTest.assertCodingError("[T, B, C]") { try Decode.timeSoftmax(Variable(Tensor.zeros([2, 3]))) }
        DecTest.assertCodingError("[T, B, C]") { try Readout(.count).scores(Tensor.zeros([2, 3])) }
        DecTest.assertCodingError("T = 0") { try Readout(.firstSpike).scores(Tensor.zeros([0, 1, 2])) }
        DecTest.assertCodingError("scale must be > 0") { try Decode.timeWeightedCounts(Variable(DecTest.spikesA), scale: -1) }
        DecTest.assertCodingError("tau must be > 0") { try Decode.timeWeightedCounts(Variable(DecTest.spikesA), tau: 0) }
        DecTest.assertCodingError("tau must be > 0") { try Decode.timeSoftmax(Variable(DecTest.membraneV), tau: .nan) }
        DecTest.assertCodingError("steps must be at least 1") { try Decode.timeWeights(steps: 0) }
        // Names and parameters from the command line.
        DecTest.assertCodingError("unknown readout 'spikes' (known: count, mse-count") { try Readout.named("spikes") }
        DecTest.assertCodingError("count: unknown parameter 'tau' (known: none)") { try Readout.named("count", parameters: ["tau": "1"]) }
        DecTest.assertCodingError("unknown parameter 'rate' (known: correct_rate, incorrect_rate)") {
            try Readout.named("mse-count", parameters: ["rate": "1"])
        }
        DecTest.assertCodingError("correct_rate must be a finite number, got 'high'") {
            try Readout.named("mse-count", parameters: ["correct_rate": "high"])
        }
        DecTest.assertCodingError("incorrect_rate must be a rate in [0, 1]") {
            try Readout.named("mse-count", parameters: ["incorrect_rate": "-0.2"])
        }
        DecTest.assertCodingError("gradient must be one of sign, soft, got 'exact'") {
            try Readout.named("first-spike", parameters: ["gradient": "exact"])
        }
        DecTest.assertCodingError("inverse must be one of negate, reciprocal") {
            try Readout.named("first-spike", parameters: ["inverse": "log"])
        }
        DecTest.assertCodingError("scale must be > 0") { try Readout.named("time-weighted-count", parameters: ["scale": "0"]) }
        DecTest.assertCodingError("tau must be > 0") { try Readout.named("time-softmax", parameters: ["tau": "-3"]) }
        DecTest.assertCodingError("tau must be a finite number, got 'inf'") {
            try Readout.named("time-weighted-count", parameters: ["tau": "inf"])
        }
        // Labels from a data file.
        DecTest.assertCodingError("3 labels for a batch of 2") { try Readout(.count).accuracy(DecTest.spikesA, labels: [0, 1, 2]) }
        DecTest.assertCodingError("label 3 at index 1 is outside 0..<3") { try Readout(.maxMembrane).accuracy(DecTest.membraneV, labels: [0, 3]) }
        DecTest.assertCodingError("label -1 at index 0") {
            try Readout(.timeSoftmax).loss(Variable(DecTest.membraneV), labels: [-1, 0])
        }
        for name in Readout.names {
            DecTest.assertCodingError("outside 0..<3") { try Readout.named(name).loss(Variable(DecTest.spikesA), labels: [0, 7]) }
            DecTest.assertCodingError("T = 0") { try Readout.named(name).loss(empty, labels: [0, 1]) }
        }
    }
}
