import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

/// Learnable and per-neuron neuron parameters in the spiking layers, and the recurrent layer.
final class NeuronParameterLayerTests: XCTestCase {
    static let smooth = Surrogate(.sigmoid, alpha: 1, smoothForward: true)

    func testLearnableSharedAndPerNeuronParametersPassGradientChecks() throws {
        let x = NNTest.uniform([6, 2, 3], 0, 2, seed: 2)
        let shared = try SpikingLayer(LIF(tau: 2, surrogate: Self.smooth), learn: ["tau", "v_threshold"])
        XCTAssertEqual(shared.namedParameters.map(\.0), ["tau", "v_threshold"])
        XCTAssertEqual(shared.parameters.learnable.map(\.value.shape), [[1], [1]])
        NNTest.assertGradCheck([x, shared.parameters.learnable[0].value.value, shared.parameters.learnable[1].value.value]) { vs in
            NNTest.routed(shared, vs)
        }
        let per = try SpikingLayer(LIF(tau: 3, decayInput: false, reset: .soft, surrogate: Self.smooth), learn: ["tau"], perNeuron: 3)
        per.parameters.learnable[0].value.value = Tensor([2, 3, 4])
        NNTest.assertGradCheck([x, per.parameters.learnable[0].value.value]) { vs in NNTest.routed(per, vs) }
        XCTAssertThrowsError(try SpikingLayer(LIF(), learn: ["decay"])) {
            XCTAssertEqual("\($0)", "lif: 'decay' is not learnable (learnable: tau, v_threshold)")
        }
    }

    func testLearnableTauTrainsTowardsATarget() throws {
        // A leaky integrator whose tau is learned so that its trace matches one made with tau 4.
        let x = NNTest.uniform([20, 4, 2], 0, 1, seed: 5)
        let target = SpikingLayer(LI(tau: 4))(Variable(x)).value
        let layer = try SpikingLayer(LI(tau: 2), learn: ["tau"])
        let opt = Adam(layer.parameters.learnable.map(\.value), learningRate: 0.05)
        for _ in 0..<200 {
            layer.zeroGrad()
            let y = layer(Variable(x))
            let d = y - Variable(target)
            (d * d).sum().backward()
            opt.step()
        }
        XCTAssertEqual(layer.parameters.learnable[0].value.value.scalars[0], 4, accuracy: 0.05)
    }

    func testMismatchMakesNeuronsDifferAndIsSeeded() throws {
        let a = SpikingLayer(LIF(tau: 5)), b = SpikingLayer(LIF(tau: 5))
        try a.addMismatch("tau", fraction: 0.2, seed: 3, neurons: 4)
        try b.addMismatch("tau", fraction: 0.2, seed: 3, neurons: 4)
        let taus = try XCTUnwrap(a.parameters.table)["tau"]
        XCTAssertEqual(taus, try XCTUnwrap(b.parameters.table)["tau"])
        XCTAssertEqual(Set(taus).count, 4)
        // Each neuron behaves as a LIF with its own tau.
        let x = NNTest.uniform([10, 2, 4], 0, 1.5, seed: 1)
        let y = a(Variable(x)).value
        for n in 0..<4 {
            let single = SpikingLayer(LIF(tau: taus[n]))
            let col = Tensor(shape: [10, 2, 1], scalars: (0..<20).map { x.scalars[$0 * 4 + n] })
            XCTAssertEqual(single(Variable(col)).value.scalars, (0..<20).map { y.scalars[$0 * 4 + n] })
        }
        XCTAssertThrowsError(try a.addMismatch("tau", fraction: 0.1, seed: 1, neurons: 5))
    }

    func testNeuronCellWithLearnableParametersEqualsTheFusedLayer() throws {
        let x = NNTest.uniform([5, 2, 3], 0, 2, seed: 7)
        let layer = try SpikingLayer(LIF(tau: 2.5, surrogate: .atan), learn: ["tau", "v_threshold"])
        let cell = NeuronCell(LIF(tau: 2.5, surrogate: .atan))
        try cell.parameters.learn(["tau", "v_threshold"])
        let xv1 = Variable(x, requiresGrad: true), xv2 = Variable(x, requiresGrad: true)
        let y1 = layer(xv1), y2 = cell(xv2)
        XCTAssertEqual(y1.value, y2.value)
        y1.sum().backward(); y2.sum().backward()
        NNTest.assertClose(xv1.grad!.scalars, xv2.grad!.scalars, tol: 1e-5)
        for (a, b) in zip(layer.parameters.learnable, cell.parameters.learnable) {
            NNTest.assertClose(a.value.grad!.scalars, b.value.grad!.scalars, tol: 1e-4)
        }
    }

    func testRecurrentLayerByHandAndGradientCheck() {
        // Two IF neurons, neuron 0 driven to fire at step 0; W[1][0] = 0.6 carries its spike to neuron 1 at step 1.
        var rng = SeededRandom(seed: 1)
        let layer = RecurrentSpikingLayer(IF(), neurons: 2, rng: &rng)
        layer.weight.value = Tensor(shape: [2, 2], scalars: [5, 0, 0.6, 5])    // the diagonal is masked
        let x = Tensor(shape: [3, 1, 2], scalars: [1, 0.5, 0, 0, 0, 0])
        let y = layer(Variable(x)).value
        XCTAssertEqual(y.scalars, [1, 0, 0, 1, 0, 0])   // 0.5 + 0.6 = 1.1 fires at step 1; no self-excitation
        let withSelf = RecurrentSpikingLayer(IF(), neurons: 2, selfConnections: true, rng: &rng)
        withSelf.weight.value = Tensor(shape: [2, 2], scalars: [1, 0, 0.6, 0])
        XCTAssertEqual(withSelf(Variable(x)).value.scalars, [1, 0, 1, 1, 1, 0])

        let xs = NNTest.uniform([5, 2, 3], 0, 1.5, seed: 4)
        for selfConn in [false, true] {
            var r = SeededRandom(seed: 2)
            let rec = RecurrentSpikingLayer(LIF(tau: 2, surrogate: Self.smooth), neurons: 3, selfConnections: selfConn, gain: 2, rng: &r)
            try? rec.learn(["tau"])
            let ps = rec.parameters
            NNTest.assertGradCheck([xs, rec.weight.value, ps.learnable[0].value.value], "self \(selfConn)") { vs in NNTest.routed(rec, vs) }
            // The masked diagonal gets no gradient.
            rec.zeroGrad()
            rec(Variable(xs)).sum().backward()
            if !selfConn { for i in 0..<3 { XCTAssertEqual(rec.weight.grad!.scalars[i * 3 + i], 0) } }
        }
    }
}
