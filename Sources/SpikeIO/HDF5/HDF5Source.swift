import Foundation

// Layout reference for everything under HDF5/: the HDF5 File Format Specification version 3.0. Where h5py's
// output (h5py 3.16 over HDF5 2.0.0) and the text differ, the code follows the files and says so.

/// The bytes of an HDF5 file being read, with its name for error messages, the sizes of offsets and lengths
/// from the superblock, the allocation budget and the caches shared by every object of the file.
///
/// Every read from the file goes through `range(_:_:_:_:)` or an `H5Cursor`, which check offsets and lengths
/// against the file's size before any byte is touched.
final class H5Source {
    /// The whole file.
    let bytes: [UInt8]
    /// The file's path (or the name given to an in-memory file), first word of every error message.
    let name: String
    /// The most bytes one dataset or attribute read may allocate (decompressed chunks, fill values, vlen data).
    let allocationLimit: Int
    /// Bytes per file address ("size of offsets" in the superblock).
    var offsetSize = 8
    /// Bytes per length field ("size of lengths" in the superblock).
    var lengthSize = 8
    /// Absolute position that file addresses are relative to (the superblock's base address).
    var base = 0
    /// The root group's object header address.
    var rootAddress = 0
    /// Global heap collections already parsed, by address.
    var globalHeaps: [Int: H5GlobalHeap] = [:]
    /// The links of groups already listed, by object header address.
    var links: [Int: [HDF5Link]] = [:]
    /// Object headers already parsed, by address.
    var headers: [Int: H5ObjectHeader] = [:]

    init(bytes: [UInt8], name: String, allocationLimit: Int) {
        self.bytes = bytes
        self.name = name
        self.allocationLimit = allocationLimit
    }

    /// The file's size in bytes.
    var size: Int { bytes.count }

    /// The one-line error for `object` (an HDF5 path, or a structure such as "superblock").
    func error(_ object: String, _ problem: String) -> SpikeIOError {
        .hdf5(file: name, object: object, problem: problem)
    }

    /// `address ..< address + length` after checking that it lies inside the file.
    func range(_ address: Int, _ length: Int, _ object: String, _ what: String) throws -> Range<Int> {
        guard address >= 0, length >= 0 else {
            throw error(object, "\(what) at offset \(address) has a negative position or length (\(length))")
        }
        let (end, overflow) = address.addingReportingOverflow(length)
        guard !overflow, end <= bytes.count else {
            throw error(object, "\(what) at offset \(address) of \(length) bytes runs past the end of the \(bytes.count)-byte file")
        }
        return address..<end
    }

    /// A cursor over `length` bytes at `address` (checked against the file's size).
    func cursor(_ address: Int, _ length: Int, _ object: String, _ what: String) throws -> H5Cursor {
        let r = try range(address, length, object, what)
        return H5Cursor(source: self, position: r.lowerBound, end: r.upperBound, object: object, what: what)
    }

    /// A cursor from `address` to the end of the file (for structures whose size is only known once read).
    func cursor(from address: Int, _ object: String, _ what: String) throws -> H5Cursor {
        try cursor(address, max(0, bytes.count - max(0, address)), object, what)
    }

    /// Checks the Jenkins lookup3 checksum stored (little-endian) right after `range` against that range's bytes.
    func verifyChecksum(_ range: Range<Int>, _ object: String, _ what: String) throws {
        let stored = try self.range(range.upperBound, 4, object, "checksum of the \(what)")
        let expected = bytes.withUnsafeBytes { raw in
            H5Checksum.lookup3(UnsafeRawBufferPointer(rebasing: raw[range]))
        }
        let actual = UInt32(bytes[stored.lowerBound]) | UInt32(bytes[stored.lowerBound + 1]) << 8
            | UInt32(bytes[stored.lowerBound + 2]) << 16 | UInt32(bytes[stored.lowerBound + 3]) << 24
        if expected != actual {
            throw error(object, "checksum mismatch in the \(what) at offset \(range.lowerBound) (stored \(hex(actual)), computed \(hex(expected)))")
        }
    }

    /// Throws unless `bytes` more bytes may be allocated for `object`.
    func checkAllocation(_ bytes: Int, _ object: String, _ what: String) throws {
        if bytes < 0 || bytes > allocationLimit {
            throw error(object, "\(what) needs \(bytes) bytes, more than the allocation limit of \(allocationLimit) bytes")
        }
    }
}

/// `value` as `0x...` text.
func hex<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16) }

/// A bounds-checked little-endian reader over one structure of the file. Reading past `end` (the
/// structure's extent, never beyond the file) throws an error naming the structure and its offset.
struct H5Cursor {
    let source: H5Source
    /// The next byte to read.
    var position: Int
    /// One past the last byte this cursor may read.
    let end: Int
    /// The object path used in error messages.
    let object: String
    /// The structure being read ("object header", "B-tree node"...), for error messages.
    let what: String

    init(source: H5Source, position: Int, end: Int, object: String, what: String) {
        self.source = source
        self.position = position
        self.end = end
        self.object = object
        self.what = what
    }

    /// Bytes left before `end`.
    var remaining: Int { end - position }

    /// The error for this cursor's structure.
    func error(_ problem: String) -> SpikeIOError {
        source.error(object, "\(what): \(problem)")
    }

    /// Throws unless `n` more bytes can be read.
    func need(_ n: Int) throws {
        if n < 0 || n > end - position {
            throw error("truncated: needs \(n) bytes at offset \(position), only \(max(0, end - position)) left")
        }
    }

    mutating func skip(_ n: Int) throws {
        try need(n)
        position += n
    }

