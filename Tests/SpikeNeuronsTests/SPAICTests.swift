import XCTest
import Foundation
import SpikeCore
@testable import SpikeNeurons

/// The SPAIC models: clif, aclif, diehl_cook, lif_int (SPAIC 0.6.3, spaic/Neuron/Neuron.py).
final class SPAICTests: XCTestCase {
    /// One neuron's run: output and every state's trace.
    func run<M: NeuronModel>(_ m: M, _ x: [Float]) -> (out: [Float], state: (String) -> [Float]) {
        let fwd = NeuronKernel.forward(m, input: x, steps: x.count, elements: 1)
        let S = M.State.count
        return (fwd.output, { name in
            let k = M.stateNames.firstIndex(of: name)!
            return (0..<x.count).map { fwd.states[$0 * S + k] }
        })
    }

    // MARK: clif

    /// One input of 1 at t = 0 gives the PSP V0 (exp(-t/tau_p) - exp(-t/tau_q)), peaking at the sample nearest
    /// t* = tau_p tau_q/(tau_p - tau_q) ln(tau_p/tau_q) = 9.7312 ms. V0 is what SPAIC runs: its docstring's
    /// normalisation beta^(beta/(beta-1))/(beta-1) = 6.75 clamped to SPAIC's parameter range [0, 1], i.e. 1 (the
    /// peak is then 1/6.75, not 1; Fixtures/spaic_clif_0 is SPAIC's own trace).
    func testCLIFPSPIsDifferenceOfExponentialsPeakingAtTheAnalyticTime() {
        for dt: Float in [0.1, 1] {
            let m = SPAICCLIF(threshold: 100, dt: dt)
            let T = Int((30 / dt).rounded())
            var x = [Float](repeating: 0, count: T); x[0] = 1
            let r = run(m, x), v = r.state("v")
            XCTAssertEqual(r.out, [Float](repeating: 0, count: T))
            XCTAssertEqual(v[0], 0)
            let (tp, tq) = (12.0, 8.0)
            let normalisation = pow(tp / tq, (tp / tq) / (tp / tq - 1)) / (tp / tq - 1)
            XCTAssertEqual(normalisation, 6.75, accuracy: 1e-12)
            XCTAssertEqual(m.v0, 1, "clamped to [0, 1] as SPAIC runs it")
            XCTAssertEqual(SPAICCLIF(tauP: 4, tauQ: 6).v0, 0, "tau_p < tau_q: negative V0 clamped to 0")
            for k in 0..<T {
                let t = Double(k) * Double(dt)
                XCTAssertEqual(Double(v[k]), exp(-t / tp) - exp(-t / tq), accuracy: 1e-5, "t = \(t)")
            }
            let tStar = tp * tq / (tp - tq) * log(tp / tq)
            let kPeak = v.indices.max(by: { v[$0] < v[$1] })!
            XCTAssertLessThanOrEqual(abs(Double(kPeak) * Double(dt) - tStar), Double(dt) / 2, "dt \(dt): peak at step \(kPeak)")
            XCTAssertEqual(Double(v[kPeak]), 1 / normalisation, accuracy: dt < 1 ? 2e-5 : 3e-4)
        }
    }

    /// SPAIC fires on V > v_th (torch.gt): V = v_th exactly does not fire. A spike adds v_th to E, which is
    /// subtracted from the next step on and decays with tau_m.
    func testCLIFStrictThresholdAndResetKernel() throws {
        // V[0] = M - S = 0 always: with v_th = 0 the first step does not fire, the second does.
        let zero = run(SPAICCLIF(threshold: 0, dt: 1), [1, 0, 0])
        XCTAssertEqual(zero.out, [0, 1, 1])
        let m = SPAICCLIF(tauM: 20, threshold: 0.5, dt: 1)
        var x = [Float](repeating: 0, count: 20); x[0] = 4.05   // the PSP peaks at 4.05/6.75 = 0.6 near step 10
        let r = run(m, x), v = r.state("v"), e = r.state("E"), mm = r.state("M"), s = r.state("S")
        let k = try XCTUnwrap(r.out.firstIndex(of: 1), "\(v)")
        XCTAssertEqual(r.out.filter { $0 == 1 }.count, 1, "\(v)")
        XCTAssertEqual(e[k], 0.5)
        for j in 0..<k { XCTAssertEqual(e[j], 0) }
        for j in (k + 1)..<20 {
            XCTAssertEqual(e[j], m.betaM * e[j - 1])
            XCTAssertEqual(v[j], (mm[j] - s[j]) - e[j - 1])
        }
        XCTAssertEqual(Double(m.betaM), exp(-1.0 / 20), accuracy: 1e-7)
    }

