import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

/// End to end: a tiny spiking classifier learns the two-class toy problem, reproducibly.
final class TrainingTests: XCTestCase {
    func testTinyNetworkLearnsToyProblem() {
        let net = NNTest.toyNetwork(hidden: 16, seed: 1)
        let losses = NNTest.train(net, steps: 40, dataSeed: 2)
        XCTAssertTrue(losses.allSatisfy(\.isFinite), "\(losses)")
        let first = losses.prefix(3).reduce(0, +) / 3, last = losses.suffix(3).reduce(0, +) / 3
        XCTAssertLessThan(last, 0.75 * first, "loss did not fall clearly: \(losses)")
        // Held-out batch.
        var rng = SeededRandom(seed: 3)
        let (x, labels) = NNTest.toyBatch(&rng, batch: 64)
        let scores = Tape.withoutGradients { net(Variable(x)).value.max(axis: 0) }
        XCTAssertEqual(scores.shape, [64, 2])
        let acc = Loss.accuracy(scores, labels: labels)
        XCTAssertGreaterThanOrEqual(acc, 0.9, "accuracy \(acc), losses \(losses)")
    }

    func testTrainingIsReproducible() {
        let a = NNTest.toyNetwork(hidden: 16, seed: 4), b = NNTest.toyNetwork(hidden: 16, seed: 4)
        let la = NNTest.train(a, steps: 5, dataSeed: 5), lb = NNTest.train(b, steps: 5, dataSeed: 5)
        XCTAssertEqual(la, lb)
        XCTAssertEqual(a.parameters.map(\.value), b.parameters.map(\.value))
    }

    /// Wide enough that the GEMMs (> 2^16 multiply-adds) and the neuron kernel (> 256 elements) split into
    /// parallel chunks: one thread and two threads must give bitwise equal weights.
    func testTrainingIsIndependentOfThreadCount() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        func run(threads: Int) -> ([Float], [Tensor]) {
            Parallel.threadCount = threads
            let net = NNTest.toyNetwork(hidden: 300, seed: 6)
            let losses = NNTest.train(net, steps: 4, batch: 32, dataSeed: 7)
            return (losses, net.parameters.map(\.value))
        }
        let (l1, w1) = run(threads: 1)
        let (l2, w2) = run(threads: 2)
        XCTAssertEqual(l1, l2)
        XCTAssertEqual(w1.count, 4)
        for (k, (a, b)) in zip(w1, w2).enumerated() {
            XCTAssertEqual(a.scalars, b.scalars, "parameter \(k) differs between 1 and 2 threads")
        }
        // And the weights did move.
        XCTAssertNotEqual(w1[0], NNTest.toyNetwork(hidden: 300, seed: 6).parameters[0].value)
    }
}
