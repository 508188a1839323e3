import XCTest
import SpikeCore
@testable import SpikeNeurons

/// snnTorch's Leaky, Synaptic and Alpha: reference traces, snnTorch's step order (reset from the previous
/// membrane, strict threshold), gradients and registry.
final class SnnTorchNeuronTests: XCTestCase {
    /// Runs `model` on one input column and returns the output and every state trace (`[T]` each).
    func run<M: NeuronModel>(_ model: M, _ x: [Float]) -> (out: [Float], states: [[Float]]) {
        let f = NeuronKernel.forward(model, input: x, steps: x.count, elements: 1)
        let S = M.State.count
        return (f.output, (0..<S).map { k in (0..<x.count).map { f.states[$0 * S + k] } })
    }

    // MARK: reference traces (snnTorch 1.0, fast_sigmoid slope 25)

    func testLeakyMatchesSnnTorchTrace() throws {
        let c = try ReferenceFixture("snntorch_leaky_0")
        let model = try NeuronRegistry.snnTorchLeaky(parameters: c.params)
        XCTAssertEqual(model, SnnTorchLeaky(beta: 0.9, threshold: 1, resetMechanism: .subtract, surrogate: Surrogate(.fastSigmoid, alpha: 25)))
        assertMatches(model, c)
        XCTAssertGreaterThan(c.spikes.scalars.reduce(0, +), 50, "the trace should exercise the reset")
    }

    func testSynapticMatchesSnnTorchTrace() throws {
        let c = try ReferenceFixture("snntorch_synaptic_0")
        let model = try NeuronRegistry.snnTorchSynaptic(parameters: c.params)
        XCTAssertEqual(model, SnnTorchSynaptic(alpha: 0.8, beta: 0.9, threshold: 1, resetMechanism: .subtract,
                                               surrogate: Surrogate(.fastSigmoid, alpha: 25)))
        assertMatches(model, c)
    }

    // MARK: snnTorch's step order, by hand

    /// The reset of a spike at step t is applied at step t+1 (v stays above threshold on the spike step),
    /// and each reset mechanism does what snnTorch's code does.
    func testLeakyResetIsAppliedOnTheNextStep() {
        let x: [Float] = [1.5, 0, 0.2]
        let sub = run(SnnTorchLeaky(beta: 0.5, resetMechanism: .subtract), x)
        XCTAssertEqual(sub.out, [1, 0, 0])
        XCTAssertEqual(sub.states[0], [1.5, 0.75 - 1, -0.125 + 0.2])
        // "zero" zeroes the old membrane before the input is added (Leaky._base_zero).
        let zero = run(SnnTorchLeaky(beta: 0.5, resetMechanism: .zero), x)
        XCTAssertEqual(zero.states[0], [1.5, 0, 0.2])
        let none = run(SnnTorchLeaky(beta: 0.5, resetMechanism: .none), x)
        XCTAssertEqual(none.states[0], [1.5, 0.75, 0.375 + 0.2])
        XCTAssertEqual(none.out, [1, 0, 0])
    }

    /// snnTorch fires on `U - U_thr > 0`: a membrane exactly at threshold neither spikes nor resets.
    func testThresholdIsStrict() {
        let leaky = run(SnnTorchLeaky(beta: 0.5, threshold: 1), [1, 0.5, 0.25])
        XCTAssertEqual(leaky.out, [0, 0, 0])
        XCTAssertEqual(leaky.states[0], [1, 1, 0.75])
        let syn = run(SnnTorchSynaptic(alpha: 0, beta: 0, threshold: 1), [1, 1])
        XCTAssertEqual(syn.out, [0, 0])
        XCTAssertEqual(syn.states[1], [1, 1])
    }

    /// Synaptic's "zero" zeroes the new membrane (`mem -= R (beta mem + syn)`), and never resets the current.
    func testSynapticResetMechanisms() {
        let x: [Float] = [1.5, 0, 0]
        let zero = run(SnnTorchSynaptic(alpha: 0.5, beta: 0.5, resetMechanism: .zero), x)
        XCTAssertEqual(zero.out, [1, 0, 0])
        XCTAssertEqual(zero.states[0], [1.5, 0.75, 0.375])
        XCTAssertEqual(zero.states[1], [1.5, 0, 0.375])
        let sub = run(SnnTorchSynaptic(alpha: 0.5, beta: 0.5, resetMechanism: .subtract), x)
        XCTAssertEqual(sub.states[1], [1.5, 0.5, 0.625])
        XCTAssertEqual(sub.out, [1, 0, 0])
    }

