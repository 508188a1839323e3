import Foundation
import SpikeIO

/// IBM's DVS128 Gesture data set (Amir et al. 2017): 11 hand and arm gestures recorded by a DVS128, read
/// from the original release as SpikingJelly does, or from Tonic's preprocessed `.npy` files.
///
/// **Original release** (`DvsGesture.tar.gz`): `root` (or `root/DvsGesture`) holds `userXX_<lighting>.aedat`
/// (AEDAT 3.1), `userXX_<lighting>_labels.csv` (header `class,startTime_usec,endTime_usec`, one row per
/// gesture) and `trials_to_train.txt` / `trials_to_test.txt` (one `.aedat` name per line). Each CSV row is a
/// sample: the recording's events with `startTime_usec <= t < endTime_usec` and label `class - 1` (1...11 in
/// the CSV). As SpikingJelly's `load_aedat_v3`, all polarity events are kept, including those whose validity
/// bit is clear. Samples are ordered by the trials file, then by CSV row. (SpikingJelly stores the cut
/// samples in folders named by label and indexes them with torchvision's `DatasetFolder`, which sorts the
/// folder names as strings, so its label indices are a permutation of these: folder "10" becomes index 2.)
///
/// **Tonic's layout** (Tonic 1.7's `DVSGesture`): `root/ibmGestureTrain/userXX_<lighting>/<label>.npy` (or
/// `root/DVSGesture/ibmGestureTrain/...`; `ibmGestureTest` for the test split), each a `[N, 4]` array of
/// x, y, p, t with t in milliseconds; as Tonic, t is multiplied by 1000 in the array's dtype and cast to
/// integer microseconds (truncation), and p is a boolean. Tonic does not sort the user folders or the files;
/// here both are sorted by name.
///
/// Sensor `(128, 128, 2)`; an event outside it, a label outside `0..<11` or a malformed CSV row is an error
/// naming the file.
public struct DVSGesture: EventDataset {
    /// Where the data set is published.
    public static let source = "https://research.ibm.com/interactive/dvsgesture/ (DvsGesture.tar.gz)"
    /// The gesture names in label order (Tonic's `classes`).
    public static let classNames = ["Hand clapping", "Right hand wave", "Left hand wave", "Right arm cw", "Right arm ccw",
                                    "Left arm cw", "Left arm ccw", "Arm roll", "Air drums", "Air guitar", "Other gestures"]

    /// Where one sample's events come from.
    public enum Sample: Sendable, Equatable {
        /// `[start, end)` µs of an AEDAT 3.1 recording (the original release).
        case interval(recording: String, start: Int64, end: Int64)
        /// One of Tonic's preprocessed `.npy` files.
        case tonicNPY(path: String)
    }

    /// The samples in order.
    public let samples: [Sample]
    /// Each sample's label in `0..<11`.
    public let labels: [Int]
    private let cache = RecordingCache()

    /// Number of samples.
    public var count: Int { samples.count }
    /// 11.
    public var classes: Int { 11 }
    /// `(128, 128, 2)`.
    public var sensorSize: SensorSize { AEDAT.dvs128 }

