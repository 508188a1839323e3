import Foundation
import SpikeCore
import SpikeNN
import SpikeData
import SpikeIO

/// How a checkpoint's network is made again before its weights are loaded.
public enum ModelDescription: Equatable, Sendable {
    /// A dense network built by `NetworkSpec.build` (`spike train --hidden ...`); stored as `spikekit.network`.
    case network(NetworkSpec)
    /// The text of a model file (JSON, or YAML when `name` ends in .yaml/.yml): a layer list or `{"arch": ...}`
    /// (`spike train --model-file`, `--arch`); stored as `spikekit.model` and `spikekit.model_name`. The
    /// library keeps the text; `spike` (SpikeCLI's `ModelFile`) builds it.
    case modelFile(name: String, text: String)
    /// A description of one's own (a module written in Swift): `build` it yourself, then `load(into:)`; stored
    /// as `spikekit.model_custom`.
    case custom(String)
}

/// One epoch of a training run, as the metrics log and the progress display show it.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// Epoch number, from 1.
    public var epoch: Int
    /// Mean training loss and accuracy over the epoch's batches (training mode, as they were trained).
    public var trainLoss: Float, trainAccuracy: Float
    /// Loss and accuracy on the test split after the epoch (evaluation mode); nil when not evaluated.
    public var testLoss: Float?, testAccuracy: Float?
    /// Learning rate at the epoch's first batch.
    public var learningRate: Float
    /// Wall time of the epoch's training batches, seconds (not the evaluation); nil in checkpoints, which hold
    /// no timings so that a run gives the same file bytes every time (the metrics log keeps them).
    public var seconds: Double?
    /// Training samples per second over the epoch (nil in checkpoints, as `seconds`).
    public var samplesPerSecond: Double?

    /// The record without its timings (as checkpoints store it).
    public var withoutTimings: EpochRecord { var r = self; r.seconds = nil; r.samplesPerSecond = nil; return r }

    /// The CSV header of `csvLine`.
    public static let csvHeader = "epoch,train_loss,train_accuracy,test_loss,test_accuracy,learning_rate,seconds,samples_per_second"
    /// The record as one CSV line (empty cells where nothing was measured).
    public var csvLine: String {
        [String(epoch), "\(trainLoss)", "\(trainAccuracy)", testLoss.map { "\($0)" } ?? "", testAccuracy.map { "\($0)" } ?? "",
         "\(learningRate)", seconds.map { String(format: "%.3f", $0) } ?? "",
         samplesPerSecond.map { String(format: "%.1f", $0) } ?? ""].joined(separator: ",")
    }
}

/// Where a run stands between epochs: what `Trainer.fit` needs to continue it with the bits of an uninterrupted
/// run (the weights and buffers are the module's own).
public struct TrainingState {
    /// Epochs completed.
    public var epochsDone: Int
    /// The optimizer's state (`StatefulOptimizer.stateTensors`).
    public var optimizerState: [(String, Tensor)]
    /// The records of the completed epochs.
    public var history: [EpochRecord]
    /// The generators of the module's `RandomStateModule`s (Dropout masks) by state-dict path.
    public var randomStates: [String: [UInt64]]
    /// A state after `epochsDone` epochs.
    public init(epochsDone: Int, optimizerState: [(String, Tensor)], history: [EpochRecord], randomStates: [String: [UInt64]] = [:]) {
        self.epochsDone = epochsDone; self.optimizerState = optimizerState; self.history = history
        self.randomStates = randomStates
    }

    /// The generator states of every `RandomStateModule` in `module`, by dotted path.
    public static func randomStates(of module: any Module, prefix: String = "") -> [String: [UInt64]] {
        var out: [String: [UInt64]] = [:]
        if let r = module as? any RandomStateModule { out[prefix.isEmpty ? "." : String(prefix.dropLast())] = r.randomState }
        for (name, c) in module.children { out.merge(randomStates(of: c, prefix: prefix + name + "."), uniquingKeysWith: { a, _ in a }) }
        return out
    }

