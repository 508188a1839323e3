import Foundation
import SpikeCore

// The deterministic transforms of Tonic 1.7 (`tonic.transforms` and `tonic.functional`). Each follows Tonic's
// code where its documentation says otherwise; the differences are noted where they occur.

extension EventStream {
    /// The events whose `keep` flag is set, in order (one pass, capacity reserved once).
    func keeping(_ keep: [Bool], kept: Int) -> EventStream {
        var nx = [Int32](), ny = [Int32](), nt = [Int64](), np = [Int32]()
        nx.reserveCapacity(kept); ny.reserveCapacity(kept); nt.reserveCapacity(kept); np.reserveCapacity(kept)
        for i in 0..<count where keep[i] {
            nx.append(x[i]); ny.append(y[i]); nt.append(t[i]); np.append(p[i])
        }
        return EventStream(unchecked: nx, y: ny, t: nt, p: np, sensorSize: sensorSize, hasY: hasY)
    }
}

/// Python's `a // 2` (floor division) for a possibly negative `a`.
@inline(__always) func floorHalf(_ a: Int) -> Int { a >= 0 ? a / 2 : -((-a + 1) / 2) }

func invalid(_ context: String, _ parameter: String, _ requirement: String, _ got: Any) -> DatasetError {
    .invalidParameter(context: context, parameter: parameter, requirement: requirement, got: "\(got)")
}

/// Tonic's `Denoise(filter_time)` (`tonic.functional.denoise_numpy`): drops events that have no event at one
/// of the four neighbouring pixels (left, right, up, down; either polarity) within `filterTime` µs before
/// them.
///
/// Events are visited in stream order. Each sets its own pixel's memory to `t + filterTime`, then is kept if a
/// neighbour's memory is greater than `t`. As in Tonic: the memory starts at `filterTime` (not at minus
/// infinity), so an event earlier than `filterTime` is kept whenever it has a neighbouring pixel at all; and
/// "neighbouring" is bounded by the largest `x` and `y` among the events (not the sensor), so an event on the
/// column of the largest `x` has no right neighbour. Works on unsorted streams as Tonic does (order of the
/// stream). For a sensor without `y`, only left and right neighbours exist (Tonic needs a `y` field).
public struct Denoise: EventTransform {
    /// The time (µs) within which a neighbouring event must have occurred; at least 0. Tonic has no default
    /// for the transform (10000 for the functional form).
    public let filterTime: Double

    /// - Throws: `DatasetError.invalidParameter` unless `filterTime` is finite and at least 0.
    public init(filterTime: Double) throws {
        guard filterTime.isFinite, filterTime >= 0 else { throw invalid("Denoise", "filterTime", "must be a finite number of µs >= 0", filterTime) }
        self.filterTime = filterTime
    }

    /// The events kept, in order.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        let n = events.count
        guard n > 0 else { return events }
        let width = Int(events.x.max()!) + 1, height = Int(events.y.max()!) + 1
        var memory = [Double](repeating: filterTime, count: width * height)
        var keep = [Bool](repeating: false, count: n)
        var kept = 0
        memory.withUnsafeMutableBufferPointer { m in
            for i in 0..<n {
                let x = Int(events.x[i]), y = Int(events.y[i]), t = Double(events.t[i])
                let c = x * height + y
                m[c] = t + filterTime
                if (x > 0 && m[c - height] > t) || (x < width - 1 && m[c + height] > t)
                    || (y > 0 && m[c - 1] > t) || (y < height - 1 && m[c + 1] > t) {
                    keep[i] = true
                    kept += 1
                }
            }
        }
        return events.keeping(keep, kept: kept)
    }

    /// `Denoise(filterTime: ...)`.
    public var description: String { "Denoise(filterTime: \(filterTime))" }
}

