import Foundation
import XCTest
import SpikeIO
@testable import SpikeNIR

final class NIRFileTests: XCTestCase {
    func testReadsEveryPrimitiveFixture() throws {
        let expected: [String: NIRNodeKind] = [
            "prim_affine": .affine, "prim_linear": .linear, "prim_scale": .scale, "prim_threshold": .threshold, "prim_delay": .delay,
            "prim_i": .i, "prim_li": .li, "prim_if": .if, "prim_lif": .lif, "prim_cubali": .cubaLI, "prim_cubalif": .cubaLIF,
            "prim_flatten": .flatten, "prim_conv1d": .conv1d, "prim_conv2d": .conv2d, "prim_sumpool2d": .sumPool2d,
            "prim_avgpool2d": .avgPool2d,
        ]
        for (name, kind) in expected {
            let g = try Fixtures.graph(name)
            XCTAssertEqual(g.nodes.count, 3, name)
            XCTAssertTrue(g.nodes.values.contains { $0.kind == kind }, name)
            XCTAssertEqual(g.metadataDt, 1e-3, name)
            XCTAssertEqual(g.edges.count, 2, name)
        }
    }

    func testFieldValuesAndDefaults() throws {
        let g = try Fixtures.graph("prim_conv2d")
        let conv = try XCTUnwrap(g.nodes.values.first { $0.kind == .conv2d })
        XCTAssertEqual(conv.array("weight")?.shape, [4, 1, 3, 3])
        XCTAssertEqual(conv.array("stride")?.integers, [1, 2])
        XCTAssertEqual(conv.array("padding")?.integers, [1, 0])
        XCTAssertEqual(conv.array("groups")?.integers, [2])
        XCTAssertEqual(conv.array("input_shape")?.integers, [5, 6])
        let g2 = try Fixtures.graph("prim_lif")
        let lif = try XCTUnwrap(g2.nodes["lif"])
        XCTAssertEqual(lif.array("tau")?.shape, [4])
        XCTAssertEqual(g2.nodes["input"]?.array("shape")?.integers, [4])
    }

    func testNestedGraphFixture() throws {
        let g = try Fixtures.graph("graph_nested")
        let rnn = try XCTUnwrap(g.nodes["rnn"]?.subgraph)
        XCTAssertEqual(Set(rnn.nodes.keys), ["input", "lif", "rec", "output"])
        XCTAssertTrue(rnn.edges.contains { $0 == ("rec", "lif") })
        XCTAssertTrue(g.edges.contains { $0 == ("fc", "rnn") })
    }

    /// SpikeKit write -> SpikeKit read gives the same graph, for every fixture.
    func testEveryFixtureRoundTrips() throws {
        for name in Fixtures.primitives + Fixtures.graphs {
            let g = try Fixtures.graph(name)
            let back = try NIRFile.read(bytes: NIRFile.encode(g))
            XCTAssertEqual(back, g, name)
        }
    }

    /// The 0.2.0 layout: no `version`, no `v_reset` (read as 0), edges as `src`/`dst` datasets.
    func testReadsOldLayout() throws {
        let w = HDF5Writer()
        let top = try w.root.group("node")
        _ = try top.addDataset("type", .string("NIRGraph"))
        let e = try top.group("edges")
        _ = try e.addDataset("src", .strings(["input", "lif"]))
        _ = try e.addDataset("dst", .strings(["lif", "output"]))
        let nodes = try top.group("nodes")
        for (name, type, fields) in [("input", "Input", [("shape", [2.0])]), ("output", "Output", [("shape", [2.0])]),
                                     ("lif", "LIF", [("tau", [0.01, 0.02]), ("r", [1, 1]), ("v_leak", [0, 0]), ("v_threshold", [1, 1])])] {
            let n = try nodes.group(name)
            _ = try n.addDataset("type", .string(type))
            for (f, v) in fields {
                if f == "shape" { _ = try n.addDataset(f, .numbers(v.map { Int64($0) })) } else { _ = try n.addDataset(f, .numbers(v)) }
            }
        }
        let bytes = try w.encode()
        XCTAssertNil(try NIRFile.version(bytes: bytes))
        let g = try NIRFile.read(bytes: bytes)
        XCTAssertEqual(g.nodes["lif"]?.array("v_reset")?.values, [0, 0])
        XCTAssertEqual(g.edges.map { "\($0.0)>\($0.1)" }, ["input>lif", "lif>output"])
    }

    func testVersionOfFixture() throws {
        let bytes = [UInt8](try Data(contentsOf: Fixtures.url("prim_lif.nir")))
        XCTAssertEqual(try NIRFile.version(bytes: bytes), "1.0.8")
    }
}
