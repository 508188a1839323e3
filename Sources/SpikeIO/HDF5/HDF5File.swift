import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An HDF5 file read into memory: the groups, datasets and attributes that h5py writes, with its defaults
/// (superblock 0, old-style groups, B-tree chunk index) and with `libver="latest"` (superblock 2 and 3,
/// version 2 object headers, compact and dense link storage, the version 4 chunk indexes).
///
/// ```swift
/// let file = try HDF5File(path: "shd_train.h5")
/// let times = try file.root.dataset("spikes/times").readVLenFlattened(as: Float.self)
/// let labels = try file.root.dataset("labels").readInt64s()
/// ```
///
/// The whole file is read once; objects are parsed when first asked for. Every offset and length found in
/// the file is checked against its size before use, nesting and loops are bounded, and allocations are
/// checked against `allocationLimit`: a damaged or hostile file throws a one-line `SpikeIOError.hdf5`
/// naming the file, the object and the problem, never traps. An `HDF5File` is not thread-safe (it caches
/// parsed headers); use one per thread.
public final class HDF5File {
    /// The file's path, or the name given to `init(bytes:name:)`; the first word of every error message.
    public let name: String
    /// The superblock version (0 for h5py's defaults, 2 or 3 for `libver="latest"`).
    public let superblockVersion: Int
    /// The root group `/`.
    public let root: HDF5Group
    let source: H5Source

    /// The allocation limit used when none is given: 1100 times the file's size (a little more than the best
    /// deflate ratio), and at least 64 MiB.
    public static func defaultAllocationLimit(fileSize: Int) -> Int {
        max(64 << 20, fileSize.multipliedReportingOverflow(by: 1100).overflow ? Int.max : fileSize * 1100)
    }

    /// Opens the file at `path`.
    /// - Parameter allocationLimit: the most bytes one read may allocate (see `defaultAllocationLimit`).
    public convenience init(path: String, allocationLimit: Int? = nil) throws {
        try self.init(url: URL(fileURLWithPath: path), allocationLimit: allocationLimit)
    }

    /// Opens the file at `url`; errors name its path.
    public convenience init(url: URL, allocationLimit: Int? = nil) throws {
        try self.init(bytes: Self.readWholeFile(url.path), name: url.path, allocationLimit: allocationLimit)
    }

