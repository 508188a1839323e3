import XCTest
import SpikeCore
import SpikeCKernels
@testable import SpikeNeurons

/// The vectorised LIF / IF kernels (SpikeCKernels/lif.c) against a plain per-element loop over the models'
/// own `step` / `stepVJP` and against the generic kernel (a per-neuron table with equal values takes the
/// generic path): bitwise equal outputs, states and gradients.
final class FusedKernelTests: XCTestCase {
    /// The plain reference: `model.step` and `model.stepVJP` element by element.
    func reference<M: NeuronModel>(_ model: M, x: [Float], g: [Float], T: Int, N: Int, initial: [Float]?, gFinal: [Float]?)
        -> (out: [Float], states: [Float], gIn: [Float], gInit: [Float]) where M.State == Membrane {
        var out = [Float](repeating: 0, count: T * N), states = out, gIn = out
        var gInit = [Float](repeating: 0, count: N)
        for i in 0..<N {
            var s = initial.map { Membrane(v: $0[i]) } ?? model.initialState
            for t in 0..<T {
                let (y, next) = model.step(x[t * N + i], s)
                out[t * N + i] = y; states[t * N + i] = next.v; s = next
            }
            var gv = Membrane(v: gFinal?[i] ?? 0)
            for t in stride(from: T - 1, through: 0, by: -1) {
                let prev = t > 0 ? Membrane(v: states[(t - 1) * N + i]) : (initial.map { Membrane(v: $0[i]) } ?? model.initialState)
                let (gx, gp) = model.stepVJP(x[t * N + i], prev, gOut: g[t * N + i], gNext: gv)
                gIn[t * N + i] = gx; gv = gp
            }
            gInit[i] = gv.v
        }
        return (out, states, gIn, gInit)
    }

    func check<M: NeuronModel & Equatable>(_ model: M, T: Int, N: Int, low: Float, high: Float, seed: UInt64,
                                           withInitial: Bool, file: StaticString = #filePath, line: UInt = #line) where M.State == Membrane {
        var rng = SeededRandom(seed: seed)
        let x = Tensor.uniform([T, N], low: low, high: high, rng: &rng).scalars
        let g = Tensor.uniform([T, N], low: -1, high: 1, rng: &rng).scalars
        let initial = withInitial ? Tensor.uniform([N], low: -0.5, high: 1.2, rng: &rng).scalars : nil
        let gFinal = withInitial ? Tensor.uniform([N], low: -1, high: 1, rng: &rng).scalars : nil
        XCTAssertNotNil(FusedIntegrateAndFire.parameters(model), "fast path covers \(model)", file: file, line: line)
        let ref = reference(model, x: x, g: g, T: T, N: N, initial: initial, gFinal: gFinal)
        let f = NeuronKernel.forward(model, input: x, steps: T, elements: N, initial: initial)
        XCTAssertEqual(f.output, ref.out, "spikes \(model)", file: file, line: line)
        XCTAssertEqual(f.states, ref.states, "states \(model)", file: file, line: line)
        let lean = NeuronKernel.forward(model, input: x, steps: T, elements: N, initial: initial, keepStates: false)
        XCTAssertEqual(lean.output, ref.out, "inference spikes \(model)", file: file, line: line)
        let b = NeuronKernel.backward(model, input: x, states: f.states, gradOutput: g, steps: T, elements: N,
                                      initial: initial, gradFinalState: gFinal)
        XCTAssertEqual(b.gradInput, ref.gIn, "input gradient \(model)", file: file, line: line)
        XCTAssertEqual(b.gradInitial, ref.gInit, "initial-state gradient \(model)", file: file, line: line)
        // The generic kernel (per-neuron table of equal values) gives the same bits.
        let table = NeuronParameterTable(model, neurons: N)
        let gf = NeuronKernel.forward(model, input: x, steps: T, elements: N, initial: initial, table: table)
        XCTAssertEqual(gf.output, f.output, file: file, line: line)
        XCTAssertEqual(gf.states, f.states, file: file, line: line)
        let gb = NeuronKernel.backward(model, input: x, states: f.states, gradOutput: g, steps: T, elements: N, initial: initial,
                                       gradFinalState: gFinal, table: table, parameterGradients: false)
        XCTAssertEqual(gb.gradInput, b.gradInput, file: file, line: line)
        XCTAssertEqual(gb.gradInitial, b.gradInitial, file: file, line: line)
    }

