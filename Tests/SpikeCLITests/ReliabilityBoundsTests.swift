import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// The reproducers of issue 15 (bounds and the memory budget) through the real binary: each must fail fast
/// with exactly one error line, exit status 1 (64 for usage errors) and no crash. A budget of 1 GiB (`SPIKEKIT_MEMORY_BUDGET`) makes
/// the refusals independent of the test machine; no test allocates more than a few megabytes.
final class ReliabilityBoundsTests: SpikeProcessTestCase {

    /// Runs `spike args` with `SPIKEKIT_MEMORY_BUDGET=budget` and checks a clean one-line failure containing
    /// every fragment.
    @discardableResult
    func assertOneLineError(_ args: [String], budget: String = "1G", _ fragments: String...,
                            file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env[MemoryBudget.environmentVariable] = budget
        let start = Date()
        let r = try spike(args, environment: env)
        // 1: an error of the command; 64: a usage error (argument-parser's status). Anything else is a crash.
        XCTAssertTrue([1, 64].contains(r.status), "expected a clean failure of \(args), got status \(r.status): \(r.stderr.prefix(2000))", file: file, line: line)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 1, "expected one line, stderr was: \(r.stderr.prefix(2000))", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("Error: "), "stderr was: \(r.stderr.prefix(2000))", file: file, line: line)
        for f in fragments { XCTAssertTrue(r.stderr.contains(f), "'\(f)' not in: \(r.stderr.prefix(2000))", file: file, line: line) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 20, "too slow: \(args)", file: file, line: line)
        return r.stderr
    }

    /// A network file with one group `E` of `size` neurons fed by a one-neuron spike generator through `S`.
    func network(size: Int = 2, times: String = "0", period: String? = nil, delay: String = "1", connect: String = "\"all_to_all\"",
                 extraGroups: String = "", duration: String = "1") throws -> String {
        let text = """
        {"dt": 0.1, "duration": \(duration), "groups": [{"name": "E", "model": "lif_delta", "size": \(size)}\(extraGroups)],
         "inputs": [{"name": "P", "type": "spike_generator", "size": 1, "indices": [0], "times": [\(times)]\(period.map { ", \"period\": \($0)" } ?? "")}],
         "synapses": [{"name": "S", "source": "P", "target": "E", "connect": \(connect), "weight": 1, "delay": \(delay)}],
         "monitors": [{"type": "spikes", "source": "E"}]}
        """
        let p = path("net.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    // MARK: numbers from network files and flags

    func testHugeSynapseDelaysAreErrorsNotTraps() throws {
        for d in ["1e30", "2147483648"] {
            try assertOneLineError(["simulate", try network(delay: d), "--output", path("out")], "synapses[0]", "more than the 2147483647")
        }
        // 1e8 ms is 1e9 steps: the delay ring alone would take 7.5 GiB.
        try assertOneLineError(["simulate", try network(delay: "1e8"), "--output", path("out")],
                               "synapses[0]", "delay ring of 999999986 steps", "needs an estimated 7.5 GiB", "memory budget of 1.0 GiB")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")))
    }

    func testHugeSpikeGeneratorTimesAndPeriodsAreErrors() throws {
        try assertOneLineError(["simulate", try network(times: "1e30"), "--output", path("out")], "inputs[0]", "spike 0 at 1e+30 ms")
        try assertOneLineError(["simulate", try network(period: "1e30"), "--output", path("out")], "inputs[0]", "period 1e+30 ms")
    }

    func testHugeRewardTimesAreErrors() throws {
        let text = """
        {"dt": 0.1, "duration": 1, "groups": [{"name": "E", "model": "lif_delta", "size": 2}],
         "synapses": [{"name": "S", "source": "E", "target": "E", "connect": "all_to_all", "weight": 1,
                       "plasticity": {"rule": "reward_stdp", "reward": {"times": [1, 1e30], "values": [1, 1]}}}]}
        """
        try Data(text.utf8).write(to: tmp.appendingPathComponent("r.json"))
        try assertOneLineError(["simulate", path("r.json"), "--output", path("out")], "synapses[0].plasticity.reward.times[1]", "1e+30 ms")
    }

    func testHugeDurationFlagIsAnError() throws {
        try assertOneLineError(["simulate", try network(), "--output", path("out"), "--duration", "1e308ms"], "--duration", "1e+308 ms")
        try assertOneLineError(["simulate", try network(duration: "1e308"), "--output", path("out")], "duration")
    }

    func testHugeGroupsAndConnectivityAreRefusedByTheBudget() throws {
        try assertOneLineError(["simulate", try network(size: 2147483647), "--output", path("out")],
                               "groups[0]", "group 'E' (2147483647 neurons) needs an estimated 32.0 GiB", "memory budget of 1.0 GiB")
        // All-to-all between two groups of 100000: 10^10 synapses.
        let big = try network(extraGroups: #", {"name": "F", "model": "lif_delta", "size": 100000}"#)
        var text = try String(contentsOfFile: big, encoding: .utf8)
        text = text.replacingOccurrences(of: #""size": 2}"#, with: #""size": 100000}"#)
            .replacingOccurrences(of: #""source": "P", "target": "E""#, with: #""source": "F", "target": "E""#)
        try Data(text.utf8).write(to: URL(fileURLWithPath: big))
        try assertOneLineError(["simulate", big, "--output", path("out")], "synapses[0]", "connectivity of 100000 x 100000 neurons (10000000000 synapses)")
    }

    func testRecordingsOfAVeryLongRunAreRefusedByTheBudget() throws {
        let text = """
        {"dt": 0.1, "duration": 100000000, "groups": [{"name": "E", "model": "lif_delta", "size": 100}],
         "monitors": [{"type": "state", "group": "E", "variables": ["v"]}]}
        """
        try Data(text.utf8).write(to: tmp.appendingPathComponent("long.json"))
        try assertOneLineError(["simulate", path("long.json"), "--output", path("out")], "the recordings of 999999985 steps", "memory budget of 1.0 GiB")
    }

    // MARK: sizes of spike encode and spike train

    func testEncodeHugeStepsAndPopulations() throws {
        let x = try write(Tensor(shape: [3], scalars: [0.1, 0.5, 0.9]), "x.npy")
        try assertOneLineError(["encode", "poisson", "--input", x, "--steps", "1000000000", "--output", path("o.npy")],
                               "poisson: output of 1000000000 steps x 3 values needs an estimated 11.2 GiB")
        try assertOneLineError(["encode", "poisson", "--input", x, "--steps", "4611686018427387904", "--output", path("o.npy")],
                               "steps must be at most 2147483647")
        try assertOneLineError(["encode", "poisson", "--input", x, "--steps", "1e9", "--output", path("o.npy")], "--steps", "1e9")
        try assertOneLineError(["encode", "population", "--input", x, "--steps", "10", "--set", "neurons=1000000000", "--output", path("o.npy")],
                               "population: output of 10 steps x 3 values x 1000000000 neurons")
        try assertOneLineError(["encode", "population", "--input", x, "--steps", "10", "--set", "neurons=1e9", "--output", path("o.npy")],
                               "neurons must be an integer")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o.npy")))
    }

    func testTrainHugeSizes() throws {
        try assertOneLineError(["train", "--hidden", "1000000000"], "network 100-1000000000-10", "1.6 TiB")
        try assertOneLineError(["train", "--hidden", "9223372036854775807"], "overflows")
        try assertOneLineError(["train", "--units", "1000000000"], "network 1000000000-128-10")
        try assertOneLineError(["train", "--units", "1e9"], "--units", "1e9")
        try assertOneLineError(["train", "--samples-per-class", "1000000000"], "randman data set (10 classes x 1000000000 samples x 100 units)")
        try assertOneLineError(["train", "--samples-per-class", "1e9"], "--samples-per-class", "1e9")
        // A batch's activations: 64 x 50 x (100 + 1000000 + 10) floats x 4.
        try assertOneLineError(["train", "--hidden", "1000000", "--classes", "2"], budget: "20G", "a batch of 64 samples x 50 steps")
    }

    func testExampleSettingsBenchSizesAndNeuronTracesAreBounded() throws {
        try assertOneLineError(["simulate", "--example", "cuba", "--set", "neurons=9223372036854775807", "--output", path("o")],
                               "example cuba: neurons must be at most 2147483647")
        try assertOneLineError(["simulate", "--example", "brunel", "--set", "excitatory=9223372036854775807", "--output", path("o")], "excitatory must be at most")
        try assertOneLineError(["simulate", "--example", "stdp", "--set", "inputs=9223372036854775807", "--output", path("o")], "inputs must be at most")
        try assertOneLineError(["simulate", "--example", "stdp", "--set", "inputs=2000000000", "--output", path("o")], "the network file of 2000000000 inputs")
        try assertOneLineError(["simulate", "--example", "cuba", "--set", "neurons=2000000000", "--output", path("o")], "group 'E' (1600000000 neurons)")
        try assertOneLineError(["bench", "cuba", "--neurons", "9223372036854775807"], "cuba: at most 2147483647 neurons")
        try assertOneLineError(["bench", "cuba", "--duration", "1e300s"], "more than the 2147483647 a run can have")
        try assertOneLineError(["bench", "lif-layer", "--steps", "1000000000"], "bench: 1000000000 steps x batch 16")
        try assertOneLineError(["bench", "train-step", "--hidden", "9223372036854775807"], "overflows")
        try assertOneLineError(["bench", "sweep", "--inputs", "9223372036854775807"], "overflows")
        // spike neuron: 300000 steps x 1000 neurons of a model with several states, with a 100 MiB budget.
        let x = try write(Tensor(shape: [300, 1000], scalars: [Float](repeating: 0.1, count: 300_000)), "x.npy")
        try assertOneLineError(["neuron", "lif", "--input", x, "--output", path("o")], budget: "4M", "lif: traces of 300 steps x 1000 neurons")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")))
    }

    func testFlagsAtTheirExtremes() throws {
        let x = try write(Tensor([0.1, 0.5, 0.2]), "x.npy")
        try assertOneLineError(["encode", "weighted-phase", "--input", x, "--output", path("o.npy"), "--set", "phases=9223372036854775807"],
                               "phases: steps must be at most 2147483647")
        // A batch larger than the data set is the whole data set (batchCount overflowed before).
        let r = try spike(["train", "--classes", "2", "--units", "12", "--steps", "12", "--samples-per-class", "16", "--hidden", "8",
                           "--epochs", "1", "--batch-size", "9223372036854775807"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testBadBudgetVariableIsAnError() throws {
        try assertOneLineError(["train", "--hidden", "8"], budget: "lots", "SPIKEKIT_MEMORY_BUDGET", "'lots' is not a size")
    }

    // MARK: checkpoints

    /// A checkpoint of a tiny network; returns its path.
    func tinyCheckpoint(classes: Int = 2) throws -> String {
        let spec = NetworkSpec(inputs: 12, hidden: [8], outputs: classes, neuron: "lif", neuronParameters: ["tau": "10", "decay_input": "false"])
        var rng = SeededRandom(seed: 0)
        let model = try spec.build(rng: &rng)
        let p = path("c.safetensors")
        try Checkpoint.save(model, spec: spec, dataset: RandmanConfig(classes: classes, units: 12, steps: 12, samplesPerClass: 16),
                            training: TrainingOptions(), to: URL(fileURLWithPath: p))
        return p
    }

    /// Replaces `old` by `new` (same length) in the file at `p`: a flipped byte.
    func flip(_ p: String, _ old: String, _ new: String) throws {
        precondition(old.utf8.count == new.utf8.count)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: p))
        guard let r = bytes.range(of: Data(old.utf8)) else { return XCTFail("'\(old)' not in the checkpoint") }
        var changed = bytes
        changed.replaceSubrange(r, with: Data(new.utf8))
        try changed.write(to: URL(fileURLWithPath: p))
    }

    func testEvalChecksCheckpointMetadataAndNamesTheFile() throws {
        let good = try tinyCheckpoint()
        XCTAssertEqual(try spike(["eval", "--model", good]).status, 0)
        try flip(good, #"\"trainFraction\":0.8"#, #"\"trainFraction\":6.8"#)
        try assertOneLineError(["eval", "--model", good], "c.safetensors: ", "train fraction must be in (0, 1), got 6.8")

        let classes = try tinyCheckpoint()
        try flip(classes, #"\"classes\":2,"#, #"\"classes\":9,"#)
        try assertOneLineError(["eval", "--model", classes], "c.safetensors: ", "9 classes")
        let steps = try tinyCheckpoint()
        try flip(steps, #"\"steps\":12"#, #"\"steps\":-2"#)
        try assertOneLineError(["eval", "--model", steps], "c.safetensors: ", "steps must be at least 1")
        // NaN weights.
        let nan = try tinyCheckpoint()
        var (tensors, meta) = try SafeTensors.read(from: URL(fileURLWithPath: nan))
        tensors[0].1 = Tensor(shape: tensors[0].1.shape, scalars: [Float.nan] + tensors[0].1.scalars.dropFirst())
        try SafeTensors.write(tensors, metadata: meta, to: URL(fileURLWithPath: nan))
        try assertOneLineError(["eval", "--model", nan], "c.safetensors: tensor '0.weight' holds nan at index 0")
    }

    func testEvalRefusesCheckpointsClaimingHugeSizes() throws {
        // A checkpoint whose metadata claims 10^6 classes and hidden neurons (the tensors do not matter: the
        // metadata is refused first).
        let p = try tinyCheckpoint()
        let (tensors, meta) = try SafeTensors.read(from: URL(fileURLWithPath: p))
        var m = meta
        m["spikekit.network"] = m["spikekit.network"]!.replacingOccurrences(of: #""hidden":[8]"#, with: #""hidden":[1000000]"#)
            .replacingOccurrences(of: #""outputs":2"#, with: #""outputs":1000000"#)
        m["spikekit.dataset"] = m["spikekit.dataset"]!.replacingOccurrences(of: #""classes":2"#, with: #""classes":1000000"#)
        try SafeTensors.write(tensors, metadata: m, to: URL(fileURLWithPath: p))
        try assertOneLineError(["eval", "--model", p], "c.safetensors: ", "needs an estimated", "memory budget")
    }

    func testResumeRejectsOutOfRangeStepsAndNaNValues() throws {
        let net = try network()
        let state = path("s.safetensors")
        let r = try spike(["simulate", net, "--output", path("out"), "--save-state", state])
        XCTAssertEqual(r.status, 0, r.stderr)
        let (tensors, meta) = try SafeTensors.read(from: URL(fileURLWithPath: state))
        for step in ["2147483648", "9223372036854775807", "16777216", "-1", "nan"] {
            var m = meta; m["step"] = step
            try SafeTensors.write(tensors, metadata: m, to: URL(fileURLWithPath: state))
            try assertOneLineError(["simulate", net, "--output", path("out2"), "--resume", state], "s.safetensors: ", "step '\(step)'")
        }
        var t = tensors
        let k = t.firstIndex { $0.0 == "group/E/v" }!
        t[k].1 = Tensor(shape: t[k].1.shape, scalars: [Float.nan] + t[k].1.scalars.dropFirst())
        try SafeTensors.write(t, metadata: meta, to: URL(fileURLWithPath: state))
        try assertOneLineError(["simulate", net, "--output", path("out2"), "--resume", state], "s.safetensors: ", "'group/E/v' holds nan")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out2")))
    }
}
