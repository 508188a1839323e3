import XCTest
import SpikeCore
@testable import SpikeNeurons

/// The fused kernels of every zoo model (`NeuronModel.kernelForward` / `kernelBackward`, the generic loops
/// compiled per model and vectorised by the compiler) against a plain loop of the model's own scalar `step`,
/// `stepVJP` and `parameterVJP`, element by element in time order: the same bits, with shared and per-neuron
/// parameters, from rest and from a given state, for any thread count.
final class GenericKernelTests: XCTestCase {
    /// Bit patterns, so that NaN equals NaN and -0 differs from 0.
    func bits(_ xs: [Float]) -> [UInt32] { xs.map(\.bitPattern) }

    /// The plain forward: `step` per element, time outer.
    func plainForward<M: NeuronModel>(_ models: [M], _ x: [Float], T: Int, initial: [[Float]]?) -> (out: [Float], states: [Float]) {
        let M_ = models.count, S = M.State.count
        var out = [Float](repeating: 0, count: T * M_), states = [Float](repeating: 0, count: T * S * M_)
        for i in 0..<M_ {
            var s = models[i].initialState
            if let initial { for k in 0..<S { s[k] = initial[k][i] } }
            for t in 0..<T {
                let (y, n) = models[i].step(x[t * M_ + i], s)
                out[t * M_ + i] = y
                for k in 0..<S { states[(t * S + k) * M_ + i] = n[k] }
                s = n
            }
        }
        return (out, states)
    }

    /// The plain backward through time: gradients of the input, of the initial state and per-element
    /// parameter gradients summed in reverse time order.
    func plainBackward<M: NeuronModel>(_ models: [M], _ x: [Float], _ states: [Float], _ g: [Float], T: Int,
                                       initial: [[Float]]?) -> (gx: [Float], g0: [Float], gp: [Float]) {
        let M_ = models.count, S = M.State.count, P = M.Parameters.count
        var gx = [Float](repeating: 0, count: T * M_), g0 = [Float](repeating: 0, count: S * M_)
        var gp = [Float](repeating: 0, count: P * M_)
        for i in 0..<M_ {
            var gNext = M.State(), acc = M.Parameters()
            for t in stride(from: T - 1, through: 0, by: -1) {
                var prev = models[i].initialState
                if t > 0 { for k in 0..<S { prev[k] = states[((t - 1) * S + k) * M_ + i] } }
                else if let initial { for k in 0..<S { prev[k] = initial[k][i] } }
                let d = models[i].parameterVJP(x[t * M_ + i], prev, gOut: g[t * M_ + i], gNext: gNext)
                for k in 0..<P { acc[k] += d[k] }
                let (a, b) = models[i].stepVJP(x[t * M_ + i], prev, gOut: g[t * M_ + i], gNext: gNext)
                gx[t * M_ + i] = a
                gNext = b
            }
            for k in 0..<S { g0[k * M_ + i] = gNext[k] }
            for k in 0..<P { gp[k * M_ + i] = acc[k] }
        }
        return (gx, g0, gp)
    }