    /// The file's bytes, read straight into one array (SHD files are hundreds of megabytes: no second copy).
    private static func readWholeFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SpikeIOError.cannotRead(path: path, reason: Bytes.errnoString()) }
        defer { _ = close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw SpikeIOError.cannotRead(path: path, reason: Bytes.errnoString()) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw SpikeIOError.cannotRead(path: path, reason: "is a directory") }
        let size = Int(info.st_size)
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }  // the file shrank while being read: what was read is parsed (and checked)
                done += n
            }
            initialized = done
        }
        if failure != 0 { throw SpikeIOError.cannotRead(path: path, reason: Bytes.errnoString(failure)) }
        // A file that grew while being read: take the rest as well.
        var more = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = more.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw SpikeIOError.cannotRead(path: path, reason: Bytes.errnoString()) }
            if n == 0 { break }
            bytes += more[0..<n]
        }
        return bytes
    }

    /// Parses a file held in memory (the entry point of fuzz targets: follow with `validateAll()`).
    /// - Parameters:
    ///   - name: the name used in error messages.
    ///   - allocationLimit: the most bytes one read may allocate (see `defaultAllocationLimit`).
    public init(bytes: [UInt8], name: String = "<hdf5>", allocationLimit: Int? = nil) throws {
        self.name = name
        source = H5Source(bytes: bytes, name: name, allocationLimit: allocationLimit ?? Self.defaultAllocationLimit(fileSize: bytes.count))
        let (version, rootAddress) = try Self.readSuperblock(source)
        superblockVersion = version
        source.rootAddress = rootAddress
        root = try HDF5Group(source: source, path: "/", address: rootAddress)
    }

    /// Finds the superblock (at 0, 512, 1024, ... when a user block precedes it) and returns its version
    /// and the root group's object header address.
    private static func readSuperblock(_ source: H5Source) throws -> (Int, Int) {
        let magic: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var at = 0
        while true {
            if at + 8 > source.size { throw SpikeIOError.badMagic(file: source.name, format: "HDF5") }
            if source.bytes[at..<(at + 8)].elementsEqual(magic) { break }
            at = at == 0 ? 512 : at * 2
        }
        var c = try source.cursor(from: at, "superblock", "superblock at offset \(at)")
        try c.skip(8)
        let version = Int(try c.u8())
        switch version {
        case 0, 1:
            try c.skip(4)  // free-space, root symbol table entry and shared header versions, reserved
            source.offsetSize = Int(try c.u8())
            source.lengthSize = Int(try c.u8())
            try checkSizes(source, c)
            try c.skip(1 + 2 + 2 + 4)  // reserved, group leaf and internal node K, consistency flags
            if version == 1 { try c.skip(4) }
            guard let base = try c.address() else { throw c.error("undefined base address") }
            source.base = base
            _ = try c.address()  // free space
            _ = try c.address()  // end of file
            _ = try c.address()  // driver information
            _ = try c.address()  // root entry: link name offset
            guard let root = try c.address() else { throw c.error("undefined root group address") }
            return (version, root)
        case 2, 3:
            source.offsetSize = Int(try c.u8())
            source.lengthSize = Int(try c.u8())
            try checkSizes(source, c)
            try c.skip(1)  // consistency flags
            guard let base = try c.address() else { throw c.error("undefined base address") }
            _ = try c.address()  // superblock extension
            _ = try c.address()  // end of file
            source.base = 0
            let rootRaw = try c.address()
            try source.verifyChecksum(at..<c.position, "superblock", "superblock")
            source.base = base
            guard let root = rootRaw else { throw c.error("undefined root group address") }
            return (version, root + base)
        default:
            throw c.error("superblock version \(version) is not supported (0 to 3 are)")
        }
    }

    private static func checkSizes(_ source: H5Source, _ c: H5Cursor) throws {
        guard [2, 4, 8].contains(source.offsetSize), [2, 4, 8].contains(source.lengthSize) else {
            throw c.error("unsupported sizes of offsets (\(source.offsetSize)) or lengths (\(source.lengthSize))")
        }
    }

    /// The object at `path` (absolute, or relative to the root), following soft links.
    public subscript(path: String) -> HDF5Object {
        get throws { try root[path] }
    }

    /// Walks every group, dataset and attribute reachable from the root and reads every value, so that any
    /// problem in the file surfaces as a thrown error (the walk a fuzz target runs). Groups reached twice
    /// through hard links are visited once; a group that contains itself is reported as a cycle.
    public func validateAll() throws {
        var done = Set<Int>()
        func walk(_ group: HDF5Group, ancestors: Set<Int>, depth: Int) throws {
            if depth > HDF5Group.maxDepth { throw source.error(group.path, "groups nested more than \(HDF5Group.maxDepth) levels deep") }
            for attribute in try group.attributes() { try attribute.validate() }
            for link in try group.links() {
                // Soft and external links name other places (their targets are walked where they live).
                guard case let .object(address) = link.target else { continue }
                let childPath = group.path == "/" ? "/" + link.name : group.path + "/" + link.name
                switch try HDF5Group.open(source, path: childPath, address: address) {
                case let .group(g):
                    if ancestors.contains(g.address) { throw source.error(g.path, "group contains itself (a cycle of hard links)") }
                    if done.insert(g.address).inserted { try walk(g, ancestors: ancestors.union([g.address]), depth: depth + 1) }
                case let .dataset(d):
                    if done.insert(d.address).inserted {
                        for attribute in try d.attributes() { try attribute.validate() }
                        try d.validate()
                    }
                }
            }
        }
        try walk(root, ancestors: [root.address], depth: 0)
    }
}

