import XCTest
@testable import SpikeData
import SpikeCore

final class EventTransformTests: XCTestCase {
    func makeTransform(_ c: TonicFixtures.Case) throws -> any EventTransform {
        let p = c.params
        switch c.transform {
        case "Denoise": return try Denoise(filterTime: p.double("filter_time")!)
        case "RefractoryPeriod": return try RefractoryPeriod(delta: p.double("delta")!)
        case "Downsample":
            let tf = p.double("time_factor") ?? 1
            if let ts = p["target_size"] as? [Int] { return try Downsample(timeFactor: tf, targetSize: (ts[0], ts[1])) }
            if let sf = p["spatial_factor"] as? [Double] { return try Downsample(timeFactor: tf, spatialFactorX: sf[0], spatialFactorY: sf[1]) }
            return try Downsample(timeFactor: tf, spatialFactor: p.double("spatial_factor") ?? 1)
        case "CenterCrop":
            if let s = p["size"] as? [Int] { return try CenterCrop(width: s[0], height: s[1]) }
            return try CenterCrop(size: p.int("size")!)
        case "RandomCrop":
            let s = p["target_size"] as! [Int]
            return try RandomCrop(width: s[0], height: s[1])
        case "MergePolarities": return MergePolarities()
        case "TimeAlignment": return TimeAlignment()
        case "RandomFlipLR": return try RandomFlipLR(p: p.double("p")!)
        case "RandomFlipUD": return try RandomFlipUD(p: p.double("p")!)
        case "RandomFlipPolarity": return try RandomFlipPolarity(p: p.double("p")!)
        case "DropEvent": return try DropEvent(p: p.double("p")!)
        case "SpatialJitter":
            return try SpatialJitter(varX: p.double("var_x")!, varY: p.double("var_y")!, sigmaXY: p.double("sigma_xy")!,
                                     clipOutliers: p.bool("clip_outliers")!)
        case "TimeJitter":
            return try TimeJitter(std: p.double("std")!, clipNegative: p.bool("clip_negative")!, sortTimestamps: p.bool("sort_timestamps")!)
        default: throw DatasetError.inconsistent("unknown transform \(c.transform)")
        }
    }

    /// Every deterministic transform, and the random ones at their deterministic settings (p = 0 and 1,
    /// zero variance, a crop the size of the sensor), give Tonic's events exactly (same events, same order).
    func testMatchesTonicExactly() throws {
        let fx = try TonicFixtures("transforms.json")
        XCTAssertGreaterThan(fx.cases.count, 80)
        var rng = SeededRandom(seed: 7)
        for c in fx.cases {
            let events = try XCTUnwrap(fx.streams[c.stream])
            let transform = try makeTransform(c)
            XCTAssertEqual(c.kind, "events", c.label)
            let ours = try transform.apply(events, rng: &rng)
            let tonic = TonicFixtures.events(c, sensor: ours.sensorSize, hasY: events.hasY)
            XCTAssertEqual(ours.x, tonic.x, c.label)
            XCTAssertEqual(ours.y, tonic.y, c.label)
            XCTAssertEqual(ours.t, tonic.t, c.label)
            XCTAssertEqual(ours.p, tonic.p, c.label)
            XCTAssertEqual(ours.sensorSize, transform.outputSensorSize(events.sensorSize), c.label)
            // The output is a valid stream of its sensor.
            XCTAssertNoThrow(try EventStream(x: ours.x, y: ours.y, t: ours.t, p: ours.p, sensorSize: ours.sensorSize, hasY: ours.hasY), c.label)
        }
    }

