import XCTest
import Foundation
import SpikeCore
import SpikeNN
import SpikeNeurons
import SpikeCoding
import SpikeData
import SpikeIO
@testable import SpikeTraining

/// Learning rates computed by torch (torch_schedule_values.py beside this file): StepLR(step_size 3, gamma 0.5),
/// CosineAnnealingLR(T_max 7, eta_min 1e-4), CosineAnnealingLR(T_max 4) past T_max, OneCycleLR(max_lr 0.01,
/// 3 epochs x 5 steps, cycle_momentum False), base rate 0.01, one value per scheduler step.
enum TorchSchedules {
    static let stepLR: [Double] = [0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025, 0.0025, 0.0025, 0.00125]
    static let cosine: [Double] = [0.01, 0.009509795896116974, 0.00813627451920073, 0.006151478623083756, 0.003948521376916244, 0.0019637254807992693, 0.0005902041038830258]
    static let cosineLong: [Double] = [0.01, 0.008535533905932738, 0.005, 0.0014644660940672626, 0.0, 0.0014644660940672622, 0.005000000000000001, 0.008535533905932742, 0.010000000000000005, 0.008535533905932743, 0.0050000000000000044, 0.0014644660940672676, 0.0]
    static let oneCycle: [Double] = [0.0003999999999999993, 0.0022072489510780785, 0.006268100482990309, 0.009524650565931611, 0.009944154354509118, 0.009504846320134737, 0.008665264698111694, 0.00750001, 0.0061126202193628925, 0.00462637102666975, 0.0031733221849885125, 0.00188258346050237, 0.000868842653195513, 0.0002221750825254118, 4e-08]
}

/// A small conv network with BatchNorm (buffers) for [T, B, 2, 6, 6] frames and two classes.
func smallConvNet(seed: UInt64, dropout: Bool = false) -> Sequential {
    var rng = SeededRandom(seed: seed)
    let head: [any Module] = [Conv2d(2, 4, kernelSize: 3, rng: &rng), BatchNorm2d(4), SpikingLayer(LIF()), Flatten()]
    let drop: [any Module] = dropout ? [Dropout(p: 0.3, seed: seed)] : []
    return Sequential(layers: head + drop + [Linear(4 * 4 * 4, 2, rng: &rng), SpikingLayer(LIF())])
}

/// 16 samples of 3 steps of [2, 6, 6] spikes: class 0 fires in the left half of channel 0, class 1 in the right
/// half of channel 1, with noise.
func smallFrameData(seed: UInt64, count: Int = 16) throws -> TensorDataset {
    var rng = SeededRandom(seed: seed)
    var x = [Float](repeating: 0, count: count * 3 * 72), labels: [Float] = []
    for n in 0..<count {
        let c = n % 2
        labels.append(Float(c))
        for t in 0..<3 { for h in 0..<6 { for w in 0..<6 {
            let own = (c == 0 ? w < 3 : w >= 3)
            if rng.nextUniform() < (own ? 0.5 : 0.05) { x[((n * 3 + t) * 2 + c) * 36 + h * 6 + w] = 1 }
        } } }
    }
    return try TensorDataset(inputs: Tensor(shape: [count, 3, 2, 6, 6], scalars: x), labels: Tensor(labels), classes: 2)
}

final class TrainingConvenienceTests: XCTestCase {
    func testSchedulesGiveTorchsRates() throws {
        let step = LearningRateSchedule.step(stepSize: 3, gamma: 0.5)
        XCTAssertEqual((0..<10).map { step.rate(base: 0.01, epoch: $0, batch: 0, epochs: 10, batchesPerEpoch: 1) }, TorchSchedules.stepLR)
        let cos = LearningRateSchedule.cosine(minimum: 1e-4)
        XCTAssertEqual((0..<7).map { cos.rate(base: 0.01, epoch: $0, batch: 0, epochs: 7, batchesPerEpoch: 1) }, TorchSchedules.cosine)
        let cos0 = LearningRateSchedule.cosine(minimum: 0)
        XCTAssertEqual((0..<13).map { cos0.rate(base: 0.01, epoch: $0, batch: 0, epochs: 4, batchesPerEpoch: 1) }, TorchSchedules.cosineLong)
        let one = try XCTUnwrap(try LearningRateSchedule.parse("one-cycle"))
        XCTAssertTrue(one.perBatch)
        let ours = (0..<15).map { one.rate(base: 0.01, epoch: $0 / 5, batch: $0 % 5, epochs: 3, batchesPerEpoch: 5) }
        XCTAssertEqual(ours, TorchSchedules.oneCycle)
        XCTAssertThrowsError(try LearningRateSchedule.parse("linear"))
        XCTAssertThrowsError(try LearningRateSchedule.step(stepSize: 0, gamma: 0.1).validate())
    }

