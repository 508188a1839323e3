import XCTest
import Foundation
import SpikeKit
@testable import SpikeNetworkFile
@testable import SpikeCLI

/// Network files in YAML (the block subset of `YAMLSubset`): the same values, checks and places as JSON.
final class SimulateYAMLTests: SpikeProcessTestCase {
    func yaml(_ s: String) throws -> JSON { try YAMLSubset.parse(document: Array(s.utf8)) }
    func json(_ s: String) throws -> JSON { try JSON.parse(document: Array(s.utf8)) }

    func testTheSubsetReadsAsItsJSON() throws {
        let y = """
        # comment
        a: 1
        b: -2.5e3   # trailing comment
        c: [1, [2, 3], {x: 1, "y z": 'it''s'}]
        d:
        - plain text
        - "quoted # not a comment"
        - - nested
          - 7
        - k: true
          m: ~
        e: {low: -60,
            high: -50}
        f:
          g: null
          h: []
        a: 2
        """
        let j = """
        {"a": 1, "b": -2.5e3, "c": [1, [2, 3], {"x": 1, "y z": "it's"}],
         "d": ["plain text", "quoted # not a comment", ["nested", 7], {"k": true, "m": null}],
         "e": {"low": -60, "high": -50}, "f": {"g": null, "h": []}, "a": 2}
        """
        XCTAssertEqual(try yaml(y), try json(j))
        for (bad, message) in [("a: 1\n  b: 2", "unexpected indentation at line 2"), ("a: [1, 2", "unclosed '[' at line 1"),
                               ("a: *ref", "YAML aliases are not supported at line 1"), ("a: |\n  x", "YAML block scalars are not supported at line 1"),
                               ("- 1\nb: 2", "a mapping and a sequence cannot share one level at line 2"), ("just text", "expected 'key: value' at line 1"),
                               ("a: 1\n\tb: 2", "tabs cannot indent YAML at line 2"), ("a: 1\n---\nb: 2", "only one YAML document is supported at line 2")] {
            XCTAssertThrowsError(try yaml(bad), bad) { e in
                XCTAssertTrue((e as? YAMLSubset.ParseError)?.message.contains(message) ?? false, "\(bad): \(e)")
            }
        }
    }

    func testAYAMLNetworkRunsLikeItsJSON() throws {
        let y = """
        dt: 0.1
        duration: 5
        seed: 3
        groups:
          - {name: A, model: lif_delta, size: 5, parameters: {refractory: 0}}
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
        try y.write(toFile: path("net.yaml"), atomically: true, encoding: .utf8)
        let r = try spike(["simulate", path("net.yaml"), "--output", path("o")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try spikeRows("o/spikes_A").scalars.prefix(4), [0, 2.1, 1, 2.1])
        try y.replacingOccurrences(of: "delay: 1", with: "delay: 0.05").write(toFile: path("bad.yml"), atomically: true, encoding: .utf8)
        try assertFails(["simulate", path("bad.yml"), "--output", path("x")], "bad.yml: synapses[0].delay: 0.05 ms is below one step (dt = 0.1 ms)")
        try y.replacingOccurrences(of: "  - type: spikes", with: "  - type: spikes\n   source: B").write(toFile: path("bad.yaml"), atomically: true, encoding: .utf8)
        try assertFails(["simulate", path("bad.yaml"), "--output", path("x")], "bad.yaml: invalid YAML: unexpected indentation at line 22")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x")))
    }
}
