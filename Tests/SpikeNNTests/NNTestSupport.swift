import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

/// Shared helpers for the SpikeNN tests.
enum NNTest {
    /// Asserts `|a[i] - b[i]| <= tol` elementwise (and equal counts).
    static func assertClose(_ a: [Float], _ b: [Float], tol: Float, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "count differs \(message)", file: file, line: line)
        var worst: Float = 0, at = -1
        for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= worst) {
            worst = abs(x - y); at = i
        }
        XCTAssertTrue(worst <= tol, "max |diff| \(worst) at \(at) > \(tol) \(message): \(a.prefix(8)) vs \(b.prefix(8))",
                      file: file, line: line)
    }

    /// Asserts that `f` passes `GradCheck.check` on `inputs`.
    static func assertGradCheck(_ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 5e-3, rtol: Float = 1e-2,
                                _ message: String = "", file: StaticString = #filePath, line: UInt = #line,
                                _ f: ([Variable]) -> Variable) {
        let r = GradCheck.check(inputs, eps: eps, atol: atol, rtol: rtol, f)
        XCTAssertTrue(r.passed, "\(r) \(message)", file: file, line: line)
    }

    /// Applies `module` to `vs[0]` with the module's parameters set to the values of `vs[1...]` (in
    /// `module.parameters` order), as one tape node whose VJP back-propagates through the module and hands
    /// back the gradients of the input and of every parameter. Lets `GradCheck.check` verify the gradients
    /// that a module accumulates into its own parameters.
    static func routed(_ module: any Module, _ vs: [Variable]) -> Variable {
        let params = module.parameters
        precondition(params.count == vs.count - 1, "routed: \(params.count) parameters, \(vs.count - 1) given")
        for (p, v) in zip(params, vs.dropFirst()) {
            precondition(p.value.shape == v.value.shape, "routed: parameter shape \(p.value.shape) vs \(v.value.shape)")
            p.value = v.value
        }
        let input = Variable(vs[0].value, requiresGrad: true)
        let y = module(input)
        return Variable.record(y.value, parents: vs) { g in
            input.grad = nil
            module.zeroGrad()
            y.backward(seed: g)
            return [input.grad ?? .zeros(input.shape)] + params.map { $0.grad ?? .zeros($0.shape) }
        }
    }

    /// Uniform random tensor from a fixed seed.
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var rng = SeededRandom(seed: seed)
        return .uniform(shape, low: low, high: high, rng: &rng)
    }

    /// Row-major `x [N, in] * W^T [in, out] + b` in double precision, rounded to float.
    static func affine(_ x: [Float], rows: Int, _ w: Tensor, _ b: Tensor?) -> [Float] {
        let (out, inF) = (w.shape[0], w.shape[1])
        var y = [Float]()
        for r in 0..<rows {
            for o in 0..<out {
                var s = Double(b?.scalars[o] ?? 0)
                for i in 0..<inF { s += Double(x[r * inF + i]) * Double(w.scalars[o * inF + i]) }
                y.append(Float(s))
            }
        }
        return y
    }

    // MARK: - The two-class toy problem

    /// Class 0: input units 0..<5 fire with probability 0.5 at every step; class 1: units 5..<10. Labels
    /// alternate 0, 1, 0, ... `[T, B, 10]` spikes.
    static func toyBatch(_ rng: inout SeededRandom, batch: Int, steps: Int = 10) -> (Tensor, [Int]) {
        let labels = (0..<batch).map { $0 % 2 }
        var x = Tensor.zeros([steps, batch, 10])
        for t in 0..<steps {
            for b in 0..<batch {
                let lo = labels[b] == 0 ? 0 : 5
                for i in lo..<(lo + 5) where rng.nextUniform() < 0.5 { x[t, b, i] = 1 }
            }
        }
        return (x, labels)
    }

    /// `Linear(10, hidden) -> LIF(tau 2) -> Linear(hidden, 2) -> LI(tau 2)`.
    static func toyNetwork(hidden: Int, seed: UInt64) -> Sequential {
        var rng = SeededRandom(seed: seed)
        return Sequential {
            Linear(10, hidden, rng: &rng)
            SpikingLayer(LIF(tau: 2))
            Linear(hidden, 2, rng: &rng)
            SpikingLayer(LI(tau: 2))
        }
    }

    /// Trains `net` with Adam (lr 1e-2) and the max-membrane cross-entropy on fresh toy batches; returns the
    /// loss of every step.
    @discardableResult
    static func train(_ net: Sequential, steps: Int, batch: Int = 16, dataSeed: UInt64) -> [Float] {
        let opt = Adam(net.parameters, learningRate: 1e-2)
        var rng = SeededRandom(seed: dataSeed)
        var losses: [Float] = []
        for _ in 0..<steps {
            let (x, labels) = toyBatch(&rng, batch: batch)
            opt.zeroGrad()
            let loss = Loss.maxMembraneCrossEntropy(net(Variable(x)), labels: labels)
            loss.backward()
            opt.step()
            losses.append(loss.value.scalar)
        }
        return losses
    }
}
