import XCTest
import Foundation
import SpikeCore
import SpikeNN
import SpikeCoding

/// Readout losses, regularisers and accuracies against snnTorch 1.0.0 (`snntorch.functional`), SPAIC, SpikingJelly
/// and stork / Zenke & Vogels (2021). Reference numbers were computed once with the reference code in PyTorch
/// (float32) and are embedded; others are written out from the formula.
final class ReadoutLossTests: XCTestCase {
    /// `s[t, b, c] = 1` where `(7 t + 3 b + 5 c) % 4 == 0`: a fixed pattern for `[T, 2, 3]`.
    func patternSpikes(steps: Int) -> Tensor {
        var x = Tensor.zeros([steps, 2, 3])
        for t in 0..<steps { for b in 0..<2 { for c in 0..<3 where (7 * t + 3 * b + 5 * c) % 4 == 0 { x[t, b, c] = 1 } } }
        return x
    }

    // MARK: Cross-entropy readouts

    func testCountAndMaxMembraneCrossEntropyMatchSnnTorch() throws {
        // snnTorch ce_count_loss()(spikesA, [1, 0]) and ce_max_membrane_loss()(membraneV, [2, 1]).
        XCTAssertEqual(try ReadoutLoss.countCrossEntropy(Variable(DecTest.spikesA), labels: [1, 0]).value.scalar,
                       1.9784588813781738, accuracy: 1e-6)
        XCTAssertEqual(try ReadoutLoss.maxMembraneCrossEntropy(Variable(DecTest.membraneV), labels: [2, 1]).value.scalar,
                       1.1130046844482422, accuracy: 1e-6)
        let smooth = DecTest.uniform([4, 3, 5], 0.05, 0.95, seed: 21)
        DecTest.assertGradCheck([smooth], atol: 1e-3) { try ReadoutLoss.countCrossEntropy($0[0], labels: [0, 4, 2]) }
        var vals = (0..<60).map { Float($0) * 0.05 - 1.5 }
        var rng = SeededRandom(seed: 22)
        rng.shuffle(&vals)
        DecTest.assertGradCheck([Tensor(shape: [4, 3, 5], scalars: vals)], eps: 1e-3, atol: 1e-3) {
            try ReadoutLoss.maxMembraneCrossEntropy($0[0], labels: [1, 3, 0])
        }
    }

    func testTimeSoftmaxCrossEntropyMatchesSPAICLoss() throws {
        // -mean_b log p[b, label_b] with p the SPAIC-style joint softmax over (step, class) summed over time;
        // value and gradient from PyTorch autograd of that formula (softmax over dims (0, 2), sum over dim 0).
        let v = Variable(DecTest.membraneV, requiresGrad: true)
        let loss = try ReadoutLoss.timeSoftmaxCrossEntropy(v, labels: [2, 1])
        XCTAssertEqual(loss.value.scalar, 1.14528226852417, accuracy: 1e-6)
        loss.backward()
        DecTest.assertClose(v.grad!.scalars, [0.04743191972374916, 0.07076010853052139, -0.0940563976764679,
                                              0.043932925909757614, -0.04968962073326111, 0.07243314385414124,
                                              0.08642659336328506, 0.05242037773132324, -0.11488074064254761,
                                              0.0800510048866272, -0.08192434161901474, 0.02411090023815632,
                                              0.028768911957740784, 0.0782020166516304, -0.15507279336452484,
                                              0.03975215554237366, -0.18232597410678864, 0.053659792989492416], tol: 1e-6)
        // Equal to -log of the decoded probability.
        let p = try Decode.timeSoftmax(Variable(DecTest.membraneV)).value
        XCTAssertEqual(loss.value.scalar, -(Foundation.log(p[0, 2]) + Foundation.log(p[1, 1])) / 2, accuracy: 1e-6)
        let m = DecTest.uniform([5, 3, 4], -2, 2, seed: 23)
        DecTest.assertGradCheck([m], atol: 1e-3) { try ReadoutLoss.timeSoftmaxCrossEntropy($0[0], labels: [3, 0, 1]) }
        DecTest.assertGradCheck([m], atol: 1e-3) { try ReadoutLoss.timeSoftmaxCrossEntropy($0[0], labels: [3, 0, 1], tau: 2.5) }
    }