/// A group or a dataset.
public enum HDF5Object {
    /// A group (a folder of named links).
    case group(HDF5Group)
    /// A dataset (an n-dimensional array of one datatype).
    case dataset(HDF5Dataset)
}

/// A named link of a group.
public struct HDF5Link: Sendable, Equatable {
    /// The member's name in its group.
    public let name: String
    /// Where the link leads.
    public let target: HDF5LinkTarget
}

/// Where a link of a group leads.
public enum HDF5LinkTarget: Sendable, Equatable {
    /// A hard link to the object header at this address.
    case object(address: Int)
    /// A soft link to a path in the same file.
    case soft(String)
    /// A link to an object in another file (not followed).
    case external(file: String, path: String)
}

/// A group of an `HDF5File`: named links to groups and datasets, and attributes.
public struct HDF5Group {
    /// Most levels of nested groups a path or `validateAll` follows.
    public static let maxDepth = 64

    let source: H5Source
    /// The group's path (`/` for the root).
    public let path: String
    /// The address of the group's object header (its identity in the file).
    public let address: Int
    let header: H5ObjectHeader

    init(source: H5Source, path: String, address: Int) throws {
        self.source = source
        self.path = path
        self.address = address
        header = try H5ObjectHeader.read(source, at: address, object: path)
    }

    /// The group's links, by name (names sorted by their UTF-8 bytes, as h5py lists them).
    public func links() throws -> [HDF5Link] {
        if let cached = source.links[address] { return cached }
        let sorted = try readLinks()
        source.links[address] = sorted
        return sorted
    }

