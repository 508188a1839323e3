import ArgumentParser
import Foundation
import SpikeKit

/// `spike neuron`: runs one neuron model on an input and writes every state trace as .npy.
public struct Neuron: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run one neuron model on an input current and write its spikes and state traces.",
        discussion: "Input: .npy of shape [T] or [T, N] (float32 or float64). The input holds the input current of each step (or the drive in the model's own units: see --list MODEL), one column per neuron. Output (DIR, new or empty unless --overwrite): DIR/spikes.npy, DIR/v.npy and one DIR/NAME.npy per further state, float32 [T, N], each the state after the step, and DIR/summary.json. With --grad-weights R.npy also DIR/grad_input.npy = d sum(R * spikes) / d input through the surrogate gradient and BPTT. `spike neuron --list lif` shows one model.")

    @Argument(help: "Model id (see --list).") var model: String?
    @Option(help: "Input .npy, [T] or [T, N].") var input: String?
    @Option(name: .customLong("set"), help: "Model parameter NAME=VALUE (repeatable); a numeric parameter may take one value per neuron, NAME=v1,v2,...,vN.") var assignments: [String] = []
    @Option(help: "Device mismatch NAME=FRACTION (repeatable): parameter NAME of each neuron times 1 + FRACTION z, z ~ N(0, 1), seeded by --seed; NAME 'all' for every numeric parameter but dt.") var mismatch: [String] = []
    @Option(parsing: .unconditional, help: "Seed of the mismatch draws.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Integration step in the model's time unit (see --list), for models that integrate with one.") var dt: Double?
    @Option(help: "Output directory.") var output: String?
    @Option(help: "Weights R (.npy, the input's shape) for grad_input.npy.") var gradWeights: String?
    @Option(help: "Also draw the run as a figure (.svg or .png): the input, the membrane with threshold and reset, a raster with one row per neuron, then one panel per further state.") var plot: String?
    @OptionGroup var figure: PlotOptions
    @Flag(help: "List every model (or only MODEL, when given) with its parameters, defaults and units.") var list = false
    @Flag(help: "Write into a non-empty output folder: files of this run replace theirs, and the files an earlier run listed in its summary.json are removed.") var overwrite = false
    @Option(help: "A model written as Brian2 equations: a YAML or JSON file with equations, threshold, reset, refractory, method, parameters, input, input_unit, initial, dt, surrogate (docs/EQUATIONS.md). Replaces MODEL; --set NAME=VALUE takes values with units (tau=20*ms), --dt is in ms.")
    var equations: String?

    public init() {}

    /// Every model's entry, or only `model`'s (an unknown id throws the registry's one-line error).
    public static func listing(_ model: String? = nil) throws -> String {
        var lines: [String] = []
        // Each model under its id and its family-qualified id (`lif | spikingjelly.lif`); either is accepted.
        let entries = try model.map { [try NeuronRegistry.entry($0)] } ?? NeuronRegistry.entries
        for e in entries {
            lines.append("\(NeuronRegistry.names(of: e.id).joined(separator: " | ")): \(e.summary)")
            for p in e.parameters {
                let unit = p.unit.isEmpty ? "" : " [\(p.unit)]"
                lines.append("    \(p.name) = \(p.defaultValue)\(unit)  \(p.help)")
            }
        }
        return lines.joined(separator: "\n")
    }

    public func run() throws {
        if list { print(try Self.listing(model)); return }
        if let equations {
            guard model == nil else { throw CLIError("spike neuron: give either a MODEL or --equations FILE, not both") }
            guard let input else { throw CLIError("spike neuron: --input FILE.npy is required") }
            guard let output else { throw CLIError("spike neuron: --output DIR is required") }
            guard mismatch.isEmpty, plot == nil else { throw CLIError("spike neuron --equations: --mismatch and --plot are not supported with equation models") }
            try runEquations(equations, input: input, output: output)
            return
        }
        guard let model else { throw CLIError("spike neuron: give a MODEL (one of \(NeuronRegistry.allIDs.joined(separator: ", "))) or --list") }
        guard let input else { throw CLIError("spike neuron: --input FILE.npy is required") }
        guard let output else { throw CLIError("spike neuron: --output DIR is required") }
        let entry = try NeuronRegistry.entry(model)
        // Scalar assignments build the model; comma lists are per-neuron values applied below.
        var params: [String: Any] = [:]
        var perNeuron: [(String, [Float])] = []
        for (name, value) in try parseAssignments(assignments).sorted(by: { $0.key < $1.key }) {
            if value.contains(",") {
                let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                let numbers = parts.compactMap { Float($0) }
                guard numbers.count == parts.count, numbers.allSatisfy({ $0.isFinite }) else {
                    throw CLIError("\(model): --set \(name)=\(value): per-neuron values must be numbers separated by commas")
                }
                perNeuron.append((name, numbers))
                params[name] = parts[0]
            } else {
                params[name] = value
            }
        }
        if let dt {
            guard entry.parameters.contains(where: { $0.name == "dt" }) else {
                throw CLIError("\(model): discrete-time model, takes no --dt (got \(dt))")
            }
            guard dt > 0, dt.isFinite else { throw CLIError("--dt must be > 0, got \(dt)") }
            params["dt"] = "\(dt)"
        }
        let neuron = try NeuronRegistry.model(model, parameters: params)
        // Every output is validated now and published together at the end (all or nothing).
        let dir = URL(fileURLWithPath: output)
        let names = (neuron.isSpiking ? ["spikes"] : []) + neuron.stateNames + (gradWeights != nil ? ["grad_input"] : [])
        let plotURL = plot.map { URL(fileURLWithPath: $0) }
        let figureOptions = try figure.options(neurons: 8)
        if let plot { _ = try PlotOptions.encode(Figure(width: 1, height: 1), for: plot) }   // the format, before any work
        if let existing = try? FileManager.default.attributesOfItem(atPath: output)[.type] as? FileAttributeType, existing != .typeDirectory {
            throw CLIError("\(output): exists and is not a folder")
        }
        let stale = try OutputFolder.check(dir, overwrite: overwrite)
        let outputs = try StagedOutputs(names.map { dir.appendingPathComponent("\($0).npy") } + [dir.appendingPathComponent("summary.json")]
                                        + (plotURL.map { [$0] } ?? []), creating: [dir])
        let x = try NPY.read(from: URL(fileURLWithPath: input))
        guard x.rank == 1 || x.rank == 2, x.count > 0 else {
            throw CLIError("\(input): input must have shape [T] or [T, N] with T, N > 0, got \(x.shape)")
        }
        guard x.scalars.allSatisfy({ $0.isFinite }) else { throw CLIError("\(input): input contains NaN or infinity") }
        let T = x.shape[0], N = x.rank == 2 ? x.shape[1] : 1
        // The forward keeps every state after every step, and each trace is written out: [T, S, N] twice, plus spikes and gradients.
        try MemoryBudget.checkProduct([T, N, 2 * neuron.stateNames.count + 3], elementSize: 4, what: "\(model): traces of \(T) steps x \(N) neurons")
        var table: NeuronParameterTable?
        if !perNeuron.isEmpty || !mismatch.isEmpty {
            var t = neuron.table(neurons: N)
            for (name, values) in perNeuron {
                guard neuron.parameterNames.contains(name) else {
                    throw CLIError("\(model): \(name) cannot vary per neuron (numeric parameters: \(neuron.parameterNames.joined(separator: ", ")))")
                }
                guard values.count == N else {
                    throw CLIError("\(model): --set \(name) has \(values.count) values for \(N) neurons")
                }
                t[name] = values
            }
            try neuron.validate(t)
            for item in mismatch {
                guard let eq = item.firstIndex(of: "="), let f = Float(item[item.index(after: eq)...]) else {
                    throw CLIError("--mismatch expects NAME=FRACTION, got '\(item)'")
                }
                let name = String(item[..<eq])
                // "all": every numeric parameter of the neurons themselves; the integration step is not a device parameter.
                for n in name == "all" ? neuron.parameterNames.filter({ $0 != "dt" }) : [name] {
                    try neuron.addMismatch(&t, n, fraction: f, seed: seed)
                }
            }
            table = t
        }
        var weights: Tensor?
        if let gradWeights {
            let r = try NPY.read(from: URL(fileURLWithPath: gradWeights))
            guard r.count == T * N, r.shape == x.shape || r.shape == [T, N] else {
                throw CLIError("\(gradWeights): shape \(r.shape) does not match the input's \(x.shape)")
            }
            weights = r
        }
        let fwd = neuron.forward(x.scalars, steps: T, elements: N, table: table)
        var files: [(String, Tensor)] = []
        if neuron.isSpiking { files.append(("spikes", Tensor(shape: [T, N], scalars: fwd.output))) }
        let S = neuron.stateCount
        var traces: [(String, [Float])] = []
        for (k, name) in neuron.stateNames.enumerated() {
            var trace = [Float](repeating: 0, count: T * N)
            for t in 0..<T { for i in 0..<N { trace[t * N + i] = fwd.states[(t * S + k) * N + i] } }
            files.append((name, Tensor(shape: [T, N], scalars: trace)))
            traces.append((name, trace))
        }
        if let weights {
            let g = neuron.backward(x.scalars, states: fwd.states, gradOutput: weights.scalars, steps: T, elements: N, table: table).gradInput
            files.append(("grad_input", Tensor(shape: [T, N], scalars: g)))
        }
        for (name, t) in files { try outputs.stage(dir.appendingPathComponent("\(name).npy")) { try NPY.write(t, to: $0) } }
        if let plot, let plotURL {
            let content = Self.figureContent(entry: entry, neuron: neuron, input: x, steps: T, neurons: N, traces: traces,
                                             spikes: neuron.isSpiking ? fwd.output : nil)
            try outputs.stage(try PlotOptions.encode(NeuronFigure.figure(content, options: figureOptions), for: plot), for: plotURL)
        }
        try Self.publish(outputs, stale: stale, in: dir, label: model, steps: T, neurons: N,
                         spikes: neuron.isSpiking ? fwd.output : nil, files: files.map(\.0), output: output, plot: plot)
    }
}

