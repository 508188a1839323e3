import XCTest
import SpikeCore
@testable import SpikeNeurons

/// The fused kernel: gradient checks of BPTT (with the smooth forward), reset variants, detach_reset,
/// parameter validation and thread-count independence.
final class NeuronKernelTests: XCTestCase {
    func testLIFGradientChecks() {
        for kind in [Surrogate.Kind.sigmoid, .atan, .erf] {
            let sg = Surrogate(kind, alpha: 1, smoothForward: true)
            gradCheck(LIF(tau: 2, decayInput: true, reset: .hard(0), surrogate: sg))
            gradCheck(LIF(tau: 3, decayInput: false, reset: .soft, surrogate: sg))
            gradCheck(LIF(tau: 1.5, decayInput: true, threshold: 0.8, reset: .hard(-0.2), surrogate: sg))
        }
    }

    func testIFAndLIGradientChecks() {
        let sg = Surrogate(.sigmoid, alpha: 1, smoothForward: true)
        gradCheck(IF(reset: .hard(0), surrogate: sg))
        gradCheck(IF(threshold: 1.5, reset: .soft, surrogate: sg))
        gradCheck(LI(tau: 4, decayInput: true, restingPotential: 0.1))
        gradCheck(LI(tau: 2, decayInput: false))
    }

    func testDetachResetDropsTheResetPath() {
        // One step with a spike: dL/dV[t] flows only through (1 - S) when the reset is detached.
        let sg = Surrogate(.sigmoid)
        let m = LIF(tau: 2, reset: .hard(0), surrogate: sg, detachReset: true)
        let h: Float = 0 + (3 - 0) / 2   // V = 0, X = 3
        let (gx, gPrev) = m.stepVJP(3, Membrane(v: 0), gOut: 0, gNext: Membrane(v: 1))
        XCTAssertEqual(gx, (1 - 1) / 2)   // S = 1, so (1 - S) = 0
        XCTAssertEqual(gPrev.v, 0)
        let attached = LIF(tau: 2, reset: .hard(0), surrogate: sg).stepVJP(3, Membrane(v: 0), gOut: 0, gNext: Membrane(v: 1))
        XCTAssertEqual(attached.gx, (0 - h) * sg.derivative(h - 1) / 2, accuracy: 1e-7)
    }

    func testLIFDynamicsByHand() {
        // decay_input, hard reset: H = V + (X - V) / 2 with tau 2.
        let m = LIF(tau: 2)
        let fwd = NeuronKernel.forward(m, input: [1, 2, 1, 0], steps: 4, elements: 1)
        XCTAssertEqual(fwd.states, [0.5, 0, 0.5, 0.25])     // 0.5; 1.25 fires -> 0; 0.5; 0.25
        XCTAssertEqual(fwd.output, [0, 1, 0, 0])
        let soft = NeuronKernel.forward(LIF(tau: 2, decayInput: false, reset: .soft), input: [1.5, 0], steps: 2, elements: 1)
        XCTAssertEqual(soft.states, [0.5, 0.25])           // 1.5 fires, minus 1; then leaks by half
    }

    func testKernelIsIndependentOfThreadCount() {
        var rng = SeededRandom(seed: 8)
        let (T, M) = (20, 1000)
        let x = Tensor.uniform([T, M], low: 0, high: 1.5, rng: &rng).scalars
        let g = Tensor.uniform([T, M], rng: &rng).scalars
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            let f = NeuronKernel.forward(LIF(), input: x, steps: T, elements: M)
            let b = NeuronKernel.backward(LIF(), input: x, states: f.states, gradOutput: g, steps: T, elements: M)
            results.append(f.output + f.states + b.gradInput)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }

    func testParameterValidation() {
        XCTAssertThrowsError(try NeuronRegistry.lif(parameters: ["tau": "0"])) { XCTAssertTrue("\($0)".contains("tau must be > 0")) }
        XCTAssertThrowsError(try NeuronRegistry.lif(parameters: ["tau": -1.0]))
        XCTAssertThrowsError(try NeuronRegistry.lif(parameters: ["taux": 2.0])) { XCTAssertTrue("\($0)".contains("unknown parameter 'taux'")) }
        XCTAssertThrowsError(try NeuronRegistry.lif(parameters: ["tau": "abc"]))
        XCTAssertThrowsError(try NeuronRegistry.lif(parameters: ["decay_input": "maybe"]))
        XCTAssertThrowsError(try NeuronRegistry.ifModel(parameters: ["reset": "sideways"]))
        XCTAssertThrowsError(try NeuronRegistry.model("hodgkin", parameters: [:])) { XCTAssertTrue("\($0)".contains("unknown neuron model 'hodgkin'")) }
        XCTAssertEqual(try NeuronRegistry.lif(parameters: ["v_reset": "none"]).reset, .soft)
        XCTAssertEqual(try NeuronRegistry.lif(parameters: ["tau": "5", "decay_input": "false", "surrogate": "atan"]),
                       LIF(tau: 5, decayInput: false, surrogate: .atan))
    }
}

final class InferenceKernelTests: XCTestCase {
    func testInferenceKeepsNoHistoryAndGivesTheSameOutput() {
        var rng = SeededRandom(seed: 31)
        let x = Tensor.uniform([30, 40], low: 0, high: 1.2, rng: &rng).scalars
        let full = NeuronKernel.forward(LIF(tau: 3), input: x, steps: 30, elements: 40)
        let lean = NeuronKernel.forward(LIF(tau: 3), input: x, steps: 30, elements: 40, keepStates: false)
        XCTAssertEqual(full.output, lean.output)
        XCTAssertTrue(lean.states.isEmpty)
        XCTAssertEqual(full.states.count, 30 * 40)
    }
}