    /// Lists the samples of one split: the label CSVs are read here, the recordings only by `events(at:)`.
    /// - Throws: `DatasetError.missingFiles` when neither layout is found or a listed recording or CSV is
    ///   missing; `SpikeIOError.malformedData` for a malformed CSV row or a class outside 1...11.
    public init(root: String, train: Bool) throws {
        let tonicFolder = train ? "ibmGestureTrain" : "ibmGestureTest"
        if let original = FormatSupport.firstDirectory([root, FormatSupport.join(root, "DvsGesture")].filter {
            FormatSupport.isFile(FormatSupport.join($0, "trials_to_train.txt"))
        }) {
            let (samples, labels) = try Self.listOriginal(original, train: train)
            self.init(samples: samples, labels: labels)
        } else if let folder = FormatSupport.firstDirectory([FormatSupport.join(root, tonicFolder),
                                                             FormatSupport.join(root, "DVSGesture/" + tonicFolder)]) {
            var samples: [Sample] = [], labels: [Int] = []
            for user in FormatSupport.sortedNames(in: folder) where FormatSupport.isDirectory(FormatSupport.join(folder, user)) {
                let dir = FormatSupport.join(folder, user)
                for file in FormatSupport.sortedNames(in: dir) where file.hasSuffix("npy") {
                    let path = FormatSupport.join(dir, file)
                    guard let label = Int(file.dropLast(4)), (0..<11).contains(label) else {
                        throw SpikeIOError.malformedData(file: path, reason: "file name is not a label in 0..<11 followed by .npy")
                    }
                    samples.append(.tonicNPY(path: path)); labels.append(label)
                }
            }
            guard !samples.isEmpty else {
                throw DatasetError.missingFiles(dataset: "DVS Gesture", path: folder, expected: "userXX_<lighting>/<label>.npy files (0 found)", source: Self.source)
            }
            self.init(samples: samples, labels: labels)
        } else {
            throw DatasetError.missingFiles(
                dataset: "DVS Gesture", path: root,
                expected: "trials_to_train.txt, trials_to_test.txt, userXX_<lighting>.aedat and userXX_<lighting>_labels.csv (or DvsGesture/...), or Tonic's \(tonicFolder)/userXX_<lighting>/<label>.npy",
                source: Self.source)
        }
    }

    private init(samples: [Sample], labels: [Int]) {
        self.samples = samples
        self.labels = labels
    }

    private static func listOriginal(_ folder: String, train: Bool) throws -> ([Sample], [Int]) {
        let trials = FormatSupport.join(folder, train ? "trials_to_train.txt" : "trials_to_test.txt")
        let listing = try FileBytes.read(path: trials)
        var samples: [Sample] = [], labels: [Int] = []
        for line in String(decoding: listing, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let name = line.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            let recording = FormatSupport.join(folder, name)
            let stem = name.hasSuffix(".aedat") ? String(name.dropLast(6)) : name
            let csv = FormatSupport.join(folder, stem + "_labels.csv")
            guard FormatSupport.isFile(recording), FormatSupport.isFile(csv) else {
                throw DatasetError.missingFiles(dataset: "DVS Gesture", path: folder,
                                                expected: "\(name) and \(stem)_labels.csv (listed in \(trials))", source: Self.source)
            }
            for (label, start, end) in try readLabels(csv) {
                samples.append(.interval(recording: recording, start: start, end: end)); labels.append(label)
            }
        }
        guard !samples.isEmpty else {
            throw DatasetError.missingFiles(dataset: "DVS Gesture", path: trials, expected: "at least one recording listed", source: Self.source)
        }
        return (samples, labels)
    }

    /// The rows `(label - 1, start, end)` of a `_labels.csv` file (the header row is skipped, as SpikingJelly's
    /// `np.loadtxt(..., skiprows=1)`).
    /// - Throws: `SpikeIOError.malformedData` naming the file and row for a row that is not three unsigned 32-bit
    ///   integers, or a class outside 1...11.
    public static func readLabels(_ path: String) throws -> [(label: Int, start: Int64, end: Int64)] {
        try parseLabels(FileBytes.read(path: path), name: path)
    }

