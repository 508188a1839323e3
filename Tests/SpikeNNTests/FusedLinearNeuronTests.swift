import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

/// The fused Linear + LIF/IF layers (`Sequential`, `FusedIntegrateAndFire.linearForward` and `backwardFromH`)
/// against the two layers run one after the other: the same bits, in inference and in training (outputs and
/// the gradients of the input, weight and bias), for every neuron variant, surrogate, bias, panel remainder,
/// input layout, instruction set and thread count; the cases it does not cover fall back.
final class FusedLinearNeuronTests: XCTestCase {
    /// Linear(k -> n) and the layer, with input spikes [T, B, k] of `rate` (values scaled by `graded` when set).
    private func setup(k: Int, n: Int, shape: [Int], rate: Float = 0.15, bias: Bool, graded: Bool = false,
                       seed: UInt64 = 3) -> (Linear, Variable) {
        var rng = SeededRandom(seed: seed)
        let linear = Linear(k, n, bias: bias, rng: &rng)
        linear.weight.value = linear.weight.value * 3
        var x = Tensor.bernoulli(shape + [k], p: rate, rng: &rng)
        if graded { x = x * Tensor.uniform(x.shape, low: 0.2, high: 1.5, rng: &rng) }
        return (linear, Variable(x))
    }

    private func unfused<M: NeuronModel>(_ linear: Linear, _ layer: SpikingLayer<M>, _ x: Variable) -> Tensor {
        Tape.withoutGradients { layer(linear(x)).value }
    }

