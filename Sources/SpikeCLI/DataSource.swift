import ArgumentParser
import Foundation
import SpikeKit

/// Which data a network is trained on, by value: enough to load the same train and test sets again
/// (`spike eval`), stored in checkpoints next to the network (`spikekit.data`).
public struct DataSpec: Codable, Equatable, Sendable {
    /// Data set id: one of `DataSpec.names`.
    public var name: String
    /// Folder (or inputs file for "npy").
    public var path: String?
    /// Labels file ("npy").
    public var labels: String?
    /// Randman's parameters ("randman").
    public var randman: RandmanConfig?
    /// Event frames: Tonic's `n_time_bins`.
    public var frames: Int?
    /// Event frames: Tonic's `time_window` (µs).
    public var timeWindow: Double?
    /// Event frames: Tonic's `event_count`.
    public var eventCount: Int?
    /// Event frames: Tonic's `overlap`.
    public var overlap: Double?
    /// Spatial downsampling factor of the events (Tonic's `Downsample(spatial_factor:)`), in (0, 1].
    public var downsample: Double?
    /// Tonic's `Denoise(filter_time:)` in µs.
    public var denoise: Double?
    /// `CenterCrop` to `[width, height]`.
    public var crop: [Int]?
    /// Seed of the train/test split of data sets without their own ("npy", "ncaltech101").
    public var splitSeed: UInt64?

    /// Every data set `spike train --dataset` knows.
    public static let names = ["randman", "mnist", "fashion-mnist", "kmnist", "nmnist", "ncaltech101", "dvsgesture", "cifar10dvs",
                               "shd", "ssc", "npy"]
    /// The event data sets (frame options apply).
    public static let eventNames: Set<String> = ["nmnist", "ncaltech101", "dvsgesture", "cifar10dvs", "shd", "ssc"]
    /// Training-set augmentations: `RandomFlipLR` probability.
    public var flipLR: Double?
    /// Training-set augmentations: `DropEvent` probability.
    public var dropEvent: Double?
    /// Folder of a disk cache of the framed samples (`DiskCachedDataset`), or nil.
    public var cache: String?
    /// Seed of the random augmentations (set from the training seed).
    public var augmentSeed: UInt64?

    /// A spec of data set `name` with nothing else set.
    public init(name: String) { self.name = name }

    /// Whether this is an event data set.
    public var isEvents: Bool { Self.eventNames.contains(name) }