    /// Alpha's unit-pulse response without reset is the alpha-like difference of exponentials
    /// `U[t] = τ_α (α^t - β^t)`, `τ_α = log α / (log β - log α) + 1`: zero at the pulse, then a delayed peak.
    func testAlphaPulseResponseIsADifferenceOfExponentials() {
        let (a, b): (Float, Float) = (0.9, 0.6)
        let model = SnnTorchAlpha(alpha: a, beta: b, threshold: 100, resetMechanism: .none)
        var x = [Float](repeating: 0, count: 12); x[0] = 1
        let r = run(model, x)
        let tau = log(a) / (log(b) - log(a)) + 1
        for t in 0..<12 {
            XCTAssertEqual(r.states[0][t], pow(a, Float(t)), accuracy: 1e-6)
            XCTAssertEqual(r.states[1][t], -pow(b, Float(t)), accuracy: 1e-6)
            XCTAssertEqual(r.states[2][t], tau * (pow(a, Float(t)) - pow(b, Float(t))), accuracy: 1e-5)
        }
        XCTAssertEqual(r.states[2][0], 0)
        let peak = r.states[2].indices.max { r.states[2][$0] < r.states[2][$1] }!
        XCTAssertTrue((2...5).contains(peak), "peak at \(peak)")
    }

    /// Alpha's resets, step after the spike: "zero" clears all three states; "subtract" takes the threshold off
    /// the excitatory current, clears the inhibitory one and adds the old inhibitory current to the membrane.
    func testAlphaResetMechanisms() {
        let (a, b): (Float, Float) = (0.9, 0.5)
        let tau = log(a) / (log(b) - log(a)) + 1
        let x: [Float] = [3, 0.5]
        let e1: Float = 3, h1: Float = -3, u1 = tau * (e1 + h1)   // = 0: a single pulse does not fire at once
        XCTAssertEqual(u1, 0)
        let e2 = a * e1 + 0.5, h2 = b * h1 - 0.5, u2 = tau * (e2 + h2)
        XCTAssertGreaterThan(u2, 1)
        let thirdInput: Float = 0.25
        let e3 = a * e2 + thirdInput, h3 = b * h2 - thirdInput, u3 = tau * (e3 + h3)
        let zero = run(SnnTorchAlpha(alpha: a, beta: b, resetMechanism: .zero), x + [thirdInput])
        XCTAssertEqual(zero.out[0...1], [0, 1])
        XCTAssertEqual(zero.states.map { $0[2] }, [0, 0, 0])
        let sub = run(SnnTorchAlpha(alpha: a, beta: b, resetMechanism: .subtract), x + [thirdInput])
        XCTAssertEqual(sub.states[0][2], e3 - 1, accuracy: 1e-6)
        XCTAssertEqual(sub.states[1][2], 0)
        XCTAssertEqual(sub.states[2][2], u3 + h2, accuracy: 1e-5)
        let none = run(SnnTorchAlpha(alpha: a, beta: b, resetMechanism: .none), x + [thirdInput])
        XCTAssertEqual(none.states[2][2], u3, accuracy: 1e-5)
    }

    // MARK: gradients

    /// The smallest |U - U_thr| over a run: the detached reset `Θ(U[t-1] - U_thr)` stays a Heaviside step in
    /// snnTorch (and here, even with a smooth surrogate), so the loss jumps where a membrane touches the
    /// threshold. A finite-difference check is valid only if no membrane comes within the perturbation of it.
    func thresholdMargin<M: NeuronModel>(_ model: M, threshold: Float, _ x: [Float], steps: Int, elements: Int,
                                         table: NeuronParameterTable? = nil) -> Float {
        let f = NeuronKernel.forward(model, input: x, steps: steps, elements: elements, table: table)
        let (S, k) = (M.State.count, M.membraneIndex)
        let perNeuron = table?["threshold"]
        var margin = Float.infinity
        for t in 0..<steps {
            for i in 0..<elements {
                let thr = perNeuron.map { $0[i % $0.count] } ?? threshold
                margin = min(margin, abs(f.states[(t * S + k) * elements + i] - thr))
            }
        }
        return margin
    }

