import Foundation
import XCTest
import SpikeCore
@testable import SpikeData

final class RandmanDatasetTests: XCTestCase {
    static let small = RandmanConfig(classes: 3, units: 12, steps: 20, manifoldDim: 1, alpha: 2,
                                     samplesPerClass: 40, seed: 7)

    func testDefaults() {
        let c = RandmanConfig()
        XCTAssertEqual(c.classes, 10)
        XCTAssertEqual(c.units, 100)
        XCTAssertEqual(c.steps, 50)
        XCTAssertEqual(c.manifoldDim, 1)
        XCTAssertEqual(c.alpha, 2)
        XCTAssertEqual(c.samplesPerClass, 200)
        XCTAssertEqual(c.seed, 42)
        XCTAssertNoThrow(try c.validate())
    }

    func testSameSeedIdenticalDifferentSeedDifferent() throws {
        let a = try SpikeDataset.randman(Self.small)
        let b = try SpikeDataset.randman(Self.small)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.spikeSteps, b.spikeSteps)
        XCTAssertEqual(a.labels, b.labels)
        var other = Self.small
        other.seed = 8
        let c = try SpikeDataset.randman(other)
        XCTAssertNotEqual(a.spikeSteps, c.spikeSteps)
        XCTAssertNotEqual(a.labels, c.labels)
    }

    func testIndependentOfThreadCount() throws {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let serial = try SpikeDataset.randman(Self.small)
        Parallel.threadCount = 4
        let parallel = try SpikeDataset.randman(Self.small)
        XCTAssertEqual(serial, parallel)
    }

    func testShapesAndOneSpikePerUnit() throws {
        let d = try SpikeDataset.randman(Self.small)
        XCTAssertEqual(d.count, 3 * 40)
        XCTAssertEqual(d.units, 12)
        XCTAssertEqual(d.steps, 20)
        XCTAssertEqual(d.classes, 3)
        XCTAssertEqual(d.spikeSteps.count, d.count)
        for sample in d.spikeSteps {
            XCTAssertEqual(sample.count, 12)
            XCTAssertTrue(sample.allSatisfy { $0 >= 0 && $0 < 20 }, "every unit spikes once within [0, steps)")
        }
        // The same through the dense tensor: each (sample, unit) column sums to exactly 1 over time.
        let (spikes, labels) = d.batch(indices: Array(0..<d.count))
        XCTAssertEqual(spikes.shape, [20, d.count, 12])
        XCTAssertEqual(labels, d.labels)
        XCTAssertTrue(spikes.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        for b in 0..<d.count {
            for u in 0..<12 {
                var s: Float = 0
                for t in 0..<20 { s += spikes[t, b, u] }
                XCTAssertEqual(s, 1)
            }
        }
    }

    func testLabelsBalancedAndShuffled() throws {
        let d = try SpikeDataset.randman(Self.small)
        XCTAssertEqual(d.classCounts, [40, 40, 40])
        XCTAssertTrue(d.labels.allSatisfy { (0..<3).contains($0) })
        XCTAssertNotEqual(d.labels, d.labels.sorted(), "samples must be shuffled")
    }

    /// Standardisation maps each unit's minimum over a class to 0 and its maximum to just below 1, so per
    /// class and unit the spike steps span the whole range: minimum step 0, maximum step steps - 1.
    func testSpikeTimesSpanWholeRangePerClassAndUnit() throws {
        for config in [Self.small,
                       RandmanConfig(classes: 2, units: 6, steps: 30, manifoldDim: 2, alpha: 3,
                                     samplesPerClass: 30, seed: 11)] {
            let d = try SpikeDataset.randman(config)
            for k in 0..<config.classes {
                let samples = d.spikeSteps.indices.filter { d.labels[$0] == k }.map { d.spikeSteps[$0] }
                XCTAssertEqual(samples.count, config.samplesPerClass)
                for u in 0..<config.units {
                    let steps = samples.map { $0[u] }
                    XCTAssertEqual(steps.min(), 0, "class \(k) unit \(u)")
                    XCTAssertEqual(steps.max(), Int32(config.steps - 1), "class \(k) unit \(u)")
                }
            }
        }
    }

    /// Rebuilds the data set by the documented procedure, independently of the implementation's buffers.
    func testMatchesDocumentedProcedure() throws {
        let c = RandmanConfig(classes: 2, units: 5, steps: 10, manifoldDim: 2, alpha: 2, samplesPerClass: 8, seed: 3)
        var rng = SeededRandom(seed: c.seed)
        let seeds = (0..<c.classes).map { _ in rng.next() }
        var xs = [[Double]]()
        for _ in 0..<(c.classes * c.samplesPerClass) { xs.append((0..<c.manifoldDim).map { _ in rng.nextDouble() }) }
        var samples = [[Int32]]()
        for k in 0..<c.classes {
            let m = try Randman(embeddingDim: c.units, manifoldDim: c.manifoldDim, alpha: c.alpha, seed: seeds[k])
            let ys = (0..<c.samplesPerClass).map { m.evaluate(xs[k * c.samplesPerClass + $0]) }
            var steps = [[Int32]](repeating: [Int32](repeating: 0, count: c.units), count: c.samplesPerClass)
            for e in 0..<c.units {
                let col = ys.map { $0[e] }
                let lo = col.min()!, hi = col.max()!
                for j in 0..<c.samplesPerClass {
                    let y = (col[j] - lo) / (hi - lo + 1e-7)
                    steps[j][e] = Int32(min(Int(y * Double(c.steps)), c.steps - 1))
                }
            }
            samples += steps
        }
        var order = Array(0..<samples.count)
        rng.shuffle(&order)
        let d = try SpikeDataset.randman(c)
        XCTAssertEqual(d.spikeSteps, order.map { samples[$0] })
        XCTAssertEqual(d.labels, order.map { $0 / c.samplesPerClass })
    }

    func testValidationErrors() {
        func param(_ c: RandmanConfig) -> String? {
            do { try c.validate(); return nil } catch { return (error as? DatasetError)?.parameter }
        }
        var c = RandmanConfig(classes: 1)
        XCTAssertThrowsError(try c.validate()) { error in
            XCTAssertEqual("\(error)", "randman: classes must be at least 2, got 1")
        }
        XCTAssertThrowsError(try SpikeDataset.randman(c)) { XCTAssertEqual(($0 as? DatasetError)?.parameter, "classes") }
        c = RandmanConfig(units: 0); XCTAssertEqual(param(c), "units")
        c = RandmanConfig(units: -3); XCTAssertEqual(param(c), "units")
        c = RandmanConfig(steps: 0); XCTAssertEqual(param(c), "steps")
        c = RandmanConfig(steps: Int(Int32.max) + 1); XCTAssertEqual(param(c), "steps")
        c = RandmanConfig(manifoldDim: 0); XCTAssertEqual(param(c), "manifoldDim")
        c = RandmanConfig(alpha: 0); XCTAssertEqual(param(c), "alpha")
        c = RandmanConfig(alpha: -1); XCTAssertEqual(param(c), "alpha")
        c = RandmanConfig(alpha: .nan); XCTAssertEqual(param(c), "alpha")
        c = RandmanConfig(alpha: .infinity); XCTAssertEqual(param(c), "alpha")
        c = RandmanConfig(alpha: 1e300); XCTAssertEqual(param(c), "alpha")
        c = RandmanConfig(samplesPerClass: 0); XCTAssertEqual(param(c), "samplesPerClass")
        c = RandmanConfig(samplesPerClass: Int.max / 2); XCTAssertEqual(param(c), "samplesPerClass")
        XCTAssertEqual("\(DatasetError.invalidParameter(context: "randman", parameter: "alpha", requirement: "must be finite and > 0", got: "0.0"))",
                       "randman: alpha must be finite and > 0, got 0.0")
        for config in [RandmanConfig(classes: 0), RandmanConfig(alpha: -2), RandmanConfig(samplesPerClass: -1)] {
            do { try config.validate(); XCTFail("should throw") } catch {
                XCTAssertFalse("\(error)".contains("\n"))
                XCTAssertTrue("\(error)".hasPrefix("randman: "))
            }
        }
    }

    func testConfigCodable() throws {
        let c = RandmanConfig(classes: 4, units: 7, steps: 9, manifoldDim: 2, alpha: 1.5, samplesPerClass: 3, seed: 99)
        let data = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(RandmanConfig.self, from: data), c)
        let partial = try JSONDecoder().decode(RandmanConfig.self, from: Data(#"{"units": 30, "seed": 5}"#.utf8))
        XCTAssertEqual(partial, RandmanConfig(units: 30, seed: 5))
    }
}

final class SpikeDatasetTests: XCTestCase {
    /// 3 samples, 4 units, 5 steps; unit 2 of sample 1 is silent.
    func makeToy() throws -> SpikeDataset {
        try SpikeDataset(spikeSteps: [[0, 1, 2, 3], [4, 4, SpikeDataset.noSpike, 0], [2, 0, 1, 4]],
                         labels: [1, 0, 1], steps: 5, units: 4, classes: 2)
    }

    func testBatchLayout() throws {
        let d = try makeToy()
        let (spikes, labels) = d.batch(indices: [2, 1])
        XCTAssertEqual(spikes.shape, [5, 2, 4])   // [T, B, units]
        XCTAssertEqual(labels, [1, 0])
        var expected = [Float](repeating: 0, count: 5 * 2 * 4)
        for (b, n) in [2, 1].enumerated() {
            for (u, t) in d.spikeSteps[n].enumerated() where t >= 0 { expected[(Int(t) * 2 + b) * 4 + u] = 1 }
        }
        XCTAssertEqual(spikes.scalars, expected)
        // Spot checks by hand: sample 2 (b = 0), unit 3 spikes at t = 4; sample 1 (b = 1), unit 0 at t = 4.
        XCTAssertEqual(spikes[4, 0, 3], 1)
        XCTAssertEqual(spikes[4, 1, 0], 1)
        XCTAssertEqual(spikes[0, 1, 3], 1)
        XCTAssertEqual(spikes[0, 0, 3], 0)
        // The silent unit never spikes.
        XCTAssertEqual((0..<5).map { spikes[$0, 1, 2] }, [0, 0, 0, 0, 0])
        XCTAssertEqual(spikes.scalars.reduce(0, +), 7)
        // Repeats and the empty batch.
        XCTAssertEqual(d.batch(indices: [0, 0]).spikes.scalars.reduce(0, +), 8)
        XCTAssertEqual(d.batch(indices: []).spikes.shape, [5, 0, 4])
    }

    func testSplitAndSubset() throws {
        let d = try SpikeDataset.randman(RandmanConfig(classes: 2, units: 3, steps: 4, samplesPerClass: 5, seed: 1))
        let (train, test) = d.split(trainFraction: 0.8)
        XCTAssertEqual(train.count, 8)
        XCTAssertEqual(test.count, 2)
        XCTAssertEqual(train.spikeSteps + test.spikeSteps, d.spikeSteps)
        XCTAssertEqual(train.labels + test.labels, d.labels)
        XCTAssertEqual(train.steps, 4); XCTAssertEqual(test.units, 3); XCTAssertEqual(test.classes, 2)
        XCTAssertEqual(d.split(trainFraction: 0.75).train.count, 8)   // round(7.5) = 8
        XCTAssertEqual(d.split(trainFraction: 1).test.count, 0)
        XCTAssertTrue(d.split(trainFraction: 0).train.isEmpty)
        let s = d.subset(indices: [3, 1])
        XCTAssertEqual(s.spikeSteps, [d.spikeSteps[3], d.spikeSteps[1]])
        XCTAssertEqual(s.labels, [d.labels[3], d.labels[1]])
    }

    func testInitValidation() {
        XCTAssertThrowsError(try SpikeDataset(spikeSteps: [], labels: [], steps: 5, units: 4, classes: 2)) {
            XCTAssertEqual($0 as? DatasetError, .empty)
            XCTAssertEqual("\($0)", "dataset is empty")
        }
        XCTAssertThrowsError(try SpikeDataset(spikeSteps: [[0, 1]], labels: [0, 1], steps: 5, units: 2, classes: 2)) {
            guard case .inconsistent = $0 as? DatasetError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try SpikeDataset(spikeSteps: [[0, 1, 2]], labels: [0], steps: 5, units: 2, classes: 2)) {
            XCTAssertEqual("\($0)", "dataset: sample 0 has 3 spike steps, expected 2 (units)")
        }
        XCTAssertThrowsError(try SpikeDataset(spikeSteps: [[0, 5]], labels: [0], steps: 5, units: 2, classes: 2))
        XCTAssertThrowsError(try SpikeDataset(spikeSteps: [[0, -2]], labels: [0], steps: 5, units: 2, classes: 2))
        XCTAssertThrowsError(try SpikeDataset(spikeSteps: [[0, 1]], labels: [2], steps: 5, units: 2, classes: 2))
        XCTAssertThrowsError(try SpikeDataset(spikeSteps: [[0, 1]], labels: [0], steps: 0, units: 2, classes: 2)) {
            XCTAssertEqual(($0 as? DatasetError)?.parameter, "steps")
        }
        XCTAssertNoThrow(try SpikeDataset(spikeSteps: [[-1, 4]], labels: [1], steps: 5, units: 2, classes: 2))
    }
}

final class BatchIteratorTests: XCTestCase {
    func check(_ it: BatchIterator, count: Int, batchSize: Int, file: StaticString = #filePath, line: UInt = #line) {
        let batches = Array(it)
        XCTAssertEqual(batches.count, (count + batchSize - 1) / batchSize, file: file, line: line)
        XCTAssertEqual(batches.count, it.batchCount, file: file, line: line)
        XCTAssertTrue(batches.dropLast().allSatisfy { $0.count == batchSize }, file: file, line: line)
        if let last = batches.last {
            XCTAssertEqual(last.count, count % batchSize == 0 ? batchSize : count % batchSize, file: file, line: line)
        }
        XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<count), "every index exactly once", file: file, line: line)
    }

    func testCoversAllIndicesOncePerEpoch() {
        for (count, batchSize) in [(10, 3), (12, 4), (1, 5), (0, 2), (7, 1), (100, 32)] {
            for shuffle in [false, true] {
                for epoch in 0..<3 {
                    check(BatchIterator(count: count, batchSize: batchSize, shuffle: shuffle, seed: 5, epoch: epoch),
                          count: count, batchSize: batchSize)
                }
            }
        }
    }

    func testOrderAndDeterminism() {
        XCTAssertEqual(Array(BatchIterator(count: 7, batchSize: 3, shuffle: false)), [[0, 1, 2], [3, 4, 5], [6]])
        let a = Array(BatchIterator(count: 50, batchSize: 8, shuffle: true, seed: 1, epoch: 0))
        let b = Array(BatchIterator(count: 50, batchSize: 8, shuffle: true, seed: 1, epoch: 0))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.flatMap { $0 }, Array(0..<50), "shuffled")
        XCTAssertNotEqual(a, Array(BatchIterator(count: 50, batchSize: 8, shuffle: true, seed: 2, epoch: 0)))
        XCTAssertNotEqual(a, Array(BatchIterator(count: 50, batchSize: 8, shuffle: true, seed: 1, epoch: 1)))
        // Iterating twice gives the same batches.
        let it = BatchIterator(count: 20, batchSize: 6, seed: 3)
        XCTAssertEqual(Array(it), Array(it))
    }

    func testWithDataset() throws {
        let d = try SpikeDataset.randman(RandmanConfig(classes: 2, units: 4, steps: 6, samplesPerClass: 5, seed: 2))
        var seen = [Int]()
        for indices in BatchIterator(dataset: d, batchSize: 4, shuffle: true, seed: 9) {
            let (spikes, labels) = d.batch(indices: indices)
            XCTAssertEqual(spikes.shape, [6, indices.count, 4])
            XCTAssertEqual(labels, indices.map { d.labels[$0] })
            seen += indices
        }
        XCTAssertEqual(seen.sorted(), Array(0..<10))
    }
}