    func testOutputSensorSizes() throws {
        let nmnist = SensorSize(width: 34, height: 34, polarities: 2)
        XCTAssertEqual(try Downsample(spatialFactor: 0.5).outputSensorSize(nmnist), SensorSize(width: 17, height: 17, polarities: 2))
        XCTAssertEqual(try Downsample(spatialFactor: 0.25).outputSensorSize(nmnist), SensorSize(width: 9, height: 9, polarities: 2))
        XCTAssertEqual(try Downsample(targetSize: (10, 12)).outputSensorSize(nmnist), SensorSize(width: 10, height: 12, polarities: 2))
        XCTAssertEqual(try CenterCrop(size: 28).outputSensorSize(nmnist), SensorSize(width: 28, height: 28, polarities: 2))
        XCTAssertEqual(MergePolarities().outputSensorSize(nmnist), SensorSize(width: 34, height: 34, polarities: 1))
        let c = Compose([try CenterCrop(size: 32), try Downsample(spatialFactor: 0.5), MergePolarities()])
        XCTAssertEqual(c.outputSensorSize(nmnist), SensorSize(width: 16, height: 16, polarities: 1))
        XCTAssertEqual(c.description, "Compose([CenterCrop(width: 32, height: 32), Downsample(timeFactor: 1.0, spatialFactorX: 0.5, spatialFactorY: 0.5), MergePolarities()])")
    }