    /// `readLabels` on the bytes of a label CSV; `name` is used in errors.
    public static func parseLabels(_ bytes: [UInt8], name path: String) throws -> [(label: Int, start: Int64, end: Int64)] {
        let text = String(decoding: bytes, as: UTF8.self)
        var rows: [(Int, Int64, Int64)] = []
        for (i, line) in text.split(whereSeparator: \.isNewline).enumerated() where i > 0 {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count == 1, fields[0].isEmpty { continue }
            guard fields.count == 3, let c = UInt32(fields[0]), let s = UInt32(fields[1]), let e = UInt32(fields[2]) else {
                throw SpikeIOError.malformedData(file: path, reason: "row \(i + 1) is not class,startTime_usec,endTime_usec")
            }
            guard (1...11).contains(c) else {
                throw SpikeIOError.malformedData(file: path, reason: "row \(i + 1): class \(c) outside 1...11")
            }
            rows.append((Int(c) - 1, Int64(s), Int64(e)))
        }
        return rows
    }

    /// Sample `index`: its events (times in µs) and label.
    public func events(at index: Int) throws -> LabeledEvents {
        switch samples[index] {
        case let .interval(recording, start, end):
            let all = try cache.events(recording)
            return LabeledEvents(events: all.filtered { all.t[$0] >= start && all.t[$0] < end }, label: labels[index])
        case let .tonicNPY(path):
            return LabeledEvents(events: try Self.readTonicNPY(path), label: labels[index])
        }
    }

    /// One of Tonic's preprocessed files: `[N, 4]` of x, y, p, t (ms) → events with t in µs, as Tonic.
    public static func readTonicNPY(_ path: String) throws -> EventStream {
        let bytes = try FileBytes.read(path: path)
        return try bytes.withUnsafeBytes { raw in
            let layout = try NPY.layout(of: raw, name: path)
            guard !layout.isStructured, layout.shape.count == 2, layout.shape[1] == 4 else {
                throw SpikeIOError.malformedData(file: path, reason: "expected a plain [N, 4] array of x, y, p, t, got shape \(layout.shape)")
            }
            let n = layout.shape[0], field = layout.fields[0], stride = 4 * layout.itemSize
            func column(_ j: Int) throws -> [Int64] {
                try NPY.int64Values(field, in: raw, layout: layout, first: j, stride: stride, count: n, name: path)
            }
            let x = try column(0), y = try column(1)
            let p = NPY.doubleValues(field, in: raw, layout: layout, first: 2, stride: stride, count: n).map { Int32($0 != 0 ? 1 : 0) }
            var t: [Int64]
            if field.isFloatingPoint {
                t = []
                t.reserveCapacity(n)
                for (i, ms) in NPY.doubleValues(field, in: raw, layout: layout, first: 3, stride: stride, count: n).enumerated() {
                    let us = (field.dtype.hasSuffix("f4") ? Double(Float(ms) * 1000) : ms * 1000).rounded(.towardZero)
                    guard us.isFinite, abs(us) < 9.2e18 else {
                        throw SpikeIOError.malformedData(file: path, reason: "event \(i): t \(ms) ms is not a finite time")
                    }
                    t.append(Int64(us))
                }
            } else {
                t = try column(3).map { $0.multipliedReportingOverflow(by: 1000).partialValue }
            }
            return try checked(x: x, y: y, t: t, p: p, sensor: AEDAT.dvs128, name: path)
        }
    }
}

/// Events from 64-bit columns, checked against `sensor` (one-line error naming `name` and the event).
func checked(x: [Int64], y: [Int64], t: [Int64], p: [Int32], sensor: SensorSize, hasY: Bool = true, name: String) throws -> EventStream {
    let w = Int64(sensor.width), h = Int64(sensor.height), np = Int32(sensor.polarities)
    for i in 0..<t.count where x[i] < 0 || x[i] >= w || y[i] < 0 || y[i] >= h || p[i] < 0 || p[i] >= np {
        throw SpikeIOError.malformedData(file: name, reason: "event \(i): (x \(x[i]), y \(y[i]), p \(p[i])) outside the sensor \(sensor)")
    }
    return EventStream(unchecked: x.map { Int32($0) }, y: y.map { Int32($0) }, t: t, p: p, sensorSize: sensor, hasY: hasY)
}

