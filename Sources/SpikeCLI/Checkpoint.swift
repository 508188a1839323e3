import Foundation
import SpikeKit

/// A trained network on disk: safetensors with the parameters under their PyTorch-style names
/// (`0.weight`, `0.bias`, ...) and, in `__metadata__`, the network (`spikekit.network`), the dataset
/// (`spikekit.dataset`) and the training options (`spikekit.training`) as JSON strings. Written atomically.
public enum Checkpoint {
    public static let formatKey = "spikekit.format"
    public static let formatValue = "spikekit-checkpoint-1"

    /// Writes `model` with its description.
    /// Randman's parameters stay under `spikekit.dataset` as before; every other data set is described under
    /// `spikekit.data` (`DataSpec`: name, path, frame options).
    public static func save(_ model: Sequential, spec: NetworkSpec, data: DataSpec, training: TrainingOptions, to url: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        var meta = [
            formatKey: formatValue,
            "spikekit.network": String(decoding: try enc.encode(spec), as: UTF8.self),
            "spikekit.training": String(decoding: try enc.encode(training), as: UTF8.self),
        ]
        if let randman = data.randman, data.name == "randman" {
            meta["spikekit.dataset"] = String(decoding: try enc.encode(randman), as: UTF8.self)
        } else {
            meta["spikekit.data"] = String(decoding: try enc.encode(data), as: UTF8.self)
        }
        try SafeTensors.write(model.namedParameters.map { ($0.0, $0.1.value) }, metadata: meta, to: url)
    }

    /// Writes `model` trained on Randman data of `dataset` (`save(_:spec:data:training:to:)` with a Randman spec).
    public static func save(_ model: Sequential, spec: NetworkSpec, dataset: RandmanConfig, training: TrainingOptions, to url: URL) throws {
        var data = DataSpec(name: "randman")
        data.randman = dataset
        try save(model, spec: spec, data: data, training: training, to: url)
    }

    /// Reads a checkpoint and rebuilds its network; errors name the file and the problem.
    public static func load(from url: URL) throws -> (model: Sequential, spec: NetworkSpec, data: DataSpec, training: TrainingOptions) {
        let name = url.lastPathComponent
        let (tensors, meta) = try SafeTensors.read(from: url)
        guard meta[formatKey] == formatValue else { throw CLIError("\(name): not a SpikeKit checkpoint (no '\(formatKey)' in its metadata)") }
        func decode<T: Decodable>(_ key: String, _ type: T.Type) throws -> T {
            guard let s = meta[key] else { throw CLIError("\(name): metadata lacks '\(key)'") }
            do { return try JSONDecoder().decode(T.self, from: Data(s.utf8)) }
            catch let DecodingError.dataCorrupted(c) { throw CLIError("\(name): metadata '\(key)' is not valid: \(c.debugDescription)") }
            catch let DecodingError.keyNotFound(k, _) { throw CLIError("\(name): metadata '\(key)' lacks '\(k.stringValue)'") }
            catch let DecodingError.typeMismatch(_, c) {
                throw CLIError("\(name): metadata '\(key)': '\(c.codingPath.map(\.stringValue).joined(separator: "."))' is not valid: \(c.debugDescription)")
            }
            catch let DecodingError.valueNotFound(_, c) {
                throw CLIError("\(name): metadata '\(key)': '\(c.codingPath.map(\.stringValue).joined(separator: "."))' is missing")
            }
            catch { throw CLIError("\(name): metadata '\(key)' is not valid: \(error)") }
        }
        let spec = try decode("spikekit.network", NetworkSpec.self)
        var dataset: DataSpec
        if meta["spikekit.data"] != nil {
            dataset = try decode("spikekit.data", DataSpec.self)
            do { try dataset.validate() } catch { throw CLIError("\(name): metadata 'spikekit.data': \(error)") }
        } else {
            dataset = DataSpec(name: "randman")
            dataset.randman = try decode("spikekit.dataset", RandmanConfig.self)
        }
        let training = try decode("spikekit.training", TrainingOptions.self)
        // Every value of the metadata is checked before use, and every error names the file: a flipped byte
        // must not reach a precondition or the allocator.
        do {
            try spec.validate()
            try training.validate()
            if let randman = dataset.randman {
                guard spec.inputs == randman.units, spec.outputs == randman.classes else {
                    throw CLIError("the network has \(spec.inputs) inputs and \(spec.outputs) outputs, the data set \(randman.units) units and \(randman.classes) classes")
                }
                try randman.validate()
                try MemoryBudget.check(bytes: randman.estimatedBytes, what: "randman data set (\(randman.classes) classes x \(randman.samplesPerClass) samples x \(randman.units) units)")
                try Trainer.checkMemory(spec: spec, steps: randman.steps, batchSize: min(256, max(1, randman.sampleCount)))
            }
        } catch { throw CLIError("\(name): \(error)") }
        var rng = SeededRandom(seed: 0)
        let model: Sequential
        do { model = try spec.build(rng: &rng) } catch { throw CLIError("\(name): \(error)") }
        let stored = Dictionary(tensors, uniquingKeysWith: { a, _ in a })
        for (key, p) in model.namedParameters {
            guard let t = stored[key] else { throw CLIError("\(name): tensor '\(key)' is missing") }
            guard t.shape == p.shape else { throw CLIError("\(name): tensor '\(key)' has shape \(t.shape), the network needs \(p.shape)") }
            if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
                throw CLIError("\(name): tensor '\(key)' holds \(t.scalars[bad]) at index \(bad); every weight is finite")
            }
            p.value = t
        }
        let known = Set(model.namedParameters.map(\.0))
        if let extra = tensors.map(\.0).first(where: { !known.contains($0) }) {
            throw CLIError("\(name): unexpected tensor '\(extra)' for this network")
        }
        return (model, spec, dataset, training)
    }
}

/// An error from outside the program (arguments, files), printed as one line.
public struct CLIError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
