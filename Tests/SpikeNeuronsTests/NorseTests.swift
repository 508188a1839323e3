import XCTest
import SpikeCore
@testable import SpikeNeurons

/// Norse models: reference traces (Norse 1.1.0), gradient checks, published behaviour and registry.
final class NorseTests: XCTestCase {
    /// Smooth surrogate for finite-difference checks (Norse 1.1.0's SuperSpike shape, smooth forward).
    let smooth = Surrogate(.fastSigmoid, alpha: 1, smoothForward: true)

    // MARK: reference traces

    func testCubaLIFMatchesNorseLIFCell() throws {
        let c = try ReferenceFixture("norse_cuba_lif_0")
        let model = try NeuronRegistry.norseLIF(parameters: c.params)
        XCTAssertEqual(model, NorseLIF(tauSynInv: 200, tauMemInv: 100, vLeak: 0, vTh: 1, vReset: 0, dt: 0.001, surrogate: .norseSuperSpike))
        assertMatches(model, c)
    }

    func testAdExMatchesNorseLIFAdExCell() throws {
        let c = try ReferenceFixture("norse_adex_0")
        let model = try NeuronRegistry.norseAdEx(parameters: c.params)
        XCTAssertEqual(model, NorseLIFAdEx())
        assertMatches(model, c)
    }

    /// Norse 1.1.0's SuperSpike ignores alpha: with the published slope alpha = 100 the fixture's gradient differs.
    func testNorseSuperSpikeIgnoresAlphaUnlikeThePublishedSlope() throws {
        let c = try ReferenceFixture("norse_cuba_lif_0")
        let published = NorseLIF(surrogate: Surrogate(.fastSigmoid, alpha: 100))
        let fwd = NeuronKernel.forward(published, input: c.input.scalars, steps: c.T, elements: c.N)
        XCTAssertEqual(fwd.output, c.spikes.scalars)
        let (g, _) = NeuronKernel.backward(published, input: c.input.scalars, states: fwd.states, gradOutput: c.weights.scalars,
                                           steps: c.T, elements: c.N)
        let worst = zip(g, c.gradInput.scalars).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(worst, 0.1)
    }

    // MARK: gradient checks

    func testInputGradients() {
        gradCheck(NorseLIF(surrogate: smooth))
        gradCheck(NorseLIF(tauSynInv: 150, tauMemInv: 80, vLeak: 0.1, vTh: 0.8, vReset: -0.2, dt: 0.002, surrogate: Surrogate(.sigmoid, alpha: 2, smoothForward: true)))
        gradCheck(NorseLIFBox(surrogate: smooth), low: -1, high: 4)
        gradCheck(NorseLIFBox(vReset: 0.1, resetMethod: .subtract, surrogate: smooth), low: -1, high: 4)
        gradCheck(NorseLI())
        gradCheck(NorseLI(tauSynInv: 120, tauMemInv: 60, vLeak: -0.3, dt: 0.002))
        gradCheck(NorseLIFAdEx(surrogate: smooth))
        gradCheck(NorseLIFAdEx(adaptationCurrent: 2, adaptationSpike: 0.3, deltaT: 0.8, tauAdaInv: 50, vReset: -0.2, surrogate: smooth))
        gradCheck(NorseLSNN(tauAdaptInv: 20, beta: 0.5, surrogate: smooth))
        gradCheck(NorseLSNN(surrogate: smooth))
        gradCheck(NorseLIFRefrac(lif: NorseLIF(surrogate: smooth), rhoReset: 2), T: 16)
    }