    mutating func u8() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return source.bytes[position]
    }

    mutating func u16() throws -> Int { Int(try uint(2)) }
    mutating func u32() throws -> Int { Int(try uint(4)) }

    /// An unsigned little-endian integer of `n` (0...8) bytes.
    mutating func uint(_ n: Int) throws -> UInt64 {
        guard n >= 0, n <= 8 else { throw error("field of \(n) bytes is wider than 8") }
        try need(n)
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(source.bytes[position + i]) << (8 * UInt64(i)) }
        position += n
        return v
    }

    /// A count or size of `n` bytes as `Int`, rejecting values that do not fit.
    mutating func int(_ n: Int, _ field: String) throws -> Int {
        let v = try uint(n)
        guard v <= UInt64(Int.max >> 1) else { throw error("\(field) \(v) is too large") }
        return Int(v)
    }

    /// A file address: nil for the undefined address (all bits set), otherwise made absolute with the base.
    mutating func address() throws -> Int? {
        let n = source.offsetSize
        let v = try uint(n)
        if v == (n == 8 ? UInt64.max : (UInt64(1) << UInt64(8 * n)) - 1) { return nil }
        guard v <= UInt64(Int.max >> 1) else { throw error("address \(v) is too large") }
        return Int(v) + source.base
    }

    /// A length field ("size of lengths" bytes).
    mutating func length(_ field: String = "length") throws -> Int {
        try int(source.lengthSize, field)
    }

    /// The next `n` bytes as a range of the file.
    mutating func take(_ n: Int) throws -> Range<Int> {
        try need(n)
        defer { position += n }
        return position..<(position + n)
    }

    /// Checks and skips a 4-character signature ("OHDR", "TREE"...).
    mutating func signature(_ text: String) throws {
        let r = try take(4)
        if !source.bytes[r].elementsEqual(text.utf8) {
            let found = source.bytes[r].map { (32..<127).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
            throw error("expected signature '\(text)' at offset \(r.lowerBound), found '\(found)'")
        }
    }

    /// A NUL-terminated string starting here, at most up to `end`; moves past the NUL.
    mutating func cString() throws -> String {
        var i = position
        while i < end, source.bytes[i] != 0 { i += 1 }
        if i == end { throw error("string at offset \(position) has no terminating NUL") }
        let s = String(decoding: source.bytes[position..<i], as: UTF8.self)
        position = i + 1
        return s
    }

    /// Moves forward to the next multiple of `alignment` relative to `origin`.
    mutating func align(_ alignment: Int, from origin: Int) throws {
        let r = (position - origin) % alignment
        if r != 0 { try skip(alignment - r) }
    }
}

/// Checksums used by HDF5: Jenkins' lookup3 (metadata of the newer formats) and Fletcher-32 (a filter).
enum H5Checksum {
    /// Bob Jenkins' lookup3 `hashlittle` with initial value 0, as the HDF5 library computes metadata checksums.
    static func lookup3(_ data: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        @inline(__always) func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }
        var length = data.count
        var a: UInt32 = 0xDEAD_BEEF &+ UInt32(truncatingIfNeeded: length) &+ initial
        var b = a, c = a
        var k = 0
        @inline(__always) func byte(_ i: Int) -> UInt32 { UInt32(data[i]) }
        while length > 12 {
            a &+= byte(k) &+ (byte(k + 1) << 8) &+ (byte(k + 2) << 16) &+ (byte(k + 3) << 24)
            b &+= byte(k + 4) &+ (byte(k + 5) << 8) &+ (byte(k + 6) << 16) &+ (byte(k + 7) << 24)
            c &+= byte(k + 8) &+ (byte(k + 9) << 8) &+ (byte(k + 10) << 16) &+ (byte(k + 11) << 24)
            a &-= c; a ^= rot(c, 4); c &+= b
            b &-= a; b ^= rot(a, 6); a &+= c
            c &-= b; c ^= rot(b, 8); b &+= a
            a &-= c; a ^= rot(c, 16); c &+= b
            b &-= a; b ^= rot(a, 19); a &+= c
            c &-= b; c ^= rot(b, 4); b &+= a
            length -= 12
            k += 12
        }
        if length == 0 { return c }
        // The tail: bytes k..<k+length added to a, b, c little-endian (the C code's fall-through switch).
        for i in 0..<length {
            let v = byte(k + i) << (8 * UInt32(i % 4))
            switch i / 4 {
            case 0: a &+= v
            case 1: b &+= v
            default: c &+= v
            }
        }
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
        return c
    }

    /// Fletcher-32 over 16-bit big-endian words (an odd last byte is the high byte of a final word), as the
    /// HDF5 fletcher32 filter computes it.
    static func fletcher32(_ data: UnsafeRawBufferPointer) -> UInt32 {
        var sum1: UInt32 = 0, sum2: UInt32 = 0
        var words = data.count / 2
        var i = 0
        while words > 0 {
            let block = min(words, 360)
            words -= block
            for _ in 0..<block {
                sum1 &+= (UInt32(data[i]) << 8) | UInt32(data[i + 1])
                sum2 &+= sum1
                i += 2
            }
            sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
            sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
        }
        if data.count % 2 == 1 {
            sum1 &+= UInt32(data[i]) << 8
            sum2 &+= sum1
            sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
            sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
        }
        sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
        sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
        return (sum2 << 16) | sum1
    }
}

/// Bytes needed to encode `n` as an unsigned integer, as the library sizes variable-width fields
/// (`log2(n) / 8 + 1`; 1 for 0).
func h5EncodedSize(_ n: UInt64) -> Int {
    n == 0 ? 1 : (63 - n.leadingZeroBitCount) / 8 + 1
}

/// `log2(n)` for a power of two `n` (or the floor for others); 0 for 0.
func h5Log2(_ n: UInt64) -> Int { n == 0 ? 0 : 63 - n.leadingZeroBitCount }
