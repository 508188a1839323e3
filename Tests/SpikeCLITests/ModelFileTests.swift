import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// Model files (`ModelFile`): a layer list equal to `Architectures.csnn`, the `arch` shorthand, YAML, and the
/// one-line errors naming the place.
final class ModelFileTests: XCTestCase {
    static let csnnJSON = """
    {"input_shape": [2, 34, 34], "layers": [
      {"type": "conv2d", "in_channels": 2, "out_channels": 12, "kernel_size": 5},
      {"type": "maxpool2d", "kernel_size": 2},
      {"type": "lif", "tau": 2.0},
      {"type": "conv2d", "in_channels": 12, "out_channels": 32, "kernel_size": 5},
      {"type": "maxpool2d", "kernel_size": 2},
      {"type": "lif"},
      {"type": "flatten"},
      {"type": "linear", "in_features": 800, "out_features": 10},
      {"type": "lif", "v_threshold": 1.0}
    ]}
    """

    func plan(_ text: String, file: String = "m.json") throws -> ModelPlan { try ModelFile.parse(Array(text.utf8), file: file) }

    func message(_ text: String, file: String = "m.json") -> String {
        do { _ = try plan(text, file: file).build(); return "no error" } catch { return "\(error)" }
    }

    func input() -> Variable {
        var rng = SeededRandom(seed: 9)
        return Variable(.bernoulli([3, 2, 2, 34, 34], p: 0.2, rng: &rng))
    }

    func testLayerListEqualsCSNN() throws {
        let net = try plan(Self.csnnJSON).build(seed: 5)
        var rng = SeededRandom(seed: 5)
        let ref = Architectures.csnn(rng: &rng)
        XCTAssertEqual(net.stateDict.map(\.0), ref.stateDict.map(\.0))
        XCTAssertEqual(net.stateDict.map(\.1.value.scalars), ref.stateDict.map(\.1.value.scalars))
        let x = input()
        let y = net(x), yRef = ref(x)
        XCTAssertEqual(y.shape, [3, 2, 10])
        XCTAssertEqual(y.value.scalars, yRef.value.scalars)
        XCTAssertEqual(try plan(Self.csnnJSON).parameterCount, ref.parameters.map(\.value.count).reduce(0, +))
    }

