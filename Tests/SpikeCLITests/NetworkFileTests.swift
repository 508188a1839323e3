import XCTest
import Foundation
import SpikeKit
@testable import SpikeNetworkFile
@testable import SpikeCLI

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

    /// A group of an equation model (the CUBA neuron as Brian2's equations, in mV) runs like the built-in va_cuba.
    func testEquationModelGroup() throws {
        func net(_ model: String) throws -> Network {
            let d = try parse("""
            {"dt": 0.1, "duration": 20, "seed": 3,
             "groups": [{"name": "A", "model": \(model), "size": 16, "initial": {"v": [\((0..<16).map { "\(-60 + Double($0) * 0.7)" }.joined(separator: ", "))]}}],
             "synapses": [{"name": "AA", "source": "A", "target": "A", "variable": "ge", "connect": {"rule": "all_to_all"}, "weight": 1.62}]}
            """)
            return try NetworkBuilder.build(d)
        }
        let eqModel = #"{"equations": ["dv/dt  = (ge+gi-(v-El))/taum : 1 (unless refractory)", "dge/dt = -ge/taue : 1", "dgi/dt = -gi/taui : 1"], "#
            + #""threshold": "v > Vt", "reset": "v = Vr", "refractory": "5*ms", "method": "exact", "#
            + #""parameters": {"taum": "20*ms", "taue": "5*ms", "taui": "10*ms", "Vt": "-50", "Vr": "-60", "El": "-49"}}"#
        let a = try net(eqModel), b = try net(#""va_cuba""#)
        var spikesA = 0, spikesB = 0
        for _ in 0..<200 {
            a.advance(); b.advance()
            spikesA += a.groups[0].spikes.count; spikesB += b.groups[0].spikes.count
            XCTAssertEqual(a.groups[0].spikes, b.groups[0].spikes)
        }
        XCTAssertGreaterThan(spikesA, 0)
        XCTAssertEqual(spikesA, spikesB)
        XCTAssertThrowsError(try net(#"{"equations": "dv/dt = -v/tauu : 1"}"#)) { XCTAssertTrue("\($0)".contains("undefined name 'tauu'"), "\($0)") }
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
