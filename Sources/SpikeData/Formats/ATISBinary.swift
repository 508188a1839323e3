import SpikeIO

/// Reader of the ATIS binary event files of N-MNIST and N-Caltech101 (Orchard et al. 2015).
///
/// Each event is 40 bits in 5 bytes: byte 0 is x, byte 1 is y, bit 7 of byte 2 the polarity (1 = ON), and
/// the low 7 bits of byte 2 with bytes 3 and 4 a 23-bit big-endian timestamp in microseconds. This follows
/// the code of Tonic 1.7's `read_mnist_file` (itself from Orchard's `eventvision.py`): an event with
/// y == 240 is a timestamp-overflow marker, not an event; it is dropped and every later timestamp is increased
/// by 2^13 = 8192 µs (the code adds 2^13, although the timestamp field has 23 bits). The file length must be
/// a multiple of 5 (Tonic's strided slicing would misalign otherwise; here it is an error).
///
/// One pass over the bytes, no intermediate arrays: read + decode is linear and allocation-light.
public enum ATISBinary {
    /// The y value that marks a timestamp overflow.
    public static let overflowMarker: UInt8 = 240
    /// What Tonic's reader adds to later timestamps at each overflow marker (2^13 µs).
    public static let overflowIncrement: Int64 = 1 << 13

    /// Reads the file at `path`; `sensorSize` as in `decode`.
    public static func read(path: String, sensorSize: SensorSize? = nil) throws -> EventStream {
        try decode(FileBytes.read(path: path), name: path, sensorSize: sensorSize)
    }

    /// Decodes the bytes of an ATIS binary file; `name` is used in errors.
    /// - Parameter sensorSize: the sensor the events must lie in (N-MNIST's `(34, 34, 2)`); nil takes
    ///   `(max x + 1, max y + 1, 2)` of the file (at least 1 x 1).
    /// - Throws: `SpikeIOError.malformedData` for a length that is not a multiple of 5 or an event outside
    ///   `sensorSize`, naming the event.
    public static func decode(_ bytes: [UInt8], name: String, sensorSize: SensorSize? = nil) throws -> EventStream {
        guard bytes.count % 5 == 0 else {
            throw SpikeIOError.malformedData(file: name, reason: "length \(bytes.count) is not a multiple of 5 bytes (40-bit events): truncated file?")
        }
        let n = bytes.count / 5
        // One pass writing the four outputs in place (no zero-fill, no copies, no bounds checks); overflow
        // markers only shorten them.
        var kept = 0, maxX: Int32 = 0, maxY: Int32 = 0
        var x: [Int32] = [], y: [Int32] = [], p: [Int32] = []
        let t = [Int64](unsafeUninitializedCapacity: n) { ts, tCount in
            x = [Int32](unsafeUninitializedCapacity: n) { xs, xCount in
                y = [Int32](unsafeUninitializedCapacity: n) { ys, yCount in
                    p = [Int32](unsafeUninitializedCapacity: n) { ps, pCount in
                        (kept, maxX, maxY) = decodeEvents(bytes, n, xs.baseAddress, ys.baseAddress, ts.baseAddress, ps.baseAddress)
                        pCount = kept
                    }
                    yCount = kept
                }
                xCount = kept
            }
            tCount = kept
        }
        let sensor = sensorSize ?? SensorSize(width: Int(maxX) + 1, height: Int(maxY) + 1, polarities: 2)
        if let s = sensorSize, kept > 0, maxX >= Int32(s.width) || maxY >= Int32(s.height) {
            let i = (0..<kept).first { x[$0] >= Int32(s.width) || y[$0] >= Int32(s.height) }!
            throw SpikeIOError.malformedData(file: name, reason: "event \(i): (x \(x[i]), y \(y[i])) outside the sensor \(s)")
        }
        return EventStream(unchecked: x, y: y, t: t, p: p, sensorSize: sensor)
    }
}

/// Lists `<folder>/<class>/*.bin` for the ATIS data sets.
private func binFiles(in folder: String) -> [String] {
    FormatSupport.sortedNames(in: folder).filter { $0.hasSuffix("bin") }.map { FormatSupport.join(folder, $0) }
}

