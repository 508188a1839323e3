import Foundation
import SpikeCore

/// Tonic's `ToFrame` (tonic 1.7, `tonic.transforms.ToFrame` with `tonic.functional.to_frame_numpy` and
/// `tonic.slicers`): events are cut into slices and the events of each slice are counted per polarity and
/// pixel, giving `[T, P, H, W]` (or `[T, P, W]` for a sensor without `y`), float32.
///
/// Exactly one slicing method is chosen:
/// - `timeWindow` (µs): windows `[s_i, s_i + timeWindow)` with `s_i = start + i * (timeWindow - overlap)`,
///   `start` the **first** event's time (not the smallest) or `startTime`; `end` is the last event's time or
///   `endTime`. The count is `floor((end - start - timeWindow) / stride) + 1`
///   (`ceil` with `includeIncomplete`), at least 1. `overlap` is in µs.
/// - `eventCount`: slices of `min(eventCount, N)` consecutive events starting every
///   `eventCount - overlap` events; `floor((N - min(eventCount, N)) / stride) + 1` slices (`ceil` with
///   `includeIncomplete`, the last one then shorter). `overlap` is a number of events.
/// - `nTimeBins`: `nTimeBins` windows of length `w = ((t_last - t_first) // nTimeBins) * (1 + overlap)`
///   (integer floor division first) starting every `w * (1 - overlap)` µs from the first event's time.
///   Because of the floor division and the half-open windows, events in the last
///   `(t_last - t_first) % nTimeBins` µs and at `t_last` itself are in no frame, and a stream whose events
///   all have one time gives only empty frames. `overlap` is a fraction of a bin in `[0, 1)`.
/// - `nEventBins`: `nEventBins` slices of `c = Int((N // nEventBins) * (1 + overlap))` events starting every
///   `Int(c * (1 - overlap))` events; the last `N % nEventBins` events (about) are in no frame.
///
/// Window edges are found by binary search on the times as numpy's `searchsorted` does it (Tonic does not sort
/// the events), so unsorted streams give Tonic's frames too. An empty stream gives Tonic's empty-stream
/// result: one zero frame for `timeWindow` / `eventCount`, `nTimeBins` / `nEventBins` zero frames. (Tonic's
/// code returns those empty frames as `[T, P, W, H]`, transposed against every other output of `ToFrame`; we
/// keep `[T, P, H, W]`, which is all zeros either way.)
///
/// Differences from Tonic, all outside its working range: Tonic counts in int16, so more than 32767 events
/// of one pixel in one frame wrap around there; here counts are exact (float32 holds integers to 2^24).
/// Sizes are checked before allocating (`TransformLimits.maximumTensorElements`).
public struct ToFrame: EventRepresentation, Equatable {
    /// How events are cut into frames (see the type's documentation).
    public enum Slicing: Sendable, Equatable {
        /// Windows of this many microseconds.
        case timeWindow(Double)
        /// Slices of this many events.
        case eventCount(Int)
        /// This many frames, equal in time.
        case timeBins(Int)
        /// This many frames, equal in number of events.
        case eventBins(Int)
    }

    /// The slicing method and its size.
    public let slicing: Slicing
    /// Overlap of consecutive slices: µs for `timeWindow`, events for `eventCount`, a fraction of a bin for
    /// the bin methods. Default 0.
    public let overlap: Double
    /// Whether the last, shorter slice is kept (`timeWindow` and `eventCount` only). Default false.
    public let includeIncomplete: Bool
    /// The time of the first window's start for `timeWindow` (µs); default: the first event's time.
    public let startTime: Double?
    /// The end time for counting windows with `timeWindow` (µs); default: the last event's time.
    public let endTime: Double?

