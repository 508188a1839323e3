import Foundation
import XCTest
@testable import SpikeIO

/// The HDF5 writer, read back through the reader.
///
/// Checked once by hand with h5py 3.16 (HDF5 2.0.0): `testWriteForH5py` with the environment variable
/// SPIKEKIT_HDF5_OUT=/tmp/spikekit.h5 writes the file below to that path, and
/// `python3 -c "import h5py; f = h5py.File('/tmp/spikekit.h5'); f.visititems(print); print(dict(f.attrs)); ..."`
/// listed every group, dataset and attribute with the values written here (strings as `str`, chunked
/// datasets with `compression == 'gzip'`, shapes and dtypes `<f4`, `<f8`, `<i8`, `<u2`...), compared the chunked
/// arrays and all 300 `wide/item*` values with numpy; the file also took changes in h5py's append mode (40 more
/// links in `wide`, a new group, an attribute, a chunk rewritten) and read back correctly.
final class HDF5WriterTests: XCTestCase {
    /// A file exercising every feature of the writer: nested groups, many members (several symbol table nodes
    /// and B-tree levels), attributes of each kind, contiguous and chunked + deflate datasets, strings.
    static func sampleWriter() throws -> HDF5Writer {
        let w = HDF5Writer()
        w.root.setAttribute("format", .string("SpikeKit test ∑"))
        w.root.setAttribute("version", .scalar(Int64(3)))
        w.root.setAttribute("scale", .scalar(0.5))
        w.root.setAttribute("vector", .numbers([Float(1), 2, 4]))
        w.root.setAttribute("names", .strings(["x", "", "zzz"]))
        try w.root.group("graph/nodes/lif")
        let tau = try w.root.addDataset("graph/nodes/lif/tau", .numbers((0..<12).map { Float($0) * 0.25 }, shape: [3, 4]))
        tau.setAttribute("unit", .string("s"))
        try w.root.addDataset("graph/nodes/lif/type", .string("LIF"))
        try w.root.addDataset("graph/edges", .strings(["a->b", "b->c", "c->a"]))
        try w.root.addDataset("data/chunked", .numbers((0..<1000).map { Double($0).squareRoot() }, shape: [40, 25]),
                              chunks: [7, 10], deflateLevel: 4)
        try w.root.addDataset("data/chunked_plain", .numbers((0..<50).map { Int64($0 * $0) - 100 }), chunks: [8])
        try w.root.addDataset("data/many_chunks", .numbers((0..<3000).map { UInt16($0 % 65535) }), chunks: [1], deflateLevel: 1)
        try w.root.addDataset("data/ints", .numbers([Int8(-128), 0, 127]))
        try w.root.addDataset("data/u64", .numbers([UInt64.max, 0]))
        try w.root.addDataset("data/empty", .numbers([Float](), shape: [0, 3]))
        try w.root.addDataset("data/scalar", .scalar(Float(2.5)))
        for k in 0..<300 { try w.root.addDataset("wide/item\(k)", .scalar(Int32(k))) }
        try w.root.group("empty")
        try w.root.addDataset("naïve ∑/ünïcode", .numbers([Float(7)]))
        return w
    }

