import Foundation
import SpikeCore
import SpikeNN
import SpikeCoding
import SpikeData

/// An error from outside the program in training (options, data), printed as one line.
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The one-line message.
    public let description: String
    /// An error with `message`.
    public init(_ message: String) { description = message }
}

/// Options of a training run (stored in checkpoints).
public struct TrainingOptions: Codable, Equatable, Sendable {
    public var epochs = 20
    public var batchSize = 64
    public var optimizer = "adam"
    public var learningRate: Float = 2e-3
    public var weightDecay: Float = 0
    public var momentum: Float = 0.9
    public var clipNorm: Float? = nil
    public var seed: UInt64 = 0
    public var trainFraction = 0.8
    /// How samples become input spikes: "spike-times" (the data set's own spike per unit), "rate" (Poisson,
    /// probability per step = the unit's value) or "latency" (snnTorch's linear, normalised latency code:
    /// larger values spike earlier).
    public var encoder = "spike-times"

    public static let optimizers = ["adam", "adamw", "sgd"]
    public static let encoders = ["spike-times", "rate", "latency"]
    public init() {}

    /// Checks the options; throws a one-line error.
    public func validate() throws {
        guard epochs >= 1 else { throw TrainingError("epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw TrainingError("batch size must be at least 1, got \(batchSize)") }
        guard Self.optimizers.contains(optimizer) else { throw TrainingError("unknown optimizer '\(optimizer)' (known: \(Self.optimizers.joined(separator: ", ")))") }
        guard learningRate > 0, learningRate.isFinite else { throw TrainingError("learning rate must be > 0, got \(learningRate)") }
        guard weightDecay >= 0 else { throw TrainingError("weight decay must be >= 0, got \(weightDecay)") }
        if let c = clipNorm, !(c > 0) { throw TrainingError("clip norm must be > 0, got \(c)") }
        guard Self.encoders.contains(encoder) else { throw TrainingError("unknown encoder '\(encoder)' (known: \(Self.encoders.joined(separator: ", ")))") }
        guard trainFraction > 0, trainFraction < 1 else { throw TrainingError("train fraction must be in (0, 1), got \(trainFraction)") }
    }

    func makeOptimizer(_ params: [Variable]) -> Optimizer {
        switch optimizer {
        case "sgd": return SGD(params, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        case "adamw": return AdamW(params, learningRate: learningRate, weightDecay: weightDecay)
        default: return Adam(params, learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}

extension TrainingOptions {
    /// The input spikes `[T, B, units]` of samples `indices` under `encoder`; stochastic encoders draw from a
    /// generator derived from `seed`, `epoch` and `batch` only, so runs repeat bit for bit.
    func inputs(_ data: SpikeDataset, indices: [Int], epoch: Int, batch: Int) throws -> (Tensor, [Int]) {
        if encoder == "spike-times" { return data.batch(indices: indices) }
        guard let (values, labels) = data.batchValues(indices: indices) else {
            throw TrainingError("encoder '\(encoder)' needs a data set with analog values")
        }
        switch encoder {
        case "rate":
            var rng = SeededRandom(seed: seed ^ 0x5EED_0F_E4C0_DE).split(stream: UInt64(bitPattern: Int64(epoch)) << 32 ^ UInt64(batch))
            return (try SpikeCoding.Encode.poisson(values, steps: data.steps, rng: &rng), labels)
        default:
            return (try SpikeCoding.Encode.latency(values, steps: data.steps, clip: false, normalize: true, linear: true), labels)
        }
    }
}

/// Progress of a training run, as reported to the progress display.
public struct TrainingProgress: Sendable {
    public var epoch: Int, epochs: Int, batch: Int, batches: Int
    public var loss: Float, accuracy: Float, samplesPerSecond: Double
}

/// What a finished run measured.
public struct TrainingSummary: Codable, Sendable {
    public var trainAccuracy: Float
    public var testAccuracy: Float
    public var finalLoss: Float
    public var seconds: Double
    public var samplesPerSecond: Double
    public var trainSamples: Int
    public var testSamples: Int
    public var parameters: Int
}

/// Trains `spec` on a dataset and evaluates it.
public enum Trainer {
    /// Mean loss and accuracy of `model` on `data`, without recording gradients.
    public static func evaluate(_ model: Sequential, spec: NetworkSpec, data: SpikeDataset, batchSize: Int,
                                options: TrainingOptions = TrainingOptions()) throws -> (loss: Float, accuracy: Float) {
        let readout = try spec.makeReadout()
        model.setTraining(false)
        defer { model.setTraining(true) }
        var hits: Float = 0, lossSum: Float = 0
        try Tape.withoutGradients {
            for (b, idx) in BatchIterator(count: data.count, batchSize: batchSize, shuffle: false).enumerated() {
                let (x, labels) = try options.inputs(data, indices: idx, epoch: -1, batch: b)
                let y = model(Variable(x))
                lossSum += try readout.loss(y, labels: labels).value.scalar * Float(idx.count)
                hits += try readout.accuracy(y.value, labels: labels) * Float(idx.count)
            }
        }
        let n = Float(max(1, data.count))
        return (lossSum / n, hits / n)
    }

    /// Runs the training; `report` is called after every batch.
    public static func run(spec: NetworkSpec, train: SpikeDataset, test: SpikeDataset, options: TrainingOptions,
                           report: (TrainingProgress) -> Void) throws -> (Sequential, TrainingSummary) {
        try options.validate()
        guard !train.isEmpty else { throw TrainingError("training set is empty") }
        guard !test.isEmpty else { throw TrainingError("test set is empty") }
        let readout = try spec.makeReadout()
        var rng = SeededRandom(seed: options.seed)
        let model = try spec.build(rng: &rng)
        let opt = options.makeOptimizer(model.parameters)
        let start = Date()
        var seen = 0
        var lastLoss: Float = 0
        for epoch in 0..<options.epochs {
            let batches = BatchIterator(count: train.count, batchSize: options.batchSize, shuffle: true, seed: options.seed, epoch: epoch)
            var hits: Float = 0, count = 0, lossSum: Float = 0
            for (b, idx) in batches.enumerated() {
                let (x, labels) = try options.inputs(train, indices: idx, epoch: epoch, batch: b)
                opt.zeroGrad()
                let y = model(Variable(x))
                let loss = try readout.loss(y, labels: labels)
                loss.backward()
                if let c = options.clipNorm { clipGradientNorm(model.parameters, maxNorm: c) }
                opt.step()
                lastLoss = loss.value.scalar
                guard lastLoss.isFinite else { throw TrainingError("training diverged: loss is \(lastLoss) at epoch \(epoch + 1); lower the learning rate") }
                lossSum += lastLoss * Float(idx.count)
                hits += try readout.accuracy(y.value, labels: labels) * Float(idx.count)
                count += idx.count; seen += idx.count
                report(TrainingProgress(epoch: epoch + 1, epochs: options.epochs, batch: b + 1, batches: batches.batchCount,
                                        loss: lossSum / Float(count), accuracy: hits / Float(count),
                                        samplesPerSecond: Double(seen) / max(1e-9, Date().timeIntervalSince(start))))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let trainEval = try evaluate(model, spec: spec, data: train, batchSize: 256, options: options)
        let testEval = try evaluate(model, spec: spec, data: test, batchSize: 256, options: options)
        let summary = TrainingSummary(trainAccuracy: trainEval.accuracy, testAccuracy: testEval.accuracy, finalLoss: lastLoss,
                                      seconds: seconds, samplesPerSecond: Double(seen) / max(1e-9, seconds),
                                      trainSamples: train.count, testSamples: test.count,
                                      parameters: model.parameters.reduce(0) { $0 + $1.value.count })
        return (model, summary)
    }
}

extension NetworkSpec {
    /// The readout (decoder, loss, accuracy) named by the spec; its input kind must match the output layer.
    public func makeReadout() throws -> Readout {
        let r = try Readout.named(readout, parameters: readoutParameters)
        guard (r.input == .membrane) == membraneOutput else {
            throw TrainingError("readout '\(readout)' reads \(r.input.rawValue) but the network's output layer is \(membraneOutput ? "a membrane (LI)" : "spiking")")
        }
        return r
    }
}
