import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

final class SpikingLayerTests: XCTestCase {
    static let smooth = Surrogate(.sigmoid, alpha: 1, smoothForward: true)

    // MARK: Forward by hand

    func testLIFByHandOnTimeBatchLayout() {
        // Neuron (b, n) gets a constant drive; LIF tau 2, hard reset 0, threshold 1:
        // drive 1.5: H = 0.75, 1.125 (fire, V = 0), 0.75, 1.125 (fire) ...; drive 0.5: never; drive 3: always.
        let drives: [Float] = [1.5, 0.5, 3, 0]
        let T = 4
        let x = Tensor(shape: [T, 2, 2], scalars: (0..<T).flatMap { _ in drives })
        let y = SpikingLayer(LIF(tau: 2))(Variable(x)).value
        XCTAssertEqual(y.shape, [T, 2, 2])
        let expected: [[Float]] = [[0, 0, 1, 0], [1, 0, 1, 0], [0, 0, 1, 0], [1, 0, 1, 0]]
        for t in 0..<T { XCTAssertEqual(y[time: t].scalars, expected[t], "step \(t)") }
    }

    func testLIOutputsTheMembraneAndRecordsStates() {
        let layer = SpikingLayer(LI(tau: 2))
        layer.recordStates = true
        let x = Tensor(shape: [3, 1, 2], scalars: [1, -2, 1, -2, 0, 4])
        let y = layer(Variable(x)).value
        // V = V + (X - V) / 2.
        NNTest.assertClose(y.scalars, [0.5, -1, 0.75, -1.5, 0.375, 1.25], tol: 1e-6)
        XCTAssertEqual(layer.lastStates, y.scalars)
    }

    func testEveryCallStartsFromTheInitialState() {
        let layer = SpikingLayer(LIF(tau: 3, reset: .soft))
        let x = Variable(NNTest.uniform([6, 2, 3], 0, 2, seed: 1))
        let y1 = layer(x).value
        XCTAssertEqual(layer(x).value, y1)
    }

    // MARK: Gradient checks (smooth forward)

    func testGradCheckThroughLinearAndLIF() {
        let x = NNTest.uniform([6, 2, 4], 0, 2, seed: 2)
        var rng = SeededRandom(seed: 3)
        let proto = Linear(4, 3, rng: &rng)
        for model in [LIF(surrogate: Self.smooth),
                      LIF(tau: 3, decayInput: false, threshold: 0.8, reset: .soft, surrogate: Self.smooth),
                      LIF(tau: 1.5, reset: .hard(-0.2), surrogate: Self.smooth)] {
            // Input only.
            NNTest.assertGradCheck([x], "\(model)") { vs in
                SpikingLayer(model)(proto(vs[0]))
            }
            // Input, weight and bias.
            NNTest.assertGradCheck([x, proto.weight.value, proto.bias!.value], "\(model)") { vs in
                var r = SeededRandom(seed: 3)
                let net = Sequential { Linear(4, 3, rng: &r); SpikingLayer(model) }
                return NNTest.routed(net, vs)
            }
        }
    }

    func testGradCheckIFAndLIAfterLinear() {
        let x = NNTest.uniform([5, 2, 3], -0.5, 1.5, seed: 4)
        var rng = SeededRandom(seed: 5)
        let lin = Linear(3, 4, rng: &rng)
        NNTest.assertGradCheck([x]) { SpikingLayer(IF(threshold: 0.7, surrogate: Self.smooth))(lin($0[0])) }
        NNTest.assertGradCheck([x]) { SpikingLayer(IF(reset: .soft, surrogate: Self.smooth))(lin($0[0])) }
        NNTest.assertGradCheck([x]) { SpikingLayer(LI(tau: 3))(lin($0[0])) }
        NNTest.assertGradCheck([x]) { SpikingLayer(LI(tau: 2, decayInput: false, restingPotential: 0.2))(lin($0[0])) }
    }

    func testGradCheckTwoSpikingLayers() {
        let x = NNTest.uniform([5, 1, 3], 0, 2, seed: 6)
        var rng = SeededRandom(seed: 7)
        let proto = Sequential {
            Linear(3, 4, rng: &rng)
            SpikingLayer(LIF(surrogate: Self.smooth))
            Linear(4, 2, rng: &rng)
            SpikingLayer(LI(tau: 2))
        }
        NNTest.assertGradCheck([x] + proto.parameters.map(\.value)) { vs in NNTest.routed(proto, vs) }
    }

    // MARK: Fused layer == cell looped over time (Heaviside forward)

    func assertFusedMatchesCell<Model: NeuronModel>(_ model: Model, _ name: String, seed: UInt64,
                                                    file: StaticString = #filePath, line: UInt = #line) {
        let x = NNTest.uniform([8, 3, 5], -0.5, 2.5, seed: seed)
        let r = NNTest.uniform([8, 3, 5], -1, 1, seed: seed + 1)
        let xf = Variable(x, requiresGrad: true), xc = Variable(x, requiresGrad: true)
        let yf = SpikingLayer(model)(xf)
        let yc = NeuronCell(model)(xc)
        XCTAssertEqual(yf.shape, yc.shape, file: file, line: line)
        XCTAssertEqual(yf.value.scalars, yc.value.scalars, "\(name): outputs differ", file: file, line: line)
        if Model.isSpiking {
            let spikes = yf.value.scalars.filter { $0 == 1 }.count
            XCTAssertTrue(spikes > 0 && spikes < x.count, "\(name): \(spikes) spikes, need some", file: file, line: line)
            XCTAssertTrue(yf.value.scalars.allSatisfy { $0 == 0 || $0 == 1 }, file: file, line: line)
        }
        yf.backward(seed: r)
        yc.backward(seed: r)
        NNTest.assertClose(xf.grad!.scalars, xc.grad!.scalars, tol: 1e-6, "\(name): input gradients", file: file, line: line)
        XCTAssertGreaterThan(xf.grad!.scalars.map(abs).max()!, 1e-3, "\(name): gradient vanished", file: file, line: line)
    }

