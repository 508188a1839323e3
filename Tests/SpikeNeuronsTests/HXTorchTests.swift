import XCTest
import SpikeCore
@testable import SpikeNeurons

/// The BrainScaleS-2 neurons of hxtorch (mock mode): integration steps by hand, hxtorch's conventions
/// (strict threshold, synaptic delay, detached reset, refractory counter), holdoff, gradients, HXParameter,
/// trace mapping, the backend boundary and the registry.
final class HXTorchTests: XCTestCase {
    /// A one-element run: spikes and each state's trace.
    func run<M: NeuronModel>(_ m: M, _ x: [Float]) -> (out: [Float], states: [[Float]]) {
        let f = NeuronKernel.forward(m, input: x, steps: x.count, elements: 1)
        let S = M.State.count
        return (f.output, (0..<S).map { k in (0..<x.count).map { f.states[$0 * S + k] } })
    }

    func assertClose(_ a: [Float], _ b: [Float], _ tol: Float = 1e-6, _ what: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (k, (p, q)) in zip(a, b).enumerated() {
            XCTAssertEqual(p, q, accuracy: tol * max(1, abs(q)), "\(what)[\(k)]", file: file, line: line)
        }
    }

    // MARK: - Integration by hand

    /// v' = v + dt/C I + dt/tau_mem (leak - v) with the previous I; I' = I (1 - dt/tau_syn) + x.
    func testCUBALIFStepsByHand() {
        let m = BSS2LIF(leak: HXParameter(0), reset: HXParameter(0), threshold: HXParameter(1),
                        tauMem: HXParameter(10e-6), tauSyn: HXParameter(5e-6), membraneCapacitance: HXParameter(10e-6),
                        refractoryTime: HXParameter(0))
        let r = run(m, [1, 0, 0, 0])
        // dt/C = dt/tau_mem = 0.1, I decays by 0.8: I = 1, .8, .64, .512; the input reaches v one step later.
        assertClose(r.states[1], [1, 0.8, 0.64, 0.512])
        assertClose(r.states[0], [0, 0.1, 0.17, 0.217])
        XCTAssertEqual(r.out, [0, 0, 0, 0])
        // C != tau_mem: the input is scaled by dt/C = 0.05, the leak by dt/tau_mem = 0.1.
        let c = BSS2LIF(leak: HXParameter(0), reset: HXParameter(0), threshold: HXParameter(1), tauMem: HXParameter(10e-6),
                        tauSyn: HXParameter(5e-6), membraneCapacitance: HXParameter(20e-6), refractoryTime: HXParameter(0))
        assertClose(run(c, [1, 0, 0]).states[0], [0, 0.05, 0.085])
        // Start at the leak, relax towards it.
        let l = BSS2LIF(leak: HXParameter(0.5), reset: HXParameter(0), threshold: HXParameter(1), membraneCapacitance: HXParameter(10e-6),
                        refractoryTime: HXParameter(0))
        XCTAssertEqual(l.initialState[0], 0.5)
        assertClose(run(l, [0, 0]).states[0], [0.5, 0.5])
    }

    /// With C = tau_mem (model values) the step is hxtorch's `cuba_lif_step`: v' = v + dt/tau_mem (leak - v + I).
    func testEqualsCubaLIFStepWhenCapacitanceEqualsTauMem() {
        let m = BSS2LIF(leak: HXParameter(0.2), reset: HXParameter(-0.1), threshold: HXParameter(0.6), tauMem: HXParameter(8e-6),
                        tauSyn: HXParameter(4e-6), membraneCapacitance: HXParameter(8e-6), refractoryTime: HXParameter(0))
        let x: [Float] = [0.3, 0.8, -0.2, 1.5, 0, 0.4, 0.9, 0, 0, 1.2]
        let r = run(m, x)
        var v = 0.2, i = 0.0
        for t in 0..<x.count {
            let vNew = v + 1e-6 / 8e-6 * (0.2 - v + i)
            i = i * (1 - 1e-6 / 4e-6) + Double(x[t])
            let z: Double = vNew - 0.6 > 0 ? 1 : 0
            v = (1 - z) * vNew + z * -0.1
            XCTAssertEqual(Double(r.out[t]), z, "t \(t)")
            XCTAssertEqual(Double(r.states[0][t]), v, accuracy: 1e-6, "v t \(t)")
            XCTAssertEqual(Double(r.states[1][t]), i, accuracy: 1e-6, "i t \(t)")
        }
        XCTAssertGreaterThan(r.out.reduce(0, +), 0, "the sequence should spike")
    }

