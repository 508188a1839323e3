import Foundation
import SpikeCore

// The random transforms of Tonic 1.7. Tonic draws from numpy's global generator; here every draw comes from
// the `SeededRandom` passed to `apply`, so results are reproducible per sample (see `TransformedEvents`) but
// are not numpy's numbers: tests compare the deterministic settings (p = 0 or 1, zero variance) exactly with
// Tonic and the random ones by their statistics.

extension SeededRandom {
    /// A standard normal sample in double precision (Box-Muller, two uniform draws).
    mutating func nextGaussian() -> Double {
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

func checkProbability(_ p: Double, _ context: String) throws {
    guard p >= 0, p <= 1 else { throw invalid(context, "p", "must be a probability in [0, 1]", p) }
}

/// Tonic's `RandomCrop(sensor_size, target_size)` (`tonic.functional.crop_numpy`): keeps the events inside a
/// `width x height` window at a random position and moves them to its origin; the output sensor is
/// `(width, height, P)`.
///
/// The window's corner is `x0 = Int(u * (W - width))`, `y0 = Int(v * (H - height))` for uniform `u`, `v` in
/// `[0, 1)` drawn in that order, as Tonic does (so the last position, `W - width`, is never chosen unless it is
/// 0). The window must fit the sensor. A sensor without `y` needs `height == 1`.
public struct RandomCrop: EventTransform {
    /// Width of the window (pixels), at least 1.
    public let width: Int
    /// Height of the window (pixels), at least 1.
    public let height: Int

    /// A square `size x size` window.
    public init(size: Int) throws { try self.init(width: size, height: size) }

    /// A `width x height` window (Tonic's `target_size=(width, height)`).
    public init(width: Int, height: Int) throws {
        guard width >= 1, width <= Int(Int32.max) else { throw invalid("RandomCrop", "width", "must be in 1...\(Int32.max)", width) }
        guard height >= 1, height <= Int(Int32.max) else { throw invalid("RandomCrop", "height", "must be in 1...\(Int32.max)", height) }
        self.width = width
        self.height = height
    }

    /// The cropped events. Throws when the window is larger than the sensor.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        let s = events.sensorSize
        guard width <= s.width else { throw invalid("RandomCrop", "width", "must be at most the sensor's width \(s.width)", width) }
        guard height <= s.height else { throw invalid("RandomCrop", "height", "must be at most the sensor's height \(s.height)", height) }
        let x0 = Int(rng.nextDouble() * Double(s.width - width))
        let y0 = Int(rng.nextDouble() * Double(s.height - height))
        return cropped(events, x0: x0, y0: y0, width: width, height: height)
    }

    /// `(width, height, P)`.
    public func outputSensorSize(_ input: SensorSize) -> SensorSize {
        SensorSize(width: width, height: height, polarities: input.polarities)
    }

    /// `RandomCrop(width: ..., height: ...)`.
    public var description: String { "RandomCrop(width: \(width), height: \(height))" }
}

/// Tonic's `RandomFlipLR(sensor_size, p=0.5)`: with probability `p` (one draw `u` in `[0, 1)` per stream,
/// flipped when `u <= p` as Tonic tests it), every `x` becomes `W - 1 - x` (Tonic's docstring says
/// `width - x`; its code subtracts 1).
public struct RandomFlipLR: EventTransform {
    /// Probability of flipping the stream, in `[0, 1]`. Default 0.5.
    public let p: Double

    /// - Throws: `DatasetError.invalidParameter` unless `p` is in `[0, 1]`.
    public init(p: Double = 0.5) throws { try checkProbability(p, "RandomFlipLR"); self.p = p }

    /// The events, mirrored left-right with probability `p`.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        guard rng.nextDouble() <= p else { return events }
        var e = events
        let w1 = Int32(events.sensorSize.width - 1)
        for i in 0..<e.count { e.x[i] = w1 - e.x[i] }
        return e
    }

    /// `RandomFlipLR(p: ...)`.
    public var description: String { "RandomFlipLR(p: \(p))" }
}

/// Tonic's `RandomFlipUD(sensor_size, p=0.5)`: with probability `p` (one draw per stream, `u <= p`), every `y`
/// becomes `H - 1 - y`. A no-op on a sensor without `y` (Tonic needs a `y` field).
public struct RandomFlipUD: EventTransform {
    /// Probability of flipping the stream, in `[0, 1]`. Default 0.5.
    public let p: Double

    /// - Throws: `DatasetError.invalidParameter` unless `p` is in `[0, 1]`.
    public init(p: Double = 0.5) throws { try checkProbability(p, "RandomFlipUD"); self.p = p }