    private func readLinks() throws -> [HDF5Link] {
        var out: [(String, HDF5LinkTarget)] = []
        if let table = header.first(H5ObjectHeader.MessageType.symbolTable) {
            var c = H5Cursor(source: source, position: table.body.lowerBound, end: table.body.upperBound, object: path, what: "symbol table message")
            guard let tree = try c.address(), let heapAddress = try c.address() else { throw c.error("undefined B-tree or heap address") }
            let heap = try H5LocalHeap.read(source, at: heapAddress, object: path)
            try H5BTree1.walk(source, root: tree, nodeType: 0, keySize: source.lengthSize, object: path) { c in
                try c.skip(source.lengthSize)  // key
                guard let node = try c.address() else { throw c.error("undefined symbol table node address") }
                var s = try source.cursor(from: node, path, "symbol table node at offset \(node)")
                try s.signature("SNOD")
                if try s.u8() != 1 { throw s.error("unknown version") }
                try s.skip(1)
                let count = try s.u16()
                for _ in 0..<count {
                    let nameOffset = try s.int(source.offsetSize, "name offset")
                    let object = try s.address()
                    let cacheType = try s.u32()
                    try s.skip(4)
                    let scratch = try s.take(16)
                    let name = try heap.string(at: nameOffset, source, object: path)
                    if cacheType == 2 {  // a soft link: its value is in the heap too
                        var sc = H5Cursor(source: source, position: scratch.lowerBound, end: scratch.upperBound, object: path, what: "symbol table entry")
                        let valueOffset = try sc.u32()
                        out.append((name, .soft(try heap.string(at: valueOffset, source, object: path))))
                    } else {
                        guard let object else { throw s.error("member '\(name)' at the undefined address") }
                        out.append((name, .object(address: object)))
                    }
                    if out.count > source.size { throw s.error("more links than bytes in the file") }
                }
            }
        } else {
            for message in header.all(H5ObjectHeader.MessageType.link) {
                out.append(try Self.parseLink(source, message.body, object: path))
            }
            if let info = header.first(H5ObjectHeader.MessageType.linkInfo) {
                var c = H5Cursor(source: source, position: info.body.lowerBound, end: info.body.upperBound, object: path, what: "link info message")
                if try c.u8() != 0 { throw c.error("unknown version") }
                let flags = try c.u8()
                if flags & 1 != 0 { try c.skip(8) }
                if let heapAddress = try c.address(), let tree = try c.address() {
                    let heap = try H5FractalHeap(source, at: heapAddress, object: path)
                    try H5BTree2.walk(source, header: tree, object: path) { r, size in
                        try r.skip(4)  // name hash
                        let id = try r.take(size - 4)
                        out.append(try Self.parseLink(source, try heap.object(id: id), object: path))
                        if out.count > source.size { throw r.error("more links than bytes in the file") }
                    }
                }
            }
        }
        return out.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }.map { HDF5Link(name: $0.0, target: $0.1) }
    }

    /// Parses a link message (in an object header or a fractal heap).
    static func parseLink(_ source: H5Source, _ body: Range<Int>, object: String) throws -> (String, HDF5LinkTarget) {
        var c = H5Cursor(source: source, position: body.lowerBound, end: body.upperBound, object: object, what: "link message")
        if try c.u8() != 1 { throw c.error("unknown version") }
        let flags = try c.u8()
        let type = flags & 0x08 != 0 ? try c.u8() : 0
        if flags & 0x04 != 0 { try c.skip(8) }
        if flags & 0x10 != 0 { try c.skip(1) }
        let nameLength = try c.int(1 << Int(flags & 0x03), "link name length")
        let name = String(decoding: c.source.bytes[try c.take(nameLength)], as: UTF8.self)
        switch type {
        case 0:
            guard let address = try c.address() else { throw c.error("hard link '\(name)' to the undefined address") }
            return (name, .object(address: address))
        case 1:
            let length = try c.u16()
            return (name, .soft(String(decoding: c.source.bytes[try c.take(length)], as: UTF8.self)))
        case 64:
            let length = try c.u16()
            let r = try c.take(length)
            let parts = c.source.bytes[r].dropFirst().split(separator: 0, omittingEmptySubsequences: false)
            return (name, .external(file: String(decoding: parts.first ?? [], as: UTF8.self),
                                    path: String(decoding: parts.dropFirst().first ?? [], as: UTF8.self)))
        default:
            throw c.error("link '\(name)' of unknown type \(type)")
        }
    }

    /// The names of the group's members (sorted).
    public func memberNames() throws -> [String] { try links().map(\.name) }

    /// The object at `path` (relative to this group, or absolute), following soft links.
    public subscript(path: String) -> HDF5Object {
        get throws { try object(path) }
    }

    /// The object at `path` (relative to this group, or absolute), following soft links (at most 32 in a row).
    public func object(_ path: String) throws -> HDF5Object {
        try resolve(path, hops: 0)
    }

    private func resolve(_ path: String, hops: Int) throws -> HDF5Object {
        if hops > 32 { throw source.error(path, "more than 32 soft links followed (a loop?)") }
        var current: HDF5Object = .group(path.hasPrefix("/") ? try root() : self)
        let parts = path.split(separator: "/").map(String.init).filter { $0 != "." }
        if parts.count > Self.maxDepth { throw source.error(path, "path deeper than \(Self.maxDepth) levels") }
        for part in parts {
            guard case let .group(g) = current else { throw source.error(path, "'\(part)' is looked up in a dataset") }
            guard let link = try g.links().first(where: { $0.name == part }) else {
                throw source.error(g.path, "no member named '\(part)'")
            }
            let childPath = g.path == "/" ? "/" + part : g.path + "/" + part
            switch link.target {
            case let .object(address):
                current = try Self.open(source, path: childPath, address: address)
            case let .soft(target):
                let base = target.hasPrefix("/") ? try root() : g
                current = try base.resolve(target, hops: hops + 1)
            case let .external(f, p):
                throw source.error(childPath, "external link to \(f):\(p) is not followed")
            }
        }
        return current
    }

    /// A group or dataset from its object header (a dataset has a layout message).
    static func open(_ source: H5Source, path: String, address: Int) throws -> HDF5Object {
        let header = try H5ObjectHeader.read(source, at: address, object: path)
        if header.first(H5ObjectHeader.MessageType.layout) != nil {
            return .dataset(try HDF5Dataset(source: source, path: path, header: header))
        }
        return .group(try HDF5Group(source: source, path: path, address: address))
    }

    /// The file's root group.
    private func root() throws -> HDF5Group {
        try HDF5Group(source: source, path: "/", address: source.rootAddress)
    }

    /// The group at `path`, or an error if it is missing or a dataset.
    public func group(_ path: String) throws -> HDF5Group {
        guard case let .group(g) = try object(path) else { throw source.error(path, "is a dataset, not a group") }
        return g
    }

    /// The dataset at `path`, or an error if it is missing or a group.
    public func dataset(_ path: String) throws -> HDF5Dataset {
        guard case let .dataset(d) = try object(path) else { throw source.error(path, "is a group, not a dataset") }
        return d
    }

    /// The group's attributes, sorted by name.
    public func attributes() throws -> [HDF5Attribute] {
        try HDF5Attribute.all(source, header: header, path: path)
    }

    /// The attribute called `name`, or an error naming it.
    public func attribute(_ name: String) throws -> HDF5Attribute {
        guard let a = try attributes().first(where: { $0.name == name }) else { throw source.error(path, "no attribute named '\(name)'") }
        return a
    }
}

