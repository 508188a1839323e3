/// One header message of an object: its type, flags and where its body lies in the file.
struct H5Message {
    /// The message type (0x0001 dataspace, 0x0003 datatype, 0x0008 layout, 0x000C attribute...).
    let type: Int
    /// The message flags (bit 1: the body is a reference to a shared message).
    let flags: UInt8
    /// The body's bytes in the file.
    let body: Range<Int>
}

/// The messages of an object header (versions 1 and 2, with all continuation blocks followed).
struct H5ObjectHeader {
    /// The header's address.
    let address: Int
    /// The messages in file order (NIL and continuation messages dropped).
    let messages: [H5Message]

    /// The first message of `type`, if any.
    func first(_ type: Int) -> H5Message? { messages.first { $0.type == type } }

    /// All messages of `type`.
    func all(_ type: Int) -> [H5Message] { messages.filter { $0.type == type } }

    enum MessageType {
        static let dataspace = 0x01, linkInfo = 0x02, datatype = 0x03, fillValueOld = 0x04, fillValue = 0x05
        static let link = 0x06, layout = 0x08, groupInfo = 0x0A, filterPipeline = 0x0B, attribute = 0x0C
        static let continuation = 0x10, symbolTable = 0x11, attributeInfo = 0x15
    }

    /// At most this many continuation blocks per header (a loop of continuations is also caught by the
    /// set of visited blocks).
    static let maxContinuations = 4096

    /// Parses (or returns from the cache) the object header at `address`; `object` names it in errors.
    static func read(_ source: H5Source, at address: Int, object: String) throws -> H5ObjectHeader {
        if let cached = source.headers[address] { return cached }
        _ = try source.range(address, 4, object, "object header")
        let header: H5ObjectHeader
        if source.bytes[address..<(address + 4)].elementsEqual("OHDR".utf8) {
            header = try readVersion2(source, at: address, object: object)
        } else {
            header = try readVersion1(source, at: address, object: object)
        }
        source.headers[address] = header
        return header
    }

    private static func readVersion1(_ source: H5Source, at address: Int, object: String) throws -> H5ObjectHeader {
        var c = try source.cursor(address, 16, object, "object header (version 1) at offset \(address)")
        let version = try c.u8()
        if version != 1 { throw c.error("unknown object header version \(version)") }
        try c.skip(1)
        let declared = try c.u16()
        try c.skip(4)  // reference count
        let size = try c.u32()
        var messages: [H5Message] = []
        var blocks: [(Int, Int)] = [(address + 16, size)]
        var seen: Set<Int> = [address + 16]
        var count = 0
        while let (start, length) = blocks.popLast() {
            var m = try source.cursor(start, length, object, "object header (version 1) block at offset \(start)")
            while m.remaining >= 8 {
                let type = try m.u16()
                let bodySize = try m.u16()
                let flags = try m.u8()
                try m.skip(3)
                let body = try m.take(bodySize)
                count += 1
                if count > 65536 { throw m.error("more than 65536 messages") }
                if type == MessageType.continuation {
                    var cc = try source.cursor(body.lowerBound, body.count, object, "continuation message")
                    guard let next = try cc.address() else { throw cc.error("continuation to the undefined address") }
                    let nextLength = try cc.length()
                    if !seen.insert(next).inserted { throw cc.error("continuation block at offset \(next) is visited twice (a loop)") }
                    if seen.count > maxContinuations { throw cc.error("more than \(maxContinuations) continuation blocks") }
                    blocks.insert((next, nextLength), at: 0)
                } else if type != 0 {
                    messages.append(H5Message(type: type, flags: flags, body: body))
                }
                // Version 1 messages are 8-byte aligned within their block.
                try m.align(8, from: start)
            }
        }
        _ = declared  // h5py's count includes NIL messages and may include gaps; the blocks are authoritative.
        return H5ObjectHeader(address: address, messages: messages)
    }