    func testCLIFGradients() {
        let sg = Surrogate(.sigmoid, alpha: 2, smoothForward: true)
        gradCheck(SPAICCLIF(dt: 1, surrogate: sg), low: -0.1, high: 0.6)
        gradCheck(SPAICCLIF(tauM: 5, tauP: 4, tauQ: 6, threshold: 0.8, dt: 0.5, surrogate: sg), low: -0.1, high: 0.8)
        gradCheckParameters(SPAICCLIF(dt: 1, surrogate: sg), low: -0.1, high: 0.6)
        gradCheckParameters(SPAICCLIF(tauM: 5, tauP: 4, tauQ: 6, threshold: 0.8, dt: 0.5, surrogate: sg), low: -0.1, high: 0.8)
    }

    // MARK: aclif

    /// Vth1[t] = beta_a Vth1[t-1] + O[t-1] (the previous step's spike) and enters V with weight beta_adaptive; a
    /// constant input then fires ever more slowly (spike-frequency adaptation), unlike clif.
    func testACLIFAdaptsToConstantInput() {
        let a = SPAICAdaptiveCLIF(tauA: 2000, betaAdaptive: 0.1, dt: 1)
        let T = 600
        let x = [Float](repeating: 0.675, count: T)
        let r = run(a, x), vth1 = r.state("Vth1"), o = r.state("O"), e = r.state("E")
        XCTAssertEqual(o, r.out)
        for t in 1..<T {
            XCTAssertEqual(vth1[t], a.betaA * vth1[t - 1] + r.out[t - 1])
            XCTAssertEqual(e[t], a.betaM * e[t - 1] + a.threshold * r.out[t])
        }
        let first = r.out[0..<150].reduce(0, +), last = r.out[(T - 150)...].reduce(0, +)
        XCTAssertGreaterThan(first, 2 * last, "first 150 steps \(first) spikes, last 150 \(last)")
        XCTAssertGreaterThan(last, 0)
        let plain = run(SPAICCLIF(dt: 1), x).out
        let pFirst = plain[150..<300].reduce(0, +), pLast = plain[(T - 150)...].reduce(0, +)
        XCTAssertEqual(pFirst, pLast, accuracy: 1, "clif's rate stays put")
        XCTAssertGreaterThan(pLast, 3 * last)
        // beta_adaptive 0 is clif.
        XCTAssertEqual(run(SPAICAdaptiveCLIF(betaAdaptive: 0, dt: 1), x).out, plain)
    }

    func testACLIFGradients() {
        let sg = Surrogate(.sigmoid, alpha: 2, smoothForward: true)
        let m = SPAICAdaptiveCLIF(tauA: 30, threshold: 0.7, betaAdaptive: 0.4, dt: 1, surrogate: sg)
        gradCheck(m, T: 16, low: -0.1, high: 0.6)
        gradCheckParameters(m, low: -0.1, high: 0.6)
    }

    // MARK: diehl_cook

    /// The first steps by hand with SPAIC's defaults (V starts at -65 mV, theta at 0).
    func testDiehlCookStepsByHand() {
        let m = SPAICDiehlCook()
        let r = run(m, [5, 5, 20, 0])
        let dv = exp(-1.0 / 100), dth = exp(-1.0 / 1e7)
        // step 0: -65 + 5 = -60 (below -52); step 1: dv (-60 + 65) - 65 + 5; step 2: dv (V + 65) - 65 + 20 > -52: spike.
        let v1 = dv * 5 - 60
        let v2 = dv * (v1 + 65) - 45
        XCTAssertGreaterThan(v2, -52)
        XCTAssertEqual(r.out, [0, 0, 1, 0])
        let v = r.state("v"), theta = r.state("theta")
        XCTAssertEqual(v[0], -60)
        XCTAssertEqual(Double(v[1]), v1, accuracy: 1e-5)
        XCTAssertEqual(v[2], -60)
        XCTAssertEqual(Double(v[3]), dv * 5 - 65, accuracy: 1e-5)
        XCTAssertEqual(theta[0], 0); XCTAssertEqual(theta[1], 0)
        XCTAssertEqual(theta[2], 0.05)
        XCTAssertEqual(Double(theta[3]), 0.05 * dth, accuracy: 1e-8)   // decay_th rounds to float32 (1 - 1.2e-7), as in SPAIC
        // Strict threshold: -65 + 13 = -52 = v_th does not fire; 13.01 does.
        XCTAssertEqual(run(m, [13]).out, [0])
        XCTAssertEqual(run(m, [13.01]).out, [1])
    }

