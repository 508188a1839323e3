/// One stored chunk: its first element's coordinates, where its bytes are, and which filters were skipped.
struct H5Chunk {
    var origin: [Int]
    var address: Int
    var size: Int
    var filterMask: UInt32
}

/// Enumerates the chunks of a dataset from its chunk index and reassembles the dataset from them.
struct H5ChunkReader {
    let source: H5Source
    let object: String
    let dims: [Int]
    let maxDims: [Int?]
    let chunk: [Int]
    let elementSize: Int
    let filters: [H5Filter]

    /// Bytes of one unfiltered chunk (`Int.max` when that overflows; `read` refuses such chunks first).
    var chunkBytes: Int {
        let (n, overflow) = (Bytes.product(chunk) ?? Int.max).multipliedReportingOverflow(by: elementSize)
        return overflow ? Int.max : n
    }

    /// Chunks per dimension over `extent` (the grid that array indexes linearise).
    private func grid(_ extent: [Int]) -> [Int] {
        zip(extent, chunk).map { ($0 + $1 - 1) / $1 }
    }

    /// Every chunk the index lists.
    func chunks(_ index: H5ChunkIndex) throws -> [H5Chunk] {
        let rank = dims.count
        var out: [H5Chunk] = []
        func add(_ origin: [Int], _ address: Int?, _ size: Int, _ mask: UInt32) throws {
            guard let address else { return }
            for d in 0..<rank where origin[d] < 0 || origin[d] % chunk[d] != 0 {
                throw source.error(object, "chunk at \(origin) does not start on the chunk grid \(chunk)")
            }
            // Chunks past the current extent (left by a shrinking resize) hold no element of the dataset.
            if zip(origin, dims).contains(where: { $0 >= $1 }) { return }
            _ = try source.range(address, size, object, "chunk at \(origin)")
            out.append(H5Chunk(origin: origin, address: address, size: size, filterMask: mask))
            if out.count > source.size { throw source.error(object, "more chunks than bytes in the file") }
        }
        switch index {
        case let .btree1(address):
            guard let address else { return [] }
            let keySize = 8 + 8 * (rank + 1)
            try H5BTree1.walk(source, root: address, nodeType: 1, keySize: keySize, object: object) { c in
                let size = try c.u32()
                let mask = UInt32(try c.uint(4))
                var origin: [Int] = []
                for _ in 0..<rank { origin.append(try c.int(8, "chunk offset")) }
                try c.skip(8)
                try add(origin, try c.address(), size, mask)
            }
        case let .single(address, filtered):
            try add(Array(repeating: 0, count: rank), address, filtered?.size ?? chunkBytes, filtered?.mask ?? 0)
        case let .implicit(address):
            guard let address else { return [] }
            let g = grid(zip(dims, maxDims).map { $1 ?? $0 })
            let total = Bytes.product(g) ?? Int.max
            let (bytes, o) = total.multipliedReportingOverflow(by: chunkBytes)
            if o { throw source.error(object, "implicit chunk index overflows") }
            _ = try source.range(address, bytes, object, "implicit chunk index")
            for i in 0..<total {
                try add(origin(linear: i, grid: g, unlimited: nil), address + i * chunkBytes, chunkBytes, 0)
            }
        case let .fixedArray(address):
            guard let address else { return [] }
            let g = grid(zip(dims, maxDims).map { $1 ?? $0 })
            try H5ArrayIndex.fixedArray(source, at: address, object: object, filtered: !filters.isEmpty) { i, addr, size, mask in
                try add(origin(linear: i, grid: g, unlimited: nil), addr, size ?? chunkBytes, mask)
            }
        case let .extensibleArray(address):
            guard let address else { return [] }
            guard let u = maxDims.firstIndex(where: { $0 == nil }) else {
                throw source.error(object, "extensible array chunk index without an unlimited dimension")
            }
            let g = grid(zip(dims, maxDims).map { $1 ?? $0 })
            try H5ArrayIndex.extensibleArray(source, at: address, object: object, filtered: !filters.isEmpty) { i, addr, size, mask in
                try add(origin(linear: i, grid: g, unlimited: u), addr, size ?? chunkBytes, mask)
            }
        case let .btree2(address):
            guard let address else { return [] }
            let filtered = !filters.isEmpty
            try H5BTree2.walk(source, header: address, object: object) { c, recordSize in
                let chunkAddress = try c.address()
                var size = chunkBytes
                var mask: UInt32 = 0
                if filtered {
                    let sizeBytes = recordSize - source.offsetSize - 4 - 8 * rank
                    size = try c.int(sizeBytes, "chunk size")
                    mask = UInt32(try c.uint(4))
                }
                var origin: [Int] = []
                for d in 0..<rank {
                    let (o, overflow) = (try c.int(8, "chunk offset")).multipliedReportingOverflow(by: chunk[d])
                    if overflow { throw c.error("chunk offset overflows") }
                    origin.append(o)
                }
                try add(origin, chunkAddress, size, mask)
            }
        }
        return out
    }