    func testFirstSpikeCrossEntropyMatchesSnnTorchCeTemporalLoss() throws {
        // snnTorch ce_temporal_loss(inverse=...)(spikesA, [1, 0]): value and gradient with respect to the spikes
        // (sign estimator). No silent neuron, so snnTorch's T - 1 for silence plays no part.
        let cases: [(TemporalInverse, Float, [Float])] = [
            (.negate, 1.2594290971755981,
             [0, -0.14730772376060486, 0, 0, 0, 0.42189735174179077, 0.12974824011325836, 0, 0, 0, 0, 0,
              0, 0, 0, -0.4429023861885071, 0, 0, 0, 0, 0.017559515312314034, 0, 0.02100503258407116, 0]),
            (.reciprocal, 1.042258858680725,
             [0, -0.2594878673553467, 0, 0, 0, 0.25178974866867065, 0.03646949678659439, 0, 0, 0, 0, 0,
              0, 0, 0, -0.04119187220931053, 0, 0, 0, 0, 0.007100618444383144, 0, 0.007433565799146891, 0]),
        ]
        for (inverse, value, grad) in cases {
            let s = Variable(DecTest.spikesA, requiresGrad: true)
            let loss = try ReadoutLoss.firstSpikeCrossEntropy(s, labels: [1, 0], inverse: inverse)
            XCTAssertEqual(loss.value.scalar, value, accuracy: 1e-6, "\(inverse)")
            loss.backward()
            DecTest.assertClose(s.grad!.scalars, grad, tol: 1e-6, "\(inverse)")
        }
        // Silent neurons sit at T = 4 (snnTorch: T - 1 = 3, giving 0.7531 here): times [[1, 4, 2], [4, 4, 3]].
        let silent = try ReadoutLoss.firstSpikeCrossEntropy(Variable(DecTest.spikesSilent), labels: [0, 1])
        XCTAssertEqual(Double(silent.value.scalar), DecTest.referenceCE([[-1, -4, -2], [-4, -4, -3]], [0, 1]), accuracy: 1e-6)
        let recip = try ReadoutLoss.firstSpikeCrossEntropy(Variable(DecTest.spikesSilent), labels: [0, 1], inverse: .reciprocal)
        XCTAssertEqual(Double(recip.value.scalar),
                       DecTest.referenceCE([[1.0 / 2, 1.0 / 5, 1.0 / 3], [1.0 / 5, 1.0 / 5, 1.0 / 4]], [0, 1]), accuracy: 1e-6)
        // The soft surrogate: exact gradient of the expected first-spike time.
        let smooth = DecTest.uniform([5, 3, 4], 0.05, 0.95, seed: 24)
        for inverse in TemporalInverse.allCases {
            DecTest.assertGradCheck([smooth], atol: 1e-3, "\(inverse)") {
                try ReadoutLoss.firstSpikeCrossEntropy($0[0], labels: [2, 0, 3], inverse: inverse, gradient: .soft)
            }
        }
    }

    // MARK: MSE readouts