    /// Diehl & Cook's homeostasis: theta grows by th_inc per spike, more with more activity, and the rate of a
    /// constant input falls as theta builds up.
    func testDiehlCookThetaGrowsWithActivityAndRateFalls() {
        let m = SPAICDiehlCook()
        let T = 400
        let weak = run(m, [Float](repeating: 0.2, count: T)), strong = run(m, [Float](repeating: 2, count: T))
        let nWeak = weak.out.reduce(0, +), nStrong = strong.out.reduce(0, +)
        XCTAssertGreaterThan(nWeak, 0)
        XCTAssertGreaterThan(nStrong, nWeak)
        let thWeak = weak.state("theta").last!, thStrong = strong.state("theta").last!
        XCTAssertGreaterThan(thStrong, thWeak)
        XCTAssertEqual(Double(thStrong), 0.05 * Double(nStrong), accuracy: 1e-4 * Double(nStrong))   // decay_th ~ 1
        let fast = SPAICDiehlCook(thInc: 0.5)
        let r = run(fast, [Float](repeating: 2, count: 1000))
        let first = r.out[0..<200].reduce(0, +), last = r.out[800...].reduce(0, +)
        XCTAssertGreaterThan(first, 1.5 * last, "first 200 steps \(first) spikes, last 200 \(last)")
        XCTAssertGreaterThan(last, 0)
    }

    /// reset_refrac = R: the input is ignored for R steps after a spike (V keeps decaying); 0 is SPAIC's lifstdp_ex.
    func testDiehlCookRefractoryPeriod() {
        let x = [Float](repeating: 100, count: 14)
        XCTAssertEqual(run(SPAICDiehlCook(), x).out, [Float](repeating: 1, count: 14))
        let r = run(SPAICDiehlCook(resetRefrac: 5), x)
        XCTAssertEqual(r.out, (0..<14).map { $0 % 6 == 0 ? 1 : 0 })
        XCTAssertEqual(r.state("refrac_count"), [5, 4, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0, 5, 4])
        let v = r.state("v"), dv = SPAICDiehlCook().decayV
        XCTAssertEqual(v[1], dv * (-60 + 65) - 65)   // decays towards v_rest while the input is ignored
    }

    func testDiehlCookGradients() {
        let sg = Surrogate(.sigmoid, alpha: 1, smoothForward: true)
        let m = SPAICDiehlCook(threshold: -60, vReset: -63, thInc: 0.8, decayTh: 0.9, decayV: 0.8, surrogate: sg)
        gradCheck(m, low: 0, high: 3)
        // Potentials of -60 mV: a relative step of 1e-3 (0.06 mV) keeps the central difference in the sigmoid's linear range.
        gradCheckParameters(m, low: 0, high: 3, relativeStep: 1e-3)
    }

    // MARK: lif_int

