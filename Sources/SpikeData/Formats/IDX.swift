import SpikeCore
import SpikeIO

/// An array read from an IDX file: its element type, its dimensions and its payload.
public struct IDXArray: Sendable, Equatable {
    /// IDX element types, by their type code (the third byte of the magic number).
    public enum DType: UInt8, Sendable {
        /// 0x08: unsigned byte (MNIST's pixels and labels).
        case uint8 = 0x08
        /// 0x09: signed byte.
        case int8 = 0x09
        /// 0x0B: 16-bit signed integer, big-endian.
        case int16 = 0x0B
        /// 0x0C: 32-bit signed integer, big-endian.
        case int32 = 0x0C
        /// 0x0D: IEEE float32, big-endian.
        case float32 = 0x0D
        /// 0x0E: IEEE float64, big-endian.
        case float64 = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    /// The element type.
    public let dtype: DType
    /// The dimensions, outermost first (`[60000, 28, 28]` for MNIST's training images).
    public let dims: [Int]
    /// The data as stored in the file (big-endian elements, row-major), `dims.product * dtype.size` bytes.
    public let bytes: [UInt8]

    /// Number of elements.
    public var count: Int { dims.reduce(1, *) }

    /// Every element as `Float` (64-bit floats rounded to nearest; integers exact up to 2^24).
    public func floats() -> [Float] {
        let n = count
        return bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: n) { out, initialized in
                switch dtype {
                case .uint8: for i in 0..<n { out[i] = Float(raw[i]) }
                case .int8: for i in 0..<n { out[i] = Float(Int8(bitPattern: raw[i])) }
                case .int16: for i in 0..<n { out[i] = Float(Int16(bigEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
                case .int32: for i in 0..<n { out[i] = Float(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
                case .float32:
                    for i in 0..<n { out[i] = Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                case .float64:
                    for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
                }
                initialized = n
            }
        }
    }
}

/// Reader of IDX files, the format of MNIST, Fashion-MNIST and KMNIST (LeCun's "THE IDX FILE FORMAT").
///
/// Layout: a 4-byte magic number `00 00 <type> <rank>` (type codes 0x08 unsigned byte, 0x09 signed byte,
/// 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), then `rank` dimension sizes as big-endian 32-bit
/// integers, then the data in row-major order, big-endian. Files may be gzip-compressed (`.gz`, as
/// distributed), recognised by gzip's magic bytes rather than by name. The data must be exactly as long as
/// the dimensions say.
public enum IDX {
    /// The largest decompressed size accepted by default (256 MiB; MNIST's training images are 47 MB).
    public static let defaultLimit = 256 << 20

    /// Reads the IDX file at `path` (plain or gzip).
    /// - Throws: `SpikeIOError` naming `path`: unreadable, corrupt gzip, bad magic, an unknown type code,
    ///   truncated or trailing data.
    public static func read(path: String, limit: Int = defaultLimit) throws -> IDXArray {
        try decode(FileBytes.read(path: path), name: path, limit: limit)
    }

    /// Decodes the contents of an IDX file (plain or gzip); `name` is used in errors.
    public static func decode(_ bytes: [UInt8], name: String, limit: Int = defaultLimit) throws -> IDXArray {
        let plain = Zlib.isGzip(bytes) ? try Zlib.decompress(bytes, format: .gzip, limit: limit, name: name) : bytes
        let n = plain.count
        guard n >= 4 else {
            if n > 0, plain[0] != 0 { throw SpikeIOError.badMagic(file: name, format: "IDX") }
            throw SpikeIOError.truncatedHeader(file: name, needed: 4, available: n)
        }
        guard plain[0] == 0, plain[1] == 0 else { throw SpikeIOError.badMagic(file: name, format: "IDX") }
        guard let dtype = IDXArray.DType(rawValue: plain[2]) else {
            throw SpikeIOError.malformedHeader(file: name, reason: "unknown IDX type code 0x\(String(plain[2], radix: 16)) (expected 0x08, 0x09, 0x0B-0x0E)")
        }
        let rank = Int(plain[3])
        let headerSize = 4 + 4 * rank
        guard n >= headerSize else { throw SpikeIOError.truncatedHeader(file: name, needed: headerSize, available: n) }
        var dims: [Int] = []
        var total = dtype.size
        for k in 0..<rank {
            let at = 4 + 4 * k
            let d = Int(plain[at]) << 24 | Int(plain[at + 1]) << 16 | Int(plain[at + 2]) << 8 | Int(plain[at + 3])
            dims.append(d)
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, p <= n else {
                throw SpikeIOError.truncatedData(file: name, expected: overflow ? Int.max : p, actual: n - headerSize)
            }
            total = p
        }
        let available = n - headerSize
        if available < total { throw SpikeIOError.truncatedData(file: name, expected: total, actual: available) }
        if available > total { throw SpikeIOError.trailingData(file: name, expected: total, actual: available) }
        return IDXArray(dtype: dtype, dims: dims, bytes: Array(plain[headerSize...]))
    }
}

/// MNIST, Fashion-MNIST or KMNIST from their IDX files, as frames: sample `i` is `[1, 1, 28, 28]` (one time
/// step, one channel) of pixel / 255 in `[0, 1]` (torchvision's `ToTensor`), with its label in `0..<10`.
///
/// `root` holds `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
/// `t10k-labels-idx1-ubyte`, each plain or with `.gz`; torchvision's layout `root/MNIST/raw/`
/// (`FashionMNIST/raw`, `KMNIST/raw`) is also searched. Both files of the split are read and checked at
/// `init` (sizes, counts, labels), so `sample(at:epoch:)` cannot fail.
public struct MNIST: Dataset {
    /// Which of the three data sets in MNIST's format.
    public enum Variant: String, Sendable, CaseIterable {
        /// Handwritten digits (LeCun, Cortes, Burges).
        case mnist
        /// Zalando's clothing images (Xiao, Rasul, Vollgraf 2017).
        case fashionMNIST
        /// Kuzushiji characters (Clanuwat et al. 2018).
        case kmnist

        /// The name used in messages.
        public var displayName: String {
            switch self {
            case .mnist: return "MNIST"
            case .fashionMNIST: return "Fashion-MNIST"
            case .kmnist: return "KMNIST"
            }
        }

        /// torchvision's folder name under the root.
        var torchvisionFolder: String {
            switch self {
            case .mnist: return "MNIST"
            case .fashionMNIST: return "FashionMNIST"
            case .kmnist: return "KMNIST"
            }
        }

        /// Where the data set is published.
        public var source: String {
            switch self {
            case .mnist: return "http://yann.lecun.com/exdb/mnist/"
            case .fashionMNIST: return "https://github.com/zalandoresearch/fashion-mnist"
            case .kmnist: return "https://github.com/rois-codh/kmnist"
            }
        }
    }

    /// The variant read.
    public let variant: Variant
    /// Whether this is the training split (else the test split).
    public let train: Bool
    /// Pixels, `count * rows * columns` bytes.
    private let pixels: [UInt8]
    /// Labels, one byte each.
    public let labels: [UInt8]
    /// Image height and width (28 and 28).
    public let rows: Int, columns: Int

    /// Number of images.
    public var count: Int { labels.count }
    /// 10.
    public var classes: Int { 10 }
    /// `[1, rows, columns]` (one channel).
    public var stepShape: [Int] { [1, rows, columns] }

    /// Reads the images and labels of one split.
    /// - Throws: `DatasetError.missingFiles` when a file is missing (naming the expected files and where the
    ///   data set is published); `SpikeIOError` for an unreadable or malformed file, counts that differ, images
    ///   that are not unsigned bytes of rank 3, or a label outside `0..<10`.
    public init(root: String, train: Bool, variant: Variant = .mnist) throws {
        self.variant = variant
        self.train = train
        let prefix = train ? "train" : "t10k"
        let imageName = "\(prefix)-images-idx3-ubyte", labelName = "\(prefix)-labels-idx1-ubyte"
        let folders = [root, FormatSupport.join(root, "\(variant.torchvisionFolder)/raw")]
        func find(_ base: String) -> String? {
            for folder in folders {
                for candidate in [base, base + ".gz"] {
                    let path = FormatSupport.join(folder, candidate)
                    if FormatSupport.isFile(path) { return path }
                }
            }
            return nil
        }
        guard let imagePath = find(imageName), let labelPath = find(labelName) else {
            throw DatasetError.missingFiles(dataset: variant.displayName, path: root,
                                            expected: "\(imageName)[.gz] and \(labelName)[.gz]", source: variant.source)
        }
        let images = try IDX.read(path: imagePath)
        let labelArray = try IDX.read(path: labelPath)
        guard images.dtype == .uint8, images.dims.count == 3, images.dims[1] > 0, images.dims[2] > 0 else {
            throw SpikeIOError.malformedData(file: imagePath, reason: "expected unsigned-byte images [N, rows, columns], got \(images.dtype) \(images.dims)")
        }
        guard labelArray.dtype == .uint8, labelArray.dims.count == 1 else {
            throw SpikeIOError.malformedData(file: labelPath, reason: "expected unsigned-byte labels [N], got \(labelArray.dtype) \(labelArray.dims)")
        }
        guard labelArray.dims[0] == images.dims[0] else {
            throw SpikeIOError.malformedData(file: labelPath, reason: "\(labelArray.dims[0]) labels for \(images.dims[0]) images in \(imagePath)")
        }
        if let i = labelArray.bytes.firstIndex(where: { $0 >= 10 }) {
            throw SpikeIOError.malformedData(file: labelPath, reason: "label \(i) is \(labelArray.bytes[i]), outside 0..<10")
        }
        pixels = images.bytes
        labels = labelArray.bytes
        rows = images.dims[1]
        columns = images.dims[2]
    }

    /// Image `index` as `[1, 1, rows, columns]` of pixel / 255, and its label.
    public func sample(at index: Int, epoch: Int = 0) throws -> (input: Tensor, label: Int) {
        precondition(index >= 0 && index < count, "MNIST.sample: index \(index) outside 0..<\(count)")
        let size = rows * columns
        let start = index * size
        let values = pixels.withUnsafeBufferPointer { p in
            [Float](unsafeUninitializedCapacity: size) { out, n in
                for i in 0..<size { out[i] = Float(p[start + i]) / 255 }
                n = size
            }
        }
        return (Tensor(shape: [1, 1, rows, columns], scalars: values), Int(labels[index]))
    }
}
