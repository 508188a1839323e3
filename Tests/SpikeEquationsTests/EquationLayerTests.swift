import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN
@testable import SpikeEquations

final class EquationLayerTests: XCTestCase {
    func testRecurrentLayerGradientCheck() throws {
        // An adaptive exponential equation model in a recurrent layer: the input's gradient through time and
        // through the recurrent weights against central differences (smooth surrogate forward).
        let eq = try EquationModel(equations: """
            dv/dt = (I - v + 0.2*exp(v - 1) - w)/tau : 1
            dw/dt = (0.3*v - w)/tauw : 1
            I : 1
            """, threshold: "v > 1.5", reset: "v = 0; w += 0.1", method: "rk2",
            parameters: ["tau": "4*ms", "tauw": "30*ms"], input: "I", dt: "1*ms",
            surrogate: Surrogate(.sigmoid, alpha: 4, smoothForward: true))
        var rng = SeededRandom(seed: 12)
        let layer = RecurrentSpikingLayer(eq, neurons: 3, gain: 0.5, rng: &rng)
        let x = Tensor.uniform([6, 2, 3], low: 0, high: 2, rng: &rng)
        let r = GradCheck.check([x], eps: 1e-2, atol: 5e-3, rtol: 1e-2) { v in layer(v[0]) }
        XCTAssertTrue(r.passed, "\(r)")
        // The recurrent weights receive a gradient too.
        let y = layer(Variable(x, requiresGrad: true))
        y.sum().backward()
        XCTAssertGreaterThan(layer.weight.grad?.scalars.map { abs($0) }.max() ?? 0, 0)
    }
}