/// A dataset of an `HDF5File`: shape, element type, attributes and typed reads of its values.
public struct HDF5Dataset {
    let source: H5Source
    /// The dataset's path.
    public let path: String
    /// The shape (empty for a scalar).
    public let shape: [Int]
    /// The maximum shape (nil entries are unlimited; equal to `shape` unless the dataset can grow).
    public let maxShape: [Int?]
    /// The element type as stored.
    public let datatype: HDF5Datatype
    /// The chunk shape of a chunked dataset, nil for contiguous and compact ones.
    public let chunkShape: [Int]?
    /// The ids of the filters applied to each chunk (1 deflate, 2 shuffle, 3 fletcher32...), in the order applied on writing.
    public let filterIDs: [Int]
    let header: H5ObjectHeader
    let layout: H5Layout
    let filters: [H5Filter]
    let fill: [UInt8]
    let isNull: Bool

    /// The address of the dataset's object header (its identity in the file).
    public var address: Int { header.address }

    /// The number of elements (the product of `shape`; 1 for a scalar, 0 for a null dataspace).
    public var count: Int { isNull ? 0 : (Bytes.product(shape) ?? 0) }

    init(source: H5Source, path: String, header: H5ObjectHeader) throws {
        self.source = source
        self.path = path
        self.header = header
        typealias M = H5ObjectHeader.MessageType
        guard let spaceMessage = header.first(M.dataspace) else { throw source.error(path, "dataset without a dataspace message") }
        var c = H5Cursor(source: source, position: spaceMessage.body.lowerBound, end: spaceMessage.body.upperBound, object: path, what: "dataspace message")
        let space = try H5Dataspace.parse(&c)
        shape = space.dims
        maxShape = space.maxDims
        isNull = space.isNull
        datatype = try HDF5Attribute.datatype(source, header: header, path: path)
        guard let layoutMessage = header.first(M.layout) else { throw source.error(path, "dataset without a layout message") }
        var lc = H5Cursor(source: source, position: layoutMessage.body.lowerBound, end: layoutMessage.body.upperBound, object: path, what: "data layout message")
        layout = try H5Layout.parse(&lc, rank: shape.count)
        if case let .chunked(chunk, _) = layout { chunkShape = chunk } else { chunkShape = nil }
        if let f = header.first(M.filterPipeline) {
            var fc = H5Cursor(source: source, position: f.body.lowerBound, end: f.body.upperBound, object: path, what: "filter pipeline message")
            filters = try H5Filter.parsePipeline(&fc)
        } else {
            filters = []
        }
        filterIDs = filters.map(\.id)
        fill = try Self.fillValue(source, header: header, path: path)
    }

