import Foundation

/// Values to store in an HDF5 dataset or attribute: numbers of one type, or UTF-8 strings, with a shape.
public struct HDF5WriteValue: Sendable {
    enum Storage: Sendable {
        /// Little-endian element bytes of `type` (an integer or float type).
        case numbers([UInt8], HDF5Datatype)
        /// Variable-length UTF-8 strings.
        case strings([String])
    }

    let storage: Storage
    /// The shape (empty for a scalar).
    public let shape: [Int]

    private init(_ storage: Storage, shape: [Int]) {
        self.storage = storage
        self.shape = shape
    }

    /// The element count of `shape`, checked against the number of values given.
    private static func checkedShape(_ shape: [Int]?, count: Int) -> [Int] {
        let shape = shape ?? [count]
        precondition(shape.allSatisfy { $0 >= 0 } && Bytes.product(shape) == count,
                     "HDF5WriteValue: shape \(shape) does not hold \(count) values")
        return shape
    }

    /// Numbers of any `HDF5WritableNumber` type (`Float`, `Double`, `Int8`...`Int64`, `UInt8`...`UInt64`),
    /// stored little-endian in row-major order; `shape` defaults to one dimension of `values.count`.
    public static func numbers<T: HDF5WritableNumber>(_ values: [T], shape: [Int]? = nil) -> HDF5WriteValue {
        let shape = checkedShape(shape, count: values.count)
        var bytes = [UInt8](repeating: 0, count: values.count * T.hdf5Size)
        bytes.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() { v.storeLittleEndian(to: raw, at: i * T.hdf5Size) }
        }
        return HDF5WriteValue(.numbers(bytes, T.hdf5Type), shape: shape)
    }

    /// One number as a scalar (shape `[]`).
    public static func scalar<T: HDF5WritableNumber>(_ value: T) -> HDF5WriteValue {
        numbers([value], shape: [])
    }

    /// One string as a scalar variable-length UTF-8 string (h5py reads it as `str`).
    public static func string(_ value: String) -> HDF5WriteValue {
        HDF5WriteValue(.strings([value]), shape: [])
    }

    /// Variable-length UTF-8 strings; `shape` defaults to one dimension of `values.count`.
    public static func strings(_ values: [String], shape: [Int]? = nil) -> HDF5WriteValue {
        HDF5WriteValue(.strings(values), shape: checkedShape(shape, count: values.count))
    }

    /// The number of elements.
    var count: Int { Bytes.product(shape) ?? 0 }

    /// The element type written.
    var datatype: HDF5Datatype {
        switch storage {
        case let .numbers(_, type): return type
        case .strings: return .variableString(characterSet: .utf8)
        }
    }
}

/// A number type the HDF5 writer stores (little-endian, as h5py writes numpy's native types).
public protocol HDF5WritableNumber: Sendable {
    /// The HDF5 type written for this Swift type.
    static var hdf5Type: HDF5Datatype { get }
    /// Bytes per element.
    static var hdf5Size: Int { get }
    /// Stores the value little-endian at `offset`.
    func storeLittleEndian(to buffer: UnsafeMutableRawBufferPointer, at offset: Int)
}

extension HDF5WritableNumber where Self: FixedWidthInteger {
    /// `.integer` of the type's size and signedness, little-endian.
    public static var hdf5Type: HDF5Datatype { .integer(size: bitWidth / 8, signed: isSigned, byteOrder: .littleEndian) }
    /// `bitWidth / 8`.
    public static var hdf5Size: Int { bitWidth / 8 }
    /// Stores `littleEndian`.
    public func storeLittleEndian(to buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: littleEndian, toByteOffset: offset, as: Self.self)
    }
}

extension Int8: HDF5WritableNumber {}
extension Int16: HDF5WritableNumber {}
extension Int32: HDF5WritableNumber {}
extension Int64: HDF5WritableNumber {}
extension UInt8: HDF5WritableNumber {}
extension UInt16: HDF5WritableNumber {}
extension UInt32: HDF5WritableNumber {}
extension UInt64: HDF5WritableNumber {}

extension Float: HDF5WritableNumber {
    /// IEEE binary32, little-endian (numpy's `<f4`).
    public static var hdf5Type: HDF5Datatype { .float(size: 4, byteOrder: .littleEndian) }
    /// 4.
    public static var hdf5Size: Int { 4 }
    /// Stores the bit pattern little-endian.
    public func storeLittleEndian(to buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: bitPattern.littleEndian, toByteOffset: offset, as: UInt32.self)
    }
}

