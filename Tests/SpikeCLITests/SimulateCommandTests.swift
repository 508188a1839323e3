import XCTest
import Foundation
import SpikeKit
@testable import SpikeNetworkFile
@testable import SpikeCLI

/// `spike simulate`: network files, the built-in examples, recordings, plots, and every kind of bad file.
final class SimulateCommandTests: SpikeProcessTestCase {
    func read(_ f: String) throws -> Tensor { try NPY.read(from: URL(fileURLWithPath: path(f))) }
    func text(_ f: String) throws -> String { try String(contentsOfFile: path(f), encoding: .utf8) }

    /// The live progress line never reaches the terminal's last column (no wrapped fragment on redraw), at any
    /// width: the bar shrinks first, then the text is cut.
    func testProgressLineFitsTheTerminalWidth() {
        for width in [20, 40, 60, 80, 100, 200] {
            let p = SimulationProgress(dt: 0.1, offset: 12345, live: true, width: width)
            for done in [0, 500, 1000] {
                let line = p.line(done, 1000, elapsed: 0.37)
                XCTAssertLessThanOrEqual(line.count, width - 1, "width \(width): \(line)")
                if width >= 80 { XCTAssertTrue(line.hasPrefix("[") && line.contains("steps/s"), line) }
            }
        }
        XCTAssertTrue(SimulationProgress(dt: 0.1, live: true, width: 200).line(500, 1000, elapsed: 1).hasPrefix("[############------------] "))
    }

