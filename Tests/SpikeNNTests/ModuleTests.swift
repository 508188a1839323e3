import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

final class SequentialTests: XCTestCase {
    func testResultBuilderAndPyTorchParameterNames() {
        var rng = SeededRandom(seed: 1)
        let net = Sequential {
            Linear(4, 5, rng: &rng)
            SpikingLayer(LIF())
            Linear(5, 3, rng: &rng)
            SpikingLayer(LI())
        }
        XCTAssertEqual(net.layers.count, 4)
        XCTAssertEqual(net.children.map(\.0), ["0", "1", "2", "3"])
        XCTAssertEqual(net.namedParameters.map(\.0), ["0.weight", "0.bias", "2.weight", "2.bias"])
        let l0 = net.layers[0] as! Linear, l2 = net.layers[2] as! Linear
        let expected = [l0.weight, l0.bias!, l2.weight, l2.bias!]
        XCTAssertEqual(net.parameters.count, 4)
        for (p, e) in zip(net.parameters, expected) { XCTAssertTrue(p === e, "parameters are the layers' own variables") }
        XCTAssertEqual(net.parameters.map(\.shape), [[5, 4], [5], [3, 5], [3]])
    }

    func testNestedSequentialNames() {
        var rng = SeededRandom(seed: 2)
        let net = Sequential {
            Linear(2, 3, rng: &rng)
            Sequential {
                Linear(3, 3, bias: false, rng: &rng)
                SpikingLayer(IF())
                Linear(3, 4, rng: &rng)
            }
            Linear(4, 2, rng: &rng)
        }
        XCTAssertEqual(net.namedParameters.map(\.0),
                       ["0.weight", "0.bias", "1.0.weight", "1.2.weight", "1.2.bias", "2.weight", "2.bias"])
    }

    func testBuilderControlFlow() {
        var rng = SeededRandom(seed: 3)
        let withFlatten = true, withDropout = false
        let net = Sequential {
            if withFlatten { Flatten() }
            for _ in 0..<3 { Linear(4, 4, rng: &rng) }
            if withDropout { Dropout() } else { SpikingLayer(LIF()) }
        }
        XCTAssertEqual(net.layers.count, 5)
        XCTAssertTrue(net.layers[0] is Flatten)
        XCTAssertTrue(net.layers[4] is SpikingLayer<LIF>)
        XCTAssertEqual(net.namedParameters.map(\.0), ["1.weight", "1.bias", "2.weight", "2.bias", "3.weight", "3.bias"])
        let empty = Sequential { if withDropout { Dropout() } }
        XCTAssertTrue(empty.layers.isEmpty)
        let x = Variable(Tensor([1, 2]))
        XCTAssertTrue(empty(x) === x, "an empty Sequential is the identity")
    }

    func testForwardComposesLayersInOrder() {
        var rng = SeededRandom(seed: 4)
        let a = Linear(3, 4, rng: &rng), b = Linear(4, 2, rng: &rng)
        let lif = SpikingLayer(LIF(tau: 1.5))
        let net = Sequential(layers: [a, lif, b])
        let x = Variable(NNTest.uniform([5, 2, 3], 0, 3, seed: 5))
        XCTAssertEqual(net(x).value, b(lif(a(x))).value)
        let net2 = Sequential { a; lif; b }
        XCTAssertEqual(net2(x).value, net(x).value)
    }

    func testZeroGradClearsEveryParameter() {
        var rng = SeededRandom(seed: 6)
        let net = Sequential {
            Linear(3, 4, rng: &rng)
            Sequential { Linear(4, 4, rng: &rng) }
            Linear(4, 2, rng: &rng)
        }
        let x = Variable(NNTest.uniform([2, 3], -1, 1, seed: 7))
        net(x).sum().backward()
        XCTAssertEqual(net.parameters.count, 6)
        XCTAssertTrue(net.parameters.allSatisfy { $0.grad != nil })
        net.zeroGrad()
        XCTAssertTrue(net.parameters.allSatisfy { $0.grad == nil })
        // Gradients after zeroGrad are fresh, not accumulated onto the old ones.
        net(x).sum().backward()
        let g1 = net.parameters.map { $0.grad! }
        net.zeroGrad()
        net(x).sum().backward()
        XCTAssertEqual(net.parameters.map { $0.grad! }, g1)
    }

    func testSetTrainingReachesNestedDropout() {
        let drop = Dropout(p: 0.5, seed: 1)
        let net = Sequential { Flatten(); Sequential { drop } }
        let x = Variable(NNTest.uniform([2, 3, 8], 1, 2, seed: 8))
        net.setTraining(false)
        XCTAssertFalse(drop.training)
        XCTAssertEqual(net(x).value, x.value)
        net.setTraining(true)
        XCTAssertTrue(drop.training)
        XCTAssertNotEqual(net(x).value, x.value)
    }
}