/// Tonic's `RefractoryPeriod(delta)` (`tonic.functional.refractory_period_numpy`): an event is kept if more
/// than `delta` µs have passed since the previous event at its pixel (either polarity).
///
/// As in Tonic's code: the previous event counts whether it was kept or dropped (every event resets its
/// pixel's clock), and a pixel's clock starts at `-delta`, so the first event of a pixel is kept only if its
/// time is greater than 0 (an event at t = 0 is dropped). Events are visited in stream order. Tonic's
/// alternative of a `(low, high)` range of `delta` drawn per call is not provided.
public struct RefractoryPeriod: EventTransform {
    /// The refractory period in µs, at least 0.
    public let delta: Double

    /// - Throws: `DatasetError.invalidParameter` unless `delta` is finite and at least 0.
    public init(delta: Double) throws {
        guard delta.isFinite, delta >= 0 else { throw invalid("RefractoryPeriod", "delta", "must be a finite number of µs >= 0", delta) }
        self.delta = delta
    }

    /// The events kept, in order.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        let n = events.count
        guard n > 0 else { return events }
        let width = Int(events.x.max()!) + 1, height = Int(events.y.max()!) + 1
        var memory = [Double](repeating: -delta, count: width * height)
        var keep = [Bool](repeating: false, count: n)
        var kept = 0
        for i in 0..<n {
            let c = Int(events.x[i]) * height + Int(events.y[i]), t = Double(events.t[i])
            if t - memory[c] > delta { keep[i] = true; kept += 1 }
            memory[c] = t
        }
        return events.keeping(keep, kept: kept)
    }

    /// `RefractoryPeriod(delta: ...)`.
    public var description: String { "RefractoryPeriod(delta: \(delta))" }
}

/// Tonic's `MergePolarities()`: every polarity becomes 0.
///
/// The output sensor has one polarity (`(W, H, 1)`), the sensor size Tonic's users pass to the transforms
/// that follow (Tonic itself does not track the sensor).
public struct MergePolarities: EventTransform {
    /// The transform (no parameters).
    public init() {}

    /// The same events with polarity 0, on a one-polarity sensor.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        var e = events
        e.p = [Int32](repeating: 0, count: events.count)
        e.sensorSize = outputSensorSize(events.sensorSize)
        return e
    }

    /// `(W, H, 1)`.
    public func outputSensorSize(_ input: SensorSize) -> SensorSize {
        SensorSize(width: input.width, height: input.height, polarities: 1)
    }

    /// `MergePolarities()`.
    public var description: String { "MergePolarities()" }
}

/// Tonic's `TimeAlignment()`: subtracts the smallest time from every time, so the earliest event is at 0.
public struct TimeAlignment: EventTransform {
    /// The transform (no parameters).
    public init() {}

    /// The events shifted in time. Throws when a time span does not fit in 64 bits.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        guard let m = events.t.min() else { return events }
        var e = events
        for i in 0..<e.count { e.t[i] = try timeDifference(e.t[i], m, context: "TimeAlignment") }
        return e
    }

    /// `TimeAlignment()`.
    public var description: String { "TimeAlignment()" }
}

/// Tonic's `Downsample(time_factor, spatial_factor, sensor_size, target_size)`: multiplies times and
/// coordinates by factors; no event is dropped.
///
/// As Tonic computes it: `t' = Int(Double(t) * timeFactor)`, `x' = Int(Double(x) * spatialFactorX)`,
/// `y' = Int(Double(y) * spatialFactorY)` in double precision, truncated toward zero (numpy's assignment of
/// floats into integer fields). With `targetSize`, the factors are `targetWidth / W` and `targetHeight / H`
/// of the stream's sensor (Tonic's `target_size` with `sensor_size`).
///
/// Output sensor (Tonic leaves it to the user): `targetSize` when given, else the smallest sensor that holds
/// every scaled coordinate, `floor((W - 1) * factor) + 1` (34 x 34 at 0.5 gives 17 x 17; at 0.25, 9 x 9).
/// Factors must be positive here (Tonic would accept negative ones and produce negative coordinates).
public struct Downsample: EventTransform {
    /// Factor on times (e.g. 0.001 turns µs into ms). Default 1.
    public let timeFactor: Double
    /// Factor on x. Default 1.
    public let spatialFactorX: Double
    /// Factor on y. Default 1.
    public let spatialFactorY: Double
    /// The target `(width, height)` that replaces the spatial factors, or nil.
    public let targetSize: (width: Int, height: Int)?