/// The last recording decoded, so the gestures of one recording read its file once when taken in order.
final class RecordingCache: @unchecked Sendable {
    private let lock = NSLock()
    private var path: String?
    private var stream: EventStream?

    func events(_ recording: String) throws -> EventStream {
        lock.lock()
        if path == recording, let s = stream { lock.unlock(); return s }
        lock.unlock()
        let s = try AEDAT.read(path: recording, includeInvalid: true)
        lock.lock()
        path = recording; stream = s
        lock.unlock()
        return s
    }
}

/// CIFAR10-DVS (Li et al. 2017): CIFAR-10 images recorded by a DVS128, read from the original AEDAT 2.0 files
/// as SpikingJelly reads them (`x = 127 - bits 8-14`, `y = 127 - bits 1-7`, `p = 1 - bit 0`:
/// `AEDAT.DVS128Layout.spikingJellyCIFAR10DVS`). Tonic 1.7 instead downloads a version converted to AEDAT4.
///
/// `root` (or `root/CIFAR10DVS`) holds the ten class folders `airplane, automobile, bird, cat, deer, dog,
/// frog, horse, ship, truck` of `.aedat` files; labels follow that order (Tonic's and SpikingJelly's), files
/// are sorted by name. The data set has no official split: `split(trainRatio:)` gives SpikingJelly's
/// deterministic per-class split.
public struct CIFAR10DVS: EventDataset {
    /// Where the data set is published.
    public static let source = "https://figshare.com/articles/dataset/CIFAR10-DVS_New/4724671"
    /// The classes in label order.
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    /// The recordings in order.
    public let files: [String]
    /// Each recording's label.
    public let labels: [Int]

    /// Number of recordings.
    public var count: Int { files.count }
    /// 10.
    public var classes: Int { 10 }
    /// `(128, 128, 2)`.
    public var sensorSize: SensorSize { AEDAT.dvs128 }

    /// Lists the recordings of every class folder present (nothing is read until `events(at:)`).
    /// - Throws: `DatasetError.missingFiles` when no class folder holds `.aedat` files.
    public init(root: String) throws {
        var files: [String] = [], labels: [Int] = []
        for base in [root, FormatSupport.join(root, "CIFAR10DVS")] {
            for (label, name) in Self.classNames.enumerated() {
                let dir = FormatSupport.join(base, name)
                for file in FormatSupport.sortedNames(in: dir) where file.hasSuffix(".aedat") {
                    files.append(FormatSupport.join(dir, file)); labels.append(label)
                }
            }
            if !files.isEmpty { break }
        }
        guard !files.isEmpty else {
            throw DatasetError.missingFiles(dataset: "CIFAR10-DVS", path: root,
                                            expected: "class folders \(Self.classNames.joined(separator: ", ")) of .aedat files", source: Self.source)
        }
        self.files = files
        self.labels = labels
    }

    /// Recording `index` and its class.
    public func events(at index: Int) throws -> LabeledEvents {
        LabeledEvents(events: try AEDAT.read(path: files[index], layout: .spikingJellyCIFAR10DVS), label: labels[index])
    }

    /// SpikingJelly's `split_to_train_test_set(train_ratio, dataset, 10, random_split=False)`: in each class,
    /// the first `ceil(n * trainRatio)` samples (in dataset order) train, the rest test; indices into this
    /// data set, class by class.
    public func split(trainRatio: Double) -> (train: [Int], test: [Int]) {
        precondition(trainRatio >= 0 && trainRatio <= 1, "CIFAR10DVS.split: trainRatio must be in [0, 1]")
        var byClass = [[Int]](repeating: [], count: classes)
        for (i, label) in labels.enumerated() { byClass[label].append(i) }
        var train: [Int] = [], test: [Int] = []
        for indices in byClass {
            let cut = Int((Double(indices.count) * trainRatio).rounded(.up))
            train += indices[..<cut]; test += indices[cut...]
        }
        return (train, test)
    }
}
