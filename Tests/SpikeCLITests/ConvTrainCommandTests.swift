import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// `spike train --arch/--model-file/--resume/--init-weights`, `spike eval` on other data and
/// `spike data generate-nmnist`, through the real binary, on small synthetic N-MNIST folders.
final class ConvTrainCommandTests: SpikeProcessTestCase {
    /// Synthetic N-MNIST (`spike data generate-nmnist`): 4 train and 2 test recordings per digit, 800 events each.
    func generate(_ name: String, seed: Int = 1) throws -> String {
        let r = try spike(["data", "generate-nmnist", "--output", path(name), "--train", "4", "--test", "2", "--events", "800",
                           "--seed", String(seed)])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("wrote 40 train and 20 test recordings (800 events over 300000 µs each, 20 % noise)"), r.stdout)
        return path(name)
    }

    func csnn(_ data: String) -> [String] {
        ["train", "--dataset", "nmnist", "--data", data, "--frames", "3", "--arch", "csnn", "--batch-size", "8", "--lr", "0.01"]
    }

    func tensors(_ file: String) throws -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: URL(fileURLWithPath: file)).tensors.map { ($0.0, $0.1.scalars) })
    }

    func testCsnnTrainsWithLogsAndEvaluatesOnOtherData() throws {
        let data = try generate("nm")
        let ckpt = path("c.safetensors")
        let r = try spike(csnn(data) + ["--epochs", "2", "--schedule", "one-cycle", "--test-each-epoch", "--no-decay", "bias",
                                        "--weight-decay", "0.01", "--save", ckpt, "--json"], environment: ["COLUMNS": "60"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("architecture {\"arch\": \"csnn\", \"in_channels\": 2, \"classes\": 10} (18254 parameters) + count"), r.stderr)
        XCTAssertTrue(r.stderr.contains("per batch"), r.stderr)
        // The progress lines fit COLUMNS (the summary line of the data set is not progress).
        let progress = r.stderr.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        XCTAssertEqual(progress.count, 2, r.stderr)
        for line in progress { XCTAssertLessThanOrEqual(line.count, 60, String(line)); XCTAssertTrue(line.contains("test "), String(line)) }
        // The checkpoint is a PyTorch state dict of snnTorch tutorial 7's keys; the logs have one record per epoch.
        XCTAssertEqual(Set(try tensors(ckpt).keys), ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("c.optimizer.safetensors")))
        let jsonl = try String(contentsOfFile: path("c.metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(jsonl.count, 2)
        let records = try jsonl.map { try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) }
        XCTAssertEqual(records.map(\.epoch), [1, 2])
        XCTAssertNotNil(records[1].testAccuracy)
        let csv = try String(contentsOfFile: path("c.metrics.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first.map(String.init), EpochRecord.csvHeader)
        XCTAssertEqual(csv.count, 3)
        let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
        XCTAssertEqual(summary.testAccuracy, records[1].testAccuracy)
        // eval: the checkpoint's own test split, then another folder of the same format.
        let e = try spike(["eval", "--model", ckpt, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let own = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((own["testAccuracy"] as! NSNumber).floatValue, summary.testAccuracy)
        let other = try generate("other", seed: 2)
        let o = try spike(["eval", "--model", ckpt, "--dataset", "nmnist", "--data", other])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stdout.contains("on 20 samples (nmnist)"), o.stdout)
        try assertFails(["eval", "--model", ckpt, "--dataset", "nmnist", "--data", other, "--downsample", "0.5"], "takes frames [C, 34, 34]")
    }

    /// Two epochs, then a third resumed from the checkpoint, give the bits of three epochs in one run.
    func testResumeGivesTheBitsOfAnUninterruptedRun() throws {
        let data = try generate("nm")
        let common = csnn(data) + ["--schedule", "step", "--step-size", "1", "--gamma", "0.5", "--test-each-epoch"]
        XCTAssertEqual(try spike(common + ["--epochs", "3", "--save", path("whole.safetensors")]).status, 0)
        XCTAssertEqual(try spike(common + ["--epochs", "2", "--save", path("part.safetensors")]).status, 0)
        let r = try spike(["train", "--resume", path("part.safetensors"), "--epochs", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("resuming") && r.stderr.contains("after epoch 2 of 3"), r.stderr)
        XCTAssertEqual(try tensors(path("whole.safetensors")), try tensors(path("part.safetensors")))
        let read = { (f: String) in try String(contentsOfFile: self.path(f), encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) } }
        let (a, b) = (try read("whole.metrics.jsonl"), try read("part.metrics.jsonl"))
        XCTAssertEqual(a.map(\.trainLoss), b.map(\.trainLoss))
        XCTAssertEqual(a.map(\.testAccuracy), b.map(\.testAccuracy))
        XCTAssertEqual(b.map(\.epoch), [1, 2, 3])
        XCTAssertTrue(b.allSatisfy { $0.seconds != nil }, "the resumed log keeps the first run's timings")
        // The checkpoints themselves hold no timings: the same run writes the same bytes.
        XCTAssertEqual(try SafeTensors.read(from: URL(fileURLWithPath: path("whole.safetensors"))).metadata["spikekit.history"],
                       try SafeTensors.read(from: URL(fileURLWithPath: path("part.safetensors"))).metadata["spikekit.history"])
        // Nothing left to do, a final dense checkpoint, or a missing optimizer file: one-line errors.
        try assertFails(["train", "--resume", path("part.safetensors")], "3 of 3 epochs are done")
        try FileManager.default.removeItem(atPath: path("part.optimizer.safetensors"))
        try assertFails(["train", "--resume", path("part.safetensors"), "--epochs", "4"], "part.optimizer.safetensors beside it, which does not exist")
        // The dense path's --save is resumable too (written all or nothing at the end, with its optimizer file and log).
        let dense = ["train", "--classes", "3", "--units", "12", "--steps", "12", "--samples-per-class", "12", "--hidden", "8",
                     "--batch-size", "8", "--optimizer", "adamw", "--weight-decay", "0.01"]
        XCTAssertEqual(try spike(dense + ["--epochs", "3", "--save", path("d3.safetensors")]).status, 0)
        XCTAssertEqual(try spike(dense + ["--epochs", "1", "--save", path("d1.safetensors")]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: path("d1.metrics.csv"), encoding: .utf8).split(separator: "\n").count, 2)
        let d = try spike(["train", "--resume", path("d1.safetensors"), "--epochs", "3"])
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertEqual(try tensors(path("d3.safetensors")), try tensors(path("d1.safetensors")))
        XCTAssertEqual(try read("d3.metrics.jsonl").map(\.trainLoss), try read("d1.metrics.jsonl").map(\.trainLoss))
        // A checkpoint without a run state (written by a program after training) has nothing to resume.
        var rng = SeededRandom(seed: 0)
        let spec = NetworkSpec(inputs: 12, hidden: [8], outputs: 3)
        var randman = DataSpec(name: "randman")
        randman.randman = RandmanConfig(classes: 3, units: 12, steps: 12, samplesPerClass: 12)
        try Checkpoint.save(try spec.build(rng: &rng), spec: spec, data: randman, training: TrainingOptions(), to: URL(fileURLWithPath: path("plain.safetensors")))
        try assertFails(["train", "--resume", path("plain.safetensors"), "--epochs", "2"], "nothing to resume")
    }

    func testInitWeightsFromAPyTorchStateDictReportsWhatMatched() throws {
        let data = try generate("nm")
        let fixture = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/torch_csnn_init", withExtension: "safetensors"))
        let r = try spike(csnn(data) + ["--epochs", "1", "--init-weights", fixture.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("4 matched, 1 missing, 1 unexpected, 1 shape-mismatched"), r.stderr)
        XCTAssertTrue(r.stderr.contains("missing:    3.bias"), r.stderr)
        XCTAssertTrue(r.stderr.contains("unexpected: classifier.weight"), r.stderr)
        XCTAssertTrue(r.stderr.contains("shape:      7.bias: model [10], file [11]"), r.stderr)
        try FileManager.default.createDirectory(atPath: path("empty"), withIntermediateDirectories: true)
        try SafeTensors.write([("x", Tensor.zeros([1]))], metadata: [:], to: URL(fileURLWithPath: path("none.safetensors")))
        try assertFails(csnn(data) + ["--epochs", "1", "--init-weights", path("none.safetensors")], "no tensor matches")
    }

    /// A YAML layer list with BatchNorm trains, and its checkpoint (model file text, BatchNorm running statistics
    /// and num_batches_tracked in PyTorch's state-dict order) evaluates to the same accuracy.
    func testYAMLModelFileTrainsAndEvaluates() throws {
        let data = try generate("nm")
        let file = path("net.yaml")
        try Data("""
            input_shape: [2, 34, 34]
            seed: 3
            layers:
              - type: conv2d
                in_channels: 2
                out_channels: 4
                kernel_size: 5
                stride: 2
              - type: batchnorm2d
                num_features: 4
              - type: lif
              - type: maxpool2d
                kernel_size: 3
              - type: flatten
              - type: linear
                in_features: 100
                out_features: 10
              - type: lif

            """.utf8).write(to: URL(fileURLWithPath: file))
        let ckpt = path("y.safetensors")
        let r = try spike(["train", "--dataset", "nmnist", "--data", data, "--frames", "3", "--model-file", file, "--epochs", "2",
                           "--batch-size", "8", "--lr", "0.01", "--save", ckpt, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("model file net.yaml (1222 parameters) + count"), r.stderr)
        let (tensors, meta) = try SafeTensors.read(from: URL(fileURLWithPath: ckpt))
        XCTAssertEqual(tensors.map(\.0), ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                          "1.num_batches_tracked", "5.weight", "5.bias"])
        XCTAssertEqual(tensors.first { $0.0 == "1.num_batches_tracked" }?.1.scalar, 10, "5 batches x 2 epochs")
        XCTAssertEqual(meta["spikekit.model_name"], "net.yaml")
        XCTAssertTrue(meta["spikekit.model"]?.contains("kernel_size: 5") ?? false)
        let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
        let e = try spike(["eval", "--model", ckpt, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let own = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((own["testAccuracy"] as! NSNumber).floatValue, summary.testAccuracy)
    }

    /// The dense path takes the schedules and per-epoch evaluation too, and warns when a run ends at chance
    /// level with the likely cause (hh's units: its neurons never fire on 0/1 inputs).
    func testDenseRunsEvaluateEachEpochAndWarnAtChance() throws {
        let tiny = ["train", "--classes", "4", "--units", "12", "--steps", "12", "--samples-per-class", "16", "--hidden", "8",
                    "--epochs", "2", "--batch-size", "8"]
        let r = try spike(tiny + ["--schedule", "step", "--step-size", "1", "--test-each-epoch"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("epoch ") && $0.contains(" test ") }.count, 2, r.stderr)
        let hh = try spike(tiny + ["--neuron", "hh"])
        XCTAssertEqual(hh.status, 0, hh.stderr)
        XCTAssertTrue(hh.stderr.contains("warning: test accuracy") && hh.stderr.contains("is at chance level (0.250 for 4 classes)"), hh.stderr)
        XCTAssertTrue(hh.stderr.contains("the training loss did not fall") && hh.stderr.contains("physical units"), hh.stderr)
    }

    func testBadArchitectureOptionsAreOneLineErrors() throws {
        let data = try generate("nm")
        try assertFails(csnn(data) + ["--downsample", "0.5"], "--arch csnn takes frames [C, 34, 34]")
        try assertFails(["train", "--dataset", "nmnist", "--data", data, "--arch", "resnet"], "unknown architecture 'resnet'")
        try assertFails(csnn(data) + ["--schedule", "linear"], "unknown learning-rate schedule 'linear'")
        try assertFails(csnn(data) + ["--channels", "8"], "--channels applies to --arch dvsgesture")
        try assertFails(["train", "--dataset", "nmnist", "--data", data, "--arch", "dvsgesture"], "multiple of 32")
        try assertFails(["train", "--no-decay", " ", "--epochs", "1"], "no-decay: empty parameter selector")
        try assertFails(["data", "generate-nmnist", "--output", data], "not an empty folder")
        // A model file whose output does not fit the classes.
        let file = path("m.json")
        try Data(#"{"input_shape": [2, 34, 34], "layers": [{"type": "flatten"}, {"type": "linear", "in_features": 2312, "out_features": 4}, {"type": "lif"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: file))
        try assertFails(["train", "--dataset", "nmnist", "--data", data, "--frames", "2", "--model-file", file], "10 classes")
    }
}
