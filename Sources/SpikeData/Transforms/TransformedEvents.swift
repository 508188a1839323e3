import SpikeCore

extension EventDataset {
    /// Whether the recordings have a row coordinate. Default true (cameras); a data set of one-dimensional
    /// recordings (SHD, SSC: `hasY == false` in their streams) should return false, so that
    /// `TransformedEvents.stepShape` is `[P, W]`-based as the tensors are.
    public var hasY: Bool { true }
}

/// A data set of event recordings seen through a pipeline: sample `i` of epoch `e` is
/// `pipeline.representation(pipeline.transforms(base.events(at: i)))` with the label of recording `i`, as a
/// Tonic dataset with `transform=Compose([...])` gives it.
///
/// Random transforms draw from `SeededRandom(seed: seed).split(stream: e).split(stream: i)` (epoch and index
/// as `UInt64` bit patterns): the same seed, epoch and index give the same tensor whatever thread computes it
/// and in whatever order samples are read, and another epoch gives other augmentations.
public struct TransformedEvents<Base: EventDataset>: Dataset {
    /// The raw recordings.
    public let base: Base
    /// The transforms and the representation applied to each recording.
    public let pipeline: EventPipeline
    /// The seed of the random transforms.
    public let seed: UInt64

    /// `base` through `pipeline`, random transforms seeded by `seed` (default 0).
    public init(_ base: Base, pipeline: EventPipeline, seed: UInt64 = 0) {
        self.base = base
        self.pipeline = pipeline
        self.seed = seed
    }

    /// The number of recordings.
    public var count: Int { base.count }
    /// The base's classes.
    public var classes: Int { base.classes }

    /// The representation's step shape for the sensor after the transforms (crops, downsampling and merged
    /// polarities change it), e.g. `[2, 34, 34]` for N-MNIST frames, `[1, 700]` for SHD frames and `[700]`
    /// for SHD frames flattened.
    public var stepShape: [Int] { pipeline.stepShape(for: base.sensorSize, hasY: base.hasY) }

    /// The generator that sample `index` of `epoch` draws from.
    public func random(index: Int, epoch: Int) -> SeededRandom {
        SeededRandom(seed: seed).split(stream: UInt64(bitPattern: Int64(epoch))).split(stream: UInt64(bitPattern: Int64(index)))
    }

    /// Recording `index` through the pipeline, and its label. Throws the base's errors, the transforms'
    /// errors, and `DatasetError.inconsistent` when the tensor's step shape is not `stepShape` (a recording on
    /// another sensor than the data set's).
    public func sample(at index: Int, epoch: Int) throws -> (input: Tensor, label: Int) {
        let recording = try base.events(at: index)
        var rng = random(index: index, epoch: epoch)
        let x = try pipeline.tensor(from: recording.events, rng: &rng)
        guard Array(x.shape.dropFirst()) == stepShape else {
            throw DatasetError.inconsistent("sample \(index): step shape \(Array(x.shape.dropFirst())) after \(pipeline), expected \(stepShape) (sensor \(recording.events.sensorSize) of the recording, \(base.sensorSize) of the data set)")
        }
        return (x, recording.label)
    }
}