    func testProgressTextNeverExceedsTheWidth() {
        var p = TrainingProgress(epoch: 12, epochs: 200, batch: 345, batches: 1000, loss: 1.23456, accuracy: 0.5,
                                 samplesPerSecond: 12345.6, elapsed: 100, remaining: 86_000)
        for width in 0...200 {
            XCTAssertLessThanOrEqual(ProgressFormat.line(p, width: width).count, width, "width \(width)")
        }
        let wide = ProgressFormat.line(p, width: 120)
        XCTAssertTrue(wide.contains("ETA 23h53m") && wide.contains("[") && wide.contains("12346/s"), wide)
        XCTAssertEqual(ProgressFormat.line(p, width: 30), "epoch 12/200  345/1000", "narrow: the essentials")
        p.finished = EpochRecord(epoch: 12, trainLoss: 1.2, trainAccuracy: 0.5, testLoss: 0.9, testAccuracy: 0.625, learningRate: 0.01,
                                 seconds: 65, samplesPerSecond: 900)
        for width in 0...200 { XCTAssertLessThanOrEqual(ProgressFormat.epochLine(p, width: width).count, width) }
        let line = ProgressFormat.epochLine(p, width: 80)
        XCTAssertTrue(line.contains("test 0.625") && line.contains("ETA") && line.contains("900 samples/s"), line)
        XCTAssertTrue(ProgressFormat.epochLine(p, width: nil).contains("test loss 0.9000"))
        XCTAssertEqual(ProgressFormat.duration(59.6), "1m00s")
        XCTAssertEqual(ProgressFormat.duration(3725), "1h02m")
    }

