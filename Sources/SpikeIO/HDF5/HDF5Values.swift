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
            if order == .littleEndian, size == 4 {
                for i in 0..<n {
                    let f = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: offset + stride * i, as: UInt32.self).littleEndian)
                    guard let x = T.hdf5(exactly: Double(f)) else { throw error("value \(f) cannot be represented as \(T.self)") }
                    out[i] = x
                }
                return
            }
            if order == .littleEndian, size == 8 {
                for i in 0..<n {
                    let d = Double(bitPattern: bytes.loadUnaligned(fromByteOffset: offset + stride * i, as: UInt64.self).littleEndian)
                    guard let x = T.hdf5(exactly: d) else { throw error("value \(d) cannot be represented as \(T.self)") }
                    out[i] = x
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

    /// True when elements of `type` have exactly `T`'s in-memory representation (same kind and size,
    /// little-endian on a little-endian machine): they are then copied as bytes, the fast path that matters
    /// for large reads (SHD's float32 times and uint16 units). Checked once per read, not per element.
    static func isNative<T: HDF5Number>(_ type: HDF5Datatype, _: T.Type) -> Bool {
        #if _endian(little)
        switch type {
        case let .float(size, .littleEndian):
            return (size == 4 && T.self == Float.self) || (size == 8 && T.self == Double.self)
        case let .integer(size, signed, .littleEndian):
            switch (size, signed) {
            case (1, true): return T.self == Int8.self
            case (2, true): return T.self == Int16.self
            case (4, true): return T.self == Int32.self
            case (8, true): return T.self == Int64.self || T.self == Int.self
            case (1, false): return T.self == UInt8.self
            case (2, false): return T.self == UInt16.self
            case (4, false): return T.self == UInt32.self
            case (8, false): return T.self == UInt64.self || T.self == UInt.self
            default: return false
            }
        default: return false
        }
        #else
        return false
        #endif
    }

    /// All elements as numbers of type `T`. Callers in other modules reach this generic function unspecialised;
    /// the common types are dispatched here to copies the optimiser specialises (no per-element witness calls).
    func numbers<T: HDF5Number>(as type: T.Type) throws -> [T] {
        if T.self == Float.self { return unsafeBitCast(try numbersImpl(as: Float.self), to: [T].self) }
        if T.self == Double.self { return unsafeBitCast(try numbersImpl(as: Double.self), to: [T].self) }
        if T.self == Int64.self { return unsafeBitCast(try numbersImpl(as: Int64.self), to: [T].self) }
        if T.self == Int.self { return unsafeBitCast(try numbersImpl(as: Int.self), to: [T].self) }
        if T.self == Int32.self { return unsafeBitCast(try numbersImpl(as: Int32.self), to: [T].self) }
        if T.self == UInt16.self { return unsafeBitCast(try numbersImpl(as: UInt16.self), to: [T].self) }
        if T.self == UInt8.self { return unsafeBitCast(try numbersImpl(as: UInt8.self), to: [T].self) }
        return try numbersImpl(as: type)
    }

    private func numbersImpl<T: HDF5Number>(as: T.Type) throws -> [T] {
        switch datatype {
        case .integer, .float, .enumeration: break
        default: throw error("values of type \(datatype) cannot be read as numbers")
        }
        let bytes = try raw()
        if count == 0 { return [] }
        let native = Self.isNative(datatype, T.self)
        return try [T](unsafeUninitializedCapacity: count) { out, initialized in
            try bytes.withUnsafeBytes { raw in
                if native {
                    UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: count * MemoryLayout<T>.stride)
                } else {
                    try decode(raw, offset: 0, n: count, stride: datatype.size, type: datatype, into: out.baseAddress!)
                }
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

    /// All elements concatenated, with `count + 1` offsets (common types dispatched to specialised copies,
    /// as in `numbers(as:)`).
    func flattened<T: HDF5Number>(as type: T.Type) throws -> (values: [T], offsets: [Int]) {
        func cast<U>(_ r: (values: [U], offsets: [Int])) -> (values: [T], offsets: [Int]) {
            (unsafeBitCast(r.values, to: [T].self), r.offsets)
        }
        if T.self == Float.self { return cast(try flattenedImpl(as: Float.self)) }
        if T.self == Double.self { return cast(try flattenedImpl(as: Double.self)) }
        if T.self == Int64.self { return cast(try flattenedImpl(as: Int64.self)) }
        if T.self == Int.self { return cast(try flattenedImpl(as: Int.self)) }
        if T.self == Int32.self { return cast(try flattenedImpl(as: Int32.self)) }
        if T.self == UInt16.self { return cast(try flattenedImpl(as: UInt16.self)) }
        return try flattenedImpl(as: type)
    }

    private func flattenedImpl<T: HDF5Number>(as: T.Type) throws -> (values: [T], offsets: [Int]) {
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
        let native = Self.isNative(base, T.self)
        let values = try [T](unsafeUninitializedCapacity: total) { out, initialized in
            try source.bytes.withUnsafeBytes { file in
                for (i, r) in ranges.enumerated() where !r.isEmpty {
                    if native {
                        UnsafeMutableRawPointer(out.baseAddress! + offsets[i]).copyMemory(from: file.baseAddress! + r.lowerBound, byteCount: r.count)
                    } else {
                        try decode(file, offset: r.lowerBound, n: r.count / base.size, stride: base.size, type: base, into: out.baseAddress! + offsets[i])
                    }
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