    /// Strict `v > threshold` (hxtorch's `torch.gt`); IAF: no leak, v[0] = reset.
    func testIAFStrictThresholdAndDelay() {
        // dt/tau_mem = 1 and tau_syn = dt (I' = x): v' = v + x[t-1] exactly.
        func iaf(_ th: Float) -> BSS2IAF {
            BSS2IAF(reset: HXParameter(0), threshold: HXParameter(th), tauMem: HXParameter(1e-6), tauSyn: HXParameter(1e-6),
                    refractoryTime: HXParameter(0))
        }
        let equal = run(iaf(0.5), [0.5, 0, 0])
        XCTAssertEqual(equal.states[0], [0, 0.5, 0.5], "v equal to threshold: no spike, no leak")
        XCTAssertEqual(equal.out, [0, 0, 0])
        let above = run(iaf(0.5), [0.625, 0, 0])
        XCTAssertEqual(above.out, [0, 1, 0])
        XCTAssertEqual(above.states[0], [0, 0, 0])
        XCTAssertEqual(BSS2IAF(reset: HXParameter(-0.25)).initialState[0], -0.25)
    }

    /// hxtorch's refractory counter: after a spike, refractory_time/dt steps with the membrane at reset and
    /// no output spike, while the current keeps integrating.
    func testRefractoryClampsMembraneAndBlocksSpikes() {
        // IAF with v' = v + x[t-1]; constant input 1 crosses the threshold 0.5 in one step from reset 0.
        let m = BSS2IAF(reset: HXParameter(0), threshold: HXParameter(0.5), tauMem: HXParameter(1e-6), tauSyn: HXParameter(1e-6),
                        refractoryTime: HXParameter(3e-6))
        let r = run(m, [Float](repeating: 1, count: 11))
        XCTAssertEqual(r.out, [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0])
        XCTAssertEqual(r.states[0], [Float](repeating: 0, count: 11), "reset at spikes, clamped while refractory")
        XCTAssertEqual(r.states[2], [0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2])
        XCTAssertEqual(r.states[1], [Float](repeating: 1, count: 11), "the current is not clamped")
        // Without refractory time it fires every step it can.
        var free = m; free.hx.refractoryTime = HXParameter(0)
        XCTAssertEqual(run(free, [Float](repeating: 1, count: 5)).out, [0, 1, 1, 1, 1])
        // A non-integer refractory_time/dt (2.5) lasts ceil(2.5) = 3 steps, as hxtorch's relu counter.
        var frac = m; frac.hx.refractoryTime = HXParameter(2.5e-6)
        XCTAssertEqual(run(frac, [Float](repeating: 1, count: 7)).out, [0, 1, 0, 0, 0, 1, 0])
    }

    /// Holdoff (the last holdoff_time of the refractory period): the clamp is released, spikes stay blocked.
    func testHoldoffReleasesClampButBlocksSpikes() {
        var m = BSS2IAF(reset: HXParameter(0), threshold: HXParameter(0.5), tauMem: HXParameter(1e-6), tauSyn: HXParameter(1e-6),
                        refractoryTime: HXParameter(3e-6), holdoffTime: HXParameter(1e-6))
        let r = run(m, [Float](repeating: 1, count: 11))
        XCTAssertEqual(r.out, [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0])
        // Steps 4 and 8: free membrane above threshold (1 > 0.5) but no spike and no reset.
        XCTAssertEqual(r.states[0], [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0])
        // holdoff = refractory: never clamped, never fires while refractory.
        m.hx.holdoffTime = HXParameter(3e-6)
        let all = run(m, [Float](repeating: 1, count: 6))
        XCTAssertEqual(all.out, [0, 1, 0, 0, 0, 1])
        XCTAssertEqual(all.states[0], [0, 0, 1, 2, 3, 0])
    }

    /// LIF with hxtorch's defaults (refractory_time 1e-6 = one step) in hardware-like units.
    func testLIFDefaultsRefractoryOneStep() {
        let m = BSS2LIF()
        XCTAssertEqual(m.initialState[0], 80)
        // A large current: the membrane crosses 125 in one step from the reset 80.
        let r = run(m, [Float](repeating: 1000, count: 8))
        XCTAssertEqual(r.out, [0, 1, 0, 1, 0, 1, 0, 1])
        for t in [1, 2, 3, 4] { XCTAssertEqual(r.states[0][t], 80) }
    }