    /// Times scaled by `timeFactor`, both coordinates by `spatialFactor` (Tonic's scalar `spatial_factor`).
    public init(timeFactor: Double = 1, spatialFactor: Double = 1) throws {
        try self.init(timeFactor: timeFactor, spatialFactorX: spatialFactor, spatialFactorY: spatialFactor)
    }

    /// Times scaled by `timeFactor`, x by `spatialFactorX`, y by `spatialFactorY` (a tuple `spatial_factor`).
    public init(timeFactor: Double = 1, spatialFactorX: Double, spatialFactorY: Double) throws {
        for (name, v) in [("timeFactor", timeFactor), ("spatialFactorX", spatialFactorX), ("spatialFactorY", spatialFactorY)] {
            guard v.isFinite, v > 0 else { throw invalid("Downsample", name, "must be a finite number > 0", v) }
        }
        self.timeFactor = timeFactor
        self.spatialFactorX = spatialFactorX
        self.spatialFactorY = spatialFactorY
        self.targetSize = nil
    }

    /// Coordinates scaled to a sensor of `targetSize` (Tonic's `target_size`; factors `target / sensor` of
    /// the stream's sensor), times by `timeFactor`.
    public init(timeFactor: Double = 1, targetSize: (width: Int, height: Int)) throws {
        guard timeFactor.isFinite, timeFactor > 0 else { throw invalid("Downsample", "timeFactor", "must be a finite number > 0", timeFactor) }
        guard targetSize.width >= 1, targetSize.height >= 1, targetSize.width <= Int(Int32.max), targetSize.height <= Int(Int32.max) else {
            throw invalid("Downsample", "targetSize", "must be at least (1, 1)", "(\(targetSize.width), \(targetSize.height))")
        }
        self.timeFactor = timeFactor
        self.spatialFactorX = 1
        self.spatialFactorY = 1
        self.targetSize = targetSize
    }

    func factors(_ s: SensorSize) -> (Double, Double) {
        if let ts = targetSize { return (Double(ts.width) / Double(s.width), Double(ts.height) / Double(s.height)) }
        return (spatialFactorX, spatialFactorY)
    }

    /// The scaled events on `outputSensorSize(events.sensorSize)`. Throws when a scaled time leaves the
    /// 64-bit range.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        var e = events
        let (fx, fy) = factors(events.sensorSize)
        e.sensorSize = outputSensorSize(events.sensorSize)
        try e.sensorSize.validate(context: "Downsample: output sensor")
        let limit = 9.223372036854775807e18
        for i in 0..<e.count {
            let t = Double(e.t[i]) * timeFactor
            guard t > -limit, t < limit else {
                throw DatasetError.inconsistent("Downsample: time \(e.t[i]) µs times \(timeFactor) leaves the 64-bit range")
            }
            e.t[i] = Int64(t)
            e.x[i] = Int32(Double(e.x[i]) * fx)
            if events.hasY { e.y[i] = Int32(Double(e.y[i]) * fy) }
        }
        return e
    }

    /// `targetSize`, or `floor((W - 1) * factor) + 1` per axis; polarities unchanged.
    public func outputSensorSize(_ input: SensorSize) -> SensorSize {
        if let ts = targetSize { return SensorSize(width: ts.width, height: ts.height, polarities: input.polarities) }
        // Clamped below Int's range; a size past Int32.max is refused by `apply`.
        return SensorSize(width: Int(min(Double(input.width - 1) * spatialFactorX, 1e18)) + 1,
                          height: Int(min(Double(input.height - 1) * spatialFactorY, 1e18)) + 1, polarities: input.polarities)
    }

    /// `Downsample(timeFactor: ..., spatialFactorX: ..., spatialFactorY: ...)` or with `targetSize`.
    public var description: String {
        if let ts = targetSize { return "Downsample(timeFactor: \(timeFactor), targetSize: (\(ts.width), \(ts.height)))" }
        return "Downsample(timeFactor: \(timeFactor), spatialFactorX: \(spatialFactorX), spatialFactorY: \(spatialFactorY))"
    }
}

