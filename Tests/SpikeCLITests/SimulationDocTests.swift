import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// docs/SIMULATION.md: its complete example is a valid network file that runs as documented.
final class SimulationDocTests: SpikeProcessTestCase {
    func testTheDocumentedExampleRuns() throws {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/SIMULATION.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        let section = try XCTUnwrap(text.range(of: "## A complete example"))
        let open = try XCTUnwrap(text.range(of: "```json\n", range: section.upperBound..<text.endIndex))
        let close = try XCTUnwrap(text.range(of: "\n```", range: open.upperBound..<text.endIndex))
        try String(text[open.upperBound..<close.lowerBound]).write(toFile: path("net.json"), atomically: true, encoding: .utf8)
        let r = try spike(["simulate", path("net.json"), "--output", path("out"), "--plot", path("out/raster.svg"), "--duration", "110ms", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("out")).sorted(),
                       ["raster.svg", "rate_E.csv", "rate_E.npy", "spikes_E.csv", "spikes_E_i.npy", "spikes_E_t.npy", "spikes_I.csv", "spikes_I_i.npy", "spikes_I_t.npy",
                        "state_E_ge.csv", "state_E_ge.npy", "state_E_v.csv", "state_E_v.npy", "summary.json",
                        "volley_spikes.csv", "volley_spikes_i.npy", "volley_spikes_t.npy"])
        let volley = try spikeRows("out/volley_spikes")
        XCTAssertEqual(volley.shape, [10, 2])
        XCTAssertEqual(try NPY.read(from: tmp.appendingPathComponent("out/state_E_v.npy")).shape, [110, 3])
        // The volley at 100 and 100.5 ms, through a 2 ms delay onto 40 targets each, drives a burst of E spikes.
        let e = try spikeRows("out/spikes_E").scalars
        let times = stride(from: 1, to: e.count, by: 2).map { e[$0] }
        let burst = times.filter { $0 >= 102 && $0 < 105 }.count, before = times.filter { $0 >= 92 && $0 < 95 }.count
        XCTAssertGreaterThan(burst, 3 * max(before, 1), "burst \(burst), before \(before)")
        // The YAML block reads and checks as a network file too.
        let yamlOpen = try XCTUnwrap(text.range(of: "```yaml\n"))
        let yamlClose = try XCTUnwrap(text.range(of: "\n```", range: yamlOpen.upperBound..<text.endIndex))
        try String(text[yamlOpen.upperBound..<yamlClose.lowerBound]).write(toFile: path("net.yaml"), atomically: true, encoding: .utf8)
        let y = try spike(["simulate", path("net.yaml"), "--check"])
        XCTAssertEqual(y.status, 0, y.stderr)
        XCTAssertTrue(y.stdout.contains("ok: 1 groups (160 neurons), 1 inputs, 1 projections"), y.stdout)
    }
}
