/// Version 1 B-trees (old-style group members and the chunks of layout version 3).
enum H5BTree1 {
    /// Deepest tree accepted (the library itself never builds more than a few levels).
    static let maxDepth = 32

    /// Calls `leaf` with a cursor at each child entry of every leaf node (level 0), in key order.
    /// For group trees (`nodeType` 0) the child is a symbol table node address; for chunk trees (1) the cursor
    /// is at the key preceding the child (chunk size, filter mask, offsets) followed by the child address.
    /// `keySize` is the size of one key. Nodes are checked for loops and depth.
    static func walk(_ source: H5Source, root: Int, nodeType: Int, keySize: Int, object: String,
                     leaf: (inout H5Cursor) throws -> Void) throws {
        var visited = Set<Int>()
        func visit(_ address: Int, expectedLevel: Int?, depth: Int) throws {
            if depth > maxDepth { throw source.error(object, "B-tree deeper than \(maxDepth) levels") }
            if !visited.insert(address).inserted { throw source.error(object, "B-tree node at offset \(address) is reached twice (a cycle)") }
            var c = try source.cursor(from: address, object, "B-tree node at offset \(address)")
            try c.signature("TREE")
            let type = Int(try c.u8())
            if type != nodeType { throw c.error("node type \(type), expected \(nodeType)") }
            let level = Int(try c.u8())
            if let expectedLevel, level != expectedLevel { throw c.error("level \(level), expected \(expectedLevel)") }
            let entries = try c.u16()
            _ = try c.address()  // left sibling
            _ = try c.address()  // right sibling
            for _ in 0..<entries {
                if level == 0 {
                    try leaf(&c)
                } else {
                    try c.skip(keySize)
                    guard let child = try c.address() else { throw c.error("undefined child address") }
                    let saved = c
                    try visit(child, expectedLevel: level - 1, depth: depth + 1)
                    c = saved
                }
            }
        }
        try visit(root, expectedLevel: nil, depth: 0)
    }
}

/// A local heap (names of an old-style group's members).
struct H5LocalHeap {
    /// The heap's data segment in the file.
    let data: Range<Int>

    static func read(_ source: H5Source, at address: Int, object: String) throws -> H5LocalHeap {
        var c = try source.cursor(from: address, object, "local heap at offset \(address)")
        try c.signature("HEAP")
        let version = try c.u8()
        if version != 0 { throw c.error("unknown local heap version \(version)") }
        try c.skip(3)
        let size = try c.length("data segment size")
        _ = try c.length("free list offset")
        guard let dataAddress = try c.address() else { throw c.error("undefined data segment address") }
        return H5LocalHeap(data: try source.range(dataAddress, size, object, "local heap data segment"))
    }

    /// The NUL-terminated string at `offset` in the data segment.
    func string(at offset: Int, _ source: H5Source, object: String) throws -> String {
        guard offset >= 0, offset < data.count else {
            throw source.error(object, "name offset \(offset) outside the \(data.count)-byte local heap")
        }
        var c = H5Cursor(source: source, position: data.lowerBound + offset, end: data.upperBound, object: object, what: "local heap name")
        return try c.cString()
    }
}

