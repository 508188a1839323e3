import Foundation
import XCTest
import SpikeCore
import SpikeIO
@testable import SpikeData

/// A data set of variable-length samples whose values encode (index, epoch, step, element), with an
/// optional delay per sample so that background loading finishes out of order.
private struct VariableLengthDataset: Dataset {
    let count: Int
    var classes: Int { 3 }
    var stepShape: [Int] { [2, 3] }
    var slow = false
    /// Sample i has 1 + i % 5 steps.
    func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
        if slow { usleep(useconds_t(100 * ((index * 7919) % 13))) }
        let t = 1 + index % 5
        let scalars = (0..<(t * 6)).map { Float(index * 1000 + epoch * 100 + $0 + 1) }
        return (Tensor(shape: [t, 2, 3], scalars: scalars), index % 3)
    }
}

/// Counts how often each sample is computed.
private final class CountingDataset: Dataset, @unchecked Sendable {
    let lock = NSLock()
    var calls = 0
    let scale: Float
    init(scale: Float) { self.scale = scale }
    var count: Int { 4 }
    var classes: Int { 2 }
    var stepShape: [Int] { [3] }
    func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
        lock.lock(); calls += 1; lock.unlock()
        return (Tensor(shape: [2, 3], scalars: (0..<6).map { Float($0 + index) * scale }), index % 2)
    }
}

private struct FailingDataset: Dataset {
    var count: Int { 10 }
    var classes: Int { 2 }
    var stepShape: [Int] { [1] }
    func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
        if index == 7 { throw DatasetError.inconsistent("sample 7 is broken") }
        return (Tensor(shape: [1, 1], scalars: [1]), 0)
    }
}

final class DataLoaderTests: XCTestCase {
    func testPaddingToLongestAndFixedSteps() throws {
        let data = VariableLengthDataset(count: 5)
        let loader = DataLoader(dataset: data, batchSize: 3, shuffle: false, workers: 0)
        let b = try loader.batch(indices: [0, 3, 1], epoch: 2)
        XCTAssertEqual(b.input.shape, [4, 3, 2, 3])   // longest: sample 3 with 4 steps
        XCTAssertEqual(b.lengths, [1, 4, 2])
        XCTAssertEqual(b.labels, [0, 0, 1])
        for t in 0..<4 { for (j, i) in [0, 3, 1].enumerated() { for e in 0..<6 {
            let expected: Float = t < 1 + i % 5 ? Float(i * 1000 + 200 + t * 6 + e + 1) : 0
            XCTAssertEqual(b.input.scalars[(t * 3 + j) * 6 + e], expected, "t \(t) sample \(i) element \(e)")
        } } }
        let fixed = DataLoader(dataset: data, batchSize: 3, shuffle: false, steps: 2, workers: 0)
        let f = try fixed.batch(indices: [0, 3], epoch: 0)
        XCTAssertEqual(f.input.shape, [2, 2, 2, 3])
        XCTAssertEqual(f.input.scalars[(1 * 2 + 0) * 6], 0)            // sample 0 padded at step 1
        XCTAssertEqual(f.input.scalars[(1 * 2 + 1) * 6], Float(3007))   // sample 3 truncated after step 1
    }

    func testSameBatchesWhateverTheThreadCount() throws {
        let data = VariableLengthDataset(count: 23, slow: true)
        func all(_ workers: Int, prefetch: Int) throws -> [Batch] {
            let loader = DataLoader(dataset: data, batchSize: 4, shuffle: true, seed: 11, workers: workers, prefetch: prefetch)
            var out: [Batch] = []
            for epoch in 0..<2 {
                let e = loader.epoch(epoch)
                while let b = try e.next() { out.append(b) }
            }
            return out
        }
        let inline = try all(0, prefetch: 1)
        XCTAssertEqual(inline.count, 12)
        XCTAssertEqual(inline.map(\.indices), (0..<2).flatMap { BatchIterator(count: 23, batchSize: 4, seed: 11, epoch: $0).map { $0 } })
        XCTAssertNotEqual(inline[0].indices, inline[6].indices)   // epochs differ
        XCTAssertEqual(try all(1, prefetch: 2), inline)
        XCTAssertEqual(try all(3, prefetch: 4), inline)
    }

    func testRandmanBatchesEqualTheDatasetsOwn() throws {
        let data = try SpikeDataset.randman(RandmanConfig(classes: 3, units: 12, steps: 20, manifoldDim: 1, alpha: 2, samplesPerClass: 10, seed: 7))
        let (x, labels) = data.batch(indices: [4, 1, 9])
        let b = try DataLoader(dataset: data, batchSize: 3, workers: 0).batch(indices: [4, 1, 9], epoch: 0)
        XCTAssertEqual(b.input, x)
        XCTAssertEqual(b.labels, labels)
        // The per-sample path (a fixed T) gives the same values.
        let c = try DataLoader(dataset: data, batchSize: 3, steps: 20, workers: 0).batch(indices: [4, 1, 9], epoch: 0)
        XCTAssertEqual(c.input, x)
        let (s, label) = try data.sample(at: 4, epoch: 0)
        XCTAssertEqual(s.shape, [20, 12]); XCTAssertEqual(label, data.labels[4])
        XCTAssertEqual(s.scalars.reduce(0, +), 12)   // one spike per unit
    }

    func testErrorsReachTheConsumerInOrder() throws {
        let loader = DataLoader(dataset: FailingDataset(), batchSize: 3, shuffle: false, workers: 2)
        let e = loader.epoch(0)
        XCTAssertNotNil(try e.next())
        XCTAssertNotNil(try e.next())
        XCTAssertThrowsError(try e.next()) { XCTAssertEqual("\($0)", "dataset: sample 7 is broken") }
    }