    private static func readVersion2(_ source: H5Source, at address: Int, object: String) throws -> H5ObjectHeader {
        var c = try source.cursor(from: address, object, "object header (version 2) at offset \(address)")
        try c.signature("OHDR")
        let version = try c.u8()
        if version != 2 { throw c.error("unknown object header version \(version)") }
        let flags = try c.u8()
        if flags & 0x20 != 0 { try c.skip(16) }  // access, modification, change, birth times
        if flags & 0x10 != 0 { try c.skip(4) }  // attribute phase change values
        let chunkSize = try c.int(1 << Int(flags & 0x03), "chunk size")
        let trackOrder = flags & 0x04 != 0
        var messages: [H5Message] = []
        var blocks: [(start: Int, data: Range<Int>)] = []
        let firstData = try source.range(c.position, chunkSize, object, "object header (version 2) messages")
        try source.verifyChecksum(address..<firstData.upperBound, object, "object header")
        blocks.append((address, firstData))
        var seen: Set<Int> = [address]
        var index = 0
        var count = 0
        while index < blocks.count {
            let block = blocks[index]
            index += 1
            var m = H5Cursor(source: source, position: block.data.lowerBound, end: block.data.upperBound,
                             object: object, what: "object header (version 2) block at offset \(block.start)")
            let headerSize = trackOrder ? 6 : 4
            while m.remaining >= headerSize {
                let type = Int(try m.u8())
                let bodySize = try m.u16()
                let mflags = try m.u8()
                if trackOrder { try m.skip(2) }
                let body = try m.take(bodySize)
                count += 1
                if count > 65536 { throw m.error("more than 65536 messages") }
                if type == MessageType.continuation {
                    var cc = H5Cursor(source: source, position: body.lowerBound, end: body.upperBound, object: object, what: "continuation message")
                    guard let next = try cc.address() else { throw cc.error("continuation to the undefined address") }
                    let length = try cc.length()
                    if !seen.insert(next).inserted { throw cc.error("continuation block at offset \(next) is visited twice (a loop)") }
                    if seen.count > maxContinuations { throw cc.error("more than \(maxContinuations) continuation blocks") }
                    guard length >= 8 else { throw cc.error("continuation block of \(length) bytes") }
                    let whole = try source.range(next, length, object, "object header continuation block")
                    var sc = H5Cursor(source: source, position: next, end: whole.upperBound, object: object, what: "continuation block at offset \(next)")
                    try sc.signature("OCHK")
                    try source.verifyChecksum(next..<(whole.upperBound - 4), object, "object header continuation block")
                    blocks.append((next, (next + 4)..<(whole.upperBound - 4)))
                } else if type != 0 {
                    messages.append(H5Message(type: type, flags: mflags, body: body))
                }
            }
        }
        return H5ObjectHeader(address: address, messages: messages)
    }
}

/// The shape of a dataset or attribute (a dataspace message).
struct H5Dataspace {
    /// Current dimensions (empty for a scalar or null dataspace).
    var dims: [Int]
    /// Maximum dimensions (nil entries are unlimited); equal to `dims` when the message has none.
    var maxDims: [Int?]
    /// True for the null dataspace (no elements at all, h5py's `Empty`).
    var isNull: Bool

    /// The number of elements (1 for a scalar, 0 for null).
    var count: Int? { isNull ? 0 : Bytes.product(dims) }

    static func parse(_ c: inout H5Cursor) throws -> H5Dataspace {
        let version = try c.u8()
        let rank = Int(try c.u8())
        let flags = try c.u8()
        var isNull = false
        switch version {
        case 1: try c.skip(5)
        case 2:
            let type = try c.u8()
            if type > 2 { throw c.error("unknown dataspace type \(type)") }
            isNull = type == 2
        default: throw c.error("unknown dataspace version \(version)")
        }
        if rank > 32 { throw c.error("dataspace of rank \(rank) (at most 32)") }
        var dims: [Int] = []
        for _ in 0..<rank { dims.append(try c.length("dimension")) }
        var maxDims: [Int?] = dims
        if flags & 1 != 0 {
            maxDims = []
            for _ in 0..<rank {
                let v = try c.uint(c.source.lengthSize)
                maxDims.append(v == UInt64.max ? nil : Int(clamping: v))
            }
        }
        if Bytes.product(dims) == nil { throw c.error("dimensions \(dims) overflow") }
        return H5Dataspace(dims: dims, maxDims: maxDims, isNull: isNull)
    }
}

/// Where a dataset's elements are stored (a data layout message, versions 3 and 4).
enum H5Layout {
    /// Elements inside the message itself.
    case compact(Range<Int>)
    /// Elements in one block of the file (nil address: never written).
    case contiguous(address: Int?, size: Int)
    /// Elements in chunks of `chunk` elements per dimension, found through `index`.
    case chunked(chunk: [Int], index: H5ChunkIndex)
}

/// The chunk index of a chunked dataset.
enum H5ChunkIndex {
    /// Version 1 B-tree (layout version 3, h5py's default).
    case btree1(address: Int?)
    /// One chunk, the whole dataset; `filtered` holds its stored size and filter mask when filters apply.
    case single(address: Int?, filtered: (size: Int, mask: UInt32)?)
    /// Chunks at fixed positions from `address`, in row-major order, all allocated (no filters).
    case implicit(address: Int?)
    /// Fixed array (fixed maximum dimensions, more than one chunk).
    case fixedArray(address: Int?)
    /// Extensible array (one unlimited dimension).
    case extensibleArray(address: Int?)
    /// Version 2 B-tree (more than one unlimited dimension).
    case btree2(address: Int?)
}

