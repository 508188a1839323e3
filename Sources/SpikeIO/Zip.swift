import CZlib

/// A bounded reader of zip archives held in memory: what `numpy.savez` / `savez_compressed` write (`.npz`).
///
/// Reads the end-of-central-directory record (and its ZIP64 form, which numpy's `force_zip64=True` members
/// may need), the central directory, and each member's local header; members are stored (method 0) or
/// deflated (method 8, through `Zlib.decompress(format: .raw)`), and their CRC-32 is checked. Every offset
/// and size is checked against the archive before use, and a member's uncompressed size must be at most
/// `limit` bytes, so a hostile archive gives a `SpikeIOError`, never a crash or a huge allocation.
/// Encrypted members, multi-disk archives and other compression methods are refused.
///
/// Written for SpikeKit (PKWARE's APPNOTE 6.3 layout) rather than using ZIPFoundation, whose Linux build did
/// not finish in the time available on the shared build machine when this was written.
public struct ZipArchive: Sendable {
    /// One member of the archive, from its central directory entry.
    public struct Entry: Sendable, Equatable {
        /// The member's path inside the archive.
        public let name: String
        /// 0 (stored) or 8 (deflate).
        public let method: Int
        /// Size of the stored data.
        public let compressedSize: Int
        /// Size after decompression.
        public let uncompressedSize: Int
        /// CRC-32 of the uncompressed data.
        public let crc32: UInt32
        /// Offset of the member's local header.
        let localHeaderOffset: Int
    }

    /// The members, in central directory order.
    public let entries: [Entry]
    private let bytes: [UInt8]
    private let name: String

    /// Parses the directory of the archive in `bytes`; `name` (the file's path) is used in errors.
    /// - Throws: `SpikeIOError.badMagic` when there is no end-of-central-directory record,
    ///   `SpikeIOError.malformedData` for offsets or sizes outside the archive.
    public init(bytes: [UInt8], name: String) throws {
        self.bytes = bytes
        self.name = name
        let n = bytes.count
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
        func bad(_ why: String) -> SpikeIOError { .malformedData(file: name, reason: "zip: " + why) }
        // End of central directory: 22 bytes plus up to 65535 bytes of comment, searched backwards.
        var eocd = -1
        if n >= 22 {
            var i = n - 22
            let lowest = max(0, n - 22 - 65535)
            while i >= lowest {
                if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 5, bytes[i + 3] == 6 { eocd = i; break }
                i -= 1
            }
        }
        guard eocd >= 0 else { throw SpikeIOError.badMagic(file: name, format: "zip (.npz)") }
        guard u16(eocd + 4) == 0 || u16(eocd + 4) == 0xFFFF, u16(eocd + 6) == 0 || u16(eocd + 6) == 0xFFFF else {
            throw bad("multi-disk archives are not supported")
        }
        var entryCount = u16(eocd + 10)
        var dirSize = u32(eocd + 12)
        var dirOffset = u32(eocd + 16)
        if entryCount == 0xFFFF || dirSize == 0xFFFF_FFFF || dirOffset == 0xFFFF_FFFF {
            // ZIP64 end-of-central-directory locator (20 bytes) just before the record.
            let loc = eocd - 20
            guard loc >= 0, u32(loc) == 0x0706_4B50 else { throw bad("ZIP64 fields without a ZIP64 locator") }
            let rec64 = u64(loc + 8)
            guard n >= 56, rec64 <= UInt64(n - 56), u32(Int(rec64)) == 0x0606_4B50 else { throw bad("ZIP64 end record outside the file") }
            let r = Int(rec64)
            let c = u64(r + 32), s = u64(r + 40), o = u64(r + 48)
            guard c <= UInt64(n), s <= UInt64(n), o <= UInt64(n) else { throw bad("ZIP64 directory sizes past the end of the file") }
            entryCount = Int(c); dirSize = Int(s); dirOffset = Int(o)
        }
        guard dirOffset <= n, dirSize <= n - dirOffset else {
            throw bad("central directory [\(dirOffset), +\(dirSize)) outside the \(n)-byte file")
        }
        guard entryCount <= dirSize / 46 else { throw bad("\(entryCount) entries cannot fit in a \(dirSize)-byte directory") }
        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        var at = dirOffset
        let dirEnd = dirOffset + dirSize
        for k in 0..<entryCount {
            guard dirEnd - at >= 46, u32(at) == 0x0201_4B50 else { throw bad("central directory entry \(k) is malformed") }
            let flags = u16(at + 8)
            let method = u16(at + 10)
            let crc = UInt32(u32(at + 16))
            var csize = UInt64(u32(at + 20)), usize = UInt64(u32(at + 24))
            let nameLength = u16(at + 28), extraLength = u16(at + 30), commentLength = u16(at + 32)
            var offset = UInt64(u32(at + 42))
            let total = 46 + nameLength + extraLength + commentLength
            guard dirEnd - at >= total else { throw bad("central directory entry \(k) runs past the directory") }
            let memberName = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            // ZIP64 extended information: present values replace the 0xFFFFFFFF fields, in this order.
            var e = at + 46 + nameLength
            let extraEnd = e + extraLength
            while extraEnd - e >= 4 {
                let id = u16(e), size = u16(e + 2)
                guard extraEnd - e - 4 >= size else { throw bad("entry \(MessageText.quoted(memberName)): extra field runs past its end") }
                if id == 1 {
                    var f = e + 4
                    let fEnd = f + size
                    if usize == 0xFFFF_FFFF { guard fEnd - f >= 8 else { throw bad("entry \(MessageText.quoted(memberName)): short ZIP64 field") }; usize = u64(f); f += 8 }
                    if csize == 0xFFFF_FFFF { guard fEnd - f >= 8 else { throw bad("entry \(MessageText.quoted(memberName)): short ZIP64 field") }; csize = u64(f); f += 8 }
                    if offset == 0xFFFF_FFFF { guard fEnd - f >= 8 else { throw bad("entry \(MessageText.quoted(memberName)): short ZIP64 field") }; offset = u64(f); f += 8 }
                }
                e += 4 + size
            }
            guard flags & 1 == 0 else { throw bad("entry \(MessageText.quoted(memberName)) is encrypted") }
            guard method == 0 || method == 8 else { throw bad("entry \(MessageText.quoted(memberName)) uses compression method \(method); only stored (0) and deflate (8) are supported") }
            guard offset < UInt64(n), csize <= UInt64(n), usize < UInt64(Int.max) else {
                throw bad("entry \(MessageText.quoted(memberName)): offset or size past the end of the file")
            }
            if method == 0, csize != usize { throw bad("stored entry \(MessageText.quoted(memberName)) has compressed size \(csize) and size \(usize)") }
            entries.append(Entry(name: memberName, method: method, compressedSize: Int(csize), uncompressedSize: Int(usize),
                                 crc32: crc, localHeaderOffset: Int(offset)))
            at += total
        }
        self.entries = entries
    }