    func testLIFAndIFFastPathsEqualThePlainLoopForEverySurrogateAndReset() {
        var seed: UInt64 = 100
        for kind in Surrogate.Kind.allCases {
            let sg = Surrogate(kind, alpha: kind == .rectangle ? 0.8 : nil)
            for reset in [ResetMode.hard(0), .hard(-0.2), .soft] {
                for detach in [false, true] {
                    seed += 1
                    // 37 elements: not a multiple of any SIMD width.
                    check(LIF(tau: 10, decayInput: false, threshold: 1, reset: reset, surrogate: sg, detachReset: detach),
                          T: 9, N: 37, low: -0.2, high: 0.9, seed: seed, withInitial: seed % 2 == 0)
                    check(LIF(tau: 2.5, decayInput: true, threshold: 0.7, reset: reset, surrogate: sg, detachReset: detach),
                          T: 6, N: 19, low: -0.5, high: 2, seed: seed, withInitial: seed % 2 == 1)
                    check(IF(threshold: 1.2, reset: reset, surrogate: sg, detachReset: detach),
                          T: 5, N: 23, low: -0.3, high: 0.8, seed: seed, withInitial: seed % 2 == 0)
                }
            }
        }
    }

    func testEdgeShapesAndSilentOrSaturatedInputs() {
        let m = LIF(tau: 10, decayInput: false, threshold: 1, reset: .hard(0), surrogate: .atan)
        check(m, T: 1, N: 1, low: 0, high: 2, seed: 1, withInitial: false)
        check(m, T: 3, N: 300, low: 0, high: 0, seed: 2, withInitial: false)     // no spikes at all (blocks of 256 + 44)
        check(m, T: 4, N: 513, low: 5, high: 6, seed: 3, withInitial: true)      // a spike at every step
        check(m, T: 7, N: 8, low: -1, high: 1.5, seed: 4, withInitial: false)
    }

    func testModelsOutsideTheFastPathAreLeftToTheGenericKernel() {
        XCTAssertNil(FusedIntegrateAndFire.parameters(LIF(surrogate: Surrogate(.atan, smoothForward: true))))
        XCTAssertNil(FusedIntegrateAndFire.parameters(LI()))
    }

