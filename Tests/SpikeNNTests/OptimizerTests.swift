import XCTest
import Foundation
import SpikeCore
import SpikeNN

/// Optimizers against PyTorch's update formulas written out in double precision.
final class OptimizerTests: XCTestCase {
    let p0: [Double] = [1.0, -2.0, 0.5]
    let grads: [[Double]] = [[0.1, -0.2, 0.3], [0.5, 0.1, -0.4], [-0.3, 0.2, 0.1]]

    func param() -> Variable { Variable(Tensor(p0.map { Float($0) }), requiresGrad: true) }

    func setGrad(_ p: Variable, _ g: [Double]) { p.grad = Tensor(g.map { Float($0) }) }

    func assertParam(_ p: Variable, _ expected: [Double], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        for (a, e) in zip(p.value.scalars, expected) {
            XCTAssertEqual(Double(a), e, accuracy: 2e-6 * max(1, abs(e)), "\(message): \(p.value.scalars) vs \(expected)",
                           file: file, line: line)
        }
    }

    /// Runs `opt` for the three gradients and checks the parameter after every step against `reference`.
    func run(_ make: (Variable) -> any Optimizer, _ message: String, reference: ([Double], [Double], Int) -> [Double],
             file: StaticString = #filePath, line: UInt = #line) {
        let p = param()
        let opt = make(p)
        var ref = p0
        for (t, g) in grads.enumerated() {
            setGrad(p, g)
            opt.step()
            ref = reference(ref, g, t + 1)
            assertParam(p, ref, "\(message) step \(t + 1)", file: file, line: line)
        }
    }

    // MARK: SGD

    func testSGDPlain() {
        run({ SGD([$0], learningRate: 0.1) }, "sgd") { p, g, _ in zip(p, g).map { $0 - 0.1 * $1 } }
        // Exact first step.
        let p = param()
        setGrad(p, grads[0])
        SGD([p], learningRate: 0.5).step()
        assertParam(p, [0.95, -1.9, 0.35], "sgd by hand")
    }

    func sgdReference(lr: Double, momentum: Double, dampening: Double, wd: Double, nesterov: Bool)
        -> ([Double], [Double], Int) -> [Double] {
        var buf: [Double]? = nil
        return { p, grad, _ in
            var g = zip(grad, p).map { $0 + wd * $1 }
            if momentum != 0 {
                if let b = buf { buf = zip(b, g).map { momentum * $0 + (1 - dampening) * $1 } } else { buf = g }
                g = nesterov ? zip(g, buf!).map { $0 + momentum * $1 } : buf!
            }
            return zip(p, g).map { $0 - lr * $1 }
        }
    }

    func testSGDMomentumFirstStepBufferIsTheGradient() {
        run({ SGD([$0], learningRate: 0.1, momentum: 0.9) }, "momentum",
            reference: sgdReference(lr: 0.1, momentum: 0.9, dampening: 0, wd: 0, nesterov: false))
        // With dampening the first buffer is still g itself (not (1 - dampening) g), as PyTorch.
        run({ SGD([$0], learningRate: 0.1, momentum: 0.9, dampening: 0.5) }, "momentum+dampening",
            reference: sgdReference(lr: 0.1, momentum: 0.9, dampening: 0.5, wd: 0, nesterov: false))
        // By hand, two steps, momentum 0.5, lr 1, scalar: g = 1, 1 -> buf 1, 1.5 -> p = 0 - 1 - 1.5.
        let p = Variable(Tensor([0]), requiresGrad: true)
        let opt = SGD([p], learningRate: 1, momentum: 0.5)
        p.grad = Tensor([1]); opt.step()
        XCTAssertEqual(p.value.scalars, [-1])
        opt.step()
        XCTAssertEqual(p.value.scalars, [-2.5])
    }

    func testSGDNesterov() {
        run({ SGD([$0], learningRate: 0.1, momentum: 0.9, nesterov: true) }, "nesterov",
            reference: sgdReference(lr: 0.1, momentum: 0.9, dampening: 0, wd: 0, nesterov: true))
        // First step: g + m g.
        let p = Variable(Tensor([0]), requiresGrad: true)
        p.grad = Tensor([1])
        SGD([p], learningRate: 1, momentum: 0.5, nesterov: true).step()
        XCTAssertEqual(p.value.scalars, [-1.5])
    }

