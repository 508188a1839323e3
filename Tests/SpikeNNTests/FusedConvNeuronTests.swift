import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN
import SpikeCKernels

/// The fused Conv2d (+ MaxPool2d) + LIF/IF layers (`SpikingLayer.fused(after:pool:_:)`, used by `Sequential`)
/// against the layers run one after the other: the same bits in inference and in training (outputs and the
/// gradients of the input, weight and bias), for both conv paths, both instruction sets of the conv kernels,
/// pooling windows that read the whole conv output or only part of it, and 1, 2 or 3 threads; the cases it
/// does not cover fall back. The gradients of the parts are checked numerically in ConvLayerTests (conv,
/// max pooling) and the neuron tests (surrogate backward); a spiking output has no numerical derivative.
final class FusedConvNeuronTests: XCTestCase {
    override func tearDown() { Conv2D.path = .automatic; Conv2D.isa = 0 }

    private func assertSameBits(_ a: Tensor?, _ b: Tensor?, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a?.shape, b?.shape, message, file: file, line: line)
        XCTAssertEqual(a?.scalars.map(\.bitPattern), b?.scalars.map(\.bitPattern), message, file: file, line: line)
    }

    private static let models: [(String, LIF)] = [
        ("lif no decay_input hard", LIF(tau: 10, decayInput: false, threshold: 1, reset: .hard(0), surrogate: .atan)),
        ("lif decay_input hard -0.3", LIF(tau: 2, decayInput: true, threshold: 0.8, reset: .hard(-0.3), surrogate: .sigmoid)),
        ("lif soft detach", LIF(tau: 4, decayInput: false, threshold: 0.7, reset: .soft, surrogate: Surrogate(.fastSigmoid), detachReset: true)),
    ]

    /// (input channels, output channels, kernel, padding, input size, pool): the N-MNIST CSNN's second block
    /// (11 x 11 conv output of which 2 x 2 pooling reads 10 x 10), a padded 3 x 3 stride 2 pool, no pool.
    private struct Case { let ci, co, k: Int; let pad: ConvPadding; let size: Int; let pool: MaxPool2d? }
    private static var cases: [Case] {
        [Case(ci: 3, co: 5, k: 5, pad: .valid, size: 15, pool: MaxPool2d(2)),
         Case(ci: 2, co: 4, k: 3, pad: .uniform(1), size: 9, pool: MaxPool2d(3, stride: 2, padding: 1)),
         Case(ci: 2, co: 3, k: 3, pad: .same, size: 6, pool: nil)]
    }

    /// Outputs and gradients of `x -> [conv -> pool -> layer] -> sum(y * r)`, fused (Sequential) or not.
    private func run<M: NeuronModel>(_ model: M, _ c: Case, fused: Bool, training: Bool, bias: Bool = true, shape: [Int] = [6, 4],
                                     rate: Float = 0.3, seed: UInt64 = 5) -> [Tensor?] {
        var rng = SeededRandom(seed: seed)
        let conv = Conv2d(c.ci, c.co, kernelSize: c.k, padding: c.pad, bias: bias, rng: &rng)
        conv.weight.value = conv.weight.value * 3
        let layer = SpikingLayer(model)
        let x = Variable(Tensor.bernoulli(shape + [c.ci, c.size, c.size], p: rate, rng: &rng), requiresGrad: training)
        let layers: [any Module] = c.pool.map { [conv, $0, layer] } ?? [conv, layer]
        func forward() -> Variable {
            if fused {
                XCTAssertNotNil(layer.fused(after: conv, pool: c.pool, x), "the case should be covered")
                return Sequential(layers: layers)(x)
            }
            var h = x
            for l in layers { h = l(h) }
            return h
        }
        if !training { return [Tape.withoutGradients { forward().value }] }
        let y = forward()
        let r = Tensor.uniform(y.shape, low: -1, high: 1, rng: &rng)
        (y * Variable(r)).sum().backward()
        return [y.value, x.grad, conv.weight.grad, conv.bias?.grad]
    }

    func testFusedEqualsUnfusedInInferenceAndTraining() {
        for (name, model) in Self.models {
            for (i, c) in Self.cases.enumerated() {
                for path in [Conv2D.Path.spikeDriven, .dense] {
                    Conv2D.path = path
                    for training in [false, true] {
                        let a = run(model, c, fused: true, training: training), b = run(model, c, fused: false, training: training)
                        XCTAssertGreaterThan(b[0]!.sum(), 0, "the test needs spikes")
                        for (j, (u, v)) in zip(a, b).enumerated() {
                            assertSameBits(u, v, "\(name) case \(i) \(path) training \(training) tensor \(j)")
                        }
                        if training { XCTAssertGreaterThan(a[2]!.scalars.map(abs).max()!, 0, "the test needs a weight gradient") }
                    }
                }
            }
        }
        for reset in [ResetMode.hard(0), .soft] {
            let model = IF(threshold: 1, reset: reset, surrogate: .atan)
            let a = run(model, Self.cases[0], fused: true, training: true), b = run(model, Self.cases[0], fused: false, training: true)
            for (u, v) in zip(a, b) { assertSameBits(u, v, "IF \(reset)") }
        }
        // Without bias, and analog input (the dense path chosen by density).
        let model = Self.models[0].1
        let a = run(model, Self.cases[0], fused: true, training: true, bias: false, rate: 1)
        let b = run(model, Self.cases[0], fused: false, training: true, bias: false, rate: 1)
        for (u, v) in zip(a, b) { assertSameBits(u, v, "no bias, dense input") }
    }

    func testInstructionSetsAndThreadCountsGiveTheSameBits() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        let model = Self.models[0].1
        for c in Self.cases {
            Parallel.threadCount = 1
            Conv2D.isa = 0
            let reference = run(model, c, fused: false, training: true, shape: [5, 6])
            for isa: Int32 in [0, 1, 2] {
                Conv2D.isa = isa
                for threads in [1, 2, 3] {
                    Parallel.threadCount = threads
                    let out = run(model, c, fused: true, training: true, shape: [5, 6])
                    for (u, v) in zip(out, isa == 0 ? reference : run(model, c, fused: false, training: true, shape: [5, 6])) {
                        assertSameBits(u, v, "isa \(isa) threads \(threads)")
                    }
                    if isa == 0 { for (u, v) in zip(out, reference) { assertSameBits(u, v, "threads \(threads)") } }
                }
            }
        }
    }

    /// A forward plan with fewer output rows and columns (what a pooling reads) gives the same bits at those
    /// positions as the full output, on both paths.
    func testCroppedForwardPlanEqualsTheFullOutput() {
        var rng = SeededRandom(seed: 12)
        for (ci, co, k, pad, size) in [(2, 12, 5, ConvPadding.valid, 12), (3, 32, 5, .valid, 9), (4, 20, 3, .uniform(1), 7)] {
            let conv = Conv2d(ci, co, kernelSize: k, padding: pad, rng: &rng)
            let g = conv.geometry(height: size, width: size)
            let x = Tensor.bernoulli([ci, size, size], p: 0.3, rng: &rng)
            for density: Float in [0, 1] {
                func output(_ rows: Int, _ columns: Int) -> [Float] {
                    let plan = Conv2D.ForwardPlan(weight: conv.weight.value, bias: conv.bias!.value, geometry: g, density: density,
                                                  rows: rows, columns: columns)
                    XCTAssertEqual(plan.spikeDriven, density == 0)
                    var out = [Float](repeating: .nan, count: plan.outputCount)
                    var scratch = [Float](repeating: .nan, count: plan.scratchCount)
                    x.scalars.withUnsafeBufferPointer { px in out.withUnsafeMutableBufferPointer { po in
                        scratch.withUnsafeMutableBufferPointer { ps in plan.run(px.baseAddress!, po.baseAddress!, scratch: ps.baseAddress!) }
                    } }
                    return out
                }
                let (ho, wo) = (g.outHeight, g.outWidth)
                let full = output(ho, wo), cropped = output(ho - 1, wo - 2)
                var expected: [UInt32] = []
                for o in 0..<co { for y in 0..<(ho - 1) { for xx in 0..<(wo - 2) { expected.append(full[(o * ho + y) * wo + xx].bitPattern) } } }
                XCTAssertEqual(cropped.map(\.bitPattern), expected, "ci \(ci) co \(co) k \(k) density \(density)")
            }
        }
    }

    func testUncoveredCasesFallBackToTheUnfusedLayers() throws {
        var rng = SeededRandom(seed: 2)
        let conv = Conv2d(2, 3, kernelSize: 3, rng: &rng), pool = MaxPool2d(2)
        let x = Variable(Tensor.bernoulli([4, 3, 2, 8, 8], p: 0.3, rng: &rng))
        let lif = SpikingLayer(LIF(tau: 2, surrogate: .atan))
        XCTAssertNotNil(Tape.withoutGradients { lif.fused(after: conv, pool: pool, x) })
        // [N, C, H, W] (no time axis), fewer batch elements than threads, recorded states, per-neuron
        // parameters, a model without the fused kernel, learnable parameters while recording.
        XCTAssertNil(Tape.withoutGradients { lif.fused(after: conv, pool: pool, Variable(x.value.reshaped([12, 2, 8, 8]))) })
        let saved = Parallel.threadCount
        Parallel.threadCount = 4
        XCTAssertNil(Tape.withoutGradients { lif.fused(after: conv, pool: pool, x) })
        Parallel.threadCount = saved
        lif.recordStates = true
        XCTAssertNil(Tape.withoutGradients { lif.fused(after: conv, pool: pool, x) })
        let table = SpikingLayer(LIF(tau: 2, surrogate: .atan))
        try table.addMismatch("tau", fraction: 0.1, seed: 1, neurons: 3 * 3 * 3)
        XCTAssertNil(Tape.withoutGradients { table.fused(after: conv, pool: pool, x) })
        let unfusedTable = Tape.withoutGradients { table(pool(conv(x))).value }
        XCTAssertEqual(Tape.withoutGradients { Sequential(layers: [conv, pool, table])(x).value }.scalars, unfusedTable.scalars)
        XCTAssertNil(Tape.withoutGradients { SpikingLayer(PLIF()).fused(after: conv, pool: pool, x) })
        let learned = try SpikingLayer(LIF(tau: 2, surrogate: .atan), learn: ["tau"])
        XCTAssertNil(learned.fused(after: conv, pool: pool, x))
        XCTAssertNotNil(Tape.withoutGradients { learned.fused(after: conv, pool: pool, x) }, "inference uses the learned value")
    }

    func testTrainingTheCSNNFusedEqualsUnfused() {
        // Two Adam steps of the N-MNIST CSNN (Architectures.csnn) on a small input, fused by Sequential or
        // run layer by layer: the same weights, bit for bit.
        func train(fused: Bool) -> [UInt32] {
            var rng = SeededRandom(seed: 7)
            let net = Architectures.csnn(rng: &rng)
            for p in net.parameters where p.value.rank > 1 { p.value = p.value * 3 }
            let x = Variable(Tensor.bernoulli([4, 3, 2, 34, 34], p: 0.1, rng: &rng))
            let opt = Adam(net.parameters, learningRate: 0.01)
            for _ in 0..<2 {
                opt.zeroGrad()
                var y = x
                if fused { y = net(x) } else { for l in net.layers { y = l(y) } }
                Loss.crossEntropy(y.mean(axis: 0), labels: [1, 4, 7]).backward()
                opt.step()
            }
            return net.parameters.flatMap { $0.value.scalars.map(\.bitPattern) }
        }
        XCTAssertEqual(train(fused: true), train(fused: false))
    }

    /// The weight-stationary spike-driven weight gradient and full-vector forward rows (isa 0 with AVX-512)
    /// and the general scatter loops (isa 2) give the same bits, and so do the AVX-512 and portable 2 x 2 max pooling (values and argmax).
    func testWeightStationaryGradientAndVectorPoolingEqualTheLoops() {
        var rng = SeededRandom(seed: 14)
        Conv2D.path = .spikeDriven
        for (ci, co, k, pad, size) in [(2, 12, 5, ConvPadding.valid, 12), (3, 32, 5, .valid, 9), (4, 20, 3, .uniform(1), 7),
                                      (1, 40, 3, .valid, 5), (2, 7, 2, .same, 5), (2, 5, 7, .valid, 9), (2, 16, 3, .same, 6),
                                      (3, 48, 3, .uniform(2), 6)] {
            let conv = Conv2d(ci, co, kernelSize: k, padding: pad, rng: &rng)
            let g = conv.geometry(height: size, width: size)
            for rate: Float in [0.05, 0.3] {
                let x = Tensor.bernoulli([20, ci, size, size], p: rate, rng: &rng)
                let gy = Tensor.uniform([20, co, g.outHeight, g.outWidth], low: -1, high: 1, rng: &rng)
                var grads: [[UInt32]] = [], outs: [[UInt32]] = []
                for isa: Int32 in [0, 2] {
                    Conv2D.isa = isa
                    grads.append(Conv2D.weightGradient(x, gy, geometry: g).scalars.map(\.bitPattern))
                    outs.append(Conv2D.forward(x, weight: conv.weight.value, bias: conv.bias!.value, geometry: g).scalars.map(\.bitPattern))
                }
                XCTAssertEqual(grads[0], grads[1], "ci \(ci) co \(co) k \(k) rate \(rate)")
                XCTAssertEqual(outs[0], outs[1], "forward: ci \(ci) co \(co) k \(k) rate \(rate)")
            }
        }
        Conv2D.isa = 0
        for (h, w) in [(6, 6), (7, 9), (4, 34), (30, 30), (3, 2)] {
            var x = Tensor.bernoulli([3, 2, h, w], p: 0.4, rng: &rng) * Tensor.uniform([3, 2, h, w], low: 0.5, high: 1, rng: &rng)
            x.scalars[5] = .nan
            var outs: [[UInt32]] = [], args: [[Int32]] = []
            for isa: Int32 in [0, 1] {
                var out = [Float](repeating: 0, count: 6 * (h / 2) * (w / 2)), arg = [Int32](repeating: -1, count: out.count)
                x.scalars.withUnsafeBufferPointer { px in
                    sk_maxpool2d(px.baseAddress!, &out, &arg, 6, h, w, h / 2, w / 2, 2, 2, 2, 2, 0, 0, 1, 1, isa)
                }
                outs.append(out.map(\.bitPattern)); args.append(arg)
            }
            XCTAssertEqual(outs[0], outs[1], "\(h) x \(w)")
            XCTAssertEqual(args[0], args[1], "\(h) x \(w)")
        }
    }

    /// The dense input gradient (W^T [K, Co] x gy [Co, P] and `sk_col2im_cols` over contiguous rows) has the
    /// bits of the columns [P, K] = gy^T x W folded back by `sk_col2im_rows`, for strides, dilations, padding and
    /// 1 or 2 threads.
    func testDenseInputGradientEqualsTheRowCol2im() {
        var rng = SeededRandom(seed: 21)
        Conv2D.path = .dense
        let threadCount = Parallel.threadCount
        defer { Parallel.threadCount = threadCount }
        let geometries = [
            ConvGeometry(inChannels: 12, height: 15, width: 15, outChannels: 32, kernel: (5, 5)),
            ConvGeometry(inChannels: 3, height: 9, width: 11, outChannels: 5, kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1)),
            ConvGeometry(inChannels: 2, height: 10, width: 9, outChannels: 4, kernel: (3, 2), stride: (1, 3), padding: (2, 0, 1, 2), dilation: (2, 1)),
            ConvGeometry(inChannels: 4, height: 7, width: 8, outChannels: 6, kernel: (2, 3), stride: (3, 1), padding: (0, 1, 3, 0), dilation: (1, 2)),
        ]
        for g in geometries {
            let n = 5, p = g.outHeight * g.outWidth, k = g.inChannels * g.kernelHeight * g.kernelWidth, hw = g.height * g.width
            let w = Tensor.uniform(g.weightShape, low: -1, high: 1, rng: &rng)
            let gy = Tensor.bernoulli([n, g.outChannels, g.outHeight, g.outWidth], p: 0.6, rng: &rng)
                * Tensor.uniform([n, g.outChannels, g.outHeight, g.outWidth], low: -1, high: 1, rng: &rng)
            // The reference: gy^T [P, Co] x W [Co, K] with fma over Co ascending, then sk_col2im_rows.
            var expected = [Float](repeating: 0, count: n * g.inChannels * hw)
            var geom = sk_conv_geom(ci: g.inChannels, h: g.height, w: g.width, co: g.outChannels, kh: g.kernelHeight, kw: g.kernelWidth,
                                    sh: g.strideH, sw: g.strideW, ph: g.padTop, pw: g.padLeft, dh: g.dilationH, dw: g.dilationW,
                                    groups: 1, ho: g.outHeight, wo: g.outWidth)
            for s in 0..<n {
                var cols = [Float](repeating: 0, count: p * k)
                for q in 0..<p { for j in 0..<k { for o in 0..<g.outChannels {
                    cols[q * k + j].addProduct(gy.scalars[(s * g.outChannels + o) * p + q], w.scalars[o * k + j])   // fused
                } } }
                cols.withUnsafeBufferPointer { pc in expected.withUnsafeMutableBufferPointer { pe in
                    sk_col2im_rows(&geom, pc.baseAddress!, pe.baseAddress! + s * g.inChannels * hw)
                } }
            }
            for threads in [1, 2] {
                Parallel.threadCount = threads
                let got = Conv2D.inputGradient(gy, weight: w, geometry: g)
                XCTAssertEqual(got.shape, [n, g.inChannels, g.height, g.width])
                XCTAssertEqual(got.scalars.map(\.bitPattern), expected.map(\.bitPattern), "\(g) threads \(threads)")
            }
        }
    }
}
