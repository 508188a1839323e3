import Foundation
import SpikeCore
import SpikeNN
import SpikeData
import SpikeCoding
import SpikeDistributed

/// How data-parallel training divides and combines work (docs/DISTRIBUTED.md).
public struct DataParallelOptions: Codable, Equatable, Sendable {
    /// How chunk gradients are combined across ranks.
    public enum Reduction: String, Codable, Sendable, CaseIterable {
        /// The fixed tree of `ExactReduction`: the same bits for any number of ranks and threads (the default).
        case exact
        /// Each rank sums its chunks in order, then MPI_Allreduce: MPI's order, so the bits depend on the number of
        /// ranks (offered to measure what exactness costs).
        case allreduce
    }

    /// Samples per chunk, the unit of work: a global batch of `B` samples is `ceil(B / chunkSize)` chunks, each run
    /// forward and backward on its own, whatever the number of ranks and threads (default 16).
    public var chunkSize = 16
    /// How chunk gradients are combined (default `.exact`).
    public var reduction = Reduction.exact

    /// The defaults above.
    public init(chunkSize: Int = 16, reduction: Reduction = .exact) { self.chunkSize = chunkSize; self.reduction = reduction }

    /// Checks the options; throws a one-line `TrainingError`.
    public func validate() throws {
        guard (1...1_000_000).contains(chunkSize) else { throw TrainingError("chunk size must be in 1...1000000, got \(chunkSize)") }
    }
}

/// Where the time of a data-parallel run went (filled by `Trainer.fitDataParallel`).
public final class DataParallelTiming: @unchecked Sendable {
    /// Seconds in combining the chunk gradients (the exchange between ranks, waiting for the slowest rank included,
    /// and the additions of the tree).
    public var communicationSeconds = 0.0
    /// Seconds of the training epochs in all.
    public var trainingSeconds = 0.0
    /// Floats each rank sent per optimizer step, on average.
    public var floatsSentPerStep = 0.0
    /// An empty record.
    public init() {}
}

extension Trainer {
    /// `run(spec:...)` divided among the ranks of `comm` (`fitDataParallel`); the model is built from
    /// `options.seed` on every rank, so every rank starts from the same weights. `epochEnd` and `report` are
    /// called on rank 0 only.
    public static func runDataParallel(spec: NetworkSpec, train: any Dataset, test: any Dataset, options: TrainingOptions,
                                       parallel: DataParallelOptions = DataParallelOptions(), on comm: Communicator = Distributed.world,
                                       timing: DataParallelTiming? = nil,
                                       epochEnd: (TrainingState) throws -> Void = { _ in },
                                       report: (TrainingProgress) -> Void) throws -> (Sequential, TrainingSummary) {
        let (model, readout) = try prepare(spec: spec, train: train, test: test, options: options)
        let summary = try fitDataParallel(model, readout: readout, train: train, test: test, options: options,
                                          parallel: parallel, on: comm, timing: timing, epochEnd: epochEnd, report: report) { steps, batch in
            try checkMemory(spec: spec, steps: steps, batchSize: batch)
        }
        return (model, summary)
    }

    /// Refuses modules whose training result would depend on how a batch is divided: batch normalization
    /// (BatchNorm1d/2d, tdBN, BNTT normalize over the samples they see, so statistics would be per chunk) and
    /// modules with their own random generators (Dropout: each rank would draw from its own copy).
    public static func checkDataParallel(_ model: any Module, path: String = "") throws {
        let name = path.isEmpty ? "the network" : "module '\(path)'"
        if model is BatchNormCore || model is ThresholdDependentBatchNorm2d || model is BatchNormThroughTime2d {
            throw TrainingError("data-parallel training (--chunk or mpirun): \(name) is a batch normalization, whose statistics would be per chunk, not per batch; train it in one process without --chunk")
        }
        if model is RandomStateModule {
            throw TrainingError("data-parallel training (--chunk or mpirun): \(name) draws random numbers (Dropout), which would depend on the number of processes; train it in one process without --chunk")
        }
        for (child, m) in model.children { try checkDataParallel(m, path: path.isEmpty ? child : path + "." + child) }
    }

