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
    /// Readout of a network that is not a `NetworkSpec` (model files, architectures): a `Readout.names` name
    /// and its parameters. nil: the `NetworkSpec`'s own.
    public var readout: String? = nil
    /// Parameters of `readout`.
    public var readoutParameters: [String: String]? = nil
    /// Learning-rate schedule (nil: the constant `learningRate`).
    public var schedule: LearningRateSchedule? = nil
    /// Parameters without weight decay (PyTorch's two parameter groups): "bias" (every parameter named `bias`),
    /// "norm" (the parameters of normalization layers: BatchNorm1d/2d, tdBN, BNTT), or a state-dict key or key
    /// prefix (`conv_fc.1`: that module's parameters). nil or empty: decay on every parameter.
    public var noDecay: [String]? = nil
    /// Evaluate on the test split after every epoch (its loss and accuracy go into the epoch's record).
    public var evaluateEachEpoch: Bool? = nil
    /// Keep each step's sample shape (`[T, B, C, H, W]` event frames for convolutional networks) instead of
    /// flattening it to `[T, B, F]`.
    public var keepFrames: Bool? = nil

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
        try schedule?.validate()
        if let n = noDecay?.first(where: { $0.isEmpty }) { throw TrainingError("no-decay: empty parameter selector '\(n)'") }
    }

    /// Whether a parameter (state-dict `key`, owned by `owner`) is exempt from weight decay under `noDecay`.
    public func isExemptFromDecay(key: String, owner: any Module) -> Bool {
        guard let selectors = noDecay else { return false }
        let local = key.split(separator: ".").last.map(String.init) ?? key
        for s in selectors {
            switch s {
            case "bias": if local == "bias" { return true }
            case "norm": if owner is BatchNormCore || owner is ThresholdDependentBatchNorm2d || owner is BatchNormThroughTime2d { return true }
            default: if key == s || key.hasPrefix(s + ".") { return true }
            }
        }
        return false
    }

    /// The optimizer for `model`: `makeOptimizer(_:)` over its parameters, or with `noDecay`, two parameter
    /// groups (decayed, exempt) as PyTorch's `[{"params": ..., "weight_decay": wd}, {"params": ..., "weight_decay": 0}]`.
    public func makeOptimizer(for model: any Module) -> Optimizer {
        guard weightDecay != 0, let selectors = noDecay, !selectors.isEmpty else { return makeOptimizer(model.parameters) }
        var decayed: [Variable] = [], exempt: [Variable] = []
        for (key, p, owner) in Self.parameterOwners(model, prefix: "") {
            if isExemptFromDecay(key: key, owner: owner) { exempt.append(p) } else { decayed.append(p) }
        }
        var plain = self
        plain.weightDecay = 0
        return ParameterGroups([makeOptimizer(decayed), plain.makeOptimizer(exempt)])
    }

    /// Every parameter with its state-dict key and the module that owns it, in `namedParameters` order.
    static func parameterOwners(_ m: any Module, prefix: String) -> [(String, Variable, any Module)] {
        var out = m.ownParameters.map { (prefix + $0.0, $0.1, m) }
        for (name, c) in m.children { out += parameterOwners(c, prefix: prefix + name + ".") }
        return out
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
    /// With `keepFrames`, the step shape stays: `[T, B] + stepShape`.
    public func encode(_ x: Tensor, epoch: Int, batch: Int) throws -> Tensor {
        let flat = try encodeFlat(x, epoch: epoch, batch: batch)
        guard keepFrames == true, x.rank > 3 else { return flat }
        return flat.reshaped([flat.shape[0], flat.shape[1]] + Array(x.shape.dropFirst(2)))
    }

    func encodeFlat(_ x: Tensor, epoch: Int, batch: Int) throws -> Tensor {
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
    /// Training samples per second since the start of the epoch.
    public var samplesPerSecond: Double
    /// Seconds since the start of this run's first epoch (without evaluations).
    public var elapsed: Double = 0
    /// Estimated seconds left to the end of the last epoch (nil before the first batch is timed).
    public var remaining: Double? = nil
    /// The record of the epoch just finished (with the test split's loss and accuracy when evaluated): set on
    /// the report after an epoch's last batch, nil otherwise.
    public var finished: EpochRecord? = nil
    /// Progress at a batch.
    public init(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Float, accuracy: Float, samplesPerSecond: Double,
                elapsed: Double = 0, remaining: Double? = nil, finished: EpochRecord? = nil) {
        self.epoch = epoch; self.epochs = epochs; self.batch = batch; self.batches = batches; self.loss = loss
        self.accuracy = accuracy; self.samplesPerSecond = samplesPerSecond; self.elapsed = elapsed
        self.remaining = remaining; self.finished = finished
    }
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
    /// A warning when the test accuracy stayed at chance level, with the likely cause (`Trainer.chanceWarning`).
    public var warning: String? = nil
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
    /// Checks the options and that both sets fit `spec`, and builds its model (weights from `options.seed`, the
    /// same on every rank) and readout: the start of `run` and `runDataParallel`.
    static func prepare(spec: NetworkSpec, train: any Dataset, test: any Dataset,
                        options: TrainingOptions) throws -> (Sequential, Readout) {
        try options.validate()
        guard train.count > 0 else { throw TrainingError("training set is empty") }
        guard test.count > 0 else { throw TrainingError("test set is empty") }
        try check(train, fits: spec, name: "training set")
        try check(test, fits: spec, name: "test set")
        let readout = try spec.makeReadout()
        var rng = SeededRandom(seed: options.seed)
        return (try spec.build(rng: &rng), readout)
    }

    /// `report` is called after every batch, `epochEnd` after every epoch with the run's state (as `fit`).
    public static func run(spec: NetworkSpec, train: any Dataset, test: any Dataset, options: TrainingOptions,
                           epochEnd: (TrainingState) throws -> Void = { _ in },
                           report: (TrainingProgress) -> Void) throws -> (Sequential, TrainingSummary) {
        let (model, readout) = try prepare(spec: spec, train: train, test: test, options: options)
        let summary = try fit(model, readout: readout, train: train, test: test, options: options, epochEnd: epochEnd, report: report) { steps, batch in
            try checkMemory(spec: spec, steps: steps, batchSize: batch)
        }
        return (model, summary)
    }

    /// Trains any module in place (`options`: optimizer, schedule, epochs, batches, encoder, clipping, seed of the
    /// batch order) on `train` under `readout`, then evaluates it on both sets.
    ///
    /// - `resume`: a state saved after some epochs (`TrainingCheckpoint.state`, the module holding that
    ///   checkpoint's weights and buffers): training continues from the next epoch with the optimizer's state
    ///   restored, and gives the bits of the uninterrupted run (batch order, encoders and the schedule depend on
    ///   the epoch and batch numbers only; the generators of Dropout layers are restored from the state).
    /// - `report` is called after every batch (on the last batch of an epoch with `finished` set, after the
    ///   epoch's evaluation), `epochEnd` after every epoch with the state to save, `checkBatch(steps, batchSize)`
    ///   before each batch (a memory check; it may throw).
    public static func fit(_ model: any Module, readout: Readout, train: any Dataset, test: any Dataset,
                           options: TrainingOptions, resume: TrainingState? = nil,
                           epochEnd: (TrainingState) throws -> Void = { _ in },
                           report: (TrainingProgress) -> Void,
                           checkBatch: (Int, Int) throws -> Void = { _, _ in }) throws -> TrainingSummary {
        try options.validate()
        guard train.count > 0 else { throw TrainingError("training set is empty") }
        guard test.count > 0 else { throw TrainingError("test set is empty") }
        let loader = DataLoader(dataset: train, batchSize: options.batchSize, shuffle: true, seed: options.seed,
                                workers: options.loaderWorkers ?? 1)
        return try trainEpochs(model, readout: readout, test: test, options: options, resume: resume, epochEnd: epochEnd, report: report,
                               runEpoch: { epoch, opt, step in
            let batches = loader.epoch(epoch)
            var b = 0
            while let batch = try batches.next() {
                let x = try options.encode(batch.input, epoch: epoch, batch: b)
                try checkBatch(x.shape[0], batch.labels.count)
                let labels = batch.labels
                opt.zeroGrad()
                let y = model(Variable(x))
                let loss = try readout.loss(y, labels: labels)
                loss.backward()
                try step(BatchResult(loss: loss.value.scalar, hits: try readout.accuracy(y.value, labels: labels) * Float(labels.count),
                                     count: labels.count, batches: batches.count))
                b += 1
            }
        }, evaluate: { data in
            try evaluate(model, readout: readout, data: data, batchSize: 256, options: options, checkBatch: checkBatch)
        }, trainData: train)
    }

    /// What one training batch gave: its mean loss, its hits (accuracy times samples), its samples and the
    /// epoch's number of batches; the parameters' gradients are set.
    struct BatchResult {
        var loss: Float, hits: Float, count: Int, batches: Int
    }

    /// The loop `fit` and `fitDataParallel` share: resume, the learning-rate schedule, optimizer steps (with
    /// parameter groups and clipping), the epoch records (with the test split's evaluation), `epochEnd`'s state,
    /// the final evaluation and the chance warning. `runEpoch(epoch, optimizer, step)` computes each batch's gradients in turn and calls `step` with the batch's
    /// figures (which steps the optimizer); `evaluate` evaluates a data set.
    static func trainEpochs(_ model: any Module, readout: Readout, test: any Dataset, options: TrainingOptions,
                            resume: TrainingState?, epochEnd: (TrainingState) throws -> Void, report: (TrainingProgress) -> Void,
                            runEpoch: (Int, Optimizer, (BatchResult) throws -> Void) throws -> Void,
                            evaluate: (any Dataset) throws -> (loss: Float, accuracy: Float),
                            trainData train: any Dataset) throws -> TrainingSummary {
        let opt = options.makeOptimizer(for: model)
        var history = resume?.history ?? []
        let firstEpoch = resume?.epochsDone ?? 0
        guard firstEpoch <= options.epochs else {
            throw TrainingError("the checkpoint has \(firstEpoch) epochs done, more than the \(options.epochs) epochs asked")
        }
        if let resume {
            guard let stateful = opt as? StatefulOptimizer else { throw TrainingError("optimizer '\(options.optimizer)' cannot be resumed") }
            do { try stateful.loadState(Dictionary(resume.optimizerState, uniquingKeysWith: { a, _ in a })) }
            catch { throw TrainingError("resume: \(error)") }
            try TrainingState.setRandomStates(resume.randomStates, of: model)
        }
        let batchesPerEpoch = train.count / options.batchSize + (train.count % options.batchSize == 0 ? 0 : 1)
        let baseRate = Double(options.learningRate)
        func rate(_ epoch: Int, _ batch: Int) -> Float {
            guard let schedule = options.schedule else { return options.learningRate }
            return Float(schedule.rate(base: baseRate, epoch: epoch, batch: batch, epochs: options.epochs, batchesPerEpoch: batchesPerEpoch))
        }
        var trainingSeconds = 0.0, seen = 0
        var lastLoss: Float = 0
        for epoch in firstEpoch..<options.epochs {
            let epochStart = Date()
            var hits: Float = 0, count = 0, lossSum: Float = 0, b = 0
            opt.learningRate = rate(epoch, 0)
            let epochRate = opt.learningRate
            // The step closure calls `report` and `evaluate`, which `runEpoch` cannot reach: no re-entry.
            try withoutActuallyEscaping(report) { report in try withoutActuallyEscaping(evaluate) { evaluate in
            try runEpoch(epoch, opt) { result in
                let batchCount = result.batches
                if options.schedule?.perBatch == true { opt.learningRate = rate(epoch, b) }
                if let c = options.clipNorm { clipGradientNorm(model.parameters, maxNorm: c) }
                opt.step()
                lastLoss = result.loss
                guard lastLoss.isFinite else { throw TrainingError("training diverged: loss is \(lastLoss) at epoch \(epoch + 1); lower the learning rate") }
                lossSum += lastLoss * Float(result.count)
                hits += result.hits
                count += result.count; seen += result.count; b += 1
                let epochSeconds = Date().timeIntervalSince(epochStart), elapsed = trainingSeconds + epochSeconds
                let done = Double(epoch - firstEpoch) + Double(b) / Double(max(1, batchCount))
                let remaining = elapsed / done * (Double(options.epochs - firstEpoch) - done)
                var progress = TrainingProgress(epoch: epoch + 1, epochs: options.epochs, batch: b, batches: batchCount,
                                                loss: lossSum / Float(count), accuracy: hits / Float(count),
                                                samplesPerSecond: Double(count) / max(1e-9, epochSeconds),
                                                elapsed: elapsed, remaining: remaining)
                if b == batchCount {
                    trainingSeconds += epochSeconds
                    var record = EpochRecord(epoch: epoch + 1, trainLoss: progress.loss, trainAccuracy: progress.accuracy,
                                             learningRate: epochRate, seconds: epochSeconds, samplesPerSecond: progress.samplesPerSecond)
                    if options.evaluateEachEpoch == true {
                        let e = try evaluate(test)
                        record.testLoss = e.loss; record.testAccuracy = e.accuracy
                    }
                    history.append(record)
                    progress.finished = record
                }
                report(progress)
            }
            } }
            let stateful = opt as? StatefulOptimizer
            try epochEnd(TrainingState(epochsDone: epoch + 1, optimizerState: stateful?.stateTensors ?? [], history: history,
                                       randomStates: TrainingState.randomStates(of: model)))
        }
        opt.zeroGrad()
        let trainEval = try evaluate(train)
        let testEval: (loss: Float, accuracy: Float)
        if let last = history.last, last.epoch == options.epochs, let l = last.testLoss, let a = last.testAccuracy {
            testEval = (l, a)
        } else {
            testEval = try evaluate(test)
        }
        var summary = TrainingSummary(trainAccuracy: trainEval.accuracy, testAccuracy: testEval.accuracy, finalLoss: lastLoss,
                                      seconds: trainingSeconds, samplesPerSecond: Double(seen) / max(1e-9, trainingSeconds),
                                      trainSamples: train.count, testSamples: test.count,
                                      parameters: model.parameters.reduce(0) { $0 + $1.value.count })
        summary.warning = chanceWarning(testAccuracy: testEval.accuracy, classes: test.classes, history: history)
        return summary
    }

    /// A warning when `testAccuracy` is within 1.5 times chance (`1 / classes`, for 3 classes or more; 0.6 for
    /// two), naming the likely cause from the epoch records: a training loss that did not fall (below 2% over
    /// the run) points at silent neurons or a learning rate far off; a loss that fell, at too little data or
    /// too few epochs. Nil otherwise.
    public static func chanceWarning(testAccuracy: Float, classes: Int, history: [EpochRecord]) -> String? {
        guard classes >= 2 else { return nil }
        let chance = 1 / Float(classes), limit = classes == 2 ? 0.6 : 1.5 * chance
        guard testAccuracy <= limit else { return nil }
        let head = String(format: "test accuracy %.3f is at chance level (%.3f for %d classes)", testAccuracy, chance, classes)
        guard let first = history.first, let last = history.last else { return head }
        if !(last.trainLoss < first.trainLoss * 0.98) || history.count == 1 && last.trainAccuracy <= limit {
            return head + String(format: "; the training loss did not fall (%.4g -> %.4g): the hidden neurons probably never spike, ", first.trainLoss, last.trainLoss)
                + "e.g. a model with physical units (hh, adex, izhikevich: currents in pA or uA/cm^2, potentials in mV) driven by 0/1 inputs "
                + "(raise --weight-gain or set the model's input scale), or the learning rate is far off"
        }
        return head + String(format: "; the training loss fell (%.4g -> %.4g) but the test accuracy did not: too few epochs or samples, or overfitting", first.trainLoss, last.trainLoss)
    }

    /// The activation memory of one training batch of `batchSize` samples through `model`, estimated from one
    /// sample: the bytes of the graph a forward pass records for `sample` (`[T, 1, ...]`, as the model takes it;
    /// `Variable.recordedGraphBytes`) times `batchSize`, plus the parameters, their gradients and two optimizer
    /// moments. The probe runs in evaluation mode (running statistics and random generators stay untouched).
    public static func estimateBatchBytes(_ model: any Module, sample: Tensor, batchSize: Int) -> Int? {
        model.setTraining(false)
        defer { model.setTraining(true) }
        let perSample = model(Variable(sample)).recordedGraphBytes
        let params = model.parameters.reduce(0) { $0 + $1.value.count }
        return MemoryBudget.sum([MemoryBudget.product([perSample, batchSize]), MemoryBudget.product([params, 16])])
    }
}

/// Parameter groups: one optimizer per group, stepped in turn (as PyTorch's `param_groups`, each with its own
/// weight decay); the learning rate applies to all. Its state is each group's, prefixed `group0.`, `group1.`, ...
public final class ParameterGroups: StatefulOptimizer {
    /// The groups' optimizers.
    public let groups: [Optimizer]
    /// Groups `groups`.
    public init(_ groups: [Optimizer]) { self.groups = groups }
    /// Every group's parameters, in group order.
    public var parameters: [Variable] { groups.flatMap(\.parameters) }
    /// The learning rate (the first group's; setting it sets every group's).
    public var learningRate: Float {
        get { groups.first?.learningRate ?? 0 }
        set { for g in groups { g.learningRate = newValue } }
    }
    /// One step of every group, in order.
    public func step() { for g in groups { g.step() } }
    /// Each group's state, keys prefixed `group<i>.`.
    public var stateTensors: [(String, Tensor)] {
        groups.enumerated().flatMap { i, g in ((g as? StatefulOptimizer)?.stateTensors ?? []).map { ("group\(i).\($0.0)", $0.1) } }
    }
    /// Restores each group's state from the keys with its prefix.
    public func loadState(_ state: [String: Tensor]) throws {
        for (i, g) in groups.enumerated() {
            guard let s = g as? StatefulOptimizer else { continue }
            let prefix = "group\(i)."
            try s.loadState(Dictionary(uniqueKeysWithValues: state.compactMap { k, v in k.hasPrefix(prefix) ? (String(k.dropFirst(prefix.count)), v) : nil }))
        }
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