    /// AELIF against hxtorch's CuBaStepCode transcribed in Double, all terms on, with refractoriness.
    func testAELIFAgainstStepCodeInDouble() {
        var hx = BSS2Parameters()
        hx.leak = HXParameter(0); hx.reset = HXParameter(-0.2); hx.threshold = HXParameter(1)
        hx.tauMem = HXParameter(10e-6); hx.tauSyn = HXParameter(5e-6); hx.membraneCapacitance = HXParameter(8e-6)
        hx.refractoryTime = HXParameter(2e-6)
        hx.exponentialSlope = HXParameter(0.2); hx.exponentialThreshold = HXParameter(0.5)
        hx.subthresholdAdaptationStrength = HXParameter(2); hx.spikeTriggeredAdaptationIncrement = HXParameter(0.3)
        hx.tauAdap = HXParameter(20e-6)
        let m = BSS2AELIF(hx)
        // The burst of 15s crosses the threshold while refractory: hxtorch's w still adds b there.
        let x: [Float] = [2, 1, 0, 3, 3, 0, 0, 1, 2, 2, 2, 0, 0, 0, 1, 15, 15, 15, 15, 0, 0]
        let r = run(m, x)
        var ghost = 0
        let dt = 1e-6, c = Double(Float(8e-6)), tm = Double(Float(10e-6)), ts = Double(Float(5e-6)), ta = Double(Float(20e-6))
        var v = 0.0, i = 0.0, w = 0.0, ref = 0.0
        for t in 0..<x.count {
            let gl = c / tm
            let vPre = v + dt / c * (i + gl * (0 - v) + gl * 0.2 * exp((v - 0.5) / 0.2) - w)
            i = i * (1 - dt / ts) + Double(x[t])
            var z: Double = vPre - 1 > 0 ? 1 : 0
            w = w * (1 - dt / ta) + dt / ta * 2 * (vPre - 0) + 0.3 * z
            v = (1 - z) * vPre + z * -0.2
            let mask: Double = ref > 0 ? 1 : 0
            if mask * z == 1 { ghost += 1 }
            v = (1 - mask) * v + mask * -0.2
            z = (1 - mask) * z
            ref = (1 - z) * max(ref - mask, 0) + z * 2
            XCTAssertEqual(Double(r.out[t]), z, "z t \(t)")
            XCTAssertEqual(Double(r.states[0][t]), v, accuracy: 1e-5 * max(1, abs(v)), "v t \(t)")
            XCTAssertEqual(Double(r.states[1][t]), i, accuracy: 1e-5 * max(1, abs(i)), "i t \(t)")
            XCTAssertEqual(Double(r.states[2][t]), w, accuracy: 1e-5 * max(1, abs(w)), "w t \(t)")
            XCTAssertEqual(Double(r.states[3][t]), ref, "ref t \(t)")
        }
        XCTAssertGreaterThanOrEqual(r.out.reduce(0, +), 2, "the sequence should spike more than once")
        XCTAssertGreaterThan(ghost, 0, "the sequence should cross the threshold while refractory")
        // Terms off: no exponential and no adaptation is the LIF.
        let lif = BSS2LIF(hx)
        let off = BSS2AELIF(hx, exponential: false, subthresholdAdaptation: false, spikeTriggeredAdaptation: false)
        let a = run(off, x), b = run(lif, x)
        XCTAssertEqual(a.out, b.out)
        XCTAssertEqual(a.states[0], b.states[0])
        XCTAssertEqual(a.states[2], [Float](repeating: 0, count: x.count))
    }

    // MARK: - Gradients

    func testInputGradients() {
        let sg = Surrogate(.sigmoid, alpha: 4, smoothForward: true)
        gradCheck(BSS2LIF(leak: HXParameter(0), reset: HXParameter(0), threshold: HXParameter(1), tauSyn: HXParameter(5e-6),
                          membraneCapacitance: HXParameter(10e-6), refractoryTime: HXParameter(0), surrogate: sg, detachReset: false))
        gradCheck(BSS2LIF(leak: HXParameter(0.1), reset: HXParameter(-0.2), threshold: HXParameter(0.8), tauMem: HXParameter(5e-6),
                          tauSyn: HXParameter(3e-6), membraneCapacitance: HXParameter(7e-6), refractoryTime: HXParameter(0),
                          surrogate: sg, detachReset: false))
        gradCheck(BSS2IAF(reset: HXParameter(0), threshold: HXParameter(1), tauSyn: HXParameter(5e-6), refractoryTime: HXParameter(0),
                          surrogate: sg, detachReset: false))
        gradCheck(BSS2AELIF(aelifParameters(timeScale: 1e-6), dt: 1e-6, surrogate: sg, detachReset: false), low: -0.3, high: 1.2)
    }

