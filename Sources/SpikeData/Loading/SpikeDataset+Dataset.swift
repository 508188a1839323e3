import SpikeCore

extension SpikeDataset: Dataset {
    /// One time step of a sample is `[units]` spikes.
    public var stepShape: [Int] { [units] }

    /// Sample `index` as its dense spike tensor `[steps, units]` (1 where a unit spikes, else 0), the same
    /// values as row `index` of `batch(indices:)`; `epoch` is unused (Randman has no augmentation). Traps on
    /// an index outside `0..<count`.
    public func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
        precondition(index >= 0 && index < count, "SpikeDataset.sample: index \(index) out of range 0..<\(count)")
        var scalars = [Float](repeating: 0, count: steps * units)
        for (u, t) in spikeSteps[index].enumerated() where t >= 0 { scalars[Int(t) * units + u] = 1 }
        return (Tensor(shape: [steps, units], scalars: scalars), labels[index])
    }
}

extension SpikeDataset {
    /// The data set's analog values as a `Dataset` of one time step per sample (`[1, units]`, each value in
    /// [0, 1]), for encoders that make their own spikes (rate, latency); nil when the data set has no values.
    public var analogValues: AnalogValues? { values == nil ? nil : AnalogValues(base: self) }

    /// The analog values of a `SpikeDataset` as samples `[1, units]` (see `SpikeDataset.analogValues`).
    public struct AnalogValues: Dataset {
        /// The data set whose values these are (it has values).
        public let base: SpikeDataset
        /// Number of samples.
        public var count: Int { base.count }
        /// Number of classes.
        public var classes: Int { base.classes }
        /// `[units]`.
        public var stepShape: [Int] { [base.units] }
        /// Sample `index`'s values as `[1, units]` and its label (`epoch` unused).
        public func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
            precondition(index >= 0 && index < count, "SpikeDataset.AnalogValues: index \(index) out of range 0..<\(count)")
            return (Tensor(shape: [1, base.units], scalars: base.values![index]), base.labels[index])
        }
    }
}