    /// The events, mirrored up-down with probability `p`.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        guard rng.nextDouble() <= p, events.hasY else { return events }
        var e = events
        let h1 = Int32(events.sensorSize.height - 1)
        for i in 0..<e.count { e.y[i] = h1 - e.y[i] }
        return e
    }

    /// `RandomFlipUD(p: ...)`.
    public var description: String { "RandomFlipUD(p: \(p))" }
}

/// Tonic's `RandomFlipPolarity(p=0.5)`: with probability `p` (one draw per stream, `u <= p`) the polarities of
/// **all** events are flipped, 0 becoming 1 and every other value 0. (Tonic's docstring speaks of flipping
/// individual events; its code makes one draw for the whole stream.) Needs a sensor with at least two
/// polarities.
public struct RandomFlipPolarity: EventTransform {
    /// Probability of flipping the stream's polarities, in `[0, 1]`. Default 0.5.
    public let p: Double

    /// - Throws: `DatasetError.invalidParameter` unless `p` is in `[0, 1]`.
    public init(p: Double = 0.5) throws { try checkProbability(p, "RandomFlipPolarity"); self.p = p }

    /// The events with flipped polarities, with probability `p`.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        guard events.sensorSize.polarities >= 2 else {
            throw invalid("RandomFlipPolarity", "sensor polarities", "must be at least 2", events.sensorSize.polarities)
        }
        guard rng.nextDouble() <= p else { return events }
        var e = events
        for i in 0..<e.count { e.p[i] = e.p[i] == 0 ? 1 : 0 }
        return e
    }

    /// `RandomFlipPolarity(p: ...)`.
    public var description: String { "RandomFlipPolarity(p: \(p))" }
}

/// Tonic's `TimeJitter(std, clip_negative=True, sort_timestamps=False)`: adds Gaussian noise of standard
/// deviation `std` µs to every time.
///
/// As Tonic computes it, `t' = Int(Double(t) + std * z)` truncated toward zero (numpy's assignment of floats
/// into the integer time field: a jittered time of -0.7 becomes 0 and is kept). With `clipNegative`, events
/// with `t' < 0` are dropped; with `sortTimestamps`, the events are sorted by `t'`, ties kept in stream order
/// (numpy's default argsort is not stable, so Tonic's order of ties is unspecified). The functional form's
/// default of `clip_negative` is False; the transform's, followed here, is True.
public struct TimeJitter: EventTransform {
    /// Standard deviation of the jitter in µs, at least 0.
    public let std: Double
    /// Drop events whose jittered time is negative. Default true.
    public let clipNegative: Bool
    /// Sort the events by their jittered times. Default false.
    public let sortTimestamps: Bool

    /// - Throws: `DatasetError.invalidParameter` unless `std` is finite and at least 0.
    public init(std: Double, clipNegative: Bool = true, sortTimestamps: Bool = false) throws {
        guard std.isFinite, std >= 0 else { throw invalid("TimeJitter", "std", "must be a finite number of µs >= 0", std) }
        self.std = std
        self.clipNegative = clipNegative
        self.sortTimestamps = sortTimestamps
    }

    /// The jittered events (one normal draw per event, in stream order).
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        var e = events
        let limit = 9.223372036854775807e18
        for i in 0..<e.count {
            let t = Double(e.t[i]) + std * rng.nextGaussian()
            guard t > -limit, t < limit else {
                throw DatasetError.inconsistent("TimeJitter: jittered time \(t) µs leaves the 64-bit range")
            }
            e.t[i] = Int64(t)
        }
        if clipNegative, e.t.contains(where: { $0 < 0 }) {
            let keep = e.t.map { $0 >= 0 }
            e = e.keeping(keep, kept: keep.reduce(0) { $0 + ($1 ? 1 : 0) })
        }
        if sortTimestamps, !e.isSortedByTime {
            let order = (0..<e.count).sorted { e.t[$0] < e.t[$1] || (e.t[$0] == e.t[$1] && $0 < $1) }
            e = e.selecting(order)
        }
        return e
    }

    /// `TimeJitter(std: ..., clipNegative: ..., sortTimestamps: ...)`.
    public var description: String { "TimeJitter(std: \(std), clipNegative: \(clipNegative), sortTimestamps: \(sortTimestamps))" }
}