    /// Model-unit AdEx parameters, times in units of `timeScale` seconds.
    func aelifParameters(timeScale: Float) -> BSS2Parameters {
        var hx = BSS2Parameters()
        hx.leak = HXParameter(0); hx.reset = HXParameter(0); hx.threshold = HXParameter(1)
        hx.tauMem = HXParameter(10 * timeScale); hx.tauSyn = HXParameter(5 * timeScale)
        hx.membraneCapacitance = HXParameter(8 * timeScale); hx.refractoryTime = HXParameter(0)
        hx.exponentialSlope = HXParameter(0.5); hx.exponentialThreshold = HXParameter(1.5)
        hx.subthresholdAdaptationStrength = HXParameter(0.5); hx.spikeTriggeredAdaptationIncrement = HXParameter(0.2)
        hx.tauAdap = HXParameter(20 * timeScale)
        return hx
    }

    /// Learnable parameters. Times in µs (dt = 1): the shared check's step max(1, |p|) 1e-2 is then 1 % of a
    /// time constant (the dynamics depend on dt/tau only).
    func testParameterGradients() {
        let sg = Surrogate(.sigmoid, alpha: 4, smoothForward: true)
        gradCheckParameters(BSS2LIF(leak: HXParameter(0.1), reset: HXParameter(-0.1), threshold: HXParameter(1), tauMem: HXParameter(10),
                                    tauSyn: HXParameter(5), membraneCapacitance: HXParameter(8), refractoryTime: HXParameter(0),
                                    dt: 1, surrogate: sg, detachReset: false))
        gradCheckParameters(BSS2IAF(reset: HXParameter(0), threshold: HXParameter(1.5), tauMem: HXParameter(10), tauSyn: HXParameter(5),
                                    refractoryTime: HXParameter(0), dt: 1, surrogate: sg, detachReset: false))
        gradCheckParameters(BSS2AELIF(aelifParameters(timeScale: 1), dt: 1, surrogate: sg, detachReset: false), low: -0.3, high: 1.2)
    }

    /// Hard spikes with refractoriness: the BPTT gradient of the final membrane wrt the inputs equals central
    /// differences that keep the spike pattern (detached reset, zero output gradient, adaptation without b z),
    /// so clamped steps pass no membrane gradient while the current's still flows.
    func testRefractoryBackwardAgainstFiniteDifferences() {
        func check<M: NeuronModel>(_ m: M, file: StaticString = #filePath, line: UInt = #line) {
            let T = 16, N = 4, S = M.State.count
            var rng = SeededRandom(seed: 11)
            let x = Tensor.uniform([T, N], low: 0, high: 3, rng: &rng).scalars
            let f = NeuronKernel.forward(m, input: x, steps: T, elements: N)
            XCTAssertGreaterThan(f.output.reduce(0, +), Float(N), "\(M.id) should spike", file: file, line: line)
            var gFinal = [Float](repeating: 0, count: S * N)
            for n in 0..<N { gFinal[M.membraneIndex * N + n] = 1 }
            let g = NeuronKernel.backward(m, input: x, states: f.states, gradOutput: [Float](repeating: 0, count: T * N),
                                          steps: T, elements: N, gradFinalState: gFinal).gradInput
            func finalV(_ x: [Float]) -> (v: [Double], out: [Float]) {
                let f = NeuronKernel.forward(m, input: x, steps: T, elements: N)
                return ((0..<N).map { Double(f.states[((T - 1) * S + M.membraneIndex) * N + $0]) }, f.output)
            }
            var compared = 0, nonzero = 0, zero = 0
            let h: Float = 1e-3
            for k in 0..<(T * N) {
                var xp = x, xm = x
                xp[k] += h; xm[k] -= h
                let (p, m) = (finalV(xp), finalV(xm))
                guard p.out == f.output, m.out == f.output else { continue }
                let numeric = (p.v[k % N] - m.v[k % N]) / Double(2 * h)
                XCTAssertEqual(Double(g[k]), numeric, accuracy: 2e-3 * max(1, abs(numeric)), "\(M.id) x[\(k / N), \(k % N)]", file: file, line: line)
                compared += 1
                if abs(numeric) > 1e-4 { nonzero += 1 } else { zero += 1 }
            }
            XCTAssertGreaterThan(compared, T * N / 2, file: file, line: line)
            XCTAssertGreaterThan(nonzero, 3, "\(M.id): some inputs must reach the final membrane", file: file, line: line)
            XCTAssertGreaterThan(zero, 3, "\(M.id): inputs before a reset or clamp must not", file: file, line: line)
        }
        var hx = aelifParameters(timeScale: 1e-6)
        hx.refractoryTime = HXParameter(2e-6); hx.holdoffTime = HXParameter(1e-6)
        check(BSS2LIF(hx))
        check(BSS2IAF(hx))
        check(BSS2AELIF(hx, spikeTriggeredAdaptation: false))
    }

