import Foundation
import XCTest
@testable import SpikeIO

/// The files of Fixtures/hdf5 (written by h5py through make_fixtures.py) read value for value against
/// Fixtures/hdf5/expected.json, which the same script wrote.
final class HDF5ReaderTests: XCTestCase {
    static func fixtureURL(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/hdf5/\(name)", withExtension: nil), "fixture \(name)")
    }

    static func fixtureBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtureURL(name)))
    }

    /// expected.json: "file:/path" or "file:/path@attribute" -> kind, shape, values.
    private func expected() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: Self.fixtureURL("expected.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
    }

    /// Equal to 12 digits (a float32 rounding error is 1e-7): Foundation's JSON parser on Linux does not always round decimal
    /// text to the nearest double.
    private func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || abs($0 - $1) <= 1e-12 * abs($1) }
    }

    private func check(_ key: String, _ entry: [String: Any], files: [String: HDF5File]) throws {
        let colon = try XCTUnwrap(key.firstIndex(of: ":"))
        let file = try XCTUnwrap(files[String(key[..<colon])])
        var path = String(key[key.index(after: colon)...])
        var attributeName: String?
        if let at = path.firstIndex(of: "@") {
            attributeName = String(path[path.index(after: at)...])
            path = String(path[..<at])
        }
        let shape = try XCTUnwrap(entry["shape"] as? [Int])
        let kind = try XCTUnwrap(entry["kind"] as? String)
        let values = entry["values"]

        // Both datasets and attributes answer the same reads; pick the object.
        let floats: () throws -> [Double], ints: () throws -> [Int64], strings: () throws -> [String]
        let sequencesF: () throws -> [[Double]], sequencesI: () throws -> [[Int64]], uints: () throws -> [UInt64]
        let actualShape: [Int]
        var dataset: HDF5Dataset?
        if let attributeName {
            let owner = try file[path]
            let a: HDF5Attribute
            switch owner {
            case let .group(g): a = try g.attribute(attributeName)
            case let .dataset(d): a = try d.attribute(attributeName)
            }
            actualShape = a.shape
            floats = a.readDoubles; ints = a.readInt64s; strings = a.readStrings
            sequencesF = { try a.readVLenSequences(as: Double.self) }; sequencesI = { try a.readVLenSequences(as: Int64.self) }
            uints = { try a.read(as: UInt64.self) }
        } else {
            let d = try file.root.dataset(path)
            dataset = d
            actualShape = d.shape
            floats = d.readDoubles; ints = d.readInt64s; strings = d.readStrings
            sequencesF = { try d.readVLenSequences(as: Double.self) }; sequencesI = { try d.readVLenSequences(as: Int64.self) }
            uints = { try d.read(as: UInt64.self) }
        }
        XCTAssertEqual(actualShape, shape, key)
        switch kind {
        case "int", "bool":
            XCTAssertEqual(try ints(), (values as! [NSNumber]).map { $0.int64Value }, key)
        case "uint":
            XCTAssertEqual(try uints(), (values as! [String]).map { UInt64($0)! }, key)
        case "float":
            XCTAssertTrue(close(try floats(), (values as! [NSNumber]).map { $0.doubleValue }), key)
        case "string":
            XCTAssertEqual(try strings(), values as! [String], key)
        case "vlen_float":
            let actual = try sequencesF(), wanted = (values as! [[NSNumber]]).map { $0.map(\.doubleValue) }
            XCTAssertEqual(actual.count, wanted.count, key)
            for (a, w) in zip(actual, wanted) { XCTAssertTrue(close(a, w), "\(key): \(a) != \(w)") }
        case "vlen_int":
            XCTAssertEqual(try sequencesI(), (values as! [[NSNumber]]).map { $0.map(\.int64Value) }, key)
        case "compound":
            let fields = values as! [String: [NSNumber]]
            let d = try XCTUnwrap(dataset)
            for (name, v) in fields { XCTAssertEqual(try d.readField(name), v.map(\.doubleValue), key + "." + name) }
        default:
            XCTFail("unknown kind \(kind)")
        }
    }

    func testFixturesValueForValue() throws {
        var files: [String: HDF5File] = [:]
        for name in ["default.h5", "latest.h5"] {
            files[name] = try HDF5File(url: Self.fixtureURL(name))
        }
        XCTAssertEqual(files["default.h5"]?.superblockVersion, 0)
        XCTAssertEqual(files["latest.h5"]?.superblockVersion, 3)
        let all = try expected()
        XCTAssertGreaterThan(all.count, 100)
        for (key, entry) in all.sorted(by: { $0.key < $1.key }) {
            do { try check(key, entry, files: files) } catch { XCTFail("\(key): \(error)") }
        }
    }

    /// Creation order tracked everywhere, dense links and attributes, and a huge attribute (72 KB of doubles).
    func testTrackOrderAndHugeAttribute() throws {
        let f = try HDF5File(url: Self.fixtureURL("track_order_latest.h5"))
        try f.validateAll()
        let g = try f.root.group("g")
        XCTAssertEqual(try g.memberNames(), (1...20).map { String(format: "z%02d", $0) })
        XCTAssertEqual(try g.dataset("z20").readFloats(), [0])
        XCTAssertEqual(try g.attributes().map(\.name), (0..<20).map { String(format: "a%02d", $0) })
        XCTAssertEqual(try g.attribute("a07").readInt64s(), [7])
        XCTAssertEqual(try f.root.dataset("holder").attribute("huge").readDoubles(), (0..<9000).map { Double($0) * 0.5 })
    }

    /// The small files (superblocks 0, 2 and 3) hold the same objects; their values are recomputed here.
    func testSmallFilesOfEverySuperblockVersion() throws {
        for (name, version) in [("small_default.h5", 0), ("small_v108.h5", 2), ("small_latest.h5", 3)] {
            let f = try HDF5File(url: Self.fixtureURL(name))
            XCTAssertEqual(f.superblockVersion, version, name)
            XCTAssertEqual(try f.root.memberNames(), ["chunked", "elsewhere", "g", "growing", "soft", "strings", "vlen"], name)
            let links = Dictionary(uniqueKeysWithValues: try f.root.links().map { ($0.name, $0.target) })
            XCTAssertEqual(links["soft"], .soft("/g/d3"), name)
            XCTAssertEqual(links["elsewhere"], .external(file: "other.h5", path: "/x"), name)
            XCTAssertEqual(try f.root.dataset("soft").readInt64s(), [0, 1, 2, 3], name)
            assertIOError(try f.root.dataset("elsewhere"), in: f.name, ["/elsewhere", "external link to other.h5:/x"])
            assertIOError(try f.root.dataset("g/nope"), in: f.name, ["/g", "no member named 'nope'"])
            assertIOError(try f.root.dataset("g"), in: f.name, ["g", "is a group, not a dataset"])
            assertIOError(try f.root.group("g/d1"), in: f.name, ["g/d1", "is a dataset, not a group"])
            assertIOError(try f.root.attribute("nope"), in: f.name, ["/", "no attribute named 'nope'"])
            XCTAssertEqual(try f.root.attribute("title").readStrings(), ["small"], name)
            XCTAssertEqual(try f.root.attribute("values").readDoubles(), [0, 1, 2], name)
            let g = try f.root.group("g")
            XCTAssertEqual(try g.memberNames(), (0..<10).map { "d\($0)" }, name)
            for k in 0..<10 {
                XCTAssertEqual(try g.dataset("d\(k)").readInt64s(), (0...k).map { Int64($0) }, name)
                XCTAssertEqual(try g.attribute("a\(k)").readInt64s(), [Int64(k)], name)
            }
            let chunked = try f.root.dataset("chunked")
            XCTAssertEqual(chunked.filterIDs, [2, 1, 3], name)
            XCTAssertEqual(try chunked.readFloats(), (0..<64).map { Float($0) }, name)
            XCTAssertEqual(try f.root.dataset("growing").maxShape, [nil], name)
            XCTAssertEqual(try f.root.dataset("growing").read(as: UInt8.self), (0..<40).map { UInt8($0) }, name)
            XCTAssertEqual(try f.root.dataset("vlen").readVLenSequences(as: Float.self), (0..<3).map { k in (0..<(k + 2)).map { Float($0) } }, name)
            let flat = try f.root.dataset("vlen").readVLenFlattened(as: Double.self)
            XCTAssertEqual(flat.offsets, [0, 2, 5, 9], name)
            XCTAssertEqual(try f.root.dataset("strings").readStrings(), ["a", "bc", "def"], name)
            XCTAssertEqual(try f["/g/d3"].datasetShape, [4], name)
        }
    }
}

private extension HDF5Object {
    var datasetShape: [Int]? {
        if case let .dataset(d) = self { return d.shape }
        return nil
    }
}