final class SpikeDatasetValueTests: XCTestCase {
    func testRandmanValuesDetermineTheSpikeSteps() throws {
        let config = RandmanConfig(classes: 3, units: 7, steps: 20, manifoldDim: 1, alpha: 2, samplesPerClass: 10, seed: 5)
        let data = try SpikeDataset.randman(config)
        let values = try XCTUnwrap(data.values)
        XCTAssertEqual(values.count, data.count)
        for (sample, steps) in zip(values, data.spikeSteps) {
            for (v, s) in zip(sample, steps) {
                XCTAssertTrue(v >= 0 && v <= 1)
                XCTAssertEqual(Int(s), min(Int(Double(v) * 20), 19), accuracy: 1)   // float rounding of the stored value
            }
        }
        let (t, labels) = try XCTUnwrap(data.batchValues(indices: [4, 0]))
        XCTAssertEqual(t.shape, [2, 7])
        XCTAssertEqual(Array(t.scalars[0..<7]), values[4])
        XCTAssertEqual(labels, [data.labels[4], data.labels[0]])
        let (train, test) = data.split(trainFraction: 0.5)
        XCTAssertEqual(train.values?.count, 15)
        XCTAssertEqual(test.values?.first, values[15])
        XCTAssertEqual(data.subset(indices: [2]).values?.first, values[2])
    }
}

/// Batch counts never overflow, whatever the batch size.
final class BatchIteratorBoundsTests: XCTestCase {
    func testHugeBatchSizes() {
        XCTAssertEqual(BatchIterator(count: 10, batchSize: Int.max, shuffle: false).batchCount, 1)
        XCTAssertEqual(Array(BatchIterator(count: 3, batchSize: Int.max, shuffle: false)), [[0, 1, 2]])
        XCTAssertEqual(BatchIterator(count: 0, batchSize: Int.max).batchCount, 0)
        XCTAssertEqual(BatchIterator(count: 10, batchSize: 3).batchCount, 4)
        XCTAssertEqual(BatchIterator(count: 9, batchSize: 3).batchCount, 3)
    }
}