    /// A frame representation with exactly one of `timeWindow` (µs, > 0), `eventCount` (> 0), `nTimeBins`
    /// (> 0) or `nEventBins` (> 0), Tonic's parameters and defaults.
    /// - Parameters:
    ///   - overlap: for `timeWindow` in `0 ..< timeWindow` µs, for `eventCount` in `0 ..< eventCount` events
    ///     (an integer), for the bin methods a fraction in `[0, 1)`.
    ///   - includeIncomplete: keep the last incomplete slice (`timeWindow`, `eventCount`).
    ///   - startTime, endTime: `timeWindow` only; see the type's documentation.
    /// - Throws: `DatasetError.invalidParameter` ("to_frame: ...") for anything else.
    public init(timeWindow: Double? = nil, eventCount: Int? = nil, nTimeBins: Int? = nil, nEventBins: Int? = nil,
                overlap: Double = 0, includeIncomplete: Bool = false,
                startTime: Double? = nil, endTime: Double? = nil) throws {
        let ctx = "ToFrame"
        let given = [timeWindow != nil, eventCount != nil, nTimeBins != nil, nEventBins != nil].filter { $0 }.count
        guard given == 1 else {
            throw DatasetError.invalidParameter(context: ctx, parameter: "timeWindow/eventCount/nTimeBins/nEventBins",
                                                requirement: "must be given exactly one", got: "\(given)")
        }
        func bad(_ p: String, _ req: String, _ v: Any) -> DatasetError {
            .invalidParameter(context: ctx, parameter: p, requirement: req, got: "\(v)")
        }
        guard overlap.isFinite else { throw bad("overlap", "must be finite", overlap) }
        if let w = timeWindow {
            guard w.isFinite, w > 0 else { throw bad("timeWindow", "must be a positive number of µs", w) }
            guard overlap >= 0, overlap < w else { throw bad("overlap", "must be in 0..<timeWindow (\(w)) µs", overlap) }
            slicing = .timeWindow(w)
        } else if let c = eventCount {
            guard c > 0 else { throw bad("eventCount", "must be at least 1", c) }
            guard overlap >= 0, overlap < Double(c), overlap == overlap.rounded() else {
                throw bad("overlap", "must be a whole number of events in 0..<eventCount (\(c))", overlap)
            }
            slicing = .eventCount(c)
        } else if let b = nTimeBins {
            guard b > 0 else { throw bad("nTimeBins", "must be at least 1", b) }
            guard overlap >= 0, overlap < 1 else { throw bad("overlap", "must be a fraction in [0, 1)", overlap) }
            slicing = .timeBins(b)
        } else {
            let b = nEventBins!
            guard b > 0 else { throw bad("nEventBins", "must be at least 1", b) }
            guard overlap >= 0, overlap < 1 else { throw bad("overlap", "must be a fraction in [0, 1)", overlap) }
            slicing = .eventBins(b)
        }
        if startTime != nil || endTime != nil {
            guard case .timeWindow = slicing else {
                throw bad(startTime != nil ? "startTime" : "endTime", "is only used with timeWindow", startTime ?? endTime!)
            }
            if let s = startTime, !s.isFinite { throw bad("startTime", "must be finite", s) }
            if let e = endTime, !e.isFinite { throw bad("endTime", "must be finite", e) }
        }
        self.overlap = overlap
        self.includeIncomplete = includeIncomplete
        self.startTime = startTime
        self.endTime = endTime
    }

    /// `ToFrame(nTimeBins: 10, overlap: 0.0)` and so on: the method, its size and every other parameter.
    public var description: String {
        let m: String
        switch slicing {
        case .timeWindow(let w): m = "timeWindow: \(w)"
        case .eventCount(let c): m = "eventCount: \(c)"
        case .timeBins(let b): m = "nTimeBins: \(b)"
        case .eventBins(let b): m = "nEventBins: \(b)"
        }
        var s = "ToFrame(\(m), overlap: \(overlap), includeIncomplete: \(includeIncomplete)"
        if let st = startTime { s += ", startTime: \(st)" }
        if let e = endTime { s += ", endTime: \(e)" }
        return s + ")"
    }

    /// `[P, H, W]`, or `[P, W]` without `y`.
    public func stepShape(for sensor: SensorSize, hasY: Bool) -> [Int] { frameStepShape(sensor, hasY: hasY) }

