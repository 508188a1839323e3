import Foundation
import SpikeCore
import SpikeNeurons
import SpikeCoding
import SpikeIO
import SpikeSim
import SpikeEquations

/// A network file (docs/SIMULATION.md), parsed and checked completely: every field known, every name resolved,
/// every index, size, state variable and delay in range. Nothing has run yet; `NetworkBuilder` turns it into a
/// SpikeSim `Network`.
public struct NetworkDescription {
    /// The file's name as given (errors start with it).
    public let file: String
    /// Clock step in ms.
    public var dt: Float
    /// Biological duration of the run in ms.
    public var duration: Double
    /// Seed of every random draw (connectivity, weights, delays, initial values, Poisson inputs, encoders).
    public var seed: UInt64
    /// The neuron groups, in update order.
    public var groups: [GroupDescription]
    /// Inputs (generators and currents), in order.
    public var inputs: [InputDescription]
    /// Projections, in order.
    public var synapses: [SynapsesDescription]
    /// Recordings, in order.
    public var monitors: [MonitorDescription]
    /// The file's free-text `description`, if any.
    public var text: String?

    /// Number of clock steps of the run.
    public var steps: Int { Int((duration / Double(dt)).rounded()) }
}

/// One neuron group of a network file.
public struct GroupDescription {
    /// Where it is in the file (for errors).
    public let node: FileNode
    /// The group's name.
    public let name: String
    /// Number of neurons.
    public let size: Int
    /// The zoo model with the file's shared parameters (the network's dt for models that integrate).
    public let model: AnyNeuronModel
    /// Numeric parameters that differ per neuron: a list or a distribution (drawn when built).
    public let perNeuron: [(name: String, values: SynapseValues, node: FileNode)]
    /// Relative device mismatch per parameter (see `spike neuron --mismatch`).
    public let mismatch: [(name: String, fraction: Float, node: FileNode)]
    /// Initial values of state variables: a constant, a list or a distribution.
    public let initial: [(variable: String, values: SynapseValues, node: FileNode)]
}

/// One input of a network file.
public struct InputDescription {
    /// What the input is.
    public enum Kind {
        /// Poisson spike trains (Hz, one rate or one per neuron).
        case poisson(size: Int, rates: [Float])
        /// Poisson trains at `rate` Hz with pairwise correlations by a shared mother train (`CorrelatedPoissonGroup`).
        case correlatedPoisson(size: Int, rate: Float, correlation: [Float])
        /// Spikes at given times (ms), optionally repeating with `period` (ms).
        case spikeGenerator(size: Int, indices: [Int], times: [Float], period: Float)
        /// A `[T, N]` or `[T, 1]` current added to `variable` of group `target`.
        case current(target: String, variable: String, values: Tensor)
        /// Brian2's `PoissonInput`: `count` inputs at `rate` Hz per neuron of `target`, each spike adding `weight`.
        case poissonInput(target: String, variable: String, count: Int, rate: Float, weight: Float)
        /// The spikes of a SpikeCoding encoder (`[T, N]`), played once or looped.
        case spikeArray(method: String, raster: Tensor, loop: Bool)
    }
    /// Where it is in the file.
    public let node: FileNode
    /// The input's name.
    public let name: String
    /// What it is.
    public let kind: Kind

    /// Number of spike-emitting neurons, nil for currents.
    public var sourceSize: Int? {
        switch kind {
        case let .poisson(size, _), let .spikeGenerator(size, _, _, _), let .correlatedPoisson(size, _, _): return size
        case let .spikeArray(_, raster, _): return raster.shape[1]
        case .current, .poissonInput: return nil
        }
    }
}

/// One projection of a network file.
public struct SynapsesDescription {
    /// Where it is in the file.
    public let node: FileNode
    /// The projection's name.
    public let name: String
    /// The pre side: a group or a spike-emitting input.
    public let source: String
    /// The post group.
    public let target: String
    /// `input` or a state variable of the target model.
    public let variable: String
    /// The connectivity rule.
    public let rule: Connectivity
    /// Weights.
    public let weight: SynapseValues
    /// Delays in ms.
    public let delay: SynapseValues
    /// Depth of the delay buffer in ms (default: the longest delay).
    public let maxDelay: Float?
    /// The plasticity rule, if any (`NetworkBuilder` attaches it).
    public let plasticity: PlasticityDescription?
}

/// One recording of a network file.
public struct MonitorDescription {
    /// What is recorded.
    public enum Kind {
        /// Every spike of a group or input (index, time).
        case spikes(source: String)
        /// State variables of chosen neurons every `every` steps.
        case state(group: String, variables: [String], neurons: [Int]?, every: Int)
        /// Spikes per step of a group or input, as a rate in Hz.
        case rate(source: String)
        /// The weights of a projection (all, or the synapses `indices`) every `every` steps.
        case weights(synapses: String, indices: [Int]?, every: Int)
    }
    /// Where it is in the file.
    public let node: FileNode
    /// The recording's name (its output files start with it).
    public let name: String
    /// What is recorded.
    public let kind: Kind

