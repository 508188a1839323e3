import Foundation
import XCTest
import SpikeIO
@testable import SpikeNIR

/// Malformed files and graphs: one-line errors that name the node; truncated and corrupted fixtures
/// throw, never trap.
final class NIRBadInputTests: XCTestCase {
    func readError(_ bytes: [UInt8]) -> String {
        do { _ = try NIRFile.read(bytes: bytes); return "" } catch { return "\(error)" }
    }
    func buildError(_ g: NIRGraph) -> String {
        do { _ = try NIRNetwork(try NIRFile.read(bytes: NIRFile.encode(g)), options: NIRRunOptions(dt: 1e-3)); return "" }
        catch { return "\(error)" }
    }
    func lif(_ n: Int) -> NIRNode {
        let a = NIRArray([Double](repeating: 1e-2, count: n))
        return .lif(tau: a, r: a, vLeak: a, vThreshold: a, vReset: a)
    }
    func assertOneLine(_ m: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(m.contains(fragment), "'\(m)' lacks '\(fragment)'", file: file, line: line)
        XCTAssertFalse(m.contains("\n"), m, file: file, line: line)
    }

    func testMalformedHDF5() throws {
        assertOneLine(readError([]), "not a readable HDF5 file")
        assertOneLine(readError(Array("hello, not hdf5".utf8)), "not a readable HDF5 file")
        let w = HDF5Writer()
        _ = try w.root.addDataset("version", .string("1.0.8"))
        assertOneLine(readError(try w.encode()), "not a NIR file: no 'node' group")
    }

    func testUnknownNodeType() throws {
        let w = HDF5Writer()
        let top = try w.root.group("node")
        _ = try top.addDataset("type", .string("NIRGraph"))
        _ = try top.addDataset("edges", .strings([], shape: [0, 2]))
        let n = try top.group("nodes/mystery")
        _ = try n.addDataset("type", .string("Spiky"))
        assertOneLine(readError(try w.encode()), "node 'mystery': unknown node type 'Spiky'")
    }

    func testEdgeToMissingNode() throws {
        var g = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
        g.edges.append(("lif", "ghost"))
        assertOneLine(readError(try NIRFile.encode(g)), "<top graph>': edge lif -> ghost: destination 'ghost' is not a node")
    }

    func testMissingRequiredField() throws {
        var g = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
        g.nodes["lif"]!.fields["tau"] = nil
        XCTAssertEqual(readError(try NIRFile.encode(g)), "node 'lif': LIF lacks the required field 'tau'")
        var a = NIRGraph.sequence([("fc", .linear(weight: NIRArray([1, 2, 3, 4], shape: [2, 2])))], inputShape: [2], outputShape: [2])
        a.nodes["fc"] = NIRNode(.affine, arrays: ["weight": NIRArray([1, 2, 3, 4], shape: [2, 2])])
        XCTAssertEqual(readError(try NIRFile.encode(a)), "node 'fc': Affine lacks the required field 'bias'")
    }

