import Foundation
import SpikeCore

/// Tonic's `ToVoxelGrid(sensor_size, n_time_bins)` (`tonic.functional.to_voxel_grid_numpy`, the event volume
/// of Zhu et al. 2019 after rpg_e2vid): each event adds its signed polarity (-1 for polarity 0, +1 for 1) to
/// the two time bins around its normalised time, bilinearly. Output `[nTimeBins, 1, H, W]` (`[nTimeBins, 1, W]`
/// without `y`), float32.
///
/// As Tonic computes it, in double precision: `ts = nTimeBins * (t - t_first) / (t_last - t_first)` with the
/// first and last events of the stream (not the smallest and largest times), `i = Int(ts)` (toward zero),
/// `d = ts - i`; bin `i` gets `pol * (1 - d)` when `i < nTimeBins`, bin `i + 1` gets `pol * d` when
/// `i + 1 < nTimeBins`. Consequences kept from Tonic: events at `t_last` fall in no bin (Tonic scales by
/// `nTimeBins`, where rpg_e2vid scales by `nTimeBins - 1`); in an unsorted stream, a negative bin index wraps
/// around to the end as numpy's indexing does, and one below `-nTimeBins` is an error (Tonic raises
/// IndexError). Sums are accumulated in double precision in Tonic's order (all left contributions in stream
/// order, then all right ones) and rounded to float32 once, so values equal Tonic's float64 result rounded
/// to float32.
///
/// Where Tonic fails: an empty stream gives zeros here (Tonic raises IndexError); a stream whose first and
/// last events have the same time divides by 1 instead of 0, as rpg_e2vid does (Tonic gives NaN).
/// Needs a sensor with 2 polarities (Tonic asserts it).
public struct ToVoxelGrid: EventRepresentation, Equatable {
    /// Number of time bins, at least 1.
    public let nTimeBins: Int

    /// - Throws: `DatasetError.invalidParameter` unless `nTimeBins` is at least 1.
    public init(nTimeBins: Int) throws {
        guard nTimeBins >= 1 else { throw invalid("ToVoxelGrid", "nTimeBins", "must be at least 1", nTimeBins) }
        self.nTimeBins = nTimeBins
    }

    /// `[1, H, W]`, or `[1, W]` without `y`.
    public func stepShape(for sensor: SensorSize, hasY: Bool) -> [Int] {
        hasY ? [1, sensor.height, sensor.width] : [1, sensor.width]
    }

    /// The voxel grid of `events` (see the type's documentation).
    public func tensor(from events: EventStream) throws -> Tensor {
        let s = events.sensorSize
        guard s.polarities == 2 else {
            throw invalid("ToVoxelGrid", "sensor polarities", "must be 2", s.polarities)
        }
        let plane = s.width * s.height
        try checkTensorSize(Double(nTimeBins), cells: plane, context: "ToVoxelGrid", parameter: "nTimeBins")
        let size = nTimeBins * plane
        let shape = [nTimeBins] + stepShape(for: s, hasY: events.hasY)
        let n = events.count
        guard n > 0 else { return Tensor.zeros(shape) }
        var span = try timeDifference(events.t[n - 1], events.t[0], context: "ToVoxelGrid")
        if span == 0 { span = 1 }
        let t0 = Double(events.t[0]), denominator = Double(span), bins = Double(nTimeBins)
        var grid = [Double](repeating: 0, count: size)
        // Flat index of bin `b` at the event's pixel, wrapped once as numpy wraps a negative index.
        func index(_ i: Int, bin b: Int) throws -> Int {
            var k = Int(events.x[i]) + Int(events.y[i]) * s.width + b * plane
            if k < 0 { k += size }
            guard k >= 0 else {
                throw DatasetError.inconsistent("ToVoxelGrid: event \(i) (t = \(events.t[i]) µs) lies more than the stream's span before its first event; Tonic raises IndexError here")
            }
            return k
        }
        for pass in 0..<2 {
            for i in 0..<n {
                let ts = bins * (Double(events.t[i]) - t0) / denominator
                guard ts < bins else { continue }  // bin >= nTimeBins: neither contribution is kept
                guard ts > -(bins + 1) else {
                    throw DatasetError.inconsistent("ToVoxelGrid: event \(i) (t = \(events.t[i]) µs) lies more than the stream's span before its first event; Tonic raises IndexError here")
                }
                let b = Int(ts)
                let d = ts - Double(b)
                let pol: Double = events.p[i] == 0 ? -1 : Double(events.p[i])
                if pass == 0 {
                    grid[try index(i, bin: b)] += pol * (1.0 - d)
                } else if b + 1 < nTimeBins {
                    grid[try index(i, bin: b + 1)] += pol * d
                }
            }
        }
        return Tensor(shape: shape, scalars: grid.map { Float($0) })
    }