    /// hxtorch detaches the reset (`z.detach()`): dv_next/dv' = 1 - z. The full gradient adds (reset - v') σ'.
    func testDetachedResetVJP() {
        let sg = Surrogate(.fastSigmoid, alpha: 50)
        let m = BSS2LIF(leak: HXParameter(0), reset: HXParameter(0), threshold: HXParameter(1), tauMem: HXParameter(10e-6),
                        membraneCapacitance: HXParameter(10e-6), refractoryTime: HXParameter(0), surrogate: sg)
        // v = 1, I = 0.5: v' = 1 + 0.05 - 0.1 = 0.95 (no spike); v = 1.2, I = 0.5: v' = 1.13 (spike).
        var gNext = FloatVector<3>(); gNext[0] = 1
        for (v, z): (Float, Float) in [(1, 0), (1.2, 1)] {
            let s = FloatVector<3>([v, 0.5, 0])
            XCTAssertEqual(m.step(0, s).out, z)
            let vPre = v + 0.05 - 0.1 * v
            let detached = m.stepVJP(0, s, gOut: 0, gNext: gNext).gPrev
            XCTAssertEqual(detached[0], (1 - z) * 0.9, accuracy: 1e-6)
            XCTAssertEqual(detached[1], (1 - z) * 0.1, accuracy: 1e-6)
            var full = m; full.detachReset = false
            let sgd = sg.derivative(vPre - 1)
            XCTAssertEqual(full.stepVJP(0, s, gOut: 0, gNext: gNext).gPrev[0], ((1 - z) + (0 - vPre) * sgd) * 0.9, accuracy: 1e-5)
            // The output gradient goes through SuperSpike 1/(50|x| + 1)^2.
            let gOut = m.stepVJP(0, s, gOut: 1, gNext: FloatVector<3>()).gPrev[0]
            XCTAssertEqual(gOut, 0.9 / ((50 * abs(vPre - 1) + 1) * (50 * abs(vPre - 1) + 1)), accuracy: 1e-6)
        }
    }

    // MARK: - HXParameter and traces

    func testHXParameterRoundTrips() throws {
        var shared = HXParameter(80)
        XCTAssertEqual(shared.kind, .shared)
        XCTAssertEqual(shared.modelValue, 80); XCTAssertEqual(shared.hardwareValue, 80)
        try shared.setHardwareValue(1022)
        XCTAssertEqual(shared.modelValue, 1022, "one value for both worlds, as hxtorch's neuron.leak.hardware_value = 1022")
        shared.modelValue = 5
        XCTAssertEqual(shared.hardwareValue, 5)

        var mixed = HXParameter.mixed(model: 0, hardware: 80)
        XCTAssertEqual(mixed.kind, .mixed)
        XCTAssertEqual(mixed.modelValue, 0); XCTAssertEqual(mixed.hardwareValue, 80)
        mixed.modelValue = 0.5
        try mixed.setHardwareValue(90)
        XCTAssertEqual(mixed.modelValue, 0.5); XCTAssertEqual(mixed.hardwareValue, 90)

        var cap = BSS2Parameters.defaultMembraneCapacitance(model: 10e-6)
        XCTAssertEqual(cap.kind, .transformed)
        XCTAssertEqual(cap.hardwareValue, 63, "int(1e-5 / 1e-5 * 63)")
        cap.modelValue = 2.5e-6
        XCTAssertEqual(cap.hardwareValue, 15, "int(15.75)")
        XCTAssertThrowsError(try cap.setHardwareValue(10)) { XCTAssertTrue("\($0)".contains("computed from its model value"), "\($0)") }
        XCTAssertEqual(cap.hardwareValue, 15)
        let tau = HXParameter.transformed(model: 0.9) { -1e-6 / Foundation.log($0) }
        XCTAssertEqual(tau.hardwareValue, -1e-6 / Foundation.log(Float(0.9)))
        XCTAssertEqual("\(mixed)", "MixedHXModelParameter(hardware_value=90.0, model_value=0.5)")

        // The model simulates model values only; hardware values ride along.
        var a = BSS2LIF(leak: .mixed(model: 0, hardware: 80), threshold: .mixed(model: 1, hardware: 125))
        let b = BSS2LIF(leak: HXParameter(0), threshold: HXParameter(1))
        XCTAssertEqual(run(a, [10, 10, 10, 10]).states[0], run(b, [10, 10, 10, 10]).states[0])
        XCTAssertEqual(a.hx.threshold.hardwareValue, 125)
        // Setting the numeric parameters (a per-neuron table) changes model values and keeps the kinds.
        var p = a.parameters
        p[BSS2LIF.parameterIndex("threshold")!] = 2
        p[BSS2LIF.parameterIndex("membrane_capacitance")!] = 5e-6
        a.parameters = p
        XCTAssertEqual(a.hx.threshold.modelValue, 2); XCTAssertEqual(a.hx.threshold.hardwareValue, 125)
        XCTAssertEqual(a.hx.membraneCapacitance.hardwareValue, 31, "int(31.5) through the default transform")
        XCTAssertEqual(a.threshold, 2)
    }