    /// Checks the names and numbers; throws a one-line `CLIError`.
    public func validate() throws {
        guard Self.names.contains(name) else {
            throw CLIError("unknown dataset '\(name)' (known: \(Self.names.joined(separator: ", ")))")
        }
        if name != "randman", path == nil { throw CLIError("--dataset \(name) needs --data PATH") }
        if name == "npy", labels == nil { throw CLIError("--dataset npy needs --labels LABELS.npy next to --data INPUTS.npy") }
        if name != "npy", labels != nil { throw CLIError("--labels applies to --dataset npy only") }
        let frameOptions = [frames != nil ? "--frames" : nil, timeWindow != nil ? "--time-window" : nil,
                            eventCount != nil ? "--event-count" : nil].compactMap { $0 }
        let eventOptions = frameOptions + [overlap != nil ? "--overlap" : nil, downsample != nil ? "--downsample" : nil,
                                           denoise != nil ? "--denoise" : nil, crop != nil ? "--crop" : nil,
                                           flipLR != nil ? "--flip-lr" : nil, dropEvent != nil ? "--drop-event" : nil,
                                           cache != nil ? "--cache" : nil].compactMap { $0 }
        if !isEvents, let o = eventOptions.first { throw CLIError("\(o) applies to event data sets (\(Self.eventNames.sorted().joined(separator: ", "))), not '\(name)'") }
        guard frameOptions.count <= 1 else { throw CLIError("give one of --frames, --time-window, --event-count (got \(frameOptions.joined(separator: " and ")))") }
        if let f = frames, !(1...100_000).contains(f) { throw CLIError("--frames must be in 1...100000, got \(f)") }
        if let w = timeWindow, !(w.isFinite && w > 0 && w <= 1e12) { throw CLIError("--time-window must be a positive number of µs up to 1e12, got \(w)") }
        if let c = eventCount, !(1...1_000_000_000).contains(c) { throw CLIError("--event-count must be in 1...1000000000, got \(c)") }
        if let d = downsample, !(d.isFinite && d > 0 && d <= 1) { throw CLIError("--downsample must be a factor in (0, 1], got \(d)") }
        if let d = denoise, !(d.isFinite && d > 0 && d <= 1e12) { throw CLIError("--denoise must be a positive filter time in µs up to 1e12, got \(d)") }
        for (o, v) in [("--flip-lr", flipLR), ("--drop-event", dropEvent)] {
            if let v, !(v >= 0 && v <= 1) { throw CLIError("\(o) must be a probability in [0, 1], got \(v)") }
        }
        if cache != nil, flipLR != nil || dropEvent != nil {
            throw CLIError("--cache keeps one version of each sample; it cannot be combined with the random --flip-lr or --drop-event")
        }
        if ["shd", "ssc"].contains(name), crop != nil || flipLR != nil { throw CLIError("--crop and --flip-lr apply to camera data sets, not '\(name)'") }
        if let c = crop, !(c.count == 2 && c.allSatisfy { (1...100_000).contains($0) }) {
            throw CLIError("--crop expects W,H (positive sizes), got \(c.map(String.init).joined(separator: ","))")
        }
    }

    /// The frame representation (default: 10 time bins, Tonic's `ToFrame(n_time_bins=10)`).
    func toFrame() throws -> ToFrame {
        do {
            if let w = timeWindow { return try ToFrame(timeWindow: w, overlap: overlap ?? 0) }
            if let c = eventCount { return try ToFrame(eventCount: c, overlap: overlap ?? 0) }
            return try ToFrame(nTimeBins: frames ?? 10, overlap: overlap ?? 0)
        } catch { throw CLIError("frame options: \(error)") }
    }

    /// The event transforms before framing, in this order: denoise, downsample, center crop (in downsampled
    /// coordinates), then for the training set the augmentations (flip, drop).
    func eventTransforms(training: Bool) throws -> [any EventTransform] {
        var out: [any EventTransform] = []
        do {
            if let d = denoise { out.append(try Denoise(filterTime: d)) }
            if let f = downsample { out.append(try Downsample(spatialFactor: f)) }
            if let c = crop { out.append(try CenterCrop(width: c[0], height: c[1])) }
            if training, let p = flipLR { out.append(try RandomFlipLR(p: p)) }
            if training, let p = dropEvent { out.append(try DropEvent(p: p)) }
        } catch { throw CLIError("event transforms: \(error)") }
        return out
    }

