import XCTest
import Foundation
import SpikeCore
@testable import SpikeNeurons

/// SpikingJelly's ParametricLIFNode, QIFNode, EIFNode and IzhikevichNode: reference traces, gradient checks
/// (input and learnable parameters), published behaviour and the registry.
final class SpikingJellyModelsTests: XCTestCase {
    let smooth = Surrogate(.sigmoid, alpha: 1, smoothForward: true)

    /// Runs `model` on a constant input for one neuron: (spikes, membrane trace).
    func constant<M: NeuronModel>(_ model: M, _ x: Float, steps: Int) -> (spikes: [Float], v: [Float]) {
        let fwd = NeuronKernel.forward(model, input: [Float](repeating: x, count: steps), steps: steps, elements: 1)
        let S = M.State.count, k = M.membraneIndex
        return (fwd.output, (0..<steps).map { fwd.states[$0 * S + k] })
    }

    /// Every state stays finite and below `bound` on random input in `low...high` (so that a gradient check there
    /// is meaningful).
    func assertBounded<M: NeuronModel>(_ model: M, low: Float, high: Float, bound: Float = 50, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRandom(seed: 3)
        let x = Tensor.uniform([12, 5], low: low, high: high, rng: &rng).scalars
        let fwd = NeuronKernel.forward(model, input: x, steps: 12, elements: 5)
        XCTAssertTrue(fwd.states.allSatisfy { $0.isFinite && abs($0) < bound }, "\(M.id): states leave ±\(bound)", file: file, line: line)
    }

    // MARK: Reference traces

