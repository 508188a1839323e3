import XCTest
import SpikeCore
import SpikeNN
import SpikeCoding

/// Helpers shared by the encoder tests.
enum EncoderTestKit {
    /// Asserts that `body` throws a `CodingError` whose message contains every string of `fragments`.
    static func assertCodingError<R>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                                     _ body: () throws -> R) {
        do {
            _ = try body()
            XCTFail("expected a CodingError mentioning \(fragments)", file: file, line: line)
        } catch let e as CodingError {
            for f in fragments {
                XCTAssertTrue(e.message.contains(f), "message \"\(e.message)\" does not mention \"\(f)\"", file: file, line: line)
            }
        } catch {
            XCTFail("expected a CodingError, got \(error)", file: file, line: line)
        }
    }

    /// Asserts elementwise closeness.
    static func assertClose(_ a: [Float], _ b: [Float], tol: Float, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= tol) {
            XCTFail("element \(i): \(x) vs \(y) (tol \(tol))", file: file, line: line); return
        }
    }

    /// The step of the (single) spike of element `i` in a `[T, n]`-flattened spike train, or nil.
    static func spikeSteps(_ s: Tensor) -> [Int?] {
        let T = s.shape[0], n = s.count / T
        return (0..<n).map { i in (0..<T).first { s.scalars[$0 * n + i] != 0 } }
    }

    /// Spike counts over time per element.
    static func counts(_ s: Tensor) -> [Float] {
        let T = s.shape[0], n = s.count / T
        return (0..<n).map { i in (0..<T).reduce(Float(0)) { $0 + s.scalars[$1 * n + i] } }
    }
}

