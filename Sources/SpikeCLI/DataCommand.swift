import ArgumentParser
import Foundation
import SpikeKit

/// `spike data`: look at a data set as SpikeKit reads it.
public struct DataCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "data",
        abstract: "Inspect data sets: what a folder holds, and samples exactly as training sees them.",
        subcommands: [DataInfo.self, DataFrames.self, DataGenerate.self])
    public init() {}
}

extension DataSpec {
    /// The data set in `path` when `name` is nil: a `.npy` file is "npy"; a folder with MNIST's IDX files
    /// "mnist" (or "fashion-mnist"/"kmnist" in torchvision's folders); one with `Train/` or `NMNIST/Train/`
    /// "nmnist"; one with `Caltech101/` "ncaltech101".
    static func detect(_ path: String, name: String?) throws -> DataSpec {
        if let name { var s = DataSpec(name: name); s.path = path; return s }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw CLIError("\(path): no such file or folder") }
        func has(_ p: String) -> Bool { fm.fileExists(atPath: (path as NSString).appendingPathComponent(p)) }
        var s = DataSpec(name: "npy")
        s.path = path
        if !isDir.boolValue {
            guard path.hasSuffix(".npy") else { throw CLIError("\(path): cannot tell the data set from the file; give --dataset (known: \(DataSpec.names.joined(separator: ", ")))") }
            return s
        }
        if has("train-images-idx3-ubyte") || has("train-images-idx3-ubyte.gz") || has("MNIST/raw") { s.name = "mnist" }
        else if has("FashionMNIST/raw") { s.name = "fashion-mnist" }
        else if has("KMNIST/raw") { s.name = "kmnist" }
        else if has("Train") || has("Test") || has("NMNIST") { s.name = "nmnist" }
        else if has("Caltech101") || has("NCALTECH101") { s.name = "ncaltech101" }
        else if has("DvsGesture") || has("ibmGestureTrain") || has("trials_to_train.txt") { s.name = "dvsgesture" }
        else if has("airplane") || has("CIFAR10DVS") { s.name = "cifar10dvs" }
        else if has("shd_train.h5") { s.name = "shd" }
        else if has("ssc_train.h5") { s.name = "ssc" }
        else { throw CLIError("\(path): cannot tell the data set from the folder; give --dataset (known: \(DataSpec.names.joined(separator: ", ")))") }
        return s
    }

    /// The raw recordings of an event data set (train split, or all for data sets without one), else nil.
    func eventRecordings(train: Bool) throws -> (any EventDataset)? {
        let root = path ?? ""
        switch name {
        case "nmnist": return try NMNIST(root: root, train: train)
        case "ncaltech101":
            let all = try NCaltech101(root: root)
            let (tr, te) = Self.shuffledSplit(count: all.count, trainFraction: 0.8, seed: splitSeed ?? 0)
            return EventSubset(base: all, indices: train ? tr : te)
        case "dvsgesture": return try DVSGesture(root: root, train: train)
        case "cifar10dvs":
            let all = try CIFAR10DVS(root: root)
            let (tr, te) = all.split(trainRatio: 0.8)
            return EventSubset(base: all, indices: train ? tr : te)
        case "shd": return (try SHD(file: joinPath(root, train ? "shd_train.h5" : "shd_test.h5")))
        case "ssc": return (try SSC(file: joinPath(root, train ? "ssc_train.h5" : "ssc_test.h5")))
        default: return nil
        }
    }
}