/// Version 2 B-trees (dense links and attributes, chunk index of datasets with several unlimited dimensions).
enum H5BTree2 {
    /// Calls `record` with a cursor at each record of the tree (in order) and the tree's record size.
    static func walk(_ source: H5Source, header address: Int, object: String,
                     record: (inout H5Cursor, Int) throws -> Void) throws {
        var c = try source.cursor(from: address, object, "B-tree (version 2) header at offset \(address)")
        try c.signature("BTHD")
        let version = try c.u8()
        if version != 0 { throw c.error("unknown version \(version)") }
        let type = Int(try c.u8())
        let nodeSize = try c.u32()
        let recordSize = try c.u16()
        let depth = try c.u16()
        try c.skip(2)  // split and merge percents
        let root = try c.address()
        let rootRecords = try c.u16()
        _ = try c.length("record count")
        try source.verifyChecksum(address..<c.position, object, "B-tree (version 2) header")
        guard let root else { return }
        guard recordSize > 0, nodeSize > 10 + recordSize, depth <= H5BTree1.maxDepth else {
            throw c.error("invalid node size \(nodeSize), record size \(recordSize) or depth \(depth)")
        }
        // Field widths of the child pointers, computed as the library does from the node and record sizes.
        let leafMax = (nodeSize - 10) / recordSize
        let countSize = h5EncodedSize(UInt64(leafMax))
        var cumulative = [UInt64(leafMax)]
        var cumulativeSize = [0]
        if depth > 0 {
            for d in 1...depth {
                let pointer = source.offsetSize + countSize + (d > 1 ? cumulativeSize[d - 1] : 0)
                let maxRecords = (nodeSize - 10 - pointer) / (recordSize + pointer)
                if maxRecords <= 0 { throw c.error("node size \(nodeSize) too small for depth \(depth)") }
                let (m, o1) = UInt64(maxRecords + 1).multipliedReportingOverflow(by: cumulative[d - 1])
                let total = o1 ? UInt64.max : m &+ UInt64(maxRecords)
                cumulative.append(total < m ? UInt64.max : total)
                cumulativeSize.append(h5EncodedSize(cumulative[d]))
            }
        }
        var visited = Set<Int>()
        func visit(_ node: Int, records: Int, depth d: Int) throws {
            if !visited.insert(node).inserted { throw source.error(object, "B-tree (version 2) node at offset \(node) is reached twice (a cycle)") }
            let r = try source.range(node, nodeSize, object, "B-tree (version 2) node")
            var n = H5Cursor(source: source, position: r.lowerBound, end: r.upperBound, object: object,
                             what: "B-tree (version 2) \(d == 0 ? "leaf" : "internal node") at offset \(node)")
            try n.signature(d == 0 ? "BTLF" : "BTIN")
            if try n.u8() != 0 { throw n.error("unknown version") }
            let nodeType = Int(try n.u8())
            if nodeType != type { throw n.error("record type \(nodeType), expected \(type)") }
            let recordsStart = n.position
            let (recordBytes, o) = records.multipliedReportingOverflow(by: recordSize)
            if o { throw n.error("\(records) records overflow") }
            try n.need(recordBytes)
            if d == 0 {
                try source.verifyChecksum(node..<(recordsStart + recordBytes), object, "B-tree (version 2) leaf")
                for i in 0..<records {
                    var rc = H5Cursor(source: source, position: recordsStart + i * recordSize, end: recordsStart + (i + 1) * recordSize,
                                      object: object, what: "B-tree (version 2) record")
                    try record(&rc, recordSize)
                }
                return
            }
            n.position = recordsStart + recordBytes
            var children: [(Int, Int)] = []
            for _ in 0...records {
                guard let child = try n.address() else { throw n.error("undefined child address") }
                let count = try n.int(countSize, "child record count")
                if d > 1 { try n.skip(cumulativeSize[d - 1]) }
                children.append((child, count))
            }
            try source.verifyChecksum(node..<n.position, object, "B-tree (version 2) internal node")
            for (i, (child, count)) in children.enumerated() {
                try visit(child, records: count, depth: d - 1)
                if i < records {
                    var rc = H5Cursor(source: source, position: recordsStart + i * recordSize, end: recordsStart + (i + 1) * recordSize,
                                      object: object, what: "B-tree (version 2) record")
                    try record(&rc, recordSize)
                }
            }
        }
        try visit(root, records: rootRecords, depth: depth)
    }
}

/// A fractal heap (the names and messages of dense links and attributes).
struct H5FractalHeap {
    let source: H5Source
    let object: String
    let idLength: Int
    let hasFilters: Bool
    let checksummedDirectBlocks: Bool
    let tableWidth: Int
    let startBlockSize: Int
    let maxDirectBlockSize: Int
    let offsetBytes: Int
    let lengthBytes: Int
    let root: Int?
    let rootRows: Int
    /// The version 2 B-tree that indexes huge objects (those larger than the managed object limit).
    let hugeObjects: Int?

