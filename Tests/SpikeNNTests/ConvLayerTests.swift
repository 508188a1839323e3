import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

/// Numerical gradient checks of every conv-family layer, the two conv paths against each other, thread-count
/// independence, multi-step folding and the layers without a PyTorch fixture (Dropout2d, SEW connect).
final class ConvLayerTests: XCTestCase {
    override func tearDown() { Conv2D.path = .automatic; Conv2D.isa = 0 }

    /// GradCheck of a module's input and parameter gradients (through `NNTest.routed`).
    func gradCheck(_ module: any Module, input: Tensor, eps: Float = 1e-2, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        NNTest.assertGradCheck([input] + module.parameters.map(\.value), eps: eps, message, file: file, line: line) { vs in
            NNTest.routed(module, vs)
        }
    }

    func testConvGradientChecks() {
        var rng = SeededRandom(seed: 3)
        for path in [Conv2D.Path.spikeDriven, .dense] {
            Conv2D.path = path
            gradCheck(Conv2d(2, 3, kernelSize: 3, stride: 2, padding: .uniform(1), rng: &rng), input: NNTest.uniform([2, 2, 5, 4], -1, 1, seed: 1), "conv2d \(path)")
            gradCheck(Conv2d(4, 2, kernelSize: (2, 3), padding: .same, dilation: (2, 1), groups: 2, rng: &rng), input: NNTest.uniform([1, 4, 4, 5], -1, 1, seed: 2), "conv2d groups same \(path)")
            gradCheck(Conv1d(2, 3, kernelSize: 3, stride: 2, padding: .uniform(1), rng: &rng), input: NNTest.uniform([2, 2, 7], -1, 1, seed: 3), "conv1d \(path)")
            gradCheck(ConvTranspose2d(2, 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng), input: NNTest.uniform([1, 2, 3, 3], -1, 1, seed: 4), "convT \(path)")
        }
    }