/// `spike data info PATH`: format, samples, classes, sensor size, duration and event rate.
struct DataInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info",
        abstract: "What a data set folder (or .npy file) holds: format, samples, classes, sensor size, duration, event rate.")
    @Argument(help: "Data folder, or inputs .npy.") var path: String
    @Option(help: "Data set (default: told from the folder): \(DataSpec.names.filter { $0 != "randman" }.joined(separator: ", ")).") var dataset: String?
    @Option(help: "Labels .npy for an inputs .npy.") var labels: String?
    @Option(parsing: .unconditional, help: "Recordings read for the duration and event statistics (event data sets).") var limit = 200
    @Flag(help: "Print one line of JSON.") var json = false

    struct Info: Encodable {
        var dataset: String, format: String, path: String
        var trainSamples: Int, testSamples: Int, classes: Int
        var stepShape: [Int]?, sensorSize: [Int]?
        var recordingsMeasured: Int?, meanDurationMs: Double?, minDurationMs: Double?, maxDurationMs: Double?
        var meanEvents: Double?, eventsPerSecond: Double?
    }

    func run() throws {
        guard (1...10_000_000).contains(limit) else { throw CLIError("--limit must be in 1...10000000, got \(limit)") }
        var spec = try DataSpec.detect(path, name: dataset)
        spec.labels = labels
        if spec.name == "npy", labels == nil { throw CLIError("\(path): an inputs .npy needs --labels LABELS.npy") }
        try spec.validate()
        guard spec.name != "randman" else { throw CLIError("randman is generated, not read from files; see spike train --help") }
        let formats = ["mnist": "IDX (MNIST)", "fashion-mnist": "IDX (Fashion-MNIST)", "kmnist": "IDX (KMNIST)",
                       "nmnist": "ATIS binary (N-MNIST)", "ncaltech101": "ATIS binary (N-Caltech101)", "npy": "NumPy .npy tensors",
                       "dvsgesture": "AEDAT 3.1 (DVS128 Gesture)", "cifar10dvs": "AEDAT 2.0 (CIFAR10-DVS)",
                       "shd": "HDF5 (SHD spike trains)", "ssc": "HDF5 (SSC spike trains)"]
        var info: Info
        if let train = try spec.eventRecordings(train: true), let test = try spec.eventRecordings(train: false) {
            let s = train.sensorSize
            info = Info(dataset: spec.name, format: formats[spec.name]!, path: path, trainSamples: train.count, testSamples: test.count,
                        classes: train.classes, stepShape: nil, sensorSize: [s.width, s.height, s.polarities])
            let n = min(limit, train.count)
            var durations: [Double] = [], events = 0
            for i in 0..<n {
                let e = try train.events(at: i).events
                events += e.count
                if let lo = e.t.min(), let hi = e.t.max() { durations.append(Double(hi - lo) / 1000) }
            }
            let total = durations.reduce(0, +)
            info.recordingsMeasured = n
            info.meanDurationMs = durations.isEmpty ? 0 : total / Double(durations.count)
            info.minDurationMs = durations.min() ?? 0; info.maxDurationMs = durations.max() ?? 0
            info.meanEvents = Double(events) / Double(max(1, n))
            info.eventsPerSecond = total > 0 ? Double(events) / (total / 1000) : 0
        } else {
            let (train, test, _) = try spec.load(trainFraction: TrainingOptions().trainFraction)
            info = Info(dataset: spec.name, format: formats[spec.name]!, path: path, trainSamples: train.count, testSamples: test.count,
                        classes: train.classes, stepShape: train.stepShape, sensorSize: nil)
        }
        if json { try printJSON(info); return }
        var lines = ["format: \(info.format)", "path: \(info.path)",
                     "samples: \(info.trainSamples) train, \(info.testSamples) test", "classes: \(info.classes)"]
        if let st = info.stepShape { lines.append("sample step shape: \(st)") }
        if let s = info.sensorSize { lines.append("sensor size: (\(s[0]), \(s[1]), \(s[2]))") }
        if let n = info.recordingsMeasured {
            lines.append(String(format: "duration: mean %.1f ms (min %.1f, max %.1f) over the first %d training recordings",
                                info.meanDurationMs!, info.minDurationMs!, info.maxDurationMs!, n))
            lines.append(String(format: "events: mean %.0f per recording, %.0f events/s", info.meanEvents!, info.eventsPerSecond!))
        }
        print(lines.joined(separator: "\n"))
    }
}

/// `spike data frames PATH --sample I --output FRAMES.npy`: one sample as training sees it.
struct DataFrames: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "frames",
        abstract: "Write one sample exactly as training sees it (after the frame options): float32 [T, C, H, W] (events, images) or [T, units].")
    @Argument(help: "Data folder, or inputs .npy.") var path: String
    @Option(help: "Data set (default: told from the folder).") var dataset: String?
    @Option(help: "Labels .npy for an inputs .npy.") var labels: String?
    @Option(parsing: .unconditional, help: "Sample index in the split.") var sample: Int
    @Flag(help: "Take the sample from the test split (default: the training split).") var test = false
    @OptionGroup var frameOptions: FrameOptions
    @Option(help: "Output .npy (float32).") var output: String
    @Option(help: "Also draw the sample to this figure (.svg or .png): frames as a grid of small images, or a raster.") var plot: String?
    @Option(help: "Tick-label font size of the figure in pixels.") var fontSize: Double = 11

    func run() throws {
        var spec = try DataSpec.detect(path, name: dataset)
        spec.labels = labels
        if spec.name == "npy", labels == nil { throw CLIError("\(path): an inputs .npy needs --labels LABELS.npy") }
        spec = try frameOptions.apply(to: spec)
        guard spec.name != "randman" else { throw CLIError("randman is generated, not read from files; see spike train --help") }
        let outputs = try StagedOutputs([output, plot].compactMap { $0.map { URL(fileURLWithPath: $0) } })
        let (train, testSet, _) = try spec.load(trainFraction: TrainingOptions().trainFraction)
        let data = test ? testSet : train
        guard sample >= 0, sample < data.count else {
            throw CLIError("--sample \(sample) is outside the \(test ? "test" : "training") split's 0..<\(data.count)")
        }
        let (x, label) = try data.sample(at: sample, epoch: 0)
        let title = "\(spec.name) \(test ? "test" : "train") sample \(sample), label \(label), shape \(x.shape)"
        var figureOptions = FigureOptions()
        guard fontSize.isFinite, fontSize >= 4, fontSize <= 72 else { throw CLIError("--font-size must be in 4...72 pixels, got \(fontSize)") }
        figureOptions.fontSize = fontSize
        let figure = try plot.map { try PlotOptions.encode(FrameFigure.figure(x.scalars, shape: x.shape, title: title, options: figureOptions), for: $0) }
        // All or nothing: both files are staged, then published together.
        try outputs.stage(URL(fileURLWithPath: output)) { try NPY.write(x, to: $0) }
        if let plot, let figure { try outputs.stage(figure, for: URL(fileURLWithPath: plot)) }
        try outputs.publish()
        FileHandle.standardError.write(Data("\(title) -> \(output)\n".utf8))
    }
}
