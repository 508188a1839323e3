import Testing
@testable import SpikeCore

/// The seeded generator (written with Swift Testing; the rest of the suite uses XCTest).
@Suite struct RandomTests {
    @Test func sameSeedSameSequence() {
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9), c = SeededRandom(seed: 10)
        let xa = (0..<100).map { _ in a.next() }, xb = (0..<100).map { _ in b.next() }, xc = (0..<100).map { _ in c.next() }
        #expect(xa == xb)
        #expect(xa != xc)
    }

    @Test func uniformNormalBernoulliStatistics() {
        var rng = SeededRandom(seed: 1)
        let n = 20000
        let u = Tensor.uniform([n], rng: &rng)
        #expect(abs(u.mean() - 0.5) < 4 * (1 / 12.0 / Float(n)).squareRoot())
        #expect(u.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
        let g = Tensor.normal([n], mean: 2, std: 3, rng: &rng)
        let mean = g.mean()
        let variance = g.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(n - 1)
        #expect(abs(mean - 2) < 4 * 3 / Float(n).squareRoot())
        #expect(abs(variance - 9) < 0.4)
        let p: Float = 0.2
        let b = Tensor.bernoulli([n], p: p, rng: &rng)
        #expect(b.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(abs(b.mean() - p) < 4 * (p * (1 - p) / Float(n)).squareRoot())
    }

    @Test func splitStreamsAreDistinctAndDeterministic() {
        let base = SeededRandom(seed: 5)
        var s1 = base.split(stream: 1), s1b = base.split(stream: 1), s2 = base.split(stream: 2)
        let a = s1.next(), b = s1b.next(), c = s2.next()
        #expect(a == b)
        #expect(a != c)
    }

    @Test func shuffleIsAPermutation() {
        var rng = SeededRandom(seed: 2)
        var xs = Array(0..<50)
        rng.shuffle(&xs)
        #expect(xs.sorted() == Array(0..<50))
        #expect(xs != Array(0..<50))
    }
}
