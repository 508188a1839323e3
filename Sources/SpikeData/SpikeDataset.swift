import SpikeCore

/// A labelled data set of spike patterns in which every input unit spikes at most once per sample.
///
/// Each sample is stored compactly as the spike step of every unit (`[Int32]`, `units` values, each in
/// `0..<steps`, or `SpikeDataset.noSpike` (-1) for a unit that stays silent). `batch(indices:)` expands
/// samples into the dense multi-step layout `[T, B, units]` of 0/1 that the networks consume (time first,
/// as SpikingJelly's multi-step mode).
public struct SpikeDataset: Sendable, Equatable {
    /// The spike step of a unit that does not spike.
    public static let noSpike: Int32 = -1

    /// Per sample, the spike step of each unit (`units` values in `0..<steps`, or `noSpike`).
    public let spikeSteps: [[Int32]]
    /// Per sample, its class in `0..<classes`.
    public let labels: [Int]
    /// Number of time steps `T` of a sample.
    public let steps: Int
    /// Number of input units.
    public let units: Int
    /// Number of classes.
    public let classes: Int
    /// Per sample, the analog value of each unit in [0, 1] from which its spike step was derived
    /// (`step = min(Int(value * steps), steps - 1)` for Randman), when the data set has one. Encoders other than
    /// the data set's own spike times (rate, latency, ...) start from these values.
    public let values: [[Float]]?

    /// Number of samples.
    public var count: Int { labels.count }
    /// Whether there are no samples.
    public var isEmpty: Bool { labels.isEmpty }

    /// A data set from spike steps and labels, checked for consistency.
    /// - Throws: `DatasetError.empty` without samples; `DatasetError.invalidParameter` for `steps`, `units`
    ///   or `classes` below 1 (or `steps` above `Int32.max`); `DatasetError.inconsistent` when the counts of
    ///   `spikeSteps` and `labels` differ, a sample does not have `units` steps, a step is outside
    ///   `-1..<steps`, or a label is outside `0..<classes`.
    public init(spikeSteps: [[Int32]], labels: [Int], steps: Int, units: Int, classes: Int) throws {
        func bad(_ p: String, _ v: Int) -> DatasetError {
            .invalidParameter(context: "dataset", parameter: p, requirement: "must be at least 1", got: "\(v)")
        }
        guard steps >= 1 else { throw bad("steps", steps) }
        guard steps <= Int(Int32.max) else {
            throw DatasetError.invalidParameter(context: "dataset", parameter: "steps",
                                                requirement: "must be at most \(Int32.max)", got: "\(steps)")
        }
        guard units >= 1 else { throw bad("units", units) }
        guard classes >= 1 else { throw bad("classes", classes) }
        guard !labels.isEmpty || !spikeSteps.isEmpty else { throw DatasetError.empty }
        guard spikeSteps.count == labels.count else {
            throw DatasetError.inconsistent("\(spikeSteps.count) samples but \(labels.count) labels")
        }
        for (n, sample) in spikeSteps.enumerated() {
            guard sample.count == units else {
                throw DatasetError.inconsistent("sample \(n) has \(sample.count) spike steps, expected \(units) (units)")
            }
            if let u = sample.firstIndex(where: { $0 < Self.noSpike || Int($0) >= steps }) {
                throw DatasetError.inconsistent("sample \(n), unit \(u): spike step \(sample[u]) outside -1..<\(steps)")
            }
        }
        if let n = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw DatasetError.inconsistent("sample \(n): label \(labels[n]) outside 0..<\(classes)")
        }
        self.init(unchecked: spikeSteps, labels: labels, steps: steps, units: units, classes: classes)
    }

    init(unchecked spikeSteps: [[Int32]], labels: [Int], steps: Int, units: Int, classes: Int, values: [[Float]]? = nil) {
        self.values = values
        self.spikeSteps = spikeSteps
        self.labels = labels
        self.steps = steps
        self.units = units
        self.classes = classes
    }

    /// The samples at `indices` (in that order, repeats allowed) as a dense spike tensor of shape
    /// `[steps, indices.count, units]`: element `[t, b, u]` is 1 exactly when unit `u` of sample
    /// `indices[b]` spikes at step `t`, else 0; and their labels. Traps on an index outside `0..<count`.
    public func batch(indices: [Int]) -> (spikes: Tensor, labels: [Int]) {
        let b = indices.count
        var scalars = [Float](repeating: 0, count: steps * b * units)
        var batchLabels = [Int]()
        batchLabels.reserveCapacity(b)
        scalars.withUnsafeMutableBufferPointer { out in
            for (j, n) in indices.enumerated() {
                precondition(n >= 0 && n < count, "SpikeDataset.batch: index \(n) out of range 0..<\(count)")
                batchLabels.append(labels[n])
                spikeSteps[n].withUnsafeBufferPointer { sample in
                    for u in 0..<units {
                        let t = Int(sample[u])
                        if t >= 0 { out[(t * b + j) * units + u] = 1 }
                    }
                }
            }
        }
        return (Tensor(shape: [steps, b, units], scalars: scalars), batchLabels)
    }

    /// The samples at `indices`, in that order (repeats allowed), with the same `steps`, `units` and
    /// `classes`. Traps on an index outside `0..<count`.
    /// The analog values of samples `indices` as `[B, units]`, with their labels; nil when the data set has
    /// no values.
    public func batchValues(indices: [Int]) -> (values: Tensor, labels: [Int])? {
        guard let values else { return nil }
        var scalars: [Float] = []
        scalars.reserveCapacity(indices.count * units)
        for n in indices {
            precondition(n >= 0 && n < count, "SpikeDataset.batchValues: index \(n) out of range 0..<\(count)")
            scalars += values[n]
        }
        return (Tensor(shape: [indices.count, units], scalars: scalars), indices.map { labels[$0] })
    }

    public func subset(indices: [Int]) -> SpikeDataset {
        for n in indices { precondition(n >= 0 && n < count, "SpikeDataset.subset: index \(n) out of range 0..<\(count)") }
        return SpikeDataset(unchecked: indices.map { spikeSteps[$0] }, labels: indices.map { labels[$0] },
                            steps: steps, units: units, classes: classes, values: values.map { v in indices.map { v[$0] } })
    }

    /// Splits into the first `round(count * trainFraction)` samples (train) and the rest (test), keeping the
    /// order (no shuffling beyond the data set's own). `trainFraction` must be in `[0, 1]` (traps otherwise);
    /// a part may be empty (e.g. `trainFraction = 1` gives an empty test set).
    public func split(trainFraction: Double) -> (train: SpikeDataset, test: SpikeDataset) {
        precondition(trainFraction >= 0 && trainFraction <= 1,
                     "SpikeDataset.split: trainFraction must be in [0, 1], got \(trainFraction)")
        let nTrain = min(count, max(0, Int((Double(count) * trainFraction).rounded())))
        let train = SpikeDataset(unchecked: Array(spikeSteps[..<nTrain]), labels: Array(labels[..<nTrain]),
                                 steps: steps, units: units, classes: classes, values: values.map { Array($0[..<nTrain]) })
        let test = SpikeDataset(unchecked: Array(spikeSteps[nTrain...]), labels: Array(labels[nTrain...]),
                                steps: steps, units: units, classes: classes, values: values.map { Array($0[nTrain...]) })
        return (train, test)
    }

    /// Number of samples of each class (`classes` counts).
    public var classCounts: [Int] {
        var c = [Int](repeating: 0, count: classes)
        for l in labels { c[l] += 1 }
        return c
    }
}