    /// The entry called `name`, if any.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The uncompressed contents of `entry`.
    /// - Parameter limit: the largest uncompressed size accepted (default 1 GiB).
    /// - Throws: `SpikeIOError.malformedData` for a local header or data outside the archive, a size over `limit`,
    ///   a corrupt deflate stream or a CRC-32 mismatch.
    public func contents(of entry: Entry, limit: Int = 1 << 30) throws -> [UInt8] {
        let where_ = "zip entry \(MessageText.quoted(entry.name))"
        func bad(_ why: String) -> SpikeIOError { .malformedData(file: name, reason: "\(where_): " + why) }
        guard entry.uncompressedSize <= limit else { throw bad("\(entry.uncompressedSize) bytes, more than the limit of \(limit)") }
        let n = bytes.count, at = entry.localHeaderOffset
        guard n - at >= 30, bytes[at] == 0x50, bytes[at + 1] == 0x4B, bytes[at + 2] == 3, bytes[at + 3] == 4 else {
            throw bad("no local header at offset \(at)")
        }
        let nameLength = Int(bytes[at + 26]) | Int(bytes[at + 27]) << 8
        let extraLength = Int(bytes[at + 28]) | Int(bytes[at + 29]) << 8
        let start = at + 30 + nameLength + extraLength
        guard start <= n, entry.compressedSize <= n - start else { throw bad("data runs past the end of the file") }
        let raw = Array(bytes[start..<(start + entry.compressedSize)])
        let out: [UInt8]
        if entry.method == 0 {
            out = raw
        } else {
            do {
                out = try Zlib.decompress(raw, format: .raw, limit: entry.uncompressedSize, expectedSize: entry.uncompressedSize,
                                          name: "\(name): \(where_)")
            } catch let error as SpikeIOError {
                if case let .malformedHeader(_, reason) = error { throw bad(reason) }
                throw error
            }
        }
        let crc = out.withUnsafeBufferPointer { buf -> UInt32 in
            var c: UInt = CZlib.crc32(0, nil, 0)
            var p = buf.baseAddress, left = buf.count
            while left > 0 {
                let step = min(left, 1 << 30)
                c = CZlib.crc32(c, p, UInt32(step))
                p = p! + step; left -= step
            }
            return UInt32(truncatingIfNeeded: c)
        }
        guard crc == entry.crc32 else { throw bad("CRC-32 mismatch (stored \(entry.crc32), computed \(crc))") }
        return out
    }
}