    /// Sets the generator states of `module`'s `RandomStateModule`s from `states` (paths as `randomStates(of:)`).
    /// - Throws: `TrainingError` naming a module whose state is missing.
    public static func setRandomStates(_ states: [String: [UInt64]], of module: any Module) throws {
        for (path, _) in randomStates(of: module) {
            guard let s = states[path], SeededRandom(state: s) != nil else { throw TrainingError("resume: no valid generator state for module '\(path)'") }
            var m: any Module = module
            if path != "." {
                for part in path.split(separator: ".") { m = m.children.first { $0.0 == part }!.1 }
            }
            let r = m as! any RandomStateModule
            r.randomState = s
        }
    }
}

/// What loading a state dict into a module matched (`StateDict.load`).
public struct StateDictReport: Equatable, Sendable, CustomStringConvertible {
    /// Keys present in both with the same shape (loaded).
    public var matched: [String] = []
    /// Module keys the file lacks (left as they were).
    public var missing: [String] = []
    /// File keys the module lacks (ignored).
    public var unexpected: [String] = []
    /// Keys in both whose shapes differ: key, the module's shape, the file's (not loaded).
    public var shapeMismatched: [(key: String, module: [Int], file: [Int])] = []

    /// Equal lists of keys (and shapes for the mismatches).
    public static func == (a: Self, b: Self) -> Bool {
        a.matched == b.matched && a.missing == b.missing && a.unexpected == b.unexpected
            && a.shapeMismatched.map { "\($0.key)\($0.module)\($0.file)" } == b.shapeMismatched.map { "\($0.key)\($0.module)\($0.file)" }
    }

    /// Whether everything matched (PyTorch's `strict=True` would accept it).
    public var isExact: Bool { missing.isEmpty && unexpected.isEmpty && shapeMismatched.isEmpty }

    /// Several lines: the counts, then each missing, unexpected and mismatched key.
    public var description: String {
        var lines = ["\(matched.count) matched, \(missing.count) missing, \(unexpected.count) unexpected, \(shapeMismatched.count) shape-mismatched"]
        lines += missing.map { "  missing:    \($0)" }
        lines += unexpected.map { "  unexpected: \($0)" }
        lines += shapeMismatched.map { "  shape:      \($0.key): model \($0.module), file \($0.file)" }
        return lines.joined(separator: "\n")
    }
}

/// Loading PyTorch-style state dicts (`Module.stateDict` keys: parameters and buffers).
public enum StateDict {
    /// Copies the tensors of `tensors` whose key and shape match an entry of `module.stateDict` into it, and
    /// reports the rest (as PyTorch's `load_state_dict(strict=False)`, which also refuses shape mismatches).
    /// With `strict`, anything but an exact match throws before anything is changed. Every value loaded must be
    /// finite. `file` names the source in errors.
    @discardableResult
    public static func load(_ tensors: [(String, Tensor)], into module: any Module, strict: Bool, file: String) throws -> StateDictReport {
        let stored = Dictionary(tensors, uniquingKeysWith: { a, _ in a })
        let entries = module.stateDict
        var report = StateDictReport()
        var copies: [(Variable, Tensor)] = []
        for (key, v) in entries {
            guard let t = stored[key] else { report.missing.append(key); continue }
            guard t.shape == v.shape else { report.shapeMismatched.append((key, v.shape, t.shape)); continue }
            if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
                throw TrainingError("\(file): tensor '\(key)' holds \(t.scalars[bad]) at index \(bad); every weight is finite")
            }
            report.matched.append(key)
            copies.append((v, t))
        }
        let known = Set(entries.map(\.0))
        report.unexpected = tensors.map(\.0).filter { !known.contains($0) }
        if strict {
            if let k = report.missing.first { throw TrainingError("\(file): tensor '\(k)' is missing") }
            if let m = report.shapeMismatched.first { throw TrainingError("\(file): tensor '\(m.key)' has shape \(m.file), the network needs \(m.module)") }
            if let k = report.unexpected.first { throw TrainingError("\(file): unexpected tensor '\(k)' for this network") }
        }
        for (v, t) in copies { v.value = t }
        return report
    }
}