    func testTraceTransformRoundTrip() throws {
        let hw: [Float] = [300, 310, 320, 330, 305, 315]   // [T = 3, M = 2]
        let one = BSS2TraceTransform(offset: 300, scale: 0.1)
        let model = try one.toModel(hw, steps: 3, elements: 2)
        assertClose(model, [0, 1, 2, 3, 0.5, 1.5])
        assertClose(try one.toHardware(model, steps: 3, elements: 2), hw)
        // Per neuron: element i is neuron i % 2.
        let per = try BSS2TraceTransform(offsets: [300, 310], scales: [0.1, 0.5])
        let pm = try per.toModel(hw, steps: 3, elements: 2)
        assertClose(pm, [0, 0, 2, 10, 0.5, 2.5])
        assertClose(try per.toHardware(pm, steps: 3, elements: 2), hw)
        // A batch of 2 x 2 neurons with one scale per neuron and a shared offset.
        let batch = try BSS2TraceTransform(offsets: [100], scales: [1, 2])
        assertClose(try batch.toModel([101, 101, 102, 102], steps: 1, elements: 4), [1, 2, 2, 4])
        // shift_cadc_to_first: relative to each trace's first sample, no inverse.
        let first = BSS2TraceTransform(offset: 999, scale: 2, shiftToFirst: true)
        assertClose(try first.toModel(hw, steps: 3, elements: 2), [0, 0, 40, 40, 10, 10])
        XCTAssertThrowsError(try first.toHardware(hw, steps: 3, elements: 2))
        // Bad input.
        XCTAssertThrowsError(try one.toModel(hw, steps: 2, elements: 2)) { XCTAssertTrue("\($0)".contains("6 values, expected 2 x 2"), "\($0)") }
        XCTAssertThrowsError(try BSS2TraceTransform(offsets: [1, 2], scales: [1, 2, 3]))
        XCTAssertThrowsError(try BSS2TraceTransform(offsets: [], scales: [1]))
        XCTAssertThrowsError(try per.toModel([1, 2, 3], steps: 1, elements: 3)) { XCTAssertTrue("\($0)".contains("not a multiple"), "\($0)") }
        XCTAssertThrowsError(try BSS2TraceTransform(offset: 0, scale: 0).toHardware([1], steps: 1, elements: 1)) {
            XCTAssertTrue("\($0)".contains("trace_scale of neuron 0 is 0"), "\($0)")
        }
    }

    // MARK: - Backend boundary

