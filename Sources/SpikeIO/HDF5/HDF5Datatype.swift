/// The byte order of a number stored in an HDF5 file.
public enum HDF5ByteOrder: String, Sendable, Equatable {
    /// Least significant byte first (what h5py writes for numpy's `<` types, the usual case).
    case littleEndian
    /// Most significant byte first (numpy's `>` types).
    case bigEndian
}

/// The character set of an HDF5 string.
public enum HDF5CharacterSet: String, Sendable, Equatable {
    /// 7-bit ASCII (h5py's `bytes`).
    case ascii
    /// UTF-8 (h5py's `str`).
    case utf8
}

/// One named member of an HDF5 enumeration.
public struct HDF5EnumMember: Sendable, Equatable {
    /// The member's name (`FALSE`, `TRUE` for h5py's bools).
    public var name: String
    /// The member's value, as a signed integer.
    public var value: Int64
}

/// One field of an HDF5 compound type.
public struct HDF5CompoundMember: Sendable, Equatable {
    /// The field's name.
    public var name: String
    /// The field's byte offset inside one element.
    public var offset: Int
    /// The field's type.
    public var type: HDF5Datatype
}

/// The type of the elements of an HDF5 dataset or attribute, as stored in the file.
public indirect enum HDF5Datatype: Sendable, Equatable, CustomStringConvertible {
    /// A two's complement (signed) or unsigned integer of `size` bytes (1, 2, 4 or 8).
    case integer(size: Int, signed: Bool, byteOrder: HDF5ByteOrder)
    /// An IEEE 754 binary float of `size` bytes (2, 4 or 8).
    case float(size: Int, byteOrder: HDF5ByteOrder)
    /// A string of exactly `size` bytes, padded with NULs or spaces (numpy's `S` types).
    case fixedString(size: Int, characterSet: HDF5CharacterSet)
    /// A variable-length string, stored in the global heap (h5py's `string_dtype()`).
    case variableString(characterSet: HDF5CharacterSet)
    /// An enumeration over an integer base type (h5py stores `bool` as the enum `FALSE = 0, TRUE = 1` over int8).
    case enumeration(base: HDF5Datatype, members: [HDF5EnumMember])
    /// A variable-length sequence of `base` elements, stored in the global heap (h5py's `vlen_dtype`).
    case variableSequence(base: HDF5Datatype)
    /// A record of named fields (numpy's structured dtypes), `size` bytes per element.
    case compound(size: Int, members: [HDF5CompoundMember])
    /// A fixed-size array of `base` elements with the given dimensions, per element.
    case array(base: HDF5Datatype, dimensions: [Int])
    /// Another class (opaque, bitfield, reference, time), kept by name and size; its values can only be
    /// read as raw bytes.
    case other(className: String, size: Int)

    /// Bytes per element in the file (for variable-length types, the size of the reference to the heap:
    /// a 4-byte length and a global heap id).
    public var size: Int {
        switch self {
        case let .integer(size, _, _), let .float(size, _), let .fixedString(size, _), let .compound(size, _), let .other(_, size):
            return size
        case .variableString, .variableSequence:
            return 16  // 4-byte count + 8-byte collection address + 4-byte index (with 8-byte offsets)
        case let .enumeration(base, _):
            return base.size
        case let .array(base, dims):
            return base.size * (Bytes.product(dims) ?? 0)
        }
    }

    /// A short description in numpy's style (`<f4`, `>i8`, `S5`, `vlen<f4>`, `enum<i1>`...).
    public var description: String {
        func order(_ o: HDF5ByteOrder) -> String { o == .littleEndian ? "<" : ">" }
        switch self {
        case let .integer(size, signed, byteOrder): return order(byteOrder) + (signed ? "i" : "u") + "\(size)"
        case let .float(size, byteOrder): return order(byteOrder) + "f\(size)"
        case let .fixedString(size, cs): return (cs == .utf8 ? "utf8 " : "") + "S\(size)"
        case let .variableString(cs): return "vlen str (\(cs.rawValue))"
        case let .enumeration(base, members): return "enum<\(base)>{" + members.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "}"
        case let .variableSequence(base): return "vlen<\(base)>"
        case let .compound(_, members): return "{" + members.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + "}"
        case let .array(base, dims): return "\(base)\(dims)"
        case let .other(name, size): return "\(name)(\(size) bytes)"
        }
    }

    /// True for h5py's boolean enum (`FALSE = 0`, `TRUE = 1` over a 1-byte integer).
    public var isBoolean: Bool {
        if case let .enumeration(base, members) = self, base.size == 1, members.count == 2,
           members.contains(HDF5EnumMember(name: "FALSE", value: 0)), members.contains(HDF5EnumMember(name: "TRUE", value: 1)) {
            return true
        }
        return false
    }
}