    func testFusedLayerEqualsCellLoop() {
        assertFusedMatchesCell(LIF(), "LIF hard", seed: 10)
        assertFusedMatchesCell(LIF(tau: 3, reset: .soft), "LIF soft", seed: 12)
        assertFusedMatchesCell(LIF(tau: 2.5, decayInput: false, threshold: 1.2, reset: .hard(-0.1), surrogate: .atan), "LIF no decay", seed: 14)
        assertFusedMatchesCell(LIF(detachReset: true), "LIF detach", seed: 16)
        assertFusedMatchesCell(IF(), "IF hard", seed: 18)
        assertFusedMatchesCell(IF(threshold: 1.5, reset: .soft, surrogate: Surrogate(.triangle)), "IF soft", seed: 20)
        assertFusedMatchesCell(LI(tau: 2), "LI", seed: 22)
        assertFusedMatchesCell(LI(tau: 4, decayInput: false, restingPotential: 0.3), "LI no decay", seed: 24)
    }

    // MARK: NeuronCell

    func testCellOneStepByHand() {
        let cell = NeuronCell(LIF(tau: 2))
        let x = Variable(Tensor([[3.0, 0.5], [2.0, 1.0]]))
        let v0 = Variable(Tensor([[0.0, 0.4], [-1.0, 1.0]]))
        let (o, s) = cell(x, state: [v0])
        // H = V + (X - V) / 2 = [1.5, 0.45, 0.5, 1.0]: spikes where H >= 1, V reset to 0 there.
        XCTAssertEqual(o.shape, [2, 2])
        XCTAssertEqual(s.count, 1)
        XCTAssertEqual(s[0].shape, [2, 2])
        XCTAssertEqual(o.value.scalars, [1, 0, 0, 1])
        NNTest.assertClose(s[0].value.scalars, [0, 0.45, 0.5, 0], tol: 1e-6)
        // nil state is the model's initial state.
        let (o0, s0) = cell(x, state: nil)
        let (o1, s1) = cell(x, state: [Variable(.zeros([2, 2]))])
        XCTAssertEqual(o0.value, o1.value)
        XCTAssertEqual(s0[0].value, s1[0].value)
        let li = NeuronCell(LI(tau: 2, restingPotential: 0.3))
        let (a, _) = li(x, state: nil), (b, _) = li(x, state: [Variable(.full([2, 2], 0.3))])
        XCTAssertEqual(a.value, b.value)
    }

    func testCellGradCheckWithExplicitState() {
        let x = NNTest.uniform([2, 3], 0, 2, seed: 30)
        let x2 = NNTest.uniform([2, 3], 0, 2, seed: 31)
        let v0 = NNTest.uniform([2, 3], -0.5, 1, seed: 32)
        func check<Model: NeuronModel>(_ model: Model, _ name: String) {
            let cell = NeuronCell(model)
            // One step: gradients of output and next state w.r.t. input and previous state.
            NNTest.assertGradCheck([x, v0], name) { vs in
                let (o, s) = cell(vs[0], state: [vs[1]])
                return Variable.stack([o, s[0]])
            }
            // Only the state is used downstream.
            NNTest.assertGradCheck([x, v0], name) { vs in cell(vs[0], state: [vs[1]]).state[0] }
            // Two steps chained through the state.
            NNTest.assertGradCheck([x, x2, v0], name) { vs in
                let (o1, s1) = cell(vs[0], state: [vs[2]])
                let (o2, s2) = cell(vs[1], state: s1)
                return Variable.stack([o1, o2, s2[0]])
            }
        }
        check(LIF(surrogate: Self.smooth), "LIF hard")
        check(LIF(tau: 3, reset: .soft, surrogate: Self.smooth), "LIF soft")
        check(IF(surrogate: Self.smooth), "IF")
        check(LI(tau: 2), "LI")
    }

    func testCellStateGradientByHandForLI() {
        // LI: V' = V + (X - V) / tau  =>  dV'/dX = 1/tau, dV'/dV = 1 - 1/tau.
        let cell = NeuronCell(LI(tau: 4))
        let x = Variable(Tensor([1, 2]), requiresGrad: true)
        let v = Variable(Tensor([0.5, -0.5]), requiresGrad: true)
        let (o, s) = cell(x, state: [v])
        (o * 2 + s[0] * 3).sum().backward()
        NNTest.assertClose(x.grad!.scalars, [5.0 / 4, 5.0 / 4], tol: 1e-6)
        NNTest.assertClose(v.grad!.scalars, [5 * 0.75, 5 * 0.75], tol: 1e-6)
    }
}