    /// Input gradients against central differences (step 1e-3), on an input drawn from the first seed whose
    /// run keeps every membrane 1e-2 away from the threshold (`thresholdMargin`).
    func testInputGradients() {
        func check<M: NeuronModel>(_ model: M, threshold: Float) {
            let seed = (UInt64(3)..<40).first { seed in
                var rng = SeededRandom(seed: seed)
                let x = Tensor.uniform([12, 5], low: -0.5, high: 2.5, rng: &rng).scalars   // as gradCheck draws it
                return thresholdMargin(model, threshold: threshold, x, steps: 12, elements: 5) > 1e-2
            }
            guard let seed else { return XCTFail("no input keeps \(model) away from its threshold") }
            gradCheck(model, step: 1e-3, seed: seed)
        }
        for sg in [Surrogate(.fastSigmoid, alpha: 4, smoothForward: true), Surrogate(.atan, alpha: 2, smoothForward: true)] {
            for reset in SnnTorchResetMechanism.allCases {
                check(SnnTorchLeaky(beta: 0.8, threshold: 1, resetMechanism: reset, surrogate: sg), threshold: 1)
                check(SnnTorchSynaptic(alpha: 0.7, beta: 0.8, threshold: 1, resetMechanism: reset, surrogate: sg), threshold: 1)
                check(SnnTorchAlpha(alpha: 0.9, beta: 0.7, threshold: 1, resetMechanism: reset, surrogate: sg), threshold: 1)
            }
        }
    }

    /// Parameter gradients against central differences (relative step 1e-3) on gradCheckParameters' input
    /// (seed 9), after checking that no membrane sits within 5e-3 of its neuron's threshold. (Should a
    /// perturbation still make one cross, the comparison fails loudly: a jump, not a silent pass.)
    func testParameterGradients() {
        func check<M: NeuronModel>(_ model: M, threshold: Float) {
            var rng = SeededRandom(seed: 9)
            let x = Tensor.uniform([10, 6], low: -0.5, high: 2, rng: &rng).scalars   // as gradCheckParameters draws it
            var table = NeuronParameterTable(model, neurons: 3)
            for k in 0..<M.Parameters.count { for n in 0..<3 { table.values[k * 3 + n] *= 1 + 0.2 * Float(n) / 3 } }
            XCTAssertGreaterThan(thresholdMargin(model, threshold: threshold, x, steps: 10, elements: 6, table: table), 5e-3, "\(model)")
            gradCheckParameters(model, relativeStep: 1e-3)
        }
        let sg = Surrogate(.atan, alpha: 2, smoothForward: true)
        for reset in SnnTorchResetMechanism.allCases {
            check(SnnTorchLeaky(beta: 0.7, threshold: 0.9, resetMechanism: reset, surrogate: sg), threshold: 0.9)
            check(SnnTorchSynaptic(alpha: 0.6, beta: 0.7, threshold: 1.1, resetMechanism: reset, surrogate: sg), threshold: 1.1)
            check(SnnTorchAlpha(alpha: 0.8, beta: 0.5, threshold: 0.8, resetMechanism: reset, surrogate: sg), threshold: 0.8)
        }
    }

    /// snnTorch clamps a decay rate to [0, 1] in the forward pass; beyond it the rate has no gradient.
    func testDecayRatesAreClampedWithoutGradientOutside() {
        let x: [Float] = [0.5, 0.2, 0.1]
        XCTAssertEqual(run(SnnTorchLeaky(beta: 1.3, threshold: 10), x).states[0], run(SnnTorchLeaky(beta: 1, threshold: 10), x).states[0])
        let g = SnnTorchLeaky(beta: 1.3, threshold: 10).parameterVJP(0.2, Membrane(v: 0.5), gOut: 0, gNext: Membrane(v: 1))
        XCTAssertEqual(g[0], 0)
        let inside = SnnTorchLeaky(beta: 0.7, threshold: 10).parameterVJP(0.2, Membrane(v: 0.5), gOut: 0, gNext: Membrane(v: 1))
        XCTAssertEqual(inside[0], 0.5)
    }