extension Double: HDF5WritableNumber {
    /// IEEE binary64, little-endian (numpy's `<f8`).
    public static var hdf5Type: HDF5Datatype { .float(size: 8, byteOrder: .littleEndian) }
    /// 8.
    public static var hdf5Size: Int { 8 }
    /// Stores the bit pattern little-endian.
    public func storeLittleEndian(to buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: bitPattern.littleEndian, toByteOffset: offset, as: UInt64.self)
    }
}

/// A dataset to write: its values, storage options and attributes.
public final class HDF5WriteDataset {
    /// The values.
    public let value: HDF5WriteValue
    /// The chunk shape, or nil for contiguous storage.
    public let chunks: [Int]?
    /// The deflate level (0-9) applied to each chunk, or nil for none.
    public let deflateLevel: Int?
    /// Attributes, in the order set (a name set again replaces the earlier value).
    public private(set) var attributes: [(name: String, value: HDF5WriteValue)] = []

    init(value: HDF5WriteValue, chunks: [Int]?, deflateLevel: Int?) {
        self.value = value
        self.chunks = chunks
        self.deflateLevel = deflateLevel
    }

    /// Sets the attribute `name` to `value`.
    public func setAttribute(_ name: String, _ value: HDF5WriteValue) {
        attributes.removeAll { $0.name == name }
        attributes.append((name, value))
    }
}

/// A group to write: nested groups, datasets and attributes.
public final class HDF5WriteGroup {
    enum Member {
        case group(HDF5WriteGroup)
        case dataset(HDF5WriteDataset)
    }

    var members: [String: Member] = [:]
    /// Attributes, in the order set (a name set again replaces the earlier value).
    public private(set) var attributes: [(name: String, value: HDF5WriteValue)] = []

    /// Creates an empty group (the root of an `HDF5Writer`, or a member added with `group(_:)`).
    init() {}

    /// The group at `path` below this one (`"a/b"`), created with any missing parents. A path component
    /// that is already a dataset is an error.
    @discardableResult
    public func group(_ path: String) throws -> HDF5WriteGroup {
        var current = self
        for part in try Self.components(path) {
            switch current.members[part] {
            case let .group(g)?: current = g
            case .dataset?: throw SpikeIOError.hdf5(file: HDF5Writer.inMemoryName, object: path, problem: "'\(part)' is a dataset, not a group")
            case nil:
                let g = HDF5WriteGroup()
                current.members[part] = .group(g)
                current = g
            }
        }
        return current
    }

    /// Adds (or replaces) the dataset at `path` (parents are created).
    /// - Parameters:
    ///   - chunks: the chunk shape (same rank as the value, each at least 1); nil stores the data contiguously.
    ///   - deflateLevel: compresses each chunk with deflate at this level (0-9, h5py's `compression="gzip"`);
    ///     requires `chunks`.
    /// - Returns: the dataset, to set its attributes.
    @discardableResult
    public func addDataset(_ path: String, _ value: HDF5WriteValue, chunks: [Int]? = nil, deflateLevel: Int? = nil) throws -> HDF5WriteDataset {
        func fail(_ problem: String) -> SpikeIOError { .hdf5(file: HDF5Writer.inMemoryName, object: path, problem: problem) }
        if let chunks {
            guard chunks.count == value.shape.count, !chunks.isEmpty, chunks.allSatisfy({ $0 >= 1 }), let n = Bytes.product(chunks),
                  n <= 1 << 28 else {
                throw fail("chunk shape \(chunks) does not suit the value's shape \(value.shape)")
            }
            if case .strings = value.storage { throw fail("chunked string datasets are not written (use contiguous storage)") }
        }
        if let level = deflateLevel {
            guard chunks != nil else { throw fail("deflate needs a chunk shape") }
            guard (0...9).contains(level) else { throw fail("deflate level \(level) outside 0...9") }
        }
        var parts = try Self.components(path)
        guard let name = parts.popLast() else { throw fail("a dataset needs a name") }
        let parent = try group(parts.joined(separator: "/"))
        if case .group? = parent.members[name] { throw fail("'\(name)' is already a group") }
        let d = HDF5WriteDataset(value: value, chunks: chunks, deflateLevel: deflateLevel)
        parent.members[name] = .dataset(d)
        return d
    }

    /// Sets the attribute `name` to `value`.
    public func setAttribute(_ name: String, _ value: HDF5WriteValue) {
        attributes.removeAll { $0.name == name }
        attributes.append((name, value))
    }

