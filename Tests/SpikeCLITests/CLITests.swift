import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// End-to-end tests of the `spike` executable: real processes, exit codes, one-line errors, no partial files.
final class CLITests: SpikeProcessTestCase {

    let tiny = ["--classes", "2", "--units", "12", "--steps", "12", "--samples-per-class", "16", "--hidden", "8",
                "--epochs", "2", "--batch-size", "8"]

    func testTrainSaveEvalRoundTrip() throws {
        let ckpt = path("net.safetensors")
        let r = try spike(["train"] + tiny + ["--save", ckpt, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
        XCTAssertEqual(summary.testSamples, 6)   // 32 samples, the last 20 % (round(25.6) = 26 train)
        XCTAssertTrue(r.stderr.contains("epoch 2/2"), "plain progress lines when stderr is not a terminal: \(r.stderr)")
        let e = try spike(["eval", "--model", ckpt, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let acc = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((acc["testAccuracy"] as! NSNumber).floatValue, summary.testAccuracy)
        // The checkpoint is a plain safetensors file with PyTorch-style names.
        let (tensors, meta) = try SafeTensors.read(from: URL(fileURLWithPath: ckpt))
        XCTAssertEqual(tensors.map(\.0), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(tensors[0].1.shape, [8, 12])
        XCTAssertNotNil(meta["spikekit.network"])
        // Beside it, the optimizer state (for --resume) and the metrics log; nothing else.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted(),
                       ["net.metrics.csv", "net.metrics.jsonl", "net.optimizer.safetensors", "net.safetensors"])
    }

    func testTrainingWithEveryEncoderAndSeveralReadouts() throws {
        for (encoder, readout) in [("rate", "count"), ("latency", "max-membrane"), ("spike-times", "first-spike"),
                                   ("spike-times", "time-softmax"), ("rate", "mse-count")] {
            let ckpt = path("\(encoder)-\(readout).safetensors")
            let r = try spike(["train"] + tiny + ["--encoder", encoder, "--readout", readout, "--json", "--save", ckpt])
            XCTAssertEqual(r.status, 0, "\(encoder) \(readout): \(r.stderr)")
            let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
            XCTAssertTrue(summary.finalLoss.isFinite)
            // eval re-encodes the test split the same way and reads the same readout from the checkpoint.
            let e = try spike(["eval", "--model", ckpt, "--json"])
            XCTAssertEqual(e.status, 0, e.stderr)
            let acc = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
            XCTAssertEqual((acc["testAccuracy"] as! NSNumber).floatValue, summary.testAccuracy, "\(encoder) \(readout)")
        }
        try assertFails(["train", "--readout", "vibes"], "vibes")
        try assertFails(["train", "--encoder", "morse"], "unknown encoder 'morse'")
        try assertFails(["train", "--readout", "mse-count", "--readout-set", "correct_rate=7"], "correct_rate")
    }

    func testBenchCommandsRunOnSmallShapes() throws {
        let r = try spike(["bench", "lif-layer", "--steps", "6", "--batch", "2", "--inputs", "16", "--outputs", "8", "--rate", "0.3",
                           "--repeats", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertGreaterThan((o["forwardBackwardSeconds"] as! NSNumber).doubleValue, 0)
        // The reported spike count is the layer's: recompute it through the library.
        var rng = SeededRandom(seed: 0)
        let x = Tensor.bernoulli([6, 2, 16], p: 0.3, rng: &rng)
        let lin = Linear(16, 8, bias: false, rng: &rng)
        lin.weight.value = Tensor.uniform([8, 16], low: -1, high: 1, rng: &rng)
        let out = SpikingLayer(LIF(tau: 10, decayInput: false, threshold: 1, reset: .hard(0), surrogate: .atan))(lin(Variable(x)))
        XCTAssertEqual((o["outputSpikes"] as! NSNumber).intValue, Int(out.value.sum()))
        let t = try spike(["bench", "train-step", "--steps", "4", "--batch", "3", "--inputs", "10", "--hidden", "6", "--classes", "3",
                           "--repeats", "1", "--json"])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(t.stdout.utf8)) as! [String: Any])["rates"].map { ($0 as! [Any]).count }, 3)
        try assertFails(["bench", "lif-layer", "--rate", "2"], "rate must be in [0, 1]")
    }

    func testBenchTakesAnyZooNeuron() throws {
        // The same keys as the LIF run, and the spike count of the named model with its --set parameters and --gain.
        let r = try spike(["bench", "lif-layer", "--steps", "6", "--batch", "2", "--inputs", "16", "--outputs", "8", "--rate", "0.3",
                           "--repeats", "1", "--neuron", "synaptic", "--set", "alpha=0.8", "--set", "beta=0.7", "--gain", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        var rng = SeededRandom(seed: 0)
        let x = Tensor.bernoulli([6, 2, 16], p: 0.3, rng: &rng)
        let lin = Linear(16, 8, bias: false, rng: &rng)
        lin.weight.value = Tensor.uniform([8, 16], low: -1, high: 1, rng: &rng) * 2
        let out = SpikingLayer(SnnTorchSynaptic(alpha: 0.8, beta: 0.7))(lin(Variable(x)))
        XCTAssertGreaterThan(out.value.sum(), 0)
        XCTAssertEqual((o["outputSpikes"] as! NSNumber).intValue, Int(out.value.sum()))
        let t = try spike(["bench", "train-step", "--steps", "4", "--batch", "3", "--inputs", "10", "--hidden", "6", "--classes", "3",
                           "--repeats", "1", "--neuron", "plif", "--json"])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertNotNil((try JSONSerialization.jsonObject(with: Data(t.stdout.utf8)) as! [String: Any])["seconds"])
        try assertFails(["bench", "lif-layer", "--neuron", "nosuch"], "unknown neuron model 'nosuch'")
        try assertFails(["bench", "lif-layer", "--neuron", "li"], "does not spike")
        try assertFails(["bench", "lif-layer", "--set", "beta=0.5"], "--set needs --neuron")
        try assertFails(["bench", "lif-layer", "--neuron", "leaky", "--set", "beta=2"], "beta")
        try assertFails(["bench", "train-step", "--neuron", "leaky", "--set", "nonsense=1"], "nonsense")
    }

    func testSameSeedSameResultWithOneOrTwoThreads() throws {
        var outputs: [String] = []
        for threads in ["1", "2"] {
            let r = try spike(["train"] + tiny + ["--save", path("t\(threads).safetensors")], environment: ["SPIKEKIT_THREADS": threads])
            XCTAssertEqual(r.status, 0, r.stderr)
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: path("t\(threads).safetensors"))).base64EncodedString())
        }
        XCTAssertEqual(outputs[0], outputs[1])
    }

    func testNeuronCommandReproducesTheSpikingJellyTrace() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/spikingjelly_lif_1", withExtension: nil))
        let out = path("out")
        let r = try spike(["neuron", "lif", "--input", dir.appendingPathComponent("input.npy").path,
                           "--set", "tau=5", "--set", "decay_input=false", "--set", "v_threshold=1", "--set", "reset=soft",
                           "--set", "surrogate=atan", "--set", "alpha=2",
                           "--grad-weights", dir.appendingPathComponent("weights.npy").path, "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["spikes", "v", "grad_input"] {
            let got = try NPY.read(from: URL(fileURLWithPath: out).appendingPathComponent("\(name).npy"))
            let want = try NPY.read(from: dir.appendingPathComponent("\(name).npy"))
            XCTAssertEqual(got.shape, want.shape)
            for (a, b) in zip(got.scalars, want.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5 * abs(b) + 1e-6, name) }
        }
    }

    func testNeuronOneDimensionalInputAndList() throws {
        let input = try write(Tensor([0.6, 0.6, 0.6, 0]), "x.npy")
        let r = try spike(["neuron", "if", "--input", input, "--output", path("o")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("o/spikes.npy"))).scalars, [0, 1, 0, 0])   // 0.6, 1.2 fires -> 0, 0.6, 0.6
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("o/v.npy"))).shape, [4, 1])
        let l = try spike(["neuron", "--list"])
        XCTAssertEqual(l.status, 0)
        for s in ["lif:", "if:", "li_discrete:", "tau = 2.0 [steps]", "v_threshold", "decay_input", "surrogate"] { XCTAssertTrue(l.stdout.contains(s), s) }
    }

    func testNeuronBadInputs() throws {
        let good = try write(Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]), "x.npy")
        try assertFails(["neuron", "hodgkin", "--input", good, "--output", path("o")], "unknown neuron model 'hodgkin'")
        try assertFails(["neuron", "lif", "--input", good, "--set", "tau=0", "--output", path("o")], "tau must be > 0")
        try assertFails(["neuron", "lif", "--input", good, "--set", "tau=-3", "--output", path("o")], "tau must be > 0")
        try assertFails(["neuron", "lif", "--input", good, "--set", "wibble=1", "--output", path("o")], "unknown parameter 'wibble'")
        try assertFails(["neuron", "lif", "--input", good, "--set", "tau", "--output", path("o")], "NAME=VALUE")
        try assertFails(["neuron", "lif", "--input", path("missing.npy"), "--output", path("o")], "missing.npy")
        let bad = path("bad.npy")
        try Data("\u{93}NUMPY garbage".utf8).write(to: URL(fileURLWithPath: bad))
        try assertFails(["neuron", "lif", "--input", bad, "--output", path("o")], "bad.npy")
        let full = NPY.encode(Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))
        try full.prefix(full.count - 5).write(to: URL(fileURLWithPath: path("trunc.npy")))
        try assertFails(["neuron", "lif", "--input", path("trunc.npy"), "--output", path("o")], "truncated")
        let cube = try write(Tensor.zeros([2, 2, 2]), "cube.npy")
        try assertFails(["neuron", "lif", "--input", cube, "--output", path("o")], "[T] or [T, N]")
        let r = try write(Tensor.zeros([4, 2]), "r.npy")
        try assertFails(["neuron", "lif", "--input", good, "--grad-weights", r, "--output", path("o")], "does not match")
        try assertFails(["neuron", "lif", "--input", good, "--dt", "0.001", "--output", path("o")], "no --dt")
        // None of the failures wrote anything.
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")))
    }

    func testTrainAndEvalBadInputs() throws {
        try assertFails(["train", "--epochs", "0"], "epochs must be at least 1")
        try assertFails(["train", "--samples-per-class", "0"], "samplesPerClass")
        try assertFails(["train", "--classes", "1"], "classes must be at least 2")
        try assertFails(["train", "--optimizer", "rmsprop"], "unknown optimizer 'rmsprop'")
        try assertFails(["train", "--hidden", "12,x"], "--hidden")
        try assertFails(["train", "--surrogate", "banana"], "unknown surrogate 'banana'")
        try assertFails(["train", "--dataset", "imagenet"], "unknown dataset 'imagenet'")
        try assertFails(["train", "--lr=-1"], "learning rate")
        try assertFails(["train"] + tiny + ["--save", path("nodir/x.safetensors")], "does not exist")
        try assertFails(["eval", "--model", path("none.safetensors")], "none.safetensors")
        // A truncated checkpoint.
        let ckpt = path("net.safetensors")
        XCTAssertEqual(try spike(["train"] + tiny + ["--save", ckpt]).status, 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: ckpt))
        try data.prefix(data.count - 10).write(to: URL(fileURLWithPath: path("cut.safetensors")))
        try assertFails(["eval", "--model", path("cut.safetensors")], "cut.safetensors")
        // A valid safetensors file that is not a SpikeKit checkpoint.
        try SafeTensors.write([("w", Tensor([1]))], metadata: [:], to: URL(fileURLWithPath: path("plain.safetensors")))
        try assertFails(["eval", "--model", path("plain.safetensors")], "not a SpikeKit checkpoint")
    }
}
