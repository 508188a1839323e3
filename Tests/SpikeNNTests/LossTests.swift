import XCTest
import Foundation
import SpikeCore
import SpikeNN

final class LossTests: XCTestCase {
    /// -1/B sum_b log softmax(z_b)[y_b] in double precision.
    func referenceCE(_ z: [[Double]], _ labels: [Int]) -> Double {
        var s = 0.0
        for (row, y) in zip(z, labels) {
            let m = row.max()!
            let lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
            s -= row[y] - lse
        }
        return s / Double(labels.count)
    }

    func testCrossEntropyByHand() {
        let z: [[Float]] = [[1, 2, 3], [0.5, -1, 2]]
        // Row 0: -log(e^3 / (e + e^2 + e^3)); row 1: -log(e^0.5 / (e^0.5 + e^-1 + e^2)).
        let r0 = -log(exp(3.0) / (exp(1.0) + exp(2.0) + exp(3.0)))
        let r1 = -log(exp(0.5) / (exp(0.5) + exp(-1.0) + exp(2.0)))
        let logits = Variable(Tensor(z), requiresGrad: true)
        let loss = Loss.crossEntropy(logits, labels: [2, 0])
        XCTAssertEqual(loss.shape, [])
        XCTAssertEqual(Double(loss.value.scalar), (r0 + r1) / 2, accuracy: 1e-6)
        // Gradient: (softmax - onehot) / B.
        loss.backward()
        var expected: [Float] = []
        for (row, y) in zip(z, [2, 0]) {
            let e = row.map { exp(Double($0)) }, s = e.reduce(0, +)
            for k in 0..<3 { expected.append(Float((e[k] / s - (k == y ? 1 : 0)) / 2)) }
        }
        NNTest.assertClose(logits.grad!.scalars, expected, tol: 1e-6)
    }

    func testCrossEntropyStableAndGradCheck() {
        let big = Loss.crossEntropy(Variable(Tensor([[1000, 0], [-1000, 1000]])), labels: [0, 0]).value.scalar
        XCTAssertEqual(big, 1000, accuracy: 1e-2)  // row 0: ~0, row 1: 2000
        let z = NNTest.uniform([4, 5], -2, 2, seed: 1)
        let labels = [0, 4, 2, 2]
        let rows = (0..<4).map { b in (0..<5).map { Double(z[b, $0]) } }
        XCTAssertEqual(Double(Loss.crossEntropy(Variable(z), labels: labels).value.scalar), referenceCE(rows, labels), accuracy: 1e-5)
        NNTest.assertGradCheck([z], atol: 1e-3) { Loss.crossEntropy($0[0], labels: labels) }
        // Scaled by the incoming gradient.
        NNTest.assertGradCheck([z], atol: 1e-3) { Loss.crossEntropy($0[0], labels: labels) * 3 }
    }

    func testCountCrossEntropy() {
        // Spikes [T=3, B=2, C=3]; counts [[2, 1, 0], [1, 3, 1]].
        let s: [Float] = [1, 0, 0,  1, 1, 0,
                          1, 1, 0,  0, 1, 1,
                          0, 0, 0,  0, 1, 0]
        let spikes = Tensor(shape: [3, 2, 3], scalars: s)
        let loss = Loss.countCrossEntropy(Variable(spikes), labels: [0, 2])
        XCTAssertEqual(Double(loss.value.scalar), referenceCE([[2, 1, 0], [1, 3, 1]], [0, 2]), accuracy: 1e-6)
        let x = NNTest.uniform([4, 3, 2], -1, 1, seed: 2)
        NNTest.assertGradCheck([x], atol: 1e-3) { Loss.countCrossEntropy($0[0], labels: [1, 0, 1]) }
    }