/// N-MNIST (Orchard et al. 2015): MNIST digits recorded by an ATIS camera in three saccades, 34 x 34 pixels,
/// as Tonic 1.7's `NMNIST` gives them.
///
/// `root` holds `Train/<digit>/*.bin` and `Test/<digit>/*.bin` (the folders of the published `Train.zip` /
/// `Test.zip`); Tonic's location `root/NMNIST/Train/...` is also accepted. Samples are ordered by digit folder,
/// then by file name (Tonic sorts both); the label is the folder's digit. Sensor `(34, 34, 2)`; an event
/// outside it is an error naming the file.
public struct NMNIST: EventDataset {
    /// Where the data set is published.
    public static let source = "https://www.garrickorchard.com/datasets/n-mnist"
    /// The sensor of every recording, `(34, 34, 2)`.
    public static let sensor = SensorSize(width: 34, height: 34, polarities: 2)

    /// The files, in sample order.
    public let files: [String]
    /// Each file's label.
    public let labels: [Int]
    /// Whether only the events of the first saccade (t < 100 000 µs) are kept (Tonic's `first_saccade_only`).
    public let firstSaccadeOnly: Bool

    /// Number of recordings.
    public var count: Int { files.count }
    /// 10.
    public var classes: Int { 10 }
    /// `(34, 34, 2)`.
    public var sensorSize: SensorSize { Self.sensor }

    /// Lists the recordings of one split (nothing is read until `events(at:)`); `firstSaccadeOnly` keeps the
    /// events with t < 100 000 µs, as Tonic's option (its `stabilize` option is not implemented).
    /// - Throws: `DatasetError.missingFiles` when the split's folder or its `.bin` files are missing.
    public init(root: String, train: Bool, firstSaccadeOnly: Bool = false) throws {
        self.firstSaccadeOnly = firstSaccadeOnly
        let split = train ? "Train" : "Test"
        guard let folder = FormatSupport.firstDirectory([FormatSupport.join(root, split),
                                                         FormatSupport.join(root, "NMNIST/" + split)]) else {
            throw DatasetError.missingFiles(dataset: "N-MNIST", path: root,
                                            expected: "\(split)/<digit>/*.bin (or NMNIST/\(split)/...)", source: Self.source)
        }
        var files: [String] = [], labels: [Int] = []
        for digit in 0..<10 {
            let sub = FormatSupport.join(folder, String(digit))
            for file in binFiles(in: sub) { files.append(file); labels.append(digit) }
        }
        guard !files.isEmpty else {
            throw DatasetError.missingFiles(dataset: "N-MNIST", path: folder, expected: "<digit>/*.bin files (0 found)", source: Self.source)
        }
        self.files = files
        self.labels = labels
    }

    /// Recording `index` and its digit.
    public func events(at index: Int) throws -> LabeledEvents {
        let e = try ATISBinary.read(path: files[index], sensorSize: Self.sensor)
        return LabeledEvents(events: firstSaccadeOnly ? e.filtered { e.t[$0] < 100_000 } : e, label: labels[index])
    }
}

/// N-Caltech101 (Orchard et al. 2015): Caltech101 images recorded by an ATIS camera, as Tonic 1.7's
/// `NCALTECH101` gives them: each recording's x and y are shifted so that their minimum is 0.
///
/// `root` holds one folder per class of `.bin` files (the folder `Caltech101` of the published archive, or the
/// archive's folder itself: `root/Caltech101/<class>/` and Tonic's `root/NCALTECH101/Caltech101/<class>/` are
/// also searched). Classes are the sorted folder names that hold `.bin` files, labels their indices (Tonic
/// returns the folder name itself as the target); samples are ordered by class, then file name.
///
/// Sensor: Tonic's `sensor_size` is None (recordings differ in size). Here every recording is placed in
/// `(240, 180, 2)`, the frame size SpikingJelly uses for this data set; an event outside it after the shift
/// is an error naming the file.
public struct NCaltech101: EventDataset {
    /// Where the data set is published.
    public static let source = "https://www.garrickorchard.com/datasets/n-caltech101"
    /// The sensor recordings are placed in, `(240, 180, 2)`.
    public static let sensor = SensorSize(width: 240, height: 180, polarities: 2)