extension HDF5Datatype {
    /// Parses a datatype message (also the embedded types of attributes, compound members, vlen bases).
    /// `depth` bounds the nesting of member and base types.
    static func parse(_ c: inout H5Cursor, depth: Int = 0) throws -> HDF5Datatype {
        if depth > 16 { throw c.error("datatype nested more than 16 levels deep") }
        let start = c.position
        let classAndVersion = try c.u8()
        let typeClass = Int(classAndVersion & 0x0F)
        let version = Int(classAndVersion >> 4)
        let bits = Int(try c.uint(3))
        let size = try c.int(4, "datatype size")
        if size == 0 { throw c.error("datatype of size 0") }
        // Version 5 is what HDF5 2.0 writes with libver="latest" (enums, compounds); its fields are laid out
        // as in version 3 (names not padded), which is how they are read here.
        guard (1...5).contains(version) else {
            throw c.error("datatype version \(version) at offset \(start) is not supported")
        }
        switch typeClass {
        case 0:  // fixed-point
            try c.skip(4)  // bit offset, bit precision
            guard [1, 2, 4, 8].contains(size) else { throw c.error("integer of \(size) bytes is not supported") }
            return .integer(size: size, signed: bits & 0x08 != 0, byteOrder: bits & 1 == 0 ? .littleEndian : .bigEndian)
        case 1:  // floating-point
            try c.skip(12)  // bit offset, precision, exponent/mantissa location and size, bias
            guard [2, 4, 8].contains(size) else { throw c.error("float of \(size) bytes is not supported") }
            if bits & 0x40 != 0 { throw c.error("VAX byte order is not supported") }
            return .float(size: size, byteOrder: bits & 1 == 0 ? .littleEndian : .bigEndian)
        case 3:  // string
            guard size >= 1 else { throw c.error("fixed-length string of \(size) bytes") }
            return .fixedString(size: size, characterSet: (bits >> 4) & 0x0F == 1 ? .utf8 : .ascii)
        case 6:  // compound
            let count = bits & 0xFFFF
            var members: [HDF5CompoundMember] = []
            for _ in 0..<count {
                let nameStart = c.position
                let name = try c.cString()
                if version < 3 { try c.align(8, from: nameStart) }
                let offset: Int
                if version >= 3 {
                    offset = try c.int(h5EncodedSize(UInt64(size)), "member offset")
                } else {
                    offset = try c.int(4, "member offset")
                }
                if version == 1 {
                    let rank = Int(try c.u8())
                    try c.skip(3 + 4 + 4 + 16)
                    if rank != 0 { throw c.error("compound member '\(name)' with array dimensions (version 1) is not supported") }
                }
                let type = try parse(&c, depth: depth + 1)
                let (memberEnd, overflow) = offset.addingReportingOverflow(type.size)
                if overflow || memberEnd > size { throw c.error("compound member '\(name)' lies outside the \(size)-byte element") }
                members.append(HDF5CompoundMember(name: name, offset: offset, type: type))
            }
            return .compound(size: size, members: members)
        case 8:  // enumeration
            let count = bits & 0xFFFF
            let base = try parse(&c, depth: depth + 1)
            guard case let .integer(baseSize, signed, order) = base, baseSize == size else {
                throw c.error("enumeration over \(base) is not supported")
            }
            var names: [String] = []
            for _ in 0..<count {
                let nameStart = c.position
                names.append(try c.cString())
                if version < 3 { try c.align(8, from: nameStart) }
            }
            var members: [HDF5EnumMember] = []
            for name in names {
                let raw = try c.take(size)
                let value = H5Numbers.integer(c.source.bytes, at: raw.lowerBound, size: size, signed: signed, order: order)
                members.append(HDF5EnumMember(name: name, value: value))
            }
            return .enumeration(base: base, members: members)
        case 9:  // variable-length
            let base = try parse(&c, depth: depth + 1)
            // Elements are a 4-byte count and a global heap id (collection address + 4-byte index).
            if size != 8 + c.source.offsetSize { throw c.error("variable-length type of \(size) bytes (expected \(8 + c.source.offsetSize))") }
            if c.source.offsetSize != 8 { throw c.error("variable-length data in a file with \(c.source.offsetSize)-byte offsets is not supported") }
            if bits & 0x0F == 1 {
                return .variableString(characterSet: (bits >> 8) & 0x0F == 1 ? .utf8 : .ascii)
            }
            return .variableSequence(base: base)
        case 10:  // array
            let rank = Int(try c.u8())
            if version < 3 { try c.skip(3) }
            var dims: [Int] = []
            for _ in 0..<rank { dims.append(try c.int(4, "array dimension")) }
            if version < 3 { try c.skip(4 * rank) }
            let base = try parse(&c, depth: depth + 1)
            guard let n = Bytes.product(dims), n.multipliedReportingOverflow(by: base.size).overflow == false,
                  n * base.size == size else {
                throw c.error("array type of \(dims) x \(base.size) bytes does not match its size \(size)")
            }
            return .array(base: base, dimensions: dims)
        case 2:
            try c.skip(2)
            return .other(className: "time", size: size)
        case 4:
            try c.skip(4)
            return .other(className: "bitfield", size: size)
        case 5:
            try c.skip(bits & 0xFF)  // the ASCII tag, NUL-padded to a multiple of 8
            return .other(className: "opaque", size: size)
        case 7:
            return .other(className: "reference", size: size)
        default:
            throw c.error("unknown datatype class \(typeClass)")
        }
    }
}

/// Decoding of numbers in either byte order.
enum H5Numbers {
    /// The integer of `size` bytes at `offset`, sign-extended if `signed` (bits beyond 64 are not possible).
    @inline(__always)
    static func integer(_ bytes: [UInt8], at offset: Int, size: Int, signed: Bool, order: HDF5ByteOrder) -> Int64 {
        Int64(bitPattern: raw(bytes, at: offset, size: size, signed: signed, order: order))
    }

    /// The `size`-byte integer at `offset` as 64 bits (sign-extended when `signed`).
    @inline(__always)
    static func raw(_ bytes: [UInt8], at offset: Int, size: Int, signed: Bool, order: HDF5ByteOrder) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<size {
            let b = UInt64(bytes[offset + i])
            v |= order == .littleEndian ? b << (8 * UInt64(i)) : b << (8 * UInt64(size - 1 - i))
        }
        if signed, size < 8, v & (UInt64(1) << (8 * UInt64(size) - 1)) != 0 {
            v |= ~((UInt64(1) << (8 * UInt64(size))) - 1)
        }
        return v
    }
}
