import SpikeCore

/// A transform of an event stream into another event stream, as a Tonic transform (`tonic.transforms`)
/// applied to a structured event array.
///
/// Deterministic transforms ignore `rng`; random ones (flips, crops, jitter, drops) draw from it only, so
/// the same generator state gives the same output whatever thread runs it. `description` names the
/// transform and every parameter (`"Denoise(filterTime: 10000.0)"`) so that a disk cache of transformed
/// samples can tell when a transform changed.
public protocol EventTransform: Sendable, CustomStringConvertible {
    /// The transformed events. Throws `DatasetError.invalidParameter` (naming the transform and the
    /// parameter) when the parameters do not fit the stream's sensor.
    func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream

    /// The sensor of the output stream for an input from `input` (the same sensor unless the transform
    /// crops, downsamples or merges polarities).
    func outputSensorSize(_ input: SensorSize) -> SensorSize
}

extension EventTransform {
    /// The sensor is unchanged.
    public func outputSensorSize(_ input: SensorSize) -> SensorSize { input }
}

/// A representation of an event stream as a dense float32 tensor whose leading axis is time, as Tonic's
/// `ToFrame`, `ToVoxelGrid` and `ToTimesurface` give them: `[T, P, H, W]` for a two-dimensional sensor and
/// `[T, P, W]` for a one-dimensional one (`hasY == false`, such as SHD's cochlea), where `(W, H, P)` is the
/// stream's sensor size. `T` may depend on the stream (time windows, event counts) or be fixed (bins).
public protocol EventRepresentation: Sendable, CustomStringConvertible {
    /// The tensor `[T] + stepShape(for: events.sensorSize, hasY: events.hasY)`. Throws
    /// `DatasetError.invalidParameter` when the parameters do not fit the stream (a sensor without two
    /// polarities for a voxel grid, a tensor over `TransformLimits.maximumTensorElements`).
    func tensor(from events: EventStream) throws -> Tensor

    /// The shape of one time step for streams of `sensor` (`[P, H, W]`, or `[P, W]` without `y`).
    func stepShape(for sensor: SensorSize, hasY: Bool) -> [Int]
}

/// Limits on what a transform may allocate from sizes computed from the events.
///
/// The number of frames of a time-window representation comes from the stream (its time span divided by the
/// window), so a stream spanning 10^18 µs would ask for 10^15 frames. Such sizes are checked against this
/// constant before anything is allocated, and refused with a `DatasetError` naming the transform: 2^28 float32
/// elements (1 GiB) per tensor, far above any data set's frames (N-MNIST at 1 ms windows: about
/// 300 x 2 x 34 x 34 = 7 * 10^5). A tensor under it must also fit SpikeCore's `MemoryBudget`.
public enum TransformLimits {
    /// The most elements (float32) a representation allocates for one sample: 2^28.
    public static let maximumTensorElements = 1 << 28
}

/// The list of transforms of Tonic's `Compose`, applied in order, itself an `EventTransform`.
///
/// Tonic's `Compose` stops as soon as the stream is empty and returns the empty stream; every transform here
/// maps an empty stream to an empty stream, so running the rest changes nothing.
public struct Compose: EventTransform {
    /// The transforms, first applied first.
    public var transforms: [any EventTransform]

    /// A composition of `transforms` (an empty list is the identity).
    public init(_ transforms: [any EventTransform]) { self.transforms = transforms }

    /// Each transform in turn, all drawing from the same generator in order.
    public func apply(_ events: EventStream, rng: inout SeededRandom) throws -> EventStream {
        var e = events
        for t in transforms {
            if e.isEmpty { break }
            e = try t.apply(e, rng: &rng)
        }
        return e
    }

    /// The sensor after every transform.
    public func outputSensorSize(_ input: SensorSize) -> SensorSize {
        transforms.reduce(input) { $1.outputSensorSize($0) }
    }

    /// `Compose([T1, T2, ...])` with each transform's own description.
    public var description: String { "Compose([" + transforms.map(\.description).joined(separator: ", ") + "])" }
}

