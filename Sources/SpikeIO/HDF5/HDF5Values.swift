/// A number type that HDF5 values can be read as (`readVLenSequences(as: Float.self)`, `read(as: Int32.self)`).
///
/// The three conversions return nil when the value cannot be represented exactly; `Float` and `Double`
/// accept every number (rounding as Swift's initialisers do).
public protocol HDF5Number: Sendable {
    /// The value of a signed integer, or nil if it cannot be represented.
    static func hdf5(exactly value: Int64) -> Self?
    /// The value of an unsigned integer, or nil if it cannot be represented.
    static func hdf5(exactly value: UInt64) -> Self?
    /// The value of a float, or nil if it cannot be represented.
    static func hdf5(exactly value: Double) -> Self?
}

extension Float: HDF5Number {
    /// `Float(value)`.
    public static func hdf5(exactly value: Int64) -> Float? { Float(value) }
    /// `Float(value)`.
    public static func hdf5(exactly value: UInt64) -> Float? { Float(value) }
    /// `Float(value)`.
    public static func hdf5(exactly value: Double) -> Float? { Float(value) }
}

extension Double: HDF5Number {
    /// `Double(value)`.
    public static func hdf5(exactly value: Int64) -> Double? { Double(value) }
    /// `Double(value)`.
    public static func hdf5(exactly value: UInt64) -> Double? { Double(value) }
    /// `value`.
    public static func hdf5(exactly value: Double) -> Double? { value }
}

/// Integer conversions: exact, so floats with a fraction and out-of-range values are rejected.
public extension HDF5Number where Self: FixedWidthInteger {
    /// `Self(exactly: value)`.
    static func hdf5(exactly value: Int64) -> Self? { Self(exactly: value) }
    /// `Self(exactly: value)`.
    static func hdf5(exactly value: UInt64) -> Self? { Self(exactly: value) }
    /// `Self(exactly: value)` (nil for NaN, infinities and fractions).
    static func hdf5(exactly value: Double) -> Self? { Self(exactly: value) }
}

extension Int: HDF5Number {}
extension Int8: HDF5Number {}
extension Int16: HDF5Number {}
extension Int32: HDF5Number {}
extension Int64: HDF5Number {}
extension UInt: HDF5Number {}
extension UInt8: HDF5Number {}
extension UInt16: HDF5Number {}
extension UInt32: HDF5Number {}
extension UInt64: HDF5Number {}

/// The values of a dataset or attribute: its type, element count and a way to get its raw bytes; decodes
/// them into numbers, strings and variable-length sequences.
struct H5Values {
    let source: H5Source
    let path: String
    let datatype: HDF5Datatype
    let count: Int
    let raw: () throws -> [UInt8]

    private func error(_ problem: String) -> SpikeIOError { source.error(path, problem) }