    /// `ToVoxelGrid(nTimeBins: ...)`.
    public var description: String { "ToVoxelGrid(nTimeBins: \(nTimeBins))" }
}

/// Tonic's `ToTimesurface(sensor_size, dt, tau)` (`tonic.functional.to_timesurface_numpy`): global time
/// surfaces sampled every `dt` µs. Output `[T, P, H, W]` (`[T, P, W]` without `y`), float32.
///
/// The events are cut into time windows as `ToFrame(timeWindow: dt, overlap:, includeIncomplete:)` cuts
/// them (windows from the first event's time; by default the last, incomplete window is dropped and its events
/// are never seen). Every pixel and polarity remembers the time of its latest event in the windows so far
/// (the last in stream order wins), and surface `i` is `exp(-((i + 1) * dt + t_start - t_memory) / tau)`,
/// 0 where no event has occurred yet, with `t_start` the time of the first event of the first window. As in
/// Tonic, the reference time `(i + 1) * dt` ignores the overlap. Computed in double precision as Tonic does
/// and rounded to float32 (values agree with Tonic to float32 rounding; `exp` itself may differ from numpy's
/// in the last bit of a double).
///
/// Tonic's transform passes only `dt` and `tau`; `overlap` and `includeIncomplete` are the functional form's
/// parameters (defaults 0 and false). Where Tonic fails: an empty stream gives one zero surface here (Tonic
/// raises IndexError); an unsorted stream whose first window holds no event is an error in both.
public struct ToTimeSurface: EventRepresentation, Equatable {
    /// Sampling interval (µs), > 0.
    public let dt: Double
    /// Decay time constant (µs), > 0.
    public let tau: Double
    /// Overlap of consecutive windows (µs), in `0..<dt`. Default 0.
    public let overlap: Double
    /// Keep the last incomplete window. Default false.
    public let includeIncomplete: Bool

    /// - Throws: `DatasetError.invalidParameter` unless `dt` and `tau` are positive and `overlap` in `0..<dt`.
    public init(dt: Double, tau: Double, overlap: Double = 0, includeIncomplete: Bool = false) throws {
        guard dt.isFinite, dt > 0 else { throw invalid("ToTimeSurface", "dt", "must be a positive number of µs", dt) }
        guard tau.isFinite, tau > 0 else { throw invalid("ToTimeSurface", "tau", "must be a positive number of µs", tau) }
        guard overlap.isFinite, overlap >= 0, overlap < dt else { throw invalid("ToTimeSurface", "overlap", "must be in 0..<dt (\(dt)) µs", overlap) }
        self.dt = dt
        self.tau = tau
        self.overlap = overlap
        self.includeIncomplete = includeIncomplete
    }

    /// `[P, H, W]`, or `[P, W]` without `y`.
    public func stepShape(for sensor: SensorSize, hasY: Bool) -> [Int] { frameStepShape(sensor, hasY: hasY) }

    /// The time surfaces of `events` (see the type's documentation).
    public func tensor(from events: EventStream) throws -> Tensor {
        let s = events.sensorSize
        let cells = s.cellCount
        let shape = stepShape(for: s, hasY: events.hasY)
        guard !events.isEmpty else { return Tensor.zeros([1] + shape) }
        let slicer = try ToFrame(timeWindow: dt, overlap: overlap, includeIncomplete: includeIncomplete)
        let ranges = try slicer.sliceRanges(events, cells: cells)
        guard let first = ranges.first, !first.isEmpty else {
            throw DatasetError.inconsistent("ToTimeSurface: the first time window holds no event (unsorted stream); Tonic raises IndexError here")
        }
        let startT = Double(events.t[first.lowerBound])
        var memory = [Double](repeating: -.infinity, count: cells)
        var out = [Float](repeating: 0, count: ranges.count * cells)
        let w = s.width, hw = s.width * s.height
        for (f, r) in ranges.enumerated() {
            for i in r {
                memory[Int(events.p[i]) * hw + Int(events.y[i]) * w + Int(events.x[i])] = Double(events.t[i])
            }
            let ref = Double(f + 1) * dt + startT
            let base = f * cells
            for c in 0..<cells {
                out[base + c] = Float(exp(-(ref - memory[c]) / tau))
            }
        }
        return Tensor(shape: [ranges.count] + shape, scalars: out)
    }

    /// `ToTimeSurface(dt: ..., tau: ..., overlap: ..., includeIncomplete: ...)`.
    public var description: String { "ToTimeSurface(dt: \(dt), tau: \(tau), overlap: \(overlap), includeIncomplete: \(includeIncomplete))" }
}