    func testMSECountMatchesSnnTorch() throws {
        // snnTorch mse_count_loss(correct_rate=0.75, incorrect_rate=0.25)(spikesA, [1, 0]) and its gradient.
        let s = Variable(DecTest.spikesA, requiresGrad: true)
        let loss = try ReadoutLoss.mseCount(s, labels: [1, 0], correctRate: 0.75, incorrectRate: 0.25)
        XCTAssertEqual(loss.value.scalar, 0.625, accuracy: 1e-6)
        loss.backward()
        let perStep: [Float] = [0.0833333358168602, -0.0833333358168602, 0, -0.1666666716337204, 0, 0.25]
        DecTest.assertClose(s.grad!.scalars, Array((0..<4).map { _ in perStep }.joined()), tol: 1e-6)
        // Defaults 1 and 0.
        XCTAssertEqual(try ReadoutLoss.mseCount(Variable(DecTest.spikesA), labels: [1, 0]).value.scalar,
                       1.4583333730697632, accuracy: 1e-6)
        // snnTorch truncates the target counts, int(T * rate): T = 4, 0.8 / 0.2 -> 3 / 0 (value 1.125);
        // T = 10, 0.7 / 0.3 -> 7 / 3 (0.8333); T = 100, 0.29 / 0.01 -> 28 / 1 (3.87).
        XCTAssertEqual(try ReadoutLoss.mseCount(Variable(DecTest.spikesA), labels: [1, 0], correctRate: 0.8, incorrectRate: 0.2)
                        .value.scalar, 1.125, accuracy: 1e-6)
        XCTAssertEqual(try ReadoutLoss.mseCount(Variable(patternSpikes(steps: 10)), labels: [2, 0], correctRate: 0.7,
                                                incorrectRate: 0.3).value.scalar, 0.8333333134651184, accuracy: 1e-6)
        XCTAssertEqual(try ReadoutLoss.mseCount(Variable(patternSpikes(steps: 100)), labels: [2, 0], correctRate: 0.29,
                                                incorrectRate: 0.01).value.scalar, 3.869999885559082, accuracy: 1e-5)
        // Relation to SpikeNN's Loss.mseCount (no truncation, no 1/T) where T * rate is whole.
        XCTAssertEqual(try ReadoutLoss.mseCount(Variable(DecTest.spikesA), labels: [1, 0], correctRate: 0.75, incorrectRate: 0.25)
                        .value.scalar * 4,
                       Loss.mseCount(Variable(DecTest.spikesA), labels: [1, 0], correctRate: 0.75, incorrectRate: 0.25).value.scalar,
                       accuracy: 1e-6)
        DecTest.assertGradCheck([DecTest.uniform([4, 3, 5], 0.05, 0.95, seed: 25)]) {
            try ReadoutLoss.mseCount($0[0], labels: [0, 4, 2], correctRate: 0.8, incorrectRate: 0.2)
        }
    }

    func testRateMSEMatchesSpikingJelly() throws {
        // F.mse_loss(out_fr, one_hot): rates [[0.5, 0.5, 0.25], [0.25, 0.25, 1]], labels [1, 2]:
        // ((0.5)^2 + (0.5)^2 + 0.25^2 + 0.25^2 + 0.25^2 + 0) / 6.
        let expected: Float = (0.25 + 0.25 + 0.0625 + 0.0625 + 0.0625) / 6
        XCTAssertEqual(try ReadoutLoss.rateMSE(Variable(DecTest.spikesA), labels: [1, 2]).value.scalar, expected, accuracy: 1e-7)
        DecTest.assertGradCheck([DecTest.uniform([4, 3, 5], 0.05, 0.95, seed: 26)]) { try ReadoutLoss.rateMSE($0[0], labels: [1, 1, 4]) }
    }

    func testTrajectoryMSE() throws {
        let target = Tensor.full([3, 2, 3], 0.1)
        let expected = DecTest.membraneV.scalars.map { ($0 - 0.1) * ($0 - 0.1) }.reduce(0, +) / 18
        XCTAssertEqual(try ReadoutLoss.trajectoryMSE(Variable(DecTest.membraneV), target: target).value.scalar, expected, accuracy: 1e-6)
        DecTest.assertGradCheck([DecTest.uniform([3, 2, 3], -1, 1, seed: 27)]) { try ReadoutLoss.trajectoryMSE($0[0], target: target) }
    }

    // MARK: Regularisers

    func testL1RateSparsityMatchesSnnTorch() throws {
        // snnTorch l1_rate_sparsity()(spikesA) = 1e-5 * 11 spikes; Lambda = 0.5 -> 5.5.
        XCTAssertEqual(try ReadoutLoss.l1RateSparsity(Variable(DecTest.spikesA)).value.scalar, 0.00010999999358318746, accuracy: 1e-10)
        let s = Variable(DecTest.spikesA, requiresGrad: true)
        let l = try ReadoutLoss.l1RateSparsity(s, lambda: 0.5)
        XCTAssertEqual(l.value.scalar, 5.5)
        l.backward()
        XCTAssertEqual(s.grad, Tensor.full([4, 2, 3], 0.5))
        // Hidden layers of any shape [T, B, ...].
        DecTest.assertGradCheck([DecTest.uniform([3, 2, 2, 2], 0, 1, seed: 28)]) { try ReadoutLoss.l1RateSparsity($0[0], lambda: 0.3) }
    }

