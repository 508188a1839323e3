import Foundation
import SpikeCore

/// One batch of a `DataLoader`: inputs `[T, B] + stepShape` (time first), labels and where they came from.
public struct Batch: Sendable, Equatable {
    /// The samples stacked along axis 1, zero-padded after each sample's end to `T` (the longest sample of the
    /// batch, or the loader's fixed `steps`).
    public var input: Tensor
    /// The label of each sample, in batch order.
    public var labels: [Int]
    /// The data set index of each sample, in batch order.
    public var indices: [Int]
    /// Each sample's own number of time steps before padding (or truncation to a fixed `steps`).
    public var lengths: [Int]

    /// A batch from its parts (no checks: `DataLoader.batch(indices:epoch:)` makes consistent ones).
    public init(input: Tensor, labels: [Int], indices: [Int], lengths: [Int]) {
        self.input = input; self.labels = labels; self.indices = indices; self.lengths = lengths
    }
}

/// Batches of any `Dataset`, loaded (and transformed, by the data set's own `sample(at:epoch:)`) on
/// background threads while the caller trains.
///
/// - Order: the batches of `BatchIterator(count:batchSize:shuffle:seed:epoch:)`: the identity without
///   shuffling, else a Fisher-Yates permutation by `SeededRandom(seed: seed).split(stream: epoch)`; the last
///   partial batch is kept.
/// - Padding: samples of different lengths are padded with zeros after their end to the longest of the
///   batch (as Tonic's `PadTensors(batch_first=False)`), or, with a fixed `steps`, padded or truncated to
///   exactly `steps`.
/// - Threads: with `workers = 0` every batch is loaded in line by `next()`; with `workers >= 1` that many
///   threads load up to `prefetch` batches ahead. Each batch is built by one thread from
///   `dataset.sample(at:epoch:)` alone, so the batches are identical whatever `workers` is (tested).
///
/// ```swift
/// let loader = DataLoader(dataset: train, batchSize: 32, shuffle: true, seed: 7, workers: 1)
/// for epoch in 0..<epochs {
///     let batches = loader.epoch(epoch)
///     while let batch = try batches.next() { /* batch.input: [T, B] + stepShape */ }
/// }
/// ```
public struct DataLoader: Sendable {
    /// Largest batch the loader builds, in bytes (float32 elements times 4); a bigger one is an error naming
    /// the shape, not an allocation that takes the machine down. A batch must also fit SpikeCore's
    /// `MemoryBudget` (the machine's memory, or `SPIKEKIT_MEMORY_BUDGET`).
    public static let maximumBatchBytes = 8 << 30

    /// The samples.
    public let dataset: any Dataset
    /// Samples per batch (the last batch may be smaller).
    public let batchSize: Int
    /// Whether each epoch's order is shuffled.
    public let shuffle: Bool
    /// Seed of the shuffle.
    public let seed: UInt64
    /// Fixed number of time steps of every batch (pad or truncate), or nil: the longest sample of the batch.
    public let steps: Int?
    /// Background loading threads (0: load in line).
    public let workers: Int
    /// Batches loaded ahead of the consumer (at least 1).
    public let prefetch: Int

    /// A loader over `dataset`. Traps unless `batchSize >= 1`, `steps` is nil or at least 1, `workers >= 0` and
    /// `prefetch >= 1` (programming errors: command-line values are checked before).
    public init(dataset: any Dataset, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, steps: Int? = nil,
                workers: Int = 1, prefetch: Int = 2) {
        precondition(batchSize >= 1, "DataLoader: batchSize must be at least 1, got \(batchSize)")
        precondition(steps.map { $0 >= 1 } ?? true, "DataLoader: steps must be at least 1, got \(steps!)")
        precondition(workers >= 0 && prefetch >= 1, "DataLoader: workers must be >= 0 and prefetch >= 1, got \(workers), \(prefetch)")
        self.dataset = dataset; self.batchSize = batchSize; self.shuffle = shuffle; self.seed = seed
        self.steps = steps; self.workers = workers; self.prefetch = prefetch
    }

    /// Number of batches per epoch.
    public var batchCount: Int { (dataset.count + batchSize - 1) / batchSize }

    /// The index batches of `epoch` (see `BatchIterator`).
    public func indexBatches(epoch: Int) -> [[Int]] {
        Array(BatchIterator(count: dataset.count, batchSize: batchSize, shuffle: shuffle, seed: seed, epoch: epoch))
    }

    /// The batches of `epoch`, loaded ahead on `workers` threads (stopped when the returned object is released).
    public func epoch(_ epoch: Int) -> EpochBatches {
        EpochBatches(loader: self, batches: indexBatches(epoch: epoch), epoch: epoch)
    }