    /// Trains `model` in place with every global batch divided into chunks of `parallel.chunkSize` samples and the
    /// chunks divided among the ranks of `comm` (contiguous ranges, `ExactReduction.ranges`).
    ///
    /// The global batches are those of the single-process run (the same shuffle of `options.seed` and the epoch);
    /// each rank loads only the samples of its own chunks. A chunk of `n` samples of a batch of `B` contributes the
    /// gradient of `loss(chunk) * n / B` (the batch's mean loss is the sum over chunks); chunk gradients, with the
    /// chunk's loss and hits, are combined by `ExactReduction` (or MPI_Allreduce under `.allreduce`), and every
    /// rank takes the same optimizer step. Stochastic encoders draw per chunk from `(seed, epoch, batch, chunk)`.
    /// With `.exact` the trained weights are the same bits for any number of ranks and threads, and equal to
    /// a single-process call with the same `parallel.chunkSize`.
    ///
    /// Everything else is `fit`'s own loop (`trainEpochs`): the learning-rate schedule, parameter groups without
    /// weight decay, clipping, per-epoch test evaluation (divided among the ranks: `evaluateDistributed`), and
    /// `resume` from a `TrainingState` (written at any number of ranks: chunks do not depend on ranks, so a run
    /// resumed at another rank count gives the bits of the uninterrupted run). `report` and `epochEnd` are called
    /// on rank 0 only. The run's description (options, data sizes and shapes, current weights) is compared across
    /// ranks first (`Distributed.checkSameRun`). Modules with batch normalization or Dropout are refused
    /// (`checkDataParallel`).
    public static func fitDataParallel(_ model: any Module, readout: Readout, train: any Dataset, test: any Dataset,
                                       options: TrainingOptions, parallel: DataParallelOptions = DataParallelOptions(),
                                       on comm: Communicator = Distributed.world, timing: DataParallelTiming? = nil,
                                       resume: TrainingState? = nil,
                                       epochEnd: (TrainingState) throws -> Void = { _ in },
                                       report: (TrainingProgress) -> Void, checkBatch: (Int, Int) throws -> Void = { _, _ in }) throws -> TrainingSummary {
        try options.validate()
        try parallel.validate()
        guard train.count > 0 else { throw TrainingError("training set is empty") }
        guard test.count > 0 else { throw TrainingError("test set is empty") }
        try checkDataParallel(model)
        let params = model.parameters
        try Distributed.checkSameRun(runDescription(params: params, train: train, test: test, options: options, parallel: parallel)
                                     + " resume \(resume?.epochsDone ?? 0)", on: comm)
        let loader = DataLoader(dataset: train, batchSize: options.batchSize, shuffle: true, seed: options.seed, workers: 0)
        let lengths = params.map { $0.value.count }
        let gradLength = lengths.reduce(0, +)
        // Vector of a chunk: the gradients, one "has a gradient" flag per parameter, the chunk's loss * n / B and hits.
        let length = gradLength + params.count + 2
        var communication = 0.0, sent = 0.0, steps = 0
        let summary = try trainEpochs(model, readout: readout, test: test, options: options, resume: resume,
                                      epochEnd: { if comm.isRoot { try epochEnd($0) } },
                                      report: { if comm.isRoot { report($0) } },
                                      runEpoch: { epoch, opt, step in
            let batches = loader.indexBatches(epoch: epoch)
            for (b, batch) in batches.enumerated() {
                let chunks = stride(from: 0, to: batch.count, by: parallel.chunkSize).map {
                    Array(batch[$0..<min($0 + parallel.chunkSize, batch.count)])
                }
                let mine = ExactReduction.ranges(count: chunks.count, ranks: comm.size)[comm.rank]
                // Exact: chunk vectors summed into the rank's tree nodes as they come (about log2 of the chunk count
                // held); allreduce: summed left to right.
                var acc = ExactReduction.Accumulator(range: mine, count: chunks.count)
                var plain: [Float]? = nil
                for c in mine {
                    let part = try loader.batch(indices: chunks[c], epoch: epoch)
                    let x = try options.encode(part.input, epoch: epoch, batch: b &* 65_536 &+ c)
                    try checkBatch(x.shape[0], part.labels.count)
                    opt.zeroGrad()
                    let y = model(Variable(x))
                    let loss = try readout.loss(y, labels: part.labels)
                    let share = Float(part.labels.count) / Float(batch.count)
                    loss.backward(seed: Tensor(shape: loss.shape, scalars: [share]))
                    var v = [Float](repeating: 0, count: length)
                    var offset = 0
                    for (i, p) in params.enumerated() {
                        if let g = p.grad {
                            v.replaceSubrange(offset..<(offset + lengths[i]), with: g.scalars)
                            v[gradLength + i] = 1
                        }
                        offset += lengths[i]
                    }
                    v[length - 2] = loss.value.scalar * share
                    v[length - 1] = try readout.accuracy(y.value, labels: part.labels) * Float(part.labels.count)
                    if parallel.reduction == .exact { acc.add(v) }
                    else if plain == nil { plain = v }
                    else { for i in 0..<length { plain![i] += v[i] } }
                }
                let total: [Float]
                let reduceStart = Date()
                switch parallel.reduction {
                case .exact:
                    total = try ExactReduction.allreduce(acc, length: length, on: comm)
                    sent += Double(acc.blocks.count * length)
                case .allreduce:
                    var s = plain ?? [Float](repeating: 0, count: length)
                    try comm.allreduce(&s)
                    total = s
                    sent += Double(length)
                }
                communication += Date().timeIntervalSince(reduceStart)
                steps += 1
                var offset = 0
                for (i, p) in params.enumerated() {
                    p.grad = total[gradLength + i] > 0
                        ? Tensor(shape: p.value.shape, scalars: Array(total[offset..<(offset + lengths[i])])) : nil
                    offset += lengths[i]
                }
                try step(BatchResult(loss: total[length - 2], hits: total[length - 1], count: batch.count, batches: batches.count))
            }
        }, evaluate: { data in
            try evaluateDistributed(model, readout: readout, data: data, batchSize: 256, options: options, on: comm, checkBatch: checkBatch)
        }, trainData: train)
        if let timing {
            timing.communicationSeconds = communication; timing.trainingSeconds = summary.seconds
            timing.floatsSentPerStep = sent / Double(max(1, steps))
        }
        return summary
    }

