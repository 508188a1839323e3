import SpikeCore

/// The samples of another data set at chosen indices, in that order (a train/test split of a data set that
/// has no split of its own).
public struct DatasetSubset: Dataset {
    /// The data set the samples come from.
    public let base: any Dataset
    /// Indices into `base` of samples `0..<count`.
    public let indices: [Int]

    /// Samples `indices` of `base`; traps on an index outside `0..<base.count` (a programming error).
    public init(_ base: any Dataset, indices: [Int]) {
        for i in indices { precondition(i >= 0 && i < base.count, "DatasetSubset: index \(i) out of range 0..<\(base.count)") }
        self.base = base
        self.indices = indices
    }

    /// Number of samples.
    public var count: Int { indices.count }
    /// The base's classes.
    public var classes: Int { base.classes }
    /// The base's step shape.
    public var stepShape: [Int] { base.stepShape }
    /// Sample `indices[index]` of the base.
    public func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
        try base.sample(at: indices[index], epoch: epoch)
    }

    /// The first `round(count * trainFraction)` samples of `base` and the rest, in order (as
    /// `SpikeDataset.split(trainFraction:)`); `trainFraction` must be in [0, 1] (traps otherwise).
    public static func split(_ base: any Dataset, trainFraction: Double) -> (train: DatasetSubset, test: DatasetSubset) {
        precondition(trainFraction >= 0 && trainFraction <= 1, "DatasetSubset.split: trainFraction must be in [0, 1], got \(trainFraction)")
        let n = min(base.count, max(0, Int((Double(base.count) * trainFraction).rounded())))
        return (DatasetSubset(base, indices: Array(0..<n)), DatasetSubset(base, indices: Array(n..<base.count)))
    }
}
