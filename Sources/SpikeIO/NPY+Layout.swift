/// The layout of a `.npy` file's data without converting it: plain and structured (record) dtypes.
///
/// `NPY.decode` reads numeric arrays as float tensors; event files (Tonic's structured arrays with fields
/// `x, y, t, p`) need each field exactly, as integers. `NPY.layout(of:name:)` parses the header, including
/// a structured `descr` such as `[('x', '<i2'), ('y', '<i2'), ('t', '<i8'), ('p', '|b1')]` (numpy's
/// `dtype.descr`: fields in order, packed, with `('', '|V<n>')` entries for padding), checks that the data is
/// exactly as long as the header says, and the column readers convert one field of every record.
public extension NPY {
    /// One field of a record (for a plain dtype, the single field named `""` at offset 0).
    struct Field: Sendable, Equatable {
        /// The field's name (`""` for a plain array).
        public let name: String
        /// Its numpy dtype string, e.g. `"<i8"`.
        public let dtype: String
        /// Byte offset inside a record.
        public let offset: Int
        /// Whether the values are floating point (`f2`, `f4`, `f8`).
        public var isFloatingPoint: Bool { element == .f16 || element == .f32 || element == .f64 }
        let element: Bytes.Element

        /// Fields are equal when name, dtype and offset are.
        public static func == (a: Field, b: Field) -> Bool { a.name == b.name && a.dtype == b.dtype && a.offset == b.offset }
    }

    /// The header of a `.npy` file and where its data lies.
    struct Layout: Sendable, Equatable {
        /// The array's shape (records for a structured dtype).
        public let shape: [Int]
        /// The fields of one record; one unnamed field for a plain dtype.
        public let fields: [Field]
        /// Whether the dtype is structured (`descr` is a list of fields).
        public let isStructured: Bool
        /// Bytes per record (per element for a plain dtype).
        public let itemSize: Int
        /// Offset of the data in the file.
        public let dataOffset: Int
        /// Number of records (elements), the product of `shape`.
        public let count: Int

        /// The field called `name`, if any.
        public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
    }

    /// Parses the header of the `.npy` file in `bytes` (magic, version, dict with a plain or structured
    /// `descr`) and checks the data length against the file.
    /// - Throws: `SpikeIOError` naming `name`: bad magic, truncated header or data, trailing data, a malformed
    ///   header, unsupported dtypes (big-endian, objects, strings, sub-arrays, nested records) or Fortran order.
    static func layout(of bytes: UnsafeRawBufferPointer, name: String) throws -> Layout {
        let (text, dataStart) = try headerText(bytes, name: name)
        let literal: PythonLiteral
        do { literal = try PythonLiteral.parse(text) } catch { throw SpikeIOError.malformedHeader(file: name, reason: error.message) }
        guard case let .dict(items) = literal else {
            throw SpikeIOError.malformedHeader(file: name, reason: "header is not a dict but \(literal.repr)")
        }
        var entries: [String: PythonLiteral] = [:]
        for (key, value) in items {
            guard case let .string(k) = key, ["descr", "fortran_order", "shape"].contains(k) else {
                throw SpikeIOError.malformedHeader(file: name, reason: "unexpected key \(key.repr) in header dict")
            }
            entries[k] = value
        }
        guard let descr = entries["descr"], let order = entries["fortran_order"], let shapeLiteral = entries["shape"] else {
            throw SpikeIOError.malformedHeader(file: name, reason: "header dict needs 'descr', 'fortran_order' and 'shape'")
        }
        var shape: [Int] = []
        switch shapeLiteral {
        case let .tuple(dims), let .list(dims):
            for dim in dims {
                guard case let .int(n) = dim, n >= 0 else {
                    throw SpikeIOError.malformedHeader(file: name, reason: "'shape' must hold non-negative integers, got \(shapeLiteral.repr)")
                }
                shape.append(n)
            }
        default:
            throw SpikeIOError.malformedHeader(file: name, reason: "'shape' must be a tuple, got \(shapeLiteral.repr)")
        }
        switch order {
        case .bool(false): break
        case .bool(true): throw SpikeIOError.unsupportedLayout(file: name, reason: "fortran_order is True (column-major data)")
        default: throw SpikeIOError.malformedHeader(file: name, reason: "'fortran_order' must be True or False, got \(order.repr)")
        }

        var fields: [Field] = []
        var itemSize = 0
        let structured: Bool
        switch descr {
        case let .string(d):
            let element = try parseDType(d, name: name)
            fields = [Field(name: "", dtype: d, offset: 0, element: element)]
            itemSize = element.size
            structured = false
        case let .list(list):
            structured = true
            guard !list.isEmpty, list.count <= 4096 else {
                throw SpikeIOError.malformedHeader(file: name, reason: "a structured dtype needs 1 to 4096 fields, got \(list.count)")
            }
            for entry in list {
                guard case let .tuple(parts) = entry, parts.count == 2,
                      case let .string(fieldName) = parts[0], case let .string(d) = parts[1] else {
                    throw SpikeIOError.unsupportedDType(file: name, tensor: nil, dtype: entry.repr,
                                                        reason: "fields must be (name, dtype) pairs of scalars")
                }
                if fieldName.isEmpty, d.hasPrefix("|V"), let pad = Int(d.dropFirst(2)), pad >= 0, pad <= 1 << 20 {
                    itemSize += pad  // numpy's padding entry
                    continue
                }
                guard !fieldName.isEmpty, !fields.contains(where: { $0.name == fieldName }) else {
                    throw SpikeIOError.malformedHeader(file: name, reason: "field name '\(fieldName)' is empty or repeated")
                }
                let element = try parseDType(d, name: name)
                fields.append(Field(name: fieldName, dtype: d, offset: itemSize, element: element))
                itemSize += element.size
            }
        default:
            throw SpikeIOError.malformedHeader(file: name, reason: "'descr' must be a string or a list of fields, got \(descr.repr)")
        }
        guard let count = Bytes.product(shape), let byteCount = Bytes.product([count, itemSize]),
              byteCount <= Int.max - dataStart else {
            throw SpikeIOError.malformedHeader(file: name, reason: "shape \(shape) has too many elements")
        }
        let available = bytes.count - dataStart
        if available < byteCount { throw SpikeIOError.truncatedData(file: name, expected: byteCount, actual: available) }
        if available > byteCount { throw SpikeIOError.trailingData(file: name, expected: byteCount, actual: available) }
        return Layout(shape: shape, fields: fields, isStructured: structured, itemSize: itemSize,
                      dataOffset: dataStart, count: count)
    }