    /// Loads samples `indices` (for `epoch`) as one batch, in line.
    /// - Throws: the data set's errors; `DatasetError.inconsistent` when a sample's shape is not
    ///   `[T] + stepShape` or its label is outside `0..<classes`; `DatasetError.invalidParameter` when the
    ///   batch would exceed `maximumBatchBytes`.
    public func batch(indices: [Int], epoch: Int) throws -> Batch {
        let stepShape = dataset.stepShape
        let stepCount = stepShape.reduce(1, *)
        if steps == nil, let spikes = dataset as? SpikeDataset {
            // Randman: one pass straight into the batch (the same values as the per-sample path).
            let (input, labels) = spikes.batch(indices: indices)
            return Batch(input: input, labels: labels, indices: indices, lengths: indices.map { _ in spikes.steps })
        }
        var samples: [Tensor] = [], labels: [Int] = [], lengths: [Int] = []
        samples.reserveCapacity(indices.count)
        for i in indices {
            let (x, label) = try dataset.sample(at: i, epoch: epoch)
            guard x.rank == stepShape.count + 1, Array(x.shape.dropFirst()) == stepShape else {
                throw DatasetError.inconsistent("sample \(i) has shape \(x.shape), expected [T] + \(stepShape)")
            }
            guard label >= 0, label < dataset.classes else {
                throw DatasetError.inconsistent("sample \(i): label \(label) outside 0..<\(dataset.classes)")
            }
            samples.append(x); labels.append(label); lengths.append(x.shape[0])
        }
        let t = steps ?? (lengths.max() ?? 0)
        let b = indices.count
        guard let elements = MemoryBudget.product([t, b, stepCount]), elements <= Self.maximumBatchBytes / 4 else {
            throw DatasetError.invalidParameter(context: "data loader", parameter: "batch",
                                                requirement: "must fit in DataLoader.maximumBatchBytes (\(Self.maximumBatchBytes) bytes)",
                                                got: "\([t, b] + stepShape)")
        }
        try MemoryBudget.check(bytes: elements * 4, what: "data loader batch \([t, b] + stepShape)")
        var out = [Float](repeating: 0, count: elements)
        out.withUnsafeMutableBufferPointer { o in
            for (j, x) in samples.enumerated() {
                let n = min(t, x.shape[0])
                x.scalars.withUnsafeBufferPointer { s in
                    for step in 0..<n {
                        (o.baseAddress! + (step * b + j) * stepCount)
                            .update(from: s.baseAddress! + step * stepCount, count: stepCount)
                    }
                }
            }
        }
        return Batch(input: Tensor(shape: [t, b] + stepShape, scalars: out), labels: labels, indices: indices, lengths: lengths)
    }
}

/// The batches of one epoch of a `DataLoader`, in order. Background threads (the loader's `workers`) load up to
/// `prefetch` batches ahead; they stop when this object is released, even part-way through the epoch.
public final class EpochBatches: @unchecked Sendable {
    /// The loader.
    public let loader: DataLoader
    /// The epoch.
    public let epoch: Int
    /// The index batches of the epoch, in order.
    public let batches: [[Int]]
    private let state: LoadState
    private var position = 0

    init(loader: DataLoader, batches: [[Int]], epoch: Int) {
        self.loader = loader; self.batches = batches; self.epoch = epoch
        state = LoadState(batches: batches, window: loader.prefetch)
        if loader.workers > 0 {
            for _ in 0..<min(loader.workers, batches.count) {
                let state = self.state, loader = self.loader
                let thread = Thread { state.work(loader: loader, epoch: epoch) }
                thread.name = "spikekit.data-loader"
                thread.start()
            }
        }
    }

    deinit { state.cancel() }

    /// Number of batches of the epoch.
    public var count: Int { batches.count }

    /// The next batch, or nil after the last one. Rethrows the error of loading that batch.
    public func next() throws -> Batch? {
        guard position < batches.count else { return nil }
        defer { position += 1 }
        if loader.workers == 0 { return try loader.batch(indices: batches[position], epoch: epoch) }
        return try state.take(position).get()
    }
}

/// Shared state of the loading threads of an epoch: the next batch to claim, the finished ones, how far the
/// consumer is. Every access holds `condition`.
private final class LoadState: @unchecked Sendable {
    let condition = NSCondition()
    let batches: [[Int]]
    let window: Int
    var nextToClaim = 0
    var consumed = 0
    var results: [Int: Result<Batch, Error>] = [:]
    var cancelled = false

    init(batches: [[Int]], window: Int) { self.batches = batches; self.window = window }

    /// A worker's loop: claim the next batch within the window, load it, publish it.
    func work(loader: DataLoader, epoch: Int) {
        while true {
            condition.lock()
            while !cancelled && nextToClaim < batches.count && nextToClaim >= consumed + window { condition.wait() }
            if cancelled || nextToClaim >= batches.count { condition.unlock(); return }
            let k = nextToClaim
            nextToClaim += 1
            condition.unlock()
            let result = Result { try loader.batch(indices: batches[k], epoch: epoch) }
            condition.lock()
            results[k] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits for batch `k` and hands it over.
    func take(_ k: Int) -> Result<Batch, Error> {
        condition.lock()
        defer { condition.unlock() }
        while results[k] == nil { condition.wait() }
        consumed = k + 1
        condition.broadcast()
        return results.removeValue(forKey: k)!
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