    /// The names in `path`, each checked (non-empty, no NUL, not "." or "..").
    static func components(_ path: String) throws -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for p in parts where p == "." || p == ".." || p.utf8.contains(0) {
            throw SpikeIOError.hdf5(file: HDF5Writer.inMemoryName, object: path, problem: "invalid name '\(p)'")
        }
        return parts
    }
}

/// Writes HDF5 files that h5py (and any HDF5 library since 1.6) opens unchanged: the layout h5py writes with
/// its defaults — superblock version 0, version 1 object headers, old-style groups (symbol table, version 1
/// B-tree, local heap), contiguous or chunked datasets (version 1 B-tree chunk index, optional deflate),
/// little-endian numbers and variable-length UTF-8 strings in global heap collections.
///
/// ```swift
/// let file = HDF5Writer()
/// try file.root.group("graph/nodes/lif")
/// try file.root.addDataset("graph/nodes/lif/tau", .numbers([Float](repeating: 0.02, count: 10)))
/// file.root.setAttribute("version", .string("0.5"))
/// try file.write(to: URL(fileURLWithPath: "net.nir"))
/// ```
public final class HDF5Writer {
    /// The name used in errors from `encode()`, which has no file.
    static let inMemoryName = "<hdf5 writer>"

    /// The root group `/`.
    public let root = HDF5WriteGroup()

    /// An empty file (only the root group).
    public init() {}

    /// The file's bytes.
    public func encode() throws -> [UInt8] {
        var e = H5Encoder(name: Self.inMemoryName)
        return try e.encode(root)
    }

    /// Writes the file to `url` atomically (see `AtomicFile`); errors name its path.
    public func write(to url: URL) throws {
        var e = H5Encoder(name: url.path)
        try AtomicFile.write(Data(try e.encode(root)), to: url)
    }
}

/// Lays out the file: everything is appended to one buffer, children before the structures that point
/// to them, and the superblock (at 0) is filled in last.
struct H5Encoder {
    let name: String
    var out: [UInt8] = []
    static let undefined = UInt64.max
    /// Group leaf node K (symbol table nodes hold 2K entries) and internal node K (B-tree nodes hold 2K
    /// children), the library's defaults, stored in the superblock.
    static let leafK = 4, groupK = 16
    /// Chunk B-tree K (version 0 superblocks have no field for it; 32 is the library's default).
    static let chunkK = 32

    init(name: String) { self.name = name }

    func fail(_ object: String, _ problem: String) -> SpikeIOError { .hdf5(file: name, object: object, problem: problem) }

