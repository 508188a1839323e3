import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

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
        XCTAssertEqual(try spikeRows("stdp/spikes_A").scalars, [0, 14.1])
        let w = try read("stdp/weights_GA.npy")
        XCTAssertEqual(w.shape, [300, 1])
        XCTAssertEqual(w.scalars[140], 0.5)
        XCTAssertEqual(w.scalars[141], 0.5 + 0.01 * Float(exp(-4.1 / 20.0)), accuracy: 1e-6)
        XCTAssertEqual(w.scalars[299], w.scalars[141])
        XCTAssertEqual(try read("stdp/weights_GA_synapses.npy").scalars, [0, 0])
        // Through a 2 ms delay, pre_timing arrival measures the window from the arrival at 12 ms: 2.1 ms before the post spike.
        var delayed = pairNetwork(["rule": "stdp", "a_plus": 0.01, "a_minus": 0.0105, "pre_timing": "arrival"])
        var synapses = delayed["synapses"] as! [[String: Any]]
        synapses[0]["delay"] = 2
        delayed["synapses"] = synapses
        let a = try run(delayed, "arrival")
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(try read("arrival/weights_GA.npy").scalars[299], 0.5 + 0.01 * Float(exp(-2.1 / 20.0)), accuracy: 1e-6)
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
                           "--duration", "200.1ms", "--output", path("o"), "--plot", path("stdp.svg")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("correlated inputs (100): mean w/gmax"), r.stdout)
        let net = try NetworkExamples.stdp(inputs: 200, gmax: 0.05, potentiation: 0.05)
        try net.run(steps: 2001)
        let m = try XCTUnwrap(net.monitors.compactMap { $0 as? SpikeMonitor }.first)
        XCTAssertGreaterThan(m.count, 0)
        XCTAssertEqual(try spikeRows("o/spikes_neuron").scalars, zip(m.indices, m.steps).flatMap { [Float($0), Float(Double($1) * 0.1)] })
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
        for file in ["weights_PA.npy", "spikes_A_i.npy", "spikes_A_t.npy", "weights_PA.csv"] {
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
        try bad(["rule": "stdp", "pre_timing": "later"], "bad.json: synapses[0].plasticity.pre_timing: unknown pre_timing 'later' (known: emission, arrival)")
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