    /// Field `field` of `count` records (default: all), the first at element `first` (default 0), `stride` bytes
    /// apart (default `itemSize`), as exact integers. For column `j` of a plain `[N, K]` array pass `first: j`,
    /// `stride: K * itemSize`, `count: N`.
    /// - Throws: `SpikeIOError.malformedData` for a floating-point value that is not a whole number in `Int64`'s
    ///   range, or an unsigned 64-bit value above `Int64.max`, naming the record.
    static func int64Values(_ field: Field, in bytes: UnsafeRawBufferPointer, layout: Layout,
                            first: Int = 0, stride: Int? = nil, count: Int? = nil, name: String) throws -> [Int64] {
        let stride = stride ?? layout.itemSize
        let n = count ?? layout.count
        let base = layout.dataOffset + first * layout.itemSize + field.offset
        precondition(n == 0 || base + (n - 1) * stride + field.element.size <= bytes.count, "NPY.int64Values: out of range")
        var out = [Int64](repeating: 0, count: n)
        var bad: (Int, String)?
        out.withUnsafeMutableBufferPointer { o in
            func each(_ load: (Int) -> Int64) { var at = base; for i in 0..<n { o[i] = load(at); at += stride } }
            switch field.element {
            case .i8: each { Int64(Int8(bitPattern: bytes[$0])) }
            case .u8: each { Int64(bytes[$0]) }
            case .bool: each { bytes[$0] == 0 ? 0 : 1 }
            case .i16: each { Int64(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: $0, as: Int16.self))) }
            case .u16: each { Int64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: $0, as: UInt16.self))) }
            case .i32: each { Int64(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0, as: Int32.self))) }
            case .u32: each { Int64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0, as: UInt32.self))) }
            case .i64: each { Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0, as: Int64.self)) }
            case .u64:
                var at = base
                for i in 0..<n {
                    let v = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                    if v > UInt64(Int64.max) { bad = (i, "\(v)"); return }
                    o[i] = Int64(v); at += stride
                }
            case .f16, .bf16, .f32, .f64:
                var at = base
                for i in 0..<n {
                    let v = doubleValue(field.element, bytes, at)
                    guard v.rounded(.towardZero) == v, v >= -9.223372036854775808e18, v < 9.223372036854775808e18 else {
                        bad = (i, "\(v)"); return
                    }
                    o[i] = Int64(v); at += stride
                }
            }
        }
        if let (i, v) = bad {
            let what = field.name.isEmpty ? "value" : "field '\(field.name)'"
            throw SpikeIOError.malformedData(file: name, reason: "record \(i): \(what) \(v) is not an integer in the range of Int64")
        }
        return out
    }

    /// Field `field` of every record (or of `count` records from `first`, `stride` bytes apart) as `Double`
    /// (64-bit integers above 2^53 are rounded).
    static func doubleValues(_ field: Field, in bytes: UnsafeRawBufferPointer, layout: Layout,
                             first: Int = 0, stride: Int? = nil, count: Int? = nil) -> [Double] {
        let stride = stride ?? layout.itemSize
        let n = count ?? layout.count
        let base = layout.dataOffset + first * layout.itemSize + field.offset
        precondition(n == 0 || base + (n - 1) * stride + field.element.size <= bytes.count, "NPY.doubleValues: out of range")
        var out = [Double](repeating: 0, count: n)
        var at = base
        for i in 0..<n { out[i] = doubleValue(field.element, bytes, at); at += stride }
        return out
    }

    private static func doubleValue(_ element: Bytes.Element, _ bytes: UnsafeRawBufferPointer, _ at: Int) -> Double {
        switch element {
        case .f64: return Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
        case .f32: return Double(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))))
        case .f16: return Double(Bytes.halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))))
        case .bf16: return Double(Float(bitPattern: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))) << 16))
        case .i8: return Double(Int8(bitPattern: bytes[at]))
        case .u8: return Double(bytes[at])
        case .bool: return bytes[at] == 0 ? 0 : 1
        case .i16: return Double(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int16.self)))
        case .u16: return Double(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
        case .i32: return Double(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
        case .u32: return Double(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        case .i64: return Double(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self)))
        case .u64: return Double(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
        }
    }
}