    func testPoolingGradientChecks() {
        // Distinct values at least 0.05 apart, so no window's maximum changes within eps.
        var rng = SeededRandom(seed: 5)
        var v = (0..<(2 * 2 * 6 * 5)).map { Float($0) * 0.05 }
        rng.shuffle(&v)
        let x = Tensor(shape: [2, 2, 6, 5], scalars: v)
        gradCheck(MaxPool2d(2), input: x, "maxpool2d")
        gradCheck(MaxPool2d(3, stride: 2, padding: 1), input: x, "maxpool2d padded")
        gradCheck(MaxPool1d(2), input: x.reshaped([4, 5, 6]), "maxpool1d")
        gradCheck(AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false), input: x, "avgpool2d")
        gradCheck(AvgPool1d(2, stride: 1), input: x.reshaped([4, 5, 6]), "avgpool1d")
        gradCheck(SumPool2d(2), input: x, "sumpool2d")
        gradCheck(AdaptiveAvgPool2d((4, 3)), input: x, "adaptive")
        gradCheck(Upsample(scaleFactor: (2, 3)), input: x, "upsample")
        gradCheck(Upsample(size: (4, 7)), input: x, "upsample size")
    }

    func testNormalisationGradientChecks() {
        let x = NNTest.uniform([2, 2, 3, 2, 2], -1, 2, seed: 6)
        let bn = BatchNorm2d(3)
        bn.weight!.value = Tensor([0.5, 1.5, -1]); bn.bias!.value = Tensor([0.1, -0.2, 0.3])
        gradCheck(bn, input: x, eps: 1e-2, "batchnorm2d train")
        bn.setTraining(false)
        bn.runningMean!.value = Tensor([0.2, -0.1, 0.4]); bn.runningVar!.value = Tensor([0.5, 2, 1])
        gradCheck(bn, input: x, "batchnorm2d eval")
        gradCheck(BatchNorm1d(3), input: NNTest.uniform([2, 3, 3], -1, 2, seed: 7), "batchnorm1d")
        gradCheck(ThresholdDependentBatchNorm2d(3, alpha: 1, vThreshold: 0.5), input: x, "tdbn")
        gradCheck(BatchNormThroughTime2d(3, steps: 2), input: x, "bntt")
    }

    /// The spike-driven and dense paths give the same outputs and gradients up to float rounding, on spikes.
    func testSpikeDrivenAndDensePathsAgree() {
        var rng = SeededRandom(seed: 8)
        let conv = Conv2d(3, 5, kernelSize: 3, stride: 2, padding: .uniform(2), dilation: 2, rng: &rng)
        let x = Tensor.bernoulli([6, 3, 11, 10], p: 0.2, rng: &rng)
        let seed = NNTest.uniform([6, 5, 6, 5], -1, 1, seed: 9)
        var results: [[Float]] = []
        for path in [Conv2D.Path.spikeDriven, .dense] {
            Conv2D.path = path
            conv.zeroGrad()
            let xv = Variable(x, requiresGrad: true)
            let y = conv(xv)
            y.backward(seed: seed)
            results.append(y.value.scalars + xv.grad!.scalars + conv.weight.grad!.scalars + conv.bias!.grad!.scalars)
        }
        NNTest.assertClose(results[0], results[1], tol: 1e-5, "spike-driven vs dense")
        XCTAssertNotEqual(results[0], [Float](repeating: 0, count: results[0].count))
    }

    /// 1 and 2 threads give the same bits (more samples than the chunks of the forward and the weight gradient).
    func testThreadCountDoesNotChangeBits() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 10)
        let conv = Conv2d(2, 4, kernelSize: 3, padding: .uniform(1), rng: &rng)
        let bn = BatchNorm2d(4), pool = MaxPool2d(2)
        let x = Tensor.bernoulli([3, 12, 2, 6, 6], p: 0.3, rng: &rng)
        let seed = NNTest.uniform([3, 12, 4, 3, 3], -1, 1, seed: 11)
        for path in [Conv2D.Path.spikeDriven, .dense] {
            Conv2D.path = path
            var runs: [[Float]] = []
            for threads in [1, 2] {
                Parallel.threadCount = threads
                conv.zeroGrad(); bn.zeroGrad()
                let xv = Variable(x, requiresGrad: true)
                let y = pool(bn(conv(xv)))
                y.backward(seed: seed)
                runs.append(y.value.scalars + xv.grad!.scalars + conv.weight.grad!.scalars + conv.bias!.grad!.scalars + bn.weight!.grad!.scalars)
            }
            XCTAssertEqual(runs[0], runs[1], "\(path): 1 and 2 threads differ")
        }
    }

    /// [T, B, C, H, W] runs as [T*B, C, H, W] for every stateless layer.
    func testMultiStepFoldsTimeIntoBatch() {
        var rng = SeededRandom(seed: 12)
        let x = Tensor.bernoulli([2, 3, 2, 6, 6], p: 0.4, rng: &rng)
        let flat = x.reshaped([6, 2, 6, 6])
        let layers: [any Module] = [Conv2d(2, 3, kernelSize: 3, rng: &rng), MaxPool2d(2), AvgPool2d(2), SumPool2d(3), AdaptiveAvgPool2d(2),
                                    Upsample(scaleFactor: 2), ConvTranspose2d(2, 3, kernelSize: 2, stride: 2, rng: &rng)]
        for l in layers {
            let a = l(Variable(x)).value, b = l(Variable(flat)).value
            XCTAssertEqual(a.shape[0...1], [2, 3], "\(type(of: l))")
            XCTAssertEqual(Array(a.shape.dropFirst(2)), Array(b.shape.dropFirst()), "\(type(of: l))")
            XCTAssertEqual(a.scalars, b.scalars, "\(type(of: l))")
        }
    }

    /// Every neuron layer runs on [T, B, C, H, W] (one neuron per element of a step), the same as on [T, B, C*H*W].
    func testSpikingLayerAfterConvOnAnyTrailingShape() {
        var rng = SeededRandom(seed: 13)
        let conv = Conv2d(2, 3, kernelSize: 3, padding: .uniform(1), rng: &rng)
        let x = Variable(Tensor.bernoulli([4, 2, 2, 5, 5], p: 0.3, rng: &rng))
        let h = conv(x)
        for layer in [SpikingLayer(LIF(tau: 2, threshold: 0.3)) as any Module, SpikingLayer(IF(threshold: 0.3))] {
            let a = layer(h).value, b = layer(h.reshaped([4, 2, 75])).value
            XCTAssertEqual(a.shape, [4, 2, 3, 5, 5])
            XCTAssertEqual(a.scalars, b.scalars)
            XCTAssertGreaterThan(a.scalars.reduce(0, +), 0)
        }
        // Trained through: gradients reach the conv weight.
        let net = Sequential { conv; BatchNorm2d(3); SpikingLayer(LIF(tau: 2, threshold: 0.3)); MaxPool2d(2) }
        net.zeroGrad()
        net(x).sum().backward()
        XCTAssertNotNil(conv.weight.grad)
        XCTAssertGreaterThan(conv.weight.grad!.scalars.map { abs($0) }.max()!, 0)
    }

    func testDropout2dSharesOneChannelMaskAcrossTime() {
        let d = Dropout2d(p: 0.5, seed: 3)
        let x = Tensor.ones([4, 3, 8, 2, 2])
        let y = d(Variable(x)).value
        for b in 0..<3 { for c in 0..<8 {
            let v = y[0, b, c, 0, 0]
            XCTAssertTrue(v == 0 || v == 2, "kept channels are scaled by 1/(1-p)")
            for t in 0..<4 { for i in 0..<2 { for j in 0..<2 { XCTAssertEqual(y[t, b, c, i, j], v) } } }
        } }
        let kept = (0..<3).flatMap { b in (0..<8).map { c in y[0, b, c, 0, 0] } }.filter { $0 != 0 }.count
        XCTAssertTrue(kept > 4 && kept < 20, "about half the 24 channels kept, got \(kept)")
        d.setTraining(false)
        XCTAssertEqual(d(Variable(x)).value, x)
    }

    func testSEWConnectFunctions() throws {
        let a = Tensor([0, 1, 0, 1]), s = Tensor([0, 0, 1, 1])
        XCTAssertEqual(SEWConnect.add.apply(Variable(a), identity: Variable(s)).value.scalars, [0, 1, 1, 2])
        XCTAssertEqual(SEWConnect.and.apply(Variable(a), identity: Variable(s)).value.scalars, [0, 0, 0, 1])
        XCTAssertEqual(SEWConnect.iand.apply(Variable(a), identity: Variable(s)).value.scalars, [0, 0, 1, 0])
        XCTAssertEqual(try SEWConnect(parsing: "iand"), .iand)
        XCTAssertThrowsError(try SEWConnect(parsing: "or"))
        var rng = SeededRandom(seed: 14)
        for cnf in SEWConnect.allCases {
            let block = SEWResidual(Conv2d(2, 2, kernelSize: 3, padding: .same, rng: &rng), connect: cnf)
            XCTAssertEqual(block.namedParameters.map(\.0), ["residual.weight", "residual.bias"])
            gradCheck(block, input: NNTest.uniform([2, 2, 3, 3], -1, 1, seed: 15), "SEW \(cnf)")
        }
    }

    func testOptionErrorsAreOneLine() {
        XCTAssertThrowsError(try ConvOptions.validate("Conv2d", inChannels: 3, outChannels: 4, kernel: [3, 3], stride: [1, 1], dilation: [1, 1],
                                                      padding: .valid, groups: 2)) { e in
            XCTAssertEqual("\(e)", "Conv2d: groups 2 must divide the channels 3 and 4")
        }
        XCTAssertThrowsError(try ConvOptions.validate("Conv2d", inChannels: 3, outChannels: 3, kernel: [3, 3], stride: [2, 2], dilation: [1, 1],
                                                      padding: .same, groups: 1))
        XCTAssertThrowsError(try PoolOptions.validate("MaxPool2d", kernel: [2, 2], stride: [2, 2], padding: [2, 2]))
        XCTAssertThrowsError(try BatchNormCore.validate("BatchNorm2d", numFeatures: 3, eps: 1e-5, momentum: 1.5))
    }
}