    func testRateBoundsByHand() throws {
        // [T=2, B=1, N=2]: neuron 0 fires at both steps (rate 1), neuron 1 at step 1 (rate 0.5).
        let x = Tensor(shape: [2, 1, 2], scalars: [1, 0, 1, 1])
        // Upper 0.6, strength 2: 2 * ((1 - 0.6)^2 + 0) / 2 = 0.16; d/ds[t, 0, 0] = 2 * 2 * 0.4 / (2 neurons * T 2) = 0.4.
        let s = Variable(x, requiresGrad: true)
        let up = try ReadoutLoss.rateUpperBound(s, bound: 0.6, strength: 2)
        XCTAssertEqual(up.value.scalar, 0.16, accuracy: 1e-6)
        up.backward()
        DecTest.assertClose(s.grad!.scalars, [0.4, 0, 0.4, 0], tol: 1e-6)
        // Lower 0.8, strength 2: 2 * (0 + (0.8 - 0.5)^2) / 2 = 0.09; d/ds[t, 0, 1] = -2 * 2 * 0.3 / 4 = -0.3.
        let s2 = Variable(x, requiresGrad: true)
        let low = try ReadoutLoss.rateLowerBound(s2, bound: 0.8, strength: 2)
        XCTAssertEqual(low.value.scalar, 0.09, accuracy: 1e-6)
        low.backward()
        DecTest.assertClose(s2.grad!.scalars, [0, -0.3, 0, -0.3], tol: 1e-6)
        // Inside the bounds: no penalty, no gradient.
        XCTAssertEqual(try ReadoutLoss.rateUpperBound(Variable(x), bound: 1).value.scalar, 0)
        XCTAssertEqual(try ReadoutLoss.rateLowerBound(Variable(x), bound: 0.5).value.scalar, 0)
        // Population form: mean rate 0.75; upper 0.6 -> 2 * 0.15^2 = 0.045; lower 0.8 -> 2 * 0.05^2 = 0.005.
        XCTAssertEqual(try ReadoutLoss.rateUpperBound(Variable(x), bound: 0.6, strength: 2, population: true).value.scalar, 0.045, accuracy: 1e-6)
        XCTAssertEqual(try ReadoutLoss.rateLowerBound(Variable(x), bound: 0.8, strength: 2, population: true).value.scalar, 0.005, accuracy: 1e-6)
        // Equal to stork's UpperBoundL2(strength / T^2, threshold = bound * T) on counts.
        let big = DecTest.uniform([5, 3, 4], 0, 1, seed: 29).map { $0 < 0.4 ? 1 : 0 }
        let counts = big.sum(axis: 0)
        let stork = counts.scalars.map { Swift.max(0, $0 - 0.3 * 5) * Swift.max(0, $0 - 0.3 * 5) }.reduce(0, +) / 12 * (1.5 / 25)
        XCTAssertEqual(try ReadoutLoss.rateUpperBound(Variable(big), bound: 0.3, strength: 1.5).value.scalar, stork, accuracy: 1e-6)
        // Gradient checks on smooth activity (rates away from the bound's kink).
        let smooth = DecTest.uniform([5, 3, 4], 0.05, 0.95, seed: 30)
        DecTest.assertGradCheck([smooth]) { try ReadoutLoss.rateUpperBound($0[0], bound: 0.45, strength: 3) }
        DecTest.assertGradCheck([smooth]) { try ReadoutLoss.rateLowerBound($0[0], bound: 0.55, strength: 3) }
        DecTest.assertGradCheck([smooth]) { try ReadoutLoss.rateUpperBound($0[0], bound: 0.3, population: true) }
        DecTest.assertGradCheck([smooth]) { try ReadoutLoss.rateLowerBound($0[0], bound: 0.7, population: true) }
    }

    // MARK: Accuracy

    func testAccuracyRateAndTemporalMatchSnnTorch() throws {
        // snnTorch accuracy_rate(spikesA, [1, 0]) = 0 (predictions [0, 2]); accuracy_temporal = 0.5 (predictions [1, 2]).
        XCTAssertEqual(try ReadoutLoss.accuracyRate(DecTest.spikesA, labels: [1, 0]), 0)
        XCTAssertEqual(try ReadoutLoss.accuracyTemporal(DecTest.spikesA, labels: [1, 0]), 0.5)
        XCTAssertEqual(try ReadoutLoss.accuracyRate(DecTest.spikesA, labels: [0, 2]), 1)
        // With silent neurons: snnTorch accuracy_temporal(spikesSilent, [0, 1]) = 0.5 as well.
        XCTAssertEqual(try ReadoutLoss.accuracyTemporal(DecTest.spikesSilent, labels: [0, 1]), 0.5)
        // A spike at the last step beats silence here (snnTorch would tie it with the silent class 0).
        let late = Tensor(shape: [2, 1, 2], scalars: [0, 0, 0, 1])
        XCTAssertEqual(try ReadoutLoss.accuracyTemporal(late, labels: [1]), 1)
    }