    /// The fill value's bytes (empty when undefined: zeros).
    private static func fillValue(_ source: H5Source, header: H5ObjectHeader, path: String) throws -> [UInt8] {
        if let m = header.first(H5ObjectHeader.MessageType.fillValue) {
            var c = H5Cursor(source: source, position: m.body.lowerBound, end: m.body.upperBound, object: path, what: "fill value message")
            let version = try c.u8()
            switch version {
            case 1, 2:
                try c.skip(2)
                let defined = try c.u8()
                if version == 2 && defined == 0 { return [] }
                let size = try c.u32()
                return Array(source.bytes[try c.take(size)])
            case 3:
                let flags = try c.u8()
                if flags & 0x20 == 0 { return [] }
                let size = try c.u32()
                return Array(source.bytes[try c.take(size)])
            default:
                throw c.error("unknown version \(version)")
            }
        }
        if let m = header.first(H5ObjectHeader.MessageType.fillValueOld) {
            var c = H5Cursor(source: source, position: m.body.lowerBound, end: m.body.upperBound, object: path, what: "fill value message")
            let size = try c.u32()
            return Array(source.bytes[try c.take(size)])
        }
        return []
    }

    /// The dataset's attributes, sorted by name.
    public func attributes() throws -> [HDF5Attribute] {
        try HDF5Attribute.all(source, header: header, path: path)
    }

    /// The attribute called `name`, or an error naming it.
    public func attribute(_ name: String) throws -> HDF5Attribute {
        guard let a = try attributes().first(where: { $0.name == name }) else { throw source.error(path, "no attribute named '\(name)'") }
        return a
    }

    /// The elements as stored in the file (`count * datatype.size` bytes, row-major), chunks reassembled
    /// and filters undone; unwritten parts hold the fill value.
    public func readRawBytes() throws -> [UInt8] {
                let elementSize = datatype.size
        let (total, overflow) = count.multipliedReportingOverflow(by: elementSize)
        if overflow { throw source.error(path, "\(count) elements of \(elementSize) bytes overflow") }
        switch layout {
        case let .compact(range):
            guard range.count >= total else { throw source.error(path, "compact data of \(range.count) bytes, \(total) needed") }
            return Array(source.bytes[range.lowerBound..<(range.lowerBound + total)])
        case let .contiguous(address, size):
            guard let address else { return try filled(total, elementSize) }
            guard size >= total else { throw source.error(path, "contiguous data of \(size) bytes, \(total) needed") }
            return Array(source.bytes[try source.range(address, total, path, "contiguous data")])
        case let .chunked(chunk, index):
            let reader = H5ChunkReader(source: source, object: path, dims: shape, maxDims: maxShape, chunk: chunk,
                                       elementSize: elementSize, filters: filters)
            return try reader.read(index, fill: fill)
        }
    }

    private func filled(_ total: Int, _ elementSize: Int) throws -> [UInt8] {
        try source.checkAllocation(total, path, "the dataset's \(count) elements")
        if fill.count == elementSize, fill.contains(where: { $0 != 0 }) {
            return Array([[UInt8]](repeating: fill, count: count).joined())
        }
        return [UInt8](repeating: 0, count: total)
    }

    var values: H5Values { H5Values(source: source, path: path, datatype: datatype, count: count, raw: { try readRawBytes() }) }

