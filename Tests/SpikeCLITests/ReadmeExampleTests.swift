import XCTest
import Foundation
import SpikeKit

/// The README's Swift examples, verbatim between the marks, so that a change of API that breaks them fails here.
/// Keep them in step with README.md ("From Swift").
final class ReadmeExampleTests: XCTestCase {
    /// The training example runs: one step of the default task's network, then inference.
    func testTrainingExampleRuns() throws {
        // README begin
        var rng = SeededRandom(seed: 0)
        let net = Sequential {
            Linear(100, 128, rng: &rng)
            SpikingLayer(LIF(tau: 10, decayInput: false, surrogate: .atan))
            Linear(128, 10, rng: &rng)
            SpikingLayer(LI(tau: 10))
        }
        let dataset = try SpikeDataset.randman(RandmanConfig())  // the default task: 10 classes, 100 units, 50 steps
        let opt = Adam(net.parameters, learningRate: 2e-3)
        let (x, labels) = dataset.batch(indices: Array(0..<64))   // x: [T, B, 100] spikes
        let loss = Loss.maxMembraneCrossEntropy(net(Variable(x)), labels: labels)
        opt.zeroGrad(); loss.backward(); opt.step()
        let scores = Tape.withoutGradients { net(Variable(x)) }   // inference: no tape, no stored history
        // README end
        XCTAssertEqual(x.shape, [50, 64, 100])
        XCTAssertEqual(scores.value.shape, [50, 64, 10])
        XCTAssertTrue(loss.value.scalar.isFinite)
    }

    /// The conv training example runs on 16 random [2, 34, 34] frame samples of 2 steps (N-MNIST's shape).
    func testConvTrainingExampleRuns() throws {
        var g = SeededRandom(seed: 4)
        let x = Tensor(shape: [16, 2, 2, 34, 34], scalars: (0..<(16 * 2 * 2 * 34 * 34)).map { _ in g.nextUniform() < 0.1 ? 1 : 0 })
        let data = try TensorDataset(inputs: x, labels: Tensor((0..<16).map { Float($0 % 10) }), classes: 10)
        try convExample(train: data, test: data)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csnn.safetensors")
        XCTAssertEqual(try TrainingCheckpoint.read(from: url).epoch, 2)
        for u in [url, TrainingCheckpoint.optimizerURL(for: url), MetricsLog.urls(for: url).jsonl, MetricsLog.urls(for: url).csv] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: u.path), u.path)
            try? FileManager.default.removeItem(at: u)
        }
    }

    func convExample(train: any Dataset, test: any Dataset) throws {
        // README begin
        var rng = SeededRandom(seed: 0)
        let csnn = Architectures.csnn(rng: &rng)                 // snnTorch tutorial 7: [T, B, 2, 34, 34] -> [T, B, 10]
        var options = TrainingOptions()
        options.epochs = 2; options.batchSize = 16; options.learningRate = 1e-2
        options.keepFrames = true                                // frames stay [T, B, C, H, W] for the convolutions
        options.schedule = .cosine(minimum: 0)                   // torch's CosineAnnealingLR(T_max = epochs)
        options.evaluateEachEpoch = true
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csnn.safetensors")
        let summary = try Trainer.fit(csnn, readout: try Readout.named("count"), train: train, test: test, options: options,
                                      epochEnd: { state in       // after every epoch: a resumable checkpoint and the logs
            try TrainingCheckpoint(module: csnn, model: .custom("csnn"), training: options, state: state).write(to: url)
            try MetricsLog.write(state.history, besides: url)   // csnn.metrics.jsonl and csnn.metrics.csv
        }, report: { p in if let r = p.finished { print(ProgressFormat.epochLine(p, width: 80), r.testAccuracy ?? 0) } })
        print(summary.testAccuracy, summary.warning ?? "")
        let again = Architectures.csnn(rng: &rng)
        try TrainingCheckpoint.read(from: url).load(into: again)  // PyTorch: model.load_state_dict(load_file(path))
        // README end
    }

    /// The simulation example compiles (it simulates 4000 neurons for 1 s: too long for a debug test run, so it is
    /// only compiled; SimulatorTests and ExampleNetworkTests run the same network).
    func simulationExample() throws {
        // README begin
        let net = try Network(dt: 0.1, seed: 1)                                   // ms
        let exc = try net.addGroup("E", size: 3200, model: "va_cuba")             // any zoo model
        let inh = try net.addGroup("I", size: 800, model: "va_cuba")
        try net.connect("EE", from: exc, to: exc, variable: "ge", rule: .random(p: 0.02), weight: .constant(1.62))
        try net.connect("IE", from: inh, to: exc, variable: "gi", rule: .random(p: 0.02), weight: .constant(-9),
                        delay: .uniform(low: 0.5, high: 2))                     // ms, ring-buffered
        let spikes = try net.add(SpikeMonitor(name: "spikes", source: exc))
        try net.run(duration: 1000)
        try net.save(to: URL(fileURLWithPath: "state.safetensors"))              // resume later bit for bit
        // README end
        _ = spikes
    }

    /// The README's Swift code between its fences equals the code between the marks above (whitespace aside).
    func testReadmeCodeIsTheCodeCompiledHere() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: here, encoding: .utf8)
        func norm(_ s: Substring) -> [String] {
            s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("import ") && $0 != "```swift" && $0 != "```" }
        }
        let blocks = readme.components(separatedBy: "```swift").dropFirst().map { norm($0.components(separatedBy: "```")[0][...]) }
        var marked: [[String]] = []
        var rest = source[...]
        while let b = rest.range(of: "// README " + "begin"), let e = rest.range(of: "// README " + "end", range: b.upperBound..<rest.endIndex) {
            marked.append(norm(rest[b.upperBound..<e.lowerBound]))
            rest = rest[e.upperBound...]
        }
        XCTAssertEqual(blocks.count, marked.count, "README Swift blocks vs marked examples")
        for (a, b) in zip(blocks, marked) { XCTAssertEqual(a, b) }
    }
}
