import SpikeCore

/// The index batches of one epoch over `count` samples: consecutive runs of `batchSize` indices of a
/// permutation of `0..<count`, the last (partial) batch kept. Every index appears exactly once per epoch.
///
/// Without shuffling the permutation is the identity. With shuffling it is a Fisher-Yates shuffle
/// (`SeededRandom.shuffle`) by `SeededRandom(seed: seed).split(stream: UInt64(epoch))`, so it depends only
/// on `(count, seed, epoch)`: the same arguments give the same batches, other epochs other orders.
///
/// ```swift
/// for epoch in 0..<epochs {
///     for indices in BatchIterator(count: train.count, batchSize: 32, shuffle: true, seed: 7, epoch: epoch) {
///         let (spikes, labels) = train.batch(indices: indices)   // spikes: [T, B, units]
///     }
/// }
/// ```
public struct BatchIterator: Sequence, Sendable {
    /// Number of samples in the epoch.
    public let count: Int
    /// Samples per batch (the last batch may be smaller).
    public let batchSize: Int
    /// Whether the order is shuffled.
    public let shuffle: Bool
    /// Seed of the shuffle (unused without shuffling).
    public let seed: UInt64
    /// Epoch number, selecting the shuffle's sub-stream (unused without shuffling).
    public let epoch: Int
    /// The epoch's order of sample indices (a permutation of `0..<count`).
    public let order: [Int]

    /// Batches over `0..<count`. Traps unless `count >= 0`, `batchSize >= 1` and `epoch >= 0`.
    /// Defaults: `shuffle = true`, `seed = 0`, `epoch = 0`.
    public init(count: Int, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, epoch: Int = 0) {
        precondition(count >= 0, "BatchIterator: count must be >= 0, got \(count)")
        precondition(batchSize >= 1, "BatchIterator: batchSize must be at least 1, got \(batchSize)")
        precondition(epoch >= 0, "BatchIterator: epoch must be >= 0, got \(epoch)")
        self.count = count
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = epoch
        var order = Array(0..<count)
        if shuffle {
            var rng = SeededRandom(seed: seed).split(stream: UInt64(epoch))
            rng.shuffle(&order)
        }
        self.order = order
    }

    /// Batches over the samples of `dataset` (see `init(count:batchSize:shuffle:seed:epoch:)`).
    public init(dataset: SpikeDataset, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, epoch: Int = 0) {
        self.init(count: dataset.count, batchSize: batchSize, shuffle: shuffle, seed: seed, epoch: epoch)
    }

    /// Number of batches, `ceil(count / batchSize)`.
    public var batchCount: Int { count == 0 ? 0 : (count - 1) / batchSize + 1 }   // no overflow for huge batch sizes

    /// Equals `batchCount`.
    public var underestimatedCount: Int { batchCount }

    /// Walks the batches of an epoch.
    public struct Iterator: IteratorProtocol, Sendable {
        let order: [Int]
        let batchSize: Int
        var position = 0

        /// The next batch of indices, or `nil` after the last one.
        public mutating func next() -> [Int]? {
            guard position < order.count else { return nil }
            let end = Swift.min(order.count, position + batchSize)
            defer { position = end }
            return Array(order[position..<end])
        }
    }

    /// An iterator from the first batch.
    public func makeIterator() -> Iterator { Iterator(order: order, batchSize: batchSize) }
}
