/// An error reading or writing a tensor file.
///
/// Every case carries the file it is about (a path, or the `name:` given to an in-memory decoder) and
/// its `description` is a single line of the form `"<file>: <problem>"`, e.g.
/// `"x.npy: truncated: header says 24 bytes of data, file has 10"`, suitable for showing to a user as is.
public enum SpikeIOError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or read; `reason` is the operating system's explanation.
    case cannotRead(path: String, reason: String)
    /// The file could not be written (or renamed into place); `reason` is the operating system's explanation.
    case cannotWrite(path: String, reason: String)
    /// The file does not start with the format's magic bytes; `format` names the expected format.
    case badMagic(file: String, format: String)
    /// A `.npy` file of a format version this reader does not know.
    case unsupportedVersion(file: String, major: Int, minor: Int)
    /// The file ends inside its header: `needed` bytes are required, only `available` are present.
    case truncatedHeader(file: String, needed: Int, available: Int)
    /// The file ends inside its data: the header describes `expected` bytes of data, the file has `actual`.
    case truncatedData(file: String, expected: Int, actual: Int)
    /// The file has bytes after the data the header describes (`expected` bytes of data, `actual` present).
    case trailingData(file: String, expected: Int, actual: Int)
    /// The header is syntactically or structurally invalid; `reason` says how.
    case malformedHeader(file: String, reason: String)
    /// An element type this library cannot read; `tensor` is the tensor's name in multi-tensor files.
    case unsupportedDType(file: String, tensor: String?, dtype: String, reason: String)
    /// A memory layout this library cannot read (e.g. a Fortran-ordered `.npy`).
    case unsupportedLayout(file: String, reason: String)
    /// A tensor whose shape and dtype need `expected` bytes but whose stored data spans `actual` bytes.
    case dataSizeMismatch(file: String, tensor: String, shape: [Int], dtype: String, expected: Int, actual: Int)
    /// A tensor whose data range `[begin, end)` does not lie inside the `dataSize`-byte data section.
    case dataOutOfBounds(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors whose data ranges overlap.
    case overlappingData(file: String, first: String, firstRange: Range<Int>, second: String, secondRange: Range<Int>)
    /// Bytes `range` of the data section belong to no tensor (a gap, or unused bytes at the end).
    case uncoveredData(file: String, range: Range<Int>, dataSize: Int)
    /// Two tensors with the same name.
    case duplicateTensor(file: String, name: String)
    /// A tensor name that the format reserves or cannot represent.
    case invalidTensorName(file: String, name: String, reason: String)
    /// Contents that break the format's rules (a length past the end, a coordinate outside the sensor, a label
    /// out of range); `reason` says what and where, e.g. `"event 12: x 40 outside the sensor's 0..<34"`.
    case malformedData(file: String, reason: String)
    /// A problem in an HDF5 file (or in values given to the HDF5 writer): `object` is the path of the
    /// object concerned inside the file (`/spikes/times`, `/` for the root group, `superblock` for the file's
    /// header), `problem` what is wrong, e.g. "chunk at offset 4096 of 812 bytes runs past the end of the 4500-byte file".
    case hdf5(file: String, object: String, problem: String)

    /// A one-line message naming the file and the problem.
    public var description: String { Self.oneLine(message) }

    private var message: String {
        switch self {
        case let .cannotRead(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .cannotWrite(path, reason):
            return "\(path): cannot write: \(reason)"
        case let .badMagic(file, format):
            return "\(file): not a \(format) file (bad magic bytes)"
        case let .unsupportedVersion(file, major, minor):
            return "\(file): unsupported .npy format version \(major).\(minor) (expected 1.0, 2.0 or 3.0)"
        case let .truncatedHeader(file, needed, available):
            return "\(file): truncated: header needs \(needed) bytes, file has \(available)"
        case let .truncatedData(file, expected, actual):
            return "\(file): truncated: header says \(expected) bytes of data, file has \(actual)"
        case let .trailingData(file, expected, actual):
            return "\(file): \(actual - expected) unexpected bytes after the data: header says \(expected) bytes of data, file has \(actual)"
        case let .malformedHeader(file, reason):
            return "\(file): malformed header: \(reason)"
        case let .unsupportedDType(file, tensor, dtype, reason):
            let subject = tensor.map { "tensor '\($0)' has " } ?? ""
            return "\(file): \(subject)unsupported dtype '\(dtype)' (\(reason))"
        case let .unsupportedLayout(file, reason):
            return "\(file): unsupported layout: \(reason)"
        case let .dataSizeMismatch(file, tensor, shape, dtype, expected, actual):
            return "\(file): tensor '\(tensor)' of shape \(shape) and dtype \(dtype) needs \(expected) bytes, but its data_offsets span \(actual)"
        case let .dataOutOfBounds(file, tensor, begin, end, dataSize):
            return "\(file): tensor '\(tensor)' data range [\(begin), \(end)) exceeds the \(dataSize)-byte data section"
        case let .overlappingData(file, first, firstRange, second, secondRange):
            return "\(file): tensors '\(first)' [\(firstRange.lowerBound), \(firstRange.upperBound)) and '\(second)' [\(secondRange.lowerBound), \(secondRange.upperBound)) overlap"
        case let .uncoveredData(file, range, dataSize):
            return "\(file): bytes [\(range.lowerBound), \(range.upperBound)) of the \(dataSize)-byte data section belong to no tensor"
        case let .duplicateTensor(file, name):
            return "\(file): duplicate tensor name '\(name)'"
        case let .invalidTensorName(file, name, reason):
            return "\(file): invalid tensor name '\(name)': \(reason)"
        case let .malformedData(file, reason):
            return "\(file): \(reason)"
        case let .hdf5(file, object, problem):
            return "\(file): \(object): \(problem)"
        }
    }

    /// `text` with control characters (which may come from file contents: names, dtypes) escaped,
    /// so the message is always a single line.
    private static func oneLine(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}":
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