    init(_ source: H5Source, at address: Int, object: String) throws {
        self.source = source
        self.object = object
        var c = try source.cursor(from: address, object, "fractal heap header at offset \(address)")
        try c.signature("FRHP")
        if try c.u8() != 0 { throw c.error("unknown version") }
        idLength = try c.u16()
        let filterLength = try c.u16()
        let flags = try c.u8()
        let maxManaged = try c.u32()
        _ = try c.length()  // next huge object id
        hugeObjects = try c.address()
        _ = try c.length()  // free space
        _ = try c.address()  // free space manager
        _ = try c.length()  // managed space
        _ = try c.length()  // allocated managed space
        _ = try c.length()  // direct block allocation iterator
        _ = try c.length()  // managed objects
        _ = try c.length()  // huge objects size
        _ = try c.length()  // huge object count
        _ = try c.length()  // tiny objects size
        _ = try c.length()  // tiny object count
        tableWidth = try c.u16()
        startBlockSize = try c.length("starting block size")
        maxDirectBlockSize = try c.length("maximum direct block size")
        let maxHeapBits = try c.u16()
        _ = try c.u16()  // starting rows of the root indirect block
        root = try c.address()
        rootRows = try c.u16()
        if filterLength > 0 {
            _ = try c.length()
            try c.skip(4 + filterLength)
        }
        try source.verifyChecksum(address..<c.position, object, "fractal heap header")
        hasFilters = filterLength > 0
        checksummedDirectBlocks = flags & 0x02 != 0
        // Bounds well above what the library writes (width 4, 512-byte start blocks, 64 KiB direct blocks,
        // 32-bit heaps) keep every block offset computation far from overflowing.
        guard tableWidth > 0, tableWidth <= 4096, startBlockSize > 0, startBlockSize <= 1 << 32, startBlockSize.nonzeroBitCount == 1,
              maxDirectBlockSize >= startBlockSize, maxDirectBlockSize <= 1 << 40, maxDirectBlockSize.nonzeroBitCount == 1,
              (1...56).contains(maxHeapBits), rootRows <= 64 else {
            throw c.error("invalid doubling table (width \(tableWidth), start block \(startBlockSize), max direct block \(maxDirectBlockSize), \(maxHeapBits) bits, \(rootRows) rows)")
        }
        offsetBytes = (maxHeapBits + 7) / 8
        lengthBytes = min((h5Log2(UInt64(maxDirectBlockSize)) + 7) / 8, h5EncodedSize(UInt64(maxManaged)))
        if hasFilters { throw c.error("filtered fractal heaps are not supported") }
    }

    /// Size of the blocks in row `row` of the doubling table.
    private func blockSize(_ row: Int) -> Int {
        row == 0 ? startBlockSize : startBlockSize << min(row - 1, 24)
    }

    /// Rows of direct blocks in an indirect block.
    private var maxDirectRows: Int { h5Log2(UInt64(maxDirectBlockSize)) - h5Log2(UInt64(startBlockSize)) + 2 }

    /// The bytes of the object whose heap id starts at `id` (a range of the file).
    func object(id: Range<Int>) throws -> Range<Int> {
        var c = H5Cursor(source: source, position: id.lowerBound, end: id.upperBound, object: object, what: "fractal heap id")
        let first = try c.u8()
        if first >> 6 != 0 { throw c.error("unknown heap id version \(first >> 6)") }
        switch (first >> 4) & 0x03 {
        case 0:
            let offset = try c.int(offsetBytes, "heap offset")
            let length = try c.int(lengthBytes, "object length")
            return try locate(offset: offset, length: length)
        case 2:
            let length = Int(first & 0x0F) + 1
            return try c.take(length)
        case 1:
            if hasFilters { throw c.error("filtered huge objects are not supported") }
            let o = source.offsetSize, l = source.lengthSize
            if id.count >= 1 + o + l {  // the address and length are in the id itself
                guard let address = try c.address() else { throw c.error("huge object at the undefined address") }
                return try source.range(address, try c.length("huge object length"), object, "fractal heap huge object")
            }
            // Otherwise the id is a key into the huge object B-tree (records: address, length, id).
            let key = try c.uint(min(id.count - 1, 8))
            guard let tree = hugeObjects else { throw c.error("huge object in a heap without a huge object B-tree") }
            var found: Range<Int>?
            try H5BTree2.walk(source, header: tree, object: object) { r, _ in
                let address = try r.address()
                let length = try r.length("huge object length")
                if try r.uint(l) == key, found == nil, let address {
                    found = try source.range(address, length, object, "fractal heap huge object")
                }
            }
            guard let found else { throw c.error("huge object \(key) is not in its B-tree") }
            return found
        default:
            throw c.error("unknown heap id type")
        }
    }

