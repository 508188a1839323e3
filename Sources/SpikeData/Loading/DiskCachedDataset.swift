import Foundation
import SpikeCore
import SpikeIO

/// Transformed samples of another data set cached in a folder, as Tonic's `DiskCachedDataset`: the first
/// read of sample `i` computes it (`base.sample(at: i, epoch: 0)`) and writes it atomically (`AtomicFile`);
/// later reads load the file.
///
/// Each file is keyed by the sample index and a hash of `key`, a description of everything that produced
/// the sample (data set, files, transform pipeline and its parameters): `<index>-<hash>.skcache`. A
/// changed transform changes the key, so stale files are never read (they stay in the folder until
/// `clear()`). A file that fails its checks when read back (magic, key hash, index, sizes against the file
/// length, shape against the base's step shape, label range) is computed again and rewritten.
///
/// The cache holds one version per sample, so put random augmentations that should differ between epochs
/// after the cache (wrap the cached data set), as with Tonic.
public struct DiskCachedDataset: Dataset {
    /// The data set whose samples are cached.
    public let base: any Dataset
    /// The cache folder (created when missing).
    public let folder: URL
    /// The description of what produced the samples.
    public let key: String
    /// The 64-bit FNV-1a hash of `key`, in every file name and file header.
    public let keyHash: UInt64

    static let magic: [UInt8] = Array("SKCACHE1".utf8)
    /// Largest rank of a cached sample.
    static let maximumRank = 16

    /// A cache of `base` in `folder` for samples described by `key`.
    /// - Throws: `SpikeIOError.cannotWrite` when the folder cannot be created.
    public init(base: any Dataset, folder: URL, key: String) throws {
        self.base = base; self.folder = folder; self.key = key
        keyHash = Self.fnv1a(key)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        catch { throw SpikeIOError.cannotWrite(path: folder.path, reason: "cannot create the cache folder: \(error.localizedDescription)") }
    }

    /// Number of samples.
    public var count: Int { base.count }
    /// The base's classes.
    public var classes: Int { base.classes }
    /// The base's step shape.
    public var stepShape: [Int] { base.stepShape }

    /// The cache file of sample `index`.
    public func file(for index: Int) -> URL {
        folder.appendingPathComponent("\(index)-\(String(keyHash, radix: 16)).skcache")
    }

    /// 64-bit FNV-1a of the UTF-8 bytes of `s` (stable across runs and machines, unlike `Hasher`).
    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// Sample `index` from its cache file, or computed from the base (epoch 0) and cached. `epoch` is
    /// ignored: the cache holds one version per sample.
    public func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
        precondition(index >= 0 && index < count, "DiskCachedDataset.sample: index \(index) out of range 0..<\(count)")
        let url = file(for: index)
        if let data = try? Data(contentsOf: url), let cached = decode(data, index: index) { return cached }
        let (x, label) = try base.sample(at: index, epoch: 0)
        try AtomicFile.write(encode(x, label: label, index: index), to: url)
        return (x, label)
    }

    /// Whether sample `index` has a cache file that passes the read-back checks.
    public func isCached(_ index: Int) -> Bool {
        guard let data = try? Data(contentsOf: file(for: index)) else { return false }
        return decode(data, index: index) != nil
    }

    /// Removes every `.skcache` file of the folder (of any key).
    public func clear() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for n in names where n.hasSuffix(".skcache") { try FileManager.default.removeItem(at: folder.appendingPathComponent(n)) }
    }

    /// Layout (little-endian): magic "SKCACHE1", key hash u64, index i64, label i64, rank i64, rank dims i64,
    /// then the float32 elements.
    func encode(_ x: Tensor, label: Int, index: Int) -> Data {
        var d = Data(Self.magic)
        func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        put(keyHash); put(UInt64(bitPattern: Int64(index))); put(UInt64(bitPattern: Int64(label))); put(UInt64(x.rank))
        for s in x.shape { put(UInt64(s)) }
        d.reserveCapacity(d.count + x.count * 4)
        x.scalars.withUnsafeBufferPointer { p in
            for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        }
        return d
    }

    /// The sample in `data`, or nil when any check fails.
    func decode(_ data: Data, index: Int) -> (input: Tensor, label: Int)? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> (input: Tensor, label: Int)? in
            var offset = 0
            func word() -> UInt64? {
                guard offset + 8 <= raw.count else { return nil }
                defer { offset += 8 }
                return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            }
            guard raw.count >= 8, Array(raw[0..<8]) == Self.magic else { return nil }
            offset = 8
            guard word() == keyHash, let i = word(), Int64(bitPattern: i) == Int64(index),
                  let l = word(), let r = word(), r >= 1, r <= UInt64(Self.maximumRank) else { return nil }
            let label = Int(Int64(bitPattern: l))
            guard label >= 0, label < classes else { return nil }
            var shape: [Int] = []
            var elements = 1
            for _ in 0..<Int(r) {
                guard let s = word(), s <= UInt64(Int32.max) else { return nil }
                let (e, o) = elements.multipliedReportingOverflow(by: Int(s))
                guard !o else { return nil }
                shape.append(Int(s)); elements = e
            }
            guard Array(shape.dropFirst()) == stepShape, raw.count - offset == elements * 4 else { return nil }
            var scalars = [Float](repeating: 0, count: elements)
            scalars.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset...])) }
            #if _endian(big)
            scalars = scalars.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
            #endif
            return (Tensor(shape: shape, scalars: scalars), label)
        }
    }
}