    /// The values as `Float` (integers, floats and enums such as bools, converted), row-major.
    public func readFloats() throws -> [Float] { try values.numbers(as: Float.self) }
    /// The values as `Double` (integers, floats and enums, converted), row-major.
    public func readDoubles() throws -> [Double] { try values.numbers(as: Double.self) }
    /// The values as `Int64` (integers and enums; an error for floats or unsigned values above `Int64.max`).
    public func readInt64s() throws -> [Int64] { try values.numbers(as: Int64.self) }
    /// The values converted to any `HDF5Number` type (an error for a value the type cannot represent exactly,
    /// except that any number converts to `Float` or `Double`).
    public func read<T: HDF5Number>(as type: T.Type) throws -> [T] { try values.numbers(as: T.self) }
    /// The values as booleans (non-zero is true; h5py's bool enum or integers).
    public func readBools() throws -> [Bool] { try values.numbers(as: Int64.self).map { $0 != 0 } }
    /// The values of a fixed- or variable-length string dataset (fixed strings end at their first NUL).
    public func readStrings() throws -> [String] { try values.strings() }
    /// The values of a variable-length sequence dataset, one array per element (SHD's spike times and units).
    public func readVLenSequences<T: HDF5Number>(as type: T.Type) throws -> [[T]] { try values.sequences(as: T.self) }
    /// The values of a variable-length sequence dataset as one flat array and `count + 1` offsets: element `i`
    /// is `values[offsets[i]..<offsets[i + 1]]` (one allocation for all of them: the fast way to read SHD).
    public func readVLenFlattened<T: HDF5Number>(as type: T.Type) throws -> (values: [T], offsets: [Int]) {
        try values.flattened(as: T.self)
    }
    /// The values of one numeric field of a compound dataset, converted to `Double`.
    public func readField(_ name: String) throws -> [Double] { try values.field(name) }

    func validate() throws {
        try values.validate()
    }
}

/// An attribute of a group or dataset: a small named array stored in the object's header.
public struct HDF5Attribute {
    /// The attribute's name.
    public let name: String
    /// The shape (empty for a scalar).
    public let shape: [Int]
    /// The element type as stored.
    public let datatype: HDF5Datatype
    /// The path of the object the attribute belongs to.
    public let ownerPath: String
    let source: H5Source
    let data: Range<Int>
    let isNull: Bool

    /// The number of elements (1 for a scalar, 0 for a null dataspace).
    public var count: Int { isNull ? 0 : (Bytes.product(shape) ?? 0) }

    var values: H5Values {
        let (needed, overflow) = count.multipliedReportingOverflow(by: datatype.size)
        let data = data, source = source, ownerPath = ownerPath, name = name
        return H5Values(source: source, path: "\(ownerPath) attribute '\(name)'", datatype: datatype, count: count, raw: {
            guard !overflow, data.count >= needed else { throw source.error(ownerPath, "attribute '\(name)' has \(data.count) bytes of data, \(needed) needed") }
            return Array(source.bytes[data.lowerBound..<(data.lowerBound + needed)])
        })
    }

    /// The values as `Float`.
    public func readFloats() throws -> [Float] { try values.numbers(as: Float.self) }
    /// The values as `Double`.
    public func readDoubles() throws -> [Double] { try values.numbers(as: Double.self) }
    /// The values as `Int64` (integers and enums).
    public func readInt64s() throws -> [Int64] { try values.numbers(as: Int64.self) }
    /// The values converted to any `HDF5Number` type.
    public func read<T: HDF5Number>(as type: T.Type) throws -> [T] { try values.numbers(as: T.self) }
    /// The values as booleans (non-zero is true).
    public func readBools() throws -> [Bool] { try values.numbers(as: Int64.self).map { $0 != 0 } }
    /// The values of a string attribute.
    public func readStrings() throws -> [String] { try values.strings() }
    /// The values of a variable-length sequence attribute, one array per element.
    public func readVLenSequences<T: HDF5Number>(as type: T.Type) throws -> [[T]] { try values.sequences(as: T.self) }
    /// The elements as stored in the file (`count * datatype.size` bytes).
    public func readRawBytes() throws -> [UInt8] { try values.raw() }

    func validate() throws { try values.validate() }

