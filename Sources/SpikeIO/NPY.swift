import Foundation
import SpikeCore

/// Reading and writing NumPy `.npy` files (the format of `numpy.save` / `numpy.load`).
///
/// Reading accepts format versions 1.0, 2.0 and 3.0 and the little-endian dtypes `'<f4'` and `'<f8'`,
/// plus `'<f2'`, `'|i1'`, `'<i2'`, `'<i4'`, `'<i8'`, `'|u1'`, `'<u2'`, `'<u4'`, `'<u8'` and `'|b1'`; all are
/// converted to `Float` (64-bit values are rounded to the nearest float). Big-endian data, Fortran-ordered
/// arrays, object and structured dtypes are rejected. The data must be exactly as long as the header says.
///
/// Writing always produces format 1.0 with dtype `'<f4'`, byte for byte what `numpy.save` writes for a
/// C-contiguous float32 array: the header dict is padded with spaces and a final `'\n'` so that the data
/// starts at a multiple of 64 bytes.
public enum NPY {
    /// The six magic bytes every `.npy` file starts with: `\x93NUMPY`.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// Data offset alignment numpy uses when writing.
    static let alignment = 64
    /// Spare header space numpy leaves after the dict so the first axis can grow in place.
    static let growthAxisMaxDigits = 21
    /// The longest header dict read, in bytes: numpy's own default limit for `np.load` (`max_header_size`).
    public static let maxHeaderBytes = 10_000

    /// Reads the `.npy` file at `url` as a tensor; errors name the file's path.
    public static func read(from url: URL) throws -> Tensor {
        try decode(Bytes.readFile(url), name: url.path)
    }