    func testMockBackendRunsTheKernelAndHardwareThrows() throws {
        let m = BSS2LIF(leak: HXParameter(0), reset: HXParameter(0), threshold: HXParameter(1), membraneCapacitance: HXParameter(10e-6))
        var rng = SeededRandom(seed: 2)
        let x = Tensor.uniform([20, 6], low: 0, high: 3, rng: &rng).scalars
        let res = try BSS2Mode.mock.backend.run(m, input: x, steps: 20, elements: 6)
        let f = NeuronKernel.forward(m, input: x, steps: 20, elements: 6)
        XCTAssertEqual(res.spikes, f.output)
        XCTAssertEqual(res.states, f.states)
        var v = [Float]()
        for t in 0..<20 { for i in 0..<6 { v.append(f.states[(t * 3) * 6 + i]) } }
        XCTAssertEqual(res.membrane, v)
        XCTAssertGreaterThan(res.spikes.reduce(0, +), 0)
        // Per-neuron thresholds.
        var table = NeuronParameterTable(m, neurons: 3)
        table["threshold"] = [0.5, 1, 100]
        let tr = try BSS2MockBackend().run(m, input: x, steps: 20, elements: 6, table: table)
        XCTAssertEqual(tr.spikes, NeuronKernel.forward(m, input: x, steps: 20, elements: 6, table: table).output)
        var silent: Float = 0
        for t in 0..<20 { silent += tr.spikes[t * 6 + 2] + tr.spikes[t * 6 + 5] }
        XCTAssertEqual(silent, 0, "neuron 2 (threshold 100) never fires")

        XCTAssertThrowsError(try BSS2Mode.hardware.backend.run(m, input: x, steps: 20, elements: 6)) {
            XCTAssertEqual($0 as? BSS2BackendError, .hardwareUnavailable)
            XCTAssertEqual("\($0)", "BrainScaleS-2 hardware is not available in SpikeKit: no hardware backend is implemented; use the mock backend")
        }
        XCTAssertEqual(BSS2HardwareBackend().name, "hardware")
        // Bad input.
        XCTAssertThrowsError(try BSS2MockBackend().run(m, input: x, steps: 20, elements: 5)) {
            XCTAssertEqual("\($0)", "BSS-2 mock: input has 120 values, expected 20 x 5")
        }
        XCTAssertThrowsError(try BSS2MockBackend().run(m, input: [Float.nan], steps: 1, elements: 1))
        XCTAssertThrowsError(try BSS2MockBackend().run(m, input: [], steps: 0, elements: 1))
        var badDt = m; badDt.dt = 0
        XCTAssertThrowsError(try BSS2MockBackend().run(badDt, input: [1], steps: 1, elements: 1))
        var neg = table; neg["tau_syn"] = [1e-5, -1e-5, 1e-5]
        XCTAssertThrowsError(try BSS2MockBackend().run(m, input: x, steps: 20, elements: 6, table: neg)) {
            XCTAssertEqual("\($0)", "bss2_lif: tau_syn of neuron 1 must be > 0, got -1e-05")
        }
        var hold = table; hold["holdoff_time"] = [0, 2e-6, 0]
        XCTAssertThrowsError(try BSS2MockBackend().run(m, input: x, steps: 20, elements: 6, table: hold)) {
            XCTAssertTrue("\($0)".contains("holdoff_time of neuron 1 must be <= refractory_time"), "\($0)")
        }
        XCTAssertThrowsError(try BSS2MockBackend().run(m, input: x, steps: 20, elements: 6, table: NeuronParameterTable(BSS2IAF(), neurons: 3)))
    }

    // MARK: - Registry

    func testRegistryBuildsFromHXTorchNames() throws {
        let lif = try NeuronRegistry.model("bss2_lif", parameters: [
            "leak": "0", "leak_hw": "80", "reset": 0, "threshold": 1.0, "threshold_hw": 125, "tau_mem": 2e-5, "tau_syn": "5e-6",
            "membrane_capacitance": 2.5e-6, "refractory_time": 2e-6, "holdoff_time": 1e-6, "i_synin_gm": 450, "synapse_dac_bias": 800,
            "dt": 1e-6, "method": "superspike", "alpha": 40, "detach_reset": false,
        ]).base as! BSS2LIF
        XCTAssertEqual(lif.hx.leak.kind, .mixed)
        XCTAssertEqual(lif.hx.leak.modelValue, 0); XCTAssertEqual(lif.hx.leak.hardwareValue, 80)
        XCTAssertEqual(lif.hx.reset.kind, .shared); XCTAssertEqual(lif.hx.reset.hardwareValue, 0)
        XCTAssertEqual(lif.hx.threshold.hardwareValue, 125)
        XCTAssertEqual(lif.hx.tauMem.modelValue, 2e-5); XCTAssertEqual(lif.hx.tauSyn.modelValue, 5e-6)
        XCTAssertEqual(lif.hx.membraneCapacitance.kind, .transformed)
        XCTAssertEqual(lif.hx.membraneCapacitance.hardwareValue, 15)
        XCTAssertEqual(lif.hx.iSyninGm.hardwareValue, 450); XCTAssertEqual(lif.hx.synapseDacBias.hardwareValue, 800)
        XCTAssertEqual(lif.surrogate, Surrogate(.fastSigmoid, alpha: 40))
        XCTAssertFalse(lif.detachReset)
        XCTAssertEqual(lif.refractorySteps, 2); XCTAssertEqual(lif.holdoffSteps, 1)
        // Only the hardware value: the default model value stays.
        let hwOnly = try NeuronRegistry.bss2LIF(parameters: ["leak_hw": 90, "membrane_capacitance_hw": 40])
        XCTAssertEqual(hwOnly.hx.leak.modelValue, 80); XCTAssertEqual(hwOnly.hx.leak.hardwareValue, 90)
        XCTAssertEqual(hwOnly.hx.membraneCapacitance.modelValue, 10e-6); XCTAssertEqual(hwOnly.hx.membraneCapacitance.hardwareValue, 40)
        // Defaults.
        let d = try NeuronRegistry.bss2LIF(parameters: [:])
        XCTAssertEqual(d.parameters, FloatVector([80, 80, 125, 10e-6, 10e-6, 10e-6, 1e-6, 0]))
        XCTAssertEqual(d.surrogate, .hxtorchSuperSpike); XCTAssertTrue(d.detachReset); XCTAssertEqual(d.dt, 1e-6)

        let iaf = try NeuronRegistry.bss2IAF(parameters: ["reset": 0, "threshold": 1, "tau_mem": 1e-5, "refractory_time": 0])
        XCTAssertEqual(iaf.parameters, FloatVector([0, 1, 1e-5, 10e-6, 0, 0]))
        let ad = try NeuronRegistry.bss2AELIF(parameters: [
            "exponential_slope": 0.2, "exponential_threshold": 0.3, "subthreshold_adaptation_strength": 2,
            "spike_triggered_adaptation_increment": 0.2, "tau_adap": 1e-4, "tau_adap_hw": 2e-4, "exponential": false,
            "subthreshold_adaptation": "true", "spike_triggered_adaptation": false, "method": "atan",
        ])
        XCTAssertEqual(ad.hx.exponentialSlope.modelValue, 0.2); XCTAssertEqual(ad.hx.tauAdap.hardwareValue, 2e-4)
        XCTAssertFalse(ad.exponential); XCTAssertTrue(ad.subthresholdAdaptation); XCTAssertFalse(ad.spikeTriggeredAdaptation)
        XCTAssertEqual(ad.surrogate, .atan)
        for id in ["bss2_lif", "bss2_iaf", "bss2_aelif"] {
            XCTAssertTrue(NeuronRegistry.modelIDs.contains(id))
            XCTAssertFalse(NeuronRegistry.describe(id).isEmpty)
            XCTAssertNotNil(NeuronRegistry.parameters(of: id).first { $0.name == "threshold_hw" })
        }
    }