    func testArchShorthandAndYAML() throws {
        let yaml = "arch: csnn\nclasses: 10\nseed: 5\n"
        let net = try plan(yaml, file: "m.yaml").build()
        var rng = SeededRandom(seed: 5)
        let ref = Architectures.csnn(rng: &rng)
        let x = input()
        XCTAssertEqual(net(x).value.scalars, ref(x).value.scalars)
        let dvs = try plan(#"{"arch": "dvsgesture", "channels": 4, "image_size": 32, "neuron": {"type": "plif", "learn": ["w"]}}"#).build()
        XCTAssertTrue(dvs.stateDict.map(\.0).contains("conv_fc.2.w"))
        var r2 = SeededRandom(seed: 1)
        XCTAssertEqual(dvs(Variable(.bernoulli([1, 2, 2, 32, 32], p: 0.3, rng: &r2))).shape, [1, 2, 11])
        let shd = try plan(#"{"arch": "shd-rnn", "hidden": 16}"#).build()
        XCTAssertEqual(shd.stateDict.map(\.0), ["0.weight", "1.recurrent.weight", "2.weight"])
    }

    func testZooNeuronsAndOtherLayers() throws {
        let text = """
        {"input_shape": [2, 8, 8], "layers": [
          {"type": "conv2d", "in_channels": 2, "out_channels": 4, "kernel_size": [3, 3], "padding": "same", "bias": false},
          {"type": "batchnorm2d", "num_features": 4}, {"type": "plif", "learn": ["w"]},
          {"type": "avgpool2d", "kernel_size": 2}, {"type": "dropout2d", "p": 0.1},
          {"type": "flatten"}, {"type": "linear", "in_features": 64, "out_features": 20},
          {"type": "leaky", "beta": 0.9}, {"type": "voting", "voting_size": 10}]}
        """
        let net = try plan(text).build()
        XCTAssertEqual(net.stateDict.map(\.0), ["0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                                "1.num_batches_tracked", "2.w", "6.weight", "6.bias"])
        var rng = SeededRandom(seed: 2)
        XCTAssertEqual(net(Variable(.bernoulli([2, 2, 2, 8, 8], p: 0.3, rng: &rng))).shape, [2, 2, 2])
    }

    func testOneLineErrorsNameThePlace() {
        // A fixed 1 GiB budget, so that the refusals below do not depend on this machine's memory.
        MemoryBudget.setOverride(1 << 30)
        defer { MemoryBudget.setOverride(nil) }
        let cases: [(String, String)] = [
            (#"{"layers": [{"type": "conv3d"}]}"#, "m.json: layers[0].type: unknown layer type 'conv3d'"),
            (#"{"layers": [{"type": "conv2d", "in_channels": 2, "out_channels": 4, "kernel_size": 0}]}"#,
             "m.json: layers[0].kernel_size: 0 out of range 1...1024"),
            (#"{"layers": [{"type": "maxpool2d", "kernel_size": 2, "strid": 1}]}"#, "m.json: layers[0].strid: unknown field"),
            (#"{"input_shape": [2, 34, 34], "layers": [{"type": "conv2d", "in_channels": 2, "out_channels": 12, "kernel_size": 5}, {"type": "conv2d", "in_channels": 6, "out_channels": 4, "kernel_size": 3}]}"#,
             "m.json: layers[1].in_channels: 6 does not match the 12 channels coming in"),
            (#"{"input_shape": [2, 8, 8], "layers": [{"type": "flatten"}, {"type": "linear", "in_features": 100, "out_features": 3}]}"#,
             "m.json: layers[1].in_features: 100 does not match the 128 features coming in"),
            (#"{"input_shape": [2, 4, 4], "layers": [{"type": "conv2d", "in_channels": 2, "out_channels": 1, "kernel_size": 5}]}"#,
             "m.json: layers[0]: the window (5) is larger than the padded input (4)"),
            (#"{"layers": [{"type": "lif", "tau": -1}]}"#, "m.json: layers[0]: lif: tau must be > 0"),
            (#"{"layers": [{"type": "linear", "in_features": 16777216, "out_features": 16777216}]}"#, "above the memory budget"),
            (#"{"arch": "vgg11", "hidden": 65536}"#, "above the memory budget"),
            (#"{"arch": "vgg11"}"#, "m.json: the model (132"),
            (#"{"arch": "resnet50"}"#, "m.json: arch: unknown architecture 'resnet50'"),
            (#"{"arch": "csnn", "channels": 3}"#, "m.json: channels: not an option of csnn"),
            (#"{"arch": "csnn", "input_shape": [2, 34, 34]}"#, "m.json: input_shape: not an option of csnn"),
            (#"{"layers": [{"type": "dropout", "p": 1.5}]}"#, "m.json: layers[0].p: must be in [0, 1)"),
            ("{\"layers\": [", "m.json: invalid JSON"),
        ]
        for (text, expected) in cases {
            let m = message(text)
            XCTAssertTrue(m.contains(expected), "\(text)\n  gave: \(m)\n  expected: \(expected)")
            XCTAssertFalse(m.contains("\n"), m)
        }
        XCTAssertTrue(message("layers:\n  - type: conv3d\n", file: "m.yaml").hasPrefix("m.yaml: layers[0].type: unknown layer type"))
    }

    /// What the FuzzModelFile target checks, on every prefix and one-byte change of the csnn file: a parse either
    /// succeeds or throws one line naming the file.
    func testMutatedFilesGiveOneLineErrors() {
        let bytes = Array(Self.csnnJSON.utf8)
        var inputs = (0..<bytes.count).map { Array(bytes[..<$0]) }
        for i in stride(from: 0, to: bytes.count, by: 3) { var b = bytes; b[i] = UInt8(ascii: "9"); inputs.append(b) }
        for input in inputs {
            for file in ["f.json", "f.yaml"] {
                do { _ = try ModelFile.parse(input, file: file) } catch {
                    let m = "\(error)"
                    XCTAssertTrue(m.hasPrefix(file + ": ") && !m.contains("\n"), m)
                }
            }
        }
    }
}
