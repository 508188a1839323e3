import Foundation
import SpikeCore
import SpikeIO

/// The "my own data" path: dense samples `[N, T, ...]` (spikes, frames or analog values) with integer labels
/// `[N]`, in memory or from two `.npy` files (any dtype `NPY` reads; labels must be whole numbers).
///
/// Sample `i` is `inputs[i]` (`[T] + stepShape`) and `labels[i]`. Inputs with only two axes `[N, F]` are
/// read as one time step per sample (`[1, F]`).
public struct TensorDataset: Dataset {
    /// All samples, `[N, T] + stepShape`.
    public let inputs: Tensor
    /// The label of each sample, in `0..<classes`.
    public let labels: [Int]
    /// Number of classes.
    public let classes: Int

    /// Number of samples `N`.
    public var count: Int { labels.count }
    /// Time steps `T` of every sample.
    public var steps: Int { inputs.shape[1] }
    /// The shape of one time step.
    public var stepShape: [Int] { Array(inputs.shape.dropFirst(2)) }

    /// Samples from `inputs` (`[N, T, ...]` or `[N, F]`) and `labels` (`N` whole numbers in `0..<classes`;
    /// `classes` defaults to the largest label plus one, at least 2). `name` names the data in errors.
    /// - Throws: `DatasetError.inconsistent` for a rank below 2, a zero-sized axis, a count mismatch, a
    ///   label that is not a whole number in `0..<classes` or a non-finite input; `DatasetError.empty`.
    public init(inputs: Tensor, labels: Tensor, classes: Int? = nil, name: String = "tensor dataset") throws {
        var inputs = inputs
        guard inputs.rank >= 2 else {
            throw DatasetError.inconsistent("\(name): inputs need at least two axes [N, T, ...], got shape \(inputs.shape)")
        }
        if inputs.rank == 2 { inputs = inputs.reshaped([inputs.shape[0], 1, inputs.shape[1]]) }
        guard inputs.shape[0] > 0 else { throw DatasetError.empty }
        guard !inputs.shape.contains(0) else { throw DatasetError.inconsistent("\(name): inputs have an empty axis, shape \(inputs.shape)") }
        guard labels.rank == 1, labels.count == inputs.shape[0] else {
            throw DatasetError.inconsistent("\(name): \(inputs.shape[0]) samples but labels of shape \(labels.shape) (expected [\(inputs.shape[0])])")
        }
        if let bad = inputs.scalars.firstIndex(where: { !$0.isFinite }) {
            throw DatasetError.inconsistent("\(name): input element \(bad) is \(inputs.scalars[bad])")
        }
        var ints: [Int] = []
        ints.reserveCapacity(labels.count)
        for (i, v) in labels.scalars.enumerated() {
            guard v.isFinite, v == v.rounded(), v >= 0, v < Float(Int32.max) else {
                throw DatasetError.inconsistent("\(name): label \(i) is \(v), expected a whole number >= 0")
            }
            ints.append(Int(v))
        }
        let k = classes ?? max(2, (ints.max() ?? 0) + 1)
        guard k >= 2 else {
            throw DatasetError.invalidParameter(context: name, parameter: "classes", requirement: "must be at least 2", got: "\(k)")
        }
        if let i = ints.firstIndex(where: { $0 >= k }) {
            throw DatasetError.inconsistent("\(name): label \(i) is \(ints[i]), outside 0..<\(k)")
        }
        self.inputs = inputs; self.labels = ints; self.classes = k
    }

    /// Samples from `.npy` files: `inputs` (`[N, T, ...]`) and `labels` (`[N]` integers). Errors name the file.
    public init(inputs inputsURL: URL, labels labelsURL: URL, classes: Int? = nil) throws {
        let x = try NPY.read(from: inputsURL)
        let y = try NPY.read(from: labelsURL)
        do {
            try self.init(inputs: x, labels: y, classes: classes, name: inputsURL.lastPathComponent)
        } catch let e as DatasetError {
            if case .inconsistent(let m) = e, m.contains("label") {
                throw DatasetError.inconsistent("\(labelsURL.lastPathComponent): " + m.replacingOccurrences(of: "\(inputsURL.lastPathComponent): ", with: ""))
            }
            throw e
        }
    }

    /// Sample `index` as `[T] + stepShape` and its label (`epoch` unused). Traps outside `0..<count`.
    public func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
        precondition(index >= 0 && index < count, "TensorDataset.sample: index \(index) out of range 0..<\(count)")
        let per = inputs.count / count
        return (Tensor(shape: Array(inputs.shape.dropFirst()), scalars: Array(inputs.scalars[(index * per)..<((index + 1) * per)])),
                labels[index])
    }
}