    /// The first element of the chunk with linear index `linear` in a grid of `grid` chunks; with an
    /// unlimited dimension `unlimited` > 0 the library linearises with that dimension moved to the front.
    private func origin(linear: Int, grid: [Int], unlimited: Int?) -> [Int] {
        var order = Array(0..<grid.count)
        if let u = unlimited, u > 0 { order.remove(at: u); order.insert(u, at: 0) }
        var rest = linear
        var scaled = Array(repeating: 0, count: grid.count)
        for k in stride(from: order.count - 1, through: 0, by: -1) {
            let d = order[k]
            if k == 0 { scaled[d] = rest } else { scaled[d] = rest % max(grid[d], 1); rest /= max(grid[d], 1) }
        }
        return zip(scaled, chunk).map { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
    }

    /// The dataset's elements (`count * elementSize` bytes, row-major), with `fill` where no chunk is stored.
    func read(_ index: H5ChunkIndex, fill: [UInt8]) throws -> [UInt8] {
        let count = Bytes.product(dims) ?? 0
        let (total, overflow) = count.multipliedReportingOverflow(by: elementSize)
        if overflow { throw source.error(object, "\(count) elements of \(elementSize) bytes overflow") }
        try source.checkAllocation(total, object, "the dataset's \(count) elements")
        try source.checkAllocation(chunkBytes, object, "a chunk of \(chunk)")
        var out = [UInt8](repeating: 0, count: total)
        if total == 0 { return out }
        if fill.count == elementSize, fill.contains(where: { $0 != 0 }) {
            for i in 0..<count { out.replaceSubrange((i * elementSize)..<((i + 1) * elementSize), with: fill) }
        }
        let rank = dims.count
        var seen = Set<[Int]>()
        for c in try chunks(index) {
            if !seen.insert(c.origin).inserted { throw source.error(object, "chunk at \(c.origin) is stored twice") }
            let data = try decode(c)
            // Copy the part of the chunk inside the dataspace, one run along the last dimension at a time.
            let runLength = min(chunk[rank - 1], dims[rank - 1] - c.origin[rank - 1])
            var inner = Array(repeating: 0, count: rank)  // position inside the chunk (last dimension stays 0)
            data.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    while true {
                        var srcIndex = 0, dstIndex = 0
                        for d in 0..<rank {
                            srcIndex = srcIndex * chunk[d] + inner[d]
                            dstIndex = dstIndex * dims[d] + c.origin[d] + inner[d]
                        }
                        dst.baseAddress!.advanced(by: dstIndex * elementSize)
                            .copyMemory(from: src.baseAddress!.advanced(by: srcIndex * elementSize), byteCount: runLength * elementSize)
                        var d = rank - 2
                        while d >= 0 {
                            inner[d] += 1
                            if inner[d] < chunk[d] && c.origin[d] + inner[d] < dims[d] { break }
                            inner[d] = 0
                            d -= 1
                        }
                        if d < 0 { break }
                    }
                }
            }
        }
        return out
    }

    /// A chunk's bytes with its filters undone, checked to be exactly one chunk.
    func decode(_ c: H5Chunk) throws -> [UInt8] {
        var data = Array(source.bytes[c.address..<(c.address + c.size)])
        for (i, filter) in filters.enumerated().reversed() {
            if i < 32, c.filterMask & (UInt32(1) << UInt32(i)) != 0 { continue }
            switch filter.id {
            case 1: data = try inflate(data, expected: chunkBytes, at: c)
            case 2: data = unshuffle(data, elementSize: Int(filter.parameters.first ?? UInt32(elementSize)))
            case 3: data = try fletcher32(data, at: c)
            default:
                // An optional filter that failed on writing has its mask bit set (skipped above); here it was applied.
                let name = filter.name.isEmpty ? "" : " (\(filter.name))"
                throw source.error(object, "filter \(filter.id)\(name) is not supported (deflate, shuffle and fletcher32 are)")
            }
        }
        if data.count != chunkBytes {
            throw source.error(object, "chunk at \(c.origin) decodes to \(data.count) bytes, expected \(chunkBytes)")
        }
        return data
    }

    private func inflate(_ data: [UInt8], expected: Int, at c: H5Chunk) throws -> [UInt8] {
        // One chunk, or a little more when a later decoding step (fletcher32 written before deflate) shrinks it.
        let limit = min(source.allocationLimit, expected + 4096)
        do {
            return try Zlib.decompress(data, format: .zlib, limit: limit, name: source.name)
        } catch let error as SpikeIOError {
            var reason = "\(error)"
            if case let .malformedHeader(_, r) = error { reason = r }
            throw source.error(object, "chunk at \(c.origin) (offset \(c.address)): \(reason)")
        }
    }

    private func unshuffle(_ data: [UInt8], elementSize size: Int) -> [UInt8] {
        guard size > 1, data.count >= size else { return data }
        let n = data.count / size
        var out = data
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for b in 0..<size {
                    for i in 0..<n { dst[i * size + b] = src[b * n + i] }
                }
            }
        }
        return out
    }

    private func fletcher32(_ data: [UInt8], at c: H5Chunk) throws -> [UInt8] {
        guard data.count >= 4 else { throw source.error(object, "chunk at \(c.origin): too short for its fletcher32 checksum") }
        let body = data.count - 4
        let sum = data.withUnsafeBytes { H5Checksum.fletcher32(UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
        let stored = UInt32(data[body]) | UInt32(data[body + 1]) << 8 | UInt32(data[body + 2]) << 16 | UInt32(data[body + 3]) << 24
        // Files from library versions before 1.6.3 stored the checksum with its bytes swapped; both are accepted.
        if stored != sum && stored != sum.byteSwapped {
            throw source.error(object, "chunk at \(c.origin) (offset \(c.address)): fletcher32 checksum mismatch (stored \(hex(stored)), computed \(hex(sum)))")
        }
        return Array(data[0..<body])
    }
}

/// The fixed and extensible array chunk indexes of layout version 4.
enum H5ArrayIndex {
    /// Reads one element: a chunk address and, for filtered datasets, its stored size and filter mask.
    private static func element(_ c: inout H5Cursor, elementSize: Int, filtered: Bool) throws -> (Int?, Int?, UInt32) {
        let address = try c.address()
        if !filtered { return (address, nil, 0) }
        let sizeBytes = elementSize - c.source.offsetSize - 4
        let size = try c.int(sizeBytes, "chunk size")
        return (address, size, UInt32(try c.uint(4)))
    }

    /// Checks the element size recorded in an array header against the layout's needs.
    private static func checkElementSize(_ size: Int, filtered: Bool, _ c: H5Cursor) throws {
        let o = c.source.offsetSize
        if filtered ? (size < o + 5 || size > o + 12) : size != o {
            throw c.error("element size \(size) does not fit a \(filtered ? "filtered" : "plain") chunk index")
        }
    }

    /// Is bit `i` (most significant bit first, as the library stores page bitmaps) set in the bytes at `start`?
    private static func bit(_ source: H5Source, _ start: Int, _ i: Int) -> Bool {
        source.bytes[start + i / 8] & (0x80 >> UInt8(i % 8)) != 0
    }

    static func fixedArray(_ source: H5Source, at address: Int, object: String, filtered: Bool,
                           visit: (Int, Int?, Int?, UInt32) throws -> Void) throws {
        var h = try source.cursor(from: address, object, "fixed array header at offset \(address)")
        try h.signature("FAHD")
        if try h.u8() != 0 { throw h.error("unknown version") }
        _ = try h.u8()  // client id
        let elementSize = Int(try h.u8())
        let pageBits = Int(try h.u8())
        let count = try h.length("element count")
        let dataBlock = try h.address()
        try source.verifyChecksum(address..<h.position, object, "fixed array header")
        try checkElementSize(elementSize, filtered: filtered, h)
        guard let dataBlock else { return }
        if pageBits > 32 { throw h.error("page size of 2^\(pageBits) elements") }
        let (bytes, o) = count.multipliedReportingOverflow(by: elementSize)
        if o || bytes > source.size { throw h.error("\(count) elements do not fit in the file") }
        var d = try source.cursor(from: dataBlock, object, "fixed array data block at offset \(dataBlock)")
        try d.signature("FADB")
        if try d.u8() != 0 { throw d.error("unknown version") }
        try d.skip(1)
        _ = try d.address()
        let pageElements = 1 << pageBits
        if count <= pageElements {
            for i in 0..<count {
                let (a, s, m) = try element(&d, elementSize: elementSize, filtered: filtered)
                try visit(i, a, s, m)
            }
            try source.verifyChecksum(dataBlock..<d.position, object, "fixed array data block")
            return
        }
        let pages = (count + pageElements - 1) / pageElements
        let bitmap = try d.take((pages + 7) / 8)
        try source.verifyChecksum(dataBlock..<d.position, object, "fixed array data block")
        try d.skip(4)
        for p in 0..<pages {
            let n = min(pageElements, count - p * pageElements)
            let pageStart = d.position
            try d.need(n * elementSize + 4)
            if bit(source, bitmap.lowerBound, p) {
                try source.verifyChecksum(pageStart..<(pageStart + n * elementSize), object, "fixed array page")
                for j in 0..<n {
                    let (a, s, m) = try element(&d, elementSize: elementSize, filtered: filtered)
                    try visit(p * pageElements + j, a, s, m)
                }
            } else {
                try d.skip(n * elementSize)
            }
            try d.skip(4)
        }
    }

    static func extensibleArray(_ source: H5Source, at address: Int, object: String, filtered: Bool,
                                visit: (Int, Int?, Int?, UInt32) throws -> Void) throws {
        var h = try source.cursor(from: address, object, "extensible array header at offset \(address)")
        try h.signature("EAHD")
        if try h.u8() != 0 { throw h.error("unknown version") }
        _ = try h.u8()
        let elementSize = Int(try h.u8())
        let maxBits = Int(try h.u8())
        let indexElements = Int(try h.u8())
        let minElements = Int(try h.u8())
        let minPointers = Int(try h.u8())
        let pageBits = Int(try h.u8())
        for _ in 0..<4 { _ = try h.length() }
        let maxIndex = try h.length("max index set")
        _ = try h.length()
        let indexBlock = try h.address()
        try source.verifyChecksum(address..<h.position, object, "extensible array header")
        try checkElementSize(elementSize, filtered: filtered, h)
        guard (1...64).contains(maxBits), minElements > 0, minElements.nonzeroBitCount == 1, minPointers > 0,
              minPointers.nonzeroBitCount == 1, pageBits <= 32, h5Log2(UInt64(minElements)) < maxBits else {
            throw h.error("invalid creation parameters")
        }
        if maxIndex > source.size { throw h.error("\(maxIndex) elements do not fit in the file") }
        guard let indexBlock else { return }
        let offsetBytes = (maxBits + 7) / 8
        let superBlocks = 1 + maxBits - h5Log2(UInt64(minElements))
        // Super block table: data blocks per super block, elements per data block, first element index.
        var blocksIn: [Int] = [], elementsPer: [Int] = [], firstIndex: [Int] = []
        var start = 0
        for s in 0..<superBlocks {
            blocksIn.append(1 << min(s / 2, 40))
            elementsPer.append(minElements << min((s + 1) / 2, 40))
            firstIndex.append(start)
            let (p, o1) = blocksIn[s].multipliedReportingOverflow(by: elementsPer[s])
            let (next, o2) = start.addingReportingOverflow(p)
            start = o1 || o2 ? Int.max / 2 : next
        }
        let directBlocks = 2 * (minPointers - 1)
        let directSuperBlocks = 2 * h5Log2(UInt64(minPointers))
        let superBlockAddresses = max(0, superBlocks - directSuperBlocks)

        var ib = try source.cursor(from: indexBlock, object, "extensible array index block at offset \(indexBlock)")
        try ib.signature("EAIB")
        if try ib.u8() != 0 { throw ib.error("unknown version") }
        try ib.skip(1)
        _ = try ib.address()
        for i in 0..<indexElements {
            let (a, s, m) = try element(&ib, elementSize: elementSize, filtered: filtered)
            if i < maxIndex { try visit(i, a, s, m) }
        }
        var dataBlockAddresses: [Int?] = []
        for _ in 0..<directBlocks { dataBlockAddresses.append(try ib.address()) }
        var superBlockAddressList: [Int?] = []
        for _ in 0..<superBlockAddresses { superBlockAddressList.append(try ib.address()) }
        try source.verifyChecksum(indexBlock..<ib.position, object, "extensible array index block")

        let pageElements = 1 << pageBits
        func readDataBlock(_ at: Int, elements n: Int, firstElement: Int, pageBitmap: (Int, Int)?) throws {
            var d = try source.cursor(from: at, object, "extensible array data block at offset \(at)")
            try d.signature("EADB")
            if try d.u8() != 0 { throw d.error("unknown version") }
            try d.skip(1)
            _ = try d.address()
            // The block offset is not checked: for data blocks listed in the index block, the library stores the
            // super block's first element plus the block's number among all such blocks times its size (not the
            // block's first element, as the specification says), and it never reads the field back itself.
            _ = try d.int(offsetBytes, "block offset")
            if n <= pageElements {
                var items: [(Int?, Int?, UInt32)] = []
                for _ in 0..<n { items.append(try element(&d, elementSize: elementSize, filtered: filtered)) }
                try source.verifyChecksum(at..<d.position, object, "extensible array data block")
                for (j, (a, s, m)) in items.enumerated() where firstElement + j < maxIndex { try visit(firstElement + j, a, s, m) }
                return
            }
            try source.verifyChecksum(at..<d.position, object, "extensible array data block")
            try d.skip(4)
            let pages = n / pageElements
            for p in 0..<pages {
                let pageStart = d.position
                try d.need(pageElements * elementSize + 4)
                let initialised = pageBitmap.map { bit(source, $0.0, $0.1 + p) } ?? true
                if initialised {
                    try source.verifyChecksum(pageStart..<(pageStart + pageElements * elementSize), object, "extensible array page")
                    for j in 0..<pageElements {
                        let (a, s, m) = try element(&d, elementSize: elementSize, filtered: filtered)
                        let i = firstElement + p * pageElements + j
                        if i < maxIndex { try visit(i, a, s, m) }
                    }
                } else {
                    try d.skip(pageElements * elementSize)
                }
                try d.skip(4)
            }
        }

        var dataBlockNumber = 0
        for s in 0..<superBlocks {
            let first = indexElements + firstIndex[s]
            if first >= maxIndex { break }
            if s < directSuperBlocks {
                for b in 0..<blocksIn[s] {
                    defer { dataBlockNumber += 1 }
                    guard dataBlockNumber < dataBlockAddresses.count, let at = dataBlockAddresses[dataBlockNumber] else { continue }
                    try readDataBlock(at, elements: elementsPer[s], firstElement: first + b * elementsPer[s], pageBitmap: nil)
                }
                continue
            }
            guard let sb = superBlockAddressList[s - directSuperBlocks] else { continue }
            var c = try source.cursor(from: sb, object, "extensible array secondary block at offset \(sb)")
            try c.signature("EASB")
            if try c.u8() != 0 { throw c.error("unknown version") }
            try c.skip(1)
            _ = try c.address()
            _ = try c.int(offsetBytes, "block offset")
            let paged = elementsPer[s] > pageElements
            let pagesPerBlock = paged ? elementsPer[s] / pageElements : 0
            var bitmap: Range<Int>?
            if paged { bitmap = try c.take((blocksIn[s] * pagesPerBlock + 7) / 8) }
            var addresses: [Int?] = []
            for _ in 0..<blocksIn[s] { addresses.append(try c.address()) }
            try source.verifyChecksum(sb..<c.position, object, "extensible array secondary block")
            for (b, at) in addresses.enumerated() {
                guard let at else { continue }
                try readDataBlock(at, elements: elementsPer[s], firstElement: first + b * elementsPer[s],
                                  pageBitmap: bitmap.map { ($0.lowerBound, b * pagesPerBlock) })
            }
        }
    }
}