/// A trained network on disk, one format for any module: a safetensors file holding the module's `stateDict`
/// (PyTorch's keys, layouts and order: parameters and buffers such as BatchNorm's `running_mean`, `running_var`,
/// `num_batches_tracked`), so that `torch.load_state_dict(safetensors.torch.load_file(path))` takes it, and in
/// `__metadata__` (strings): `spikekit.format`, the model (`ModelDescription`), the training options
/// (`spikekit.training`), the data description (`spikekit.data`, JSON chosen by the caller; `spike` writes its
/// `DataSpec`), the epochs done (`spikekit.epoch`) and the epoch records (`spikekit.history`).
///
/// The optimizer's state, needed to resume, goes to a second file beside it (`optimizerURL(for:)`:
/// `NAME.optimizer.safetensors`, with `spikekit.epoch` too), so the first stays a plain state dict. Files are
/// written atomically. Checkpoints of the first format (`spikekit-checkpoint-1`: a `NetworkSpec`, Randman under
/// `spikekit.dataset`) are read too.
public struct TrainingCheckpoint {
    /// Metadata key of the format tag.
    public static let formatKey = "spikekit.format"
    /// The format written.
    public static let formatValue = "spikekit-checkpoint-2"
    /// The first format (dense `NetworkSpec` networks only), still read.
    public static let formatValue1 = "spikekit-checkpoint-1"

    /// The network's description.
    public var model: ModelDescription
    /// The state dict, in the module's `stateDict` order.
    public var tensors: [(String, Tensor)]
    /// The training options.
    public var training: TrainingOptions
    /// The data description (JSON), if any.
    public var data: String?
    /// Randman's parameters in a first-format checkpoint (`spikekit.dataset`).
    public var randman: RandmanConfig?
    /// Epochs completed (nil: not written by an epoch loop).
    public var epoch: Int?
    /// The records of those epochs.
    public var history: [EpochRecord]
    /// The optimizer's state (empty when not saved or not read).
    public var optimizerState: [(String, Tensor)]

    /// A checkpoint of `module` (its current `stateDict`).
    public init(module: any Module, model: ModelDescription, training: TrainingOptions, data: String? = nil,
                state: TrainingState? = nil) {
        self.model = model
        tensors = module.stateDict.map { ($0.0, $0.1.value) }
        self.training = training; self.data = data
        epoch = state?.epochsDone; history = state?.history ?? []; optimizerState = state?.optimizerState ?? []
        randomStates = state?.randomStates ?? [:]
    }

    /// The run state stored (nil without an epoch).
    public var state: TrainingState? {
        epoch.map { TrainingState(epochsDone: $0, optimizerState: optimizerState, history: history, randomStates: randomStates) }
    }
    /// The generator states of the run (`TrainingState.randomStates`), saved with the optimizer state.
    public var randomStates: [String: [UInt64]] = [:]

    /// The optimizer file of checkpoint `url`: `x.safetensors` -> `x.optimizer.safetensors`.
    public static func optimizerURL(for url: URL) -> URL {
        let base = url.pathExtension == "safetensors" ? url.deletingPathExtension() : url
        return base.appendingPathExtension("optimizer").appendingPathExtension("safetensors")
    }