    func testBadParametersThrowOneLineErrors() throws {
        func message(_ f: () throws -> Any) -> String {
            do { _ = try f(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try Denoise(filterTime: -1) }, "Denoise: filterTime must be a finite number of µs >= 0, got -1.0")
        XCTAssertEqual(message { try RefractoryPeriod(delta: .nan) }, "RefractoryPeriod: delta must be a finite number of µs >= 0, got nan")
        XCTAssertEqual(message { try RandomFlipLR(p: 1.5) }, "RandomFlipLR: p must be a probability in [0, 1], got 1.5")
        XCTAssertEqual(message { try RandomFlipUD(p: -0.1) }, "RandomFlipUD: p must be a probability in [0, 1], got -0.1")
        XCTAssertEqual(message { try DropEvent(p: 2) }, "DropEvent: p must be a probability in [0, 1], got 2.0")
        XCTAssertEqual(message { try TimeJitter(std: -3) }, "TimeJitter: std must be a finite number of µs >= 0, got -3.0")
        XCTAssertEqual(message { try SpatialJitter(varX: 1, varY: 1, sigmaXY: 2) }, "SpatialJitter: sigmaXY must satisfy sigmaXY^2 <= varX * varY (1.0), got 2.0")
        XCTAssertEqual(message { try Downsample(spatialFactor: 0) }, "Downsample: spatialFactorX must be a finite number > 0, got 0.0")
        XCTAssertEqual(message { try CenterCrop(size: 0) }, "CenterCrop: width must be in 1...2147483647, got 0")
        let e = EventStream(sensorSize: SensorSize(width: 34, height: 34, polarities: 2))
        var rng = SeededRandom(seed: 1)
        XCTAssertEqual(message { try RandomCrop(size: 40).apply(e, rng: &rng) }, "RandomCrop: width must be at most the sensor's width 34, got 40")
        let audio = EventStream(sensorSize: SensorSize(width: 700, height: 1, polarities: 1), hasY: false)
        XCTAssertEqual(message { try RandomFlipPolarity().apply(audio, rng: &rng) }, "RandomFlipPolarity: sensor polarities must be at least 2, got 1")
        XCTAssertEqual(message { try CenterCrop(size: 10).apply(audio, rng: &rng) }, "CenterCrop: height must be 1 for a sensor without y, got 10")
    }

    /// Tonic's Denoise, RefractoryPeriod, SpatialJitter and flips need a `y` field; here one-dimensional
    /// streams (SHD) work, with neighbours along x only and y left at 0.
    func testOneDimensionalStreams() throws {
        let s = SensorSize(width: 10, height: 1, polarities: 1)
        let e = try EventStream(x: [2, 3, 7, 2], y: [0, 0, 0, 0], t: [100, 105, 110, 120], p: [0, 0, 0, 0], sensorSize: s, hasY: false)
        var rng = SeededRandom(seed: 2)
        XCTAssertEqual(try Denoise(filterTime: 10).apply(e, rng: &rng).x, [3])  // only x = 3 has a recent neighbour (x = 2 at 100)
        XCTAssertEqual(try RefractoryPeriod(delta: 25).apply(e, rng: &rng).x, [2, 3, 7])  // x = 2 again after 20 µs
        let j = try SpatialJitter(varX: 4, varY: 4).apply(e, rng: &rng)
        XCTAssertEqual(j.y, [0, 0, 0, 0])
        XCTAssertEqual(try RandomFlipUD(p: 1).apply(e, rng: &rng), e)
        XCTAssertEqual(try Downsample(spatialFactor: 0.5).apply(e, rng: &rng).x, [1, 1, 3, 1])
    }

    // MARK: statistics of the random transforms with our generator

    func randomStream(_ n: Int, seed: UInt64 = 3) -> EventStream {
        var r = SeededRandom(seed: seed)
        let t = (0..<n).map { _ in Int64(r.nextInt(below: 100_000)) }.sorted()
        return EventStream(unchecked: (0..<n).map { _ in Int32(r.nextInt(below: 34)) },
                           y: (0..<n).map { _ in Int32(r.nextInt(below: 34)) }, t: t,
                           p: (0..<n).map { _ in Int32(r.nextInt(below: 2)) },
                           sensorSize: SensorSize(width: 34, height: 34, polarities: 2))
    }

    func testDropEventDropsExactlyRoundedPN() throws {
        let e = randomStream(1001)
        var rng = SeededRandom(seed: 5)
        var dropCount = [Int](repeating: 0, count: e.count)
        for _ in 0..<200 {
            let out = try DropEvent(p: 0.3).apply(e, rng: &rng)
            XCTAssertEqual(out.count, 1001 - 300)  // Int(0.3 * 1001 + 0.5) = 300
            // Kept events keep their order: the output is a subsequence of the input.
            var j = 0
            var kept = Set<Int>()
            for i in 0..<e.count where j < out.count && e.t[i] == out.t[j] && e.x[i] == out.x[j] && e.y[i] == out.y[j] && e.p[i] == out.p[j] {
                kept.insert(i); j += 1
            }
            XCTAssertEqual(j, out.count)
            for i in 0..<e.count where !kept.contains(i) { dropCount[i] += 1 }
        }
        // Each event is dropped with probability 0.3: over 200 draws, the first and last hundred events alike.
        let first = Double(dropCount[..<100].reduce(0, +)) / 20_000, last = Double(dropCount[901...].reduce(0, +)) / 20_000
        XCTAssertEqual(first, 0.3, accuracy: 0.03)
        XCTAssertEqual(last, 0.3, accuracy: 0.03)
        XCTAssertEqual(try DropEvent(p: 0.5).apply(randomStream(5), rng: &rng).count, 2)  // Int(2.5 + 0.5) = 3 dropped
    }

    func testFlipsHappenWithProbabilityP() throws {
        let e = randomStream(50)
        var rng = SeededRandom(seed: 9)
        var lr = 0, ud = 0, pol = 0
        let trials = 4000
        for _ in 0..<trials {
            if try RandomFlipLR(p: 0.3).apply(e, rng: &rng).x != e.x { lr += 1 }
            if try RandomFlipUD(p: 0.7).apply(e, rng: &rng).y != e.y { ud += 1 }
            if try RandomFlipPolarity(p: 0.5).apply(e, rng: &rng).p != e.p { pol += 1 }
        }
        XCTAssertEqual(Double(lr) / Double(trials), 0.3, accuracy: 0.03)
        XCTAssertEqual(Double(ud) / Double(trials), 0.7, accuracy: 0.03)
        XCTAssertEqual(Double(pol) / Double(trials), 0.5, accuracy: 0.03)
        let flipped = try RandomFlipLR(p: 1).apply(e, rng: &rng)
        XCTAssertEqual(flipped.x, e.x.map { 33 - $0 })
    }

    func testTimeJitterHasTheRequestedStd() throws {
        let n = 20_000
        let e = EventStream(unchecked: [Int32](repeating: 0, count: n), y: [Int32](repeating: 0, count: n),
                            t: [Int64](repeating: 1_000_000, count: n), p: [Int32](repeating: 0, count: n),
                            sensorSize: SensorSize(width: 1, height: 1, polarities: 1))
        var rng = SeededRandom(seed: 11)
        let out = try TimeJitter(std: 100).apply(e, rng: &rng)
        let d = out.t.map { Double($0 - 1_000_000) }
        let mean = d.reduce(0, +) / Double(n)
        let std = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 2)
        XCTAssertEqual(std, 100, accuracy: 2)
        // clipNegative drops what jitter pushed below 0; sortTimestamps sorts.
        let early = EventStream(unchecked: [Int32](repeating: 0, count: n), y: [Int32](repeating: 0, count: n),
                                t: [Int64](repeating: 0, count: n), p: [Int32](repeating: 0, count: n),
                                sensorSize: SensorSize(width: 1, height: 1, polarities: 1))
        let clipped = try TimeJitter(std: 10, sortTimestamps: true).apply(early, rng: &rng)
        XCTAssertTrue(clipped.t.allSatisfy { $0 >= 0 })
        XCTAssertTrue(clipped.isSortedByTime)
        // Truncation toward zero keeps shifts in (-1, 0) at 0: slightly more than half survive.
        XCTAssertEqual(Double(clipped.count) / Double(n), 0.54, accuracy: 0.02)
    }

