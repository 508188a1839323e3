import Foundation
import SpikeCore
import SpikeNN
import SpikeCoding
import SpikeData

/// An error from outside the program in training (options, data sets that do not fit the network), as one line.
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The one-line message.
    public let description: String
    /// An error with `message`.
    public init(_ message: String) { description = message }
}

/// Options of a training run (stored in checkpoints).
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// Passes over the training set.
    public var epochs = 20
    /// Samples per batch.
    public var batchSize = 64
    /// Optimizer name: one of `optimizers`.
    public var optimizer = "adam"
    /// Learning rate.
    public var learningRate: Float = 2e-3
    /// Weight decay (L2 for Adam and SGD, decoupled for AdamW).
    public var weightDecay: Float = 0
    /// SGD momentum.
    public var momentum: Float = 0.9
    /// Clip gradients to this global norm (nil: no clipping).
    public var clipNorm: Float? = nil
    /// Seed of initialisation, batch order and stochastic encoders.
    public var seed: UInt64 = 0
    /// Fraction of a data set without its own split used for training (Randman, user tensors).
    public var trainFraction = 0.8
    /// How samples become network inputs: "spike-times" (the samples as they are, along their own time axis:
    /// Randman's spike per unit, event frames, user tensors), "rate" (Poisson, probability per step = the
    /// value), "latency" (snnTorch's linear, normalised latency code: larger values spike earlier) or "direct"
    /// (the value repeated as input current every step). The last three take samples of one time step
    /// (`[1, ...]`: analog values, images) and make `steps` steps.
    public var encoder = "spike-times"
    /// Time steps the "rate", "latency" and "direct" encoders make; nil: the data set's own (Randman's
    /// `steps`, as given by `encoderSteps(default:)`).
    public var steps: Int? = nil
    /// Background threads that load and transform batches while the network trains (nil: 1; 0: in line).
    public var loaderWorkers: Int? = nil

    /// The known optimizers.
    public static let optimizers = ["adam", "adamw", "sgd"]
    /// The known encoders.
    public static let encoders = ["spike-times", "rate", "latency", "direct"]
    /// The defaults above.
    public init() {}

    /// Checks the options; throws a one-line `TrainingError`.
    public func validate() throws {
        guard epochs >= 1 else { throw TrainingError("epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw TrainingError("batch size must be at least 1, got \(batchSize)") }
        guard Self.optimizers.contains(optimizer) else { throw TrainingError("unknown optimizer '\(optimizer)' (known: \(Self.optimizers.joined(separator: ", ")))") }
        guard learningRate > 0, learningRate.isFinite else { throw TrainingError("learning rate must be > 0, got \(learningRate)") }
        guard weightDecay >= 0, weightDecay.isFinite else { throw TrainingError("weight decay must be finite and >= 0, got \(weightDecay)") }
        guard momentum >= 0, momentum < 1 else { throw TrainingError("momentum must be in [0, 1), got \(momentum)") }
        if let c = clipNorm, !(c > 0 && c.isFinite) { throw TrainingError("clip norm must be finite and > 0, got \(c)") }
        guard Self.encoders.contains(encoder) else { throw TrainingError("unknown encoder '\(encoder)' (known: \(Self.encoders.joined(separator: ", ")))") }
        guard trainFraction > 0, trainFraction < 1 else { throw TrainingError("train fraction must be in (0, 1), got \(trainFraction)") }
        if let s = steps, !(1...1_000_000).contains(s) { throw TrainingError("steps must be in 1...1000000, got \(s)") }
        if let w = loaderWorkers, !(0...64).contains(w) { throw TrainingError("loader workers must be in 0...64, got \(w)") }
    }

    /// The optimizer `optimizer` names over `params`, with the options' learning rate, weight decay and momentum.
    public func makeOptimizer(_ params: [Variable]) -> Optimizer {
        switch optimizer {
        case "sgd": return SGD(params, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        case "adamw": return AdamW(params, learningRate: learningRate, weightDecay: weightDecay)
        default: return Adam(params, learningRate: learningRate, weightDecay: weightDecay)
        }
    }

    /// Whether the encoder makes its own time steps from one-step samples.
    public var encodesValues: Bool { encoder != "spike-times" }

    /// The data set a `SpikeDataset` is trained on under `encoder`: the spikes themselves, or its analog values
    /// (`[1, units]`) for the value encoders.
    /// - Throws: `TrainingError` when a value encoder is asked of a data set without values.
    public func input(of data: SpikeDataset) throws -> any Dataset {
        guard encodesValues else { return data }
        guard let values = data.analogValues else { throw TrainingError("encoder '\(encoder)' needs a data set with analog values") }
        return values
    }

    /// `input(of:)` for a `SpikeDataset`, any other data set as it is.
    public func input(ofAny data: any Dataset) throws -> any Dataset {
        if let spikes = data as? SpikeDataset { return try input(of: spikes) }
        return data
    }

    /// The network inputs `[T, B, F]` of a batch `[T0, B] + stepShape` (flattened per step to `F` features)
    /// under `encoder`; stochastic encoders draw from a generator derived from `seed`, `epoch` and `batch`
    /// only, so runs repeat bit for bit. Value encoders need `T0 == 1` and make `steps` steps.
    public func encode(_ x: Tensor, epoch: Int, batch: Int) throws -> Tensor {
        precondition(x.rank >= 2, "TrainingOptions.encode: a batch is [T, B, ...], got \(x.shape)")
        let t0 = x.shape[0], b = x.shape[1], f = x.shape.dropFirst(2).reduce(1, *)
        guard encodesValues else { return x.rank == 3 ? x : x.reshaped([t0, b, f]) }
        guard t0 == 1 else {
            throw TrainingError("encoder '\(encoder)' takes samples of one time step (values or images), got \(t0) steps; use --encoder spike-times")
        }
        guard let steps else { throw TrainingError("encoder '\(encoder)' needs a number of steps") }
        let values = x.reshaped([b, f])
        switch encoder {
        case "rate":
            var rng = SeededRandom(seed: seed ^ 0x5EED_0F_E4C0_DE).split(stream: UInt64(bitPattern: Int64(epoch)) << 32 ^ UInt64(batch))
            return try Encode.poisson(values, steps: steps, rng: &rng)
        case "latency":
            return try Encode.latency(values, steps: steps, clip: false, normalize: true, linear: true)
        default:   // direct: the values as input current at every step
            var out = [Float](repeating: 0, count: steps * b * f)
            for t in 0..<steps { out.replaceSubrange((t * b * f)..<((t + 1) * b * f), with: values.scalars) }
            return Tensor(shape: [steps, b, f], scalars: out)
        }
    }
}

/// Progress of a training run, as reported to the progress display.
public struct TrainingProgress: Sendable {
    /// Current epoch (from 1) and number of epochs.
    public var epoch: Int, epochs: Int
    /// Current batch of the epoch (from 1) and number of batches.
    public var batch: Int, batches: Int
    /// Mean loss and accuracy over the epoch's batches so far.
    public var loss: Float, accuracy: Float
    /// Training samples per second since the start.
    public var samplesPerSecond: Double
}

/// What a finished run measured.
public struct TrainingSummary: Codable, Sendable {
    /// Accuracy on the training set after training (evaluation mode, no augmentation).
    public var trainAccuracy: Float
    /// Accuracy on the test set.
    public var testAccuracy: Float
    /// Loss of the last training batch.
    public var finalLoss: Float
    /// Wall time of the training epochs (without the final evaluation).
    public var seconds: Double
    /// Training samples per second.
    public var samplesPerSecond: Double
    /// Sizes of the two sets.
    public var trainSamples: Int
    /// Sizes of the two sets.
    public var testSamples: Int
    /// Number of trained scalars.
    public var parameters: Int
}

/// Trains a `NetworkSpec` on any `Dataset` and evaluates it.
///
/// Batches come from a `DataLoader` (shuffled by `options.seed` and the epoch, loaded on
/// `options.loaderWorkers` background threads, padded to the longest sample), go through
/// `options.encode` (flattening frames `[T, B, C, H, W]` to `[T, B, C*H*W]`, or encoding values), and train
/// the network. The first Linear picks its product from the input: spike-driven on sparse inputs (spikes,
/// sparse event counts; non-binary values take the weighted path), dense otherwise (`Variable.matmul`).
public enum Trainer {
    /// Refuses a batch of `batchSize` samples of `steps` steps through `spec` whose activations exceed the
    /// memory budget: per step, sample and neuron four float32 values are kept for the backward pass (input,
    /// membrane, spikes, state), for the inputs, every hidden layer and the outputs.
    public static func checkMemory(spec: NetworkSpec, steps: Int, batchSize: Int) throws {
        let neurons = MemoryBudget.sum([spec.inputs, spec.outputs] + spec.hidden.map { $0 })
        try MemoryBudget.check(bytes: MemoryBudget.product([steps, batchSize, neurons ?? -1, 16]),
                               what: "a batch of \(batchSize) samples x \(steps) steps through network \(([spec.inputs] + spec.hidden + [spec.outputs]).map(String.init).joined(separator: "-"))")
    }

    /// Checks that `data` fits `spec`: flattened step size equals `spec.inputs`, classes equal `spec.outputs`.
    public static func check(_ data: any Dataset, fits spec: NetworkSpec, name: String) throws {
        let features = data.stepShape.reduce(1, *)
        guard features == spec.inputs else {
            throw TrainingError("\(name): samples have \(features) features per step (\(data.stepShape)) but the network has \(spec.inputs) inputs")
        }
        guard data.classes == spec.outputs else {
            throw TrainingError("\(name): \(data.classes) classes but the network has \(spec.outputs) outputs")
        }
        guard data.count > 0 else { throw TrainingError("\(name) is empty") }
    }

    /// Mean loss and accuracy of `model` on `data`, without recording gradients (batches in order).
    public static func evaluate(_ model: Sequential, spec: NetworkSpec, data: any Dataset, batchSize: Int,
                                options: TrainingOptions = TrainingOptions()) throws -> (loss: Float, accuracy: Float) {
        try evaluate(model, readout: try spec.makeReadout(), data: data, batchSize: batchSize, options: options) { steps, batch in
            try checkMemory(spec: spec, steps: steps, batchSize: batch)
        }
    }

    /// Mean loss and accuracy under `readout` of any module (a `Sequential`, an imported NIR graph, a network of
    /// one's own) on `data`, without recording gradients, batches in order. `checkBatch(steps, batchSize)` runs
    /// before each batch (a memory estimate; it may throw).
    public static func evaluate(_ model: any Module, readout: Readout, data: any Dataset, batchSize: Int,
                                options: TrainingOptions = TrainingOptions(),
                                checkBatch: (Int, Int) throws -> Void = { _, _ in }) throws -> (loss: Float, accuracy: Float) {
        model.setTraining(false)
        defer { model.setTraining(true) }
        var hits: Float = 0, lossSum: Float = 0
        let loader = DataLoader(dataset: data, batchSize: batchSize, shuffle: false, workers: options.loaderWorkers ?? 1)
        let batches = loader.epoch(0)
        var b = 0
        try Tape.withoutGradients {
            while let batch = try batches.next() {
                let x = try options.encode(batch.input, epoch: -1, batch: b)
                try checkBatch(x.shape[0], batch.labels.count)
                let y = model(Variable(x))
                let n = Float(batch.labels.count)
                lossSum += try readout.loss(y, labels: batch.labels).value.scalar * n
                hits += try readout.accuracy(y.value, labels: batch.labels) * n
                b += 1
            }
        }
        let n = Float(max(1, data.count))
        return (lossSum / n, hits / n)
    }

    /// Trains a network built from `spec` (weights from `options.seed`) on `train` and evaluates it on both sets;
    /// `report` is called after every batch.
    public static func run(spec: NetworkSpec, train: any Dataset, test: any Dataset, options: TrainingOptions,
                           report: (TrainingProgress) -> Void) throws -> (Sequential, TrainingSummary) {
        try options.validate()
        guard train.count > 0 else { throw TrainingError("training set is empty") }
        guard test.count > 0 else { throw TrainingError("test set is empty") }
        try check(train, fits: spec, name: "training set")
        try check(test, fits: spec, name: "test set")
        let readout = try spec.makeReadout()
        var rng = SeededRandom(seed: options.seed)
        let model = try spec.build(rng: &rng)
        let summary = try fit(model, readout: readout, train: train, test: test, options: options, report: report) { steps, batch in
            try checkMemory(spec: spec, steps: steps, batchSize: batch)
        }
        return (model, summary)
    }

    /// Trains any module in place (`options`: optimizer, epochs, batches, encoder, clipping, seed of the batch
    /// order) on `train` under `readout`, then evaluates it on both sets; `report` is called after every batch and
    /// `checkBatch(steps, batchSize)` before each batch. The loop `run(spec:...)` uses for its `Sequential`.
    public static func fit(_ model: any Module, readout: Readout, train: any Dataset, test: any Dataset,
                           options: TrainingOptions, report: (TrainingProgress) -> Void,
                           checkBatch: (Int, Int) throws -> Void = { _, _ in }) throws -> TrainingSummary {
        try options.validate()
        guard train.count > 0 else { throw TrainingError("training set is empty") }
        guard test.count > 0 else { throw TrainingError("test set is empty") }
        let opt = options.makeOptimizer(model.parameters)
        let loader = DataLoader(dataset: train, batchSize: options.batchSize, shuffle: true, seed: options.seed,
                                workers: options.loaderWorkers ?? 1)
        let start = Date()
        var seen = 0
        var lastLoss: Float = 0
        for epoch in 0..<options.epochs {
            let batches = loader.epoch(epoch)
            var hits: Float = 0, count = 0, lossSum: Float = 0, b = 0
            while let batch = try batches.next() {
                let x = try options.encode(batch.input, epoch: epoch, batch: b)
                try checkBatch(x.shape[0], batch.labels.count)
                let labels = batch.labels
                opt.zeroGrad()
                let y = model(Variable(x))
                let loss = try readout.loss(y, labels: labels)
                loss.backward()
                if let c = options.clipNorm { clipGradientNorm(model.parameters, maxNorm: c) }
                opt.step()
                lastLoss = loss.value.scalar
                guard lastLoss.isFinite else { throw TrainingError("training diverged: loss is \(lastLoss) at epoch \(epoch + 1); lower the learning rate") }
                lossSum += lastLoss * Float(labels.count)
                hits += try readout.accuracy(y.value, labels: labels) * Float(labels.count)
                count += labels.count; seen += labels.count; b += 1
                report(TrainingProgress(epoch: epoch + 1, epochs: options.epochs, batch: b, batches: batches.count,
                                        loss: lossSum / Float(count), accuracy: hits / Float(count),
                                        samplesPerSecond: Double(seen) / max(1e-9, Date().timeIntervalSince(start))))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let trainEval = try evaluate(model, readout: readout, data: train, batchSize: 256, options: options, checkBatch: checkBatch)
        let testEval = try evaluate(model, readout: readout, data: test, batchSize: 256, options: options, checkBatch: checkBatch)
        return TrainingSummary(trainAccuracy: trainEval.accuracy, testAccuracy: testEval.accuracy, finalLoss: lastLoss,
                               seconds: seconds, samplesPerSecond: Double(seen) / max(1e-9, seconds),
                               trainSamples: train.count, testSamples: test.count,
                               parameters: model.parameters.reduce(0) { $0 + $1.value.count })
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