final class EncoderRateTests: XCTestCase {
    /// Poisson counts per element over T steps are Binomial(T, p): the mean and the variance across elements of
    /// equal intensity lie within 5 standard errors of T p and T p (1 - p).
    func testPoissonRateAndVariancePerElement() throws {
        let ps: [Float] = [0.05, 0.2, 0.5, 0.8]
        let per = 400, T = 100
        let x = Tensor(shape: [ps.count, per], scalars: ps.flatMap { [Float](repeating: $0, count: per) })
        var rng = SeededRandom(seed: 42)
        let s = try Encode.poisson(x, steps: T, rng: &rng)
        XCTAssertEqual(s.shape, [T, ps.count, per])
        XCTAssertTrue(s.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        let c = EncoderTestKit.counts(s)
        for (g, p) in ps.enumerated() {
            let group = c[(g * per)..<((g + 1) * per)].map(Double.init)
            let mean = group.reduce(0, +) / Double(per)
            let variance = group.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(per - 1)
            let mu = Double(T) * Double(p), sigma2 = mu * (1 - Double(p))
            XCTAssertEqual(mean, mu, accuracy: 5 * (sigma2 / Double(per)).squareRoot(), "mean count at p \(p)")
            XCTAssertEqual(variance, sigma2, accuracy: 5 * sigma2 * (2 / Double(per - 1)).squareRoot(), "variance at p \(p)")
        }
    }

    func testPoissonEdgesAndMaxRate() throws {
        var rng = SeededRandom(seed: 1)
        let s = try Encode.poisson(Tensor([0, 1]), steps: 50, rng: &rng)
        XCTAssertEqual(EncoderTestKit.counts(s), [0, 50])
        // 0.5 * 200 Hz * 1 ms = 0.1 per step.
        let x = Tensor(repeating: 0.5, shape: [4000])
        let r = try Encode.poisson(x, steps: 25, maxRate: 200, dt: 1e-3, rng: &rng)
        let rate = Double(r.scalars.reduce(0, +)) / Double(r.count)
        let se = (0.1 * 0.9 / Double(r.count)).squareRoot()
        XCTAssertEqual(rate, 0.1, accuracy: 5 * se)
    }

    func testPoissonDeterminismSeedsStreamsAndThreads() throws {
        var source = SeededRandom(seed: 9)
        let x = Tensor.uniform([3, 7000], rng: &source)
        var a = SeededRandom(seed: 5), b = SeededRandom(seed: 5), c = SeededRandom(seed: 6)
        let sa = try Encode.poisson(x, steps: 4, rng: &a)
        XCTAssertEqual(sa, try Encode.poisson(x, steps: 4, rng: &b), "same seed, same spikes")
        XCTAssertNotEqual(sa, try Encode.poisson(x, steps: 4, rng: &c), "different seeds, different spikes")
        XCTAssertNotEqual(sa, try Encode.poisson(x, steps: 4, rng: &a), "the generator advances")
        // Same bits whatever the thread count (84,000 outputs: several random chunks).
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        var d = SeededRandom(seed: 5)
        let single = try Encode.poisson(x, steps: 4, rng: &d)
        Parallel.threadCount = 4
        var e = SeededRandom(seed: 5)
        XCTAssertEqual(single, try Encode.poisson(x, steps: 4, rng: &e))
        XCTAssertEqual(single, sa)
        // Modules: a seed fixes the sequence of outputs; consecutive calls differ.
        let m1 = PoissonEncoder(steps: 4, seed: 3), m2 = PoissonEncoder(steps: 4, seed: 3)
        let v = Variable(x)
        let first = m1(v).value
        XCTAssertEqual(first, m2(v).value)
        XCTAssertNotEqual(first, m1(v).value)
        XCTAssertNotEqual(first, PoissonEncoder(steps: 4, seed: 4)(v).value)
    }

    func testBernoulli() throws {
        var rng = SeededRandom(seed: 11)
        // Time-varying probabilities [T, B]: one draw per element, shape kept.
        let p = Tensor(shape: [2, 3000], scalars: [Float](repeating: 0.25, count: 3000) + [Float](repeating: 0.75, count: 3000))
        let s = try Encode.bernoulli(p, rng: &rng)
        XCTAssertEqual(s.shape, [2, 3000])
        let r0 = Double(s.scalars[0..<3000].reduce(0, +)) / 3000, r1 = Double(s.scalars[3000...].reduce(0, +)) / 3000
        let se = (0.25 * 0.75 / 3000).squareRoot()
        XCTAssertEqual(r0, 0.25, accuracy: 5 * se)
        XCTAssertEqual(r1, 0.75, accuracy: 5 * se)
        // With steps: [T, ...].
        let m = BernoulliEncoder(steps: 6, seed: 2)
        XCTAssertEqual(m(Variable(Tensor(repeating: 0.5, shape: [2, 3]))).shape, [6, 2, 3])
        XCTAssertEqual(BernoulliEncoder(steps: nil)(Variable(p)).shape, [2, 3000])
    }

    func testConstantCurrentValuesAndGradient() throws {
        let x = Tensor([[0.5, -1], [2, 0]])
        let y = try Encode.constantCurrent(x, steps: 3, amp: 2)
        XCTAssertEqual(y.shape, [3, 2, 2])
        XCTAssertEqual(y.scalars, [Float](repeating: 0, count: 3).flatMap { _ in [1, -2, 4, 0] as [Float] })
        let m = ConstantCurrentEncoder(steps: 4, amp: 1.5)
        let r = GradCheck.check([x]) { vs in m(vs[0]) }
        XCTAssertTrue(r.passed, "\(r)")
        // The VJP sums over time: d(sum y)/dx = T * amp.
        let v = Variable(x, requiresGrad: true)
        m(v).sum().backward()
        XCTAssertEqual(v.grad?.scalars, [Float](repeating: 6, count: 4))
        let r2 = GradCheck.check([x]) { vs in try! Encode.constantCurrent(vs[0], steps: 2, amp: -0.5) }
        XCTAssertTrue(r2.passed, "\(r2)")
    }

    func testUniformPeriods() throws {
        let s = try Encode.uniform(Tensor([1, 0.5, 0.25, 0, 0.4, 0.1]), steps: 12)
        XCTAssertEqual(s.shape, [12, 6])
        func steps(_ i: Int) -> [Int] { (0..<12).filter { s.scalars[$0 * 6 + i] == 1 } }
        XCTAssertEqual(steps(0), Array(0..<12))
        XCTAssertEqual(steps(1), [1, 3, 5, 7, 9, 11])
        XCTAssertEqual(steps(2), [3, 7, 11])
        XCTAssertEqual(steps(3), [])
        XCTAssertEqual(steps(4), [2, 5, 8, 11], "period round(2.5) = 3")
        XCTAssertEqual(steps(5), [9])
        XCTAssertEqual(UniformEncoder(steps: 5)(Variable(Tensor([[0.5, 1]]))).shape, [5, 1, 2])
    }

    func testWeightedPhaseMatchesThePaperTable() throws {
        let x = Tensor([192.0 / 256, 1.0 / 256, 128.0 / 256, 255.0 / 256])
        let s = try Encode.weightedPhase(x, steps: 8)
        func row(_ i: Int) -> [Float] { (0..<8).map { s.scalars[$0 * 4 + i] } }
        XCTAssertEqual(row(0), [1, 1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(row(1), [0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(row(2), [1, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(row(3), [1, 1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(Encode.phaseWeights(4), [0.5, 0.25, 0.125, 0.0625])
    }

    func testWeightedPhaseReconstructsAndRepeats() throws {
        let K = 6
        var rng = SeededRandom(seed: 3)
        let values = (0..<50).map { _ in Float(rng.nextInt(below: 64)) / 64 }
        let x = Tensor(shape: [5, 10], scalars: values)
        let m = WeightedPhaseEncoder(steps: 15, phases: K)
        let s = m(Variable(x)).value
        XCTAssertEqual(s.shape, [15, 5, 10])
        let w = m.weights
        for i in 0..<50 {
            let decoded = (0..<K).reduce(Float(0)) { $0 + w[$1] * s.scalars[$1 * 50 + i] }
            XCTAssertEqual(decoded, values[i], "sum_k 2^-(k+1) s_k reconstructs x")
            for t in K..<15 { XCTAssertEqual(s.scalars[t * 50 + i], s.scalars[(t % K) * 50 + i], "period K") }
        }
    }
}
