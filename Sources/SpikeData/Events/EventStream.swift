import SpikeCore

/// The size of an event sensor as Tonic gives it: `(width, height, polarities)`.
///
/// A DVS128 camera is `(128, 128, 2)`, N-MNIST's ATIS crops `(34, 34, 2)`; an audio cochlea model such as
/// SHD's is `(700, 1, 1)` (700 channels, no second axis, one polarity).
public struct SensorSize: Sendable, Hashable, CustomStringConvertible {
    /// Number of x coordinates (columns, or channels of a one-dimensional sensor).
    public var width: Int
    /// Number of y coordinates (rows); 1 for a one-dimensional sensor.
    public var height: Int
    /// Number of polarities (2 for ON/OFF cameras, 1 for audio spike trains).
    public var polarities: Int

    /// A sensor of `width x height` pixels and `polarities` polarities; each must be at least 1 and at most
    /// `Int32.max` (checked by `validate()`, not here).
    public init(width: Int, height: Int, polarities: Int) {
        self.width = width
        self.height = height
        self.polarities = polarities
    }

    /// Throws `DatasetError.invalidParameter` unless every size is in `1...Int32.max`.
    public func validate(context: String = "sensor size") throws {
        for (name, v) in [("width", width), ("height", height), ("polarities", polarities)] {
            guard v >= 1, v <= Int(Int32.max) else {
                throw DatasetError.invalidParameter(context: context, parameter: name,
                                                    requirement: "must be in 1...\(Int32.max)", got: "\(v)")
            }
        }
    }

    /// Pixels times polarities, the number of cells of one frame.
    public var cellCount: Int { width * height * polarities }

    /// `(W, H, P)`, as Tonic prints a sensor size.
    public var description: String { "(\(width), \(height), \(polarities))" }
}

/// A stream of address events: event `i` is at column `x[i]`, row `y[i]`, time `t[i]` (microseconds) with
/// polarity `p[i]`, as Tonic's structured arrays (fields `x, y, t, p`) hold them. Stored as a structure of
/// arrays (one array per field) so transforms run over contiguous memory.
///
/// `hasY` is false for one-dimensional sensors (audio spike trains: Tonic's SHD events have fields
/// `t, x, p` only); their `y` values are all 0 and frames have no height axis (`[T, P, W]`, as Tonic's
/// `ToFrame` gives them).
///
/// Events are usually sorted by time, but nothing here requires it; transforms that need order say so.
public struct EventStream: Sendable, Equatable {
    /// Column (or channel) of each event, in `0..<sensorSize.width`.
    public var x: [Int32]
    /// Row of each event, in `0..<sensorSize.height` (all 0 when `hasY` is false).
    public var y: [Int32]
    /// Time of each event in microseconds.
    public var t: [Int64]
    /// Polarity of each event, in `0..<sensorSize.polarities` (0 = OFF, 1 = ON for cameras).
    public var p: [Int32]
    /// The sensor the events come from.
    public var sensorSize: SensorSize
    /// Whether the events have a row coordinate (false for one-dimensional sensors such as SHD's cochlea).
    public var hasY: Bool

    /// Number of events.
    public var count: Int { t.count }
    /// Whether there are no events.
    public var isEmpty: Bool { t.isEmpty }

    /// Events from their fields, checked: equal lengths, every coordinate inside the sensor, every polarity in
    /// `0..<polarities`, and all `y` zero when `hasY` is false.
    /// - Throws: `DatasetError.inconsistent` naming the first offending event;
    ///   `DatasetError.invalidParameter` for a bad sensor size.
    public init(x: [Int32], y: [Int32], t: [Int64], p: [Int32], sensorSize: SensorSize, hasY: Bool = true) throws {
        try sensorSize.validate()
        guard x.count == t.count, y.count == t.count, p.count == t.count else {
            throw DatasetError.inconsistent("events: field lengths differ (x \(x.count), y \(y.count), t \(t.count), p \(p.count))")
        }
        let w = Int32(sensorSize.width), h = Int32(sensorSize.height), np = Int32(sensorSize.polarities)
        for i in 0..<t.count {
            guard x[i] >= 0, x[i] < w else {
                throw DatasetError.inconsistent("event \(i): x \(x[i]) outside the sensor's 0..<\(w)")
            }
            guard y[i] >= 0, y[i] < h, hasY || y[i] == 0 else {
                throw DatasetError.inconsistent("event \(i): y \(y[i]) outside the sensor's 0..<\(hasY ? h : 1)")
            }
            guard p[i] >= 0, p[i] < np else {
                throw DatasetError.inconsistent("event \(i): polarity \(p[i]) outside 0..<\(np)")
            }
        }
        self.init(unchecked: x, y: y, t: t, p: p, sensorSize: sensorSize, hasY: hasY)
    }

    /// Events whose fields the caller guarantees consistent (as `init(x:y:t:p:sensorSize:hasY:)` checks).
    public init(unchecked x: [Int32], y: [Int32], t: [Int64], p: [Int32], sensorSize: SensorSize, hasY: Bool = true) {
        self.x = x
        self.y = y
        self.t = t
        self.p = p
        self.sensorSize = sensorSize
        self.hasY = hasY
    }

    /// An empty stream of a sensor.
    public init(sensorSize: SensorSize, hasY: Bool = true) {
        self.init(unchecked: [], y: [], t: [], p: [], sensorSize: sensorSize, hasY: hasY)
    }

    /// The events at `indices`, in that order (an index outside `0..<count` traps).
    public func selecting(_ indices: [Int]) -> EventStream {
        EventStream(unchecked: indices.map { x[$0] }, y: indices.map { y[$0] }, t: indices.map { t[$0] },
                    p: indices.map { p[$0] }, sensorSize: sensorSize, hasY: hasY)
    }

    /// The events for which `keep(i)` is true, in order.
    public func filtered(_ keep: (Int) -> Bool) -> EventStream {
        var nx = [Int32](), ny = [Int32](), nt = [Int64](), np = [Int32]()
        for i in 0..<count where keep(i) {
            nx.append(x[i]); ny.append(y[i]); nt.append(t[i]); np.append(p[i])
        }
        return EventStream(unchecked: nx, y: ny, t: nt, p: np, sensorSize: sensorSize, hasY: hasY)
    }

    /// Whether the times never decrease.
    public var isSortedByTime: Bool {
        var i = 1
        while i < t.count { if t[i] < t[i - 1] { return false }; i += 1 }
        return true
    }
}

/// Events with their class label: one sample of an event data set.
public struct LabeledEvents: Sendable, Equatable {
    /// The recording.
    public var events: EventStream
    /// Its class, in `0..<classes` of the data set.
    public var label: Int

    /// A sample of `events` in class `label`.
    public init(events: EventStream, label: Int) {
        self.events = events
        self.label = label
    }
}