/// What a data set does to each recording: transforms on the events, then one representation into a tensor
/// (Tonic's `Compose([..., ToFrame(...)])`).
public struct EventPipeline: Sendable, CustomStringConvertible {
    /// The event transforms, applied in order.
    public var transforms: Compose
    /// The representation of the transformed events.
    public var representation: any EventRepresentation

    /// A pipeline of `transforms` (possibly none) followed by `representation`.
    public init(_ transforms: [any EventTransform] = [], representation: any EventRepresentation) {
        self.transforms = Compose(transforms)
        self.representation = representation
    }

    /// `representation(transforms(events))`. An empty stream (from the start or after a transform) gives
    /// the representation of an empty stream (for `ToFrame`, zero frames of Tonic's empty-stream count).
    public func tensor(from events: EventStream, rng: inout SeededRandom) throws -> Tensor {
        try representation.tensor(from: transforms.apply(events, rng: &rng))
    }

    /// The sensor the representation sees for recordings of `sensor`.
    public func outputSensorSize(_ sensor: SensorSize) -> SensorSize { transforms.outputSensorSize(sensor) }

    /// The shape of one time step of the output for recordings of `sensor`.
    public func stepShape(for sensor: SensorSize, hasY: Bool) -> [Int] {
        representation.stepShape(for: outputSensorSize(sensor), hasY: hasY)
    }

    /// `EventPipeline(Compose([...]) -> representation)`.
    public var description: String { "EventPipeline(\(transforms) -> \(representation))" }
}

/// The per-step shape of Tonic's frames: `[P, H, W]`, or `[P, W]` for a sensor without `y`.
@inline(__always)
func frameStepShape(_ s: SensorSize, hasY: Bool) -> [Int] {
    hasY ? [s.polarities, s.height, s.width] : [s.polarities, s.width]
}

/// Throws unless `steps` frames of `cells` elements fit `TransformLimits.maximumTensorElements` and the memory
/// budget (`MemoryBudget`, float32 elements).
func checkTensorSize(_ steps: Double, cells: Int, context: String, parameter: String) throws {
    let limit = Double(TransformLimits.maximumTensorElements)
    guard steps.isFinite, steps * Double(max(cells, 1)) <= limit else {
        throw DatasetError.invalidParameter(
            context: context, parameter: parameter,
            requirement: "gives at most \(TransformLimits.maximumTensorElements) tensor elements",
            got: "\(steps.isFinite ? String(format: "%.0f", steps) : "\(steps)") frames of \(cells) cells")
    }
    let frames = Int(max(steps, 0))
    try MemoryBudget.check(bytes: frames * max(cells, 1) * 4, what: "\(context): \(frames) frames of \(cells) cells")
}

/// The indices numpy's `searchsorted(a, keys, side="left")` returns, computed the way numpy computes them
/// (binary search that reuses the previous key's bounds), so that the result matches numpy's also on an
/// unsorted `a`, as Tonic's slicers call it on whatever order the events are in. Comparisons are made in
/// double precision, numpy's common type for integer times and float window edges.
func numpySearchSortedLeft(_ a: UnsafeBufferPointer<Int64>, keys: [Double]) -> [Int] {
    var out = [Int](repeating: 0, count: keys.count)
    guard !keys.isEmpty else { return out }
    let n = a.count
    var lo = 0, hi = n
    var last = keys[0]
    for k in 0..<keys.count {
        let key = keys[k]
        if last < key {
            hi = n
        } else {
            lo = 0
            hi = hi < n ? hi + 1 : n
        }
        last = key
        while lo < hi {
            let mid = lo + ((hi - lo) >> 1)
            if Double(a[mid]) < key { lo = mid + 1 } else { hi = mid }
        }
        out[k] = lo
    }
    return out
}

/// `a - b` for event times; throws when the difference does not fit in 64 bits.
func timeDifference(_ a: Int64, _ b: Int64, context: String) throws -> Int64 {
    let (d, o) = a.subtractingReportingOverflow(b)
    guard !o else {
        throw DatasetError.inconsistent("\(context): time span from \(b) to \(a) µs does not fit in 64 bits")
    }
    return d
}