    /// The `(start, end)` event index ranges of the slices, as Tonic's slicers compute them (ranges clipped
    /// to the stream as Python slicing does). Throws when the number of slices times `cells` exceeds
    /// `TransformLimits.maximumTensorElements`.
    public func sliceRanges(_ events: EventStream, cells: Int = 1) throws -> [Range<Int>] {
        let n = events.count
        if n == 0 {
            switch slicing {
            case .timeWindow, .eventCount: return [0..<0]
            case .timeBins(let b), .eventBins(let b):
                try checkTensorSize(Double(b), cells: cells, context: "ToFrame", parameter: "nTimeBins/nEventBins")
                return [Range<Int>](repeating: 0..<0, count: b)
            }
        }
        switch slicing {
        case .timeWindow(let w):
            let stride = w - overlap
            let start: Double, duration: Double
            if startTime == nil && endTime == nil {
                start = Double(events.t[0])
                duration = Double(try timeDifference(events.t[n - 1], events.t[0], context: "ToFrame"))
            } else {
                start = startTime ?? Double(events.t[0])
                duration = (endTime ?? Double(events.t[n - 1])) - start
            }
            let q = (duration - w) / stride
            let count = max((includeIncomplete ? q.rounded(.up) : q.rounded(.down)) + 1, 1)
            try checkTensorSize(count, cells: cells, context: "ToFrame", parameter: "timeWindow")
            let k = Int(count)
            var starts = [Double](repeating: 0, count: k), ends = starts
            for i in 0..<k {
                starts[i] = Double(i) * stride + start
                ends[i] = starts[i] + w
            }
            return events.t.withUnsafeBufferPointer { t in
                let a = numpySearchSortedLeft(t, keys: starts), b = numpySearchSortedLeft(t, keys: ends)
                return (0..<k).map { a[$0]..<max(a[$0], b[$0]) }
            }
        case .eventCount(let c):
            let ec = min(c, n)
            let stride = Double(c) - overlap
            let q = Double(n - ec) / stride
            let count = (includeIncomplete ? q.rounded(.up) : q.rounded(.down)) + 1
            try checkTensorSize(count, cells: cells, context: "ToFrame", parameter: "eventCount")
            return (0..<Int(count)).map { i in
                let s = Int(Double(i) * stride)
                return min(s, n)..<min(s + ec, n)
            }
        case .timeBins(let b):
            try checkTensorSize(Double(b), cells: cells, context: "ToFrame", parameter: "nTimeBins")
            let span = try timeDifference(events.t[n - 1], events.t[0], context: "ToFrame")
            let (q, r) = span.quotientAndRemainder(dividingBy: Int64(b))
            let floorDiv = (r != 0 && (r < 0) != (b < 0)) ? q - 1 : q  // Python's //, also for a negative span
            let w = Double(floorDiv) * (1 + overlap)
            let stride = w * (1 - overlap)
            let t0 = Double(events.t[0])
            var starts = [Double](repeating: 0, count: b), ends = starts
            for i in 0..<b {
                starts[i] = Double(i) * stride + t0
                ends[i] = starts[i] + w
            }
            return events.t.withUnsafeBufferPointer { t in
                let a = numpySearchSortedLeft(t, keys: starts), e = numpySearchSortedLeft(t, keys: ends)
                return (0..<b).map { a[$0]..<max(a[$0], e[$0]) }
            }
        case .eventBins(let b):
            try checkTensorSize(Double(b), cells: cells, context: "ToFrame", parameter: "nEventBins")
            let c = Int(Double(n / b) * (1 + overlap))
            let stride = Int(Double(c) * (1 - overlap))
            return (0..<b).map { i in min(i * stride, n)..<min(i * stride + c, n) }
        }
    }

    /// The frames of `events` (see the type's documentation), float32 counts.
    public func tensor(from events: EventStream) throws -> Tensor {
        let s = events.sensorSize
        let shape = stepShape(for: s, hasY: events.hasY)
        let cells = s.cellCount
        let ranges = try sliceRanges(events, cells: cells)
        var out = [Float](repeating: 0, count: ranges.count * cells)
        let w = s.width, hw = s.width * s.height
        out.withUnsafeMutableBufferPointer { o in
            events.x.withUnsafeBufferPointer { x in
                events.y.withUnsafeBufferPointer { y in
                    events.p.withUnsafeBufferPointer { p in
                        for (f, r) in ranges.enumerated() {
                            let base = f * cells
                            for i in r {
                                o[base + Int(p[i]) * hw + Int(y[i]) * w + Int(x[i])] += 1
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [ranges.count] + shape, scalars: out)
    }
}

/// A representation whose steps are flattened: `[T, a, b, ...]` becomes `[T, a * b * ...]`.
///
/// Binning the spike trains of audio data sets: SHD's events are on a `(700, 1, 1)` sensor without `y`, so
/// `ToFrame(nTimeBins: T)` gives `[T, 1, 700]` as Tonic does, and `ToFrame(nTimeBins: T).flattened()` gives
/// the `[T, 700]` (`[T, units]`) that a network's first linear layer takes.
public struct FlattenSteps<Base: EventRepresentation>: EventRepresentation {
    /// The representation whose steps are flattened.
    public var base: Base

    /// Flattens the steps of `base`.
    public init(_ base: Base) { self.base = base }

    /// `base`'s tensor reshaped to `[T, product of its step shape]` (the same elements in the same order).
    public func tensor(from events: EventStream) throws -> Tensor {
        let t = try base.tensor(from: events)
        let steps = t.shape.first ?? 0
        return Tensor(shape: [steps, t.shape.dropFirst().reduce(1, *)], scalars: t.scalars)
    }

    /// `[product of base's step shape]`.
    public func stepShape(for sensor: SensorSize, hasY: Bool) -> [Int] {
        [base.stepShape(for: sensor, hasY: hasY).reduce(1, *)]
    }

    /// `FlattenSteps(<base>)`.
    public var description: String { "FlattenSteps(\(base))" }
}

extension EventRepresentation {
    /// This representation with each step flattened to one axis (`[T, units]`); see `FlattenSteps`.
    public func flattened() -> FlattenSteps<Self> { FlattenSteps(self) }
}