    func testParameterGradients() {
        gradCheckParameters(NorseLIF(vReset: -0.1, surrogate: smooth))
        gradCheckParameters(NorseLIFBox(vReset: 0.1, surrogate: smooth), low: -1, high: 4)
        gradCheckParameters(NorseLIFBox(resetMethod: .subtract, surrogate: smooth), low: -1, high: 4)
        gradCheckParameters(NorseLI(vLeak: 0.2))
        gradCheckParameters(NorseLIFAdEx(adaptationCurrent: 2, adaptationSpike: 0.3, tauAdaInv: 50, vReset: -0.1, surrogate: smooth))
        gradCheckParameters(NorseLSNN(tauAdaptInv: 20, vReset: 0.1, beta: 0.5, surrogate: smooth))
        gradCheckParameters(NorseLIFRefrac(lif: NorseLIF(vReset: -0.1, surrogate: smooth), rhoReset: 2), T: 14)
        // The same per-step factors with dt = 0.1: the gradients of the inverse time constants (which scale with dt)
        // are then large enough that the check's absolute floor cannot hide a wrong term.
        gradCheckParameters(NorseLIF(tauSynInv: 2, tauMemInv: 1, vLeak: 0.1, vReset: -0.1, dt: 0.1, surrogate: smooth))
        gradCheckParameters(NorseLIFBox(tauMemInv: 1, vLeak: 0.2, vReset: 0.1, dt: 0.1, surrogate: smooth), low: -1, high: 4)
        gradCheckParameters(NorseLIFBox(tauMemInv: 1, vLeak: -0.2, resetMethod: .subtract, dt: 0.1, surrogate: smooth), low: -1, high: 4)
        gradCheckParameters(NorseLI(tauSynInv: 2, tauMemInv: 1, vLeak: 0.2, dt: 0.1))
        gradCheckParameters(NorseLIFAdEx(adaptationCurrent: 2, adaptationSpike: 0.3, tauAdaInv: 0.5, tauSynInv: 2, tauMemInv: 1,
                                         vReset: -0.1, dt: 0.1, surrogate: smooth))
        gradCheckParameters(NorseLSNN(tauSynInv: 2, tauMemInv: 1, tauAdaptInv: 0.2, vLeak: 0.1, vTh: 0.8, vReset: 0.1, beta: 0.5, dt: 0.1, surrogate: smooth))
        gradCheckParameters(NorseLIFRefrac(lif: NorseLIF(tauSynInv: 2, tauMemInv: 1, vReset: -0.1, dt: 0.1, surrogate: smooth), rhoReset: 2), T: 14)
    }