    func testSpatialJitterHasTheRequestedCovariance() throws {
        let n = 20_000
        let e = EventStream(unchecked: [Int32](repeating: 50, count: n), y: [Int32](repeating: 50, count: n),
                            t: [Int64](0..<Int64(n)), p: [Int32](repeating: 0, count: n),
                            sensorSize: SensorSize(width: 101, height: 101, polarities: 1))
        var rng = SeededRandom(seed: 13)
        let out = try SpatialJitter(varX: 16, varY: 9, sigmaXY: 6, clipOutliers: true).apply(e, rng: &rng)
        XCTAssertEqual(out.count, n)
        // Truncation toward zero adds variance; the underlying shifts have the covariance asked for, so
        // compare loosely, and the correlation sign.
        let dx = out.x.map { Double($0) - 50 }, dy = out.y.map { Double($0) - 50 }
        let vx = dx.map { $0 * $0 }.reduce(0, +) / Double(n), vy = dy.map { $0 * $0 }.reduce(0, +) / Double(n)
        let cxy = zip(dx, dy).map { $0 * $1 }.reduce(0, +) / Double(n)
        XCTAssertEqual(vx, 16, accuracy: 1.5)
        XCTAssertEqual(vy, 9, accuracy: 1.5)
        XCTAssertEqual(cxy, 6, accuracy: 1.5)
        // Without clipping nothing is dropped and everything stays on the sensor.
        let edge = EventStream(unchecked: [0, 100], y: [0, 100], t: [0, 1], p: [0, 0], sensorSize: SensorSize(width: 101, height: 101, polarities: 1))
        for _ in 0..<50 {
            let j = try SpatialJitter(varX: 25, varY: 25).apply(edge, rng: &rng)
            XCTAssertEqual(j.count, 2)
            XCTAssertTrue(j.x.allSatisfy { $0 >= 0 && $0 <= 100 } && j.y.allSatisfy { $0 >= 0 && $0 <= 100 })
        }
    }

    func testRandomCropPositionsAreUniformAndFit() throws {
        let e = randomStream(2000)
        var rng = SeededRandom(seed: 17)
        for _ in 0..<100 {
            let c = try RandomCrop(width: 20, height: 30).apply(e, rng: &rng)
            XCTAssertEqual(c.sensorSize, SensorSize(width: 20, height: 30, polarities: 2))
            XCTAssertNoThrow(try EventStream(x: c.x, y: c.y, t: c.t, p: c.p, sensorSize: c.sensorSize))
            XCTAssertGreaterThan(c.count, 0)
        }
    }
}
