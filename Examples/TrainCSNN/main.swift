// Trains snnTorch's tutorial-7 CSNN (Architectures.csnn) on N-MNIST-shaped frames from Swift, as
// `spike train --arch csnn` does: a resumable checkpoint and the metrics log after every epoch, then the
// checkpoint loaded into a fresh network. The data here are random [2, 34, 34] frames of 2 steps (the shape of
// N-MNIST through ToFrame); use NMNIST + TransformedEvents + ToFrame for the real recordings.
//
//     swift run -c release TrainCSNN                 # 2 epochs, 16 samples, into ./csnn.safetensors
//     swift run -c release TrainCSNN SAMPLES FOLDER
import Foundation
import SpikeKit

let arguments = Array(CommandLine.arguments.dropFirst())
let samples = arguments.first.flatMap { Int($0) } ?? 16
let folder = URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : ".")
var g = SeededRandom(seed: 4)
let frames = Tensor(shape: [samples, 2, 2, 34, 34], scalars: (0..<(samples * 2 * 2 * 34 * 34)).map { _ in g.nextUniform() < 0.1 ? 1 : 0 })
let data = try TensorDataset(inputs: frames, labels: Tensor((0..<samples).map { Float($0 % 10) }), classes: 10)
let (train, test) = (data, data)

// snippet: train
var rng = SeededRandom(seed: 0)
let csnn = Architectures.csnn(rng: &rng)                 // snnTorch tutorial 7: [T, B, 2, 34, 34] -> [T, B, 10]
var options = TrainingOptions()
options.epochs = 2; options.batchSize = 16; options.learningRate = 1e-2
options.keepFrames = true                                // frames stay [T, B, C, H, W] for the convolutions
options.schedule = .cosine(minimum: 0)                   // torch's CosineAnnealingLR(T_max = epochs)
options.evaluateEachEpoch = true
let url = folder.appendingPathComponent("csnn.safetensors")
let summary = try Trainer.fit(csnn, readout: try Readout.named("count"), train: train, test: test, options: options,
                              epochEnd: { state in       // after every epoch: a resumable checkpoint and the logs
    try TrainingCheckpoint(module: csnn, model: .custom("csnn"), training: options, state: state).write(to: url)
    try MetricsLog.write(state.history, besides: url)   // csnn.metrics.jsonl and csnn.metrics.csv
}, report: { p in if p.finished != nil { print(ProgressFormat.epochLine(p, width: 80)) } })
print("test accuracy \(summary.testAccuracy)", summary.warning ?? "")
let again = Architectures.csnn(rng: &rng)
try TrainingCheckpoint.read(from: url).load(into: again)  // PyTorch: model.load_state_dict(load_file(path))
// snippet: end