final class FlattenTests: XCTestCase {
    func testFlattensFromAxisTwoByDefault() {
        let x = NNTest.uniform([2, 3, 2, 2, 2], -1, 1, seed: 9)
        let y = Flatten()(Variable(x)).value
        XCTAssertEqual(y.shape, [2, 3, 8])
        XCTAssertEqual(y.scalars, x.scalars)
        XCTAssertEqual(Flatten(startAxis: 1)(Variable(x)).shape, [2, 24])
        XCTAssertEqual(Flatten(startAxis: 0)(Variable(x)).shape, [48])
        // Already flat, or fewer axes: unchanged.
        XCTAssertEqual(Flatten()(Variable(Tensor.zeros([4, 5, 6]))).shape, [4, 5, 6])
        XCTAssertEqual(Flatten()(Variable(Tensor.zeros([4, 5]))).shape, [4, 5])
        XCTAssertTrue(Flatten().namedParameters.isEmpty)
    }

    func testGradientIsReshapedBack() {
        NNTest.assertGradCheck([NNTest.uniform([2, 2, 3, 2], -1, 1, seed: 10)]) { Flatten()($0[0]) * $0[0].reshaped([2, 2, 6]) }
        let x = Variable(Tensor.zeros([2, 3, 2, 2]), requiresGrad: true)
        Flatten()(x).backward(seed: NNTest.uniform([2, 3, 4], -1, 1, seed: 11))
        XCTAssertEqual(x.grad?.shape, [2, 3, 2, 2])
        XCTAssertEqual(x.grad?.scalars, NNTest.uniform([2, 3, 4], -1, 1, seed: 11).scalars)
    }
}

final class DropoutTests: XCTestCase {
    /// The zero/non-zero pattern of `y[t]` for every t.
    func patterns(_ y: Tensor) -> [[Bool]] { (0..<y.shape[0]).map { t in y[time: t].scalars.map { $0 != 0 } } }

    func testMaskSharedAcrossTimeAndScaled() {
        let p: Float = 0.3
        let drop = Dropout(p: p, seed: 42)
        let x = NNTest.uniform([5, 4, 50], 0.5, 1.5, seed: 12)  // no zeros in x
        let y = drop(Variable(x)).value
        XCTAssertEqual(y.shape, x.shape)
        let pats = patterns(y)
        for t in 1..<5 { XCTAssertEqual(pats[t], pats[0], "time step \(t) has its own mask") }
        XCTAssertTrue(pats[0].contains(false) && pats[0].contains(true))
        // Kept elements are x / (1 - p).
        for i in 0..<x.count where y.scalars[i] != 0 {
            XCTAssertEqual(y.scalars[i], x.scalars[i] / (1 - p), accuracy: 1e-6 * abs(x.scalars[i]) + 1e-7)
        }
        // Different samples of the batch get different masks.
        let sample = { (b: Int) in Array(pats[0][(b * 50)..<((b + 1) * 50)]) }
        XCTAssertNotEqual(sample(0), sample(1))
    }

    func testDropFractionNearP() {
        for p: Float in [0.2, 0.5, 0.8] {
            let drop = Dropout(p: p, seed: 7)
            let y = drop(Variable(Tensor.ones([2, 50, 200]))).value
            let zeros = y[time: 0].scalars.filter { $0 == 0 }.count
            XCTAssertEqual(Float(zeros) / 10_000, p, accuracy: 0.02, "p = \(p)")
            // E[y] = x.
            XCTAssertEqual(y.mean(), 1, accuracy: 0.05, "p = \(p)")
            let kept = y.scalars.filter { $0 != 0 }
            XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / (1 - p)) < 1e-5 })
        }
    }

    func testIdentityWhenNotTrainingOrPZero() {
        let drop = Dropout(p: 0.5, seed: 1)
        drop.setTraining(false)
        let x = Variable(NNTest.uniform([3, 2, 4], -1, 1, seed: 13))
        XCTAssertEqual(drop(x).value, x.value)
        drop.setTraining(true)
        XCTAssertNotEqual(drop(x).value, x.value)
        XCTAssertEqual(Dropout(p: 0)(x).value, x.value)
    }

    func testSameSeedSameMaskAndFreshMaskPerCall() {
        let x = Variable(Tensor.ones([3, 4, 16]))
        let a = Dropout(p: 0.4, seed: 99), b = Dropout(p: 0.4, seed: 99), c = Dropout(p: 0.4, seed: 100)
        let ya = a(x).value, yb = b(x).value
        XCTAssertEqual(ya, yb)
        XCTAssertNotEqual(ya, c(x).value)
        // The next call draws a new mask (and the twin layer follows the same sequence).
        let ya2 = a(x).value
        XCTAssertNotEqual(ya2, ya)
        XCTAssertEqual(b(x).value, ya2)
    }

    func testGradientIsTheMask() {
        let drop = Dropout(p: 0.5, seed: 3)
        let x = Variable(NNTest.uniform([4, 3, 6], 0.5, 1.5, seed: 14), requiresGrad: true)
        let y = drop(x)
        let r = NNTest.uniform([4, 3, 6], -1, 1, seed: 15)
        y.backward(seed: r)
        for i in 0..<x.value.count {
            let expected = y.value.scalars[i] == 0 ? 0 : r.scalars[i] * 2
            XCTAssertEqual(x.grad!.scalars[i], expected, accuracy: 1e-6)
        }
    }
}