    // MARK: registry

    func testRegistryBuildsFromSnnTorchNames() throws {
        let leaky = try NeuronRegistry.model("leaky", parameters: ["beta": 0.95, "threshold": 0.5, "reset_mechanism": "zero"])
        XCTAssertEqual(leaky.base as? SnnTorchLeaky, SnnTorchLeaky(beta: 0.95, threshold: 0.5, resetMechanism: .zero, surrogate: .atan))
        XCTAssertEqual((leaky.base as? SnnTorchLeaky)?.surrogate, Surrogate(.atan, alpha: 2), "snnTorch's default spike_grad")
        let syn = try NeuronRegistry.model("synaptic", parameters: ["alpha": "0.5", "beta": "0.6", "surrogate": "sigmoid"])
        XCTAssertEqual((syn.base as? SnnTorchSynaptic)?.surrogate, Surrogate(.sigmoid, alpha: 25), "snnTorch's sigmoid slope is 25")
        let alpha = try NeuronRegistry.model("alpha", parameters: ["alpha": 0.9, "beta": 0.85, "surrogate": "fast_sigmoid", "slope": 10])
        XCTAssertEqual(alpha.base as? SnnTorchAlpha,
                       SnnTorchAlpha(alpha: 0.9, beta: 0.85, resetMechanism: .zero, surrogate: Surrogate(.fastSigmoid, alpha: 10)))
        XCTAssertEqual(alpha.stateNames, ["syn_exc", "syn_inh", "v"])
        let ste = try NeuronRegistry.model("leaky", parameters: ["surrogate": "straight_through_estimator"])
        XCTAssertEqual((ste.base as? SnnTorchLeaky)?.surrogate.kind, .straightThrough)
        for id in ["leaky", "synaptic", "alpha"] {
            XCTAssertFalse(NeuronRegistry.describe(id).isEmpty)
            XCTAssertTrue(NeuronRegistry.parameters(of: id).map(\.name).contains("reset_mechanism"))
        }
    }

    func testRegistryRejectsBadParameters() {
        func message(_ id: String, _ p: [String: Any]) -> String {
            do { _ = try NeuronRegistry.model(id, parameters: p); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("leaky", ["beta": 0.9, "learn_bta": true]).hasPrefix("leaky: unknown parameter 'learn_bta'"))
        XCTAssertEqual(message("leaky", ["beta": 1.5]), "leaky: beta must be in [0, 1], got 1.5")
        XCTAssertEqual(message("leaky", ["beta": -0.1]), "leaky: beta must be in [0, 1], got -0.1")
        XCTAssertEqual(message("synaptic", ["alpha": 2]), "synaptic: alpha must be in [0, 1], got 2.0")
        XCTAssertEqual(message("alpha", ["alpha": 0.5, "beta": 0.6]), "alpha: alpha must be > beta, got alpha 0.5, beta 0.6")
        XCTAssertEqual(message("alpha", ["beta": 0]), "alpha: beta must be in (0, 1), got 0.0")
        XCTAssertEqual(message("alpha", ["alpha": 1.2]), "alpha: alpha must be in (0, 1], got 1.2")
        XCTAssertEqual(message("leaky", ["reset_mechanism": "hard"]), "leaky: reset_mechanism must be subtract, zero or none, got 'hard'")
        XCTAssertTrue(message("leaky", ["surrogate": "triangular"]).hasPrefix("leaky: surrogate must be one of atan, fast_sigmoid"))
        XCTAssertEqual(message("synaptic", ["slope": -1]), "synaptic: slope must be > 0, got -1.0")
        var table = NeuronParameterTable(SnnTorchSynaptic(), neurons: 2)
        table["beta"] = [0.5, 1.2]
        XCTAssertThrowsError(try table.validate(for: SnnTorchSynaptic.self)) {
            XCTAssertEqual("\($0)", "synaptic: beta of neuron 1 must be in [0, 1], got 1.2")
        }
    }
}