    /// The datatype message of an object header (following a shared, committed datatype once).
    static func datatype(_ source: H5Source, header: H5ObjectHeader, path: String) throws -> HDF5Datatype {
        guard let m = header.first(H5ObjectHeader.MessageType.datatype) else { throw source.error(path, "dataset without a datatype message") }
        var c = H5Cursor(source: source, position: m.body.lowerBound, end: m.body.upperBound, object: path, what: "datatype message")
        if m.flags & 0x02 != 0 {
            let committed = try sharedAddress(&c)
            let target = try H5ObjectHeader.read(source, at: committed, object: path)
            guard let t = target.first(H5ObjectHeader.MessageType.datatype), t.flags & 0x02 == 0 else {
                throw source.error(path, "shared datatype at offset \(committed) is not a committed datatype")
            }
            var tc = H5Cursor(source: source, position: t.body.lowerBound, end: t.body.upperBound, object: path, what: "committed datatype")
            return try HDF5Datatype.parse(&tc)
        }
        return try HDF5Datatype.parse(&c)
    }

    /// The object header address in a shared message reference (versions 1 to 3, committed objects only).
    static func sharedAddress(_ c: inout H5Cursor) throws -> Int {
        let version = try c.u8()
        let type = try c.u8()
        switch version {
        case 1: try c.skip(6)
        case 2: break
        case 3: if type != 2 { throw c.error("shared messages in the shared message heap are not supported") }
        default: throw c.error("unknown shared message version \(version)")
        }
        guard let address = try c.address() else { throw c.error("shared message at the undefined address") }
        return address
    }

    /// Every attribute of an object header: attribute messages and, for dense storage, those in the fractal heap.
    static func all(_ source: H5Source, header: H5ObjectHeader, path: String) throws -> [HDF5Attribute] {
        var out: [HDF5Attribute] = []
        for m in header.all(H5ObjectHeader.MessageType.attribute) {
            out.append(try parse(source, m.body, owner: path))
        }
        if let info = header.first(H5ObjectHeader.MessageType.attributeInfo) {
            var c = H5Cursor(source: source, position: info.body.lowerBound, end: info.body.upperBound, object: path, what: "attribute info message")
            if try c.u8() != 0 { throw c.error("unknown version") }
            let flags = try c.u8()
            if flags & 1 != 0 { try c.skip(2) }
            if let heapAddress = try c.address(), let tree = try c.address() {
                let heap = try H5FractalHeap(source, at: heapAddress, object: path)
                try H5BTree2.walk(source, header: tree, object: path) { r, _ in
                    let id = try r.take(heap.idLength)
                    out.append(try parse(source, try heap.object(id: id), owner: path))
                    if out.count > source.size { throw r.error("more attributes than bytes in the file") }
                }
            }
        }
        return out.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Parses an attribute message (versions 1 to 3).
    static func parse(_ source: H5Source, _ body: Range<Int>, owner: String) throws -> HDF5Attribute {
        var c = H5Cursor(source: source, position: body.lowerBound, end: body.upperBound, object: owner, what: "attribute message")
        let version = try c.u8()
        guard (1...3).contains(version) else { throw c.error("unknown version \(version)") }
        let flags = try c.u8()
        if flags & 0x03 != 0 { throw c.error("shared datatypes or dataspaces in attributes are not supported") }
        let nameSize = try c.u16()
        let typeSize = try c.u16()
        let spaceSize = try c.u16()
        if version == 3 { try c.skip(1) }
        func part(_ n: Int) throws -> Range<Int> {
            let r = try c.take(n)
            if version == 1 { try c.skip((8 - n % 8) % 8) }
            return r
        }
        let nameRange = try part(nameSize)
        let name = String(decoding: source.bytes[nameRange].prefix { $0 != 0 }, as: UTF8.self)
        let typeRange = try part(typeSize)
        var tc = H5Cursor(source: source, position: typeRange.lowerBound, end: typeRange.upperBound, object: owner, what: "attribute '\(name)' datatype")
        let type = try HDF5Datatype.parse(&tc)
        let spaceRange = try part(spaceSize)
        var sc = H5Cursor(source: source, position: spaceRange.lowerBound, end: spaceRange.upperBound, object: owner, what: "attribute '\(name)' dataspace")
        let space = try H5Dataspace.parse(&sc)
        return HDF5Attribute(name: name, shape: space.dims, datatype: type, ownerPath: owner, source: source,
                             data: c.position..<c.end, isNull: space.isNull)
    }
}