    private func assertSameBits(_ a: Tensor, _ b: Tensor, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, message, file: file, line: line)
        XCTAssertEqual(a.scalars.map(\.bitPattern), b.scalars.map(\.bitPattern), message, file: file, line: line)
    }

    private static let lifs: [(String, LIF)] = [
        ("lif decay_input hard", LIF(tau: 2, decayInput: true, threshold: 1, reset: .hard(0), surrogate: .atan)),
        ("lif no decay_input hard -0.5", LIF(tau: 10, decayInput: false, threshold: 0.8, reset: .hard(-0.5), surrogate: .sigmoid)),
        ("lif soft", LIF(tau: 2, decayInput: true, threshold: 0.6, reset: .soft, surrogate: .atan)),
        ("lif no decay_input soft", LIF(tau: 5, decayInput: false, threshold: 1.2, reset: .soft, surrogate: .atan)),
    ]

    func testSequentialFusedEqualsUnfusedForEveryLIFVariantAndPanelRemainder() {
        for (k, n) in [(37, 70), (64, 32), (50, 128), (9, 5)] {
            for bias in [false, true] {
                for (name, model) in Self.lifs {
                    let (linear, x) = setup(k: k, n: n, shape: [7, 5], bias: bias)
                    let layer = SpikingLayer(model)
                    let fused = Tape.withoutGradients { layer.fused(after: linear, x) }
                    XCTAssertNotNil(fused, "\(name) should be covered")
                    let seq = Tape.withoutGradients { Sequential(layers: [linear, layer])(x).value }
                    let reference = unfused(linear, layer, x)
                    XCTAssertGreaterThan(reference.sum(), 0, "\(name): the test needs spikes")
                    assertSameBits(seq, reference, "\(name) k \(k) n \(n) bias \(bias)")
                    if let fused { assertSameBits(fused.value, reference, "\(name) direct") }
                }
                for reset in [ResetMode.hard(0), .soft] {
                    let (linear, x) = setup(k: k, n: n, shape: [6, 2], bias: bias)
                    let layer = SpikingLayer(IF(threshold: 1, reset: reset, surrogate: .atan))
                    let seq = Tape.withoutGradients { Sequential(layers: [linear, layer])(x).value }
                    assertSameBits(seq, unfused(linear, layer, x), "IF \(reset) k \(k) n \(n) bias \(bias)")
                }
            }
        }
    }

    func testEveryInstructionSetAndThreadCountGivesTheSameBits() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        let model = LIF(tau: 4, decayInput: false, threshold: 1, reset: .hard(0), surrogate: .atan)
        for graded in [false, true] {
            let (linear, x) = setup(k: 45, n: 100, shape: [9, 5], bias: true, graded: graded)
            let layer = SpikingLayer(model)
            let reference = unfused(linear, layer, x)
            let rows = CompressedRows(x.value.reshaped([45, 45]))
            // Portable: multiply then add, equal to the fused multiply-add only for 0/1 inputs.
            for isa: Int32 in graded ? [0, 2, 3] : [0, 1, 2, 3] {
                for threads in [1, 2, 3] {
                    Parallel.threadCount = threads
                    let out = FusedIntegrateAndFire.linearForward(model, rows: rows, panels: linear.weightPanels(),
                                                                  bias: linear.bias!.value.scalars, steps: 9, batch: 5, isa: isa)
                    XCTAssertNotNil(out)
                    assertSameBits(Tensor(shape: reference.shape, scalars: out?.spikes ?? []), reference,
                                   "graded \(graded) isa \(isa) threads \(threads)")
                }
            }
        }
    }

    func testInputLayouts() {
        let layer = SpikingLayer(LIF(tau: 2, decayInput: true, threshold: 1, reset: .hard(0), surrogate: .atan))
        for shape in [[8], [5, 2, 3], [4, 1]] {
            let (linear, x) = setup(k: 20, n: 33, shape: shape, rate: 0.1, bias: true)
            let out = Tape.withoutGradients { layer.fused(after: linear, x) }
            XCTAssertNotNil(out, "\(shape)")
            XCTAssertEqual(out?.shape, shape + [33])
            if let out { assertSameBits(out.value, unfused(linear, layer, x), "\(shape)") }
        }
    }

    func testUncoveredCasesFallBackToTheUnfusedLayers() throws {
        let (linear, x) = setup(k: 30, n: 40, shape: [6, 2], bias: false)
        // Dense input (density above the crossover): the unfused layer's dense product.
        let dense = Variable(x.value + 0.25)
        let lif = SpikingLayer(LIF(tau: 2, surrogate: .atan))
        XCTAssertNotNil(Tape.withoutGradients { lif.fused(after: linear, x) }, "the sparse input is covered")
        XCTAssertNil(Tape.withoutGradients { lif.fused(after: linear, dense) })
        assertSameBits(Tape.withoutGradients { Sequential(layers: [linear, lif])(dense).value }, unfused(linear, lif, dense), "dense")
        // Recording states, per-neuron parameters, a model without the fused kernel.
        lif.recordStates = true
        XCTAssertNil(Tape.withoutGradients { lif.fused(after: linear, x) })
        let table = SpikingLayer(LIF(tau: 2, surrogate: .atan))
        try table.addMismatch("tau", fraction: 0.1, seed: 1, neurons: 40)
        XCTAssertNil(Tape.withoutGradients { table.fused(after: linear, x) })
        assertSameBits(Tape.withoutGradients { Sequential(layers: [linear, table])(x).value }, unfused(linear, table, x), "table")
        let li = SpikingLayer(PLIF())
        XCTAssertNil(Tape.withoutGradients { li.fused(after: linear, x) })
        // Learnable neuron parameters while recording (their gradients need the generic kernel).
        let learned = try SpikingLayer(LIF(tau: 2, surrogate: .atan), learn: ["tau"])
        XCTAssertNil(learned.fused(after: linear, x))
        XCTAssertNotNil(Tape.withoutGradients { learned.fused(after: linear, x) }, "inference uses the learned value")
        // While recording, the fused node is on the tape.
        let param = Linear(30, 40, bias: false, rng: &Self.rng)
        let y = Sequential(layers: [param, SpikingLayer(LIF(tau: 2, surrogate: .atan))])(x)
        XCTAssertTrue(y.requiresGrad)
    }

    nonisolated(unsafe) private static var rng = SeededRandom(seed: 9)

    func testCachedPanelsFollowTheWeight() {
        let (linear, x) = setup(k: 25, n: 36, shape: [5, 2], bias: true)
        let layer = SpikingLayer(LIF(tau: 2, surrogate: .atan))
        let net = Sequential(layers: [linear, layer])
        let before = Tape.withoutGradients { net(x).value }
        let panels = linear.weightPanels()
        XCTAssertTrue(panels === linear.weightPanels(), "the panels are kept while the weight is unchanged")
        // Assignment and in-place change both advance the version and make new panels.
        linear.weight.value = linear.weight.value * -1
        XCTAssertFalse(panels === linear.weightPanels())
        let after = Tape.withoutGradients { net(x).value }
        assertSameBits(after, unfused(linear, layer, x), "after assignment")
        XCTAssertNotEqual(after.scalars, before.scalars)
        let v0 = linear.weight.version
        linear.weight.value.scalars.withUnsafeMutableBufferPointer { $0[0] += 5; $0[40] -= 5 }
        XCTAssertGreaterThan(linear.weight.version, v0)
        assertSameBits(Tape.withoutGradients { net(x).value }, unfused(linear, layer, x), "after in-place change")
        // An optimiser step changes the weight in place.
        let y = net(x)
        (y * Variable(Tensor.uniform(y.shape, low: -1, high: 1, rng: &Self.rng))).sum().backward()
        Adam(linear.parameters, learningRate: 0.1).step()
        assertSameBits(Tape.withoutGradients { net(x).value }, unfused(linear, layer, x), "after an Adam step")
    }

    // MARK: training

    /// Outputs and gradients of `x -> pre -> [linear -> layer] -> loss`, with the pair fused or not; `pre`
    /// (a Linear without its own neurons) makes the pair's input a non-leaf that needs a gradient.
    private func trainingRun<M: NeuronModel>(_ model: M, fused: Bool, k: Int, n: Int, shape: [Int], bias: Bool,
                                             inputNeedsGradient: Bool, seed: UInt64 = 21)
        -> (out: Tensor, gx: Tensor?, gw: Tensor, gb: Tensor?) {
        var rng = SeededRandom(seed: seed)
        let linear = Linear(k, n, bias: bias, rng: &rng)
        linear.weight.value = linear.weight.value * 3
        let layer = SpikingLayer(model)
        let spikes = Tensor.bernoulli(shape + [k], p: 0.15, rng: &rng)
        let upstream = Tensor.uniform(shape + [n], low: -1, high: 1, rng: &rng)
        // A leaf that needs a gradient: the pair's input itself (spikes as values; its gradient is dense).
        let x = Variable(spikes, requiresGrad: inputNeedsGradient)
        let y = fused ? Sequential(layers: [linear, layer])(x) : layer(linear(x))
        if fused { XCTAssertNotNil(layer.fused(after: linear, x), "the pair should be covered") }
        (y * Variable(upstream)).sum().backward()
        return (y.value, x.grad, linear.weight.grad!, linear.bias?.grad)
    }

    func testTrainingGradientsEqualTheUnfusedLayers() {
        let models: [(String, LIF)] = Self.lifs + [
            ("lif detach", LIF(tau: 2, decayInput: true, threshold: 1, reset: .hard(0), surrogate: .sigmoid, detachReset: true)),
            ("lif soft detach", LIF(tau: 4, decayInput: false, threshold: 0.7, reset: .soft, surrogate: Surrogate(.fastSigmoid), detachReset: true)),
            ("lif erf", LIF(tau: 3, decayInput: true, threshold: 1, reset: .hard(0.1), surrogate: Surrogate(.erf))),
            ("lif triangle", LIF(tau: 2, decayInput: false, threshold: 1, reset: .hard(0), surrogate: Surrogate(.triangle, alpha: 1))),
        ]
        for (k, n, shape) in [(37, 70, [6, 5]), (20, 33, [4, 2, 3]), (9, 5, [5, 1])] {
            for bias in [false, true] {
                for needs in [false, true] {
                    for (name, model) in models {
                        let a = trainingRun(model, fused: true, k: k, n: n, shape: shape, bias: bias, inputNeedsGradient: needs)
                        let b = trainingRun(model, fused: false, k: k, n: n, shape: shape, bias: bias, inputNeedsGradient: needs)
                        let what = "\(name) k \(k) n \(n) \(shape) bias \(bias) input grad \(needs)"
                        assertSameBits(a.out, b.out, "out " + what)
                        assertSameBits(a.gw, b.gw, "weight grad " + what)
                        XCTAssertGreaterThan(a.gw.scalars.map(abs).max() ?? 0, 0, "the test needs a gradient: " + what)
                        XCTAssertEqual(a.gx == nil, !needs)
                        if let ax = a.gx, let bx = b.gx { assertSameBits(ax, bx, "input grad " + what) }
                        if let ab = a.gb, let bb = b.gb { assertSameBits(ab, bb, "bias grad " + what) }
                        XCTAssertEqual(a.gb == nil, !bias)
                    }
                }
            }
        }
        for reset in [ResetMode.hard(0), .soft] {
            let model = IF(threshold: 1, reset: reset, surrogate: .atan)
            let a = trainingRun(model, fused: true, k: 30, n: 40, shape: [5, 4], bias: true, inputNeedsGradient: true)
            let b = trainingRun(model, fused: false, k: 30, n: 40, shape: [5, 4], bias: true, inputNeedsGradient: true)
            assertSameBits(a.out, b.out, "IF \(reset)")
            assertSameBits(a.gw, b.gw, "IF \(reset)")
            assertSameBits(a.gx!, b.gx!, "IF \(reset)")
            assertSameBits(a.gb!, b.gb!, "IF \(reset)")
        }
    }

    func testBackwardFromHEqualsTheKernelBackwardOnEveryInstructionSetAndThreadCount() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 8)
        let model = LIF(tau: 3, decayInput: false, threshold: 1, reset: .hard(0), surrogate: .atan)
        let (steps, batch, k, n) = (7, 6, 40, 600)   // 3600 elements per step: several chunks of the kernel
        let linear = Linear(k, n, bias: true, rng: &rng)
        linear.weight.value = linear.weight.value * 3
        let x = Tensor.bernoulli([steps * batch, k], p: 0.2, rng: &rng)
        let rows = CompressedRows(x)
        let g = Tensor.uniform([steps * batch * n], low: -1, high: 1, rng: &rng).scalars
        let current = (rows.timesTransposed(linear.weight.value) + linear.bias!.value).scalars
        let fwd = NeuronKernel.forward(model, input: current, steps: steps, elements: batch * n, table: nil, keepStates: true)
        let reference = NeuronKernel.backward(model, input: current, states: fwd.states, gradOutput: g, steps: steps,
                                              elements: batch * n, table: nil, parameterGradients: false).gradInput
        for isa: Int32 in [0, 1, 2, 3] {
            for threads in [1, 2, 3] {
                Parallel.threadCount = threads
                let f = FusedIntegrateAndFire.linearForward(model, rows: rows, panels: linear.weightPanels(),
                                                            bias: linear.bias!.value.scalars, steps: steps, batch: batch, keepH: true, isa: isa)!
                XCTAssertEqual(f.spikes.map(\.bitPattern), fwd.output.map(\.bitPattern), "isa \(isa) threads \(threads)")
                let gin = FusedIntegrateAndFire.backwardFromH(model, h: f.h, gradOutput: g, steps: steps, elements: batch * n, isa: isa)!
                XCTAssertEqual(gin.map(\.bitPattern), reference.map(\.bitPattern), "isa \(isa) threads \(threads)")
            }
        }
    }

    func testTrainingThroughTheFusedPairLearns() {
        // Two Adam steps through a fused two-block network equal the unfused network's, bit for bit.
        func run(fused: Bool) -> [UInt32] {
            var rng = SeededRandom(seed: 31)
            let l1 = Linear(24, 30, rng: &rng), l2 = Linear(30, 6, rng: &rng)
            l1.weight.value = l1.weight.value * 4; l2.weight.value = l2.weight.value * 4
            let n1 = SpikingLayer(LIF(tau: 2, surrogate: .atan)), n2 = SpikingLayer(LIF(tau: 2, surrogate: .atan))
            let x = Variable(Tensor.bernoulli([8, 4, 24], p: 0.2, rng: &rng))
            let opt = Adam(l1.parameters + l2.parameters, learningRate: 0.05)
            let net = Sequential(layers: [l1, n1, l2, n2])
            for _ in 0..<2 {
                opt.zeroGrad()
                let y = fused ? net(x) : n2(l2(n1(l1(x))))
                (y.sum() * Variable(Tensor([-1]))).sum().backward()
                opt.step()
            }
            return (l1.weight.value.scalars + l2.weight.value.scalars + l1.bias!.value.scalars).map(\.bitPattern)
        }
        XCTAssertEqual(run(fused: true), run(fused: false))
    }
}