    func testMaxMembraneCrossEntropy() {
        // Distinct values: max over time [[0.9, 0.4, 0.7], [0.3, 1.1, -0.2]].
        let v: [Float] = [0.1, 0.4, -0.5,   0.3, -0.6, -0.2,
                          0.9, 0.2, 0.7,    -0.1, 1.1, -0.3,
                          0.5, -0.3, 0.6,   0.2, 0.8, -0.4]
        let membrane = Variable(Tensor(shape: [3, 2, 3], scalars: v), requiresGrad: true)
        let loss = Loss.maxMembraneCrossEntropy(membrane, labels: [2, 1])
        XCTAssertEqual(Double(loss.value.scalar), referenceCE([[0.9, 0.4, 0.7], [0.3, 1.1, -0.2]], [2, 1]), accuracy: 1e-6)
        loss.backward()
        // The gradient reaches only the maximal time step of every (b, c).
        let argmaxT = [1, 0, 1, 0, 1, 0]
        for t in 0..<3 { for j in 0..<6 where t != argmaxT[j] { XCTAssertEqual(membrane.grad!.scalars[t * 6 + j], 0) } }
        for j in 0..<6 { XCTAssertNotEqual(membrane.grad!.scalars[argmaxT[j] * 6 + j], 0) }
        // Gradient check on distinct random values (spacing >> eps).
        var vals = (0..<24).map { Float($0) * 0.1 - 1.2 }
        var rng = SeededRandom(seed: 3)
        rng.shuffle(&vals)
        let m = Tensor(shape: [4, 2, 3], scalars: vals)
        NNTest.assertGradCheck([m], eps: 1e-3, atol: 1e-3) { Loss.maxMembraneCrossEntropy($0[0], labels: [0, 2]) }
    }

    func testMSECountByHand() {
        // Spikes [T=4, B=2, C=3]: counts [[4, 1, 0], [2, 2, 3]].
        var s = [Float](repeating: 0, count: 24)
        let counts: [[Int]] = [[4, 1, 0], [2, 2, 3]]
        for b in 0..<2 { for c in 0..<3 { for t in 0..<counts[b][c] { s[t * 6 + b * 3 + c] = 1 } } }
        let spikes = Tensor(shape: [4, 2, 3], scalars: s)
        // Targets with rates 0.8 / 0.2 at T = 4: 3.2 for the label, 0.8 otherwise; labels [0, 2].
        let d: [Double] = [4 - 3.2, 1 - 0.8, 0 - 0.8, 2 - 0.8, 2 - 0.8, 3 - 3.2]
        let expected = d.map { $0 * $0 }.reduce(0, +) / 6
        let loss = Loss.mseCount(Variable(spikes), labels: [0, 2], correctRate: 0.8, incorrectRate: 0.2)
        XCTAssertEqual(Double(loss.value.scalar), expected, accuracy: 1e-5)
        // snnTorch defaults 1 / 0: targets 4 and 0.
        let d2: [Double] = [0, 1, 0, 2, 2, -1]
        XCTAssertEqual(Double(Loss.mseCount(Variable(spikes), labels: [0, 2]).value.scalar),
                       d2.map { $0 * $0 }.reduce(0, +) / 6, accuracy: 1e-5)
        // Gradient: 2 (count - target) / (B C) at every time step.
        let sv = Variable(spikes, requiresGrad: true)
        Loss.mseCount(sv, labels: [0, 2], correctRate: 0.8, incorrectRate: 0.2).backward()
        for t in 0..<4 { NNTest.assertClose(Array(sv.grad!.scalars[(t * 6)..<(t * 6 + 6)]), d.map { Float(2 * $0 / 6) }, tol: 1e-6) }
        NNTest.assertGradCheck([NNTest.uniform([3, 2, 4], 0, 1, seed: 4)], atol: 1e-3) {
            Loss.mseCount($0[0], labels: [3, 1], correctRate: 0.9, incorrectRate: 0.1)
        }
    }

    func testAccuracyTiesGoToTheFirstMaximum() {
        let scores = Tensor([[1, 3, 3],     // tie 1/2 -> 1
                             [2, 1, 0],     // 0
                             [0, 0, 0],     // all tied -> 0
                             [5, 4, 6],     // 2
                             [-3, -1, -2]]) // 1
        XCTAssertEqual(Loss.accuracy(scores, labels: [1, 0, 0, 1, 1]), 0.8, accuracy: 1e-7)
        XCTAssertEqual(Loss.accuracy(scores, labels: [2, 0, 2, 2, 1]), 0.6, accuracy: 1e-7)
        XCTAssertEqual(Loss.accuracy(scores, labels: [1, 0, 0, 2, 1]), 1)
        XCTAssertEqual(Loss.accuracy(Tensor(shape: [0, 3], scalars: []), labels: []), 0)
    }
}