    func testShapeMismatches() throws {
        let w = NIRArray([Double](repeating: 0.5, count: 6), shape: [2, 3])
        let g = NIRGraph.sequence([("fc", .linear(weight: w))], inputShape: [4], outputShape: [2])
        assertOneLine(buildError(g), "node 'fc': input shape [4] does not match weight [2, 3]")
        let g2 = NIRGraph.sequence([("lif", lif(3))], inputShape: [2], outputShape: [3])
        assertOneLine(buildError(g2), "node 'lif': input shape [2] does not match the node's shape [3]")
        var g3 = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
        g3.nodes["lif"]!.fields["v_threshold"] = .array(NIRArray([1, 1, 1]))
        assertOneLine(readError(try NIRFile.encode(g3)), "node 'lif': field 'v_threshold' has shape [3], 'tau' has [2]")
        let g4 = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [5])
        assertOneLine(buildError(g4), "node 'output': input shape [2] does not match the Output shape [5]")
    }

    func testNumbersAreBoundsChecked() throws {
        func withField(_ f: String, _ v: NIRValue) throws -> String {
            var g = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
            g.nodes["lif"]!.fields[f] = v
            return readError(try NIRFile.encode(g))
        }
        XCTAssertEqual(try withField("tau", .array(NIRArray([1e-2, -1]))), "node 'lif': field 'tau' must be positive (a time constant in seconds)")
        XCTAssertEqual(try withField("r", .array(NIRArray([Double.nan, 1], elementType: .float64))), "node 'lif': field 'r' holds a value that is not finite")
        XCTAssertEqual(try withField("r", .string("big")), "node 'lif': field 'r' is a string, expected numbers")
        var g = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
        g.nodes["input"] = .input([0])
        XCTAssertEqual(readError(try NIRFile.encode(g)), "node 'input': field 'shape' value 0.0 is not an integer in 1...16777216")
        g.nodes["input"] = .input([1 << 30])
        XCTAssertTrue(readError(try NIRFile.encode(g)).hasPrefix("node 'input': field 'shape' value"))
        var p = NIRGraph(nodes: ["input": .input([1, 4, 4]), "output": .output([1, 2, 2]),
                                 "pool": NIRNode(.sumPool2d, arrays: ["kernel_size": NIRArray(integers: [2, 2]), "stride": NIRArray(integers: [0, 2]),
                                                                      "padding": NIRArray(integers: [0, 0])])],
                         edges: [("input", "pool"), ("pool", "output")])
        XCTAssertEqual(readError(try NIRFile.encode(p)), "node 'pool': field 'stride' value 0.0 is not an integer in 1...16777216")
        p.nodes["pool"]!.fields["stride"] = .array(NIRArray(integers: [2, 2]))
        p.nodes["pool"]!.fields["kernel_size"] = .array(NIRArray(integers: [9, 9]))
        assertOneLine(buildError(p), "node 'pool': input [1, 4, 4] is smaller than the kernel (9, 9)")
        var d = NIRGraph.sequence([("d", NIRNode(.delay, arrays: ["delay": NIRArray([1e5, 0])]))], inputShape: [2], outputShape: [2])
        assertOneLine(buildError(d), "node 'd': delay of more than 2^20 steps")
        d.nodes["d"]!.fields["delay"] = .array(NIRArray([-1, 0]))
        XCTAssertEqual(readError(try NIRFile.encode(d)), "node 'd': delay must be in 0...1e6 s")
    }

    func testNestingDepthIsLimited() throws {
        var g = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
        for _ in 0..<20 { g = NIRGraph.sequence([("sub", NIRNode(graph: g))], inputShape: [2], outputShape: [2]) }
        assertOneLine(readError(try NIRFile.encode(g)), "graphs nested deeper than 16 levels")
        // 3 levels are fine and run.
        var h = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
        for _ in 0..<3 { h = NIRGraph.sequence([("sub", NIRNode(graph: h))], inputShape: [2], outputShape: [2]) }
        XCTAssertEqual(buildError(h), "")
    }

    func testNodeWithoutInputAndSubgraphWithTwoInputs() throws {
        var g = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
        g.nodes["orphan"] = lif(2)
        assertOneLine(buildError(g), "node 'orphan': has no incoming edge")
        var sub = NIRGraph.sequence([("lif", lif(2))], inputShape: [2], outputShape: [2])
        sub.nodes["input2"] = .input([2]); sub.edges.append(("input2", "lif"))
        let outer = NIRGraph.sequence([("s", NIRNode(graph: sub))], inputShape: [2], outputShape: [2])
        assertOneLine(buildError(outer), "node 's': an edge names the subgraph but it has 2 Input nodes")
    }

    /// Every fixture truncated at many lengths and with bytes flipped: the fuzz entry point returns, it never traps.
    func testTruncatedAndCorruptedFixturesThrow() throws {
        for name in ["prim_lif", "graph_nested", "graph_conv", "peers/snntorch_rleaky"] {
            let bytes = [UInt8](try Data(contentsOf: Fixtures.url("\(name).nir")))
            XCTAssertTrue(NIRFile.fuzz(bytes), name)
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
                XCTAssertFalse(NIRFile.fuzz(Array(bytes[..<cut])), "\(name) cut at \(cut)")
            }
            var g = SplitMix(seed: 17)
            for _ in 0..<300 {
                var b = bytes
                for _ in 0..<3 { b[Int(g.next() % UInt64(b.count))] ^= UInt8(truncatingIfNeeded: g.next() | 1) }
                NIRFile.fuzz(b)
            }
        }
    }
}

/// A tiny deterministic generator for the corruption test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