    /// The files this monitor writes into the output folder: for spikes `NAME_i.npy` (int32 neuron indices) and
    /// `NAME_t.npy` (float64 times in ms), as Brian2's `SpikeMonitor.i` and `.t` hold them, and `NAME.csv`.
    public var files: [String] {
        switch kind {
        case .spikes: return ["\(name)_i.npy", "\(name)_t.npy", "\(name).csv"]
        case .rate: return ["\(name).npy", "\(name).csv"]
        case .weights: return ["\(name).npy", "\(name).csv", "\(name)_synapses.npy"]
        case let .state(_, variables, _, _): return variables.flatMap { ["\(name)_\($0).npy", "\(name)_\($0).csv"] }
        }
    }
}

/// Parses network files (JSON, docs/SIMULATION.md) into checked `NetworkDescription`s.
public enum NetworkFile {

    /// Reads and checks the network file at `path` (relative file names inside it are relative to its folder).
    public static func load(_ path: String) throws -> NetworkDescription {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try InputFile.read(path: path) }
        catch let SpikeIOError.cannotRead(_, reason) { throw NetworkFileError("\(path): cannot read the network file: \(reason)") }
        return try parse(Array(data), file: path, directory: url.deletingLastPathComponent())
    }

    /// Whether `file` is read as YAML (`.yaml`, `.yml`; the subset of `YAMLSubset`) rather than JSON.
    public static func isYAML(_ file: String) -> Bool {
        let f = file.lowercased()
        return f.hasSuffix(".yaml") || f.hasSuffix(".yml")
    }

    /// Parses and checks network-file text `bytes` named `file` (JSON, or YAML by its extension); relative paths inside resolve against `directory`.
    public static func parse(_ bytes: [UInt8], file: String, directory: URL) throws -> NetworkDescription {
        let json: JSON
        if isYAML(file) {
            do { json = try YAMLSubset.parse(document: bytes) }
            catch let e as YAMLSubset.ParseError { throw NetworkFileError("\(file): invalid YAML: \(e.message)") }
        } else {
            do { json = try JSON.parse(document: bytes) } catch let e { throw NetworkFileError("\(file): invalid JSON: \(e.message)") }
        }
        var parser = Parser(root: FileNode(file: file, value: json), directory: directory)
        return try parser.parse()
    }

    /// The topology one parse needs to resolve names: what each name is and how many neurons it has.
    struct Parser {
        let root: FileNode
        let directory: URL
        var names: [String: String] = [:]            // name -> place of its definition
        var groupModels: [String: AnyNeuronModel] = [:]
        var groupSizes: [String: Int] = [:]
        var sourceSizes: [String: Int] = [:]          // groups and spike-emitting inputs
        var projections = Set<String>()
        var dt: Float = 0.1
        var seed: UInt64 = 0

        init(root: FileNode, directory: URL) { self.root = root; self.directory = directory }

        mutating func claim(_ name: String, _ node: FileNode) throws {
            if let other = names[name] { throw node.error("the name \(MessageText.quoted(name)) is already used by \(other)") }
            names[name] = node.path.hasSuffix(".name") ? String(node.path.dropLast(5)) : node.path
        }

        mutating func parse() throws -> NetworkDescription {
            let top = try root.object(allowed: ["description", "dt", "duration", "seed", "groups", "inputs", "synapses", "monitors"],
                                      required: ["duration", "groups"])
            let text = try top["description"]?.string()
            if let n = top["dt"] {
                dt = try n.float()
                guard dt > 0 else { throw n.error("must be > 0 ms, got \(dt)") }
            }
            let durationNode = try top.required("duration")
            let duration = try durationNode.double()
            guard duration >= 0 else { throw durationNode.error("must be >= 0 ms, got \(duration)") }
            guard duration / Double(dt) < Double(Int32.max) else { throw durationNode.error("\(duration) ms is too many steps of \(dt) ms") }
            if let n = top["seed"] { seed = UInt64(try n.int(in: 0...Int.max)) }
            let groupNodes = try top.required("groups").array()
            guard !groupNodes.isEmpty else { throw try top.required("groups").error("a network needs at least one group") }
            let groups = try groupNodes.map { try group($0) }
            let inputs = try (top["inputs"]?.array() ?? []).enumerated().map { try input($1, index: $0) }
            let synapses = try (top["synapses"]?.array() ?? []).map { try projection($0) }
            let monitors = try (top["monitors"]?.array() ?? []).map { try monitor($0) }
            var files: [String: String] = [:]
            for m in monitors {
                for f in m.files {
                    if let other = files[f] { throw m.node.error("its output file \(MessageText.quoted(f)) is also written by \(other)") }
                    files[f] = m.node.path
                }
            }
            return NetworkDescription(file: root.file, dt: dt, duration: duration, seed: seed, groups: groups, inputs: inputs,
                                      synapses: synapses, monitors: monitors, text: text)
        }

        // MARK: groups

        /// A group whose `model` is a mapping: an equation model (docs/EQUATIONS.md, the keys of `spike neuron
        /// --equations` files), integrated at the network's dt; values in the units its equations declare.
        mutating func equationGroup(_ node: FileNode, _ o: Members, name: String, modelNode: FileNode) throws -> GroupDescription {
            if let p = o["parameters"] { throw p.error("an equation model takes its parameters inside 'model'") }
            if let m = o["mismatch"] { throw m.error("mismatch is not supported for equation models") }
            let size = try o.required("size").int(in: 1...Int(Int32.max))
            var file: EquationModelFile
            do { file = try EquationModelFile(modelNode.value, file: "model") } catch { throw modelNode.error("\(error)") }
            file.description.dt = "\(dt)*ms"
            let model: AnyNeuronModel
            do { model = AnyNeuronModel(try EquationModel(file.description)) } catch { throw modelNode.error("\(error)") }
            var initial: [(String, SynapseValues, FileNode)] = []
            if let i = o["initial"] {
                let members = try i.object(allowed: model.stateNames) { "the equation model has no state variable \(MessageText.quoted($0)) (has \(model.stateNames.joined(separator: ", ")))" }
                for key in members.keys { initial.append((key, try values(members[key]!, count: size, what: "values"), members[key]!)) }
            }
            groupModels[name] = model; groupSizes[name] = size; sourceSizes[name] = size
            return GroupDescription(node: node, name: name, size: size, model: model, perNeuron: [], mismatch: [], initial: initial)
        }

        mutating func group(_ node: FileNode) throws -> GroupDescription {
            let o = try node.object(allowed: ["name", "model", "size", "parameters", "mismatch", "initial"], required: ["name", "model", "size"])
            let nameNode = try o.required("name")
            let name = try nameNode.name()
            try claim(name, nameNode)
            let modelNode = try o.required("model")
            if case .object = modelNode.value { return try equationGroup(node, o, name: name, modelNode: modelNode) }
            let id = try modelNode.string()
            let entry: NeuronEntry
            do { entry = try NeuronRegistry.entry(id) } catch { throw modelNode.error("\(error)") }
            let size = try o.required("size").int(in: 1...Int(Int32.max))
            var scalars: [String: Any] = [:]
            var lists: [(String, SynapseValues, FileNode)] = []
            let known = entry.parameters.map(\.name)
            let numeric = (try? NeuronRegistry.model(id, parameters: [:]))?.parameterNames ?? []
            if let p = o["parameters"] {
                let members = try p.object(allowed: known) { "model \(id) has no parameter \(MessageText.quoted($0)) (has \(known.joined(separator: ", ")))" }
                for key in members.keys {
                    let v = members[key]!
                    switch v.value {
                    case let .number(text, _): scalars[key] = text
                    case let .string(s): scalars[key] = s
                    case let .bool(b): scalars[key] = b
                    case .null: scalars[key] = "none"
                    case .array, .object:
                        guard numeric.contains(key) else {
                            throw v.error("\(id): \(key) cannot vary per neuron (numeric parameters: \(numeric.joined(separator: ", ")))")
                        }
                        if key == "dt" { throw v.error("the integration step is the network's dt; it cannot vary per neuron") }
                        lists.append((key, try values(v, count: size, what: "values"), v))
                    }
                }
            }
            // Models that integrate with a step take the network's, in their own unit (ms, or s for Norse and hxtorch).
            if let info = entry.parameters.first(where: { $0.name == "dt" }), let scale = ["ms": 1.0, "s": 1e-3][info.unit] {
                let step = (Double("\(dt)") ?? Double(dt)) * scale
                if let given = scalars["dt"] as? String {
                    guard let d = Double(given), abs(d - step) <= 1e-6 * step else {
                        throw o["parameters"]!.child("dt", .null).error("the model integrates at the network's dt (\(dt) ms = \(step) \(info.unit)); got \(given)")
                    }
                }
                scalars["dt"] = "\(step)"
            }
            let model: AnyNeuronModel
            do { model = try NeuronRegistry.model(id, parameters: scalars) } catch { throw (o["parameters"] ?? node).error("\(error)") }
            var mismatch: [(String, Float, FileNode)] = []
            if let m = o["mismatch"] {
                let names = model.parameterNames.filter { $0 != "dt" }
                let members = try m.object(allowed: names) { "model \(id) has no numeric parameter \(MessageText.quoted($0)) to mismatch (has \(names.joined(separator: ", ")))" }
                for key in members.keys {
                    let v = members[key]!
                    let f = try v.float()
                    guard f >= 0, f < 1 else { throw v.error("mismatch fraction must be in [0, 1), got \(f)") }
                    mismatch.append((key, f, v))
                }
            }
            var initial: [(String, SynapseValues, FileNode)] = []
            if let i = o["initial"] {
                let members = try i.object(allowed: model.stateNames) { "model \(id) has no state variable \(MessageText.quoted($0)) (has \(model.stateNames.joined(separator: ", ")))" }
                for key in members.keys {
                    let v = members[key]!
                    initial.append((key, try values(v, count: size, what: "values"), v))
                }
            }
            groupModels[name] = model; groupSizes[name] = size; sourceSizes[name] = size
            return GroupDescription(node: node, name: name, size: size, model: model, perNeuron: lists, mismatch: mismatch, initial: initial)
        }

        /// A constant, a list of `count` values, or a distribution `{"distribution": "uniform", "low": a, "high": b}`,
        /// `{"distribution": "normal", "mean": m, "std": s, "min": lo, "max": hi}` (min and max optional).
        func values(_ node: FileNode, count: Int?, what: String) throws -> SynapseValues {
            switch node.value {
            case .number: return .constant(try node.float())
            case .array:
                let vs = try node.floats()
                if let count, vs.count != count { throw node.error("\(vs.count) \(what) for \(count) \(what == "delays" || what == "weights" ? "synapses" : "neurons")") }
                return .values(vs)
            case .object:
                if case let .object(members) = node.value, members.contains(where: { $0.key == "file" }) {
                    let o = try node.object(allowed: ["file"], required: ["file"])
                    let vs = try file(try o.required("file")).scalars
                    if let count, vs.count != count {
                        throw node.error("\(vs.count) \(what) in the file for \(count) \(what == "delays" || what == "weights" ? "synapses" : "neurons")")
                    }
                    if vs.contains(where: { !$0.isFinite }) { throw node.error("the file holds a value that is not finite") }
                    return .values(vs)
                }
                let kind = try node.object(allowed: ["distribution", "low", "high", "mean", "std", "min", "max"], required: ["distribution"])
                let d = try kind.required("distribution")
                switch try d.string() {
                case "uniform":
                    let o = try node.object(allowed: ["distribution", "low", "high"], required: ["distribution", "low", "high"])
                    let lo = try o.required("low").float(), hi = try o.required("high").float()
                    guard lo <= hi else { throw node.error("uniform needs low <= high, got [\(lo), \(hi))") }
                    return .uniform(low: lo, high: hi)
                case "normal":
                    let o = try node.object(allowed: ["distribution", "mean", "std", "min", "max"], required: ["distribution", "mean", "std"])
                    let std = try o.required("std").float()
                    guard std >= 0 else { throw try o.required("std").error("std must be >= 0, got \(std)") }
                    let mn = try o["min"]?.float(), mx = try o["max"]?.float()
                    if let mn, let mx, mn > mx { throw node.error("normal needs min <= max, got [\(mn), \(mx)]") }
                    return .normal(mean: try o.required("mean").float(), std: std, min: mn, max: mx)
                case let other:
                    throw d.error("unknown distribution \(MessageText.quoted(other)) (known: uniform, normal)")
                }
            default:
                throw node.error("expected a number, a list or a distribution object, got \(node.value.kind)")
            }
        }

        // MARK: inputs

        func groupName(_ node: FileNode) throws -> String {
            let g = try node.string()
            guard groupSizes[g] != nil else {
                throw node.error("no group named \(MessageText.quoted(g)) (groups: \(groupSizes.keys.sorted().joined(separator: ", ")))")
            }
            return g
        }

        func variable(_ node: FileNode?, of group: String) throws -> String {
            guard let node else { return "input" }
            let v = try node.string()
            let model = groupModels[group]!
            guard v == "input" || model.stateNames.contains(v) else {
                throw node.error("model \(model.id) of group \(MessageText.quoted(group)) has no state variable \(MessageText.quoted(v)) (targets: input, \(model.stateNames.joined(separator: ", ")))")
            }
            return v
        }

        func file(_ node: FileNode) throws -> Tensor {
            let p = try node.string()
            let url = p.hasPrefix("/") ? URL(fileURLWithPath: p) : directory.appendingPathComponent(p)
            do { return try NPY.read(from: url) } catch { throw node.error("\(error)") }
        }

        mutating func input(_ node: FileNode, index: Int) throws -> InputDescription {
            let head = try node.object(allowed: ["name", "type", "size", "rate", "indices", "times", "period", "target", "variable",
                                                 "values", "file", "count", "weight", "method", "steps", "parameters", "loop",
                                                 "correlation"],
                                       required: ["name", "type"])
            let typeNode = try head.required("type")
            let type = try typeNode.string()
            let allowed: [String]
            switch type {
            case "poisson": allowed = ["size", "rate"]
            case "correlated_poisson": allowed = ["size", "rate", "correlation"]
            case "spike_generator": allowed = ["size", "indices", "times", "file", "period"]
            case "current": allowed = ["target", "variable", "values", "file"]
            case "poisson_input": allowed = ["target", "variable", "count", "rate", "weight"]
            case "encoder": allowed = ["method", "values", "file", "steps", "parameters", "loop"]
            default:
                throw typeNode.error("unknown input type \(MessageText.quoted(type)) (known: poisson, correlated_poisson, spike_generator, current, poisson_input, encoder)")
            }
            let required: [String] = ["poisson": ["size", "rate"], "correlated_poisson": ["size", "rate", "correlation"], "spike_generator": ["size"], "current": ["target"],
                                      "poisson_input": ["target", "count", "rate", "weight"], "encoder": ["method"]][type]!
            let o = try node.object(allowed: ["name", "type"] + allowed, required: ["name", "type"] + required)
            let name = try o.required("name").name()
            try claim(name, try o.required("name"))
            let kind: InputDescription.Kind
            switch type {
            case "poisson":
                let size = try o.required("size").int(in: 1...Int(Int32.max))
                let r = try o.required("rate")
                let rates: [Float]
                if case .array = r.value {
                    rates = try r.floats()
                    guard rates.count == size else { throw r.error("\(rates.count) rates for \(size) neurons") }
                } else { rates = [try r.float()] }
                if let bad = rates.first(where: { $0 < 0 }) { throw r.error("rate must be >= 0 Hz, got \(bad)") }
                if let bad = rates.first(where: { Double($0) * Double(dt) / 1000 > 1 }) {
                    throw r.error("rate \(bad) Hz is above one spike per step (dt = \(dt) ms)")
                }
                kind = .poisson(size: size, rates: rates)
            case "correlated_poisson":
                let size = try o.required("size").int(in: 1...Int(Int32.max))
                let r = try o.required("rate")
                let rate = try r.float()
                guard rate >= 0 else { throw r.error("rate must be >= 0 Hz, got \(rate)") }
                if Double(rate) * Double(dt) / 1000 > 1 { throw r.error("rate \(rate) Hz is above one spike per step (dt = \(dt) ms)") }
                let c = try o.required("correlation")
                let cs: [Float]
                if case .array = c.value {
                    cs = try c.floats()
                    guard cs.count == size else { throw c.error("\(cs.count) correlations for \(size) neurons") }
                } else { cs = [try c.float()] }
                if let bad = cs.first(where: { !($0 >= 0 && $0 <= 1) }) { throw c.error("correlation must be in [0, 1], got \(bad)") }
                kind = .correlatedPoisson(size: size, rate: rate, correlation: cs)
            case "spike_generator":
                let size = try o.required("size").int(in: 1...Int(Int32.max))
                var indices: [Int] = [], times: [Float] = []
                switch (o["indices"], o["times"], o["file"]) {
                case let (iNode?, tNode?, nil):
                    if case .string = iNode.value {
                        // A recording of a spikes monitor: NAME_i.npy (indices) and NAME_t.npy (times in ms).
                        let iv = try file(iNode).scalars, tv = try file(tNode).scalars
                        for (k, i) in iv.enumerated() where i != i.rounded() || abs(i) > 2e9 {
                            throw iNode.error("entry \(k): index \(i) is not an integer")
                        }
                        indices = iv.map { Int($0) }; times = tv
                        guard indices.count == times.count else { throw node.error("\(indices.count) indices but \(times.count) times") }
                        for (k, i) in indices.enumerated() where i < 0 || i >= size { throw iNode.error("entry \(k): index \(i) out of range 0..<\(size)") }
                        for (k, t) in times.enumerated() where !(t >= 0 && t.isFinite) { throw tNode.error("entry \(k): time must be >= 0 ms, got \(t)") }
                    } else {
                        indices = try iNode.ints(); times = try tNode.floats()
                    }
                    guard indices.count == times.count else { throw node.error("\(indices.count) indices but \(times.count) times") }
                    for (k, i) in indices.enumerated() where i < 0 || i >= size {
                        throw try iNode.array()[k].error("index \(i) out of range 0..<\(size)")
                    }
                    for (k, t) in times.enumerated() where t < 0 { throw try tNode.array()[k].error("time must be >= 0 ms, got \(t)") }
                case let (nil, nil, f?):
                    // A recording of a spikes monitor: [K, 2] rows of (index, time in ms).
                    let t = try file(f)
                    guard t.rank == 2, t.shape[1] == 2 else { throw f.error("expected [K, 2] rows of (index, time in ms), got shape \(t.shape)") }
                    for k in 0..<t.shape[0] {
                        let i = t.scalars[2 * k], time = t.scalars[2 * k + 1]
                        guard i == i.rounded(), i >= 0, i < Float(size) else {
                            throw f.error("row \(k): index \(i == i.rounded() && abs(i) < 1e9 ? String(Int(i)) : "\(i)") out of range 0..<\(size)")
                        }
                        guard time >= 0, time.isFinite else { throw f.error("row \(k): time must be >= 0 ms, got \(time)") }
                        indices.append(Int(i)); times.append(time)
                    }
                default: throw node.error("give 'indices' and 'times', or 'file'")
                }
                let period = try o["period"]?.float() ?? 0
                if period < 0 { throw o["period"]!.error("period must be >= 0 ms, got \(period)") }
                kind = .spikeGenerator(size: size, indices: indices, times: times, period: period)
            case "current":
                let target = try groupName(try o.required("target"))
                let variable = try variable(o["variable"], of: target)
                var t: Tensor
                switch (o["values"], o["file"]) {
                case let (v?, nil):
                    if case let .array(items) = v.value, items.contains(where: { if case .array = $0 { return true }; return false }) {
                        let rows = try v.array().map { try $0.floats() }
                        guard let width = rows.first?.count, width > 0, rows.allSatisfy({ $0.count == width }) else {
                            throw v.error("rows must all have the same, nonzero length")
                        }
                        t = Tensor(shape: [rows.count, width], scalars: rows.flatMap { $0 })
                    } else {
                        let vs = try v.floats()
                        t = Tensor(shape: [vs.count, 1], scalars: vs)
                    }
                case let (nil, f?):
                    t = try file(f)
                    if t.rank == 1 { t = t.reshaped([t.count, 1]) }
                case (nil, nil): throw node.error("give 'values' or 'file'")
                default: throw node.error("give 'values' or 'file', not both")
                }
                let n = groupSizes[target]!
                guard t.rank == 2, t.shape[0] > 0, t.shape[1] == 1 || t.shape[1] == n else {
                    throw (o["values"] ?? o["file"]!).error("expected [T, \(n)] or [T, 1] values for group \(MessageText.quoted(target)), got shape \(t.shape)")
                }
                guard t.scalars.allSatisfy(\.isFinite) else { throw (o["values"] ?? o["file"]!).error("values must be finite") }
                kind = .current(target: target, variable: variable, values: t)
            case "poisson_input":
                let target = try groupName(try o.required("target"))
                let variable = try variable(o["variable"], of: target)
                let count = try o.required("count").int(in: 0...Int(Int32.max))
                let rate = try o.required("rate").float()
                guard rate >= 0 else { throw o["rate"]!.error("rate must be >= 0 Hz, got \(rate)") }
                kind = .poissonInput(target: target, variable: variable, count: count, rate: rate, weight: try o.required("weight").float())
            default: // encoder
                let methodNode = try o.required("method")
                let method = try methodNode.string()
                guard EncoderMethods.names.contains(method) else {
                    throw methodNode.error("unknown encoding method \(MessageText.quoted(method)) (known: \(EncoderMethods.names.joined(separator: ", ")))")
                }
                let x: Tensor
                switch (o["values"], o["file"]) {
                case let (v?, nil): let vs = try v.floats(); x = Tensor(shape: [vs.count], scalars: vs)
                case let (nil, f?): x = try file(f)
                case (nil, nil): throw node.error("give 'values' or 'file'")
                default: throw node.error("give 'values' or 'file', not both")
                }
                guard x.count > 0 else { throw (o["values"] ?? o["file"]!).error("no values to encode") }
                let steps = try o["steps"]?.int(in: 1...Int(Int32.max)) ?? 100
                var params: [String: String] = [:]
                if let p = o["parameters"] {
                    guard case let .object(members) = p.value else { throw p.error("expected an object, got \(p.value.kind)") }
                    for (k, v) in members {
                        switch v {
                        case let .number(text, _): params[k] = text
                        case let .string(s): params[k] = s
                        case let .bool(b): params[k] = b ? "true" : "false"
                        default: throw p.child(k, v).error("expected a number, a string or true/false, got \(v.kind)")
                        }
                    }
                }
                // Encoders whose rates are per second of a step take the network's step unless told otherwise.
                if ["poisson", "constant-current-lif"].contains(method), params["dt"] == nil {
                    params["dt"] = "\((Double("\(dt)") ?? Double(dt)) / 1000)"
                }
                // Encoders draw from their own stream of the file's seed, apart from the network's streams.
                var rng = SeededRandom(seed: seed).split(stream: (1 << 32) + UInt64(index))
                let spikes: Tensor
                do { spikes = try EncoderMethods.encode(method: method, x, steps: steps, parameters: params, rng: &rng).spikes }
                catch { throw node.error("\(error)") }
                let T = spikes.shape.first ?? 0
                guard T > 0, spikes.count > 0 else { throw node.error("the encoder produced no time steps (shape \(spikes.shape))") }
                kind = .spikeArray(method: method, raster: spikes.reshaped([T, spikes.count / T]), loop: try o["loop"]?.bool() ?? false)
            }
            let d = InputDescription(node: node, name: name, kind: kind)
            if let s = d.sourceSize { sourceSizes[name] = s }
            return d
        }

        // MARK: synapses

        func sourceName(_ node: FileNode) throws -> String {
            let s = try node.string()
            guard sourceSizes[s] != nil else {
                throw node.error("no group or spiking input named \(MessageText.quoted(s)) (known: \(sourceSizes.keys.sorted().joined(separator: ", ")))")
            }
            return s
        }

        mutating func projection(_ node: FileNode) throws -> SynapsesDescription {
            let o = try node.object(allowed: ["name", "source", "target", "variable", "connect", "weight", "delay", "max_delay", "plasticity"],
                                    required: ["name", "source", "target", "connect", "weight"])
            let name = try o.required("name").name()
            try claim(name, try o.required("name"))
            projections.insert(name)
            let source = try sourceName(try o.required("source"))
            let target = try groupName(try o.required("target"))
            let variable = try variable(o["variable"], of: target)
            let pre = sourceSizes[source]!, post = groupSizes[target]!
            let same = source == target
            let (rule, count) = try connectivity(try o.required("connect"), pre: pre, post: post, sameGroup: same)
            let weight = try values(try o.required("weight"), count: count, what: "weights")
            var delay = SynapseValues.constant(0)
            var maxDelay: Float? = nil
            if let m = o["max_delay"] {
                let v = try m.float()
                guard v >= 0 else { throw m.error("max_delay must be >= 0 ms, got \(v)") }
                if v > 0 && v < dt * 0.999 { throw m.error("\(v) ms is below one step (dt = \(dt) ms)") }
                maxDelay = v
            }
            if let d = o["delay"] {
                delay = try values(d, count: count, what: "delays")
                func check(_ v: Float, _ n: FileNode) throws {
                    guard v >= 0 else { throw n.error("delay must be >= 0 ms, got \(v)") }
                    if v > 0 && v < dt * 0.999 { throw n.error("\(v) ms is below one step (dt = \(dt) ms); use 0 for none or at least dt") }
                    if let maxDelay, (v / dt).rounded() > (maxDelay / dt).rounded() {
                        throw n.error("\(v) ms is above max_delay (\(maxDelay) ms)")
                    }
                }
                switch delay {
                case let .constant(v): try check(v, d)
                case let .values(vs): for (k, v) in vs.enumerated() { try check(v, try d.array()[k]) }
                case let .uniform(lo, hi):
                    try check(hi, d)
                    if lo < dt * 0.999 && !(lo == 0 && hi == 0) {
                        throw d.error("uniform delays from \(lo) ms can fall below one step (dt = \(dt) ms); use low >= dt")
                    }
                case .normal: throw d.error("delays are a constant, a list or a uniform distribution (a normal one can go below one step)")
                }
            }
            return SynapsesDescription(node: node, name: name, source: source, target: target, variable: variable, rule: rule,
                                       weight: weight, delay: delay, maxDelay: maxDelay,
                                       plasticity: try o["plasticity"].map { try PlasticityDescription.parse($0, dt: dt) })
        }

        /// The rule of `connect` and, when the rule fixes it, the number of synapses (to check lists against).
        func connectivity(_ node: FileNode, pre: Int, post: Int, sameGroup: Bool) throws -> (Connectivity, Int?) {
            let rules = ["all_to_all", "one_to_one", "random", "fixed_in_degree", "fixed_out_degree", "explicit"]
            let ruleName: String
            var o: Members? = nil
            if case .string = node.value { ruleName = try node.string() } else {
                let head = try node.object(allowed: ["rule", "p", "k", "self_connections", "pre", "post"], required: ["rule"])
                ruleName = try head.required("rule").string()
                o = head
            }
            let params: [String: [String]] = ["all_to_all": ["self_connections"], "one_to_one": [], "random": ["p", "self_connections"],
                                              "fixed_in_degree": ["k", "self_connections"], "fixed_out_degree": ["k", "self_connections"],
                                              "explicit": ["pre", "post"]]
            guard let allowed = params[ruleName] else {
                throw (o?["rule"] ?? node).error("unknown connectivity rule \(MessageText.quoted(ruleName)) (known: \(rules.joined(separator: ", ")))")
            }
            let needed = ["random": ["p"], "fixed_in_degree": ["k"], "fixed_out_degree": ["k"], "explicit": ["pre", "post"]][ruleName] ?? []
            if o == nil, !needed.isEmpty { throw node.error("rule \(MessageText.quoted(ruleName)) needs \(needed.joined(separator: " and ")): write it as an object") }
            let m = try o.map { _ in try node.object(allowed: ["rule"] + allowed, required: ["rule"] + needed) }
            let selfConnections = try m?["self_connections"]?.bool() ?? true
            let excluded = sameGroup && !selfConnections
            switch ruleName {
            case "all_to_all":
                return (.allToAll(selfConnections: selfConnections), excluded ? pre * (post - 1) : pre * post)
            case "one_to_one":
                guard pre == post else { throw node.error("one_to_one needs equal sizes, got \(pre) pre and \(post) post neurons") }
                return (.oneToOne, pre)
            case "random":
                let pNode = try m!.required("p")
                let p = try pNode.double()
                guard p >= 0, p <= 1 else { throw pNode.error("p must be in [0, 1], got \(p)") }
                return (.random(p: p, selfConnections: selfConnections), nil)
            case "fixed_in_degree", "fixed_out_degree":
                let kNode = try m!.required("k")
                let inDegree = ruleName == "fixed_in_degree"
                let candidates = (inDegree ? pre : post) - (excluded ? 1 : 0)
                let k = try kNode.int(in: 0...Int.max)
                guard k <= candidates else {
                    throw kNode.error("\(k) synapses per neuron \(inDegree ? "from" : "to") \(candidates) candidate neurons")
                }
                return (inDegree ? .fixedInDegree(k, selfConnections: selfConnections) : .fixedOutDegree(k, selfConnections: selfConnections),
                        k * (inDegree ? post : pre))
            default: // explicit
                let preNode = try m!.required("pre"), postNode = try m!.required("post")
                let i = try preNode.ints(), j = try postNode.ints()
                guard i.count == j.count else { throw node.error("\(i.count) pre indices but \(j.count) post indices") }
                for (k, v) in i.enumerated() where v < 0 || v >= pre { throw try preNode.array()[k].error("pre index \(v) out of range 0..<\(pre)") }
                for (k, v) in j.enumerated() where v < 0 || v >= post { throw try postNode.array()[k].error("post index \(v) out of range 0..<\(post)") }
                return (.explicit(pre: i, post: j), i.count)
            }
        }

        // MARK: monitors

        mutating func monitor(_ node: FileNode) throws -> MonitorDescription {
            let head = try node.object(allowed: ["name", "type", "source", "group", "variables", "neurons", "every", "synapses", "indices"],
                                       required: ["type"])
            let typeNode = try head.required("type")
            let type = try typeNode.string()
            let o: Members
            let kind: MonitorDescription.Kind
            let defaultName: String
            switch type {
            case "spikes", "rate":
                o = try node.object(allowed: ["name", "type", "source"], required: ["type", "source"])
                let s = try sourceName(try o.required("source"))
                kind = type == "spikes" ? .spikes(source: s) : .rate(source: s)
                defaultName = "\(type)_\(s)"
            case "state":
                o = try node.object(allowed: ["name", "type", "group", "variables", "neurons", "every"], required: ["type", "group", "variables"])
                let g = try groupName(try o.required("group"))
                let vNode = try o.required("variables")
                let vars = try vNode.strings()
                guard !vars.isEmpty else { throw vNode.error("no variables to record") }
                let model = groupModels[g]!
                for (k, v) in vars.enumerated() where !model.stateNames.contains(v) {
                    throw try vNode.array()[k].error("model \(model.id) of group \(MessageText.quoted(g)) has no state variable \(MessageText.quoted(v)) (has \(model.stateNames.joined(separator: ", ")))")
                }
                if Set(vars).count != vars.count { throw vNode.error("a variable is listed twice") }
                var neurons: [Int]? = nil
                if let nNode = o["neurons"] {
                    let ns = try nNode.ints()
                    let size = groupSizes[g]!
                    for (k, n) in ns.enumerated() where n < 0 || n >= size {
                        throw try nNode.array()[k].error("neuron \(n) out of range 0..<\(size) of group \(MessageText.quoted(g))")
                    }
                    neurons = ns
                }
                let every = try o["every"]?.int(in: 1...Int(Int32.max)) ?? 1
                kind = .state(group: g, variables: vars, neurons: neurons, every: every)
                defaultName = "state_\(g)"
            case "weights":
                o = try node.object(allowed: ["name", "type", "synapses", "indices", "every"], required: ["type", "synapses"])
                let sNode = try o.required("synapses")
                let s = try sNode.string()
                guard projections.contains(s) else {
                    throw sNode.error("no synapses named \(MessageText.quoted(s)) (synapses: \(projections.sorted().joined(separator: ", ")))")
                }
                var indices: [Int]? = nil
                if let iNode = o["indices"] {
                    let ix = try iNode.ints()
                    for (k, i) in ix.enumerated() where i < 0 { throw try iNode.array()[k].error("synapse index \(i) must be >= 0") }
                    indices = ix
                }
                kind = .weights(synapses: s, indices: indices, every: try o["every"]?.int(in: 1...Int(Int32.max)) ?? 1)
                defaultName = "weights_\(s)"
            default:
                throw typeNode.error("unknown monitor type \(MessageText.quoted(type)) (known: spikes, state, rate, weights)")
            }
            let name = try o["name"]?.name() ?? defaultName
            try claim(name, o["name"] ?? node)
            return MonitorDescription(node: node, name: name, kind: kind)
        }
    }
}
