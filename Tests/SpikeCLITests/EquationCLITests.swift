import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// `spike neuron --equations FILE`: YAML and JSON model files, outputs as for zoo models, one-line errors.
final class EquationCLITests: SpikeProcessTestCase {
    let yaml = """
        # A LIF neuron in Brian2's notation (values in SI units; the input in nA)
        equations:
          - dv/dt = (El - v + R*I)/tau : volt (unless refractory)
          - "I : amp"
        threshold: v > -50*mV
        reset: v = -65*mV
        refractory: 2*ms
        method: exact
        parameters:
          El: -65*mV
          tau: 10*ms
          R: 100*Mohm
        input: I
        input_unit: nA
        initial:
          v: -65*mV
        surrogate:
          kind: atan
          scale: 1*mV

        """

    func testYAMLModelRunsLikeTheLibrary() throws {
        let file = path("lif.yaml")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: file))
        var rng = SeededRandom(seed: 1)
        let x = Tensor.uniform([200, 3], low: 0, high: 0.4, rng: &rng)   // nA
        let input = try write(x, "x.npy")
        let r = try write(Tensor.uniform([200, 3], low: -1, high: 1, rng: &rng), "r.npy")
        let run = try spike(["neuron", "--equations", file, "--input", input, "--grad-weights", r, "--output", path("o"), "--set", "tau=12*ms"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: path("o")).sorted()
        XCTAssertEqual(names, ["grad_input.npy", "spikes.npy", "summary.json", "v.npy"])   // I is the input, not a state
        // The same model through the library.
        let doc = try YAMLSubset.parse(document: Array(yaml.utf8))
        var f = try EquationModelFile(doc, file: "lif.yaml")
        f.description.parameters["tau"] = "12*ms"
        let m = try EquationModel(f.description)
        let fwd = NeuronKernel.forward(m, input: x.scalars.map { $0 * 1e-9 }, steps: 200, elements: 3)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("o/spikes.npy"))).scalars, fwd.output)
        XCTAssertGreaterThan(fwd.output.reduce(0, +), 0)
        let v = try NPY.read(from: URL(fileURLWithPath: path("o/v.npy")))
        XCTAssertEqual(v.shape, [200, 3])
        XCTAssertEqual(v.scalars[3 * 10 + 1], fwd.states[(10 * 8) * 3 + 1])
    }

    func testJSONModelAndErrors() throws {
        let json = #"{"equations": "dv/dt = -v/tau : 1", "parameters": {"tau": "10*ms"}, "input": "v", "threshold": "v > 1", "reset": "v = 0"}"#
        let file = path("m.json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: file))
        let input = try write(Tensor(shape: [4, 1], scalars: [0.6, 0.6, 0, 0]), "x.npy")
        let ok = try spike(["neuron", "--equations", file, "--input", input, "--output", path("ok")])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("ok/spikes.npy"))).scalars, [0, 1, 0, 0])
        func bad(_ text: String, _ message: String) throws {
            let f = path("bad.json")
            try Data(text.utf8).write(to: URL(fileURLWithPath: f))
            try assertFails(["neuron", "--equations", f, "--input", input, "--output", path("o")], message)
        }
        try bad(#"{"equations": "dv/dt = -v/tauu : 1", "parameters": {"tau": "10*ms"}}"#, "undefined name 'tauu'")
        try bad(#"{"equations": "dv/dt = -v/tau : volt", "parameters": {"tau": "10*mV"}}"#, "inconsistent unit")
        try bad(#"{"equations": "dv/dt = -v/tau : 1", "parameters": {"tau": "10*ms"}, "wibble": 1}"#, "unknown key 'wibble'")
        try bad(#"{"equations": "dv/dt = -v/tau : 1", "parameters": {"tau": "10*ms"}, "method": "magic"}"#, "unknown 'magic'")
        try bad(#"{"equations": "dv/dt = -v/tau : 1", "parameters": {"tau": "10*ms"}, "threshold": "v >"}"#, "threshold, column")
        try bad(#"{"equations": "dv/dt = -v/tau : 1""#, "invalid JSON")
        try assertFails(["neuron", "lif", "--equations", file, "--input", input, "--output", path("o")], "not both")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")))
    }
}