    func testSGDWeightDecay() {
        run({ SGD([$0], learningRate: 0.1, weightDecay: 0.05) }, "sgd wd",
            reference: sgdReference(lr: 0.1, momentum: 0, dampening: 0, wd: 0.05, nesterov: false))
        run({ SGD([$0], learningRate: 0.1, momentum: 0.8, weightDecay: 0.05) }, "sgd momentum wd",
            reference: sgdReference(lr: 0.1, momentum: 0.8, dampening: 0, wd: 0.05, nesterov: false))
        run({ SGD([$0], learningRate: 0.05, momentum: 0.9, weightDecay: 0.1, nesterov: true) }, "sgd nesterov wd",
            reference: sgdReference(lr: 0.05, momentum: 0.9, dampening: 0, wd: 0.1, nesterov: true))
    }

    func testLearningRateChangesTakeEffect() {
        let p = Variable(Tensor([1]), requiresGrad: true)
        let opt = SGD([p], learningRate: 0.1)
        p.grad = Tensor([1]); opt.step()
        opt.learningRate = 0.5; opt.step()
        XCTAssertEqual(p.value.scalars[0], 0.4, accuracy: 1e-6)
    }

    // MARK: Adam / AdamW

    func adamReference(lr: Double, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8, wd: Double, decoupled: Bool)
        -> ([Double], [Double], Int) -> [Double] {
        var m = [Double](repeating: 0, count: 3), v = m
        return { p, grad, t in
            var p = p, g = grad
            if decoupled { p = p.map { $0 * (1 - lr * wd) } } else { g = zip(g, p).map { $0 + wd * $1 } }
            m = zip(m, g).map { b1 * $0 + (1 - b1) * $1 }
            v = zip(v, g).map { b2 * $0 + (1 - b2) * $1 * $1 }
            let bc1 = 1 - pow(b1, Double(t)), bc2 = 1 - pow(b2, Double(t))
            return (0..<3).map { i in p[i] - lr * (m[i] / bc1) / ((v[i] / bc2).squareRoot() + eps) }
        }
    }

    func testAdamWithBiasCorrection() {
        run({ Adam([$0], learningRate: 0.01) }, "adam", reference: adamReference(lr: 0.01, wd: 0, decoupled: false))
        run({ Adam([$0], learningRate: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-3) }, "adam betas",
            reference: adamReference(lr: 0.1, b1: 0.8, b2: 0.99, eps: 1e-3, wd: 0, decoupled: false))
        // Bias correction makes the first step lr * sign(g) (up to eps).
        let p = param()
        setGrad(p, grads[0])
        let opt = Adam([p], learningRate: 0.01)
        XCTAssertEqual(opt.stepCount, 0)
        opt.step()
        XCTAssertEqual(opt.stepCount, 1)
        assertParam(p, [0.99, -1.99, 0.49], "adam first step")
    }

    func testAdamL2WeightDecay() {
        run({ Adam([$0], learningRate: 0.01, weightDecay: 0.1) }, "adam wd",
            reference: adamReference(lr: 0.01, wd: 0.1, decoupled: false))
    }

    func testAdamWDecoupledDecay() {
        let probe = AdamW([param()])
        XCTAssertEqual(probe.weightDecay, 0.01)
        XCTAssertTrue(probe.decoupled)
        XCTAssertEqual(probe.learningRate, 1e-3)
        run({ AdamW([$0], learningRate: 0.01) }, "adamw default", reference: adamReference(lr: 0.01, wd: 0.01, decoupled: true))
        run({ AdamW([$0], learningRate: 0.05, weightDecay: 0.2) }, "adamw", reference: adamReference(lr: 0.05, wd: 0.2, decoupled: true))
        run({ Adam([$0], learningRate: 0.05, weightDecay: 0.2, decoupled: true) }, "adam decoupled",
            reference: adamReference(lr: 0.05, wd: 0.2, decoupled: true))
        // Decoupled decay with a zero gradient still shrinks the weights by (1 - lr wd).
        let p = param()
        p.grad = .zeros([3])
        AdamW([p], learningRate: 0.1, weightDecay: 0.5).step()
        assertParam(p, p0.map { $0 * 0.95 }, "adamw zero grad")
    }

    // MARK: Parameters without gradients