    /// Writes `t` to `url` as a float32 `.npy` file (format 1.0), atomically (see `AtomicFile`).
    public static func write(_ t: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(t), to: url)
    }

    /// Decodes the contents of a `.npy` file; `name` (usually the file's path) is used in error messages.
    public static func decode(_ data: Data, name: String) throws -> Tensor {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Tensor in
            try decode(raw, name: name)
        }
    }

    /// Encodes `t` as a float32 `.npy` file, byte for byte as `numpy.save` would.
    public static func encode(_ t: Tensor) -> Data {
        var out = header(shape: t.shape)
        Bytes.appendFloat32LE(t.scalars, to: &out)
        return out
    }

    // MARK: - Header writing

    /// The preamble and padded header (everything before the data) for a C-ordered array of `shape` with numpy
    /// type string `descr` (default float32).
    static func header(shape: [Int], descr: String = "<f4") -> Data {
        let shapeRepr: String
        switch shape.count {
        case 0: shapeRepr = "()"
        case 1: shapeRepr = "(\(shape[0]),)"
        default: shapeRepr = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeRepr), }"
        if let first = shape.first {
            dict += String(repeating: " ", count: max(0, growthAxisMaxDigits - String(first).count))
        }
        // As numpy's _wrap_header: total = magic + version + length field + dict + padding + '\n'.
        let text = Array(dict.utf8)
        let hlen = text.count + 1
        var version: UInt8 = 1
        var prefixLength = magic.count + 2 + 2
        var padlen = alignment - ((prefixLength + hlen) % alignment)
        if hlen + padlen > Int(UInt16.max) {  // only for absurdly high ranks; numpy also falls back to 2.0
            version = 2
            prefixLength = magic.count + 2 + 4
            padlen = alignment - ((prefixLength + hlen) % alignment)
        }
        var out = Data(magic)
        out.append(contentsOf: [version, 0])
        let headerLength = hlen + padlen
        if version == 1 {
            let n = UInt16(headerLength)
            out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        } else {
            let n = UInt32(headerLength)
            out.append(contentsOf: (0..<4).map { UInt8((n >> (8 * $0)) & 0xFF) })
        }
        out.append(contentsOf: text)
        out.append(contentsOf: [UInt8](repeating: 0x20, count: padlen))
        out.append(0x0A)
        return out
    }

    // MARK: - Reading

    private static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Tensor {
        let count = bytes.count
        let (headerText, dataStart) = try headerText(bytes, name: name)
        let header = try parseHeader(headerText, name: name)
        guard let elementCount = Bytes.product(header.shape),
              let byteCount = Bytes.product([elementCount, header.element.size]),
              byteCount <= Int.max - dataStart else {
            throw SpikeIOError.malformedHeader(file: name, reason: "shape \(MessageText.excerpt("\(header.shape)")) has too many elements")
        }
        let available = count - dataStart
        if available < byteCount {
            throw SpikeIOError.truncatedData(file: name, expected: byteCount, actual: available)
        }
        if available > byteCount {
            throw SpikeIOError.trailingData(file: name, expected: byteCount, actual: available)
        }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[dataStart..<count])
        let scalars = Bytes.floats(from: payload, count: elementCount, element: header.element)
        return Tensor(shape: header.shape, scalars: scalars)
    }

    /// The header dict's text and the offset of the data, after checking the magic, the version and the
    /// header length against the file's size.
    static func headerText(_ bytes: UnsafeRawBufferPointer, name: String) throws -> (text: String, dataStart: Int) {
        let count = bytes.count
        // Magic: compare what is there, so a short non-npy file is "not a .npy file", not "truncated".
        for i in 0..<min(magic.count, count) where bytes[i] != magic[i] {
            throw SpikeIOError.badMagic(file: name, format: ".npy")
        }
        guard count >= 8 else { throw SpikeIOError.truncatedHeader(file: name, needed: 10, available: count) }
        let major = Int(bytes[6]), minor = Int(bytes[7])
        let lengthFieldSize: Int
        switch (major, minor) {
        case (1, 0): lengthFieldSize = 2
        case (2, 0), (3, 0): lengthFieldSize = 4
        default: throw SpikeIOError.unsupportedVersion(file: name, major: major, minor: minor)
        }
        let headerStart = 8 + lengthFieldSize
        guard count >= headerStart else {
            throw SpikeIOError.truncatedHeader(file: name, needed: headerStart, available: count)
        }
        var headerLength = 0
        for i in 0..<lengthFieldSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        guard headerLength <= maxHeaderBytes else {
            throw SpikeIOError.malformedHeader(file: name, reason: "header of \(headerLength) bytes is over the limit of \(maxHeaderBytes)")
        }
        let dataStart = headerStart + headerLength
        guard count >= dataStart else {
            throw SpikeIOError.truncatedHeader(file: name, needed: dataStart, available: count)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[headerStart..<dataStart])
        if major == 3 {
            guard let text = Bytes.utf8String(headerBytes) else {
                throw SpikeIOError.malformedHeader(file: name, reason: "header is not valid UTF-8")
            }
            return (text, dataStart)
        }
        // Versions 1.0 and 2.0 store the header as latin-1.
        var text = ""
        text.unicodeScalars.reserveCapacity(headerBytes.count)
        for b in headerBytes { text.unicodeScalars.append(Unicode.Scalar(b)) }
        return (text, dataStart)
    }

    /// Parses the header dict `{'descr': ..., 'fortran_order': ..., 'shape': ...}`.
    static func parseHeader(_ text: String, name: String) throws -> (element: Bytes.Element, shape: [Int]) {
        let literal: PythonLiteral
        do {
            literal = try PythonLiteral.parse(text)
        } catch {
            throw SpikeIOError.malformedHeader(file: name, reason: error.message)
        }
        guard case let .dict(items) = literal else {
            throw SpikeIOError.malformedHeader(file: name, reason: "header is not a dict but \(literal.shortRepr)")
        }
        var fields: [String: PythonLiteral] = [:]
        for (key, value) in items {
            guard case let .string(k) = key else {
                throw SpikeIOError.malformedHeader(file: name, reason: "header dict key \(key.shortRepr) is not a string")
            }
            guard ["descr", "fortran_order", "shape"].contains(k) else {
                throw SpikeIOError.malformedHeader(file: name, reason: "unexpected key \(MessageText.quoted(k)) in header dict")
            }
            fields[k] = value
        }
        for key in ["descr", "fortran_order", "shape"] where fields[key] == nil {
            throw SpikeIOError.malformedHeader(file: name, reason: "header dict has no '\(key)' key")
        }

        let shape: [Int]
        switch fields["shape"]! {
        case let .tuple(dims), let .list(dims):
            shape = try dims.map { dim in
                guard case let .int(n) = dim, n >= 0 else {
                    throw SpikeIOError.malformedHeader(
                        file: name, reason: "'shape' must hold non-negative integers, got \(fields["shape"]!.shortRepr)")
                }
                return n
            }
        case let other:
            throw SpikeIOError.malformedHeader(file: name, reason: "'shape' must be a tuple, got \(other.shortRepr)")
        }

        let element: Bytes.Element
        switch fields["descr"]! {
        case let .string(descr): element = try parseDType(descr, name: name)
        case let .list(fieldsList):
            throw SpikeIOError.unsupportedDType(
                file: name, tensor: nil, dtype: PythonLiteral.list(fieldsList).shortRepr,
                reason: "structured dtypes are not supported; expected float32 or float64")
        case let other:
            throw SpikeIOError.malformedHeader(file: name, reason: "'descr' must be a string, got \(other.shortRepr)")
        }

        switch fields["fortran_order"]! {
        case .bool(false): break
        case .bool(true):
            throw SpikeIOError.unsupportedLayout(
                file: name,
                reason: "fortran_order is True (column-major data); save a C-ordered array, e.g. np.save(path, np.ascontiguousarray(a))")
        case let other:
            throw SpikeIOError.malformedHeader(file: name, reason: "'fortran_order' must be True or False, got \(other.shortRepr)")
        }
        return (element, shape)
    }

    /// Maps a numpy dtype string such as `'<f4'` to an element type, or throws naming the problem.
    static func parseDType(_ descr: String, name: String) throws -> Bytes.Element {
        let expected = "expected float32 or float64"
        func unsupported(_ reason: String) -> SpikeIOError {
            .unsupportedDType(file: name, tensor: nil, dtype: descr, reason: reason)
        }
        let chars = Array(descr)
        guard chars.count >= 2 else { throw unsupported(expected) }
        let order = chars[0]
        let code = String(chars[1...])
        let singleByte: [String: Bytes.Element] = ["u1": .u8, "i1": .i8, "b1": .bool]
        let multiByte: [String: Bytes.Element] = [
            "f4": .f32, "f8": .f64, "f2": .f16,
            "i2": .i16, "i4": .i32, "i8": .i64, "u2": .u16, "u4": .u32, "u8": .u64,
        ]
        if code.hasPrefix("O") { throw unsupported("object arrays are not supported; \(expected)") }
        guard "<>|=".contains(order) else { throw unsupported(expected) }
        if let element = singleByte[code] { return element }  // byte order is irrelevant for one byte
        guard let element = multiByte[code] else { throw unsupported(expected) }
        switch order {
        case "<": return element
        case ">": throw unsupported("big-endian data is not supported; expected little-endian float32 or float64")
        default: throw unsupported("byte order '\(order)' is not explicit little-endian; \(expected)")
        }
    }
}
