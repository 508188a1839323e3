import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

final class LinearTests: XCTestCase {
    func testOutputIsXWTransposePlusBias() {
        var rng = SeededRandom(seed: 11)
        let lin = Linear(3, 2, rng: &rng)
        lin.weight.value = Tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]])
        lin.bias!.value = Tensor([0.1, -0.2])
        let x = Tensor([[1, 2, 3], [-1, 0, 4], [0.5, 0.5, -2], [0, 0, 0]])
        let y = lin(Variable(x)).value
        XCTAssertEqual(y.shape, [4, 2])
        // By hand: row 0 = [0.5 - 2 + 6 + 0.1, 1.5 + 0.5 - 2.25 - 0.2].
        let expected: [Float] = [4.6, -0.45,
                                 7.6, -4.7,
                                 -4.15, 2.175,
                                 0.1, -0.2]
        NNTest.assertClose(y.scalars, expected, tol: 1e-5)
    }

    func testRandomOutputMatchesDoublePrecisionReference() {
        var rng = SeededRandom(seed: 12)
        let lin = Linear(7, 5, rng: &rng)
        let x = NNTest.uniform([6, 7], -2, 2, seed: 13)
        let y = lin(Variable(x)).value
        NNTest.assertClose(y.scalars, NNTest.affine(x.scalars, rows: 6, lin.weight.value, lin.bias!.value), tol: 1e-5)
    }

    func testWithoutBias() {
        var rng = SeededRandom(seed: 14)
        let lin = Linear(4, 3, bias: false, rng: &rng)
        XCTAssertNil(lin.bias)
        XCTAssertEqual(lin.namedParameters.map(\.0), ["weight"])
        let x = NNTest.uniform([2, 4], -1, 1, seed: 15)
        NNTest.assertClose(lin(Variable(x)).value.scalars, NNTest.affine(x.scalars, rows: 2, lin.weight.value, nil), tol: 1e-5)
    }

    func testShapesAndParameterNames() {
        var rng = SeededRandom(seed: 16)
        let lin = Linear(5, 3, rng: &rng)
        XCTAssertEqual(lin.weight.shape, [3, 5])
        XCTAssertEqual(lin.bias?.shape, [3])
        XCTAssertEqual(lin.inFeatures, 5)
        XCTAssertEqual(lin.outFeatures, 3)
        XCTAssertEqual(lin.namedParameters.map(\.0), ["weight", "bias"])
        XCTAssertTrue(lin.weight.requiresGrad && lin.bias!.requiresGrad)
    }

    /// PyTorch's nn.Linear default: weight and bias uniform in [-1/sqrt(in), 1/sqrt(in)].
    func testDefaultInitialisationBounds() {
        for (inF, outF) in [(64, 32), (400, 100), (3, 200)] {
            var rng = SeededRandom(seed: UInt64(inF * 1000 + outF))
            let lin = Linear(inF, outF, rng: &rng)
            let bound = 1 / Float(inF).squareRoot()
            let w = lin.weight.value.scalars, b = lin.bias!.value.scalars
            for (name, xs) in [("weight", w), ("bias", b)] {
                XCTAssertTrue(xs.allSatisfy { abs($0) <= bound }, "\(name) outside ±\(bound) for in=\(inF)")
                // Spread over the whole range (not e.g. ±1/in or all positive).
                XCTAssertLessThan(xs.min()!, -0.8 * bound, "\(name) min for in=\(inF)")
                XCTAssertGreaterThan(xs.max()!, 0.8 * bound, "\(name) max for in=\(inF)")
            }
            // Centred, with the variance bound^2 / 3 of a uniform on [-bound, bound].
            let mean = w.reduce(0, +) / Float(w.count)
            XCTAssertLessThan(abs(mean), 0.1 * bound, "weight mean for in=\(inF)")
            let variance = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(w.count)
            XCTAssertEqual(variance, bound * bound / 3, accuracy: 0.1 * bound * bound / 3, "weight variance for in=\(inF)")
            // Not constant.
            XCTAssertGreaterThan(Set(w).count, w.count / 2)
        }
    }

    func testInitialisationIsSeededAndAdvancesTheGenerator() {
        var r1 = SeededRandom(seed: 5), r2 = SeededRandom(seed: 5)
        let a = Linear(6, 4, rng: &r1), b = Linear(6, 4, rng: &r2)
        XCTAssertEqual(a.weight.value, b.weight.value)
        XCTAssertEqual(a.bias!.value, b.bias!.value)
        let c = Linear(6, 4, rng: &r1)
        XCTAssertNotEqual(a.weight.value, c.weight.value)
    }

    func testWorksOnTimeBatchInputs() {
        var rng = SeededRandom(seed: 17)
        let lin = Linear(4, 5, rng: &rng)
        let x = NNTest.uniform([3, 2, 4], -1, 1, seed: 18)
        let y = lin(Variable(x)).value
        XCTAssertEqual(y.shape, [3, 2, 5])
        for t in 0..<3 {
            XCTAssertEqual(y[time: t], lin(Variable(x[time: t])).value, "time step \(t)")
        }
        NNTest.assertClose(y.scalars, NNTest.affine(x.scalars, rows: 6, lin.weight.value, lin.bias!.value), tol: 1e-5)
        // Rank 1 input: a single sample.
        let v = lin(Variable(x[time: 0][time: 1])).value
        XCTAssertEqual(v.shape, [5])
        XCTAssertEqual(v.scalars, Array(y.scalars[5..<10]))
    }

    func testGradCheckWithRespectToInput() {
        var rng = SeededRandom(seed: 19)
        let lin = Linear(4, 3, rng: &rng)
        NNTest.assertGradCheck([NNTest.uniform([2, 3, 4], -1, 1, seed: 20)]) { lin($0[0]) }
    }

    func testGradCheckWithRespectToWeightsAndBias() {
        let x = NNTest.uniform([2, 3, 4], -1, 1, seed: 21)
        var rng = SeededRandom(seed: 22)
        let proto = Linear(4, 3, rng: &rng)
        NNTest.assertGradCheck([x, proto.weight.value, proto.bias!.value]) { vs in
            var r = SeededRandom(seed: 23)
            let lin = Linear(4, 3, rng: &r)
            return NNTest.routed(lin, vs)
        }
    }

    /// d/dW sum(R * (x W^T + b)) = R^T x, d/db = column sums of R, d/dx = R W.
    func testParameterGradientsByHand() {
        var rng = SeededRandom(seed: 24)
        let lin = Linear(3, 2, rng: &rng)
        let x = NNTest.uniform([4, 3], -1, 1, seed: 25)
        let r = NNTest.uniform([4, 2], 0.5, 1.5, seed: 26)
        let xv = Variable(x, requiresGrad: true)
        lin(xv).backward(seed: r)
        var gw = [Float](repeating: 0, count: 6), gb: [Float] = [0, 0], gx = [Float](repeating: 0, count: 12)
        for n in 0..<4 {
            for o in 0..<2 {
                gb[o] += r[n, o]
                for i in 0..<3 {
                    gw[o * 3 + i] += r[n, o] * x[n, i]
                    gx[n * 3 + i] += r[n, o] * lin.weight.value[o, i]
                }
            }
        }
        NNTest.assertClose(lin.weight.grad!.scalars, gw, tol: 1e-5)
        NNTest.assertClose(lin.bias!.grad!.scalars, gb, tol: 1e-5)
        NNTest.assertClose(xv.grad!.scalars, gx, tol: 1e-5)
        // A second backward accumulates.
        lin(xv).backward(seed: r)
        NNTest.assertClose(lin.weight.grad!.scalars, gw.map { 2 * $0 }, tol: 1e-5)
    }
}
