import Foundation
import XCTest
import SpikeCLI
import SpikeIO
@testable import SpikeNetworkFile

/// The YAML subset against hostile input (issue 15): a depth limit instead of a stack overflow, CRLF line ends,
/// linear time for long flow collections, long strings, and input quoted in errors cut and escaped.
final class YAMLLimitTests: SpikeProcessTestCase {
    func yaml(_ s: String) throws -> JSON { try YAMLSubset.parse(document: Array(s.utf8)) }

    func message(_ s: String) -> String {
        do { _ = try yaml(s); return "no error" } catch let e as YAMLSubset.ParseError { return e.message } catch { return "\(error)" }
    }

    let tooDeep = "YAML nested too deeply (more than 128 levels)"

    /// The issue's reproducers: 50,000 nested flow mappings, flow sequences and block sequences.
    func testFiftyThousandNestedCollectionsGiveOneDepthError() {
        let mappings = "a: " + String(repeating: "{a: ", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
        XCTAssertEqual(message(mappings), "\(tooDeep) at line 1")
        let sequences = "a: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        XCTAssertEqual(message(sequences), "\(tooDeep) at line 1")
        let compact = String(repeating: "- ", count: 50_000) + "x"
        XCTAssertEqual(message(compact), "\(tooDeep) at line 1")
        // Block sequences by indentation (one more space a level), and mappings, over many lines.
        let indented = (0..<300).map { String(repeating: " ", count: $0) + "-" }.joined(separator: "\n")
        XCTAssertEqual(message(indented), "\(tooDeep) at line 129")
        let keys = (0..<300).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
        XCTAssertEqual(message(keys), "\(tooDeep) at line 129")
    }

    func testNestingUpToTheLimitStillReads() throws {
        let ok = "a: " + String(repeating: "[", count: 127) + "1" + String(repeating: "]", count: 127)
        var v = try yaml(ok)
        guard case let .object(members) = v else { return XCTFail("\(v)") }
        v = members[0].value
        var depth = 0
        while case let .array(items) = v { depth += 1; v = items[0] }
        XCTAssertEqual(depth, 127)
        XCTAssertEqual(v, .number(text: "1", integer: 1))
    }

    func testTheDepthErrorIsOneLineThroughTheBinary() throws {
        let deep = "duration: 1\ngroups: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "\n"
        try deep.write(toFile: path("deep.yaml"), atomically: true, encoding: .utf8)
        try assertFails(["simulate", path("deep.yaml"), "--output", path("o")], "deep.yaml: invalid YAML: \(tooDeep) at line 2")
    }

    let network = """
    # a small network
    dt: 0.1
    duration: 5
    seed: 3
    groups:
      - {name: A, model: lif_delta, size: 5,
         parameters: {refractory: 0}}
    inputs:
      - name: G
        type: spike_generator
        size: 3
        indices: [0, 1, 2]
        times: [1, 2, 3]
    synapses:
      - name: GA
        source: G
        target: A
        variable: v
        connect: all_to_all
        weight: 25
        delay: 1
    monitors:
      - type: spikes
        source: A

    """

    func testCRLFLineEndsReadAsLF() throws {
        let crlf = network.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertTrue(crlf.utf8.contains(0x0D))
        XCTAssertEqual(try yaml(crlf), try yaml(network))
        let lf = try NetworkFile.parse(Array(network.utf8), file: "net.yaml", directory: tmp)
        let d = try NetworkFile.parse(Array(crlf.utf8), file: "net.yaml", directory: tmp)
        XCTAssertEqual(d.duration, lf.duration)
        XCTAssertEqual(d.groups.map(\.name), ["A"])
        XCTAssertEqual(d.synapses.map(\.name), ["GA"])
    }

    func testACRLFNetworkFileRunsLikeItsLFFile() throws {
        try network.write(toFile: path("lf.yaml"), atomically: true, encoding: .utf8)
        try network.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: path("crlf.yaml"), atomically: true, encoding: .utf8)
        for name in ["lf", "crlf"] {
            let r = try spike(["simulate", path("\(name).yaml"), "--output", path(name)])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        for f in ["spikes_A_i.npy", "spikes_A_t.npy"] {
            XCTAssertEqual(try Data(contentsOf: tmp.appendingPathComponent("crlf/\(f)")), try Data(contentsOf: tmp.appendingPathComponent("lf/\(f)")))
        }
    }

    /// A flow list over n lines: `a: [` then one number a line.
    func flowList(_ n: Int) -> [UInt8] {
        var s = "a: [\n"
        s.reserveCapacity(8 * n)
        for k in 0..<n { s += k + 1 < n ? "  \(k),\n" : "  \(k)\n" }
        return Array((s + "]\n").utf8)
    }

    /// The issue's 100,000-line flow list took over a minute (each line re-scanned the joined text). Linear now:
    /// 4x the lines take well under 16x the time (a quadratic reader's ratio) (Fuzz/README.md has the 100,000 lines in a release build).
    func testALongFlowListReadsInLinearTime() throws {
        func time(_ n: Int) throws -> Double {
            let doc = flowList(n)
            var best = Double.infinity
            for _ in 0..<3 {  // the best of three, against a busy machine
                let start = Date()
                guard case let .object(m) = try YAMLSubset.parse(document: doc), case let .array(items) = m[0].value else {
                    XCTFail("not a list"); return 0
                }
                best = min(best, Date().timeIntervalSince(start))
                XCTAssertEqual(items.count, n)
            }
            return best
        }
        _ = try time(1_000)  // warm up
        let small = try time(5_000), large = try time(20_000)
        XCTAssertLessThan(large, 10 * small + 0.05, "5000 lines: \(small) s, 20000 lines: \(large) s")
    }

    func testLongStringsAndKeysAreRefusedAndErrorsCutInput() {
        let long = String(repeating: "x", count: JSON.maxStringBytes + 1)
        XCTAssertEqual(message("a: \(long)"), "string longer than 1048576 bytes at line 1")
        XCTAssertEqual(message("\(long): 1"), "string longer than 1048576 bytes at line 1")
        XCTAssertEqual(message("a: {\(long): 1}"), "string longer than 1048576 bytes at line 1")
        let key = "k\u{1b}" + String(repeating: "y", count: 5_000)
        XCTAssertEqual(message("a: {\(key) 1}"), "expected ':' after 'k\\u{1b}\(String(repeating: "y", count: 198))… (4804 more bytes)' at line 1")
    }

    func testNetworkFileErrorsCutLongNamesAndEscapeControlCharacters() throws {
        let name = "\u{1b}[31m" + String(repeating: "n", count: 50_000)
        let doc = "{\"duration\": 1, \"groups\": [{\"name\": \"ok\", \"model\": \(JSON.quote(name)), \"size\": 1}]}"
        XCTAssertThrowsError(try NetworkFile.parse(Array(doc.utf8), file: "n.json", directory: tmp)) { e in
            let m = "\(e)"
            XCTAssertFalse(m.contains("\u{1b}"), m)
            XCTAssertLessThan(m.count, 2_100, m)
            XCTAssertTrue(m.hasPrefix("n.json: groups[0].model: "), m)
        }
        let key = "bad\nkey" + String(repeating: "k", count: 50_000)
        let unknown = "{\"duration\": 1, \(JSON.quote(key)): 1, \"groups\": []}"
        XCTAssertThrowsError(try NetworkFile.parse(Array(unknown.utf8), file: "n.json", directory: tmp)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.hasPrefix("n.json: bad\\nkey" + String(repeating: "k", count: 193) + "… (49807 more bytes): unknown field"), m)
        }
        let badName = "{\"duration\": 1, \"groups\": [{\"name\": \"\(String(repeating: "a", count: 300))!\", \"model\": \"lif\", \"size\": 1}]}"
        XCTAssertThrowsError(try NetworkFile.parse(Array(badName.utf8), file: "n.json", directory: tmp)) { e in
            XCTAssertEqual("\(e)", "n.json: groups[0].name: '\(String(repeating: "a", count: 200))… (101 more bytes)' is not a valid name (letters, digits, '_', '-', '.'; it names output files)")
        }
    }
}