extension Neuron {
    /// `spike neuron --equations FILE`: compiles the model file (the library's `EquationModelFile`), runs it on the
    /// input and writes spikes, one trace per state variable of the equations and the input gradient, all or nothing.
    func runEquations(_ path: String, input: String, output: String) throws {
        let bytes = [UInt8](try InputFile.read(path: path))
        let doc: JSON
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            do { doc = try YAMLSubset.parse(document: bytes) }
            catch let e as YAMLSubset.ParseError { throw CLIError("\(path): invalid YAML: \(e.message)") }
        } else {
            do { doc = try JSON.parse(document: bytes) } catch let e { throw CLIError("\(path): invalid JSON: \(e.message)") }
        }
        var file = try EquationModelFile(doc, file: path)
        for (name, value) in try parseAssignments(assignments).sorted(by: { $0.key < $1.key }) { file.description.parameters[name] = value }
        if let dt {
            guard dt > 0, dt.isFinite else { throw CLIError("--dt must be > 0 (ms), got \(dt)") }
            file.description.dt = "\(dt)*ms"
        }
        let model: EquationModel
        do { model = try EquationModel(file.description) } catch { throw CLIError("\(path): \(error)") }
        let states = model.compiled.stateNames.filter { !$0.hasPrefix("_") }
        let dir = URL(fileURLWithPath: output)
        let names = (model.compiled.isSpiking ? ["spikes"] : []) + states + (gradWeights != nil ? ["grad_input"] : [])
        if let existing = try? FileManager.default.attributesOfItem(atPath: output)[.type] as? FileAttributeType, existing != .typeDirectory {
            throw CLIError("\(output): exists and is not a folder")
        }
        let stale = try OutputFolder.check(dir, overwrite: overwrite)
        let outputs = try StagedOutputs(names.map { dir.appendingPathComponent("\($0).npy") } + [dir.appendingPathComponent("summary.json")],
                                        creating: [dir])
        let x = try NPY.read(from: URL(fileURLWithPath: input))
        guard x.rank == 1 || x.rank == 2, x.count > 0 else {
            throw CLIError("\(input): input must have shape [T] or [T, N] with T, N > 0, got \(x.shape)")
        }
        guard x.scalars.allSatisfy({ $0.isFinite }) else { throw CLIError("\(input): input contains NaN or infinity") }
        let T = x.shape[0], N = x.rank == 2 ? x.shape[1] : 1
        let S = EquationModel.State.count
        try MemoryBudget.checkProduct([T, N, 2 * S + 3], elementSize: 4, what: "\(path): traces of \(T) steps x \(N) neurons")
        var weights: Tensor?
        if let gradWeights {
            let r = try NPY.read(from: URL(fileURLWithPath: gradWeights))
            guard r.count == T * N, r.shape == x.shape || r.shape == [T, N] else {
                throw CLIError("\(gradWeights): shape \(r.shape) does not match the input's \(x.shape)")
            }
            weights = r
        }
        let scale = Float(file.inputScale)
        let xs = x.scalars.map { $0 * scale }
        let fwd = NeuronKernel.forward(model, input: xs, steps: T, elements: N)
        var files: [(String, Tensor)] = []
        if model.compiled.isSpiking { files.append(("spikes", Tensor(shape: [T, N], scalars: fwd.output))) }
        for name in states {
            let k = model.compiled.stateNames.firstIndex(of: name)!
            var trace = [Float](repeating: 0, count: T * N)
            for t in 0..<T { for i in 0..<N { trace[t * N + i] = fwd.states[(t * S + k) * N + i] } }
            files.append((name, Tensor(shape: [T, N], scalars: trace)))
        }
        if let weights {
            let g = NeuronKernel.backward(model, input: xs, states: fwd.states, gradOutput: weights.scalars, steps: T, elements: N).gradInput
            files.append(("grad_input", Tensor(shape: [T, N], scalars: g.map { $0 * scale })))
        }
        for (name, t) in files { try outputs.stage(dir.appendingPathComponent("\(name).npy")) { try NPY.write(t, to: $0) } }
        try Self.publish(outputs, stale: stale, in: dir, label: path, steps: T, neurons: N,
                         spikes: model.compiled.isSpiking ? fwd.output : nil, files: files.map(\.0), output: output, plot: nil)
    }

    /// Stages `summary.json` (model `label`, the spike count, the files), publishes every staged output, removes
    /// the files an earlier run listed that this run did not write, and prints the one-line summary.
    static func publish(_ outputs: StagedOutputs, stale: [String], in dir: URL, label: String, steps T: Int, neurons N: Int,
                        spikes: [Float]?, files: [String], output: String, plot: String?) throws {
        let spikeCount = spikes.map { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
        let summary = NeuronRunSummary(model: label, steps: T, neurons: N, spikes: spikeCount,
                                       files: files.map { "\($0).npy" } + ["summary.json"])
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        try outputs.stage(try enc.encode(summary), for: dir.appendingPathComponent("summary.json"))
        try outputs.publish()
        OutputFolder.remove(stale, keeping: summary.files, in: dir)
        let spikeText = spikeCount.map { ", \($0) spikes" } ?? ""
        print("\(label): \(T) steps x \(N) neurons\(spikeText); wrote \(summary.files.count) files to \(output)" + (plot.map { " and \($0)" } ?? ""))
    }

    /// The figure of a run: title and caption from the registry's summary (`NAME (REFERENCE): EQUATION`), the
    /// time axis in the unit of the model's `dt` (steps for discrete-time models), the membrane in the unit of
    /// its threshold parameter, with the threshold and reset values the model has.
    static func figureContent(entry: NeuronEntry, neuron: AnyNeuronModel, input x: Tensor, steps T: Int, neurons N: Int,
                              traces: [(String, [Float])], spikes: [Float]?) -> NeuronFigure.Content {
        let summary = entry.summary
        var title = entry.id, caption = summary
        if let close = summary.range(of: "): ") {
            title = "\(entry.id): " + summary[..<close.lowerBound] + ")"
            caption = String(summary[close.upperBound...])
        } else if let colon = summary.range(of: ": ") {
            title = "\(entry.id): " + summary[..<colon.lowerBound]
            caption = String(summary[colon.upperBound...])
        }
        let table = neuron.table(neurons: 1)
        func parameter(_ names: [String]) -> (value: Float, unit: String)? {
            for n in names where neuron.parameterNames.contains(n) {
                let unit = entry.parameters.first { $0.name == n }?.unit ?? ""
                return (table[n][0], unit == "a.u." ? "" : unit)
            }
            return nil
        }
        let dt = parameter(["dt"])
        var c = NeuronFigure.Content(title: title, caption: caption, steps: T, neurons: N, dt: dt.map { Double($0.value) },
                                     timeUnit: dt?.unit ?? "")
        let threshold = parameter(["v_threshold", "v_th", "threshold", "v_thresh", "vt"])
        let reset = parameter(["v_reset", "reset", "vr", "v_r"])
        let inputValues = x.rank == 1 ? x.scalars.flatMap { [Float](repeating: $0, count: N) } : x.scalars
        c.input = Trace(name: "input", unit: "", values: inputValues)
        for (name, values) in traces {
            if name == "v" {
                c.membrane = Trace(name: "v", unit: threshold?.unit ?? "", values: values)
            } else {
                c.states.append(Trace(name: name, unit: "", values: values))
            }
        }
        c.threshold = threshold?.value
        c.reset = reset?.value
        c.spikes = spikes
        return c
    }
}

/// What `spike neuron` writes to `summary.json`.
public struct NeuronRunSummary: Codable, Equatable {
    /// The zoo model id.
    public let model: String
    /// Time steps T of the input.
    public let steps: Int
    /// Neurons N (columns of the input).
    public let neurons: Int
    /// Spikes of all neurons (nil for models that do not spike).
    public let spikes: Int?
    /// The files written to the output folder, in order.
    public let files: [String]
}
