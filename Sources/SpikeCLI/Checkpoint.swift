import Foundation
import SpikeKit

/// `spike`'s side of checkpoints (`TrainingCheckpoint` in SpikeTraining holds the format): the data description
/// is a `DataSpec` (`spikekit.data`; Randman's parameters under `spikekit.dataset` as in the first format) and
/// model files are built by `ModelFile`. Every value read is checked before use and errors name the file.
public enum Checkpoint {
    public static let formatKey = TrainingCheckpoint.formatKey
    public static let formatValue = TrainingCheckpoint.formatValue

    /// A checkpoint of `module` described by `model`, trained on `data` with `training` (and, between epochs,
    /// the run `state`).
    public static func make(_ module: any Module, model: ModelDescription, data: DataSpec, training: TrainingOptions,
                            state: TrainingState? = nil) throws -> TrainingCheckpoint {
        var c = TrainingCheckpoint(module: module, model: model, training: training, state: state)
        if let randman = data.randman, data.name == "randman" { c.randman = randman } else {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            c.data = String(decoding: try enc.encode(data), as: UTF8.self)
        }
        return c
    }

    /// Writes `model` with its description (a dense `NetworkSpec` network).
    public static func save(_ model: Sequential, spec: NetworkSpec, data: DataSpec, training: TrainingOptions, to url: URL) throws {
        try make(model, model: .network(spec), data: data, training: training).write(to: url)
    }

    /// Writes `model` trained on Randman data of `dataset` (`save(_:spec:data:training:to:)` with a Randman spec).
    public static func save(_ model: Sequential, spec: NetworkSpec, dataset: RandmanConfig, training: TrainingOptions, to url: URL) throws {
        var data = DataSpec(name: "randman")
        data.randman = dataset
        try save(model, spec: spec, data: data, training: training, to: url)
    }

    /// The data description of checkpoint `c` read from `name`.
    static func dataSpec(of c: TrainingCheckpoint, name: String) throws -> DataSpec {
        if let s = c.data {
            let spec: DataSpec
            do { spec = try JSONDecoder().decode(DataSpec.self, from: Data(s.utf8)) }
            catch { throw CLIError("\(name): metadata 'spikekit.data' is not valid: \(error)") }
            do { try spec.validate() } catch { throw CLIError("\(name): metadata 'spikekit.data': \(error)") }
            return spec
        }
        guard let randman = c.randman else { throw CLIError("\(name): metadata lacks 'spikekit.dataset' or 'spikekit.data'") }
        var d = DataSpec(name: "randman")
        d.randman = randman
        return d
    }

    /// Reads a checkpoint of any network and builds it (a `NetworkSpec` network, or a model file / architecture
    /// through `ModelFile`) with the stored weights and buffers; `optimizer`: read the optimizer file too (resume).
    public static func loadModule(from url: URL, optimizer: Bool = false) throws -> (model: any Module, checkpoint: TrainingCheckpoint, data: DataSpec) {
        let name = url.lastPathComponent
        let c = try TrainingCheckpoint.read(from: url, optimizer: optimizer)
        let data = try dataSpec(of: c, name: name)
        let module: any Module
        switch c.model {
        case let .network(spec):
            if let randman = data.randman {
                do {
                    guard spec.inputs == randman.units, spec.outputs == randman.classes else {
                        throw CLIError("the network has \(spec.inputs) inputs and \(spec.outputs) outputs, the data set \(randman.units) units and \(randman.classes) classes")
                    }
                    try randman.validate()
                    try MemoryBudget.check(bytes: randman.estimatedBytes, what: "randman data set (\(randman.classes) classes x \(randman.samplesPerClass) samples x \(randman.units) units)")
                    try Trainer.checkMemory(spec: spec, steps: randman.steps, batchSize: min(256, max(1, randman.sampleCount)))
                } catch { throw CLIError("\(name): \(error)") }
            }
            module = try c.buildNetwork(file: name).0
        case let .modelFile(file, text):
            do { module = try ModelFile.parse(Array(text.utf8), file: file).build() }
            catch { throw CLIError("\(name): stored model '\(file)': \(error)") }
            try c.load(into: module, file: name)
        case .custom:
            throw CLIError("\(name): the network was written by a Swift program (a custom model); load it there with TrainingCheckpoint.load(into:)")
        }
        return (module, c, data)
    }

    /// Reads a checkpoint of a dense `NetworkSpec` network and rebuilds it; errors name the file and the problem.
    public static func load(from url: URL) throws -> (model: Sequential, spec: NetworkSpec, data: DataSpec, training: TrainingOptions) {
        let (module, c, data) = try loadModule(from: url)
        guard case let .network(spec) = c.model, let net = module as? Sequential else {
            throw CLIError("\(url.lastPathComponent): the network is a model file or architecture, not a dense network")
        }
        return (net, spec, data, c.training)
    }
}

/// An error from outside the program (arguments, files), printed as one line.
public struct CLIError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