    func testPLIFMatchesSpikingJellyTraceAndSharedWGradient() throws {
        let c = try ReferenceFixture("spikingjelly_plif_0")
        let model = try NeuronRegistry.spikingJellyPLIF(parameters: c.params)
        XCTAssertEqual(model, PLIF(initTau: 2, decayInput: true, threshold: 1, reset: .hard(0), surrogate: Surrogate(.sigmoid, alpha: 4)))
        XCTAssertEqual(model.w, 0)
        XCTAssertEqual(model.tau, 2)
        assertMatches(model, c)

        // SpikingJelly's w is one scalar for the layer: its gradient is the sum of the per-neuron gradients.
        let notes = try XCTUnwrap(c.json["notes"] as? String)
        let reference = try XCTUnwrap(notes.split(separator: "=").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }, notes)
        XCTAssertEqual(reference, -1.8821396827697754)
        let fwd = NeuronKernel.forward(model, input: c.input.scalars, steps: c.T, elements: c.N)
        let b = NeuronKernel.backward(model, input: c.input.scalars, states: fwd.states, gradOutput: c.weights.scalars,
                                      steps: c.T, elements: c.N, table: nil, parameterGradients: true)
        let k = try XCTUnwrap(PLIF.parameterIndex("w"))
        let dw = (0..<c.N).reduce(0.0) { $0 + Double(b.gradParameters[k * c.N + $1]) }
        XCTAssertEqual(dw, reference, accuracy: 1e-5 * abs(reference), "dL/dw")
    }

    func testIzhikevichMatchesSpikingJellyTrace() throws {
        let c = try ReferenceFixture("spikingjelly_izhikevich_0")
        XCTAssertEqual(c.stateNames, ["v", "w"])
        let model = try NeuronRegistry.spikingJellyIzhikevich(parameters: c.params)
        XCTAssertEqual(model, SpikingJellyIzhikevich(tau: 2, vC: 0.8, a0: 1, threshold: 1, reset: .hard(0), vRest: -0.1,
                                                     wRest: 0, tauW: 2, a: 0, b: 0, surrogate: Surrogate(.sigmoid, alpha: 4)))
        XCTAssertGreaterThan(c.spikes.scalars.reduce(0, +), 0, "the fixture should contain spikes")
        assertMatches(model, c)
    }

    /// SpikingJelly 2.0 IzhikevichNode with detach_reset, v_reset -0.3, a 0.4, b 0.6 (make_zoo_fixtures.py).
    func testIzhikevichDetachResetMatchesSpikingJellyTrace() throws {
        let c = try ReferenceFixture("spikingjelly_izhikevich_detach_0")
        let model = try NeuronRegistry.spikingJellyIzhikevich(parameters: c.params)
        XCTAssertEqual(model, SpikingJellyIzhikevich(reset: .hard(-0.3), a: 0.4, b: 0.6, surrogate: Surrogate(.sigmoid, alpha: 4),
                                                     detachReset: true))
        XCTAssertGreaterThan(c.spikes.scalars.reduce(0, +), 0, "the fixture should contain spikes")
        assertMatches(model, c)
    }

    // MARK: Gradient checks

    func testPLIFGradients() {
        for reset in [ResetMode.hard(0), .hard(-0.2), .soft] {
            for decayInput in [true, false] {
                for w: Float in [0, -1.1, 0.7] {
                    let m = PLIF(w: w, decayInput: decayInput, threshold: 0.9, reset: reset, surrogate: smooth)
                    gradCheck(m)
                    gradCheckParameters(m)
                }
            }
        }
    }

    func testQIFGradients() {
        let hard = SpikingJellyQIF(surrogate: smooth)
        assertBounded(hard, low: -0.5, high: 2.5)
        gradCheck(hard)
        gradCheckParameters(hard)
        let other = SpikingJellyQIF(tau: 3, vC: 0.6, a0: 0.7, threshold: 1.2, vRest: 0.1, reset: .hard(0), surrogate: smooth)
        gradCheck(other)
        gradCheckParameters(other)
        // Soft reset removes only v_threshold: keep the input small enough that the quadratic does not run away.
        let soft = SpikingJellyQIF(reset: .soft, surrogate: Surrogate(.sigmoid, alpha: 4, smoothForward: true))
        assertBounded(soft, low: -0.5, high: 0.8)
        gradCheck(soft, low: -0.5, high: 0.8)
        gradCheckParameters(soft, low: -0.5, high: 0.8)
    }

    func testEIFGradients() {
        let hard = SpikingJellyEIF(surrogate: smooth)
        assertBounded(hard, low: -0.5, high: 2.5)
        gradCheck(hard)
        gradCheckParameters(hard)
        let sharp = SpikingJellyEIF(tau: 3, deltaT: 0.3, thetaRh: 0.7, threshold: 1, vRest: 0.05, reset: .hard(0), surrogate: smooth)
        assertBounded(sharp, low: -0.5, high: 2.5)
        gradCheck(sharp)
        gradCheckParameters(sharp)
        let soft = SpikingJellyEIF(deltaT: 0.5, reset: .soft, surrogate: Surrogate(.sigmoid, alpha: 4, smoothForward: true))
        assertBounded(soft, low: -0.5, high: 1)
        gradCheck(soft, low: -0.5, high: 1)
        gradCheckParameters(soft, low: -0.5, high: 1)
    }

    func testIzhikevichGradients() {
        let models = [
            SpikingJellyIzhikevich(surrogate: smooth),
            SpikingJellyIzhikevich(tau: 3, vC: 0.7, a0: 0.8, threshold: 1, reset: .hard(-0.2), vRest: -0.1, wRest: 0.1,
                                   tauW: 4, a: 0.5, b: 0.3, surrogate: smooth),
            SpikingJellyIzhikevich(tau: 2.5, reset: .soft, vRest: 0, wRest: 0, tauW: 3, a: 0.4, b: 0.2,
                                   surrogate: Surrogate(.sigmoid, alpha: 4, smoothForward: true)),
        ]
        for m in models {
            assertBounded(m, low: -0.5, high: 1.5)
            gradCheck(m, low: -0.5, high: 1.5)
            gradCheckParameters(m, low: -0.5, high: 1.5)
        }
    }

    /// With `detach_reset`, SpikingJelly's code detaches the spike in the whole voltage reset (`S v_reset`
    /// included); the jump `b S` of w keeps the surrogate gradient. Checked on one step against central
    /// differences of that expression with `S_d` frozen, and against SpikingJelly's trace below.
    func testIzhikevichDetachResetKeepsOnlyTheJumpGradient() {
        let sg = Surrogate(.sigmoid, alpha: 2, smoothForward: true)
        let m = SpikingJellyIzhikevich(reset: .hard(-0.3), a: 0.4, b: 0.6, surrogate: sg, detachReset: true)
        var s = FloatVector<2>(); s[0] = 0.5; s[1] = 0.2
        let x: Float = 1.3
        let h0 = m.charge(x, s[0], s[1]), sd = sg.spike(h0 - m.threshold)   // the detached spike
        func next(_ x: Double) -> (v: Double, w: Double) {
            let (v, w) = (Double(s[0]), Double(s[1]))
            let h = v + (x + 1 * (v + 0.1) * (v - 0.8) - w) / 2
            let spike = 1 / (1 + Foundation.exp(-2 * (h - 1)))
            let wa = w + (0.4 * (h + 0.1) - w) / 2
            return ((1 - Double(sd)) * h + Double(sd) * -0.3, wa + 0.6 * spike)
        }
        let e = 1e-3
        for (gV, gW) in [(Float(1), Float(0)), (0, 1)] {
            var gn = FloatVector<2>(); gn[0] = gV; gn[1] = gW
            let (gx, _) = m.stepVJP(x, s, gOut: 0, gNext: gn)
            let p = next(Double(x) + e), q = next(Double(x) - e)
            let numeric = Double(gV) * (p.v - q.v) / (2 * e) + Double(gW) * (p.w - q.w) / (2 * e)
            XCTAssertEqual(Double(gx), numeric, accuracy: 1e-4, "gV \(gV), gW \(gW)")
        }
        XCTAssertNotEqual(m.stepVJP(x, s, gOut: 0, gNext: FloatVector([1, 0])).gx, 0)
    }

    // MARK: Published behaviour

    func testPLIFWithInitTauIsLIF() {
        var rng = SeededRandom(seed: 5)
        let (T, N) = (30, 4)
        let x = Tensor.uniform([T, N], low: -0.5, high: 2.5, rng: &rng).scalars
        let r = Tensor.uniform([T, N], low: -1, high: 1, rng: &rng).scalars
        for (decayInput, reset) in [(true, ResetMode.hard(0)), (false, .soft), (true, .hard(-0.2))] {
            for tau: Float in [2, 4] {
                let p = PLIF(initTau: tau, decayInput: decayInput, reset: reset)
                let l = LIF(tau: tau, decayInput: decayInput, reset: reset)
                let fp = NeuronKernel.forward(p, input: x, steps: T, elements: N)
                let fl = NeuronKernel.forward(l, input: x, steps: T, elements: N)
                XCTAssertEqual(p.tau, tau, accuracy: 1e-6 * tau)
                XCTAssertEqual(fp.output, fl.output)
                assertClose(fp.states, fl.states, "v (tau \(tau))")
                let gp = NeuronKernel.backward(p, input: x, states: fp.states, gradOutput: r, steps: T, elements: N).gradInput
                let gl = NeuronKernel.backward(l, input: x, states: fl.states, gradOutput: r, steps: T, elements: N).gradInput
                assertClose(gp, gl, "grad_input (tau \(tau))")
            }
        }
    }

    func testQIFFiresForStrongInputAndRestsWithoutInput() {
        let m = SpikingJellyQIF()
        let strong = constant(m, 2, steps: 40)
        XCTAssertGreaterThanOrEqual(strong.spikes.reduce(0, +), 10)
        let quiet = constant(m, 0, steps: 40)
        XCTAssertEqual(quiet.spikes.reduce(0, +), 0)
        XCTAssertEqual(quiet.v.last!, m.vRest, accuracy: 1e-5)   // from v_reset = -0.1 up to the stable v_rest
        XCTAssertLessThan(quiet.v.first!, quiet.v.last!)
        // Rheobase of the QIF: fixed points exist iff X <= a0 (v_c - v_rest)^2 / 4 (0.16 here). Below it the
        // membrane settles at the lower root (0.3 for X = 0.15), above it the neuron fires after a slow passage.
        let below = constant(m, 0.15, steps: 300)
        XCTAssertEqual(below.spikes.reduce(0, +), 0)
        XCTAssertEqual(below.v.last!, 0.3, accuracy: 1e-4)
        XCTAssertGreaterThan(constant(m, 0.2, steps: 300).spikes.reduce(0, +), 0)
    }

    func testEIFFiresForStrongInputAndRestsWithoutInput() {
        // delta_T 0.2 < theta_rh - v_rest = 0.8: a resting state exists near v_rest.
        let m = SpikingJellyEIF(deltaT: 0.2)
        XCTAssertGreaterThanOrEqual(constant(m, 2, steps: 40).spikes.reduce(0, +), 10)
        let quiet = constant(m, 0, steps: 60)
        XCTAssertEqual(quiet.spikes.reduce(0, +), 0)
        // The fixed point of V = v_rest + delta_T exp((V - theta_rh) / delta_T), solved by iteration in double.
        var rest = 0.0
        for _ in 0..<50 { rest = 0 + 0.2 * Foundation.exp((rest - 0.8) / 0.2) }
        XCTAssertEqual(rest, 0.00368, accuracy: 1e-4)
        XCTAssertEqual(Double(quiet.v.last!), rest, accuracy: 1e-5)
        // Rheobase: a resting state exists iff X <= theta_rh - v_rest - delta_T (0.6 here).
        XCTAssertEqual(constant(m, 0.55, steps: 300).spikes.reduce(0, +), 0)
        XCTAssertGreaterThan(constant(m, 0.65, steps: 300).spikes.reduce(0, +), 0)
        // SpikingJelly's defaults (delta_T 1 > 0.8) have no resting state: the neuron fires tonically at zero input.
        XCTAssertGreaterThan(constant(SpikingJellyEIF(), 0, steps: 40).spikes.reduce(0, +), 0)
    }

    func testIzhikevichAdaptationCurrent() {
        // a = 0: W decays with tau_w and jumps by b at each spike: W[t] = W[t-1] + (0 - W[t-1]) / tau_w + b S[t].
        let m = SpikingJellyIzhikevich(tauW: 8, a: 0, b: 0.4)
        let T = 80
        let fwd = NeuronKernel.forward(m, input: [Float](repeating: 1.5, count: T), steps: T, elements: 1)
        let w = (0..<T).map { fwd.states[$0 * 2 + 1] }
        var previous = m.wRest, spikeTimes: [Int] = []
        for t in 0..<T {
            let expected = previous + (1 / m.tauW) * (0 - previous) + m.b * fwd.output[t]
            XCTAssertEqual(w[t], expected, accuracy: 1e-6, "t \(t)")
            previous = w[t]
            if fwd.output[t] == 1 { spikeTimes.append(t) }
        }
        // Spike-frequency adaptation: intervals grow, fewer spikes than without the jump.
        XCTAssertGreaterThanOrEqual(spikeTimes.count, 4)
        let isi = zip(spikeTimes.dropFirst(), spikeTimes).map { $0 - $1 }
        XCTAssertGreaterThan(isi.last!, isi.first!)
        let unadapted = constant(SpikingJellyIzhikevich(tauW: 8, a: 0, b: 0), 1.5, steps: T).spikes.reduce(0, +)
        XCTAssertLessThan(Float(spikeTimes.count), unadapted)

        // a != 0: the adaptation sees the charged membrane H[t] (= V[t] on steps without a spike).
        let c = SpikingJellyIzhikevich(tauW: 3, a: 0.5, b: 0.1)
        var rng = SeededRandom(seed: 2)
        let x = Tensor.uniform([T, 1], low: -0.5, high: 1.2, rng: &rng).scalars
        let f = NeuronKernel.forward(c, input: x, steps: T, elements: 1)
        var checked = 0
        for t in 1..<T where f.output[t] == 0 {
            let (v, w, wPrev) = (f.states[t * 2], f.states[t * 2 + 1], f.states[(t - 1) * 2 + 1])
            XCTAssertEqual(w, wPrev + (1 / c.tauW) * (c.a * (v - c.vRest) - wPrev), accuracy: 1e-6, "t \(t)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
        XCTAssertGreaterThan(f.output.reduce(0, +), 0)
    }

    // MARK: Registry

    func testRegistryBuildsFromSpikingJellyNames() throws {
        for id in ["plif", "qif", "eif", "izhikevich"] {
            XCTAssertTrue(NeuronRegistry.modelIDs.contains(id), id)
            XCTAssertFalse(NeuronRegistry.describe(id).isEmpty, id)
        }
        XCTAssertEqual(try NeuronRegistry.spikingJellyQIF(parameters: [:]), SpikingJellyQIF())
        XCTAssertEqual(SpikingJellyQIF().parameters, FloatVector([2, 0.8, 1, 1, 0, -0.1]))
        XCTAssertEqual(try NeuronRegistry.spikingJellyEIF(parameters: [:]), SpikingJellyEIF())
        XCTAssertEqual(SpikingJellyEIF().parameters, FloatVector([2, 1, 0.8, 1, 0, -0.1]))
        XCTAssertEqual(try NeuronRegistry.spikingJellyIzhikevich(parameters: [:]), SpikingJellyIzhikevich())
        XCTAssertEqual(SpikingJellyIzhikevich().parameters, FloatVector([2, 0.8, 1, 1, 0, -0.1, 0, 2, 0, 0]))
        XCTAssertEqual(try NeuronRegistry.spikingJellyPLIF(parameters: [:]), PLIF())

        let q = try NeuronRegistry.spikingJellyQIF(parameters: ["tau": 3.0, "v_c": "0.7", "a0": 2, "v_threshold": 1.5,
                                                                "v_rest": -0.05, "v_reset": -0.2, "surrogate": "atan", "alpha": 3,
                                                                "detach_reset": true])
        XCTAssertEqual(q, SpikingJellyQIF(tau: 3, vC: 0.7, a0: 2, threshold: 1.5, vRest: -0.05, reset: .hard(-0.2),
                                          surrogate: Surrogate(.atan, alpha: 3), detachReset: true))
        let e = try NeuronRegistry.model("eif", parameters: ["tau": 4, "delta_T": 0.5, "theta_rh": 0.6, "v_rest": 0.1,
                                                             "v_reset": "none"])
        XCTAssertEqual(e.base as? SpikingJellyEIF, SpikingJellyEIF(tau: 4, deltaT: 0.5, thetaRh: 0.6, vRest: 0.1, reset: .soft))
        let i = try NeuronRegistry.model("izhikevich", parameters: ["tau_w": 5, "a": 0.2, "b": 0.3, "w_rest": 0.1, "reset": "soft"])
        XCTAssertEqual(i.stateNames, ["v", "w"])
        XCTAssertEqual(i.base as? SpikingJellyIzhikevich, SpikingJellyIzhikevich(reset: .soft, wRest: 0.1, tauW: 5, a: 0.2, b: 0.3))
        let p = try NeuronRegistry.model("plif", parameters: ["w": -0.5, "decay_input": false, "v_reset": "none"])
        XCTAssertEqual(p.base as? PLIF, PLIF(w: -0.5, decayInput: false, reset: .soft))
        XCTAssertEqual(try NeuronRegistry.spikingJellyPLIF(parameters: ["init_tau": 4]).w, Float(-Foundation.log(3.0)))
    }

    func testRegistryRejectsBadParameters() {
        func error(_ id: String, _ p: [String: Any]) -> String {
            do { _ = try NeuronRegistry.model(id, parameters: p); return "no error" } catch { return "\(error)" }
        }
        let cases: [(String, [String: Any], [String])] = [
            ("qif", ["tau_m": 2], ["qif", "unknown parameter 'tau_m'"]),
            ("eif", ["deltaT": 1], ["eif", "unknown parameter 'deltaT'"]),
            ("izhikevich", ["tauw": 1], ["izhikevich", "'tauw'"]),
            ("plif", ["tau": 2], ["plif", "'tau'"]),
            ("qif", ["tau": 1], ["qif", "tau must be > 1"]),
            ("qif", ["tau": -2], ["tau must be > 1", "got -2"]),
            ("qif", ["a0": 0], ["a0 must be > 0"]),
            ("qif", ["v_threshold": -0.2], ["v_threshold must be > v_reset"]),
            ("qif", ["v_rest": -0.5], ["v_rest must be >= v_reset"]),
            ("eif", ["delta_T": 0], ["eif", "delta_T must be > 0"]),
            ("eif", ["tau": 0.5], ["eif", "tau must be > 1"]),
            ("eif", ["theta_rh": "high"], ["theta_rh must be a number"]),
            ("izhikevich", ["tau_w": -1], ["izhikevich", "tau_w must be > 0"]),
            ("izhikevich", ["tau": 1], ["tau must be > 1"]),
            ("izhikevich", ["a0": -1], ["a0 must be > 0"]),
            ("izhikevich", ["reset": "sideways"], ["reset must be 'hard' or 'soft'"]),
            ("plif", ["init_tau": 1], ["plif", "init_tau must be > 1"]),
            ("plif", ["init_tau": 3, "w": 0.1], ["init_tau or w"]),
            ("plif", ["surrogate": "cosine"], ["unknown surrogate 'cosine'"]),
        ]
        for (id, p, needles) in cases {
            let message = error(id, p)
            XCTAssertNotEqual(message, "no error", "\(id) \(p)")
            XCTAssertFalse(message.contains("\n"), message)
            for n in needles { XCTAssertTrue(message.contains(n), "'\(message)' lacks '\(n)'") }
        }
        // SpikingJelly asserts v_rest >= v_reset: equality is accepted, as the help says.
        XCTAssertNoThrow(try NeuronRegistry.spikingJellyQIF(parameters: ["v_rest": -0.1, "v_reset": -0.1]))
        XCTAssertTrue(NeuronRegistry.parameters(of: "qif").first { $0.name == "v_rest" }!.help.contains("< v_reset is rejected"))
        // Soft reset lifts the v_reset orderings (v_reset is not used).
        XCTAssertNoThrow(try NeuronRegistry.spikingJellyQIF(parameters: ["v_threshold": 0.5, "v_rest": -1, "reset": "soft"]))
    }

    func testPerNeuronDomains() {
        var t = NeuronParameterTable(SpikingJellyQIF(), neurons: 2)
        t["tau"] = [2, 0.5]
        XCTAssertThrowsError(try t.validate(for: SpikingJellyQIF.self)) { XCTAssertEqual("\($0)", "qif: tau of neuron 1 must be > 1, got 0.5") }
        var e = NeuronParameterTable(SpikingJellyEIF(), neurons: 2)
        e["delta_T"] = [0, 1]
        XCTAssertThrowsError(try e.validate(for: SpikingJellyEIF.self)) { XCTAssertEqual("\($0)", "eif: delta_T of neuron 0 must be > 0, got 0.0") }
        var i = NeuronParameterTable(SpikingJellyIzhikevich(), neurons: 1)
        i["tau_w"] = [-3]
        XCTAssertThrowsError(try i.validate(for: SpikingJellyIzhikevich.self)) { XCTAssertTrue("\($0)".contains("tau_w of neuron 0 must be > 0"), "\($0)") }
        var p = NeuronParameterTable(PLIF(), neurons: 1)
        p["w"] = [.nan]
        XCTAssertThrowsError(try p.validate(for: PLIF.self))
        // Per-neuron w: each neuron runs with its own 1/tau = sigmoid(w).
        p["w"] = [1]
        XCTAssertEqual(p.model(PLIF(), neuron: 0).decay, 1 / (1 + Foundation.exp(-1)), accuracy: 1e-7)
    }
}
