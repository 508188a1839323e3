import XCTest
import SpikeCore
@testable import SpikeNeurons

/// Per-neuron parameters, parameter gradients of the fused backward, and mismatch.
final class ParameterTableTests: XCTestCase {
    /// A table with each neuron's own values runs each element with its neuron's model.
    func testPerNeuronParametersEqualSeparateRuns() {
        var rng = SeededRandom(seed: 4)
        let (T, B, N) = (15, 3, 4)
        let x = Tensor.uniform([T, B * N], low: 0, high: 1.2, rng: &rng).scalars
        let base = LIF(tau: 2, reset: .hard(0))
        var table = NeuronParameterTable(base, neurons: N)
        table["tau"] = [1.5, 2, 3, 5]
        table["v_threshold"] = [0.5, 1, 0.8, 1.2]
        let fwd = NeuronKernel.forward(base, input: x, steps: T, elements: B * N, table: table)
        for n in 0..<N {
            let m = LIF(tau: table["tau"][n], threshold: table["v_threshold"][n], reset: .hard(0))
            for b in 0..<B {
                let col = (0..<T).map { x[$0 * B * N + b * N + n] }
                let single = NeuronKernel.forward(m, input: col, steps: T, elements: 1)
                XCTAssertEqual((0..<T).map { fwd.output[$0 * B * N + b * N + n] }, single.output)
                XCTAssertEqual((0..<T).map { fwd.states[$0 * B * N + b * N + n] }, single.states)
            }
        }
    }

    func testParameterGradientsOfCoreModels() {
        let sg = Surrogate(.sigmoid, alpha: 1, smoothForward: true)
        gradCheckParameters(LIF(tau: 2, decayInput: true, reset: .hard(0), surrogate: sg))
        gradCheckParameters(LIF(tau: 3, decayInput: false, reset: .soft, surrogate: sg))
        gradCheckParameters(LIF(tau: 2, threshold: 0.7, reset: .hard(-0.1), surrogate: sg))   // (detach_reset is not the true gradient)
        gradCheckParameters(IF(threshold: 1.2, reset: .soft, surrogate: sg))
        gradCheckParameters(LI(tau: 3, decayInput: true, restingPotential: 0.2))
        gradCheckParameters(LI(tau: 2, decayInput: false))
    }

    func testMismatchIsSeededRelativeAndStaysInDomain() throws {
        var a = NeuronParameterTable(LIF(tau: 10), neurons: 2000)
        try a.addMismatch("tau", fraction: 0.1, seed: 5, model: LIF.self)
        var b = NeuronParameterTable(LIF(tau: 10), neurons: 2000)
        try b.addMismatch("tau", fraction: 0.1, seed: 5, model: LIF.self)
        XCTAssertEqual(a, b)
        let taus = a["tau"]
        let mean = taus.reduce(0, +) / Float(taus.count)
        let sd = (taus.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(taus.count)).squareRoot()
        XCTAssertEqual(mean, 10, accuracy: 0.1)
        XCTAssertEqual(sd, 1, accuracy: 0.08)
        XCTAssertEqual(a["v_threshold"], [Float](repeating: 1, count: 2000))
        // A wide spread is truncated to the domain (tau > 0).
        var w = NeuronParameterTable(LIF(tau: 1), neurons: 500)
        try w.addMismatch("tau", fraction: 0.9, seed: 1, model: LIF.self)
        XCTAssertTrue(w["tau"].allSatisfy { $0 > 0 })
        XCTAssertThrowsError(try w.addMismatch("taux", fraction: 0.1, seed: 1, model: LIF.self)) {
            XCTAssertTrue("\($0)".contains("no parameter 'taux'"), "\($0)")
        }
        XCTAssertThrowsError(try w.addMismatch("tau", fraction: 1.5, seed: 1, model: LIF.self))
        var bad = NeuronParameterTable(LIF(), neurons: 2)
        bad["tau"] = [1, -1]
        XCTAssertThrowsError(try bad.validate(for: LIF.self)) { XCTAssertEqual("\($0)", "lif: tau of neuron 1 must be > 0, got -1.0") }
    }
}