    /// Checks one model: shared parameters and a mismatched table, from rest and from a given state, 1 and 2 threads.
    func check<M: NeuronModel>(_ model: M, scale: Float) throws {
        let (T, B, N) = (9, 3, 87)         // 261 elements: a full chunk of 256 and a partial one
        let E = B * N, S = M.State.count, P = M.Parameters.count
        var rng = SeededRandom(seed: 17)
        let x = (0..<(T * E)).map { _ in (rng.nextUniform() * 3 - 0.5) * scale }
        let g = (0..<(T * E)).map { _ in rng.nextUniform() * 2 - 1 }
        var table = NeuronParameterTable(model, neurons: N)
        for name in M.parameterNames { try table.addMismatch(name, fraction: 0.05, seed: 3, model: M.self) }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        let rest = (0..<E).map { _ in model.initialState }
        let initial: [[Float]] = (0..<S).map { k in (0..<E).map { i in rest[i][k] + (rng.nextUniform() - 0.5) * 0.2 * max(1, abs(rest[i][k])) } }
        for (label, tb) in [("shared", nil), ("table", table)] as [(String, NeuronParameterTable?)] {
            let models = (0..<E).map { tb?.model(model, neuron: $0 % N) ?? model }
            for ini in [nil, initial] {
                let what = "\(M.id) \(label) \(ini == nil ? "rest" : "initial")"
                var runs: [[UInt32]] = []
                for threads in [1, 2] {
                    Parallel.threadCount = threads
                    let f = NeuronKernel.forward(model, input: x, steps: T, elements: E, initial: ini?.flatMap { $0 }, table: tb)
                    let b = NeuronKernel.backward(model, input: x, states: f.states, gradOutput: g, steps: T, elements: E,
                                                  initial: ini?.flatMap { $0 }, table: tb, parameterGradients: true, neurons: N)
                    runs.append(bits(f.output + f.states + b.gradInput + b.gradInitial + b.gradParameters))
                    if threads == 1 {
                        let pf = plainForward(models, x, T: T, initial: ini)
                        XCTAssertEqual(bits(f.output), bits(pf.out), "\(what): output")
                        XCTAssertEqual(bits(f.states), bits(pf.states), "\(what): states")
                        let pb = plainBackward(models, x, pf.states, g, T: T, initial: ini)
                        XCTAssertEqual(bits(b.gradInput), bits(pb.gx), "\(what): input gradient")
                        XCTAssertEqual(bits(b.gradInitial), bits(pb.g0), "\(what): initial-state gradient")
                        var gp = [Float](repeating: 0, count: P * N)
                        for k in 0..<P { for bb in 0..<B { for n in 0..<N { gp[k * N + n] += pb.gp[k * E + bb * N + n] } } }
                        XCTAssertEqual(bits(b.gradParameters), bits(gp), "\(what): parameter gradients")
                        // Without parameter gradients the input gradient is the same.
                        let b0 = NeuronKernel.backward(model, input: x, states: f.states, gradOutput: g, steps: T, elements: E,
                                                       initial: ini?.flatMap { $0 }, table: tb, parameterGradients: false)
                        XCTAssertEqual(bits(b0.gradInput), bits(pb.gx), "\(what): input gradient without parameters")
                        // Inference (no history) gives the same output.
                        let inf = NeuronKernel.forward(model, input: x, steps: T, elements: E, initial: ini?.flatMap { $0 }, table: tb,
                                                       keepStates: false)
                        XCTAssertEqual(bits(inf.output), bits(pf.out), "\(what): inference output")
                    }
                }
                XCTAssertEqual(runs[0], runs[1], "\(what): 1 and 2 threads differ")
            }
        }
    }

    /// Every registered model, at its defaults, with inputs scaled to make it fire (the registry's models have
    /// inputs from unitless to pA).
    func testEveryZooModelKernelEqualsItsScalarStep() throws {
        for entry in NeuronRegistry.entries {
            let model = try entry.build([:])
            // An input scale that makes the model fire within the run, found by trying.
            var scale: Float = 1
            for s: Float in [1, 10, 100, 1000, 1e4, 1e5] {
                scale = s
                let f = AnyNeuronModel(model).forward([Float](repeating: 1.5 * s, count: 30), steps: 30, elements: 1)
                if !type(of: model).isSpiking || f.output.contains(1) { break }
            }
            func run<M: NeuronModel>(_ m: M) throws { try check(m, scale: scale) }
            try run(model)
        }
    }

    /// A model with a smooth-forward surrogate (used by gradient checks) runs the same path.
    func testSmoothForwardSurrogates() throws {
        try check(PLIF(w: 0.3, surrogate: Surrogate(.atan, smoothForward: true)), scale: 1)
        try check(SnnTorchLeaky(beta: 0.8, surrogate: Surrogate(.triangle, smoothForward: true)), scale: 1)
    }
}