    func testParametersWithoutGradientAreUntouched() {
        let makers: [(String, ([Variable]) -> any Optimizer)] = [
            ("sgd", { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1) }),
            ("adam", { Adam($0, learningRate: 0.1, weightDecay: 0.1) }),
            ("adamw", { AdamW($0, learningRate: 0.1, weightDecay: 0.1) }),
        ]
        for (name, make) in makers {
            let a = param(), b = Variable(Tensor([3, 4]), requiresGrad: true)
            let opt = make([a, b])
            for g in grads {
                setGrad(a, g)
                b.grad = nil
                opt.step()
            }
            XCTAssertEqual(b.value.scalars, [3, 4], name)
            XCTAssertNotEqual(a.value.scalars, p0.map { Float($0) }, name)
            XCTAssertEqual(opt.parameters.count, 2)
            opt.zeroGrad()
            XCTAssertNil(a.grad, name)
        }
    }

    /// PyTorch keeps Adam's step count per parameter (`state['step']` advances only when the parameter has a
    /// gradient), so a parameter that first gets a gradient at the second step is updated with the bias
    /// correction of step 1: by lr * sign(g).
    func testAdamBiasCorrectionCountsStepsPerParameter() {
        let a = param(), b = param()
        let opt = Adam([a, b], learningRate: 0.01)
        setGrad(a, grads[0]); b.grad = nil
        opt.step()
        setGrad(a, grads[1]); setGrad(b, grads[1])
        opt.step()
        let ref = adamReference(lr: 0.01, wd: 0, decoupled: false)
        assertParam(b, ref(p0, grads[1], 1), "b's first update must use step 1's bias correction")
    }

    // MARK: clipGradientNorm

    func testClipGradientNorm() {
        let a = Variable(Tensor([0, 0]), requiresGrad: true), b = Variable(Tensor([0]), requiresGrad: true)
        let c = Variable(Tensor([0]), requiresGrad: true)
        a.grad = Tensor([3, 4]); b.grad = Tensor([12])  // norm 13; c has none
        let norm = clipGradientNorm([a, b, c], maxNorm: 1)
        XCTAssertEqual(norm, 13, accuracy: 1e-5)
        let f = Float(1 / (13 + 1e-6))
        NNTest.assertClose(a.grad!.scalars, [3 * f, 4 * f], tol: 1e-7)
        NNTest.assertClose(b.grad!.scalars, [12 * f], tol: 1e-7)
        XCTAssertNil(c.grad)
        let after = (a.grad!.scalars + b.grad!.scalars).map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
        XCTAssertEqual(after, 1, accuracy: 1e-5)
        XCTAssertLessThan(after, 1)
        // Scaled to maxNorm 6.5: halves the gradients.
        a.grad = Tensor([3, 4]); b.grad = Tensor([12])
        XCTAssertEqual(clipGradientNorm([a, b, c], maxNorm: 6.5), 13, accuracy: 1e-5)
        NNTest.assertClose(a.grad!.scalars + b.grad!.scalars, [1.5, 2, 6], tol: 1e-5)
    }

    func testClipGradientNormBelowMaxLeavesGradientsAlone() {
        let a = Variable(Tensor([0, 0]), requiresGrad: true)
        a.grad = Tensor([0.3, -0.4])
        XCTAssertEqual(clipGradientNorm([a], maxNorm: 1), 0.5, accuracy: 1e-6)
        XCTAssertEqual(a.grad!.scalars, [0.3, -0.4])
        XCTAssertEqual(clipGradientNorm([a], maxNorm: 100), 0.5, accuracy: 1e-6)
        XCTAssertEqual(a.grad!.scalars, [0.3, -0.4])
        // No gradients at all: norm 0, nothing created.
        let b = Variable(Tensor([1]), requiresGrad: true)
        XCTAssertEqual(clipGradientNorm([b], maxNorm: 1), 0)
        XCTAssertNil(b.grad)
    }

    /// A parameter larger than one chunk of the parallel update: the same bits for 1, 2 and 3 threads, and
    /// each element as the update formula computed one element at a time.
    func testAdamOnALargeParameterIsElementwiseWhateverTheThreadCount() {
        var rng = SeededRandom(seed: 5)
        let count = 100_003
        let w0 = Tensor.uniform([count], low: -1, high: 1, rng: &rng), g = Tensor.uniform([count], low: -1, high: 1, rng: &rng)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var results: [[UInt32]] = []
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            let p = Variable(w0, requiresGrad: true)
            let opt = AdamW([p], learningRate: 0.01, weightDecay: 0.1)
            for _ in 0..<2 { p.grad = g; opt.step() }
            results.append(p.value.scalars.map(\.bitPattern))
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
        for i in [0, 32767, 32768, 65536, count - 1] {
            var w = w0.scalars[i], m: Float = 0, v: Float = 0
            for step in 1...2 {
                let gi = g.scalars[i]
                w *= 1 - 0.01 * 0.1
                m = 0.9 * m + (1 - 0.9) * gi
                v = 0.999 * v + (1 - 0.999) * gi * gi
                let (d1, d2) = (Double(Float(0.9)), Double(Float(0.999)))   // the Float betas, powered in Double
                let bc1 = 1 - Float(step == 1 ? d1 : d1 * d1), bc2 = 1 - Float(step == 1 ? d2 : d2 * d2)
                w -= 0.01 / bc1 * m / (v.squareRoot() / bc2.squareRoot() + 1e-8)
            }
            XCTAssertEqual(results[0][i], w.bitPattern, "element \(i)")
        }
    }
}