    /// The train and test sets, loaded (file lists read, nothing framed yet).
    /// - Throws: one-line errors naming the missing or invalid files.
    public func load(trainFraction: Double) throws -> (train: any Dataset, test: any Dataset, summary: String) {
        try validate()
        let root = path ?? ""
        func mnist(_ v: MNIST.Variant) throws -> (any Dataset, any Dataset, String) {
            let tr = try MNIST(root: root, train: true, variant: v), te = try MNIST(root: root, train: false, variant: v)
            return (tr, te, "\(v.displayName): \(tr.count) train, \(te.count) test images \(tr.rows)x\(tr.columns), 10 classes")
        }
        func events(_ train: any EventDataset, _ test: any EventDataset, _ display: String) throws -> (any Dataset, any Dataset, String) {
            let frame = try toFrame()
            // One-dimensional sensors (SHD, SSC): frames [T, 1, 700] flattened to [T, 700].
            let representation: any EventRepresentation = train.hasY ? frame : frame.flattened()
            let trainPipeline = EventPipeline(try eventTransforms(training: true), representation: representation)
            let testPipeline = EventPipeline(try eventTransforms(training: false), representation: representation)
            var tr = Self.transformed(train, trainPipeline, seed: augmentSeed ?? 0)
            var te = Self.transformed(test, testPipeline, seed: 0)
            if let cache {
                let key = "\(name)|\(path ?? "")|\(testPipeline)"
                tr = try DiskCachedDataset(base: tr, folder: URL(fileURLWithPath: cache).appendingPathComponent("train"), key: key)
                te = try DiskCachedDataset(base: te, folder: URL(fileURLWithPath: cache).appendingPathComponent("test"), key: key)
            }
            return (tr, te, "\(display): \(tr.count) train, \(te.count) test recordings, sensor \(train.sensorSize), \(train.classes) classes; \(trainPipeline.transforms.transforms.isEmpty ? "" : "\(trainPipeline.transforms), ")\(representation), steps of \(tr.stepShape)")
        }
        func heidelberg(_ display: String, _ make: (String) throws -> any EventDataset) throws -> (any Dataset, any Dataset, String) {
            let prefix = name   // shd_train.h5, shd_test.h5 / ssc_train.h5, ssc_test.h5
            let tr = try make(joinPath(root, "\(prefix)_train.h5")), te = try make(joinPath(root, "\(prefix)_test.h5"))
            return try events(tr, te, display)
        }
        switch name {
        case "randman":
            let config = randman ?? RandmanConfig()
            let full = try SpikeDataset.randman(config)
            let (tr, te) = full.split(trainFraction: trainFraction)
            return (tr, te, "randman: \(full.count) samples (\(tr.count) train, \(te.count) test), \(config.classes) classes, \(config.units) units, \(config.steps) steps")
        case "mnist": return try mnist(.mnist)
        case "fashion-mnist": return try mnist(.fashionMNIST)
        case "kmnist": return try mnist(.kmnist)
        case "nmnist": return try events(try NMNIST(root: root, train: true), try NMNIST(root: root, train: false), "N-MNIST")
        case "ncaltech101":
            let all = try NCaltech101(root: root)
            let (tr, te) = Self.shuffledSplit(count: all.count, trainFraction: trainFraction, seed: splitSeed ?? 0)
            return try events(EventSubset(base: all, indices: tr), EventSubset(base: all, indices: te), "N-Caltech101")
        case "dvsgesture": return try events(try DVSGesture(root: root, train: true), try DVSGesture(root: root, train: false), "DVS128 Gesture")
        case "cifar10dvs":
            let all = try CIFAR10DVS(root: root)
            let (tr, te) = all.split(trainRatio: trainFraction)
            return try events(EventSubset(base: all, indices: tr), EventSubset(base: all, indices: te), "CIFAR10-DVS")
        case "shd": return try heidelberg("SHD") { try SHD(file: $0) }
        case "ssc": return try heidelberg("SSC") { try SSC(file: $0) }
        default:   // npy
            let data = try TensorDataset(inputs: URL(fileURLWithPath: root), labels: URL(fileURLWithPath: labels!))
            let (tr, te) = Self.shuffledSplit(count: data.count, trainFraction: trainFraction, seed: splitSeed ?? 0)
            guard !tr.isEmpty, !te.isEmpty else { throw CLIError("\(root): \(data.count) samples are too few to split into train and test sets") }
            return (DatasetSubset(data, indices: tr), DatasetSubset(data, indices: te),
                    "npy: \(data.count) samples (\(tr.count) train, \(te.count) test), \(data.classes) classes, \(data.steps) steps of \(data.stepShape)")
        }
    }

    /// A seeded permutation of `0..<count` split into `round(count * trainFraction)` train indices and the
    /// rest (for data sets stored in class order).
    static func shuffledSplit(count: Int, trainFraction: Double, seed: UInt64) -> (train: [Int], test: [Int]) {
        var order = Array(0..<count)
        var rng = SeededRandom(seed: seed ^ 0x5B117)
        rng.shuffle(&order)
        let n = min(count, max(0, Int((Double(count) * trainFraction).rounded())))
        return (Array(order[..<n]), Array(order[n...]))
    }
}