/// Tonic's `SpatialJitter(sensor_size, var_x=1, var_y=1, sigma_xy=0, clip_outliers=False)`: adds to each
/// event's `(x, y)` a sample of a 2-D Gaussian with covariance `[[varX, sigmaXY], [sigmaXY, varY]]`.
///
/// The shift is `dx = a * z1`, `dy = b * z1 + c * z2` (Cholesky factor of the covariance, two normal draws
/// per event in stream order), and `x' = Int(Double(x) + dx)` truncated toward zero as numpy's assignment into
/// Tonic's integer fields does (a shift from 0 to -0.6 stays at 0). With `clipOutliers`, events that leave
/// the sensor are dropped, as in Tonic. Without it Tonic keeps them outside the sensor (where its `ToFrame`
/// then wraps negative indices around or fails); here they are moved onto the nearest edge instead, so the
/// stream stays valid. A sensor without `y` is jittered in `x` only (`z1`, one draw per event).
public struct SpatialJitter: EventTransform {
    /// Variance of the x shift (pixels²), at least 0. Default 1.
    public let varX: Double
    /// Variance of the y shift (pixels²), at least 0. Default 1.
    public let varY: Double
    /// Covariance of the x and y shifts; `sigmaXY² <= varX * varY`. Default 0.
    public let sigmaXY: Double
    /// Drop events jittered outside the sensor. Default false.
    public let clipOutliers: Bool

    /// - Throws: `DatasetError.invalidParameter` unless the covariance is positive semi-definite.
    public init(varX: Double = 1, varY: Double = 1, sigmaXY: Double = 0, clipOutliers: Bool = false) throws {
        guard varX.isFinite, varX >= 0 else { throw invalid("SpatialJitter", "varX", "must be a finite variance >= 0", varX) }
        guard varY.isFinite, varY >= 0 else { throw invalid("SpatialJitter", "varY", "must be a finite variance >= 0", varY) }
        guard sigmaXY.isFinite, sigmaXY * sigmaXY <= varX * varY else {
            throw invalid("SpatialJitter", "sigmaXY", "must satisfy sigmaXY^2 <= varX * varY (\(varX * varY))", sigmaXY)
        }
        self.varX = varX
        self.varY = varY
        self.sigmaXY = sigmaXY
        self.clipOutliers = clipOutliers
    }

    /// The jittered events.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        let a = varX.squareRoot()
        let b = a > 0 ? sigmaXY / a : 0
        let c = max(varY - b * b, 0).squareRoot()
        let w = Double(events.sensorSize.width), h = Double(events.sensorSize.height)
        var e = events
        var keep = [Bool](repeating: true, count: e.count)
        var kept = e.count
        for i in 0..<e.count {
            let z1 = rng.nextGaussian()
            var nx = (Double(e.x[i]) + a * z1).rounded(.towardZero)
            var ny = Double(e.y[i])
            if events.hasY { ny = (ny + b * z1 + c * rng.nextGaussian()).rounded(.towardZero) }
            if nx < 0 || nx >= w || ny < 0 || ny >= h {
                if clipOutliers { keep[i] = false; kept -= 1; continue }
                nx = min(max(nx, 0), w - 1)
                ny = min(max(ny, 0), h - 1)
            }
            e.x[i] = Int32(nx)
            e.y[i] = Int32(ny)
        }
        return kept == e.count ? e : e.keeping(keep, kept: kept)
    }

    /// `SpatialJitter(varX: ..., varY: ..., sigmaXY: ..., clipOutliers: ...)`.
    public var description: String { "SpatialJitter(varX: \(varX), varY: \(varY), sigmaXY: \(sigmaXY), clipOutliers: \(clipOutliers))" }
}

/// Tonic's `DropEvent(p)` (`tonic.functional.drop_event_numpy`): drops exactly `Int(p * N + 0.5)` events
/// (`p * N` rounded half up), chosen uniformly at random without replacement; the others keep their order.
/// (Tonic's alternative of a `(low, high)` range of `p` drawn per call is not provided.)
public struct DropEvent: EventTransform {
    /// Fraction of events dropped, in `[0, 1]`.
    public let p: Double

    /// - Throws: `DatasetError.invalidParameter` unless `p` is in `[0, 1]`.
    public init(p: Double) throws { try checkProbability(p, "DropEvent"); self.p = p }

    /// The events kept (selection sampling: one uniform draw per event, in stream order).
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        let n = events.count
        let drop = Int(p * Double(n) + 0.5)
        guard drop > 0 else { return events }
        var keep = [Bool](repeating: true, count: n)
        var needed = drop
        for i in 0..<n where needed > 0 {
            // Drop event i with probability needed / (events left): exactly `drop` dropped, every subset
            // equally likely (Knuth's selection sampling).
            if Double(n - i) * rng.nextDouble() < Double(needed) { keep[i] = false; needed -= 1 }
        }
        return events.keeping(keep, kept: n - drop)
    }

    /// `DropEvent(p: ...)`.
    public var description: String { "DropEvent(p: \(p))" }
}