    /// The file range of `length` bytes at heap offset `offset`, found by walking the doubling table.
    private func locate(offset: Int, length: Int) throws -> Range<Int> {
        guard let root else { throw source.error(object, "fractal heap object in a heap without a root block") }
        if rootRows == 0 {
            return try inDirectBlock(root, blockOffset: 0, size: startBlockSize, offset: offset, length: length)
        }
        var block = root
        var rows = rootRows
        var blockOffset = 0
        for _ in 0..<16 {
            var c = try source.cursor(from: block, object, "fractal heap indirect block at offset \(block)")
            try c.signature("FHIB")
            if try c.u8() != 0 { throw c.error("unknown version") }
            _ = try c.address()
            let stored = try c.int(offsetBytes, "block offset")
            if stored != blockOffset { throw c.error("block offset \(stored), expected \(blockOffset)") }
            var rowStart = blockOffset
            var found = false
            // The block's entries must all be in the file before they are scanned.
            try c.need(rows * tableWidth * source.offsetSize)
            for row in 0..<rows {
                let size = blockSize(row)
                let direct = row < maxDirectRows
                for _ in 0..<tableWidth {
                    let child = try c.address()
                    if direct && hasFilters { _ = try c.length(); try c.skip(4) }
                    if offset >= rowStart && offset < rowStart + size {
                        guard let child else { throw c.error("heap offset \(offset) lies in an unallocated block") }
                        if direct { return try inDirectBlock(child, blockOffset: rowStart, size: size, offset: offset, length: length) }
                        block = child
                        blockOffset = rowStart
                        rows = h5Log2(UInt64(size)) - h5Log2(UInt64(startBlockSize) * UInt64(tableWidth)) + 1
                        if rows <= 0 || rows > 64 { throw c.error("child indirect block of \(rows) rows") }
                        found = true
                        break
                    }
                    let (next, overflow) = rowStart.addingReportingOverflow(size)
                    if overflow { throw c.error("block offsets overflow") }
                    rowStart = next
                }
                if found { break }
            }
            if !found { throw source.error(object, "heap offset \(offset) outside the fractal heap") }
        }
        throw source.error(object, "fractal heap indirect blocks nested too deeply")
    }

    private func inDirectBlock(_ address: Int, blockOffset: Int, size: Int, offset: Int, length: Int) throws -> Range<Int> {
        let r = try source.range(address, size, object, "fractal heap direct block")
        var c = H5Cursor(source: source, position: address, end: r.upperBound, object: object, what: "fractal heap direct block at offset \(address)")
        try c.signature("FHDB")
        if try c.u8() != 0 { throw c.error("unknown version") }
        _ = try c.address()
        let stored = try c.int(offsetBytes, "block offset")
        if stored != blockOffset { throw c.error("block offset \(stored), expected \(blockOffset)") }
        let headerEnd = c.position + (checksummedDirectBlocks ? 4 : 0)
        let inside = offset - blockOffset
        guard inside >= headerEnd - address, length >= 0, inside <= size - length else {
            throw c.error("object at heap offset \(offset) of \(length) bytes lies outside the block")
        }
        return (address + inside)..<(address + inside + length)
    }
}

/// A global heap collection (the data of variable-length strings and sequences), parsed once per file.
struct H5GlobalHeap {
    /// Object data ranges by object index (empty ranges for unused indices).
    let objects: [Range<Int>]

    static func read(_ source: H5Source, at address: Int, object: String) throws -> H5GlobalHeap {
        if let cached = source.globalHeaps[address] { return cached }
        var c = try source.cursor(address, 8 + source.lengthSize, object, "global heap collection at offset \(address)")
        try c.signature("GCOL")
        let version = try c.u8()
        if version != 1 { throw c.error("unknown version \(version)") }
        try c.skip(3)
        let size = try c.length("collection size")
        let whole = try source.range(address, size, object, "global heap collection")
        var o = H5Cursor(source: source, position: c.position, end: whole.upperBound, object: object, what: "global heap collection at offset \(address)")
        var objects: [Range<Int>] = []
        let headerSize = 8 + source.lengthSize
        while o.remaining >= headerSize {
            let index = try o.u16()
            try o.skip(6)  // reference count, reserved
            let objectSize = try o.length("object size")
            if index == 0 { break }  // free space: the rest of the collection
            let data = try o.take(objectSize)
            try o.align(8, from: address)
            if index >= objects.count { objects += Array(repeating: 0..<0, count: index + 1 - objects.count) }
            objects[index] = data
        }
        let heap = H5GlobalHeap(objects: objects)
        source.globalHeaps[address] = heap
        return heap
    }
}