    func testFastPathIsIndependentOfThreadCount() {
        var rng = SeededRandom(seed: 9)
        let (T, M) = (10, 1500)
        let m = LIF(tau: 10, decayInput: false, surrogate: .atan)
        let x = Tensor.uniform([T, M], low: 0, high: 0.5, rng: &rng).scalars
        let g = Tensor.uniform([T, M], rng: &rng).scalars
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            let f = NeuronKernel.forward(m, input: x, steps: T, elements: M)
            let b = NeuronKernel.backward(m, input: x, states: f.states, gradOutput: g, steps: T, elements: M)
            results.append(f.output + f.states + b.gradInput)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }
    /// The sparse backward (compact-support surrogates skip block-steps whose surrogate derivatives and carried
    /// gradients are all +0) gives the bits of the dense backward: every LIF/IF variant, reset and detach,
    /// through `NeuronKernel.backward` (from the stored membranes) and `backwardFromH` on every instruction set,
    /// on 1 and 2 threads, with silent blocks (elements 512 and up, and the last steps), active ones, negative
    /// upstream gradients (zeros of both signs in go x sg) and a final-state gradient that is zero or not.
    func testSparseBackwardEqualsTheDenseBackwardBitForBit() {
        let savedThreads = Parallel.threadCount, savedSparse = FusedIntegrateAndFire.sparseBackward
        defer { Parallel.threadCount = savedThreads; FusedIntegrateAndFire.sparseBackward = savedSparse }
        let (T, M) = (8, 800)
        var rng = SeededRandom(seed: 21)
        var x = Tensor.uniform([T, M], low: -0.6, high: 1.4, rng: &rng).scalars
        for t in 0..<T { for i in 0..<M where i >= 512 || t >= 5 { x[t * M + i] = -0.5 - Float(i % 7) * 0.1 } }   // silent
        let g = Tensor.uniform([T, M], low: -1, high: 1, rng: &rng).scalars
        let gFinal = Tensor.uniform([M], low: -1, high: 1, rng: &rng).scalars.enumerated().map { $0.offset < 200 ? $0.element : 0 }
        for sg in [Surrogate(.rectangle), Surrogate(.triangle), Surrogate(.piecewiseQuadratic, alpha: 2)] {
            for reset in [ResetMode.hard(0), .hard(-0.3), .soft] {
                for detach in [false, true] {
                    let models: [(String, any NeuronModel)] = [
                        ("lif", LIF(tau: 10, decayInput: false, threshold: 1, reset: reset, surrogate: sg, detachReset: detach)),
                        ("lif decay_input", LIF(tau: 2.5, decayInput: true, threshold: 0.7, reset: reset, surrogate: sg, detachReset: detach)),
                        ("lif tau < 1", LIF(tau: 0.8, decayInput: true, threshold: 0.7, reset: reset, surrogate: sg, detachReset: detach)),
                        ("if", IF(threshold: 1.2, reset: reset, surrogate: sg, detachReset: detach)),
                    ]
                    for (name, model) in models {
                        func run<Model: NeuronModel>(_ m: Model) {
                            let f = NeuronKernel.forward(m, input: x, steps: T, elements: M)
                            // H of the same forward, for backwardFromH (from rest).
                            let p = FusedIntegrateAndFire.parameters(m)!
                            var h = [Float](repeating: 0, count: T * M), v = [Float](repeating: p.hard != 0 ? p.reset : 0, count: M)
                            var out = h
                            for t in 0..<T {
                                var pp = p
                                var ht = [Float](repeating: 0, count: M), ot = ht
                                x.withUnsafeBufferPointer { px in sk_lif_step(&pp, &v, px.baseAddress! + t * M, &ht, &ot, M, 1) }
                                for i in 0..<M { h[t * M + i] = ht[i]; out[t * M + i] = ot[i] }
                            }
                            XCTAssertEqual(out, f.output)
                            var results: [[UInt32]] = []
                            for sparse in [false, true] {
                                FusedIntegrateAndFire.sparseBackward = sparse
                                for threads in [1, 2] {
                                    Parallel.threadCount = threads
                                    for gf in [nil, gFinal] {
                                        let b = NeuronKernel.backward(m, input: x, states: f.states, gradOutput: g, steps: T, elements: M,
                                                                      gradFinalState: gf)
                                        results.append((b.gradInput + b.gradInitial).map(\.bitPattern))
                                    }
                                    for isa: Int32 in [0, 1, 2, 3] {
                                        let gi = FusedIntegrateAndFire.backwardFromH(m, h: h, gradOutput: g, steps: T, elements: M, isa: isa)!
                                        results.append(gi.map(\.bitPattern))
                                    }
                                }
                            }
                            let half = results.count / 2
                            for i in 0..<half {
                                XCTAssertEqual(results[i], results[half + i], "\(name) \(sg) \(reset) detach \(detach) case \(i)")
                            }
                            XCTAssertTrue(results[0].contains { $0 != 0 }, "the test needs a gradient")
                        }
                        run(model)
                    }
                }
            }
        }
    }
}