/// Tonic's `CenterCrop(sensor_size, size)`: keeps the events inside a centred `width x height` window and
/// moves them to its origin.
///
/// Offsets are `(W - width) // 2` and `(H - height) // 2` (floor division). As Tonic: `size` is
/// `(width, height)` (Tonic's docstring says `(h, w)`, its code uses the first value for x); a window larger
/// than the sensor pads, keeping every event on that axis and shifting it by the (negative) offset. The
/// output sensor is `(width, height, P)`. A sensor without `y` needs `height == 1`.
public struct CenterCrop: EventTransform {
    /// Width of the window (pixels), at least 1.
    public let width: Int
    /// Height of the window (pixels), at least 1.
    public let height: Int

    /// A square `size x size` window (Tonic's integer `size`).
    public init(size: Int) throws { try self.init(width: size, height: size) }

    /// A `width x height` window (Tonic's `size=(width, height)`).
    public init(width: Int, height: Int) throws {
        guard width >= 1, width <= Int(Int32.max) else { throw invalid("CenterCrop", "width", "must be in 1...\(Int32.max)", width) }
        guard height >= 1, height <= Int(Int32.max) else { throw invalid("CenterCrop", "height", "must be in 1...\(Int32.max)", height) }
        self.width = width
        self.height = height
    }

    /// The cropped events on a `(width, height, P)` sensor.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        let s = events.sensorSize
        guard events.hasY || height == 1 else {
            throw invalid("CenterCrop", "height", "must be 1 for a sensor without y", height)
        }
        let ox = floorHalf(s.width - width), oy = floorHalf(s.height - height)
        return cropped(events, x0: ox, y0: oy, width: width, height: height)
    }

    /// `(width, height, P)`.
    public func outputSensorSize(_ input: SensorSize) -> SensorSize {
        SensorSize(width: width, height: height, polarities: input.polarities)
    }

    /// `CenterCrop(width: ..., height: ...)`.
    public var description: String { "CenterCrop(width: \(width), height: \(height))" }
}

/// Events inside `[max(x0, 0), max(x0, 0) + width) x [max(y0, 0), max(y0, 0) + height)`, moved by `(-x0, -y0)`,
/// on a `(width, height, P)` sensor (Tonic's crop: the filter clamps a negative offset to 0, the shift does not).
func cropped(_ events: EventStream, x0: Int, y0: Int, width: Int, height: Int) -> EventStream {
    let fx = max(x0, 0), fy = max(y0, 0)
    var nx = [Int32](), ny = [Int32](), nt = [Int64](), np = [Int32]()
    nx.reserveCapacity(events.count); ny.reserveCapacity(events.count)
    nt.reserveCapacity(events.count); np.reserveCapacity(events.count)
    for i in 0..<events.count {
        let x = Int(events.x[i]), y = Int(events.y[i])
        guard x >= fx, x < fx + width, y >= fy, y < fy + height else { continue }
        nx.append(Int32(x - x0)); ny.append(Int32(y - y0)); nt.append(events.t[i]); np.append(events.p[i])
    }
    return EventStream(unchecked: nx, y: ny, t: nt, p: np,
                       sensorSize: SensorSize(width: width, height: height, polarities: events.sensorSize.polarities),
                       hasY: events.hasY)
}