    // MARK: Bad input

    func testLossesRejectBadInput() {
        let s = Variable(DecTest.spikesA), v = Variable(DecTest.membraneV)
        let empty = Variable(Tensor.zeros([0, 2, 3]))
        DecTest.assertCodingError("count: 1 labels for a batch of 2") { try ReadoutLoss.countCrossEntropy(s, labels: [0]) }
        DecTest.assertCodingError("max-membrane: label 3 at index 1 is outside 0..<3") { try ReadoutLoss.maxMembraneCrossEntropy(v, labels: [0, 3]) }
        DecTest.assertCodingError("time-softmax: label -2 at index 0") { try ReadoutLoss.timeSoftmaxCrossEntropy(v, labels: [-2, 0]) }
        DecTest.assertCodingError("first-spike: 3 labels") { try ReadoutLoss.firstSpikeCrossEntropy(s, labels: [0, 1, 2]) }
        DecTest.assertCodingError("mse-count: label 9") { try ReadoutLoss.mseCount(s, labels: [9, 0]) }
        DecTest.assertCodingError("rate: label 5") { try ReadoutLoss.rateMSE(s, labels: [0, 5]) }
        DecTest.assertCodingError("T = 0") { try ReadoutLoss.countCrossEntropy(empty, labels: [0, 1]) }
        DecTest.assertCodingError("T = 0") { try ReadoutLoss.firstSpikeCrossEntropy(empty, labels: [0, 1]) }
        DecTest.assertCodingError("T = 0") { try ReadoutLoss.l1RateSparsity(empty) }
        DecTest.assertCodingError("T = 0") { try ReadoutLoss.rateUpperBound(empty, bound: 0.5) }
        DecTest.assertCodingError("[T, B, C]") { try ReadoutLoss.countCrossEntropy(Variable(Tensor.zeros([4, 6])), labels: [0, 1, 2, 3]) }
        DecTest.assertCodingError("correct_rate must be a rate in [0, 1]") { try ReadoutLoss.mseCount(s, labels: [0, 1], correctRate: 1.5) }
        DecTest.assertCodingError("incorrect_rate must be a rate in [0, 1]") { try ReadoutLoss.mseCount(s, labels: [0, 1], incorrectRate: -0.1) }
        DecTest.assertCodingError("rate-upper-bound: bound must be a rate in [0, 1] spikes per step, got -0.1") {
            try ReadoutLoss.rateUpperBound(s, bound: -0.1)
        }
        DecTest.assertCodingError("rate-lower-bound: bound must be a rate in [0, 1]") { try ReadoutLoss.rateLowerBound(s, bound: 2) }
        DecTest.assertCodingError("rate-lower-bound: bound must be a rate in [0, 1]") { try ReadoutLoss.rateLowerBound(s, bound: .nan) }
        DecTest.assertCodingError("strength must be >= 0, got -1") { try ReadoutLoss.rateUpperBound(s, bound: 0.5, strength: -1) }
        DecTest.assertCodingError("lambda must be >= 0, got -1e-05") { try ReadoutLoss.l1RateSparsity(s, lambda: -1e-5) }
        DecTest.assertCodingError("lambda must be >= 0, got inf") { try ReadoutLoss.l1RateSparsity(s, lambda: .infinity) }
        DecTest.assertCodingError("trajectory: target shape [2, 3] differs from the output shape [3, 2, 3]") {
            try ReadoutLoss.trajectoryMSE(v, target: Tensor.zeros([2, 3]))
        }
        DecTest.assertCodingError("labels for a batch of 2") { try ReadoutLoss.accuracyRate(DecTest.spikesA, labels: []) }
        DecTest.assertCodingError("outside 0..<3") { try ReadoutLoss.accuracyTemporal(DecTest.spikesA, labels: [0, 3]) }
    }
}