    func testRegistryRejectsBadParameters() {
        func error(_ id: String, _ p: [String: Any]) -> String {
            do { _ = try NeuronRegistry.model(id, parameters: p); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error("bss2_lif", ["tau": 1]).hasPrefix("bss2_lif: unknown parameter 'tau'"))
        XCTAssertTrue(error("bss2_iaf", ["leak": 1]).hasPrefix("bss2_iaf: unknown parameter 'leak'"), "IAF has no leak")
        XCTAssertTrue(error("bss2_lif", ["exponential_slope": 1]).hasPrefix("bss2_lif: unknown parameter 'exponential_slope'"))
        XCTAssertEqual(error("bss2_lif", ["tau_mem": -1e-5]), "bss2_lif: tau_mem must be > 0, got -1e-05")
        XCTAssertEqual(error("bss2_lif", ["tau_syn_hw": 0]), "bss2_lif: tau_syn_hw must be > 0, got 0.0")
        XCTAssertEqual(error("bss2_aelif", ["tau_adap": 0]), "bss2_aelif: tau_adap must be > 0, got 0.0")
        XCTAssertEqual(error("bss2_aelif", ["exponential_slope": -0.1]), "bss2_aelif: exponential_slope must be > 0, got -0.1")
        XCTAssertEqual(error("bss2_iaf", ["dt": 0]), "bss2_iaf: dt must be > 0, got 0.0")
        XCTAssertEqual(error("bss2_lif", ["refractory_time": -1e-6]), "bss2_lif: refractory_time must be >= 0, got -1e-06")
        XCTAssertEqual(error("bss2_lif", ["membrane_capacitance": 0]), "bss2_lif: membrane_capacitance must be > 0, got 0.0")
        XCTAssertEqual(error("bss2_lif", ["membrane_capacitance_hw": 64]), "bss2_lif: membrane_capacitance_hw must be in [0, 63], got 64.0")
        XCTAssertEqual(error("bss2_lif", ["holdoff_time": 2e-6]), "bss2_lif: holdoff_time must be <= refractory_time (1e-06), got 2e-06")
        XCTAssertTrue(error("bss2_lif", ["holdoff_time_hw": 2e-6]).hasPrefix("bss2_lif: holdoff_time_hw must be <= refractory_time_hw"))
        XCTAssertEqual(error("bss2_lif", ["leak_hw": "eighty"]), "bss2_lif: leak_hw must be a number, got 'eighty'")
        XCTAssertEqual(error("bss2_lif", ["alpha": -5]), "bss2_lif: alpha must be > 0, got -5.0")
        XCTAssertTrue(error("bss2_lif", ["method": "spikey"]).hasPrefix("bss2_lif: method must be superspike or a surrogate"))
        XCTAssertEqual(error("bss2_lif", ["detach_reset": "maybe"]), "bss2_lif: detach_reset must be true or false, got maybe")
    }
}