    /// `evaluate(_:readout:...)` with the batches divided among the ranks of `comm` (batch `i` on rank
    /// `i % size`); each rank loads only its batches, the per-batch loss and hit sums are gathered and added in
    /// batch order on every rank, so the result is the bits of the single-process `evaluate`.
    public static func evaluateDistributed(_ model: any Module, readout: Readout, data: any Dataset, batchSize: Int,
                                           options: TrainingOptions = TrainingOptions(), on comm: Communicator = Distributed.world,
                                           checkBatch: (Int, Int) throws -> Void = { _, _ in }) throws -> (loss: Float, accuracy: Float) {
        model.setTraining(false)
        defer { model.setTraining(true) }
        let loader = DataLoader(dataset: data, batchSize: batchSize, shuffle: false, workers: 0)
        let batches = loader.indexBatches(epoch: 0)
        var mine: [Float] = []
        try Tape.withoutGradients {
            for b in stride(from: comm.rank, to: batches.count, by: comm.size) {
                let batch = try loader.batch(indices: batches[b], epoch: 0)
                let x = try options.encode(batch.input, epoch: -1, batch: b)
                try checkBatch(x.shape[0], batch.labels.count)
                let y = model(Variable(x))
                let n = Float(batch.labels.count)
                mine.append(try readout.loss(y, labels: batch.labels).value.scalar * n)
                mine.append(try readout.accuracy(y.value, labels: batch.labels) * n)
            }
        }
        let all = try comm.allgather(mine)
        var hits: Float = 0, lossSum: Float = 0
        for b in 0..<batches.count {
            let r = b % comm.size, j = b / comm.size
            lossSum += all[r][2 * j]
            hits += all[r][2 * j + 1]
        }
        let n = Float(max(1, data.count))
        return (lossSum / n, hits / n)
    }

    /// The text every rank of a data-parallel run must agree on: the options, the data sets' sizes, shapes and
    /// classes, and a hash of the initial weights.
    static func runDescription(params: [Variable], train: any Dataset, test: any Dataset, options: TrainingOptions,
                               parallel: DataParallelOptions) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        var weights: UInt64 = 0
        for p in params {
            weights = (weights ^ p.value.scalars.withUnsafeBytes { Distributed.fnv1a($0) }) &* 0x100_0000_01b3
        }
        return String(decoding: try enc.encode(options), as: UTF8.self) + String(decoding: try enc.encode(parallel), as: UTF8.self)
            + " train \(train.count) \(train.stepShape) \(train.classes) test \(test.count) \(test.stepShape) \(test.classes) weights \(weights)"
    }
}