    /// Writes `object` as a JSON network file; returns its path.
    func network(_ object: [String: Any], _ name: String = "net.json") throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: tmp.appendingPathComponent(name))
        return path(name)
    }

    /// A small network: a spike generator driving five delta-synapse LIF neurons with a delay.
    func small() -> [String: Any] {
        ["dt": 0.1, "duration": 5, "seed": 3,
         "groups": [["name": "A", "model": "lif_delta", "size": 5, "parameters": ["refractory": 0]]],
         "inputs": [["name": "G", "type": "spike_generator", "size": 3, "indices": [0, 1, 2], "times": [1, 2, 3]]],
         "synapses": [["name": "GA", "source": "G", "target": "A", "variable": "v", "connect": "all_to_all", "weight": 25, "delay": 1]],
         "monitors": [["type": "spikes", "source": "A"], ["type": "state", "group": "A", "variables": ["v"], "neurons": [0, 4], "every": 2]]]
    }

    /// The example's recordings equal those of the library network `net` run for `duration` ms.
    func assertSameRecordings(_ dir: String, _ net: Network, duration: Double, line: UInt = #line) throws {
        try net.run(duration: duration)
        let monitors = net.monitors.compactMap { $0 as? SpikeMonitor }
        XCTAssertEqual(monitors.map(\.name), ["spikes_E", "spikes_I"], line: line)
        for m in monitors {
            XCTAssertGreaterThan(m.count, 0, m.name, line: line)
            let expected = zip(m.indices, m.steps).flatMap { [Float($0), Float(Double($1) * 0.1)] }
            XCTAssertEqual(try spikeRows("\(dir)/\(m.name)").scalars, expected, m.name, line: line)
            XCTAssertEqual(try spikeRows("\(dir)/\(m.name)").shape, [m.count, 2], line: line)
        }
        for m in net.monitors.compactMap({ $0 as? PopulationRateMonitor }) {
            XCTAssertEqual(try read("\(dir)/\(m.name).npy").scalars, m.rates(dt: net.dt), m.name, line: line)
        }
    }

    func testExampleCubaEqualsTheLibraryNetworkBitForBit() throws {
        let r = try spike(["simulate", "--example", "cuba", "--set", "neurons=250", "--duration", "60", "--output", path("o"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let net = try NetworkExamples.cuba(neurons: 250, p: 0.02, seed: 1)
        try assertSameRecordings("o", net, duration: 60)
        let monitors = net.monitors.compactMap { $0 as? SpikeMonitor }
        let summary = try JSONDecoder().decode(SimulationSummary.self, from: Data(r.stdout.utf8))
        XCTAssertEqual(summary.groups.map(\.name), ["E", "I"])
        XCTAssertEqual(summary.groups.map(\.spikes), monitors.map(\.count))
        XCTAssertEqual(summary.groups.map(\.meanCV), monitors.map { m -> Double? in
            let cvs = SpikeStatistics.cvISI(m.trains(dt: net.dt))
            return cvs.isEmpty ? nil : SpikeStatistics.mean(cvs)
        })
        XCTAssertEqual(summary.steps, 600)
        XCTAssertEqual(summary.durationMs, 60)
        XCTAssertEqual(try JSONDecoder().decode(SimulationSummary.self, from: Data(contentsOf: tmp.appendingPathComponent("o/summary.json"))), summary)
    }

    func testExamplesCobaAndBrunelEqualTheLibraryNetworksBitForBit() throws {
        let c = try spike(["simulate", "--example", "coba", "--set", "neurons=300", "--set", "p=0.05", "--set", "seed=4", "--duration", "40",
                           "--output", path("coba")])
        XCTAssertEqual(c.status, 0, c.stderr)
        try assertSameRecordings("coba", try NetworkExamples.coba(neurons: 300, p: 0.05, seed: 4), duration: 40)
        let b = try spike(["simulate", "--example", "brunel", "--set", "excitatory=400", "--set", "g=3", "--set", "nu=2",
                           "--duration", "30", "--output", path("brunel")])
        XCTAssertEqual(b.status, 0, b.stderr)
        try assertSameRecordings("brunel", try NetworkExamples.brunel(excitatory: 400, g: 3, nuExtOverNuThr: 2), duration: 30)
        let list = try spike(["simulate", "--list-examples"])
        XCTAssertEqual(list.status, 0, list.stderr)
        for line in ["cuba", "    nu = 2  external rate nu_ext / nu_thr", "stdp", "    gmax = 0.005"] {
            XCTAssertTrue(list.stdout.contains(line), list.stdout)
        }
        let printed = try spike(["simulate", "--example", "brunel", "--set", "g=6", "--set", "nu=4", "--print"])
        XCTAssertTrue(printed.stdout.contains("synchronous irregular with a fast global oscillation"), printed.stdout)
        XCTAssertTrue(printed.stdout.contains("\"count\": 1000"), printed.stdout)
        try assertFails(["simulate", "--example", "brunel", "--set", "g=-1"], "example brunel: g must be >= 0, got -1.0")
    }

    func testPrintedExampleIsANetworkFileThatRunsTheSame() throws {
        let p = try spike(["simulate", "--example", "cuba", "--set", "neurons=100", "--set", "duration=30", "--print"])
        XCTAssertEqual(p.status, 0, p.stderr)
        XCTAssertTrue(p.stdout.contains("\"model\": \"va_cuba\""), p.stdout)
        try Data(p.stdout.utf8).write(to: tmp.appendingPathComponent("cuba.json"))
        let a = try spike(["simulate", path("cuba.json"), "--output", path("a")])
        let b = try spike(["simulate", "--example", "cuba", "--set", "neurons=100", "--set", "duration=30", "--output", path("b")])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(b.status, 0, b.stderr)
        for f in ["spikes_E_i.npy", "spikes_E_t.npy", "spikes_I_t.npy", "rate_E.csv"] {
            XCTAssertEqual(try Data(contentsOf: tmp.appendingPathComponent("a/\(f)")), try Data(contentsOf: tmp.appendingPathComponent("b/\(f)")), f)
        }
        XCTAssertGreaterThan(try spikeRows("a/spikes_E").shape[0], 0)
        // The summary on stdout names each group with its spikes and rate; progress goes to stderr as plain lines.
        XCTAssertTrue(a.stdout.contains("simulated 30 ms (300 steps of 0.1 ms)"), a.stdout)
        XCTAssertTrue(a.stdout.contains(" E ") && a.stdout.contains(" Hz"), a.stdout)
        XCTAssertTrue(a.stderr.contains("simulate: t = 30.0 / 30.0 ms"), a.stderr)
        // A different seed gives a different network.
        let c = try spike(["simulate", path("cuba.json"), "--output", path("c"), "--seed", "2"])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertNotEqual(try spikeRows("a/spikes_E"), try spikeRows("c/spikes_E"))
    }

    /// A spike at 1 ms through a 1 ms delay onto `v` arrives after the update of step 20 and shows in the
    /// update of step 21: the target fires at 2.1 ms, as in Brian2.
    func testDelaysRecordingsAndTheirFiles() throws {
        let r = try spike(["simulate", try network(small()), "--output", path("o"), "--plot", path("o/raster.svg"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Three spikes per neuron, 1 ms apart: perfectly regular.
        XCTAssertEqual(try XCTUnwrap(JSONDecoder().decode(SimulationSummary.self, from: Data(r.stdout.utf8)).groups[0].meanCV), 0, accuracy: 1e-6)
        let spikes = try spikeRows("o/spikes_A")
        XCTAssertEqual(spikes.shape, [15, 2])
        XCTAssertEqual(Array(spikes.scalars[0..<10]), [0, 2.1, 1, 2.1, 2, 2.1, 3, 2.1, 4, 2.1])
        XCTAssertEqual(try text("o/spikes_A.csv").split(separator: "\n").prefix(2), ["index,time_ms", "0,2.1"])
        let v = try read("o/state_A_v.npy")
        XCTAssertEqual(v.shape, [25, 2])
        XCTAssertEqual(try text("o/state_A_v.csv").split(separator: "\n").first, "time_ms,n0,n4")
        let svg = try text("o/raster.svg")
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("rate (Hz)") && svg.contains("time (ms)"))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 15)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("o")).sorted(),
                       ["raster.svg", "spikes_A.csv", "spikes_A_i.npy", "spikes_A_t.npy", "state_A_v.csv", "state_A_v.npy", "summary.json"])
    }

    /// Recorded spikes replay through a spike generator's `indices` and `times` files; weights and initial values come from .npy files.
    func testValuesAndSpikeTrainsFromFiles() throws {
        let r = try spike(["simulate", try network(small()), "--output", path("o")])
        XCTAssertEqual(r.status, 0, r.stderr)
        _ = try write(Tensor(shape: [5], scalars: [0, 1, 2, 3, 4]), "v0.npy")
        _ = try write(Tensor(shape: [5], scalars: [25, 25, 25, 0, 0]), "w.npy")
        let replay: [String: Any] = [
            "dt": 0.1, "duration": 5,
            "groups": [["name": "B", "model": "lif_delta", "size": 5, "initial": ["v": ["file": "v0.npy"]]]],
            "inputs": [["name": "R", "type": "spike_generator", "size": 5, "indices": "o/spikes_A_i.npy", "times": "o/spikes_A_t.npy"]],
            "synapses": [["name": "RB", "source": "R", "target": "B", "variable": "v", "connect": "one_to_one", "weight": ["file": "w.npy"]]],
            "monitors": [["type": "spikes", "source": "R"], ["type": "spikes", "source": "B"],
                         ["type": "state", "group": "B", "variables": ["v"], "neurons": [3, 4]]]]
        let p = try spike(["simulate", try network(replay, "replay.json"), "--output", path("p")])
        XCTAssertEqual(p.status, 0, p.stderr)
        XCTAssertEqual(try spikeRows("p/spikes_R"), try spikeRows("o/spikes_A"))
        // Only the three neurons with weight 25 fire, one step after each replayed spike.
        let b = try spikeRows("p/spikes_B").scalars
        XCTAssertEqual(Set(stride(from: 0, to: b.count, by: 2).map { Int(b[$0]) }), [0, 1, 2])
        XCTAssertEqual(try read("p/state_B_v.npy").scalars[0], 3 * Float(exp(-0.1 / 20.0)), accuracy: 1e-5)
        var bad = replay
        bad["synapses"] = [["name": "RB", "source": "R", "target": "B", "connect": "all_to_all", "weight": ["file": "w.npy"]]]
        try assertFails(["simulate", try network(bad, "bad.json"), "--output", path("x")], "bad.json: synapses[0].weight: 5 weights in the file for 25 synapses")
        bad = replay
        bad["inputs"] = [["name": "R", "type": "spike_generator", "size": 2, "indices": "o/spikes_A_i.npy", "times": "o/spikes_A_t.npy"]]
        try assertFails(["simulate", try network(bad, "bad.json"), "--output", path("x")], "bad.json: inputs[0].indices: entry 2: index 2 out of range 0..<2")
        // The [K, 2] rows of (index, time) replay through `file`.
        _ = try write(try spikeRows("o/spikes_A"), "rows.npy")
        bad["inputs"] = [["name": "R", "type": "spike_generator", "size": 2, "file": "rows.npy"]]
        try assertFails(["simulate", try network(bad, "bad.json"), "--output", path("x")], "bad.json: inputs[0].file: row 2: index 2 out of range 0..<2")
        var rows = replay
        rows["inputs"] = [["name": "R", "type": "spike_generator", "size": 5, "file": "rows.npy"]]
        XCTAssertEqual(try spike(["simulate", try network(rows, "rows.json"), "--output", path("q")]).status, 0)
        XCTAssertEqual(try spikeRows("q/spikes_R"), try spikeRows("o/spikes_A"))
        bad["inputs"] = [["name": "R", "type": "spike_generator", "size": 2, "file": "nope.npy"]]
        try assertFails(["simulate", try network(bad, "bad.json"), "--output", path("x")], "bad.json: inputs[0].file:")
    }

    /// Every part of the schema in one file: per-neuron parameters, mismatch, initial values, all five inputs,
    /// every connectivity rule, weight and delay forms, all three monitors.
    func testEveryPartOfTheSchema() throws {
        _ = try write(Tensor(shape: [4, 1], scalars: [0.2, 0.4, 0.6, 0.8]), "current.npy")
        let file: [String: Any] = [
            "description": "all of it", "dt": 0.1, "duration": 20, "seed": 5,
            "groups": [
                ["name": "E", "model": "va_cuba", "size": 40,
                 "parameters": ["taum": ["distribution": "uniform", "low": 15, "high": 25], "refractory": 2],
                 "mismatch": ["taue": 0.05],
                 "initial": ["v": ["distribution": "uniform", "low": -60, "high": -50], "ge": 0.5,
                             "gi": ["distribution": "normal", "mean": -1, "std": 0.5, "max": 0]]],
                ["name": "D", "model": "lif_delta", "size": 4, "parameters": ["tau": [10, 20, 30, 40]], "initial": ["v": [0, 5, 10, 15]]],
                ["name": "L", "model": "lif", "size": 3, "parameters": ["tau": 4, "v_reset": NSNull(), "decay_input": false]],
            ],
            "inputs": [
                ["name": "P", "type": "poisson", "size": 20, "rate": 200],
                ["name": "G", "type": "spike_generator", "size": 2, "indices": [0, 1, 0], "times": [0.5, 1, 2.5], "period": 5],
                ["name": "C", "type": "current", "target": "D", "file": "current.npy"],
                ["name": "CL", "type": "current", "target": "L", "values": [[0.5, 0.6, 0.7], [0.5, 0.6, 0.7]]],
                ["name": "PI", "type": "poisson_input", "target": "E", "variable": "ge", "count": 50, "rate": 10, "weight": 0.3],
                ["name": "X", "type": "encoder", "method": "poisson", "values": [0.2, 0.9, 0.5], "steps": 100, "parameters": ["max_rate": 300, "dt": 0.0001], "loop": true],
            ],
            "synapses": [
                ["name": "PE", "source": "P", "target": "E", "variable": "ge", "connect": ["rule": "random", "p": 0.3],
                 "weight": ["distribution": "normal", "mean": 1, "std": 0.2, "min": 0], "delay": ["distribution": "uniform", "low": 0.1, "high": 2], "max_delay": 3],
                ["name": "EE", "source": "E", "target": "E", "variable": "ge", "connect": ["rule": "fixed_in_degree", "k": 4, "self_connections": false],
                 "weight": ["distribution": "uniform", "low": 0.1, "high": 0.5]],
                ["name": "EI", "source": "E", "target": "D", "variable": "v", "connect": ["rule": "fixed_out_degree", "k": 2], "weight": 0.5, "delay": 0.5],
                ["name": "GD", "source": "G", "target": "D", "variable": "v", "connect": ["rule": "explicit", "pre": [0, 1, 1], "post": [0, 2, 3]],
                 "weight": [12, 14, 16], "delay": [0.1, 0.2, 0.3]],
                ["name": "XL", "source": "X", "target": "L", "connect": "one_to_one", "weight": 0.4],
                ["name": "DD", "source": "D", "target": "D", "variable": "v", "connect": ["rule": "all_to_all", "self_connections": false], "weight": -1],
            ],
            "monitors": [
                ["type": "spikes", "source": "E"], ["type": "spikes", "source": "D", "name": "d_spikes"], ["type": "spikes", "source": "X"],
                ["type": "rate", "source": "E"], ["type": "state", "group": "E", "variables": ["v", "ge"], "every": 10],
                ["type": "state", "group": "L", "variables": ["v"]],
            ],
        ]
        let r = try spike(["simulate", try network(file), "--output", path("o/nested"), "--json", "--plot", path("raster.svg")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try JSONDecoder().decode(SimulationSummary.self, from: Data(r.stdout.utf8))
        XCTAssertEqual(summary.groups.map(\.name), ["E", "D", "L"])
        XCTAssertEqual(summary.groups.map(\.model), ["va_cuba", "lif_delta", "lif"])
        for g in summary.groups { XCTAssertGreaterThan(g.spikes, 0, g.name) }
        XCTAssertNil(summary.groups[2].meanCV, "no spikes monitor of L")
        XCTAssertEqual(try read("o/nested/state_E_v.npy").shape, [20, 40])
        XCTAssertEqual(try read("o/nested/state_E_ge.npy").shape, [20, 40])
        XCTAssertEqual(try read("o/nested/state_L_v.npy").shape, [200, 3])
        XCTAssertEqual(try read("o/nested/rate_E.npy").shape, [200])
        XCTAssertEqual(try text("o/nested/rate_E.csv").split(separator: "\n").first, "time_ms,rate_hz")
        XCTAssertGreaterThan(try spikeRows("o/nested/spikes_X").shape[0], 0)
        // Initial values: the first sample of ge is the constant after one step of decay, v lies in [-60, -50].
        let v0 = Array(try read("o/nested/state_E_v.npy").scalars[0..<40])
        XCTAssertTrue(v0.allSatisfy { $0 >= -61 && $0 < -49 }, "\(v0)")
        XCTAssertEqual(summary.files.last, "summary.json")
        XCTAssertEqual(Set(summary.files), Set(try FileManager.default.contentsOfDirectory(atPath: path("o/nested"))))
        // The same file and seed give the same bits.
        let again = try spike(["simulate", path("net.json"), "--output", path("again")])
        XCTAssertEqual(again.status, 0, again.stderr)
        for f in ["spikes_E_i.npy", "spikes_E_t.npy", "d_spikes_t.npy", "state_E_ge.npy", "state_L_v.npy"] {
            XCTAssertEqual(try read("o/nested/\(f)"), try read("again/\(f)"), f)
        }
    }

    // Each kind of bad file: one line naming the place, non-zero exit, no output folder.

    /// Runs `small()` edited by `edit` and expects a one-line error containing `fragment`, with nothing written.
    func bad(_ edit: (inout [String: Any]) -> Void, _ fragment: String, line: UInt = #line) throws {
        var f = small()
        edit(&f)
        try assertFails(["simulate", try network(f), "--output", path("o")], fragment, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")), "nothing written", line: line)
    }
    /// Edits the first group.
    func group(_ f: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var g = (f["groups"] as! [[String: Any]])[0]; edit(&g); f["groups"] = [g]
    }
    /// Edits the first projection.
    func syn(_ f: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var s = (f["synapses"] as! [[String: Any]])[0]; edit(&s); f["synapses"] = [s]
    }

    func testUnknownFieldsMissingGroupsModelsAndStateVariables() throws {
        // Unknown fields, at the top and inside.
        try bad({ $0["monitor"] = [] }, "net.json: monitor: unknown field (known here: description, dt, duration")
        try bad({ group(&$0) { $0["sise"] = 3 } }, "net.json: groups[0].sise: unknown field")
        try bad({ syn(&$0) { $0["connect"] = ["rule": "random", "p": 0.1, "q": 1] } }, "net.json: synapses[0].connect.q: unknown field")
        // Missing fields and groups, unknown models, parameters and state variables.
        try bad({ group(&$0) { $0["size"] = nil } }, "net.json: groups[0]: missing field 'size'")
        try bad({ $0["duration"] = nil }, "net.json: missing field 'duration'")
        try bad({ syn(&$0) { $0["target"] = "B" } }, "net.json: synapses[0].target: no group named 'B' (groups: A)")
        try bad({ syn(&$0) { $0["source"] = "H" } }, "net.json: synapses[0].source: no group or spiking input named 'H' (known: A, G)")
        try bad({ $0["monitors"] = [["type": "spikes", "source": "Z"]] }, "net.json: monitors[0].source: no group or spiking input named 'Z'")
        try bad({ group(&$0) { $0["model"] = "nope" } }, "net.json: groups[0].model: unknown neuron model 'nope'")
        try bad({ group(&$0) { $0["parameters"] = ["taux": 1] } }, "net.json: groups[0].parameters.taux: model lif_delta has no parameter 'taux'")
        try bad({ group(&$0) { $0["parameters"] = ["tau": -1] } }, "net.json: groups[0].parameters: lif_delta: tau must be > 0, got -1.0")
        try bad({ group(&$0) { $0["initial"] = ["ge": 1] } }, "net.json: groups[0].initial.ge: model lif_delta has no state variable 'ge'")
        try bad({ syn(&$0) { $0["variable"] = "ge" } }, "net.json: synapses[0].variable: model lif_delta of group 'A' has no state variable 'ge'")
        try bad({ $0["monitors"] = [["type": "state", "group": "A", "variables": ["v", "w"]]] }, "net.json: monitors[0].variables[1]: model lif_delta of group 'A' has no state variable 'w'")
    }

    func testIndicesOutOfRangeAndDelaysOutsideTheBuffer() throws {
        try bad({ $0["inputs"] = [["name": "G", "type": "spike_generator", "size": 3, "indices": [0, 1, 3], "times": [1, 2, 3]]] },
                "net.json: inputs[0].indices[2]: index 3 out of range 0..<3")
        try bad({ syn(&$0) { $0["connect"] = ["rule": "explicit", "pre": [0, 2], "post": [1, 5]] } }, "net.json: synapses[0].connect.post[1]: post index 5 out of range 0..<5")
        try bad({ $0["monitors"] = [["type": "state", "group": "A", "variables": ["v"], "neurons": [0, 9]]] }, "net.json: monitors[0].neurons[1]: neuron 9 out of range 0..<5 of group 'A'")
        try bad({ syn(&$0) { $0["connect"] = ["rule": "fixed_in_degree", "k": 4] } }, "net.json: synapses[0].connect.k: 4 synapses per neuron from 3 candidate neurons")
        try bad({ syn(&$0) { $0["weight"] = [1, 2] } }, "net.json: synapses[0].weight: 2 weights for 15 synapses")
        // Delays below one step or above max_delay.
        try bad({ syn(&$0) { $0["delay"] = 0.05 } }, "net.json: synapses[0].delay: 0.05 ms is below one step (dt = 0.1 ms)")
        try bad({ syn(&$0) { $0["delay"] = 3; $0["max_delay"] = 2 } }, "net.json: synapses[0].delay: 3.0 ms is above max_delay (2.0 ms)")
        try bad({ syn(&$0) { $0["connect"] = "one_to_one" } }, "net.json: synapses[0].connect: one_to_one needs equal sizes, got 3 pre and 5 post neurons")
        try bad({ syn(&$0) { $0["connect"] = ["rule": "explicit", "pre": [0, 1], "post": [0, 1]]; $0["weight"] = 1; $0["delay"] = [1, 0.02] } },
                "net.json: synapses[0].delay[1]: 0.02 ms is below one step")
        try bad({ syn(&$0) { $0["delay"] = ["distribution": "uniform", "low": 0, "high": 1] } }, "net.json: synapses[0].delay: uniform delays from 0.0 ms can fall below one step")
    }

    func testNegativeDurationsWrongTypesNamesAndBuildErrors() throws {
        try bad({ $0["duration"] = -5 }, "net.json: duration: must be >= 0 ms, got -5.0")
        try bad({ $0["dt"] = 0 }, "net.json: dt: must be > 0 ms, got 0.0")
        try bad({ group(&$0) { $0["size"] = "five" } }, "net.json: groups[0].size: expected an integer, got a string")
        try bad({ group(&$0) { $0["size"] = 0 } }, "net.json: groups[0].size: must be >= 1, got 0")
        try bad({ $0["dt"] = "0.1" }, "net.json: dt: expected a number, got a string")
        try bad({ $0["groups"] = ["A"] }, "net.json: groups[0]: expected an object, got a string")
        try bad({ syn(&$0) { $0["weight"] = ["distribution": "cauchy"] } }, "net.json: synapses[0].weight.distribution: unknown distribution 'cauchy'")
        // Names: taken twice, or unusable as file names; monitor files clashing.
        try bad({ syn(&$0) { $0["name"] = "A" } }, "net.json: synapses[0].name: the name 'A' is already used by groups[0]")
        try bad({ group(&$0) { $0["name"] = "../x" } }, "net.json: groups[0].name: '../x' is not a valid name")
        try bad({ $0["monitors"] = [["type": "spikes", "source": "A", "name": "s_v"], ["type": "state", "group": "A", "variables": ["v"], "name": "s"]] },
                "net.json: monitors[1]: its output file 's_v.csv' is also written by monitors[0]")
        // Problems found while building (still before any step): two spikes of one neuron in one step.
        try bad({ $0["inputs"] = [["name": "G", "type": "spike_generator", "size": 3, "indices": [0, 0], "times": [1, 1.02]]] },
                "net.json: inputs[0]: spike generator 'G': neuron 0 has two spikes in the step of 1.02 ms")
        try bad({ $0["inputs"] = [["name": "G", "type": "encoder", "method": "poisson", "values": [0.5], "parameters": ["rate": 3]]] },
                "net.json: inputs[0]: poisson: unknown parameter 'rate'")
    }

    func testBadJSONAndCommandLines() throws {
        try "{\n  \"dt\": 0.1,\n  \"duration\": 5\n  \"groups\": []\n}\n".write(toFile: path("broken.json"), atomically: true, encoding: .utf8)
        try assertFails(["simulate", path("broken.json"), "--output", path("o")], "broken.json: invalid JSON: expected ',' or '}' at line 4, column 3")
        try "{\"dt\": 0.1, \"dt\": 0.2, \"duration\": 1, \"groups\": []}".write(toFile: path("twice.json"), atomically: true, encoding: .utf8)
        try assertFails(["simulate", path("twice.json"), "--output", path("o")], "twice.json: dt: given twice")
        try assertFails(["simulate", path("missing.json"), "--output", path("o")], "missing.json: cannot read the network file")
        try assertFails(["simulate", "--example", "nope"], "unknown example 'nope' (known: cuba")
        try assertFails(["simulate", "--example", "cuba", "--set", "neurons=x", "--output", path("o")], "example cuba: neurons must be an integer, got 'x'")
        try assertFails(["simulate", "--example", "cuba", "--set", "colour=red", "--output", path("o")], "example cuba: unknown parameter 'colour'")
        try assertFails(["simulate", try network(small()), "--set", "neurons=3", "--output", path("o")], "--set is for --example")
        try assertFails(["simulate", try network(small())], "--output DIR is required")
        let ok = try spike(["simulate", try network(small()), "--check"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.hasSuffix("net.json: ok: 1 groups (5 neurons), 1 inputs, 1 projections (15 synapses), 2 monitors; 50 steps of 0.1 ms\n"), ok.stdout)
        var twice = small()
        twice["inputs"] = [["name": "G", "type": "spike_generator", "size": 3, "indices": [0, 0], "times": [1, 1.02]]]
        try assertFails(["simulate", try network(twice), "--check"], "net.json: inputs[0]: spike generator 'G': neuron 0 has two spikes")
        try assertFails(["simulate"], "give a network FILE or --example NAME")
        try "x".write(toFile: path("plainfile"), atomically: true, encoding: .utf8)
        try assertFails(["simulate", try network(small()), "--output", path("plainfile")], "exists and is not a folder")
        var noSpikes = small()
        noSpikes["monitors"] = [["type": "rate", "source": "A"]]
        try assertFails(["simulate", try network(noSpikes), "--output", path("o"), "--plot", path("r.svg")], "--plot draws the spikes monitors, and the file has none")
        try assertFails(["simulate", try network(small()), "--output", path("o"), "--duration=-1ms"], "--duration: expected a duration such as 500ms or 10s, got '-1ms'")
        try assertFails(["simulate", try network(small()), "--output", path("o"), "--duration=5min"], "--duration: expected a duration such as 500ms or 10s, got '5min'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")))
    }
}

/// `spike simulate --save-state` and `--resume`: a run in two parts equals the uninterrupted run bit for bit.
final class SimulateResumeTests: SpikeProcessTestCase {
    func data(_ f: String) throws -> Data { try Data(contentsOf: tmp.appendingPathComponent(f)) }

    func testResumedRunEqualsTheUninterruptedRun() throws {
        // Brunel: delays of 15 steps (spikes queued across the break) and Poisson inputs (generator states).
        let example = ["simulate", "--example", "brunel", "--set", "excitatory=200", "--set", "g=3"]
        let whole = try spike(example + ["--duration", "40", "--output", path("whole")])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let first = try spike(example + ["--duration", "23.7", "--output", path("first"), "--save-state", path("state.safetensors")])
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try spike(example + ["--duration", "16.3", "--output", path("second"), "--resume", path("state.safetensors"), "--json"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("from 23.7 ms") && second.stderr.contains("t = 40.0 / 40.0 ms"), second.stderr)
        for f in ["spikes_E_i.npy", "spikes_E_t.npy", "spikes_I_t.npy", "rate_E.npy", "spikes_E.csv", "rate_I.csv"] {
            XCTAssertEqual(try data("second/\(f)"), try data("whole/\(f)"), f)
        }
        XCTAssertNotEqual(try data("first/spikes_E_t.npy"), try data("whole/spikes_E_t.npy"))
        let summary = try JSONDecoder().decode(SimulationSummary.self, from: Data(second.stdout.utf8))
        XCTAssertEqual(summary.startMs, 23.7)
        XCTAssertEqual(summary.steps, 163)
        // The summary describes what the files hold: the whole run from 0 ms, as the uninterrupted run's does.
        let wholeSummary = try JSONDecoder().decode(SimulationSummary.self, from: try data("whole/summary.json"))
        let recorded = try NPY.read(from: tmp.appendingPathComponent("second/spikes_E_i.npy")).count
        XCTAssertEqual(summary.groups[0].spikes, recorded)
        XCTAssertEqual(summary.groups.map(\.spikes), wholeSummary.groups.map(\.spikes))
        XCTAssertEqual(summary.groups.map(\.meanRateHz), wholeSummary.groups.map(\.meanRateHz))
        let text = try spike(example + ["--duration", "16.3ms", "--output", path("third"), "--resume", path("state.safetensors")])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("spikes and rates from 0 to 40 ms"), text.stdout)
        XCTAssertTrue(text.stdout.contains(String(format: "%9d spikes", wholeSummary.groups[0].spikes)), text.stdout)

        try assertFails(example + ["--seed", "2", "--duration", "5", "--output", path("x"), "--resume", path("state.safetensors")],
                        "state.safetensors: saved from a network with seed 1, this one has seed 2")
        try assertFails(["simulate", "--example", "cuba", "--set", "neurons=50", "--duration", "5", "--output", path("x"),
                         "--resume", path("state.safetensors")], "state.safetensors: checkpoint: 'group/E/v' has 200 values, expected 40")
        try assertFails(example + ["--duration", "5", "--output", path("x"), "--resume", path("nope.safetensors")], "nope.safetensors")
        try assertFails(example + ["--duration", "5", "--output", path("x"), "--save-state", path("no/such/dir/s.safetensors")], "does not exist")
        try assertFails(example + ["--duration", "1677721.6", "--output", path("x"), "--save-state", path("big.safetensors")],
                        "--save-state: a state can be saved up to step 16777215")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x")))
    }
}