    func testRoundTrip() throws {
        let bytes = try Self.sampleWriter().encode()
        let f = try HDF5File(bytes: bytes, name: "w.h5")
        XCTAssertEqual(f.superblockVersion, 0)
        try f.validateAll()
        XCTAssertEqual(try f.root.attribute("format").readStrings(), ["SpikeKit test ∑"])
        XCTAssertEqual(try f.root.attribute("version").readInt64s(), [3])
        XCTAssertEqual(try f.root.attribute("scale").readDoubles(), [0.5])
        XCTAssertEqual(try f.root.attribute("vector").readFloats(), [1, 2, 4])
        XCTAssertEqual(try f.root.attribute("names").readStrings(), ["x", "", "zzz"])
        XCTAssertEqual(try f.root.memberNames(), ["data", "empty", "graph", "naïve ∑", "wide"])
        XCTAssertEqual(try f.root.group("empty").memberNames(), [])
        XCTAssertEqual(try f.root.dataset("naïve ∑/ünïcode").readFloats(), [7])
        let tau = try f.root.dataset("graph/nodes/lif/tau")
        XCTAssertEqual(tau.shape, [3, 4])
        XCTAssertEqual(tau.datatype, .float(size: 4, byteOrder: .littleEndian))
        XCTAssertEqual(try tau.readFloats(), (0..<12).map { Float($0) * 0.25 })
        XCTAssertEqual(try tau.attribute("unit").readStrings(), ["s"])
        XCTAssertEqual(try f.root.dataset("graph/nodes/lif/type").readStrings(), ["LIF"])
        XCTAssertEqual(try f.root.dataset("graph/edges").readStrings(), ["a->b", "b->c", "c->a"])
        let chunked = try f.root.dataset("data/chunked")
        XCTAssertEqual(chunked.chunkShape, [7, 10])
        XCTAssertEqual(chunked.filterIDs, [1])
        XCTAssertEqual(try chunked.readDoubles(), (0..<1000).map { Double($0).squareRoot() })
        XCTAssertEqual(try f.root.dataset("data/chunked_plain").readInt64s(), (0..<50).map { Int64($0 * $0) - 100 })
        XCTAssertEqual(try f.root.dataset("data/many_chunks").read(as: UInt16.self), (0..<3000).map { UInt16($0) })
        XCTAssertEqual(try f.root.dataset("data/ints").readInt64s(), [-128, 0, 127])
        XCTAssertEqual(try f.root.dataset("data/u64").read(as: UInt64.self), [UInt64.max, 0])
        XCTAssertEqual(try f.root.dataset("data/empty").shape, [0, 3])
        XCTAssertEqual(try f.root.dataset("data/scalar").readFloats(), [2.5])
        let wide = try f.root.group("wide")
        XCTAssertEqual(try wide.memberNames().count, 300)
        XCTAssertEqual(try wide.dataset("item299").readInt64s(), [299])
        XCTAssertEqual(try wide.dataset("item0").readInt64s(), [0])
    }

    /// Writes the sample file where SPIKEKIT_HDF5_OUT says, for the check by hand with h5py (see above).
    func testWriteForH5py() throws {
        guard let path = ProcessInfo.processInfo.environment["SPIKEKIT_HDF5_OUT"] else { return }
        try Self.sampleWriter().write(to: URL(fileURLWithPath: path))
    }

    func testWriteIsAtomicAndReadable() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("out.h5")
        let w = HDF5Writer()
        try w.root.addDataset("x", .numbers([Float(1), 2, 3]))
        try w.write(to: url)
        XCTAssertEqual(try HDF5File(url: url).root.dataset("x").readFloats(), [1, 2, 3])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.h5"])
    }

    func testInvalidRequestsThrow() throws {
        let w = HDF5Writer()
        try w.root.addDataset("a/x", .numbers([Float(1)]))
        assertIOError(try w.root.group("a/x/y"), in: HDF5Writer.inMemoryName, ["a/x/y", "is a dataset"])
        assertIOError(try w.root.addDataset("a", .numbers([Float(1)])), in: HDF5Writer.inMemoryName, ["already a group"])
        assertIOError(try w.root.addDataset("b", .numbers([Float(1)]), deflateLevel: 4), in: HDF5Writer.inMemoryName, ["needs a chunk shape"])
        assertIOError(try w.root.addDataset("c", .numbers([Float(1), 2]), chunks: [0]), in: HDF5Writer.inMemoryName, ["chunk shape"])
        assertIOError(try w.root.addDataset("", .numbers([Float(1)])), in: HDF5Writer.inMemoryName, ["needs a name"])
    }
}