    static func json<T: Encodable>(_ v: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(v), as: UTF8.self)
    }

    /// The metadata written.
    public var metadata: [String: String] {
        get throws {
            var meta = [Self.formatKey: Self.formatValue, "spikekit.training": try Self.json(training)]
            switch model {
            case let .network(spec): meta["spikekit.network"] = try Self.json(spec)
            case let .modelFile(name, text): meta["spikekit.model"] = text; meta["spikekit.model_name"] = name
            case let .custom(s): meta["spikekit.model_custom"] = s
            }
            if let data { meta["spikekit.data"] = data }
            if let randman { meta["spikekit.dataset"] = try Self.json(randman) }
            if let epoch { meta["spikekit.epoch"] = String(epoch); meta["spikekit.history"] = try Self.json(history.map(\.withoutTimings)) }
            return meta
        }
    }

    /// Writes the checkpoint to `url` and, when there is optimizer state, the optimizer file beside it
    /// (each atomically; the optimizer file first, so a checkpoint never names an epoch its optimizer file lacks).
    public func write(to url: URL) throws {
        if !optimizerState.isEmpty { try writeOptimizerState(to: Self.optimizerURL(for: url)) }
        try writeStateDict(to: url)
    }

    /// Writes the state dict and metadata only (the first file), atomically.
    public func writeStateDict(to url: URL) throws {
        try SafeTensors.write(tensors, metadata: try metadata, to: url)
    }

    /// Writes the optimizer file only (its state, the epoch and the generator states), atomically.
    public func writeOptimizerState(to url: URL) throws {
        var meta = [Self.formatKey: Self.formatValue]
        if let epoch { meta["spikekit.epoch"] = String(epoch) }
        if !randomStates.isEmpty { meta["spikekit.random_states"] = try Self.json(randomStates.mapValues { $0.map(String.init) }) }
        try SafeTensors.write(optimizerState, metadata: meta, to: url)
    }

    /// Reads a checkpoint (either format); with `optimizer`, also its optimizer file, which must exist and be of
    /// the same epoch. Errors name the file and the problem.
    public static func read(from url: URL, optimizer: Bool = false) throws -> TrainingCheckpoint {
        let name = url.lastPathComponent
        let (tensors, meta) = try SafeTensors.read(from: url)
        guard let format = meta[formatKey], format == formatValue || format == formatValue1 else {
            throw TrainingError("\(name): not a SpikeKit checkpoint (no '\(formatKey)' in its metadata)")
        }
        func decode<T: Decodable>(_ key: String, _ type: T.Type) throws -> T {
            guard let s = meta[key] else { throw TrainingError("\(name): metadata lacks '\(key)'") }
            do { return try JSONDecoder().decode(T.self, from: Data(s.utf8)) }
            catch let DecodingError.dataCorrupted(c) { throw TrainingError("\(name): metadata '\(key)' is not valid: \(c.debugDescription)") }
            catch let DecodingError.keyNotFound(k, _) { throw TrainingError("\(name): metadata '\(key)' lacks '\(k.stringValue)'") }
            catch let DecodingError.typeMismatch(_, c) {
                throw TrainingError("\(name): metadata '\(key)': '\(c.codingPath.map(\.stringValue).joined(separator: "."))' is not valid: \(c.debugDescription)")
            }
            catch let DecodingError.valueNotFound(_, c) {
                throw TrainingError("\(name): metadata '\(key)': '\(c.codingPath.map(\.stringValue).joined(separator: "."))' is missing")
            }
            catch { throw TrainingError("\(name): metadata '\(key)' is not valid: \(error)") }
        }
        let model: ModelDescription
        if meta["spikekit.network"] != nil {
            let spec = try decode("spikekit.network", NetworkSpec.self)
            do { try spec.validate() } catch { throw TrainingError("\(name): \(error)") }
            model = .network(spec)
        } else if let text = meta["spikekit.model"] {
            model = .modelFile(name: meta["spikekit.model_name"] ?? "model.json", text: text)
        } else if let s = meta["spikekit.model_custom"] {
            model = .custom(s)
        } else {
            throw TrainingError("\(name): metadata lacks the network ('spikekit.network', 'spikekit.model' or 'spikekit.model_custom')")
        }
        let training = try decode("spikekit.training", TrainingOptions.self)
        do { try training.validate() } catch { throw TrainingError("\(name): \(error)") }
        var c = TrainingCheckpoint(model: model, tensors: tensors, training: training)
        c.data = meta["spikekit.data"]
        if meta["spikekit.dataset"] != nil { c.randman = try decode("spikekit.dataset", RandmanConfig.self) }
        if let e = meta["spikekit.epoch"] {
            guard let n = Int(e), n >= 0 else { throw TrainingError("\(name): metadata 'spikekit.epoch' is '\(e)', not a number of epochs") }
            c.epoch = n
            c.history = try decode("spikekit.history", [EpochRecord].self)
        }
        if optimizer {
            guard c.epoch != nil else { throw TrainingError("\(name): written after training, not between epochs (no 'spikekit.epoch'); nothing to resume") }
            let ourl = optimizerURL(for: url)
            guard FileManager.default.fileExists(atPath: ourl.path) else {
                throw TrainingError("\(name): resuming needs the optimizer state in \(ourl.lastPathComponent) beside it, which does not exist")
            }
            let (state, ometa) = try SafeTensors.read(from: ourl)
            guard ometa["spikekit.epoch"] == meta["spikekit.epoch"] else {
                throw TrainingError("\(ourl.lastPathComponent): optimizer state of epoch \(ometa["spikekit.epoch"] ?? "?"), the checkpoint is of epoch \(meta["spikekit.epoch"] ?? "?")")
            }
            c.optimizerState = state
            if let text = ometa["spikekit.random_states"] {
                guard let table = try? JSONDecoder().decode([String: [String]].self, from: Data(text.utf8)),
                      let states = Optional(table.compactMapValues { words -> [UInt64]? in
                          let w = words.compactMap(UInt64.init)
                          return w.count == words.count && SeededRandom(state: w) != nil ? w : nil
                      }), states.count == table.count else {
                    throw TrainingError("\(ourl.lastPathComponent): metadata 'spikekit.random_states' is not valid")
                }
                c.randomStates = states
            }
        }
        return c
    }

    init(model: ModelDescription, tensors: [(String, Tensor)], training: TrainingOptions) {
        self.model = model; self.tensors = tensors; self.training = training
        history = []; optimizerState = []
    }

    /// Loads the weights and buffers into `module` (built from `model`): every key and shape must match.
    public func load(into module: any Module, file: String = "checkpoint") throws {
        try StateDict.load(tensors, into: module, strict: true, file: file)
    }

    /// For `.network`: builds the network and loads the weights.
    /// - Throws: `TrainingError` for other descriptions (build those with their own builder, then `load(into:)`).
    public func buildNetwork(file: String = "checkpoint") throws -> (Sequential, NetworkSpec) {
        guard case let .network(spec) = model else { throw TrainingError("\(file): the network is not a NetworkSpec; build it from its model description") }
        var rng = SeededRandom(seed: 0)
        let net: Sequential
        do { net = try spec.build(rng: &rng) } catch { throw TrainingError("\(file): \(error)") }
        try load(into: net, file: file)
        return (net, spec)
    }
}