    /// The refractory counter's own gradient: rho_reset is a numeric parameter with a gradient, not learnable by
    /// default; check it against central differences of the loss.
    func testRefractoryResetGradient() {
        let model = NorseLIFRefrac(lif: NorseLIF(surrogate: smooth), rhoReset: 2)
        var rng = SeededRandom(seed: 5)
        let (T, M) = (14, 4)
        let x = Tensor.uniform([T, M], low: 0, high: 3, rng: &rng).scalars
        let r = Tensor.uniform([T, M], low: -1, high: 1, rng: &rng).scalars
        func loss(_ rho: Float) -> Double {
            var m = model; m.rhoReset = rho
            return zip(NeuronKernel.forward(m, input: x, steps: T, elements: M).output, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let fwd = NeuronKernel.forward(model, input: x, steps: T, elements: M)
        let g = NeuronKernel.backward(model, input: x, states: fwd.states, gradOutput: r, steps: T, elements: M, table: nil,
                                      parameterGradients: true, neurons: 1).gradParameters
        let numeric = (loss(2.01) - loss(1.99)) / 0.02
        XCTAssertEqual(Double(g[5]), numeric, accuracy: 5e-3 * max(1, abs(numeric)))
        XCTAssertNotEqual(numeric, 0)
    }

    // MARK: published behaviour

    /// LIF rheobase: constant input x settles at v = v_leak + x / (dt tau_syn_inv); fires iff that exceeds v_th.
    func testCubaLIFRheobase() {
        let m = NorseLIF()
        let rheobase: Float = 0.001 * 200 * 1   // dt tau_syn_inv (v_th - v_leak)
        let below = NeuronKernel.forward(m, input: [Float](repeating: rheobase * 0.97, count: 200), steps: 200, elements: 1)
        XCTAssertEqual(below.output.reduce(0, +), 0)
        XCTAssertEqual(below.states[199 * 2 + 1], rheobase * 0.97 / 0.2, accuracy: 1e-4)
        let above = NeuronKernel.forward(m, input: [Float](repeating: rheobase * 1.05, count: 200), steps: 200, elements: 1)
        XCTAssertGreaterThan(above.output.reduce(0, +), 0)
    }

    /// Norse's Heaviside is strict: a membrane landing exactly on the threshold does not fire.
    func testStrictThreshold() {
        // lif_box with dt tau_mem_inv = 1 reaches v = x + v_leak in one step.
        let m = NorseLIFBox(tauMemInv: 1000)
        let f = NeuronKernel.forward(m, input: [1, 1.5], steps: 2, elements: 1)
        XCTAssertEqual(f.output, [0, 1])
        XCTAssertEqual(f.states, [1, 0])
        let sub = NeuronKernel.forward(NorseLIFBox(tauMemInv: 1000, resetMethod: .subtract), input: [1.5], steps: 1, elements: 1)
        XCTAssertEqual(sub.states, [0.5])
    }

    /// Norse LI: a constant input approaches the analytic fixed point v = v_leak + x / (dt tau_syn_inv), i = x (1/c - 1).
    func testLIConstantInputSteadyState() {
        let m = NorseLI(tauSynInv: 200, tauMemInv: 100, vLeak: 0.3, dt: 0.001)
        let x: Float = 0.5, T = 300
        let f = NeuronKernel.forward(m, input: [Float](repeating: x, count: T), steps: T, elements: 1)
        let c: Float = 0.001 * 200
        XCTAssertEqual(f.output[T - 1], 0.3 + x / c, accuracy: 1e-4)
        XCTAssertEqual(f.states[(T - 1) * 2], x * (1 / c - 1), accuracy: 1e-4)
        // The approach is monotone from below (both modes decay without overshoot here).
        for t in 1..<T { XCTAssertGreaterThanOrEqual(f.output[t], f.output[t - 1] - 1e-6) }
        // First step: the input jumps into the current before the membrane update.
        XCTAssertEqual(f.output[0], 0.3 + 0.1 * x, accuracy: 1e-7)
    }

    /// LSNN: every spike raises the threshold b by beta, and under a constant drive the rate falls over time.
    func testLSNNThresholdAdaptation() {
        let m = NorseLSNN(tauAdaptInv: 2, beta: 0.3)
        let T = 400
        let f = NeuronKernel.forward(m, input: [Float](repeating: 1.5, count: T), steps: T, elements: 1)
        var prevB: Float = m.vTh
        for t in 0..<T {
            let b = f.states[t * 3]
            let decayed = prevB + 0.001 * 2 * (m.vTh - prevB)
            XCTAssertEqual(b, decayed + f.output[t] * 0.3, accuracy: 1e-5)
            prevB = b
        }
        let early = f.output[0..<100].reduce(0, +), late = f.output[300..<400].reduce(0, +)
        XCTAssertGreaterThan(early, 0)
        XCTAssertLessThan(late, early)
        XCTAssertGreaterThan(f.states[(T - 1) * 3], m.vTh + 0.5)
        // Without adaptation (beta 0) the same drive keeps a regular rate once the current has built up.
        var flat = m; flat.beta = 0
        let g = NeuronKernel.forward(flat, input: [Float](repeating: 1.5, count: T), steps: T, elements: 1)
        XCTAssertEqual(g.output[100..<200].reduce(0, +), g.output[300..<400].reduce(0, +), accuracy: 1)
        XCTAssertGreaterThan(g.output[300..<400].reduce(0, +), late)
    }

    /// LSNN: the input enters the current after the membrane update, so x[t] first moves v at t+1.
    func testLSNNInputActsNextStep() {
        let f = NeuronKernel.forward(NorseLSNN(), input: [2, 0], steps: 2, elements: 1)
        XCTAssertEqual(f.states[2], 0)             // v after step 0
        XCTAssertEqual(f.states[1], 2)             // i after step 0
        XCTAssertEqual(f.states[3 + 2], 0.2, accuracy: 1e-7)
    }

    /// AdEx: subthreshold adaptation tracks adaptation_current (v - v_leak); each spike adds adaptation_spike.
    func testAdExAdaptation() {
        let m = NorseLIFAdEx(tauAdaInv: 50)
        let T = 300
        let weak = NeuronKernel.forward(m, input: [Float](repeating: 0.05, count: T), steps: T, elements: 1)
        XCTAssertEqual(weak.output.reduce(0, +), 0)
        let (a, v) = (weak.states[(T - 1) * 3], weak.states[(T - 1) * 3 + 2])
        XCTAssertEqual(a, m.adaptationCurrent * v, accuracy: 1e-3)
        let strong = NeuronKernel.forward(m, input: [Float](repeating: 0.5, count: T), steps: T, elements: 1)
        XCTAssertGreaterThan(strong.output.reduce(0, +), 1)
        for t in 1..<T where strong.output[t] == 1 {
            let (a0, v0) = (strong.states[(t - 1) * 3], strong.states[(t - 1) * 3 + 2])
            let decayed = a0 + 0.001 * 50 * (m.adaptationCurrent * v0 - a0)
            XCTAssertEqual(strong.states[t * 3], decayed + m.adaptationSpike, accuracy: 1e-5)
            XCTAssertEqual(strong.states[t * 3 + 2], m.vReset)
        }
    }

    /// Refractory LIF: under a strong drive the neuron fires exactly every rho_reset + 1 steps, and the membrane
    /// is held at v_reset while refractory (the current keeps integrating).
    func testRefractoryPeriod() {
        let m = NorseLIFRefrac(lif: NorseLIF(vReset: -0.2), rhoReset: 3)
        let T = 40
        let f = NeuronKernel.forward(m, input: [Float](repeating: 20, count: T), steps: T, elements: 1)
        let spikes = (0..<T).filter { f.output[$0] == 1 }
        XCTAssertGreaterThan(spikes.count, 4)
        for (a, b) in zip(spikes, spikes.dropFirst()) { XCTAssertEqual(b - a, 4) }
        for s in spikes where s + 3 < T {
            for t in s...(s + 3) { XCTAssertEqual(f.states[t * 3 + 2], -0.2) }
            XCTAssertEqual((1...3).map { f.states[(s + $0) * 3 + 1] }, [2, 1, 0])
            XCTAssertGreaterThan(f.states[(s + 3) * 3], f.states[(s + 1) * 3])
        }
        // Without a refractory period the same drive fires on more steps.
        let plain = NeuronKernel.forward(m.lif, input: [Float](repeating: 20, count: T), steps: T, elements: 1)
        XCTAssertGreaterThan(plain.output.reduce(0, +), f.output.reduce(0, +))
    }

    // MARK: registry

    func testRegistryBuildsEveryNorseModelByName() throws {
        for id in ["cuba_lif", "lif_box", "li", "adex", "lsnn", "lif_refrac"] {
            let m = try NeuronRegistry.model(id, parameters: id == "li" ? ["dt": 0.002] : ["dt": 0.002, "method": "super"])
            XCTAssertEqual(m.id, id)
            XCTAssertFalse(NeuronRegistry.describe(id).isEmpty)
            XCTAssertTrue(NeuronRegistry.parameters(of: id).contains { $0.name == "dt" }, id)
        }
        XCTAssertEqual(try NeuronRegistry.norseLSNN(parameters: ["tau_adapt_inv": 0.01, "beta": 2, "v_th": 0.5]),
                       NorseLSNN(tauAdaptInv: 0.01, vTh: 0.5, beta: 2))
        XCTAssertEqual(try NeuronRegistry.norseLIFBox(parameters: ["reset_method": "subtract", "tau_mem_inv": 50]),
                       NorseLIFBox(tauMemInv: 50, resetMethod: .subtract))
        XCTAssertEqual(try NeuronRegistry.norseLIFRefrac(parameters: ["rho_reset": 3, "v_th": 0.5]),
                       NorseLIFRefrac(lif: NorseLIF(vTh: 0.5), rhoReset: 3))
        XCTAssertEqual(try NeuronRegistry.norseAdEx(parameters: ["delta_T": 0.2, "adaptation_spike": 0.1]),
                       NorseLIFAdEx(adaptationSpike: 0.1, deltaT: 0.2))
        XCTAssertEqual(try NeuronRegistry.norseLI(parameters: ["tau_syn_inv": "50", "v_leak": -1]), NorseLI(tauSynInv: 50, vLeak: -1))
        XCTAssertEqual(try NeuronRegistry.norseLIF(parameters: ["method": "triangle", "alpha": 0.5]).surrogate, Surrogate(.triangle, alpha: 0.5))
        XCTAssertEqual(try NeuronRegistry.norseLIF(parameters: ["surrogate": "fast-sigmoid", "alpha": 100]).surrogate, Surrogate(.fastSigmoid, alpha: 100))
        XCTAssertEqual(try NeuronRegistry.norseLIF(parameters: ["alpha": 7]).surrogate, .norseSuperSpike)
    }

    func testRegistryRejectsBadParameters() {
        func message(_ id: String, _ p: [String: Any]) -> String {
            do { _ = try NeuronRegistry.model(id, parameters: p); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("cuba_lif", ["tau_mem_inv": -100]), "cuba_lif: tau_mem_inv must be > 0, got -100.0")
        XCTAssertEqual(message("cuba_lif", ["tau_syn_inv": 0]), "cuba_lif: tau_syn_inv must be > 0, got 0.0")
        XCTAssertEqual(message("lif_box", ["tau_mem_inv": -1]), "lif_box: tau_mem_inv must be > 0, got -1.0")
        XCTAssertEqual(message("li", ["tau_syn_inv": -5]), "li: tau_syn_inv must be > 0, got -5.0")
        XCTAssertEqual(message("adex", ["tau_ada_inv": -2]), "adex: tau_ada_inv must be > 0, got -2.0")
        XCTAssertEqual(message("adex", ["delta_T": 0]), "adex: delta_T must be > 0, got 0.0")
        XCTAssertEqual(message("lsnn", ["tau_adapt_inv": -0.1]), "lsnn: tau_adapt_inv must be > 0, got -0.1")
        XCTAssertEqual(message("lif_refrac", ["rho_reset": -1]), "lif_refrac: rho_reset must be >= 0, got -1.0")
        for id in ["cuba_lif", "lif_box", "li", "adex", "lsnn", "lif_refrac"] {
            XCTAssertEqual(message(id, ["dt": 0]), "\(id): dt must be > 0, got 0.0")
            XCTAssertEqual(message(id, ["dt": -0.001]), "\(id): dt must be > 0, got -0.001")
            XCTAssertTrue(message(id, ["tau_men_inv": 1]).hasPrefix("\(id): unknown parameter 'tau_men_inv'"), id)
        }
        XCTAssertTrue(message("cuba_lif", ["method": "tanh"]).hasPrefix("cuba_lif: unknown method 'tanh'"))
        XCTAssertTrue(message("lsnn", ["alpha": -1]).hasPrefix("lsnn: alpha must be > 0"))
        XCTAssertTrue(message("lif_box", ["reset_method": "zero"]).hasPrefix("lif_box: reset_method must be"))
        XCTAssertTrue(message("cuba_lif", ["method": "super", "surrogate": "triangle"]).contains("differ"))
        XCTAssertTrue(message("li", ["v_th": 1]).hasPrefix("li: unknown parameter 'v_th'"))
    }

    /// Per-neuron validation and mismatch use the same domains (inverse time constants stay > 0).
    func testParameterDomainsInTables() throws {
        var t = NeuronParameterTable(NorseLIF(), neurons: 3)
        t["tau_mem_inv"] = [100, -1, 50]
        XCTAssertThrowsError(try t.validate(for: NorseLIF.self)) {
            XCTAssertEqual("\($0)", "cuba_lif: tau_mem_inv of neuron 1 must be > 0, got -1.0")
        }
        var a = NeuronParameterTable(NorseLSNN(), neurons: 400)
        try a.addMismatch("tau_adapt_inv", fraction: 0.9, seed: 2, model: NorseLSNN.self)
        XCTAssertTrue(a["tau_adapt_inv"].allSatisfy { $0 > 0 })
        XCTAssertNil(NorseLIFAdEx.parameterDomainError(0, -3))
        XCTAssertEqual(NorseLIFAdEx.parameterDomainError(2, -3), "> 0")
        XCTAssertEqual(NorseLIFRefrac.parameterDomainError(5, -1), ">= 0")
    }
}