    /// Decodes `n` numbers of type `type` from `bytes` (starting at `offset`, `stride` bytes apart) into `out`.
    private func decode<T: HDF5Number>(_ bytes: UnsafeRawBufferPointer, offset: Int, n: Int, stride: Int, type: HDF5Datatype,
                                       into out: UnsafeMutablePointer<T>) throws {
        switch type {
        case let .integer(size, signed, order), let .enumeration(.integer(size, signed, order), _):
            // Fast paths for the common little-endian cases.
            if order == .littleEndian, size == 2, !signed, stride == 2 {
                for i in 0..<n {
                    let v = bytes.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self).littleEndian
                    guard let x = T.hdf5(exactly: UInt64(v)) else { throw error("value \(v) cannot be represented as \(T.self)") }
                    out[i] = x
                }
                return
            }
            for i in 0..<n {
                var v: UInt64 = 0
                let at = offset + i * stride
                for b in 0..<size {
                    let byte = UInt64(bytes[at + b])
                    v |= order == .littleEndian ? byte << (8 * UInt64(b)) : byte << (8 * UInt64(size - 1 - b))
                }
                let converted: T?
                if signed {
                    let shift = UInt64(64 - 8 * size)
                    let s = Int64(bitPattern: v << shift) >> Int64(shift)
                    converted = T.hdf5(exactly: s)
                    if converted == nil { throw error("value \(s) cannot be represented as \(T.self)") }
                } else {
                    converted = T.hdf5(exactly: v)
                    if converted == nil { throw error("value \(v) cannot be represented as \(T.self)") }
                }
                out[i] = converted!
            }
        case let .float(size, order):
            if T.self == Float.self, size == 4, order == .littleEndian, stride == 4 {
                out.withMemoryRebound(to: Float.self, capacity: n) { f in
                    for i in 0..<n { f[i] = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self).littleEndian) }
                }
                return
            }
            for i in 0..<n {
                let at = offset + i * stride
                var v: UInt64 = 0
                for b in 0..<size {
                    let byte = UInt64(bytes[at + b])
                    v |= order == .littleEndian ? byte << (8 * UInt64(b)) : byte << (8 * UInt64(size - 1 - b))
                }
                let d: Double
                switch size {
                case 2: d = Double(Bytes.halfToFloat(UInt16(v)))
                case 4: d = Double(Float(bitPattern: UInt32(v)))
                default: d = Double(bitPattern: v)
                }
                guard let x = T.hdf5(exactly: d) else { throw error("value \(d) cannot be represented as \(T.self)") }
                out[i] = x
            }
        default:
            throw error("values of type \(type) cannot be read as numbers")
        }
    }

    /// All elements as numbers of type `T`.
    func numbers<T: HDF5Number>(as: T.Type) throws -> [T] {
        switch datatype {
        case .integer, .float, .enumeration: break
        default: throw error("values of type \(datatype) cannot be read as numbers")
        }
        let bytes = try raw()
        if count == 0 { return [] }
        return try [T](unsafeUninitializedCapacity: count) { out, initialized in
            try bytes.withUnsafeBytes { raw in
                try decode(raw, offset: 0, n: count, stride: datatype.size, type: datatype, into: out.baseAddress!)
            }
            initialized = count
        }
    }

    /// One numeric field of a compound type as `Double`s.
    func field(_ name: String) throws -> [Double] {
        guard case let .compound(size, members) = datatype else { throw error("values of type \(datatype) have no fields") }
        guard let member = members.first(where: { $0.name == name }) else { throw error("no field named '\(name)'") }
        let bytes = try raw()
        if count == 0 { return [] }
        return try [Double](unsafeUninitializedCapacity: count) { out, initialized in
            try bytes.withUnsafeBytes { raw in
                try decode(raw, offset: member.offset, n: count, stride: size, type: member.type, into: out.baseAddress!)
            }
            initialized = count
        }
    }

    /// The heap object of the variable-length element at `at` in `bytes`: its file range and declared count.
    private func heapObject(_ bytes: [UInt8], at: Int, elementSize: Int) throws -> Range<Int> {
        let n = Int(UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        if n == 0 { return 0..<0 }
        var address = 0
        for b in 0..<8 { address |= Int(bytes[at + 4 + b]) << (8 * b) }
        let index = Int(UInt32(bytes[at + 12]) | UInt32(bytes[at + 13]) << 8 | UInt32(bytes[at + 14]) << 16 | UInt32(bytes[at + 15]) << 24)
        guard address >= 0, address <= Int.max - source.base else { throw error("variable-length element refers to address \(address)") }
        let heap = try H5GlobalHeap.read(source, at: address + source.base, object: path)
        guard index < heap.objects.count, !heap.objects[index].isEmpty || n == 0 else {
            throw error("variable-length element refers to missing object \(index) of the global heap at offset \(address)")
        }
        let object = heap.objects[index]
        let (needed, overflow) = n.multipliedReportingOverflow(by: elementSize)
        guard !overflow, needed <= object.count else {
            throw error("variable-length element of \(n) x \(elementSize) bytes exceeds its \(object.count)-byte heap object")
        }
        return object.lowerBound..<(object.lowerBound + needed)
    }

    /// All elements as strings.
    func strings() throws -> [String] {
        let bytes = try raw()
        switch datatype {
        case let .fixedString(size, _):
            return (0..<count).map { i in
                String(decoding: bytes[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }, as: UTF8.self)
            }
        case .variableString:
            var total = 0
            return try (0..<count).map { i in
                let r = try heapObject(bytes, at: i * 16, elementSize: 1)
                total += r.count
                try source.checkAllocation(total, path, "the strings")
                return String(decoding: source.bytes[r].prefix { $0 != 0 }, as: UTF8.self)
            }
        default:
            throw error("values of type \(datatype) are not strings")
        }
    }

    /// The base type of a variable-length sequence type.
    private func sequenceBase() throws -> HDF5Datatype {
        guard case let .variableSequence(base) = datatype else { throw error("values of type \(datatype) are not variable-length sequences") }
        switch base {
        case .integer, .float, .enumeration: return base
        default: throw error("variable-length sequences of \(base) cannot be read as numbers")
        }
    }

    /// All elements as arrays of `T`.
    func sequences<T: HDF5Number>(as: T.Type) throws -> [[T]] {
        let flat = try flattened(as: T.self)
        return (0..<count).map { Array(flat.values[flat.offsets[$0]..<flat.offsets[$0 + 1]]) }
    }

    /// All elements concatenated, with `count + 1` offsets.
    func flattened<T: HDF5Number>(as: T.Type) throws -> (values: [T], offsets: [Int]) {
        let base = try sequenceBase()
        let bytes = try raw()
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        var total = 0
        for i in 0..<count {
            let r = try heapObject(bytes, at: i * 16, elementSize: base.size)
            ranges.append(r)
            total += r.count / base.size
            try source.checkAllocation(total * MemoryLayout<T>.stride, path, "the variable-length data")
            offsets.append(total)
        }
        let values = try [T](unsafeUninitializedCapacity: total) { out, initialized in
            try source.bytes.withUnsafeBytes { file in
                for (i, r) in ranges.enumerated() where !r.isEmpty {
                    try decode(file, offset: r.lowerBound, n: r.count / base.size, stride: base.size, type: base, into: out.baseAddress! + offsets[i])
                }
            }
            initialized = total
        }
        return (values, offsets)
    }

    /// Reads every value in the form its type allows (what `validateAll` does for each dataset and attribute).
    func validate() throws {
        switch datatype {
        case .integer, .float, .enumeration: _ = try numbers(as: Double.self)
        case .fixedString, .variableString: _ = try strings()
        case let .variableSequence(base):
            switch base {
            case .integer, .float, .enumeration: _ = try flattened(as: Double.self)
            default: _ = try raw()
            }
        default: _ = try raw()
        }
    }
}