    /// Integer steps by hand with SPAIC's defaults (decay 1013 >> 10, input 154 >> 10, thresh 213, reset_refrac 5,
    /// thresh_plus 66): floor shifts of negative values, the refractory counter, truncation of the input.
    func testLIFIntStepsByHand() {
        let x: [Float] = [1000, 1000, 500, 500, 500, 500, 500, -3000, -3000, 0, 6.9, -6.9]
        let r = run(SPAICLIFInt(), x)
        // 0: 0 decays to 0; + (1000*154 = 154000) >> 10 = 150.  150 <= 213.          counter 0 -> -1
        // 1: (1013*150 = 151950) >> 10 = 148; + 150 = 298 > 213: spike, V = 0, thresh 279, counter 5
        // 2-6: counter 5,4,3,2,1 > 0: input ignored, V stays 0; counter -> 4,3,2,1,0
        // 7: counter 0: (-3000*154 = -462000) >> 10 = floor(-451.17) = -452                counter -1
        // 8: (1013*-452 = -457876) >> 10 = floor(-447.14) = -448; -448 - 452 = -900
        // 9: (1013*-900 = -911700) >> 10 = floor(-890.33) = -891
        // 10: (1013*-891 = -902583) >> 10 = -882; int(6.9) = 6: (6*154 = 924) >> 10 = 0  -> -882
        // 11: (1013*-882 = -893466) >> 10 = -873; int(-6.9) = -6: (-924) >> 10 = -1      -> -874
        XCTAssertEqual(r.state("v"), [150, 0, 0, 0, 0, 0, 0, -452, -900, -891, -882, -874])
        XCTAssertEqual(r.out, [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(r.state("thresh"), [213] + [Float](repeating: 279, count: 11))
        XCTAssertEqual(r.state("refrac_count"), [-1, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5])
    }

    /// Threshold halving above max_threshold, the lbound clamp, the input clamp, v_rest != 0, and the strict `>`.
    func testLIFIntHalvingClampsAndRest() {
        // thresh 5000 > 4915: halved (>> 1) to 2500 before the step.
        XCTAssertEqual(run(SPAICLIFInt(thresh: 5000), [0, 0]).state("thresh"), [2500, 2500])
        XCTAssertEqual(run(SPAICLIFInt(thresh: 4999), [0]).state("thresh"), [2499])   // floor(4999 / 2)
        // lbound -500: -452, then -448 - 452 = -900 -> -500.
        XCTAssertEqual(run(SPAICLIFInt(lbound: -500), [-3000, -3000]).state("v"), [-452, -500])
        // Input clamp at weight_sum_max 1000: 5000 -> 1000 -> 150.
        XCTAssertEqual(run(SPAICLIFInt(weightSumMax: 1000), [5000]).state("v"), [150])
        // v_rest -100: V = ((1013 (V + 100)) >> 10) - 100; from 0: (101300 >> 10) - 100 = 98 - 100 = -2.
        XCTAssertEqual(run(SPAICLIFInt(vRest: -100), [0, 0]).state("v"), [-2, -4])   // (1013*98 = 99274) >> 10 = 96
        // V = 213 = thresh does not fire (V > thresh): 1420*154 = 218680 >> 10 = 213.
        XCTAssertEqual(run(SPAICLIFInt(), [1420]).out, [0])
        XCTAssertEqual(run(SPAICLIFInt(), [1427]).out, [1])   // 219758 >> 10 = 214
    }

    /// The backward: STE for the shifts and the rounding, the surrogate at the threshold, by hand for one step.
    func testLIFIntStraightThroughGradientByHand() {
        let m = SPAICLIFInt(surrogate: Surrogate(.rectangle, alpha: 100))
        var s = FloatVector<3>()
        s[0] = 100; s[1] = 213
        // V = (101300 >> 10) + (154000 >> 10) = 98 + 150 = 248 > 213: spike; rectangle slope 1/100 at 248 - 213.
        XCTAssertEqual(m.step(1000, s).out, 1)
        let g = m.stepVJP(1000, s, gOut: 1, gNext: FloatVector<3>())
        XCTAssertEqual(g.gx, 0.01 * 154 / 1024)
        XCTAssertEqual(g.gPrev[0], 0.01 * 1013 / 1024)
        XCTAssertEqual(g.gPrev[1], -0.01)
        XCTAssertEqual(g.gPrev[2], 0)
        // Through the reset: dV_new/dV = 1 - O = 0, and (v_reset - V) sigma' = -248/100 via O.
        let gv = m.stepVJP(1000, s, gOut: 0, gNext: FloatVector([1, 0, 0]))
        XCTAssertEqual(gv.gx, -2.48 * 154 / 1024, accuracy: 1e-7)
        // Refractory: no input gradient.
        s[2] = 3
        XCTAssertEqual(m.stepVJP(1000, s, gOut: 1, gNext: FloatVector([1, 0, 0])).gx, 0)
    }

    /// With smoothForward the forward is the real-valued relaxation; the backward is its exact gradient.
    func testLIFIntRelaxedGradient() {
        let sg = Surrogate(.sigmoid, alpha: 0.3, smoothForward: true)
        gradCheck(SPAICLIFInt(thresh: 20, resetRefrac: 0, threshPlus: 5, surrogate: sg), low: -20, high: 200, step: 0.05)
        gradCheck(SPAICLIFInt(thresh: 20, vReset: 3, vRest: -4, resetRefrac: 0, threshPlus: 5, surrogate: sg), low: -20, high: 200, step: 0.05)
    }

    // MARK: registry

    func testRegistryBuildsFromSPAICNames() throws {
        for id in ["clif", "aclif", "diehl_cook", "lif_int"] { XCTAssertTrue(NeuronRegistry.modelIDs.contains(id), id) }
        let c = try XCTUnwrap(NeuronRegistry.model("clif", parameters: ["tau_m": 10, "tau_p": "6", "tau_q": 2.0, "v_th": 0.5, "dt": 1]).base as? SPAICCLIF)
        XCTAssertEqual(c, SPAICCLIF(tauM: 10, tauP: 6, tauQ: 2, threshold: 0.5, dt: 1))
        XCTAssertEqual(try NeuronRegistry.model("clif", parameters: [:]).base as? SPAICCLIF, SPAICCLIF())
        let a = try XCTUnwrap(NeuronRegistry.model("aclif", parameters: ["tau_a": 500, "beta_adaptive": 0.3, "surrogate": "sigmoid", "alpha": 3]).base as? SPAICAdaptiveCLIF)
        XCTAssertEqual(a, SPAICAdaptiveCLIF(tauA: 500, betaAdaptive: 0.3, surrogate: Surrogate(.sigmoid, alpha: 3)))
        let d = try XCTUnwrap(NeuronRegistry.model("diehl_cook", parameters: ["v_th": -50, "v_reset": -61, "v_rest": -66, "th_inc": 0.1,
                                                                             "decay_th": 0.99, "decay_v": 0.9, "reset_refrac": 5]).base as? SPAICDiehlCook)
        XCTAssertEqual(d, SPAICDiehlCook(threshold: -50, vReset: -61, vRest: -66, thInc: 0.1, decayTh: 0.99, decayV: 0.9, resetRefrac: 5))
        XCTAssertEqual(try NeuronRegistry.model("diehl_cook", parameters: [:]).base as? SPAICDiehlCook, SPAICDiehlCook())
        let i = try XCTUnwrap(NeuronRegistry.model("lif_int", parameters: ["thresh": 300, "decay": 1000, "shift_voltage": 9, "reset_refrac": 2,
                                                                          "thresh_plus": 10, "lbound": -1000, "weight_sum_min": -5]).base as? SPAICLIFInt)
        XCTAssertEqual(i, SPAICLIFInt(thresh: 300, decay: 1000, shiftVoltage: 9, weightSumMin: -5, resetRefrac: 2, threshPlus: 10, lbound: -1000))
        XCTAssertEqual(try NeuronRegistry.model("lif_int", parameters: [:]).base as? SPAICLIFInt, SPAICLIFInt())
        XCTAssertEqual(SPAICLIFInt().surrogate, Surrogate(.rectangle, alpha: 213))
        XCTAssertEqual((try NeuronRegistry.model("lif_int", parameters: ["alpha": 50]).base as? SPAICLIFInt)?.surrogate, Surrogate(.rectangle, alpha: 50))
        XCTAssertEqual((try NeuronRegistry.model("clif", parameters: [:]).base as? SPAICCLIF)?.surrogate, Surrogate(.rectangle, alpha: 1))
        for id in ["clif", "aclif", "diehl_cook", "lif_int"] {
            let names = Set(NeuronRegistry.parameters(of: id).map(\.name))
            let model = try NeuronRegistry.model(id, parameters: [:])
            XCTAssertTrue(Set(model.parameterNames).isSubset(of: names), id)
        }
    }

    func testRegistryRejectsBadParameters() {
        func message(_ id: String, _ p: [String: Any]) -> String {
            do { _ = try NeuronRegistry.model(id, parameters: p); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("clif", ["tau_s": 3]).hasPrefix("clif: unknown parameter 'tau_s'"))
        XCTAssertTrue(message("lif_int", ["v_th": 3]).hasPrefix("lif_int: unknown parameter 'v_th'"))
        XCTAssertEqual(message("clif", ["tau_m": -1]), "clif: tau_m must be > 0, got -1.0")
        XCTAssertEqual(message("clif", ["dt": 0]), "clif: dt must be > 0, got 0.0")
        XCTAssertEqual(message("aclif", ["tau_a": -5]), "aclif: tau_a must be > 0, got -5.0")
        XCTAssertEqual(message("aclif", ["dt": -0.1]), "aclif: dt must be > 0, got -0.1")
        XCTAssertEqual(message("clif", ["tau_p": 8]), "clif: tau_p must differ from tau_q (V0 is undefined when they are equal), got 8.0 for both")
        XCTAssertEqual(message("clif", ["surrogate": "box"]).prefix(24), "unknown surrogate 'box' ")
        XCTAssertEqual(message("diehl_cook", ["decay_v": 1.5]), "diehl_cook: decay_v must be in [0, 1], got 1.5")
        XCTAssertEqual(message("diehl_cook", ["th_inc": -0.1]), "diehl_cook: th_inc must be >= 0, got -0.1")
        XCTAssertEqual(message("diehl_cook", ["reset_refrac": 2.5]), "diehl_cook: reset_refrac must be an integer >= 0, got 2.5")
        XCTAssertEqual(message("lif_int", ["decay": 1013.5]), "lif_int: decay must be an integer in [-16777215, 16777215], got 1013.5")
        XCTAssertEqual(message("lif_int", ["shift_voltage": 40]), "lif_int: shift_voltage must be an integer in [0, 31], got 40.0")
        XCTAssertEqual(message("lif_int", ["shift_weight_sum_coef": -1]), "lif_int: shift_weight_sum_coef must be an integer in [0, 31], got -1.0")
        XCTAssertEqual(message("lif_int", ["reset_refrac": -2]), "lif_int: reset_refrac must be an integer in [0, 16777215], got -2.0")
        XCTAssertEqual(message("lif_int", ["thresh": 3e7]), "lif_int: thresh must be an integer in [-16777215, 16777215], got 3e+07")
        XCTAssertEqual(message("lif_int", ["weight_sum_min": 10, "weight_sum_max": 5]), "lif_int: weight_sum_min must be <= weight_sum_max, got 10 > 5")
    }

    /// Per-neuron values are checked against the same domains (`spike neuron --set a,b`, mismatch).
    func testPerNeuronDomains() throws {
        var t = NeuronParameterTable(SPAICLIFInt(), neurons: 2)
        t["decay"] = [1013, 1013.5]
        XCTAssertThrowsError(try t.validate(for: SPAICLIFInt.self)) {
            XCTAssertEqual("\($0)", "lif_int: decay of neuron 1 must be an integer in [-16777215, 16777215], got 1013.5")
        }
        var c = NeuronParameterTable(SPAICCLIF(), neurons: 2)
        c["dt"] = [0.1, 0]
        XCTAssertThrowsError(try c.validate(for: SPAICCLIF.self)) { XCTAssertEqual("\($0)", "clif: dt of neuron 1 must be > 0, got 0.0") }
        var d = NeuronParameterTable(SPAICDiehlCook(), neurons: 2)
        try d.addMismatch("decay_v", fraction: 0.5, seed: 1, model: SPAICDiehlCook.self)
        try d.validate(for: SPAICDiehlCook.self)
        // Per-neuron models equal separate runs (parameters setter rebuilds the derived constants).
        var a = NeuronParameterTable(SPAICAdaptiveCLIF(dt: 1), neurons: 2)
        a["tau_p"] = [12, 5]
        let x: [Float] = (0..<40).map { Float($0 % 7) * 0.05 }
        let both = NeuronKernel.forward(SPAICAdaptiveCLIF(dt: 1), input: x.flatMap { [$0, $0] }, steps: 40, elements: 2, table: a)
        let single = run(SPAICAdaptiveCLIF(tauP: 5, dt: 1), x).out
        XCTAssertEqual((0..<40).map { both.output[$0 * 2 + 1] }, single)
    }
}
