import XCTest
import Foundation
import SpikeCore
import SpikeIO
import SpikeNN

/// Layers against PyTorch: Fixtures/conv/make_fixtures.py stores inputs, parameters, outputs and the gradients
/// of sum(y * r) computed with torch (float32); the layers here must give them within float rounding.
final class ConvFixtureTests: XCTestCase {
    static func fixture(_ name: String) throws -> [String: Tensor] {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/conv/\(name)", withExtension: nil), "fixture \(name)")
        var out: [String: Tensor] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".npy") {
            out[String(f.dropLast(4))] = try NPY.read(from: dir.appendingPathComponent(f))
        }
        return out
    }

    /// Tolerance for values of the fixture's magnitude: float rounding of sums of a few hundred terms.
    static func tol(_ t: Tensor) -> Float { 2e-5 * Swift.max(1, t.scalars.map { abs($0) }.max() ?? 0) }

    /// Runs `module` on the fixture's x with its parameters, back-propagates r, and compares y and every gradient.
    func check(_ name: String, _ module: any Module, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try Self.fixture(name)
        for (key, p) in module.namedParameters {
            let t = try XCTUnwrap(f[key], "\(name): no \(key)")
            XCTAssertEqual(p.shape, t.shape, "\(name): \(key) shape", file: file, line: line)
            p.value = t
        }
        module.zeroGrad()
        let x = Variable(f["x"]!, requiresGrad: true)
        let y = module(x)
        XCTAssertEqual(y.shape, f["y"]!.shape, "\(name): output shape", file: file, line: line)
        NNTest.assertClose(y.value.scalars, f["y"]!.scalars, tol: Self.tol(f["y"]!), "\(name) y", file: file, line: line)
        y.backward(seed: f["r"]!)
        NNTest.assertClose(x.grad!.scalars, f["grad_x"]!.scalars, tol: Self.tol(f["grad_x"]!), "\(name) grad_x", file: file, line: line)
        for (key, p) in module.namedParameters {
            let g = try XCTUnwrap(f["grad_" + key], "\(name): no grad_\(key)")
            NNTest.assertClose(p.grad!.scalars, g.scalars, tol: Self.tol(g), "\(name) grad_\(key)", file: file, line: line)
        }
    }

    /// Each conv case on both paths (spike-driven, dense) and on the portable kernels.
    func checkPaths(_ name: String, _ module: any Module, file: StaticString = #filePath, line: UInt = #line) throws {
        defer { Conv2D.path = .automatic; Conv2D.isa = 0 }
        for path in [Conv2D.Path.automatic, .spikeDriven, .dense] {
            for isa: Int32 in [0, 1] {
                Conv2D.path = path; Conv2D.isa = isa
                try check(name, module, file: file, line: line)
            }
        }
    }

    var rng = SeededRandom(seed: 1)

    func testConv2dBasic() throws { try checkPaths("conv2d_basic", Conv2d(3, 4, kernelSize: 3, rng: &rng)) }
    func testConv2dSpikesStridePadding() throws {
        try checkPaths("conv2d_spikes", Conv2d(2, 5, kernelSize: 3, stride: 2, padding: .uniform(1), rng: &rng))
    }
    func testConv2dGroupsDilationRectangular() throws {
        try checkPaths("conv2d_groups", Conv2d(4, 6, kernelSize: (3, 2), stride: (1, 2), padding: .explicit(2, 2), dilation: (2, 2), groups: 2, rng: &rng))
    }
    func testConv2dSameEvenKernel() throws {
        try checkPaths("conv2d_same", Conv2d(3, 4, kernelSize: 4, padding: .same, bias: false, rng: &rng))
    }
    func testConv1d() throws { try checkPaths("conv1d", Conv1d(3, 4, kernelSize: 3, stride: 2, padding: .uniform(1), rng: &rng)) }
    func testConvTranspose2d() throws {
        try checkPaths("convtranspose2d", ConvTranspose2d(3, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng))
    }
    func testConvTranspose2dGroups() throws {
        try checkPaths("convtranspose2d_groups", ConvTranspose2d(4, 6, kernelSize: (2, 3), stride: (2, 1), padding: (0, 1), groups: 2, bias: false, rng: &rng))
    }
    func testMaxPool2dSpikesTies() throws { try check("maxpool2d_spikes", MaxPool2d(2)) }
    func testMaxPool2dPadding() throws { try check("maxpool2d_pad", MaxPool2d(3, stride: 2, padding: 1)) }
    func testMaxPool1d() throws { try check("maxpool1d", MaxPool1d(3, stride: 2, padding: 1)) }
    func testAvgPool2d() throws { try check("avgpool2d", AvgPool2d(3, stride: 2, padding: 1)) }
    func testAvgPool2dWithoutPadCount() throws { try check("avgpool2d_nopad", AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false)) }
    func testAvgPool1d() throws { try check("avgpool1d", AvgPool1d(2)) }
    func testSumPool2d() throws { try check("sumpool2d", SumPool2d(2)) }
    func testAdaptiveAvgPool2d() throws { try check("adaptiveavgpool2d", AdaptiveAvgPool2d((3, 4))) }
    func testUpsampleScale() throws { try check("upsample_scale", Upsample(scaleFactor: 2)) }
    func testUpsampleSize() throws { try check("upsample_size", Upsample(size: (5, 7))) }

    /// Two training passes (running statistics, gradients of the second), then evaluation (output and gradients).
    func checkBatchNorm(_ name: String, _ bn: BatchNormCore, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try Self.fixture(name)
        XCTAssertEqual(bn.stateDict.map(\.0), (bn.weight == nil ? [] : ["weight", "bias"]) + ["running_mean", "running_var", "num_batches_tracked"],
                       file: file, line: line)
        for (key, v) in bn.stateDict { v.value = f[key]!.reshaped(v.shape) }
        bn.setTraining(true)
        _ = bn(Variable(f["x0"]!))
        let x = Variable(f["x"]!, requiresGrad: true)
        let y = bn(x)
        NNTest.assertClose(y.value.scalars, f["y"]!.scalars, tol: Self.tol(f["y"]!), "\(name) y", file: file, line: line)
        y.backward(seed: f["r"]!)
        NNTest.assertClose(x.grad!.scalars, f["grad_x"]!.scalars, tol: Self.tol(f["grad_x"]!), "\(name) grad_x", file: file, line: line)
        for (key, v) in bn.stateDict {
            NNTest.assertClose(v.value.scalars, f["after_" + key]!.scalars, tol: Self.tol(f["after_" + key]!), "\(name) \(key) after training",
                               file: file, line: line)
        }
        for (key, p) in bn.namedParameters {
            NNTest.assertClose(p.grad!.scalars, f["grad_" + key]!.scalars, tol: Self.tol(f["grad_" + key]!), "\(name) grad_\(key)", file: file, line: line)
        }
        bn.zeroGrad()
        let before = Dictionary(uniqueKeysWithValues: bn.stateDict.map { ($0.0, $0.1.value.scalars) })
        bn.setTraining(false)
        let xe = Variable(f["x_eval"]!, requiresGrad: true)
        let ye = bn(xe)
        NNTest.assertClose(ye.value.scalars, f["y_eval"]!.scalars, tol: Self.tol(f["y_eval"]!), "\(name) y_eval", file: file, line: line)
        ye.backward(seed: f["r_eval"]!)
        NNTest.assertClose(xe.grad!.scalars, f["eval_grad_x"]!.scalars, tol: Self.tol(f["eval_grad_x"]!), "\(name) eval grad_x", file: file, line: line)
        for (key, p) in bn.namedParameters {
            NNTest.assertClose(p.grad!.scalars, f["eval_grad_" + key]!.scalars, tol: Self.tol(f["eval_grad_" + key]!), "\(name) eval grad_\(key)",
                               file: file, line: line)
        }
        // Evaluation leaves the running statistics alone.
        for (key, v) in bn.stateDict { XCTAssertEqual(v.value.scalars, before[key], "\(name) \(key) changed in evaluation", file: file, line: line) }
    }

    func testBatchNorm2d() throws { try checkBatchNorm("batchnorm2d", BatchNorm2d(3)) }
    func testBatchNorm2dCumulativeAverage() throws { try checkBatchNorm("batchnorm2d_cma", BatchNorm2d(2, eps: 1e-3, momentum: nil)) }
    func testBatchNorm1d() throws { try checkBatchNorm("batchnorm1d", BatchNorm1d(5, momentum: 0.3)) }
    func testBatchNorm1dChannelsAndLength() throws { try checkBatchNorm("batchnorm1d_ncl", BatchNorm1d(3, affine: false, multiStep: false)) }

    func testThresholdDependentBatchNorm() throws {
        let f = try Self.fixture("tdbn")
        let td = ThresholdDependentBatchNorm2d(4, alpha: 1.5, vThreshold: 0.5)
        XCTAssertEqual(td.bn.weight!.value.scalars, [Float](repeating: 0.75, count: 4), "weight starts at alpha * V_th")
        XCTAssertEqual(td.stateDict.map(\.0), ["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"])
        let x = Variable(f["x"]!, requiresGrad: true)
        let y = td(x)
        NNTest.assertClose(y.value.scalars, f["y"]!.scalars, tol: Self.tol(f["y"]!), "tdbn y")
        y.backward(seed: f["r"]!)
        NNTest.assertClose(x.grad!.scalars, f["grad_x"]!.scalars, tol: Self.tol(f["grad_x"]!), "tdbn grad_x")
        NNTest.assertClose(td.bn.weight!.grad!.scalars, f["grad_weight"]!.scalars, tol: Self.tol(f["grad_weight"]!), "tdbn grad_weight")
        NNTest.assertClose(td.bn.bias!.grad!.scalars, f["grad_bias"]!.scalars, tol: Self.tol(f["grad_bias"]!), "tdbn grad_bias")
        NNTest.assertClose(td.bn.runningMean!.value.scalars, f["running_mean"]!.scalars, tol: 1e-5, "tdbn running_mean")
        NNTest.assertClose(td.bn.runningVar!.value.scalars, f["running_var"]!.scalars, tol: 1e-5, "tdbn running_var")
    }

    func testBatchNormThroughTime() throws {
        let f = try Self.fixture("bntt")
        let bntt = BatchNormThroughTime2d(3, steps: 3)
        XCTAssertEqual(bntt.stateDict.map(\.0).prefix(5), ["0.weight", "0.running_mean", "0.running_var", "0.num_batches_tracked", "1.weight"])
        for t in 0..<3 { bntt.layers[t].weight!.value = Tensor(Array(f["weight"]!.scalars[(t * 3)..<(t * 3 + 3)])) }
        let x = Variable(f["x"]!, requiresGrad: true)
        let y = bntt(x)
        NNTest.assertClose(y.value.scalars, f["y"]!.scalars, tol: Self.tol(f["y"]!), "bntt y")
        y.backward(seed: f["r"]!)
        NNTest.assertClose(x.grad!.scalars, f["grad_x"]!.scalars, tol: Self.tol(f["grad_x"]!), "bntt grad_x")
        NNTest.assertClose(bntt.layers.flatMap { $0.weight!.grad!.scalars }, f["grad_weight"]!.scalars, tol: Self.tol(f["grad_weight"]!), "bntt grad_weight")
        NNTest.assertClose(bntt.layers.flatMap { $0.runningMean!.value.scalars }, f["running_mean"]!.scalars, tol: 1e-5, "bntt running_mean")
        NNTest.assertClose(bntt.layers.flatMap { $0.runningVar!.value.scalars }, f["running_var"]!.scalars, tol: 1e-5, "bntt running_var")
    }
}
