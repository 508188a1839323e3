import SpikeCore

/// A labelled data set that training and evaluation read sample by sample.
///
/// Sample `i` is an input tensor whose leading axis is time, `[T, ...]` (`T` may differ between samples
/// of variable length; the batch loader pads), and a class label in `0..<classes`. `epoch` lets random
/// augmentations differ between epochs while staying reproducible: a conforming type must return the same
/// tensor for the same `(index, epoch)` whatever thread calls it and in whatever order, so loading can run
/// on background threads without changing results.
///
/// Randman (`SpikeDataset`), the event and frame formats of SpikeData, and user tensors conform.
public protocol Dataset: Sendable {
    /// Number of samples.
    var count: Int { get }
    /// Number of classes; labels are in `0..<classes`.
    var classes: Int { get }
    /// Shape of one time step of a sample (`[units]`, or `[C, H, W]` for frames).
    var stepShape: [Int] { get }
    /// Sample `index` as `[T] + stepShape` and its label. Throws on unreadable or invalid data (a file's
    /// error names the file); an index outside `0..<count` traps.
    func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int)
}

/// A data set of raw event recordings (before any transform), as Tonic's dataset classes return them.
public protocol EventDataset: Sendable {
    /// Number of recordings.
    var count: Int { get }
    /// Number of classes; labels are in `0..<classes`.
    var classes: Int { get }
    /// The sensor all recordings come from.
    var sensorSize: SensorSize { get }
    /// Whether the recordings have a row coordinate: false for one-dimensional sensors (SHD, SSC), whose
    /// frames are `[T, P, W]`. Defaults to true (an extension in Transforms/TransformedEvents.swift).
    var hasY: Bool { get }
    /// Recording `index` and its label. Throws on an unreadable or invalid file (the error names it); an
    /// index outside `0..<count` traps.
    func events(at index: Int) throws -> LabeledEvents
}
