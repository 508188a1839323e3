import Foundation
import XCTest
@testable import SpikeData
import SpikeCore

/// A few random recordings of a 34 x 34 x 2 sensor held in memory.
struct MemoryEvents: EventDataset {
    var recordings: [LabeledEvents]
    var classes: Int { 3 }
    var sensorSize: SensorSize { SensorSize(width: 34, height: 34, polarities: 2) }
    var count: Int { recordings.count }
    func events(at index: Int) throws -> LabeledEvents { recordings[index] }

    init(count: Int, events n: Int) {
        var r = SeededRandom(seed: 21)
        recordings = (0..<count).map { i in
            let t = (0..<n).map { _ in Int64(r.nextInt(below: 300_000)) }.sorted()
            let e = EventStream(unchecked: (0..<n).map { _ in Int32(r.nextInt(below: 34)) },
                                y: (0..<n).map { _ in Int32(r.nextInt(below: 34)) }, t: t,
                                p: (0..<n).map { _ in Int32(r.nextInt(below: 2)) },
                                sensorSize: SensorSize(width: 34, height: 34, polarities: 2))
            return LabeledEvents(events: e, label: i % 3)
        }
    }
}

struct AudioEvents: EventDataset {
    var classes: Int { 2 }
    var sensorSize: SensorSize { SensorSize(width: 700, height: 1, polarities: 1) }
    var hasY: Bool { false }
    var count: Int { 1 }
    func events(at index: Int) throws -> LabeledEvents {
        LabeledEvents(events: try EventStream(x: [3, 699, 10], y: [0, 0, 0], t: [0, 500_000, 999_999], p: [0, 0, 0],
                                              sensorSize: sensorSize, hasY: false), label: 1)
    }
}

final class TransformedEventsTests: XCTestCase {
    func augmented(seed: UInt64 = 42) throws -> TransformedEvents<MemoryEvents> {
        let pipeline = EventPipeline([try RandomCrop(size: 28), try RandomFlipLR(), try DropEvent(p: 0.2),
                                      try TimeJitter(std: 1000), try SpatialJitter(clipOutliers: true)],
                                     representation: try ToFrame(nTimeBins: 8))
        return TransformedEvents(MemoryEvents(count: 12, events: 500), pipeline: pipeline, seed: seed)
    }

    func testSameSeedEpochAndIndexGiveTheSameTensorWhateverTheOrderAndThreads() throws {
        let d = try augmented()
        XCTAssertEqual(d.stepShape, [2, 28, 28])
        let sequential = try (0..<d.count).map { try d.sample(at: $0, epoch: 3).input }
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var tensors: [Tensor?]
            init(_ n: Int) { tensors = [Tensor?](repeating: nil, count: n) }
        }
        let parallel = Results(d.count)
        DispatchQueue.concurrentPerform(iterations: d.count) { k in
            let i = d.count - 1 - k  // reverse order, several threads
            let x = try? d.sample(at: i, epoch: 3).input
            parallel.lock.lock(); parallel.tensors[i] = x; parallel.lock.unlock()
        }
        XCTAssertEqual(parallel.tensors.map { $0! }, sequential)
        for i in 0..<d.count { XCTAssertEqual(sequential[i].shape, [8, 2, 28, 28]) }
        // Another epoch: other augmentations; another seed too; labels unchanged.
        let other = try d.sample(at: 5, epoch: 4)
        XCTAssertNotEqual(other.input, sequential[5])
        XCTAssertEqual(other.label, 5 % 3)
        XCTAssertNotEqual(try augmented(seed: 43).sample(at: 5, epoch: 3).input, sequential[5])
        XCTAssertEqual(try augmented().sample(at: 5, epoch: 3).input, sequential[5])
    }

    func testStepShapeFollowsTheTransformsAndTheRepresentation() throws {
        let base = MemoryEvents(count: 2, events: 100)
        let p = EventPipeline([try CenterCrop(size: 32), try Downsample(spatialFactor: 0.5), MergePolarities()],
                              representation: try ToFrame(timeWindow: 10_000))
        let d = TransformedEvents(base, pipeline: p)
        XCTAssertEqual(d.stepShape, [1, 16, 16])
        XCTAssertEqual(Array(try d.sample(at: 0, epoch: 0).input.shape.dropFirst()), [1, 16, 16])
        let v = TransformedEvents(base, pipeline: EventPipeline(representation: try ToVoxelGrid(nTimeBins: 5)))
        XCTAssertEqual(v.stepShape, [1, 34, 34])
        XCTAssertEqual(try v.sample(at: 1, epoch: 0).input.shape, [5, 1, 34, 34])
        XCTAssertEqual(p.description, "EventPipeline(Compose([CenterCrop(width: 32, height: 32), Downsample(timeFactor: 1.0, spatialFactorX: 0.5, spatialFactorY: 0.5), MergePolarities()]) -> ToFrame(timeWindow: 10000.0, overlap: 0.0, includeIncomplete: false))")
    }

    func testAudioSpikeTrainsBinToUnits() throws {
        let frames = TransformedEvents(AudioEvents(), pipeline: EventPipeline(representation: try ToFrame(nTimeBins: 4)))
        XCTAssertEqual(frames.stepShape, [1, 700])
        let units = TransformedEvents(AudioEvents(), pipeline: EventPipeline(representation: try ToFrame(nTimeBins: 4).flattened()))
        XCTAssertEqual(units.stepShape, [700])
        let (x, label) = try units.sample(at: 0, epoch: 0)
        XCTAssertEqual(x.shape, [4, 700])
        XCTAssertEqual(label, 1)
        // Bins of 249999 µs from t = 0: event 0 in bin 0, event 1 (500000) in bin 2, the last (999999) in none.
        XCTAssertEqual(x.scalars[3], 1)
        XCTAssertEqual(x.scalars[2 * 700 + 699], 1)
        XCTAssertEqual(x.scalars.reduce(0, +), 2)
    }

    func testEmptyRecordingGivesEmptyFrames() throws {
        var base = MemoryEvents(count: 1, events: 0)
        base.recordings[0].events = EventStream(sensorSize: base.sensorSize)
        let d = TransformedEvents(base, pipeline: EventPipeline([try DropEvent(p: 0.5)], representation: try ToFrame(nTimeBins: 3)))
        XCTAssertEqual(try d.sample(at: 0, epoch: 0).input, Tensor.zeros([3, 2, 34, 34]))
    }
}
