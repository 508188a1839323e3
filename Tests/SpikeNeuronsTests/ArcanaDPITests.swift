import XCTest
import Foundation
import SpikeCore
import SpikeIO
@testable import SpikeNeurons

/// The Dynap-SE DPI neuron (`dpi`, arcana's `DPINeuron`): reference traces, gradients, published behaviour of
/// the DPI circuits, conversions, weights, mismatch and the registry.
final class ArcanaDPITests: XCTestCase {
    // MARK: - Helpers

    /// A fixture file of Tests/SpikeNeuronsTests/Fixtures/`name`.
    func dpiFixture(_ name: String, _ file: String) throws -> [Float] {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil), "fixture \(name)")
        return try NPY.read(from: dir.appendingPathComponent("\(file).npy")).scalars
    }

    func dpiCase(_ name: String) throws -> [String: Any] {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil), "fixture \(name)")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("case.json"))) as! [String: Any]
    }

    /// Spike times of element `i` of a `[T, M]` output.
    func dpiSpikeTimes(_ out: [Float], T: Int, M: Int, _ i: Int) -> [Int] {
        (0..<T).filter { out[$0 * M + i] > 0 }
    }

    /// State `k` of element `i` over time from a kernel's `[T, S, M]` states.
    func dpiTrace(_ states: [Float], T: Int, M: Int, _ k: Int, _ i: Int) -> [Float] {
        (0..<T).map { states[($0 * 7 + k) * M + i] }
    }

    /// Time for a geometric decay to fall by 1/e, from the least-squares slope of ln(I) over the samples in
    /// [I(0)/e^1.2, I(0)] (seconds).
    func dpiDecayTime(_ values: [Float], dt: Double) -> Double {
        let start = Double(values[0])
        var xs: [Double] = [], ys: [Double] = []
        for (t, v) in values.enumerated() where Double(v) > start * exp(-1.2) { xs.append(Double(t) * dt); ys.append(log(Double(v))) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        let slope = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        return -1 / slope
    }

    /// Ut C / (kappa Itau) in double precision from SI values: the DPI time constant.
    func dpiTau(C: Double, Itau: Double) -> Double { Double(DPI.defaultUt) * C / (Double(DPI.defaultKappa) * Itau) }

    // MARK: - Reference traces (arcana DPINeuron.forward)

    /// All four synapses driven at once (the public four-synapse step), per-neuron mismatch on Itau_mem and
    /// Iw_ampa, refractory period, NMDA gating: spikes equal and every state within 1e-5 relative.
    func testMatchesArcanaFourSynapseTrace() throws {
        let name = "arcana_dpi_0"
        let c = try dpiCase(name)
        let (T, N) = (c["T"] as! Int, c["N"] as! Int)
        let base = try NeuronRegistry.dpi(parameters: c["params"] as! [String: Any])
        let mm = c["mismatch"] as! [String: [Double]]
        var table = NeuronParameterTable(base, neurons: N)
        for (bias, m) in mm { table[bias] = (0..<N).map { base[bias] * (1 + Float(m[$0])) } }
        let models = (0..<N).map { table.model(base, neuron: $0) }
        let inputs = try DPISynapse.allCases.map { try dpiFixture(name, "input_\($0.rawValue)") }
        var state = models.map(\.initialState)
        var spikes = [Float](), traces = [[Float]](repeating: [], count: 7)
        for t in 0..<T {
            for n in 0..<N {
                let x = SIMD4(inputs[0][t * N + n], inputs[1][t * N + n], inputs[2][t * N + n], inputs[3][t * N + n])
                let (s, next) = models[n].step(x, state[n])
                state[n] = next
                spikes.append(s)
                for k in 0..<7 { traces[k].append(next[k]) }
            }
        }
        XCTAssertEqual(spikes, try dpiFixture(name, "spikes"))
        XCTAssertGreaterThan(spikes.reduce(0, +), 10)
        for (k, state) in DPI.stateNames.enumerated().dropFirst() {
            let ref = try dpiFixture(name, state).map { state == "refractory" ? $0 : $0 * 1e12 }   // A -> pA
            assertClose(traces[k], ref, state)
        }
        // v is the membrane voltage of Imem (I2V with the same I0): 0 at rest.
        let imemA = try dpiFixture(name, "Imem")
        assertClose(traces[0], imemA.map { DPI.I2V($0) }, "v")
        XCTAssertTrue(try dpiFixture(name, "refractory").contains { $0 > 0 }, "refractory period engaged")
    }

    /// AMPA input only through the fused kernel with a per-neuron table (20% / 5% Itau_mem mismatch).
    func testMatchesArcanaAmpaTraceThroughKernel() throws {
        let name = "arcana_dpi_1"
        let c = try dpiCase(name)
        let (T, N) = (c["T"] as! Int, c["N"] as! Int)
        let base = try NeuronRegistry.dpi(parameters: c["params"] as! [String: Any])
        var table = NeuronParameterTable(base, neurons: N)
        let mm = (c["mismatch"] as! [String: [Double]])["Itau_mem"]!
        table["Itau_mem"] = (0..<N).map { base["Itau_mem"] * (1 + Float(mm[$0])) }
        for other in ["input_nmda", "input_gabaa", "input_gabab"] {
            XCTAssertTrue(try dpiFixture(name, other).allSatisfy { $0 == 0 })
        }
        let fwd = NeuronKernel.forward(base, input: try dpiFixture(name, "input_ampa"), steps: T, elements: N, table: table)
        XCTAssertEqual(fwd.output, try dpiFixture(name, "spikes"))
        for (k, state) in DPI.stateNames.enumerated().dropFirst() {
            let ours = (0..<T).flatMap { t in (0..<N).map { fwd.states[(t * 7 + k) * N + $0] } }
            assertClose(ours, try dpiFixture(name, state).map { state == "refractory" ? $0 : $0 * 1e12 }, state)
        }
    }

    // MARK: - Gradients

    /// A smooth forward (sigmoid spike on (Imem - Ith)/Ith) so that central differences see the true gradient.
    static let smooth = Surrogate(.sigmoid, alpha: 8, smoothForward: true)

    /// Input gradient of the fused BPTT vs central differences, for each synapse the input drives.
    func testInputGradientThroughEachSynapseAndSoma() {
        for syn in DPISynapse.allCases {
            let inhibitory = syn == .gabaa || syn == .gabab
            let m = DPI(Idc: inhibitory ? 1500e-12 : 700e-12, Iw_gabaa: 20e-12, synapse: syn, surrogate: Self.smooth)
            gradCheck(m, T: 30, N: 3, low: 0, high: 2, step: 1e-2, tolerance: 5e-3)
            // The gradient is not trivially zero.
            var rng = SeededRandom(seed: 1)
            let x = Tensor.uniform([30, 3], low: 0, high: 2, rng: &rng).scalars
            let f = NeuronKernel.forward(m, input: x, steps: 30, elements: 3)
            let g = NeuronKernel.backward(m, input: x, states: f.states, gradOutput: [Float](repeating: 1, count: 90), steps: 30, elements: 3).gradInput
            XCTAssertGreaterThan(g.map(abs).max()!, 1e-4, "\(syn)")
        }
    }

    /// BPTT through the four-synapse step with all synapses driven at once vs central differences.
    func testFourSynapseStepGradient() {
        let m = DPI(Idc: 900e-12, Inmda_thr: 50e-12, Iw_gabaa: 5e-12, Iw_gabab: 20e-12, surrogate: Self.smooth)
        let T = 25
        var rng = SeededRandom(seed: 5)
        let x = (0..<T).map { _ in SIMD4<Float>((0..<4).map { _ in 0.2 + rng.nextUniform() * 1.8 }) }
        let r = (0..<T).map { _ in rng.nextUniform() * 2 - 1 }
        func loss(_ x: [SIMD4<Float>]) -> Double {
            var s = m.initialState, l = 0.0
            for t in 0..<T { let (o, n) = m.step(x[t], s); s = n; l += Double(o) * Double(r[t]) }
            return l
        }
        var states = [m.initialState]
        for t in 0..<T { states.append(m.step(x[t], states[t]).next) }
        var gNext = FloatVector<7>(), g = [SIMD4<Float>](repeating: .zero, count: T)
        for t in stride(from: T - 1, through: 0, by: -1) {
            let b = m.stepVJP(x[t], states[t], gOut: r[t], gNext: gNext)
            g[t] = b.gInput; gNext = b.gPrev
        }
        var worst = 0.0, largest = 0.0
        for t in 0..<T {
            for j in 0..<4 {
                var xp = x, xm = x
                xp[t][j] += 1e-2; xm[t][j] -= 1e-2
                let numeric = (loss(xp) - loss(xm)) / 2e-2
                worst = max(worst, abs(Double(g[t][j]) - numeric) / max(1e-3, abs(numeric)))
                largest = max(largest, abs(numeric))
            }
        }
        XCTAssertLessThan(worst, 5e-3)
        XCTAssertGreaterThan(largest, 1e-3)
    }

    /// The scalar model is the four-synapse step with x at `synapse` (forward and VJP).
    func testScalarStepIsFourSynapseStepAtOneSynapse() {
        let s0 = FloatVector<7>([0.1, 300, 200, 150, 40, 60, 0])
        for syn in DPISynapse.allCases {
            let m = DPI(Idc: 300e-12, synapse: syn)
            var v = SIMD4<Float>.zero; v[syn.index] = 1.5
            let a = m.step(1.5, s0), b = m.step(v, s0)
            XCTAssertEqual(a.out, b.out); XCTAssertEqual(a.next, b.next)
            let gNext = FloatVector<7>([0.3, -0.2, 0.5, 0.1, -0.4, 0.7, 0.2])
            let ga = m.stepVJP(1.5, s0, gOut: 0.8, gNext: gNext), gb = m.stepVJP(v, s0, gOut: 0.8, gNext: gNext)
            XCTAssertEqual(ga.gx, gb.gInput[syn.index]); XCTAssertEqual(ga.gPrev, gb.gPrev)
        }
        XCTAssertEqual(DPI().step(ampa: 2, nmda: 0, gabaA: 0, gabaB: 1, s0).next, DPI().step(SIMD4(2, 0, 0, 1), s0).next)
    }

    /// arcana's detached terms: with `detach`, NMDA input has no gradient (its only path is the detached gated
    /// current); the forward pass is unchanged.
    func testDetachStopsTheNmdaPath() {
        var rng = SeededRandom(seed: 2)
        let x = Tensor.uniform([20, 2], low: 0, high: 2, rng: &rng).scalars
        let full = DPI(Idc: 700e-12, synapse: .nmda, surrogate: Self.smooth)
        var det = full; det.detach = true
        let f1 = NeuronKernel.forward(full, input: x, steps: 20, elements: 2), f2 = NeuronKernel.forward(det, input: x, steps: 20, elements: 2)
        XCTAssertEqual(f1.output, f2.output)
        let r = [Float](repeating: 1, count: 40)
        let g1 = NeuronKernel.backward(full, input: x, states: f1.states, gradOutput: r, steps: 20, elements: 2).gradInput
        let g2 = NeuronKernel.backward(det, input: x, states: f2.states, gradOutput: r, steps: 20, elements: 2).gradInput
        XCTAssertTrue(g2.allSatisfy { $0 == 0 })
        XCTAssertGreaterThan(g1.map(abs).max()!, 1e-4)
    }

    /// Central difference of `f` at `h` with the 4-point stencil (truncation O(h^4)).
    func dpiDerivative(_ h: Double, _ f: (Double) -> Double) -> Double {
        (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h)
    }

    /// One step (all four synapses driven): the VJP against central differences for every state, input and
    /// learnable parameter.
    func testOneStepVJPMatchesFiniteDifferences() {
        let m = DPI(Idc: 700e-12, Inmda_thr: 50e-12, Iw_gabaa: 20e-12, surrogate: Self.smooth)
        let s0 = FloatVector<7>([0.1, 900, 200, 150, 40, 60, 0])
        let n = SIMD4<Float>(1.3, 0.7, 0.9, 0.4)
        let gOut: Float = 0.7
        let gNext = FloatVector<7>([0.3, -0.002, 0.001, 0.003, -0.004, 0.002, 0.5])
        func loss(_ model: DPI, _ s: FloatVector<7>, _ x: SIMD4<Float>) -> Double {
            let (o, next) = model.step(x, s)
            return Double(gOut) * Double(o) + (0..<7).reduce(0) { $0 + Double(gNext[$1]) * Double(next[$1]) }
        }
        let b = m.backward(n, s0, gOut: gOut, gNext: gNext, parameters: true)
        for k in 1..<6 {
            let num = dpiDerivative(2e-3 * Double(s0[k])) { h in var s = s0; s[k] += Float(h); return loss(m, s, n) }
            XCTAssertEqual(Double(b.gPrev[k]), num, accuracy: 1e-3 * abs(num), DPI.stateNames[k])
        }
        for j in 0..<4 {
            let num = dpiDerivative(1e-2) { h in var x = n; x[j] += Float(h); return loss(m, s0, x) }
            XCTAssertEqual(Double(b.gn[j]), num, accuracy: 1e-3 * abs(num), "input \(j)")
        }
        for name in DPI.learnableParameterNames {
            let k = DPI.parameterIndex(name)!
            let num = dpiDerivative(1e-2 * Double(m.parameters[k])) { h in
                var mp = m; mp.parameters[k] += Float(h); return loss(mp, s0, n)
            }
            XCTAssertNotEqual(num, 0, name)
            XCTAssertEqual(Double(b.gp[k]), num, accuracy: 2e-3 * abs(num), name)
        }
    }

    /// Gradients of every learnable bias and capacitance through time (per neuron, summed over batch and time) vs
    /// central differences with a relative step (the parameters are SI values ~1e-12, so the shared
    /// `gradCheckParameters` with its absolute step does not apply). The regime keeps every clamp away from its
    /// kink (Imem, Iin and the driven synapse above I0). The 4-point stencil uses steps of 1% and 2%. A parameter is
    /// compared where a 1% change moves the loss by at least 1e-5 (sensitivity |v dL/dv| >= 1e-3); below that the
    /// float32 rounding of the loss (~1e-7) dominates the difference. Every learnable parameter must be compared in at
    /// least one of the four configurations.
    func testParameterGradientsThroughTime() {
        var compared = Set<String>()
        for syn in DPISynapse.allCases {
            let smooth = Surrogate(.sigmoid, alpha: 4, smoothForward: true)
            let model = DPI(Ipfb_th: 300e-12, Idc: 900e-12, Inmda_thr: 50e-12, Iw_gabaa: 15e-12, Iw_gabab: 20e-12,
                            synapse: syn, surrogate: smooth)
            let (T, B, N) = (15, 2, 3)
            var rng = SeededRandom(seed: 9)
            let x = Tensor.uniform([T, B * N], low: 0.2, high: 2, rng: &rng).scalars
            let r = Tensor.uniform([T, B * N], low: -1, high: 1, rng: &rng).scalars
            var table = NeuronParameterTable(model, neurons: N)
            for k in 0..<DPI.Parameters.count where k != DPI.parameterIndex("dt")! {
                for n in 0..<N { table.values[k * N + n] *= 1 + 0.1 * Float(n) }
            }
            func loss(_ tb: NeuronParameterTable) -> Double {
                zip(NeuronKernel.forward(model, input: x, steps: T, elements: B * N, table: tb).output, r)
                    .reduce(0) { $0 + Double($1.0) * Double($1.1) }
            }
            let fwd = NeuronKernel.forward(model, input: x, steps: T, elements: B * N, table: table)
            let g = NeuronKernel.backward(model, input: x, states: fwd.states, gradOutput: r, steps: T, elements: B * N,
                                          table: table, parameterGradients: true).gradParameters
            let idle = DPISynapse.allCases.filter { $0 != syn }.flatMap { ["Itau_\($0)", "Igain_\($0)", "Iw_\($0)", "C_\($0)"] }
            for name in DPI.learnableParameterNames {
                let k = DPI.parameterIndex(name)!
                for n in 0..<N {
                    let v = Double(table.values[k * N + n]), analytic = Double(g[k * N + n])
                    let numeric = dpiDerivative(1e-2 * v) { d in var t = table; t.values[k * N + n] += Float(d); return loss(t) }
                    if idle.contains(name) {
                        // An undriven synapse sits at its I0 clamp: no gradient, and none given.
                        XCTAssertEqual(numeric, 0, "\(syn) \(name)"); XCTAssertEqual(analytic, 0, "\(syn) \(name)")
                    } else if abs(numeric * v) >= 1e-3 {
                        XCTAssertEqual(analytic, numeric, accuracy: 1e-2 * abs(numeric), "\(syn) \(name)[\(n)]")
                        compared.insert(name)
                    }
                }
            }
        }
        XCTAssertEqual(compared, Set(DPI.learnableParameterNames))
    }

    /// Train flags (arcana's `train_*`): only the flagged parameters receive a gradient.
    func testTrainFlagsMaskParameterGradients() throws {
        let m = try NeuronRegistry.dpi(parameters: ["Idc": 700e-12, "train_Idc": true, "train_Itau_mem": true, "surrogate": "sigmoid", "alpha": 8])
        XCTAssertEqual(m.train, ["Idc", "Itau_mem"])
        var rng = SeededRandom(seed: 3)
        let x = Tensor.uniform([20, 2], low: 0, high: 2, rng: &rng).scalars
        let f = NeuronKernel.forward(m, input: x, steps: 20, elements: 2)
        let g = NeuronKernel.backward(m, input: x, states: f.states, gradOutput: [Float](repeating: 1, count: 40), steps: 20,
                                      elements: 2, table: nil, parameterGradients: true, neurons: 1).gradParameters
        for (k, name) in DPI.names.enumerated() {
            if m.train.contains(name) { XCTAssertNotEqual(g[k], 0, name) } else { XCTAssertEqual(g[k], 0, name) }
        }
        XCTAssertEqual(DPI().train, Set(DPI.learnableParameterNames))
        XCTAssertEqual(try NeuronRegistry.dpi(parameters: ["train": "Ith, Iw_ampa"]).train, ["Ith", "Iw_ampa"])
        XCTAssertEqual(try NeuronRegistry.dpi(parameters: ["train": "none"]).train, [])
    }

    // MARK: - Published behaviour of the DPI circuits

    /// A DPI synapse decays exponentially with tau = Ut C / (kappa Itau), measured from the trace of each synapse
    /// type with its own Itau and C (dt = 10 us).
    func testSynapticCurrentDecaysWithDPITimeConstant() {
        let itau: [Float] = [20e-12, 5e-12, 40e-12, 10e-12], c: [Float] = [2e-12, 3e-12, 1.5e-12, 2.5e-12]
        let m = DPI(Idc: 0, Itau_ampa: itau[0], Itau_nmda: itau[1], Itau_gabaa: itau[2], Itau_gabab: itau[3],
                    C_ampa: c[0], C_nmda: c[1], C_gabaa: c[2], C_gabab: c[3], dt: 1e-5)
        var s = m.initialState
        var traces = [[Float]](repeating: [], count: 4)
        for t in 0..<1500 {
            s = m.step(t == 0 ? SIMD4<Float>(repeating: 1) : SIMD4<Float>.zero, s).next
            for j in 0..<4 { traces[j].append(s[2 + j]) }
        }
        for j in 0..<4 {
            let expected = dpiTau(C: Double(c[j]), Itau: Double(itau[j]))
            XCTAssertGreaterThan(traces[j][0], 100, "jump Igain/Itau Iw")
            XCTAssertEqual(dpiDecayTime(traces[j], dt: 1e-5), expected, accuracy: 5e-3 * expected, "\(DPISynapse.allCases[j])")
            XCTAssertEqual(Double(m.tauSynapse(DPISynapse.allCases[j])), expected, accuracy: 1e-6 * expected)
        }
    }

    /// 20% mismatch of Itau_mem gives each neuron its own membrane time constant Ut C_mem / (kappa Itau_mem[n]):
    /// measured from the decay of Imem from 1 nA with no input (Igain_mem small, positive feedback off), where the
    /// DPI soma is linear: tau_mem dImem/dt = -(1 + 2 I0/Itau_mem) Imem (the leak beta = 1 + I0/Itau plus
    /// arcana's shunt Igabaa Imem/Itau with Igabaa at I0).
    func testItauMismatchChangesMembraneTimeConstantPerNeuron() throws {
        let base = DPI(Itau_mem: 5e-12, Igain_mem: 1e-13, Ipfb_th: 1e-6, Ith: 1e-6, Idc: 0, dt: 1e-4)
        let N = 8, T = 900
        let table = try DPI.mismatched(base, neurons: N, fraction: 0.2, biases: ["Itau_mem"], seed: 11)
        try table.validate(for: DPI.self)
        XCTAssertEqual(table["Igain_mem"], [Float](repeating: 1e-13, count: N))
        var initial = [Float](repeating: 0, count: 7 * N)
        for n in 0..<N {
            for k in 2...5 { initial[k * N + n] = base.initialState[k] }
            initial[1 * N + n] = 1000
        }
        let f = NeuronKernel.forward(base, input: [Float](repeating: 0, count: T * N), steps: T, elements: N, initial: initial, table: table)
        XCTAssertTrue(f.output.allSatisfy { $0 == 0 })
        var measured: [Double] = []
        for n in 0..<N {
            let itau = Double(table["Itau_mem"][n])
            let expected = dpiTau(C: 3e-12, Itau: itau) / (1 + 2 * Double(DPI.defaultI0) / itau)
            let tau = dpiDecayTime(dpiTrace(f.states, T: T, M: N, 1, n), dt: 1e-4)
            XCTAssertEqual(tau, expected, accuracy: 1e-2 * expected, "neuron \(n)")
            measured.append(tau)
        }
        let mean = measured.reduce(0, +) / Double(N)
        let sd = (measured.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(N)).squareRoot()
        XCTAssertGreaterThan(sd / mean, 0.08, "mismatch spreads the time constants")
    }

    /// Under DC input the soma fires regularly (constant ISI after the first spike), and the rate grows with Idc.
    func testRegularFiringRateGrowsWithIdc() {
        let idc: [Float] = [200e-12, 400e-12, 800e-12, 1600e-12]
        let (T, N) = (1000, idc.count)
        var table = NeuronParameterTable(DPI(), neurons: N)
        table["Idc"] = idc
        let f = NeuronKernel.forward(DPI(), input: [Float](repeating: 0, count: T * N), steps: T, elements: N, table: table)
        var counts: [Int] = []
        for n in 0..<N {
            let times = dpiSpikeTimes(f.output, T: T, M: N, n)
            XCTAssertGreaterThanOrEqual(times.count, 3, "Idc \(idc[n])")
            let isi = zip(times.dropFirst(), times).map { $0 - $1 }
            XCTAssertLessThanOrEqual(isi.max()! - isi.min()!, 1, "regular: ISIs \(isi)")
            counts.append(times.count)
        }
        XCTAssertEqual(counts, counts.sorted()); XCTAssertEqual(Set(counts).count, N, "rate grows with Idc: \(counts)")
        // Below the rheobase (Igain/Itau (Idc - Itau - I0) under the positive-feedback onset) it stays silent.
        let quiet = NeuronKernel.forward(DPI(Idc: 50e-12), input: [Float](repeating: 0, count: T), steps: T, elements: 1)
        XCTAssertEqual(quiet.output.reduce(0, +), 0)
    }

    /// After a spike the soma input is blocked for `refractory` seconds: no ISI shorter than t_ref / dt steps,
    /// and Imem stays at I0 meanwhile.
    func testRefractoryPeriodIsRespected() {
        let T = 400
        let free = NeuronKernel.forward(DPI(Idc: 1600e-12), input: [Float](repeating: 0, count: T), steps: T, elements: 1)
        let freeISI = zip(dpiSpikeTimes(free.output, T: T, M: 1, 0).dropFirst(), dpiSpikeTimes(free.output, T: T, M: 1, 0)).map { $0 - $1 }
        let tref: Float = 0.03
        let m = DPI(Idc: 1600e-12, refractory: tref)
        let f = NeuronKernel.forward(m, input: [Float](repeating: 0, count: T), steps: T, elements: 1)
        let times = dpiSpikeTimes(f.output, T: T, M: 1, 0)
        let isi = zip(times.dropFirst(), times).map { $0 - $1 }
        XCTAssertLessThan(freeISI.max()!, 30, "without refractory the neuron would fire faster")
        XCTAssertGreaterThanOrEqual(times.count, 3)
        XCTAssertGreaterThanOrEqual(isi.min()!, Int((tref / m["dt"]).rounded()), "ISIs \(isi)")
        let imem = dpiTrace(f.states, T: T, M: 1, 1, 0)
        for t in times where t + 29 < T { XCTAssertTrue(imem[t...(t + 29)].allSatisfy { $0 == m.initialState[1] }) }
    }

    /// NMDA voltage gating (arcana): the NMDA current reaches the soma as Inmda / (1 + Inmda_thr / Imem), so it
    /// acts like AMPA when Imem >> Inmda_thr and hardly at all when Imem << Inmda_thr. One step from a prepared
    /// state: the change of Imem due to a synaptic current X is proportional to the current reaching the soma.
    func testNmdaGating() {
        let thr: Float = 50e-12
        let m = DPI(Idc: 300e-12, Inmda_thr: thr)
        let i0 = m.initialState[2], X: Float = 400
        for imem: Float in [1, 50, 1000] {
            func next(ampa: Float, nmda: Float) -> Float {
                m.step(SIMD4<Float>.zero, FloatVector<7>([0, imem, ampa, nmda, i0, i0, 0])).next[1]
            }
            let none = next(ampa: i0, nmda: i0)
            let viaAmpa = next(ampa: i0 + X, nmda: i0) - none, viaNmda = next(ampa: i0, nmda: i0 + X) - none
            let gate = Double(viaNmda / viaAmpa), expected = 1 / (1 + Double(thr) * 1e12 / Double(imem))
            XCTAssertEqual(gate, expected, accuracy: 1e-3 * expected + 1e-5, "Imem \(imem) pA")
        }
        // Spiking: the same NMDA drive fires the neuron with a low gate threshold and not with a high one.
        let T = 200, x = [Float]((0..<T).map { $0 % 5 == 0 ? 2 : 0 })
        let open = NeuronKernel.forward(DPI(Idc: 100e-12, Inmda_thr: 1e-13, synapse: .nmda), input: x, steps: T, elements: 1)
        let shut = NeuronKernel.forward(DPI(Idc: 100e-12, Inmda_thr: 1e-8, synapse: .nmda), input: x, steps: T, elements: 1)
        let ampa = NeuronKernel.forward(DPI(Idc: 100e-12, Inmda_thr: 1e-8, synapse: .ampa), input: x, steps: T, elements: 1)
        XCTAssertGreaterThan(open.output.reduce(0, +), 0)
        XCTAssertEqual(shut.output.reduce(0, +), 0)
        XCTAssertGreaterThan(ampa.output.reduce(0, +), 0, "the gate acts on NMDA only")
    }

    /// Inhibition: GABAb (subtractive) and GABAa (shunting) input silence a neuron that fires under DC.
    func testInhibitorySynapsesReduceFiring() {
        let T = 300, x = [Float](repeating: 1, count: T)
        let base = NeuronKernel.forward(DPI(Idc: 800e-12, synapse: .ampa), input: [Float](repeating: 0, count: T), steps: T, elements: 1)
        for syn in [DPISynapse.gabaa, .gabab] {
            let f = NeuronKernel.forward(DPI(Idc: 800e-12, Iw_gabaa: 20e-12, synapse: syn), input: x, steps: T, elements: 1)
            XCTAssertLessThan(f.output.reduce(0, +), base.output.reduce(0, +), "\(syn)")
        }
    }

    // MARK: - Conversions, weights

    func testI2VAndV2IRoundTrip() {
        for current: Float in [5e-14, 1e-13, 3.7e-12, 2e-10, 1e-9] {
            XCTAssertEqual(DPI.V2I(DPI.I2V(current)), current, accuracy: 1e-5 * current)
        }
        for v: Float in [0, 0.05, 0.17, 0.3] { XCTAssertEqual(DPI.I2V(DPI.V2I(v)), v, accuracy: 1e-6) }
        XCTAssertEqual(DPI.I2V(DPI.defaultI0), 0)
        // One Ut/kappa of gate voltage is a factor e in current.
        XCTAssertEqual(DPI.V2I(DPI.defaultUt / DPI.defaultKappa), DPI.defaultI0 * Float(M_E), accuracy: 1e-6 * DPI.defaultI0)
        XCTAssertEqual(DPI.I2V(1e-12, I0: 1e-13, Ut: 0.025, kappa: 0.5), 0.05 * Float(log(10.0)), accuracy: 1e-6)
    }

    /// Integer weight counts (round half to even) with a straight-through gradient.
    func testWeightCountsRoundWithStraightThroughGradient() {
        let w: [Float] = [0.4, 0.5, 1.5, 2.5, 2.6, -0.2]          // [outputs 2, inputs 3]
        let s: [Float] = [1, 0, 1, 1, 1, 0]                        // [rows 2, inputs 3]
        XCTAssertEqual(w.map(DPIWeights.count), [0, 0, 2, 2, 3, -0])
        let x = DPIWeights.synapticInput(weights: w, spikes: s, rows: 2, inputs: 3, outputs: 2)
        XCTAssertEqual(x, [2, 2, 0, 5] as [Float])   // rows: [0+0+2, 2+0+0], [0+0, 2+3]
        let g: [Float] = [0.5, -1, 2, 0.25]
        let (gw, gs) = DPIWeights.synapticInputVJP(weights: w, spikes: s, gradOutput: g, rows: 2, inputs: 3, outputs: 2)
        // Straight-through: the gradient of the unrounded Σ g x with x = W s (finite differences of that).
        func unrounded(_ w: [Float]) -> Double {
            var l = 0.0
            for r in 0..<2 { for o in 0..<2 { for i in 0..<3 { l += Double(g[r * 2 + o] * w[o * 3 + i] * s[r * 3 + i]) } } }
            return l
        }
        for k in 0..<6 {
            var wp = w, wm = w; wp[k] += 0.01; wm[k] -= 0.01
            XCTAssertEqual(Double(gw[k]), (unrounded(wp) - unrounded(wm)) / 0.02, accuracy: 1e-4)
        }
        // gS[r, i] = Σ_o g[r, o] round(W[o, i]) with round(W) = [[0, 0, 2], [2, 3, 0]].
        XCTAssertEqual(gs, [-2, -3, 1, 0.5, 0.75, 4] as [Float])
    }

    // MARK: - Registry and bad input

    func testRegistryBuildsFromArcanaNames() throws {
        let m = try NeuronRegistry.model("dpi", parameters: [
            "Itau_mem": "4e-12", "Igain_mem": 30e-12, "Ith": 1.5e-9, "Idc": 2e-10, "refractory": 0.002, "Itau_nmda": 10e-12,
            "Inmda_thr": 1e-12, "Iw_gabab": 40e-12, "C_mem": 2e-12, "dt": 5e-4, "synapse": "nmda", "kappa": 0.7,
        ])
        let d = try XCTUnwrap(m.base as? DPI)
        XCTAssertEqual(d["Itau_mem"], 4e-12); XCTAssertEqual(d["Igain_mem"], 30e-12); XCTAssertEqual(d["Ith"], 1.5e-9)
        XCTAssertEqual(d["refractory"], 0.002); XCTAssertEqual(d["Inmda_thr"], 1e-12); XCTAssertEqual(d["dt"], 5e-4)
        XCTAssertEqual(d.synapse, .nmda); XCTAssertEqual(d.kappa, 0.7)
        XCTAssertEqual(Double(d.tauMem), 0.025 * 2e-12 / (0.7 * 4e-12), accuracy: 1e-8)
        XCTAssertEqual(m.stateNames, ["v", "Imem", "Iampa", "Inmda", "Igabaa", "Igabab", "refractory"])
        XCTAssertTrue(NeuronRegistry.modelIDs.contains("dpi"))
        // Every listed parameter is accepted by name.
        for info in NeuronRegistry.parameters(of: "dpi") where !["synapse", "surrogate", "train"].contains(info.name) {
            XCTAssertNoThrow(try NeuronRegistry.dpi(parameters: [info.name: info.name.hasPrefix("train_") || info.name == "detach" ? "true" : info.defaultValue]), info.name)
        }
        // Defaults are arcana's.
        XCTAssertEqual(DPI().parameters, FloatVector(DPI.defaults))
        XCTAssertEqual(DPI.defaultI0, 0.5e-13); XCTAssertEqual(DPI.defaultKappa, 0.705, accuracy: 1e-7)
    }

    func testBadInputErrorsNameTheParameterAndRange() {
        func error(_ p: [String: Any]) -> String {
            do { _ = try NeuronRegistry.dpi(parameters: p); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error(["Itau_mem": 1e-14]), "dpi: Itau_mem must be >= I0 = 5e-14 A (the dark current), got 1e-14")
        XCTAssertEqual(error(["Iw_ampa": 2e-14]), "dpi: Iw_ampa must be >= I0 = 5e-14 A (the dark current), got 2e-14")
        XCTAssertEqual(error(["Igain_mem": 1e-12, "I0": 5e-12]), "dpi: Igain_mem must be >= I0 = 5e-12 A (the dark current), got 1e-12")
        XCTAssertEqual(error(["dt": 0]), "dpi: dt must be > 0, got 0.0")
        XCTAssertEqual(error(["dt": -1e-3]), "dpi: dt must be > 0, got -0.001")
        XCTAssertEqual(error(["C_mem": -3e-12]), "dpi: C_mem must be > 0, got -3e-12")
        XCTAssertEqual(error(["C_gabab": 0]), "dpi: C_gabab must be > 0, got 0.0")
        XCTAssertEqual(error(["Itau_ampa": -2e-11]), "dpi: Itau_ampa must be > 0, got -2e-11")
        XCTAssertEqual(error(["refractory": -0.001]), "dpi: refractory must be >= 0, got -0.001")
        XCTAssertEqual(error(["kappa": 1.5]), "dpi: kappa must be in (0, 1], got 1.5")
        XCTAssertEqual(error(["Ut": 0]), "dpi: Ut must be > 0, got 0.0")
        XCTAssertTrue(error(["tau_mem": 0.02]).hasPrefix("dpi: unknown parameter 'tau_mem' (known: Itau_mem, "), error(["tau_mem": 0.02]))
        XCTAssertEqual(error(["synapse": "glycine"]), "dpi: synapse must be one of ampa, nmda, gabaa, gabab, got 'glycine'")
        XCTAssertTrue(error(["train": "Itau_mem,refractory"]).hasPrefix("dpi: train: 'refractory' is not a learnable parameter"))
        XCTAssertEqual(error(["surrogate": "nope"]).prefix(26), "unknown surrogate 'nope' (")
        // Per-neuron tables: the static domains.
        var t = NeuronParameterTable(DPI(), neurons: 2)
        t["C_mem"] = [3e-12, -3e-12]
        XCTAssertThrowsError(try t.validate(for: DPI.self)) { XCTAssertEqual("\($0)", "dpi: C_mem of neuron 1 must be > 0, got -3e-12") }
        t = NeuronParameterTable(DPI(), neurons: 2)
        t["dt"] = [1e-3, 0]
        XCTAssertThrowsError(try t.validate(for: DPI.self)) { XCTAssertEqual("\($0)", "dpi: dt of neuron 1 must be > 0, got 0.0") }
        XCTAssertThrowsError(try DPI.mismatched(neurons: 2, fraction: 0.1, biases: ["Itau_soma"], seed: 1))
        // A mismatched bias that lands below I0 is used as I0 (arcana's clamp): same as I0 itself.
        let low = DPI(Itau_mem: 1e-14), atI0 = DPI(Itau_mem: DPI.defaultI0)
        XCTAssertThrowsError(try low.validate())
        XCTAssertEqual(low.step(1, low.initialState).next, atI0.step(1, atI0.initialState).next)
    }
}
