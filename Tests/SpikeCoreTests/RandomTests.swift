import XCTest
@testable import SpikeCore

final class RandomTests: XCTestCase {
    func testSameSeedSameSequence() {
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9), c = SeededRandom(seed: 10)
        let xa = (0..<100).map { _ in a.next() }, xb = (0..<100).map { _ in b.next() }, xc = (0..<100).map { _ in c.next() }
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, xc)
    }

    func testUniformNormalBernoulliStatistics() {
        var rng = SeededRandom(seed: 1)
        let n = 20000
        let u = Tensor.uniform([n], rng: &rng)
        XCTAssertEqual(u.mean(), 0.5, accuracy: 4 * (1 / 12.0 / Float(n)).squareRoot())
        XCTAssertTrue(u.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
        let g = Tensor.normal([n], mean: 2, std: 3, rng: &rng)
        let mean = g.mean()
        let variance = g.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(n - 1)
        XCTAssertEqual(mean, 2, accuracy: 4 * 3 / Float(n).squareRoot())
        XCTAssertEqual(variance, 9, accuracy: 0.4)
        let p: Float = 0.2
        let b = Tensor.bernoulli([n], p: p, rng: &rng)
        XCTAssertTrue(b.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertEqual(b.mean(), p, accuracy: 4 * (p * (1 - p) / Float(n)).squareRoot())
    }

    func testSplitStreamsAreDistinctAndDeterministic() {
        let base = SeededRandom(seed: 5)
        var s1 = base.split(stream: 1), s1b = base.split(stream: 1), s2 = base.split(stream: 2)
        let a = s1.next(), b = s1b.next(), c = s2.next()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testShuffleIsAPermutation() {
        var rng = SeededRandom(seed: 2)
        var xs = Array(0..<50)
        rng.shuffle(&xs)
        XCTAssertEqual(xs.sorted(), Array(0..<50))
        XCTAssertNotEqual(xs, Array(0..<50))
    }
}