/// The metrics log of a run: every `EpochRecord` as JSON lines (`NAME.metrics.jsonl`) and CSV
/// (`NAME.metrics.csv`) beside the checkpoint `NAME.safetensors`; both rewritten whole (atomically) after each
/// epoch from the run's history, so a resumed run's log holds exactly its epochs.
public enum MetricsLog {
    /// The two log files of checkpoint `url`.
    public static func urls(for url: URL) -> (jsonl: URL, csv: URL) {
        let base = url.pathExtension == "safetensors" ? url.deletingPathExtension() : url
        return (base.appendingPathExtension("metrics").appendingPathExtension("jsonl"),
                base.appendingPathExtension("metrics").appendingPathExtension("csv"))
    }

    /// The JSON-lines text of `history`.
    public static func jsonLines(_ history: [EpochRecord]) throws -> String {
        try history.map { try TrainingCheckpoint.json($0) + "\n" }.joined()
    }

    /// The CSV text of `history` (a header line, then one line per epoch).
    public static func csv(_ history: [EpochRecord]) -> String {
        ([EpochRecord.csvHeader] + history.map(\.csvLine)).joined(separator: "\n") + "\n"
    }

    /// `history` with the timings of records that lack them (epochs read back from a checkpoint) taken from the
    /// JSON-lines log of checkpoint `url`, when it holds a record of the same epoch with the same losses.
    public static func merged(_ history: [EpochRecord], besides url: URL) -> [EpochRecord] {
        guard history.contains(where: { $0.seconds == nil }),
              let text = try? String(contentsOf: urls(for: url).jsonl, encoding: .utf8) else { return history }
        let old = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) }
        return history.map { r in
            guard r.seconds == nil, let o = old.first(where: { $0.withoutTimings == r }) else { return r }
            return o
        }
    }

    /// Writes both files for checkpoint `url` (timings of resumed epochs kept from the log there, `merged`).
    public static func write(_ history: [EpochRecord], besides url: URL) throws {
        let (j, c) = urls(for: url)
        let all = merged(history, besides: url)
        try AtomicFile.write(Data(try jsonLines(all).utf8), to: j)
        try AtomicFile.write(Data(csv(all).utf8), to: c)
    }
}