    func testReleasingAnEpochEarlyStopsItsThreads() throws {
        let loader = DataLoader(dataset: VariableLengthDataset(count: 400, slow: true), batchSize: 2, workers: 2, prefetch: 2)
        for _ in 0..<20 {
            let e = loader.epoch(0)
            _ = try e.next()
        }   // each epoch's threads exit when it is released; nothing hangs
    }
}

final class TensorDatasetTests: XCTestCase {
    var tmp: URL!
    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("spikedata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func testFromNPY() throws {
        let x = Tensor(shape: [3, 2, 4], scalars: (0..<24).map(Float.init))
        try NPY.write(x, to: tmp.appendingPathComponent("x.npy"))
        try NPY.write(Tensor([2, 0, 1]), to: tmp.appendingPathComponent("y.npy"))
        let d = try TensorDataset(inputs: tmp.appendingPathComponent("x.npy"), labels: tmp.appendingPathComponent("y.npy"))
        XCTAssertEqual(d.count, 3); XCTAssertEqual(d.classes, 3); XCTAssertEqual(d.stepShape, [4]); XCTAssertEqual(d.steps, 2)
        let (s, label) = try d.sample(at: 1, epoch: 0)
        XCTAssertEqual(s, Tensor(shape: [2, 4], scalars: (8..<16).map(Float.init)))
        XCTAssertEqual(label, 0)
    }

    func testBadLabelsAndShapes() throws {
        let x = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try TensorDataset(inputs: x, labels: Tensor([0, 1, 1])).stepShape, [2])
        XCTAssertThrowsError(try TensorDataset(inputs: x, labels: Tensor([0, 1]))) { XCTAssertTrue("\($0)".contains("3 samples but labels of shape [2]"), "\($0)") }
        XCTAssertThrowsError(try TensorDataset(inputs: x, labels: Tensor([0, 1.5, 1]))) { XCTAssertTrue("\($0)".contains("label 1 is 1.5"), "\($0)") }
        XCTAssertThrowsError(try TensorDataset(inputs: x, labels: Tensor([0, -1, 1]))) { XCTAssertTrue("\($0)".contains("label 1 is -1"), "\($0)") }
        XCTAssertThrowsError(try TensorDataset(inputs: x, labels: Tensor([0, 4, 1]), classes: 3)) { XCTAssertTrue("\($0)".contains("label 1 is 4, outside 0..<3"), "\($0)") }
        XCTAssertThrowsError(try TensorDataset(inputs: Tensor([1, 2]), labels: Tensor([0, 1])))
        try NPY.write(x, to: tmp.appendingPathComponent("x.npy"))
        try NPY.write(Tensor([0, 7, 1]), to: tmp.appendingPathComponent("y.npy"))
        XCTAssertThrowsError(try TensorDataset(inputs: tmp.appendingPathComponent("x.npy"), labels: tmp.appendingPathComponent("y.npy"), classes: 2)) {
            XCTAssertTrue("\($0)".hasPrefix("dataset: y.npy: label 1 is 7"), "\($0)")
        }
    }
}

final class DiskCachedDatasetTests: XCTestCase {
    var tmp: URL!
    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("spikecache-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func testCachesAndNoticesAChangedTransform() throws {
        let base = CountingDataset(scale: 1)
        let cached = try DiskCachedDataset(base: base, folder: tmp, key: "counting|scale=1")
        let first = try (0..<4).map { try cached.sample(at: $0, epoch: 0) }
        XCTAssertEqual(base.calls, 4)
        XCTAssertTrue(cached.isCached(2))
        let again = try (0..<4).map { try cached.sample(at: $0, epoch: 3) }
        XCTAssertEqual(base.calls, 4)   // read from the files
        XCTAssertEqual(again.map(\.input), first.map(\.input))
        XCTAssertEqual(again.map(\.label), first.map(\.label))

        // Another transform: another key, so the old files are not used.
        let scaled = CountingDataset(scale: 2)
        let other = try DiskCachedDataset(base: scaled, folder: tmp, key: "counting|scale=2")
        XCTAssertFalse(other.isCached(0))
        XCTAssertEqual(try other.sample(at: 1, epoch: 0).input, try scaled.sample(at: 1, epoch: 0).input)
        XCTAssertEqual(scaled.calls, 2)
    }

    func testCorruptFilesAreComputedAgain() throws {
        let base = CountingDataset(scale: 1)
        let cached = try DiskCachedDataset(base: base, folder: tmp, key: "k")
        let good = try cached.sample(at: 1, epoch: 0)
        let url = cached.file(for: 1)
        let bytes = try Data(contentsOf: url)
        // Truncated, a huge dimension, a wrong magic: each is detected and the sample recomputed.
        var huge = bytes
        huge.replaceSubrange(40..<48, with: [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0])
        var magic = bytes
        magic[0] = 0
        for broken in [bytes.prefix(bytes.count - 3), huge, magic] {
            try broken.write(to: url)
            XCTAssertFalse(cached.isCached(1))
            let calls = base.calls
            let s = try cached.sample(at: 1, epoch: 0)
            XCTAssertEqual(s.input, good.input)
            XCTAssertEqual(base.calls, calls + 1)
            XCTAssertTrue(cached.isCached(1))
        }
        try cached.clear()
        XCTAssertFalse(cached.isCached(1))
    }
}
