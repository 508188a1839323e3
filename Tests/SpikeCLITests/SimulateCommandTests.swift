import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// `spike simulate`: network files, the built-in examples, recordings, plots, and every kind of bad file.
final class SimulateCommandTests: SpikeProcessTestCase {
    func read(_ f: String) throws -> Tensor { try NPY.read(from: URL(fileURLWithPath: path(f))) }
    func text(_ f: String) throws -> String { try String(contentsOfFile: path(f), encoding: .utf8) }

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
            XCTAssertEqual(try read("\(dir)/\(m.name).npy").scalars, expected, m.name, line: line)
            XCTAssertEqual(try read("\(dir)/\(m.name).npy").shape, [m.count, 2], line: line)
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
        for f in ["spikes_E.npy", "spikes_I.npy", "rate_E.csv"] {
            XCTAssertEqual(try Data(contentsOf: tmp.appendingPathComponent("a/\(f)")), try Data(contentsOf: tmp.appendingPathComponent("b/\(f)")), f)
        }
        XCTAssertGreaterThan(try read("a/spikes_E.npy").shape[0], 0)
        // The summary on stdout names each group with its spikes and rate; progress goes to stderr as plain lines.
        XCTAssertTrue(a.stdout.contains("simulated 30 ms (300 steps of 0.1 ms)"), a.stdout)
        XCTAssertTrue(a.stdout.contains(" E ") && a.stdout.contains(" Hz"), a.stdout)
        XCTAssertTrue(a.stderr.contains("simulate: t = 30.0 / 30.0 ms"), a.stderr)
        // A different seed gives a different network.
        let c = try spike(["simulate", path("cuba.json"), "--output", path("c"), "--seed", "2"])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertNotEqual(try read("a/spikes_E.npy"), try read("c/spikes_E.npy"))
    }

    /// A spike at 1 ms through a 1 ms delay onto `v` arrives after the update of step 20 and shows in the
    /// update of step 21: the target fires at 2.1 ms, as in Brian2.
    func testDelaysRecordingsAndTheirFiles() throws {
        let r = try spike(["simulate", try network(small()), "--output", path("o"), "--plot", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Three spikes per neuron, 1 ms apart: perfectly regular.
        XCTAssertEqual(try XCTUnwrap(JSONDecoder().decode(SimulationSummary.self, from: Data(r.stdout.utf8)).groups[0].meanCV), 0, accuracy: 1e-6)
        let spikes = try read("o/spikes_A.npy")
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
                       ["raster.svg", "spikes_A.csv", "spikes_A.npy", "state_A_v.csv", "state_A_v.npy", "summary.json"])
    }

    /// Recorded spikes replay through a spike generator's `file`; weights and initial values come from .npy files.
    func testValuesAndSpikeTrainsFromFiles() throws {
        let r = try spike(["simulate", try network(small()), "--output", path("o")])
        XCTAssertEqual(r.status, 0, r.stderr)
        _ = try write(Tensor(shape: [5], scalars: [0, 1, 2, 3, 4]), "v0.npy")
        _ = try write(Tensor(shape: [5], scalars: [25, 25, 25, 0, 0]), "w.npy")
        let replay: [String: Any] = [
            "dt": 0.1, "duration": 5,
            "groups": [["name": "B", "model": "lif_delta", "size": 5, "initial": ["v": ["file": "v0.npy"]]]],
            "inputs": [["name": "R", "type": "spike_generator", "size": 5, "file": "o/spikes_A.npy"]],
            "synapses": [["name": "RB", "source": "R", "target": "B", "variable": "v", "connect": "one_to_one", "weight": ["file": "w.npy"]]],
            "monitors": [["type": "spikes", "source": "R"], ["type": "spikes", "source": "B"],
                         ["type": "state", "group": "B", "variables": ["v"], "neurons": [3, 4]]]]
        let p = try spike(["simulate", try network(replay, "replay.json"), "--output", path("p")])
        XCTAssertEqual(p.status, 0, p.stderr)
        XCTAssertEqual(try read("p/spikes_R.npy"), try read("o/spikes_A.npy"))
        // Only the three neurons with weight 25 fire, one step after each replayed spike.
        let b = try read("p/spikes_B.npy").scalars
        XCTAssertEqual(Set(stride(from: 0, to: b.count, by: 2).map { Int(b[$0]) }), [0, 1, 2])
        XCTAssertEqual(try read("p/state_B_v.npy").scalars[0], 3 * Float(exp(-0.1 / 20.0)), accuracy: 1e-5)
        var bad = replay
        bad["synapses"] = [["name": "RB", "source": "R", "target": "B", "connect": "all_to_all", "weight": ["file": "w.npy"]]]
        try assertFails(["simulate", try network(bad, "bad.json"), "--output", path("x")], "bad.json: synapses[0].weight: 5 weights in the file for 25 synapses")
        bad = replay
        bad["inputs"] = [["name": "R", "type": "spike_generator", "size": 2, "file": "o/spikes_A.npy"]]
        try assertFails(["simulate", try network(bad, "bad.json"), "--output", path("x")], "bad.json: inputs[0].file: row 2: index 2 out of range 0..<2")
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
        let r = try spike(["simulate", try network(file), "--output", path("o/nested"), "--json", "--plot"])
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
        XCTAssertGreaterThan(try read("o/nested/spikes_X.npy").shape[0], 0)
        // Initial values: the first sample of ge is the constant after one step of decay, v lies in [-60, -50].
        let v0 = Array(try read("o/nested/state_E_v.npy").scalars[0..<40])
        XCTAssertTrue(v0.allSatisfy { $0 >= -61 && $0 < -49 }, "\(v0)")
        XCTAssertEqual(summary.files.last, "summary.json")
        XCTAssertEqual(Set(summary.files), Set(try FileManager.default.contentsOfDirectory(atPath: path("o/nested"))))
        // The same file and seed give the same bits.
        let again = try spike(["simulate", path("net.json"), "--output", path("again")])
        XCTAssertEqual(again.status, 0, again.stderr)
        for f in ["spikes_E.npy", "d_spikes.npy", "state_E_ge.npy", "state_L_v.npy"] {
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
                "net.json: monitors[1]: its output file 's_v.npy' is also written by monitors[0]")
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
        try assertFails(["simulate", try network(noSpikes), "--output", path("o"), "--plot"], "--plot draws the spikes monitors, and the file has none")
        try assertFails(["simulate", try network(small()), "--output", path("o"), "--duration=-1"], "--duration must be >= 0 ms")
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
        for f in ["spikes_E.npy", "spikes_I.npy", "rate_E.npy", "spikes_E.csv", "rate_I.csv"] {
            XCTAssertEqual(try data("second/\(f)"), try data("whole/\(f)"), f)
        }
        XCTAssertNotEqual(try data("first/spikes_E.npy"), try data("whole/spikes_E.npy"))
        let summary = try JSONDecoder().decode(SimulationSummary.self, from: Data(second.stdout.utf8))
        XCTAssertEqual(summary.startMs, 23.7)
        XCTAssertEqual(summary.steps, 163)
        // The spikes counted in the second run are those of the recording after 23.7 ms.
        let spikesE = try NPY.read(from: tmp.appendingPathComponent("whole/spikes_E.npy")).scalars
        let late = stride(from: 1, to: spikesE.count, by: 2).filter { spikesE[$0] >= 23.75 }.count
        XCTAssertEqual(summary.groups[0].spikes, late)

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
        let r = try spike(["simulate", path("net.json"), "--output", path("out"), "--plot", "--duration", "110", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("out")).sorted(),
                       ["raster.svg", "rate_E.csv", "rate_E.npy", "spikes_E.csv", "spikes_E.npy", "spikes_I.csv", "spikes_I.npy",
                        "state_E_ge.csv", "state_E_ge.npy", "state_E_v.csv", "state_E_v.npy", "summary.json",
                        "volley_spikes.csv", "volley_spikes.npy"])
        let volley = try NPY.read(from: tmp.appendingPathComponent("out/volley_spikes.npy"))
        XCTAssertEqual(volley.shape, [10, 2])
        XCTAssertEqual(try NPY.read(from: tmp.appendingPathComponent("out/state_E_v.npy")).shape, [110, 3])
        // The volley at 100 and 100.5 ms, through a 2 ms delay onto 40 targets each, drives a burst of E spikes.
        let e = try NPY.read(from: tmp.appendingPathComponent("out/spikes_E.npy")).scalars
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

/// Plasticity in network files: STDP, triplet and reward-modulated STDP, the weights monitor, resume, errors.
final class SimulatePlasticityTests: SpikeProcessTestCase {
    func read(_ f: String) throws -> Tensor { try NPY.read(from: tmp.appendingPathComponent(f)) }

    /// A pre spike at 10 ms (generator G, a plastic synapse too weak to make A fire) and a post spike forced at
    /// 14.1 ms (generator H at 14 ms through a strong synapse): one pair 41 steps apart.
    func pairNetwork(_ plasticity: [String: Any], extraMonitors: [[String: Any]] = []) -> [String: Any] {
        ["dt": 0.1, "duration": 30,
         "groups": [["name": "A", "model": "lif_delta", "size": 1]],
         "inputs": [["name": "G", "type": "spike_generator", "size": 1, "indices": [0], "times": [10]],
                    ["name": "H", "type": "spike_generator", "size": 1, "indices": [0], "times": [14]]],
         "synapses": [["name": "GA", "source": "G", "target": "A", "variable": "v", "connect": "all_to_all", "weight": 0.5,
                       "plasticity": plasticity],
                      ["name": "HA", "source": "H", "target": "A", "variable": "v", "connect": "all_to_all", "weight": 25]],
         "monitors": [["type": "weights", "synapses": "GA"], ["type": "spikes", "source": "A"]] + extraMonitors]
    }

    func run(_ f: [String: Any], _ dir: String, _ extra: [String] = []) throws -> SpikeProcessTestCase.Run {
        let data = try JSONSerialization.data(withJSONObject: f, options: [.sortedKeys])
        try data.write(to: tmp.appendingPathComponent("\(dir).json"))
        return try spike(["simulate", path("\(dir).json"), "--output", path(dir)] + extra)
    }

    func testSTDPPairWindowThroughTheFile() throws {
        let r = try run(pairNetwork(["rule": "stdp", "a_plus": 0.01, "a_minus": 0.0105, "tau_plus": 20, "tau_minus": 20]), "stdp")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try read("stdp/spikes_A.npy").scalars, [0, 14.1])
        let w = try read("stdp/weights_GA.npy")
        XCTAssertEqual(w.shape, [300, 1])
        XCTAssertEqual(w.scalars[140], 0.5)
        XCTAssertEqual(w.scalars[141], 0.5 + 0.01 * Float(exp(-4.1 / 20.0)), accuracy: 1e-6)
        XCTAssertEqual(w.scalars[299], w.scalars[141])
        XCTAssertEqual(try read("stdp/weights_GA_synapses.npy").scalars, [0, 0])
        // Post before pre: depression by the post trace.
        var late = pairNetwork(["rule": "stdp", "a_plus": 0.01, "a_minus": 0.0105, "dependence": "multiplicative", "pairing": "nearest"])
        late["inputs"] = [["name": "G", "type": "spike_generator", "size": 1, "indices": [0], "times": [20]],
                          ["name": "H", "type": "spike_generator", "size": 1, "indices": [0], "times": [14]]]
        let d = try run(late, "late")
        XCTAssertEqual(d.status, 0, d.stderr)
        let wl = try read("late/weights_GA.npy").scalars
        XCTAssertEqual(wl[299], 0.5 - 0.0105 * 0.5 * Float(exp(-5.9 / 20.0)), accuracy: 1e-6)
    }

    func testTripletAndRewardModulatedRules() throws {
        let t = try run(pairNetwork(["rule": "triplet", "set": "hippocampal_all_to_all"]), "triplet")
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertGreaterThan(try read("triplet/weights_GA.npy").scalars[299], 0.5)
        // Reward-modulated: the pair only makes the synapse eligible; the weight moves when the reward comes at 20 ms.
        let r = try run(pairNetwork(["rule": "reward_stdp", "tau_c": 50, "eta": 0.1, "reward": ["times": [20], "values": [1]]]), "reward")
        XCTAssertEqual(r.status, 0, r.stderr)
        let w = try read("reward/weights_GA.npy").scalars
        XCTAssertEqual(w[199], 0.5)
        XCTAssertGreaterThan(w[200], 0.5)
        XCTAssertEqual(w[299], w[200])
        let none = try run(pairNetwork(["rule": "reward_stdp"]), "none")
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertEqual(try read("none/weights_GA.npy").scalars[299], 0.5)
    }

    func testExampleSTDPEqualsTheLibraryNetworkBitForBit() throws {
        let r = try spike(["simulate", "--example", "stdp", "--set", "inputs=200", "--set", "gmax=0.05", "--set", "potentiation=0.05",
                           "--duration", "200.1", "--output", path("o"), "--plot"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("correlated inputs (100): mean w/gmax"), r.stdout)
        let net = try NetworkExamples.stdp(inputs: 200, gmax: 0.05, potentiation: 0.05)
        try net.run(steps: 2001)
        let m = try XCTUnwrap(net.monitors.compactMap { $0 as? SpikeMonitor }.first)
        XCTAssertGreaterThan(m.count, 0)
        XCTAssertEqual(try read("o/spikes_neuron.npy").scalars, zip(m.indices, m.steps).flatMap { [Float($0), Float(Double($1) * 0.1)] })
        let w = try read("o/weights_S.npy")
        XCTAssertEqual(w.shape, [3, 200])
        XCTAssertEqual(Array(w.scalars[400..<600]), net.synapses[0].weight)
        XCTAssertNotEqual(Array(w.scalars[0..<200]), net.synapses[0].weight)
        let printed = try spike(["simulate", "--example", "stdp", "--set", "inputs=4", "--print"])
        XCTAssertTrue(printed.stdout.contains("\"correlation\": [0.1, 0.1, 0, 0]"), printed.stdout)
    }

    func testPlasticRunsResumeBitForBit() throws {
        let f: [String: Any] = [
            "dt": 0.1, "duration": 40, "seed": 9,
            "groups": [["name": "A", "model": "lif_delta", "size": 20, "parameters": ["refractory": 1]]],
            "inputs": [["name": "P", "type": "poisson", "size": 50, "rate": 80]],
            "synapses": [["name": "PA", "source": "P", "target": "A", "variable": "v", "connect": ["rule": "random", "p": 0.5],
                          "weight": ["distribution": "uniform", "low": 0, "high": 4], "delay": ["distribution": "uniform", "low": 0.1, "high": 3],
                          "plasticity": ["rule": "stdp", "a_plus": 0.1, "a_minus": 0.11, "w_max": 4]]],
            "monitors": [["type": "weights", "synapses": "PA", "indices": [0, 5, 7], "every": 10], ["type": "spikes", "source": "A"]]]
        XCTAssertEqual(try run(f, "whole").status, 0)
        var a = f; a["duration"] = 17
        let first = try run(a, "first", ["--save-state", path("s.safetensors")])
        XCTAssertEqual(first.status, 0, first.stderr)
        var b = f; b["duration"] = 23
        let second = try run(b, "second", ["--resume", path("s.safetensors")])
        XCTAssertEqual(second.status, 0, second.stderr)
        for file in ["weights_PA.npy", "spikes_A.npy", "weights_PA.csv"] {
            XCTAssertEqual(try Data(contentsOf: tmp.appendingPathComponent("second/\(file)")),
                           try Data(contentsOf: tmp.appendingPathComponent("whole/\(file)")), file)
        }
        XCTAssertNotEqual(try read("whole/weights_PA.npy").scalars.first, try read("whole/weights_PA.npy").scalars.last)
    }

    func testBadPlasticityIsReportedBeforeTheRun() throws {
        func bad(_ p: [String: Any], _ fragment: String, line: UInt = #line) throws {
            let data = try JSONSerialization.data(withJSONObject: pairNetwork(p), options: [.sortedKeys])
            try data.write(to: tmp.appendingPathComponent("bad.json"))
            try assertFails(["simulate", path("bad.json"), "--output", path("o")], fragment, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")), line: line)
        }
        try bad(["rule": "hebb"], "bad.json: synapses[0].plasticity.rule: unknown plasticity rule 'hebb' (known: stdp, triplet, reward_stdp)")
        try bad(["rule": "stdp", "tau_x": 3], "bad.json: synapses[0].plasticity.tau_x: stdp has no field 'tau_x'")
        try bad(["rule": "stdp", "pairing": "closest"], "bad.json: synapses[0].plasticity.pairing: unknown pairing 'closest' (known: all_to_all, nearest)")
        try bad(["rule": "stdp", "tau_plus": -1], "bad.json: synapses[0].plasticity: stdp: tau_plus must be > 0")
        try bad(["rule": "stdp", "w_max": 0.25], "bad.json: synapses[0].plasticity: stdp on synapses 'GA': weight 0.5 of synapse 0 is outside [0.0, 0.25]")
        try bad(["rule": "triplet", "set": "neocortex"], "bad.json: synapses[0].plasticity.set: unknown parameter set 'neocortex'")
        try bad(["rule": "reward_stdp", "reward": ["times": [1, 2], "values": [1]]], "bad.json: synapses[0].plasticity.reward: 2 times but 1 values")
        var f = pairNetwork(["rule": "stdp"])
        f["monitors"] = [["type": "weights", "synapses": "XY"]]
        let data = try JSONSerialization.data(withJSONObject: f, options: [.sortedKeys])
        try data.write(to: tmp.appendingPathComponent("bad.json"))
        try assertFails(["simulate", path("bad.json"), "--output", path("o")], "bad.json: monitors[0].synapses: no synapses named 'XY' (synapses: GA, HA)")
        f["monitors"] = [["type": "weights", "synapses": "GA", "indices": [1]]]
        try JSONSerialization.data(withJSONObject: f, options: [.sortedKeys]).write(to: tmp.appendingPathComponent("bad.json"))
        try assertFails(["simulate", path("bad.json"), "--output", path("o")], "bad.json: monitors[0]: weights monitor 'weights_GA': synapse 1 out of range 0..<1 of 'GA'")
    }
}

/// `NetworkFile` in process: what a parse yields.
final class NetworkFileTests: XCTestCase {
    func parse(_ text: String) throws -> NetworkDescription {
        try NetworkFile.parse(Array(text.utf8), file: "n.json", directory: URL(fileURLWithPath: "/"))
    }

    func testDescriptionOfAFile() throws {
        let d = try parse("""
        {"dt": 0.25, "duration": 10, "seed": 4,
         "groups": [{"name": "A", "model": "lif", "size": 3, "parameters": {"tau": [2, 3, 4], "v_reset": null}}],
         "synapses": [{"name": "AA", "source": "A", "target": "A", "connect": {"rule": "all_to_all", "self_connections": false},
                       "weight": {"distribution": "normal", "mean": 1, "std": 0.1, "max": 1.1}, "delay": [0.25, 0.5, 0.75, 1, 1.25, 1.5]}],
         "monitors": [{"type": "state", "group": "A", "variables": ["v"], "every": 2}]}
        """)
        XCTAssertEqual(d.steps, 40)
        XCTAssertEqual(d.seed, 4)
        XCTAssertEqual(d.groups[0].perNeuron.map(\.name), ["tau"])
        XCTAssertEqual(d.groups[0].perNeuron[0].values, .values([2, 3, 4]))
        XCTAssertEqual(d.synapses[0].rule, .allToAll(selfConnections: false))
        XCTAssertEqual(d.synapses[0].weight, .normal(mean: 1, std: 0.1, min: nil, max: 1.1))
        XCTAssertEqual(d.monitors[0].name, "state_A")
        XCTAssertEqual(d.monitors[0].files, ["state_A_v.npy", "state_A_v.csv"])
        let net = try NetworkBuilder.build(d)
        XCTAssertEqual(net.synapses[0].count, 6)
        XCTAssertEqual(net.synapses[0].delaySteps, [1, 2, 3, 4, 5, 6])
        XCTAssertTrue(net.synapses[0].weight.allSatisfy { $0 <= 1.1 })
    }

    /// Models with a step take the network's in their own unit: ms for Brian2's and SPAIC's, s for Norse's.
    func testModelsTakeTheNetworksStepInTheirUnit() throws {
        let d = try parse("""
        {"dt": 0.1, "duration": 1, "groups": [{"name": "A", "model": "va_cuba", "size": 1}, {"name": "B", "model": "cuba_lif", "size": 1},
                                              {"name": "C", "model": "cuba_lif", "size": 1, "parameters": {"dt": 0.0001}}]}
        """)
        XCTAssertEqual(d.groups[0].model.table(neurons: 1)["dt"][0], 0.1)
        // Norse's LIFCell: one Euler step of 1e-4 s from rest with input 2 moves v by dt tau_mem_inv j = 1e-4 * 100 * 2.
        let net = try NetworkBuilder.build(d)
        for g in net.groups { g.input[0] = 2 }
        net.advance()
        XCTAssertEqual(try net.groups[1].state("v")[0], 0.02, accuracy: 1e-7)
        XCTAssertEqual(try net.groups[2].state("v")[0], 0.02, accuracy: 1e-7)
        XCTAssertThrowsError(try parse("""
        {"dt": 0.1, "duration": 1, "groups": [{"name": "B", "model": "cuba_lif", "size": 1, "parameters": {"dt": 0.001}}]}
        """)) { e in
            XCTAssertEqual("\(e)", "n.json: groups[0].parameters.dt: the model integrates at the network's dt (0.1 ms = 0.0001 s); got 0.001")
        }
    }

    /// Every model of the zoo builds and runs in a network file with its defaults, driven by a current and a
    /// synapse onto `input`, recording all its state variables.
    func testEveryZooModelRunsInANetwork() throws {
        for entry in NeuronRegistry.entries {
            let states = try NeuronRegistry.model(entry.id, parameters: [:]).stateNames.map { "\"\($0)\"" }.joined(separator: ", ")
            let d = try parse("""
            {"dt": 0.1, "duration": 2, "groups": [{"name": "A", "model": "\(entry.id)", "size": 2}],
             "inputs": [{"name": "I", "type": "current", "target": "A", "values": [0.5]},
                        {"name": "G", "type": "spike_generator", "size": 1, "indices": [0], "times": [0.5]}],
             "synapses": [{"name": "GA", "source": "G", "target": "A", "connect": "all_to_all", "weight": 0.1}],
             "monitors": [{"type": "state", "group": "A", "variables": [\(states)]}, {"type": "spikes", "source": "A"}]}
            """)
            let net = try NetworkBuilder.build(d)
            try net.run(steps: d.steps)
            let m = try XCTUnwrap(net.monitors.compactMap { $0 as? StateMonitor }.first, entry.id)
            XCTAssertEqual(m.samples, 20, entry.id)
        }
    }

    /// A connection probability too small for 1 - p to differ from 1 draws (almost surely) no synapse instead of
    /// trapping on an infinite gap (found by mutating network files).
    func testTinyConnectionProbabilities() throws {
        for p in [3.5e-45, 1e-300, 1e-17] {
            var rng = SeededRandom(seed: 1)
            XCTAssertEqual(try SynapseMatrix.build(.random(p: p), pre: 1000, post: 1000, sameGroup: false, rng: &rng).count, 0, "\(p)")
        }
        let d = try parse("""
        {"dt": 0.1, "duration": 1, "groups": [{"name": "A", "model": "lif", "size": 10}],
         "synapses": [{"name": "AA", "source": "A", "target": "A", "connect": {"rule": "random", "p": 3.5e-45}, "weight": 1}]}
        """)
        XCTAssertEqual(try NetworkBuilder.build(d).synapses[0].count, 0)
    }

    func testPoissonEncoderTakesTheNetworksStep() throws {
        func raster(_ parameters: String) throws -> Tensor {
            let d = try parse("""
            {"dt": 0.1, "duration": 1, "groups": [{"name": "A", "model": "lif", "size": 1}],
             "inputs": [{"name": "X", "type": "encoder", "method": "poisson", "values": [0.5, 1], "steps": 2000, "parameters": \(parameters)}]}
            """)
            guard case let .spikeArray(_, r, _) = d.inputs[0].kind else { throw CLIError("not a spike array") }
            return r
        }
        let implicit = try raster("{\"max_rate\": 200}")
        XCTAssertEqual(implicit, try raster("{\"max_rate\": 200, \"dt\": 0.0001}"))
        // 200 Hz for 0.2 s: about 40 spikes in the second column.
        let count = (0..<2000).filter { implicit.scalars[$0 * 2 + 1] != 0 }.count
        XCTAssertGreaterThan(count, 20); XCTAssertLessThan(count, 65)
    }
}

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
        XCTAssertEqual(try NPY.read(from: tmp.appendingPathComponent("o/spikes_A.npy")).scalars.prefix(4), [0, 2.1, 1, 2.1])
        try y.replacingOccurrences(of: "delay: 1", with: "delay: 0.05").write(toFile: path("bad.yml"), atomically: true, encoding: .utf8)
        try assertFails(["simulate", path("bad.yml"), "--output", path("x")], "bad.yml: synapses[0].delay: 0.05 ms is below one step (dt = 0.1 ms)")
        try y.replacingOccurrences(of: "  - type: spikes", with: "  - type: spikes\n   source: B").write(toFile: path("bad.yaml"), atomically: true, encoding: .utf8)
        try assertFails(["simulate", path("bad.yaml"), "--output", path("x")], "bad.yaml: invalid YAML: unexpected indentation at line 22")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x")))
    }
}