    func testCheckpointOfAConvNetRoundTripsWithBuffersAndHistory() throws {
        let net = smallConvNet(seed: 1)
        let data = try smallFrameData(seed: 2)
        var options = TrainingOptions()
        options.epochs = 1; options.batchSize = 8; options.keepFrames = true; options.learningRate = 0.01
        var saved: TrainingState?
        _ = try Trainer.fit(net, readout: try Readout.named("count"), train: data, test: data, options: options,
                            epochEnd: { saved = $0 }, report: { _ in })
        let state = try XCTUnwrap(saved)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ck-\(UUID().uuidString).safetensors")
        defer { for u in [url, TrainingCheckpoint.optimizerURL(for: url)] { try? FileManager.default.removeItem(at: u) } }
        try TrainingCheckpoint(module: net, model: .custom("small"), training: options, data: "{}", state: state).write(to: url)
        // The file is a plain state dict: PyTorch's keys in state_dict order, BatchNorm's buffers included.
        let (tensors, meta) = try SafeTensors.read(from: url)
        XCTAssertEqual(tensors.map(\.0), ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                          "1.num_batches_tracked", "4.weight", "4.bias"])
        XCTAssertEqual(tensors.first { $0.0 == "1.num_batches_tracked" }?.1.scalar, 2, "two batches were trained")
        XCTAssertEqual(meta["spikekit.epoch"], "1")
        let back = try TrainingCheckpoint.read(from: url, optimizer: true)
        XCTAssertEqual(back.model, .custom("small"))
        XCTAssertEqual(back.training, options)
        XCTAssertEqual(back.history, state.history.map(\.withoutTimings), "checkpoints hold no timings")
        XCTAssertNotNil(state.history[0].seconds)
        XCTAssertEqual(back.optimizerState.map(\.0), state.optimizerState.map(\.0))
        let fresh = smallConvNet(seed: 99)
        try back.load(into: fresh)
        for ((k, a), (_, b)) in zip(net.stateDict, fresh.stateDict) { XCTAssertEqual(a.value, b.value, k) }
        // A network of another shape is refused with the key named.
        var rng = SeededRandom(seed: 0)
        let other = Sequential(layers: [Conv2d(2, 5, kernelSize: 3, rng: &rng)])
        XCTAssertThrowsError(try back.load(into: other)) { XCTAssertTrue("\($0)".contains("'0.weight' has shape [4, 2, 3, 3]"), "\($0)") }
    }

    func testStateDictReport() throws {
        let net = smallConvNet(seed: 1)
        let file: [(String, Tensor)] = [("0.weight", Tensor(repeating: 0.5, shape: [4, 2, 3, 3])), ("4.weight", .zeros([3, 64])),
                                        ("extra", .zeros([1]))]
        let before = net.stateDict.first { $0.0 == "0.bias" }!.1.value
        let r = try StateDict.load(file, into: net, strict: false, file: "f")
        XCTAssertEqual(r.matched, ["0.weight"])
        XCTAssertEqual(r.unexpected, ["extra"])
        XCTAssertEqual(r.shapeMismatched.map(\.key), ["4.weight"])
        XCTAssertEqual(r.missing, ["0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.bias"])
        XCTAssertEqual(net.stateDict[0].1.value.scalars, [Float](repeating: 0.5, count: 72))
        XCTAssertEqual(net.stateDict[1].1.value, before)
        XCTAssertTrue(r.description.hasPrefix("1 matched, 7 missing, 1 unexpected, 1 shape-mismatched"))
        XCTAssertThrowsError(try StateDict.load(file, into: smallConvNet(seed: 1), strict: true, file: "f"))
    }

    /// A run stopped after 1 epoch and resumed from its checkpoint gives the bits of the uninterrupted 3-epoch run
    /// (Adam, cosine schedule, weight decay on weights only, BatchNorm statistics, Dropout masks, per-epoch evaluation).
    func testResumeGivesTheBitsOfAnUninterruptedRun() throws {
        let data = try smallFrameData(seed: 5)
        var options = TrainingOptions()
        options.epochs = 3; options.batchSize = 6; options.keepFrames = true; options.learningRate = 0.02
        options.weightDecay = 0.01; options.noDecay = ["bias", "norm"]; options.schedule = .cosine(minimum: 0)
        options.evaluateEachEpoch = true
        let readout = try Readout.named("count")
        let whole = smallConvNet(seed: 3, dropout: true)
        var states: [TrainingState] = []
        let s1 = try Trainer.fit(whole, readout: readout, train: data, test: data, options: options, epochEnd: { states.append($0) }, report: { _ in })

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rs-\(UUID().uuidString).safetensors")
        defer { for u in [url, TrainingCheckpoint.optimizerURL(for: url)] { try? FileManager.default.removeItem(at: u) } }
        let first = smallConvNet(seed: 3, dropout: true)
        var one = options
        one.epochs = 3
        do {
            // The first epoch only: stop by throwing after epoch 1's checkpoint is written.
            struct Stop: Error {}
            _ = try? Trainer.fit(first, readout: readout, train: data, test: data, options: one, epochEnd: { st in
                try TrainingCheckpoint(module: first, model: .custom("c"), training: one, state: st).write(to: url)
                throw Stop()
            }, report: { _ in })
        }
        let ck = try TrainingCheckpoint.read(from: url, optimizer: true)
        XCTAssertEqual(ck.randomStates.keys.sorted(), ["4"], "the Dropout's generator is saved")
        XCTAssertNotEqual(ck.randomStates["4"], Dropout(p: 0.3, seed: 77).randomState)
        let resumed = smallConvNet(seed: 77, dropout: true)
        try ck.load(into: resumed)
        var after: [TrainingState] = []
        let s2 = try Trainer.fit(resumed, readout: readout, train: data, test: data, options: ck.training, resume: ck.state,
                                 epochEnd: { after.append($0) }, report: { _ in })
        for ((k, a), (_, b)) in zip(whole.stateDict, resumed.stateDict) { XCTAssertEqual(a.value.scalars, b.value.scalars, k) }
        XCTAssertEqual(s1.testAccuracy, s2.testAccuracy)
        XCTAssertEqual(s1.finalLoss, s2.finalLoss)
        XCTAssertEqual(after.last!.history.map(\.trainLoss), states.last!.history.map(\.trainLoss))
        XCTAssertEqual(after.last!.history.map(\.testLoss), states.last!.history.map(\.testLoss))
        XCTAssertEqual(after.last!.history.map(\.learningRate), states.last!.history.map(\.learningRate))
        XCTAssertNotNil(states.last!.history.last!.testAccuracy)
        // The optimizer state came back whole (two parameter groups, Adam's moments and steps).
        XCTAssertEqual(after.last!.optimizerState.map(\.0), states.last!.optimizerState.map(\.0))
        for ((k, a), (_, b)) in zip(after.last!.optimizerState, states.last!.optimizerState) { XCTAssertEqual(a.scalars, b.scalars, k) }
    }

    func testNoDecaySelectsBiasesAndNormParameters() throws {
        let net = smallConvNet(seed: 1)
        var options = TrainingOptions()
        options.optimizer = "sgd"; options.momentum = 0; options.learningRate = 0.1; options.weightDecay = 0.5
        options.noDecay = ["bias", "norm", "4.weight"]
        let opt = options.makeOptimizer(for: net)
        let before = net.namedParameters.map { ($0.0, $0.1.value) }
        for p in net.parameters { p.grad = .zeros(p.shape) }
        opt.step()
        for ((k, old), (_, p)) in zip(before, net.namedParameters) {
            if k == "0.weight" { XCTAssertEqual(p.value.scalars, old.scalars.map { $0 - 0.1 * 0.5 * $0 }, k) }
            else { XCTAssertEqual(p.value, old, "\(k) is exempt") }
        }
        XCTAssertTrue(options.isExemptFromDecay(key: "1.weight", owner: BatchNorm2d(4)))
        XCTAssertFalse(options.isExemptFromDecay(key: "40.weight", owner: Flatten()))
    }

    func testChanceWarningNamesTheLikelyCause() {
        func rec(_ loss: Float) -> EpochRecord { EpochRecord(epoch: 1, trainLoss: loss, trainAccuracy: 0.1, learningRate: 0.1, seconds: 1, samplesPerSecond: 1) }
        XCTAssertNil(Trainer.chanceWarning(testAccuracy: 0.5, classes: 10, history: [rec(2), rec(1)]))
        let flat = Trainer.chanceWarning(testAccuracy: 0.1, classes: 10, history: [rec(2.3), rec(2.3)])
        XCTAssertTrue(flat?.contains("did not fall") == true && flat?.contains("never spike") == true, flat ?? "nil")
        let fell = Trainer.chanceWarning(testAccuracy: 0.12, classes: 10, history: [rec(2.3), rec(0.5)])
        XCTAssertTrue(fell?.contains("too few epochs") == true, fell ?? "nil")
    }

    func testKeepFramesAndTheMemoryEstimate() throws {
        var options = TrainingOptions()
        let x = Tensor.zeros([3, 2, 2, 6, 6])
        XCTAssertEqual(try options.encode(x, epoch: 0, batch: 0).shape, [3, 2, 72])
        options.keepFrames = true
        XCTAssertEqual(try options.encode(x, epoch: 0, batch: 0).shape, [3, 2, 2, 6, 6])
        let net = smallConvNet(seed: 1)
        let one = try XCTUnwrap(Trainer.estimateBatchBytes(net, sample: .zeros([3, 1, 2, 6, 6]), batchSize: 1))
        let eight = try XCTUnwrap(Trainer.estimateBatchBytes(net, sample: .zeros([3, 1, 2, 6, 6]), batchSize: 8))
        let params = net.parameters.reduce(0) { $0 + $1.value.count } * 16
        XCTAssertEqual(eight - params, 8 * (one - params))
        XCTAssertGreaterThan(one - params, 4 * 3 * 2 * 36, "at least the input")
    }
}
