import XCTest
import Foundation
import SpikeCore
import SpikeIO
@testable import SpikeNeurons

/// SPAIC's own models under their `spaic.*` ids: traces against SPAIC 0.6.3's Torch backend (forward; fixtures by
/// Fixtures/make_spaic_fixtures.py), BPTT input gradients against central differences, the qualified aliases and
/// the one-line parameter errors.
final class SPAICSimpleModelsTests: XCTestCase {
    /// Runs the registry model `id` (with the fixture's params) on the fixture's Isyn and compares the output and
    /// the named state traces (fixture file name to model state name).
    func assertMatchesSPAIC(_ fixture: String, output: String?, states: [String: String],
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(fixture)", withExtension: nil), fixture)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("case.json"))) as! [String: Any]
        let id = json["model"] as! String
        var params = json["params"] as? [String: Any] ?? [:]
        if NeuronRegistry.parameters(of: id).contains(where: { $0.name == "dt" }) { params["dt"] = json["dt"] }
        let model = try NeuronRegistry.model(id, parameters: params)
        func npy(_ f: String) throws -> Tensor { try NPY.read(from: dir.appendingPathComponent("\(f).npy")) }
        let x = try npy("input")
        let (T, N) = (x.shape[0], x.shape[1])
        // Models whose initial V SPAIC draws at random: the fixture records the draw, set here per neuron.
        var table: NeuronParameterTable?
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("v0.npy").path) {
            var t = model.table(neurons: N)
            t["V"] = try npy("v0").scalars
            table = t
        }
        let fwd = model.forward(x.scalars, steps: T, elements: N, table: table)
        if let output {
            let ref = try npy(output).scalars
            if model.isSpiking { XCTAssertEqual(fwd.output, ref, "\(id): spikes", file: file, line: line) }
            else { assertClose(fwd.output, ref, "\(id): output", file: file, line: line) }
            if model.isSpiking { XCTAssertGreaterThan(ref.reduce(0, +), 0, "\(fixture) has no spikes", file: file, line: line) }
        }
        let S = model.stateNames.count
        for (f, name) in states {
            let k = try XCTUnwrap(model.stateNames.firstIndex(of: name), "\(id) has no state \(name)", file: file, line: line)
            let trace = (0..<T).flatMap { t in (0..<N).map { fwd.states[(t * S + k) * N + $0] } }
            assertClose(trace, try npy(f).scalars, "\(id): \(name)", file: file, line: line)
        }
    }

    func testTracesMatchSPAIC() throws {
        try assertMatchesSPAIC("spaic_lif_0", output: "spikes", states: ["v": "v"])
        try assertMatchesSPAIC("spaic_if_0", output: "spikes", states: ["v": "v"])
        try assertMatchesSPAIC("spaic_ifsoftreset_0", output: "spikes", states: ["v": "v"])
        try assertMatchesSPAIC("spaic_ifb_0", output: "spikes", states: ["v": "v"])
        try assertMatchesSPAIC("spaic_nonspikingifb_0", output: "v", states: ["v": "v"])
        try assertMatchesSPAIC("spaic_null_0", output: "spikes", states: [:])
        try assertMatchesSPAIC("spaic_constantcurrentlif_0", output: "spikes", states: ["v": "v"])
        try assertMatchesSPAIC("spaic_izh_0", output: "spikes", states: ["v": "v", "u": "u"])
        try assertMatchesSPAIC("spaic_meanfield_0", output: "spikes", states: ["u": "v"])
        try assertMatchesSPAIC("spaic_nonspikinglif_0", output: "v", states: ["v": "v", "m": "m", "s": "s", "i": "i"])
        try assertMatchesSPAIC("spaic_lifm_0", output: "spikes", states: ["v": "v", "i": "i"])
        try assertMatchesSPAIC("spaic_darwin_clif_0", output: "spikes", states: ["v": "v", "i": "i"])
        try assertMatchesSPAIC("spaic_darwin_alif_0", output: "spikes", states: ["v": "v", "i": "i", "vth": "vth"])
        try assertMatchesSPAIC("spaic_clif_0", output: "spikes", states: ["v": "v", "m": "M", "s": "S", "e": "E"])
        try assertMatchesSPAIC("spaic_clif2k_0", output: "spikes", states: ["v": "v", "m": "M", "s": "S", "e": "E"])
        try assertMatchesSPAIC("spaic_pclif_0", output: "spikes", states: ["v": "v", "m": "M", "s": "S", "e": "E"])
        try assertMatchesSPAIC("spaic_lifstdp_ih_0", output: "spikes", states: ["v": "v"])
        try assertMatchesSPAIC("spaic_alifstdp_ex_0", output: "spikes", states: ["v": "v", "theta": "theta"])
        // LIFInt updates refrac_count (and masks Isyn) in place, so SPAIC's monitor holds aliases of one tensor:
        // its refrac_count record is the final value at every step, and the recorded Isyn is already masked.
        try assertMatchesSPAIC("spaic_lifint_0", output: "spikes", states: ["v": "v"])
        try assertMatchesSPAIC("spaic_hh_0", output: "spikes", states: ["v": "v", "gate_m": "m", "gate_n": "n", "gate_h": "h"])
        try assertMatchesSPAIC("spaic_aeif_0", output: "spikes", states: ["v": "v", "u": "w"])
    }

    func testInputGradientsMatchFiniteDifferences() {
        let sg = Surrogate(.sigmoid, alpha: 4, smoothForward: true)
        // lif and if reset with SPAIC's gradient-free `reset` operator (a hard mask): checked one step at a time
        // on both sides of the threshold, where the mask is locally constant.
        for v: Float in [-0.3, 0.2, 0.9, 1.6] {
            stepCheck(SPAICLIF(surrogate: sg), x: 0.3, state: FloatVector([v]))
            stepCheck(SPAICIF(constantDecay: 0.1, surrogate: sg), x: 0.3, state: FloatVector([v]))
            stepCheck(SPAICLIFIntPlain(decay: 0.9, surrogate: sg), x: 0.3, state: FloatVector([v, -1]))
        }
        gradCheck(SPAICIFSoft(constantDecay: 0.1, surrogate: sg))
        gradCheck(SPAICIFB(bias: 0.2, surrogate: sg))
        gradCheck(SPAICNonSpikingIFB(bias: 0.2))
        gradCheck(SPAICNull())
        gradCheck(SPAICConstantCurrentLIF(tauM: 1, surrogate: sg))
        gradCheck(SPAICIZH(surrogate: Surrogate(.sigmoid, alpha: 0.2, smoothForward: true)), T: 10, N: 3, low: 0, high: 20)
        gradCheck(SPAICMeanField(rho: 0.5, iExt: 0.3), low: 0.2, high: 3)
        gradCheck(SPAICSimpleRate(tau: 0.5, iExt: 0.1))
        gradCheck(SPAICNonSpikingLIF())
        gradCheck(SPAICLIFM(surrogate: sg))
        gradCheck(SPAICLIFSTDPIH(threshold: -59, vReset: -60.5, surrogate: sg), low: -0.5, high: 1.5)
        gradCheck(SPAICALIFSTDPEX(threshold: 1, vReset: 0.8, thInc: 0.2, surrogate: sg))
        for v: Float in [-0.3, 0.4, 2.5] {
            stepCheck(SPAICPLIF(w: 0.4, surrogate: sg), x: 0.6, state: FloatVector([v, 0]))
            stepCheck(SPAICPLIF(w: 0.4, surrogate: sg), x: 0.6, state: FloatVector([v, 1]))
        }
        gradCheckParameters(SPAICPLIF(w: 0.4, threshold: 5, surrogate: sg), low: -0.5, high: 2, relativeStep: 1e-3)
        XCTAssertEqual(SPAICPLIF.w(fromTauM: 2), 0)
        XCTAssertEqual(SPAICPLIF.w(fromTauM: 3), 0, "-ln 2 clamped to 0 as SPAIC's parameter range")
        XCTAssertEqual(SPAICPLIF.w(fromTauM: 1.5), Float(Foundation.log(2.0)), accuracy: 1e-7)
        gradCheck(SPAICCLIF2k(surrogate: sg))
        gradCheckParameters(SPAICCLIF2k(surrogate: sg))
        gradCheck(SPAICPCLIF(surrogate: sg))
        gradCheckParameters(SPAICPCLIF(surrogate: sg), relativeStep: 1e-3)
        // The Darwin models: the straight-through estimate equals the derivative of the unrounded update away from
        // the threshold (one step, a state where no clamp is active).
        let dc = SPAICDarwinCLIF()
        let (gx, gp) = dc.stepVJP(120, FloatVector([3000, 40, 100]), gOut: 0, gNext: FloatVector([1, 0, 0]))
        XCTAssertEqual(gx, 0, "x enters the next step")
        XCTAssertEqual(gp[2], 1)
        XCTAssertEqual(gp[0], darwinDecay(dt: 0.1, tau: 12), accuracy: 1e-3)
        XCTAssertEqual(gp[1], darwinDecay(dt: 0.1, tau: 8), accuracy: 1e-3)
        let hh = SPAICHodgkinHuxley(surrogate: Surrogate(.sigmoid, alpha: 0.2, smoothForward: true))
        gradCheck(hh, T: 20, N: 3, low: 0, high: 1.5, step: 1e-3)
        for v: Float in [-5, 0, 3, 20, 60] { stepCheck(hh, x: 0.4, state: FloatVector([v, 0.3, 0.4, 0.5])) }
        gradCheck(SPAICAEIF(AEIF(b: 0.0805, surrogate: Surrogate(.sigmoid, alpha: 0.5, smoothForward: true))), T: 20, N: 3, low: 2000, high: 5000, step: 1)
    }

    /// `stepVJP` against central differences of `gOut out + gNext . next` in x and in each state variable.
    func stepCheck<M: NeuronModel>(_ m: M, x: Float, state: M.State, file: StaticString = #filePath, line: UInt = #line) {
        var gNext = M.State()
        for k in 0..<M.State.count { gNext[k] = 0.7 - 0.3 * Float(k) }
        let gOut: Float = 1.3
        func f(_ x: Float, _ s: M.State) -> Double {
            let (o, n) = m.step(x, s)
            return Double(gOut) * Double(o) + (0..<M.State.count).reduce(0) { $0 + Double(gNext[$1]) * Double(n[$1]) }
        }
        let (gx, gs) = m.stepVJP(x, state, gOut: gOut, gNext: gNext)
        // Float32 steps: a step of 1e-2 and a tolerance relative to the derivative's size (values up to ~1e2).
        let e: Float = 1e-2
        let nx = (f(x + e, state) - f(x - e, state)) / Double(2 * e)
        XCTAssertEqual(Double(gx), nx, accuracy: 3e-3 * max(1, abs(nx)), "\(m) dx", file: file, line: line)
        for k in 0..<M.State.count {
            var p = state, q = state
            p[k] += e; q[k] -= e
            let n = (f(x, p) - f(x, q)) / Double(2 * e)
            XCTAssertEqual(Double(gs[k]), n, accuracy: 3e-3 * max(1, abs(n)), "\(m) ds\(k)", file: file, line: line)
        }
    }

    /// SPAIC's PLIFModel cannot run in SPAIC 0.6.3 (no 'sigmoid' operation in its backend); its operations: the
    /// reset reads the previous step's spike.
    func testPLIFFollowsSPAICsOperations() {
        let m = SPAICPLIF(w: 0)   // tau_m 2: k = 1/2
        let f = AnyNeuronModel(m).forward([3, 0.2, 0.2, 0.2], steps: 4, elements: 1)
        XCTAssertEqual(f.output, [1, 0, 0, 0])
        XCTAssertEqual((0..<4).map { f.states[$0 * 2] }, [1.5, 0, 0.1, 0.15], "V~ kept at the spike step, reset one step later")
        XCTAssertEqual(try NeuronRegistry.model("spaic.plif", parameters: ["tau_m": 1.5]).base as? SPAICPLIF, SPAICPLIF(w: Float(Foundation.log(2.0))))
    }

    /// LIFInt's refractory counter: input ignored while it is > 0, set to reset_refrac at a spike, falling by 1.
    func testLIFIntRefractoryCounter() {
        let m = SPAICLIFIntPlain(threshold: 1, decay: 1, vReset: 0, resetRefrac: 2)
        let f = AnyNeuronModel(m).forward([1.2, 0.5, 0.5, 0.5, 0.6], steps: 5, elements: 1)
        XCTAssertEqual(f.output, [1, 0, 0, 0, 1])
        XCTAssertEqual((0..<5).map { f.states[$0 * 2 + 1] }, [2, 1, 0, -1, 2])
        XCTAssertEqual((0..<5).map { f.states[$0 * 2] }, [0, 0, 0, 0.5, 0])
        XCTAssertEqual(SPAICLIFIntPlain().step(1, FloatVector<2>()).out, 1, "fires on V >= thresh")
    }

    /// The Darwin helpers as SPAIC computes them, and Darwin_Random's seeded noise.
    func testDarwinQuantisationAndNoise() {
        XCTAssertEqual(spaicQuantize16(40000), 32768)
        XCTAssertEqual(spaicQuantize16(-40000), -32768)
        XCTAssertEqual(spaicQuantize16(2.5), 2)     // round half to even, as torch.round
        XCTAssertEqual(spaicQuantize16(3.5), 4)
        XCTAssertEqual(darwinDecay(dt: 0.1, tau: 12), 254 / 256)
        XCTAssertEqual(darwinBias(0.001), 33 / 2 * 15)
        let r = SPAICDarwinRandom(std: 200, threshold: 1e9, v0: 0)
        let f = AnyNeuronModel(r).forward([Float](repeating: 0, count: 400), steps: 400, elements: 1)
        let vs = (0..<400).map { f.states[$0 * 2] }
        XCTAssertGreaterThan(Set(vs).count, 50, "the noise moves V")
        XCTAssertEqual(vs, AnyNeuronModel(r).forward([Float](repeating: 0, count: 400), steps: 400, elements: 1).states.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        var other = r; other.seed = 7
        XCTAssertNotEqual(AnyNeuronModel(other).forward([Float](repeating: 0, count: 400), steps: 400, elements: 1).states[2 * 399], f.states[2 * 399])
    }

    /// A rate network runs: a bank of SimpleRate units settles at sigmoid(x + Iext), MeanField at rho x + Iext.
    func testRateModelsSettleAtTheirFixedPoints() {
        let T = 400
        let x = [Float](repeating: 0.7, count: T)
        let s = AnyNeuronModel(SPAICSimpleRate(tau: 1, iExt: 0.3, dt: 0.1)).forward(x, steps: T, elements: 1)
        XCTAssertEqual(s.output[T - 1], 1 / (1 + Foundation.exp(-1)), accuracy: 1e-4)
        let m = AnyNeuronModel(SPAICMeanField(rho: 0.5, tau: 1, iExt: -0.1, dt: 0.1)).forward(x, steps: T, elements: 1)
        XCTAssertEqual(m.output[T - 1], 0.25, accuracy: 1e-4)
    }

    func testQualifiedIDsResolveToTheirFamilies() throws {
        XCTAssertEqual(NeuronRegistry.qualifiedID(of: "lif"), "spikingjelly.lif")
        XCTAssertEqual(try NeuronRegistry.model("spikingjelly.lif", parameters: [:]).id, "lif")
        XCTAssertEqual(try NeuronRegistry.model("norse.lif_adex", parameters: [:]).id, "adex")
        XCTAssertEqual(try NeuronRegistry.model("norse.izhikevich", parameters: [:]).id, "izhikevich2003")
        XCTAssertEqual(try NeuronRegistry.model("snntorch.leaky", parameters: [:]).id, "leaky")
        XCTAssertEqual(try NeuronRegistry.model("spaic.diehlandcook", parameters: [:]).id, "lif_int")
        XCTAssertEqual(try NeuronRegistry.model("spaic.lifstdp_ex", parameters: [:]).id, "diehl_cook")
        XCTAssertEqual(try NeuronRegistry.model("spaic.lif", parameters: [:]).id, "spaic.lif")
        XCTAssertEqual(try NeuronRegistry.model("spaic.if", parameters: [:]).id, "spaic.if")
        XCTAssertEqual(try NeuronRegistry.model("spaic.izh", parameters: [:]).id, "spaic.izh")
        XCTAssertEqual(try NeuronRegistry.model("spaic.adex", parameters: [:]).id, "spaic.aeif")
        XCTAssertEqual(try NeuronRegistry.model("spaic.aeif", parameters: [:]).base as? SPAICAEIF, SPAICAEIF())
        XCTAssertEqual((try NeuronRegistry.model("spaic.aeif", parameters: [:]).base as? SPAICAEIF)?.base.b, 0.0805)
        XCTAssertEqual((try NeuronRegistry.model("aeif", parameters: [:]).base as? AEIF)?.b, 80.5)
        XCTAssertEqual((try NeuronRegistry.model("spaic.hh", parameters: [:]).base as? SPAICHodgkinHuxley)?.initialState, FloatVector([0, 0.5, 0.5, 0.06]))
        XCTAssertEqual(NeuronRegistry.names(of: "spaic.aeif"), ["spaic.aeif", "spaic.adex"])
        XCTAssertEqual(NeuronRegistry.names(of: "adex"), ["adex", "norse.lif_adex"])
        XCTAssertEqual(NeuronRegistry.parameters(of: "norse.lif").map(\.name), NeuronRegistry.parameters(of: "cuba_lif").map(\.name))
        // Every short id has a qualified alias, no alias is claimed twice, and every alias resolves.
        let ids = NeuronRegistry.modelIDs
        XCTAssertEqual(Set(NeuronRegistry.qualifiedIDs.values).count, NeuronRegistry.qualifiedIDs.count)
        XCTAssertTrue(Set(NeuronRegistry.qualifiedIDs.values).isDisjoint(with: ids))
        for id in ids {
            let q = NeuronRegistry.qualifiedID(of: id)
            XCTAssertTrue(q.contains("."), "\(id) has no family-qualified id")
            XCTAssertEqual(try NeuronRegistry.entry(q).id, id)
        }
        // SPAIC's lif differs from SpikingJelly's: exp(-dt/tau_m) leak, input not divided, strict >.
        let sp = try NeuronRegistry.spaicLIF(parameters: ["tau_m": 2, "dt": 1])
        XCTAssertEqual(sp.step(0.2, FloatVector([1])).next[0], Float(Foundation.exp(-0.5)) + 0.2, accuracy: 1e-6)
        XCTAssertEqual(SPAICIF().step(1, FloatVector<1>()).out, 0, "SPAIC fires on V > v_th only")
    }

    func testBadValuesAreOneLineErrors() {
        func error(_ id: String, _ p: [String: Any]) -> String {
            do { _ = try NeuronRegistry.model(id, parameters: p); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error("spaic.lif", ["tau_m": 0]), "spaic.lif: tau_m must be > 0, got 0.0")
        XCTAssertEqual(error("spaic.izh", ["dt": -1]), "spaic.izh: dt must be > 0, got -1.0")
        XCTAssertEqual(error("spaic.meanfield", ["tau": 0]), "spaic.meanfield: tau must be > 0, got 0.0")
        XCTAssertTrue(error("spaic.nonspikinglif", ["tau_p": 1, "tau_q": 1]).hasPrefix("spaic.nonspikinglif: tau_p must differ from tau_q"))
        XCTAssertTrue(error("spaic.null", ["v_th": 1]).hasPrefix("spaic.null: unknown parameter 'v_th'"))
        XCTAssertEqual(error("spaic.hh", ["m": 2]), "spaic.hh: m must be in [0, 1], got 2.0")
        XCTAssertEqual(error("spaic.hh", ["dt": 0]), "spaic.hh: dt must be > 0, got 0.0")
        XCTAssertTrue(error("spaic.aeif", ["C": 0]).contains("C must be > 0"))
        XCTAssertTrue(error("spaic.nothing", [:]).hasPrefix("unknown neuron model 'spaic.nothing'"))
        XCTAssertTrue(error("spaic.nothing", [:]).contains("spikingjelly.lif"))
    }
}

/// SPAIC's CANN mean-field rate network: a bump set by an input holds its position after the input ends.
final class SPAICCANNFieldTests: XCTestCase {
    func testBumpHoldsItsPositionAfterTheInputEnds() throws {
        let n = 64
        let rho = Float(Double(n) / (2 * Double.pi))
        var field = try SPAICCANNField(neurons: n, weights: try SPAICCANNField.ringWeights(neurons: n, width: 0.5), rho: rho, k: 0.05)
        for x0: Float in [1.0, -2.2] {
            field = try SPAICCANNField(neurons: n, weights: field.weights, rho: rho, k: 0.05)
            let stimulus = (0..<n).map { i -> Float in
                var d = Swift.abs(field.angle(i) - x0); d = Swift.min(d, 2 * .pi - d)
                return 0.5 * Foundation.exp(-d * d / (4 * 0.25))
            }
            for _ in 0..<300 { try field.step(external: stimulus) }
            let zero = [Float](repeating: 0, count: n)
            for _ in 0..<2700 { try field.step(external: zero) }
            let centre = try XCTUnwrap(field.bumpCentre)
            XCTAssertEqual(centre, x0, accuracy: 2e-3, "the bump stays where the input put it")
            XCTAssertGreaterThan(field.o.max()!, 0.1)
            XCTAssertLessThan(field.o.min()!, 1e-3 * field.o.max()!, "a localised bump, not uniform activity")
        }
        // Without the recurrent weights the activity decays once the input ends.
        var isolated = try SPAICCANNField(neurons: n, weights: [Float](repeating: 0, count: n * n), rho: rho, k: 0.05)
        for _ in 0..<300 { try isolated.step(external: [Float](repeating: 0.5, count: n)) }
        for _ in 0..<700 { try isolated.step(external: [Float](repeating: 0, count: n)) }
        XCTAssertLessThan(isolated.o.max()!, 1e-12)
    }

    func testBadSettingsAreOneLineErrors() {
        XCTAssertThrowsError(try SPAICCANNField(neurons: 3, weights: [1, 2])) {
            XCTAssertEqual("\($0)", "cann_field: weights must have 3 x 3 = 9 values, got 2")
        }
        XCTAssertThrowsError(try SPAICCANNField(neurons: 1, weights: [1], tau: 0)) { XCTAssertEqual("\($0)", "cann_field: tau must be > 0, got 0.0") }
        XCTAssertThrowsError(try SPAICCANNField.ringWeights(neurons: 4, width: 0)) { XCTAssertEqual("\($0)", "cann_field: width must be > 0, got 0.0") }
    }
}