    /// The class names (sorted folder names).
    public let classNames: [String]
    /// The files, in sample order.
    public let files: [String]
    /// Each file's label (index into `classNames`).
    public let labels: [Int]

    /// Number of recordings.
    public var count: Int { files.count }
    /// Number of class folders.
    public var classes: Int { classNames.count }
    /// `(240, 180, 2)`.
    public var sensorSize: SensorSize { Self.sensor }

    /// Lists the recordings (nothing is read until `events(at:)`).
    /// - Throws: `DatasetError.missingFiles` when no class folder with `.bin` files is found.
    public init(root: String) throws {
        let candidates = [FormatSupport.join(root, "Caltech101"), FormatSupport.join(root, "NCALTECH101/Caltech101"), root]
        var names: [String] = [], files: [String] = [], labels: [Int] = []
        for folder in candidates where FormatSupport.isDirectory(folder) {
            for name in FormatSupport.sortedNames(in: folder) {
                let sub = FormatSupport.join(folder, name)
                let bins = binFiles(in: sub)
                guard FormatSupport.isDirectory(sub), !bins.isEmpty else { continue }
                names.append(name)
                for file in bins { files.append(file); labels.append(names.count - 1) }
            }
            if !files.isEmpty { break }
        }
        guard !files.isEmpty else {
            throw DatasetError.missingFiles(dataset: "N-Caltech101", path: root,
                                            expected: "Caltech101/<class>/*.bin (or <class>/*.bin)", source: Self.source)
        }
        classNames = names
        self.files = files
        self.labels = labels
    }

    /// Recording `index`, shifted to start at x = 0 and y = 0 (as Tonic), and its class.
    public func events(at index: Int) throws -> LabeledEvents {
        let path = files[index]
        var e = try ATISBinary.read(path: path)
        if let minX = e.x.min(), let minY = e.y.min() {
            for i in 0..<e.count { e.x[i] -= minX; e.y[i] -= minY }
        }
        let w = Int32(Self.sensor.width), h = Int32(Self.sensor.height)
        if let i = (0..<e.count).first(where: { e.x[$0] >= w || e.y[$0] >= h }) {
            throw SpikeIOError.malformedData(file: path, reason: "event \(i): (x \(e.x[i]), y \(e.y[i])) after the shift to 0 lies outside \(Self.sensor)")
        }
        e.sensorSize = Self.sensor
        return LabeledEvents(events: e, label: labels[index])
    }
}

/// The decoding loop of `ATISBinary.decode`: `n` events of `bytes` into the four outputs (each with room for
/// `n`); returns the number of events kept and the largest x and y.
@inline(__always)
private func decodeEvents(_ bytes: [UInt8], _ n: Int, _ xs: UnsafeMutablePointer<Int32>?, _ ys: UnsafeMutablePointer<Int32>?,
                          _ ts: UnsafeMutablePointer<Int64>?, _ ps: UnsafeMutablePointer<Int32>?) -> (Int, Int32, Int32) {
    guard n > 0, let xs, let ys, let ts, let ps else { return (0, 0, 0) }
    return bytes.withUnsafeBufferPointer { buffer -> (Int, Int32, Int32) in
        var at = buffer.baseAddress!
        var kept = 0, offset: Int64 = 0, maxX: Int32 = 0, maxY: Int32 = 0
        for _ in 0..<n {
            let ey = Int32(at[1])
            if ey == Int32(ATISBinary.overflowMarker) {
                offset &+= ATISBinary.overflowIncrement
            } else {
                let ex = Int32(at[0]), b2 = at[2]
                xs[kept] = ex
                ys[kept] = ey
                ps[kept] = Int32(b2 >> 7)
                ts[kept] = (Int64(b2 & 0x7F) << 16 | Int64(at[3]) << 8 | Int64(at[4])) &+ offset
                maxX = max(maxX, ex)
                maxY = max(maxY, ey)
                kept &+= 1
            }
            at += 5
        }
        return (kept, maxX, maxY)
    }
}
