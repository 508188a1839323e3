import SpikeIO

/// The Heidelberg spiking data sets (Cramer et al. 2020) from their HDF5 files, as Tonic 1.7's `SHD` and `SSC`
/// give them: spoken digits (SHD, 20 classes) and speech commands (SSC, 35 classes) as spikes of 700 cochlea
/// channels.
///
/// File layout: `spikes/times` (variable-length float sequences, seconds), `spikes/units` (variable-length
/// uint16 sequences, channel of each spike), `labels` (one integer per sample), `extra/keys` (class names)
/// and `extra/speaker`. Sample `i` is one-dimensional (`hasY` false) on sensor `(700, 1, 1)`: x = unit,
/// t = `Int64(Double(time) * 1e6)` truncated toward zero (Tonic: `times.astype(np.float64) * 1e6` stored into
/// an integer field), p = 0. Tonic sets p = 1 ("an artificial polarity"), outside its own one-polarity
/// sensor; its `ToFrame` resets p to 0 for a one-polarity sensor, so frames are the same.
///
/// The whole file is read at `init` and checked: equal sample counts, each sample's times and units of equal
/// length, every unit below 700, every label in `0..<classes` (classes: the length of `extra/keys` when
/// present, else 20 for SHD and 35 for SSC).
public struct HeidelbergSpikes: EventDataset {
    /// Where the data sets are published.
    public static let source = "https://zenkelab.org/resources/spiking-heidelberg-datasets-shd/"
    /// `(700, 1, 1)`: 700 channels, one polarity.
    public static let sensor = SensorSize(width: 700, height: 1, polarities: 1)

    /// The file read.
    public let file: String
    /// The class names of `extra/keys` (empty when the file has none).
    public let classNames: [String]
    /// Each sample's label.
    public let labels: [Int]
    /// Each sample's speaker (`extra/speaker`; empty when absent).
    public let speakers: [Int]
    /// Number of classes.
    public let classes: Int
    private let times: [Int64]
    private let units: [Int32]
    private let offsets: [Int]

    /// Number of samples.
    public var count: Int { labels.count }
    /// `(700, 1, 1)`.
    public var sensorSize: SensorSize { Self.sensor }
    /// False: recordings have no y axis (frames are `[T, 1, 700]`, as Tonic's).
    public var hasY: Bool { false }

    /// Reads and checks one HDF5 file; `defaultClasses` is used when the file has no `extra/keys`.
    /// - Throws: `DatasetError.missingFiles` for a missing file; `SpikeIOError` for an unreadable or malformed
    ///   file or inconsistent contents, naming the file.
    public init(file: String, defaultClasses: Int, dataset: String) throws {
        guard FormatSupport.isFile(file) else {
            throw DatasetError.missingFiles(dataset: dataset, path: file, expected: "an HDF5 file such as shd_train.h5 (unzipped)", source: Self.source)
        }
        try self.init(hdf5: HDF5File(path: file), name: file, defaultClasses: defaultClasses)
    }

    /// Reads and checks the contents of an HDF5 file held in memory (the entry point for fuzzing); `name` is
    /// used in errors.
    public init(bytes: [UInt8], name: String, defaultClasses: Int) throws {
        try self.init(hdf5: HDF5File(bytes: bytes, name: name), name: name, defaultClasses: defaultClasses)
    }