    mutating func u8(_ v: Int) { out.append(UInt8(truncatingIfNeeded: v)) }
    mutating func u16(_ v: Int) { for i in 0..<2 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u32(_ v: Int) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func u64(_ v: Int) { u64(UInt64(v)) }
    mutating func pad8() { while out.count % 8 != 0 { out.append(0) } }
    mutating func zeros(_ n: Int) { out += [UInt8](repeating: 0, count: n) }

    /// Patches a little-endian 64-bit value at `at`.
    mutating func patch64(_ at: Int, _ v: Int) {
        for i in 0..<8 { out[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
    }

    mutating func encode(_ root: HDF5WriteGroup) throws -> [UInt8] {
        zeros(96)  // the superblock, written at the end
        let (rootHeader, rootTree, rootHeap) = try writeGroup(root, path: "/")
        var sb: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        sb += [0, 0, 0, 0, 0, 8, 8, 0]  // versions (superblock, free space, root entry, -, shared header), sizes
        sb += [UInt8(Self.leafK), 0, UInt8(Self.groupK), 0, 0, 0, 0, 0]  // K values, consistency flags
        let saved = out
        out = []
        u64(0)  // base address
        u64(Self.undefined)  // free space info
        u64(saved.count)  // end of file
        u64(Self.undefined)  // driver info
        u64(0)  // root entry: link name offset
        u64(rootHeader)
        u32(1)  // cache type 1: the scratch pad holds the root group's B-tree and heap
        u32(0)
        u64(rootTree)
        u64(rootHeap)
        sb += out
        out = saved
        out.replaceSubrange(0..<96, with: sb)
        return out
    }

    // MARK: Groups

    /// Writes a group's members, its local heap, symbol table nodes and B-tree, then its object header.
    /// Returns the header's, the B-tree's and the heap's addresses.
    mutating func writeGroup(_ group: HDF5WriteGroup, path: String) throws -> (Int, Int, Int) {
        // Names sorted by their bytes, as the library compares them with strcmp.
        let names = group.members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var entries: [(name: String, address: Int)] = []
        for memberName in names {
            let childPath = path == "/" ? "/" + memberName : path + "/" + memberName
            switch group.members[memberName]! {
            case let .group(g): entries.append((memberName, try writeGroup(g, path: childPath).0))
            case let .dataset(d): entries.append((memberName, try writeDataset(d, path: childPath)))
            }
        }
        // Local heap: offset 0 is the empty string (the B-tree's first key), then each name, 8-byte aligned.
        var heapData: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
        var nameOffsets: [Int] = []
        for e in entries {
            nameOffsets.append(heapData.count)
            heapData += Array(e.name.utf8) + [0]
            while heapData.count % 8 != 0 { heapData.append(0) }
        }
        let heap = out.count
        out += Array("HEAP".utf8)
        u8(0); zeros(3)
        u64(heapData.count)
        u64(1)  // no free block ("H5HL_FREE_NULL")
        u64(heap + 32)
        out += heapData

        // Symbol table nodes of at most 2 * leafK entries, each written at full size.
        let perNode = 2 * Self.leafK
        var nodes: [(address: Int, lastNameOffset: Int)] = []
        var start = 0
        while start < entries.count {
            let end = min(start + perNode, entries.count)
            let address = out.count
            out += Array("SNOD".utf8)
            u8(1); u8(0); u16(end - start)
            for i in start..<end {
                u64(nameOffsets[i]); u64(entries[i].address); u32(0); u32(0); zeros(16)
            }
            zeros((perNode - (end - start)) * 40)
            nodes.append((address, nameOffsets[end - 1]))
            start = end
        }
        let tree = writeBTree(type: 0, keySize: 8, children: nodes.map { ($0.address, Self.key64($0.lastNameOffset)) },
                              firstKey: Self.key64(0), k: Self.groupK)

        var messages: [(Int, [UInt8])] = [(0x11, Self.le64(tree) + Self.le64(heap))]
        messages += try attributeMessages(group.attributes, path: path)
        return (writeObjectHeader(messages), tree, heap)
    }

    static func le64(_ v: Int) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func key64(_ v: Int) -> [UInt8] { le64(v) }

    /// Writes a version 1 B-tree over `children` (address and the key that follows it, i.e. the largest key in
    /// that child), with `firstKey` before the first child; nodes hold up to 2k children and are written at
    /// full size, as the library reads them. Returns the root's address.
    mutating func writeBTree(type: Int, keySize: Int, children: [(Int, [UInt8])], firstKey: [UInt8], k: Int) -> Int {
        let nodeSize = 24 + (2 * k + 1) * keySize + 2 * k * 8
        var level = 0
        var current = children
        var leftKey = firstKey
        repeat {
            let groups = stride(from: 0, to: max(current.count, 1), by: 2 * k).map { Array(current[$0..<min($0 + 2 * k, current.count)]) }
            let first = out.count
            var parents: [(Int, [UInt8])] = []
            var keyBefore = leftKey
            for (n, members) in groups.enumerated() {
                let address = first + n * nodeSize
                out += Array("TREE".utf8)
                u8(type); u8(level); u16(members.count)
                u64(n == 0 ? Self.undefined : UInt64(address - nodeSize))
                u64(n == groups.count - 1 ? Self.undefined : UInt64(address + nodeSize))
                out += keyBefore
                for (child, key) in members {
                    u64(child)
                    out += key
                }
                zeros(nodeSize - 24 - (members.count + 1) * keySize - members.count * 8)
                keyBefore = members.last?.1 ?? keyBefore
                parents.append((address, keyBefore))
            }
            leftKey = firstKey
            current = parents
            level += 1
        } while current.count > 1
        return current[0].0
    }

    // MARK: Object headers and messages

    /// Writes a version 1 object header holding `messages` (type and body; bodies are padded to 8 bytes).
    mutating func writeObjectHeader(_ messages: [(Int, [UInt8])]) -> Int {
        let address = out.count
        let size = messages.reduce(0) { $0 + 8 + ($1.1.count + 7) / 8 * 8 }
        u8(1); u8(0); u16(messages.count); u32(1); u32(size); u32(0)
        for (type, body) in messages {
            let padded = (body.count + 7) / 8 * 8
            // Datatype and fill value messages are flagged constant, as the library writes them.
            u16(type); u16(padded); u8(type == 0x03 || type == 0x05 ? 1 : 0); zeros(3)
            out += body
            zeros(padded - body.count)
        }
        return address
    }

    /// A datatype message body.
    static func datatypeMessage(_ type: HDF5Datatype) -> [UInt8] {
        switch type {
        case let .integer(size, signed, _):
            return [0x10, signed ? 0x08 : 0, 0, 0] + le32(size) + [0, 0] + [UInt8(8 * size), 0]
        case let .float(size, _):
            if size == 4 { return [0x11, 0x20, 31, 0] + le32(4) + [0, 0, 32, 0, 23, 8, 0, 23] + le32(127) }
            return [0x11, 0x20, 63, 0] + le32(8) + [0, 0, 64, 0, 52, 11, 0, 52] + le32(1023)
        default:
            // Variable-length UTF-8 string over unsigned 8-bit characters (what h5py writes for str).
            return [0x19, 0x01, 0x01, 0] + le32(16) + [0x10, 0, 0, 0] + le32(1) + [0, 0, 8, 0]
        }
    }

    /// A version 1 dataspace message body (scalar when `shape` is empty).
    static func dataspaceMessage(_ shape: [Int]) -> [UInt8] {
        [1, UInt8(shape.count), 0, 0, 0, 0, 0, 0] + shape.flatMap { le64($0) }
    }

    /// The element bytes of `value` (for strings: a 16-byte reference per string into global heap
    /// collections written now).
    mutating func elementBytes(_ value: HDF5WriteValue, path: String) throws -> [UInt8] {
        switch value.storage {
        case let .numbers(bytes, _): return bytes
        case let .strings(strings):
            var refs: [UInt8] = []
            refs.reserveCapacity(16 * strings.count)
            var start = 0
            while start < strings.count {
                // One collection per 65535 strings (object indices are 16-bit).
                let end = min(start + 65535, strings.count)
                let collection = out.count
                var body: [UInt8] = []
                for (i, s) in strings[start..<end].enumerated() {
                    let bytes = Array(s.utf8)
                    body += [UInt8(truncatingIfNeeded: i + 1), UInt8(truncatingIfNeeded: (i + 1) >> 8), 0, 0, 0, 0, 0, 0]
                    body += Self.le64(bytes.count) + bytes
                    while body.count % 8 != 0 { body.append(0) }
                    refs += Self.le32(bytes.count) + Self.le64(collection) + Self.le32(i + 1)
                }
                // The collection is at least 4096 bytes; the rest is free space (object 0, size = the rest).
                let size = max(4096, 16 + body.count + 16)
                out += Array("GCOL".utf8)
                u8(1); zeros(3)
                u64(size)
                out += body
                let free = size - 16 - body.count
                u16(0); u16(0); u32(0); u64(free)
                zeros(free - 16)
                start = end
            }
            return refs
        }
    }

    /// Attribute messages (version 1) for `attributes`.
    mutating func attributeMessages(_ attributes: [(name: String, value: HDF5WriteValue)], path: String) throws -> [(Int, [UInt8])] {
        var messages: [(Int, [UInt8])] = []
        for (attributeName, value) in attributes {
            if attributeName.isEmpty || attributeName.utf8.contains(0) { throw fail(path, "invalid attribute name '\(attributeName)'") }
            let nameBytes = Array(attributeName.utf8) + [0]
            let type = Self.datatypeMessage(value.datatype)
            let space = Self.dataspaceMessage(value.shape)
            func padded(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (8 - b.count % 8) % 8) }
            var body: [UInt8] = [1, 0]
            body += [UInt8(nameBytes.count & 0xFF), UInt8(nameBytes.count >> 8)]
            body += [UInt8(type.count), 0, UInt8(space.count), 0]
            body += padded(nameBytes) + padded(type) + padded(space)
            body += try elementBytes(value, path: path)
            // Version 1 object header messages are at most 65535 bytes; larger attributes belong in datasets.
            if body.count > 65528 { throw fail(path, "attribute '\(attributeName)' of \(body.count) bytes is too large (at most 64 KiB)") }
            messages.append((0x0C, body))
        }
        return messages
    }

    // MARK: Datasets

    /// Writes a dataset's data, then its object header; returns the header's address.
    mutating func writeDataset(_ d: HDF5WriteDataset, path: String) throws -> Int {
        let value = d.value
        let elementSize = value.datatype.size
        let data = try elementBytes(value, path: path)
        var messages: [(Int, [UInt8])] = [(0x01, Self.dataspaceMessage(value.shape)), (0x03, Self.datatypeMessage(value.datatype))]
        if let chunks = d.chunks {
            messages.append((0x05, [2, 3, 2, 1, 0, 0, 0, 0]))  // fill value: incremental allocation, if set, default
            if let level = d.deflateLevel {
                // Filter pipeline version 1: deflate (id 1, optional as h5py marks it) with its level.
                messages.append((0x0B, [1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 1, 0, 1, 0] + Array("deflate".utf8) + [0] + Self.le32(level) + [0, 0, 0, 0]))
            }
            let tree = try writeChunks(data, shape: value.shape, chunks: chunks, elementSize: elementSize, level: d.deflateLevel, path: path)
            var layout: [UInt8] = [3, 2, UInt8(chunks.count + 1)] + Self.le64(tree)
            for c in chunks { layout += Self.le32(c) }
            layout += Self.le32(elementSize)
            messages.append((0x08, layout))
        } else {
            messages.append((0x05, [2, 2, 2, 1, 0, 0, 0, 0]))  // fill value: late allocation, if set, default
            let address = data.isEmpty ? -1 : out.count
            out += data
            messages.append((0x08, [3, 1] + (address < 0 ? Self.le64(-1) : Self.le64(address)) + Self.le64(data.count)))
        }
        messages += try attributeMessages(d.attributes, path: path)
        return writeObjectHeader(messages)
    }

    /// Writes every chunk (edge chunks padded with zeros, as the library stores them) and their B-tree;
    /// returns the B-tree's address (undefined when the dataset is empty).
    mutating func writeChunks(_ data: [UInt8], shape: [Int], chunks: [Int], elementSize: Int, level: Int?, path: String) throws -> Int {
        let rank = shape.count
        let grid = zip(shape, chunks).map { ($0 + $1 - 1) / $1 }
        let chunkCount = Bytes.product(grid) ?? 0
        if chunkCount == 0 { return -1 }
        let chunkElements = Bytes.product(chunks)!
        let keySize = 8 + 8 * (rank + 1)
        var children: [(Int, [UInt8])] = []
        var keys: [[UInt8]] = []
        var scaled = Array(repeating: 0, count: rank)
        for _ in 0..<chunkCount {
            let origin = zip(scaled, chunks).map { $0 * $1 }
            // Gather the chunk: runs along the last dimension.
            var chunk = [UInt8](repeating: 0, count: chunkElements * elementSize)
            let run = min(chunks[rank - 1], shape[rank - 1] - origin[rank - 1])
            var inner = Array(repeating: 0, count: rank)
            outer: while true {
                var src = 0, dst = 0
                for k in 0..<rank {
                    src = src * shape[k] + origin[k] + inner[k]
                    dst = dst * chunks[k] + inner[k]
                }
                chunk.replaceSubrange((dst * elementSize)..<((dst + run) * elementSize), with: data[(src * elementSize)..<((src + run) * elementSize)])
                var k = rank - 2
                while k >= 0 {
                    inner[k] += 1
                    if inner[k] < chunks[k] && origin[k] + inner[k] < shape[k] { continue outer }
                    inner[k] = 0
                    k -= 1
                }
                break
            }
            let stored = level.map { Zlib.compress(chunk, format: .zlib, level: $0) } ?? chunk
            let address = out.count
            out += stored
            var key = Self.le32(stored.count) + Self.le32(0)
            for o in origin { key += Self.le64(o) }
            key += Self.le64(0)
            keys.append(key)
            children.append((address, []))
            // Next chunk in row-major order.
            var k = rank - 1
            while k >= 0 {
                scaled[k] += 1
                if scaled[k] < grid[k] { break }
                scaled[k] = 0
                k -= 1
            }
        }
        // Each child's key is its own chunk's offset (the key before it); the final key holds the last chunk's
        // offsets with the element size in the extra dimension, as the library writes it.
        var last = keys[keys.count - 1]
        last.replaceSubrange(0..<8, with: [UInt8](repeating: 0, count: 8))
        last.replaceSubrange((keySize - 8)..<keySize, with: Self.le64(elementSize))
        var withFollowing: [(Int, [UInt8])] = []
        for i in 0..<children.count {
            withFollowing.append((children[i].0, i + 1 < keys.count ? keys[i + 1] : last))
        }
        return writeBTree(type: 1, keySize: keySize, children: withFollowing, firstKey: keys[0], k: Self.chunkK)
    }
}