/// Recordings of an event data set at chosen indices (a split of a data set without its own).
struct EventSubset: EventDataset {
    let base: any EventDataset
    let indices: [Int]
    var hasY: Bool { base.hasY }
    var count: Int { indices.count }
    var classes: Int { base.classes }
    var sensorSize: SensorSize { base.sensorSize }
    func events(at index: Int) throws -> LabeledEvents { try base.events(at: indices[index]) }
}

extension DataSpec {
    /// `TransformedEvents` of an existential event data set.
    static func transformed(_ base: any EventDataset, _ pipeline: EventPipeline, seed: UInt64) -> any Dataset {
        func make<B: EventDataset>(_ b: B) -> any Dataset { TransformedEvents(b, pipeline: pipeline, seed: seed) }
        return make(base)
    }
}

/// The frame and event-transform options shared by `spike train`, `spike data` and `spike bench data`.
struct FrameOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Event frames: number of time bins (Tonic's n_time_bins; the default, 10, when no other framing is given).") var frames: Int?
    @Option(parsing: .unconditional, help: "Event frames: time window in µs (Tonic's time_window; samples of different lengths are zero-padded).") var timeWindow: Double?
    @Option(parsing: .unconditional, help: "Event frames: events per frame (Tonic's event_count).") var eventCount: Int?
    @Option(parsing: .unconditional, help: "Event frames: overlap (µs for --time-window, events for --event-count, a fraction for --frames).") var overlap: Double?
    @Option(parsing: .unconditional, help: "Event transform: spatial downsampling factor in (0, 1] (Tonic's Downsample).") var downsample: Double?
    @Option(parsing: .unconditional, help: "Event transform: denoise filter time in µs (Tonic's Denoise).") var denoise: Double?
    @Option(help: "Event transform: center crop to W,H (after --downsample).") var crop: String?
    @Option(parsing: .unconditional, help: "Training augmentation: flip left-right with this probability (Tonic's RandomFlipLR).") var flipLR: Double?
    @Option(parsing: .unconditional, help: "Training augmentation: drop each event with this probability (Tonic's DropEvent).") var dropEvent: Double?
    @Option(help: "Cache the framed samples in this folder (as Tonic's DiskCachedDataset; a changed transform is noticed).") var cache: String?

    /// `spec` with these options set, checked.
    func apply(to spec: DataSpec) throws -> DataSpec {
        var s = spec
        s.frames = frames; s.timeWindow = timeWindow; s.eventCount = eventCount
        s.overlap = overlap; s.downsample = downsample; s.denoise = denoise
        s.flipLR = flipLR; s.dropEvent = dropEvent; s.cache = cache
        if let crop {
            let parts = crop.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let w = parts[0], let h = parts[1] else { throw CLIError("--crop expects W,H, got '\(crop)'") }
            s.crop = [w, h]
        }
        try s.validate()
        return s
    }
}

/// The `--dataset`, `--data` and `--labels` options of `spike train`, with the frame options.
struct DataOptions: ParsableArguments {
    @Option(help: "Dataset: \(DataSpec.names.joined(separator: ", ")) (randman: generated, nothing to download).") var dataset = "randman"
    @Option(help: "Data folder (inputs .npy for --dataset npy).") var data: String?
    @Option(help: "Labels .npy (integers) for --dataset npy.") var labels: String?
    @OptionGroup var frameOptions: FrameOptions

    /// The spec of these options (Randman's parameters are set by the caller).
    func spec() throws -> DataSpec {
        var s = DataSpec(name: dataset)
        s.path = data; s.labels = labels
        return try frameOptions.apply(to: s)
    }
}

/// `folder/name`.
func joinPath(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