    private init(hdf5 h5: HDF5File, name file: String, defaultClasses: Int) throws {
        let (t, tOffsets) = try h5.root.dataset("spikes/times").readVLenFlattened(as: Double.self)
        let (u, uOffsets) = try h5.root.dataset("spikes/units").readVLenFlattened(as: Int64.self)
        let labels = try h5.root.dataset("labels").readInt64s()
        func bad(_ why: String) -> SpikeIOError { .malformedData(file: file, reason: why) }
        guard tOffsets == uOffsets else {
            throw bad("spikes/times and spikes/units differ in samples or spike counts (\(tOffsets.count - 1) and \(uOffsets.count - 1) samples)")
        }
        guard labels.count == tOffsets.count - 1 else { throw bad("\(labels.count) labels for \(tOffsets.count - 1) samples") }
        var names: [String] = []
        let extra = (try? h5.root.group("extra").memberNames()) ?? []
        if extra.contains("keys") {
            names = try h5.root.dataset("extra/keys").readStrings()
        }
        var speakers: [Int] = []
        if extra.contains("speaker") {
            speakers = try h5.root.dataset("extra/speaker").readInt64s().map { Int($0) }
        }
        let classes = names.isEmpty ? defaultClasses : names.count
        if let i = labels.firstIndex(where: { $0 < 0 || $0 >= Int64(classes) }) {
            throw bad("sample \(i): label \(labels[i]) outside 0..<\(classes)")
        }
        var times = [Int64](repeating: 0, count: t.count)
        for i in 0..<t.count {
            let us = (t[i] * 1e6).rounded(.towardZero)
            guard us.isFinite, abs(us) < 9.2e18 else { throw bad("spike \(i): time \(t[i]) s is not a finite time") }
            times[i] = Int64(us)
        }
        var units = [Int32](repeating: 0, count: u.count)
        for i in 0..<u.count {
            guard u[i] >= 0, u[i] < 700 else {
                let sample = (tOffsets.firstIndex { $0 > i } ?? tOffsets.count) - 1
                throw bad("sample \(sample): unit \(u[i]) outside the sensor's 0..<700")
            }
            units[i] = Int32(u[i])
        }
        self.file = file
        self.classNames = names
        self.labels = labels.map { Int($0) }
        self.speakers = speakers
        self.classes = classes
        self.times = times
        self.units = units
        self.offsets = tOffsets
    }

    /// Sample `index`: spikes as one-dimensional events (x = unit, t in µs, p = 0) and its label.
    public func events(at index: Int) throws -> LabeledEvents {
        let range = offsets[index]..<offsets[index + 1]
        let n = range.count
        let e = EventStream(unchecked: Array(units[range]), y: [Int32](repeating: 0, count: n), t: Array(times[range]),
                            p: [Int32](repeating: 0, count: n), sensorSize: Self.sensor, hasY: false)
        return LabeledEvents(events: e, label: labels[index])
    }
}

/// Spiking Heidelberg Digits: `shd_train.h5` or `shd_test.h5` (20 classes: digits 0-9 in English and German).
public struct SHD: EventDataset {
    /// The file's contents.
    public let data: HeidelbergSpikes
    /// Reads `file` (see `HeidelbergSpikes`).
    public init(file: String) throws { data = try HeidelbergSpikes(file: file, defaultClasses: 20, dataset: "SHD") }
    /// Number of samples.
    public var count: Int { data.count }
    /// 20 (or the length of `extra/keys`).
    public var classes: Int { data.classes }
    /// `(700, 1, 1)`.
    public var sensorSize: SensorSize { data.sensorSize }
    /// False: recordings have no y axis.
    public var hasY: Bool { false }
    /// Sample `index`.
    public func events(at index: Int) throws -> LabeledEvents { try data.events(at: index) }
}

/// Spiking Speech Commands: `ssc_train.h5`, `ssc_valid.h5` or `ssc_test.h5` (35 classes).
public struct SSC: EventDataset {
    /// The file's contents.
    public let data: HeidelbergSpikes
    /// Reads `file` (see `HeidelbergSpikes`).
    public init(file: String) throws { data = try HeidelbergSpikes(file: file, defaultClasses: 35, dataset: "SSC") }
    /// Number of samples.
    public var count: Int { data.count }
    /// 35 (or the length of `extra/keys`).
    public var classes: Int { data.classes }
    /// `(700, 1, 1)`.
    public var sensorSize: SensorSize { data.sensorSize }
    /// False: recordings have no y axis.
    public var hasY: Bool { false }
    /// Sample `index`.
    public func events(at index: Int) throws -> LabeledEvents { try data.events(at: index) }
}