extension H5Layout {
    /// Parses a data layout message; `rank` is the dataspace's rank.
    static func parse(_ c: inout H5Cursor, rank: Int) throws -> H5Layout {
        let version = try c.u8()
        // HDF5 2.0 (h5py 3.16, libver="latest") writes version 5 for filtered chunked datasets; the message's
        // fields are those of version 4 (the format specification 3.0 predates it), so both are read alike.
        guard (3...5).contains(version) else { throw c.error("data layout version \(version) is not supported") }
        let layoutClass = try c.u8()
        switch layoutClass {
        case 0:
            let size = try c.u16()
            return .compact(try c.take(size))
        case 1:
            let address = try c.address()
            let size = try c.length("contiguous size")
            return .contiguous(address: address, size: size)
        case 2:
            if rank == 0 { throw c.error("chunked layout for a scalar or null dataspace") }
            if version == 3 {
                let dimensionality = Int(try c.u8())
                let address = try c.address()
                guard dimensionality == rank + 1 else {
                    throw c.error("chunk dimensionality \(dimensionality) does not match the dataspace's rank \(rank) + 1")
                }
                var chunk: [Int] = []
                for _ in 0..<dimensionality { chunk.append(try c.u32()) }
                chunk.removeLast()  // the element size
                return .chunked(chunk: try checkedChunk(chunk, &c), index: .btree1(address: address))
            }
            let flags = try c.u8()
            let dimensionality = Int(try c.u8())
            let encoded = Int(try c.u8())
            guard dimensionality == rank + 1 else {
                throw c.error("chunk dimensionality \(dimensionality) does not match the dataspace's rank \(rank) + 1")
            }
            guard (1...8).contains(encoded) else { throw c.error("chunk dimension size field of \(encoded) bytes") }
            var chunk: [Int] = []
            for _ in 0..<dimensionality { chunk.append(try c.int(encoded, "chunk dimension")) }
            chunk.removeLast()
            let indexType = try c.u8()
            let index: H5ChunkIndex
            switch indexType {
            case 1:
                var filtered: (Int, UInt32)?
                if flags & 0x02 != 0 {
                    let size = try c.length("filtered chunk size")
                    filtered = (size, UInt32(try c.uint(4)))
                }
                index = .single(address: try c.address(), filtered: filtered)
            case 2: index = .implicit(address: try c.address())
            case 3:
                try c.skip(1)  // page bits
                index = .fixedArray(address: try c.address())
            case 4:
                try c.skip(5)  // max bits, index block elements, min pointers, min elements, page bits
                index = .extensibleArray(address: try c.address())
            case 5:
                try c.skip(6)  // node size, split and merge percents
                index = .btree2(address: try c.address())
            default: throw c.error("unknown chunk index type \(indexType)")
            }
            return .chunked(chunk: try checkedChunk(chunk, &c), index: index)
        case 3:
            throw c.error("virtual datasets are not supported")
        default:
            throw c.error("unknown layout class \(layoutClass)")
        }
    }

    private static func checkedChunk(_ chunk: [Int], _ c: inout H5Cursor) throws -> [Int] {
        if chunk.contains(0) || Bytes.product(chunk) == nil { throw c.error("invalid chunk dimensions \(chunk)") }
        return chunk
    }
}

/// One filter of a dataset's filter pipeline.
struct H5Filter {
    /// The filter id (1 deflate, 2 shuffle, 3 fletcher32...).
    let id: Int
    /// The filter's name as stored (may be empty).
    let name: String
    /// True when the filter may be skipped (bit 0 of its flags).
    let optional: Bool
    /// The filter's parameters ("client data").
    let parameters: [UInt32]

    /// Parses a filter pipeline message (versions 1 and 2).
    static func parsePipeline(_ c: inout H5Cursor) throws -> [H5Filter] {
        let version = try c.u8()
        guard version == 1 || version == 2 else { throw c.error("filter pipeline version \(version) is not supported") }
        let count = Int(try c.u8())
        if count > 32 { throw c.error("\(count) filters (at most 32)") }
        if version == 1 { try c.skip(6) }
        var filters: [H5Filter] = []
        for _ in 0..<count {
            let id = try c.u16()
            let nameLength = version == 1 || id >= 256 ? try c.u16() : 0
            let flags = try c.u16()
            let nValues = try c.u16()
            var name = ""
            if nameLength > 0 {
                let r = try c.take(nameLength)
                name = String(decoding: c.source.bytes[r].prefix { $0 != 0 }, as: UTF8.self)
                if version == 1 { try c.align(8, from: r.lowerBound) }
            }
            var parameters: [UInt32] = []
            for _ in 0..<nValues { parameters.append(UInt32(try c.uint(4))) }
            if version == 1, nValues % 2 == 1 { try c.skip(4) }
            filters.append(H5Filter(id: id, name: name, optional: flags & 1 != 0, parameters: parameters))
        }
        return filters
    }
}
