import ArgumentParser
import Foundation
import SpikeKit

/// `spike nir`: inspect, run, export and convert NIR graphs (docs/NIR.md).
public struct NIRCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nir",
        abstract: "Inspect, run and export NIR graphs (the Neuromorphic Intermediate Representation).",
        subcommands: [NIRInfo.self, NIRRun.self, NIRExportCommand.self, NIRConvert.self])
    public init() {}
}

func loadNIR(_ path: String) throws -> NIRGraph {
    do { return try NIRFile.read(url: URL(fileURLWithPath: path)) } catch let e as NIRError { throw CLIError(e.message) }
}

/// `spike nir info FILE`: nodes with types and shapes, edges, nesting, recurrent edges, time constants.
public struct NIRInfo: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe a NIR file: nodes, shapes, edges, nesting, recurrence, time constants.")
    @Argument(help: "The .nir file.") var file: String
    public init() {}

    /// The description printed.
    public static func describe(_ g: NIRGraph, version: String?) throws -> String {
        var lines = ["NIR \(version ?? "(no version: 0.2.0 layout)")" + (g.metadataDt.map { ", dt = \($0) s (metadata)" } ?? ", no dt in the metadata")]
        let net = try NIRNetwork(g, options: NIRRunOptions(dt: g.metadataDt ?? 1e-3))
        func walk(_ g: NIRGraph, prefix: String, indent: String) {
            for name in g.sortedNames {
                let node = g.nodes[name]!, path = prefix.isEmpty ? name : "\(prefix).\(name)"
                if let sub = node.subgraph {
                    lines.append("\(indent)\(name): NIRGraph (\(sub.nodes.count) nodes, \(sub.edges.count) edges)")
                    walk(sub, prefix: path, indent: indent + "  ")
                    continue
                }
                var desc = "\(indent)\(name): \(node.kind.rawValue) \(net.shapes[path].map { "\($0)" } ?? "?")"
                for f in ["tau", "tau_syn", "tau_mem"] {
                    if let a = node.array(f), let lo = a.values.min(), let hi = a.values.max() {
                        desc += lo == hi ? " \(f)=\(Float(lo)) s" : " \(f)=\(Float(lo))...\(Float(hi)) s"
                    }
                }
                for f in ["v_threshold", "threshold"] { if let a = node.array(f), let v = a.values.first { desc += " \(f)=\(Float(v))\(a.values.allSatisfy { $0 == v } ? "" : "...")" } }
                lines.append(desc)
            }
        }
        lines.append("nodes:")
        walk(g, prefix: "", indent: "  ")
        lines.append("execution order (flattened): \(net.order.joined(separator: " "))")
        lines.append("edges:")
        for n in net.order {
            for e in net.incoming[n] ?? [] { lines.append("  \(e.source) -> \(n)\(e.delayed ? "  (recurrent: previous step)" : "")") }
        }
        let rec = net.order.flatMap { n in (net.incoming[n] ?? []).filter(\.delayed) }.count
        lines.append("recurrent edges: \(rec)")
        return lines.joined(separator: "\n")
    }

    public func run() throws {
        let g = try loadNIR(file)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        do { print(try Self.describe(g, version: try NIRFile.version(bytes: bytes))) } catch let e as NIRError { throw CLIError("\(file): \(e.message)") }
    }
}

/// `spike nir run FILE --input X.npy --dt S --output DIR`.
public struct NIRRun: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a NIR graph on an input and write every node's output.",
        discussion: "Input: float32 .npy [T, B, ...input shape] for the graph's single Input. Writes DIR/output.npy ([T, B, ...], the graph's Output; the first by name when there are several), DIR/<node>.npy for every node (nested names joined with '.') and DIR/summary.json; nothing is written unless the whole run succeeds. DIR must be new or empty unless --overwrite.")
    @Argument(help: "The .nir file.") var file: String
    @Option(help: "Input .npy, [T, B, ...].") var input: String
    @Option(help: "Time step in seconds (default: the file's metadata dt).") var dt: Double?
    @Option(help: "euler (NIR's reference) or exact.") var integration: String = "euler"
    @Option(help: "Output directory (new or empty, unless --overwrite).") var output: String
    @Flag(help: "Write into a non-empty output folder: files of this run replace theirs, and the files an earlier run listed in its summary.json are removed.") var overwrite = false
    public init() {}

    public func run() throws {
        let g = try loadNIR(file)
        guard let step = dt ?? g.metadataDt else { throw CLIError("\(file): no dt in its metadata; give --dt SECONDS") }
        guard let integ = NIRIntegration(rawValue: integration) else { throw CLIError("--integration: '\(integration)' is not euler or exact") }
        let x = try NPY.read(from: URL(fileURLWithPath: input))
        let result: NIRNetwork.Result
        let net: NIRNetwork
        do {
            net = try NIRNetwork(g, options: NIRRunOptions(dt: step, integration: integ))
            guard net.inputNames.count == 1 else { throw NIRError("the graph has \(net.inputNames.count) Input nodes; spike nir run feeds one") }
            result = try Tape.withoutGradients { try net.run(inputs: [net.inputNames[0]: Variable(x)], recordNodes: true) }
        } catch let e as NIRError { throw CLIError("\(file): \(e.message)") }
        if let clash = result.nodes.keys.first(where: { $0 == "output" && !net.outputNames.contains($0) }) {
            throw CLIError("\(file): node '\(clash)' is not an Output but would be written as output.npy")
        }
        var files: [(String, Tensor)] = [("output.npy", result.outputs[net.outputNames[0]]!.value)]
        for (n, v) in result.nodes.sorted(by: { $0.key < $1.key }) where n != "output" {
            // Node names come from the file: only plain names become file names (no '/', '..' or control characters).
            guard !n.isEmpty, n != ".", n != "..", n.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0) }) else {
                throw CLIError("\(file): node \(MessageText.quoted(n)) cannot name an output file (letters, digits, '_', '-', '.')")
            }
            files.append(("\(n).npy", v.value))
        }
        let dir = URL(fileURLWithPath: output)
        let stale = try OutputFolder.check(dir, overwrite: overwrite)
        let names = files.map(\.0) + ["summary.json"]
        let outputs = try StagedOutputs(names.map { dir.appendingPathComponent($0) }, creating: [dir])
        for (name, value) in files { try outputs.stage(NPY.encode(value), for: dir.appendingPathComponent(name)) }
        let steps = x.shape.first ?? 0
        let summary: [String: Any] = ["graph": file, "steps": steps, "dt_s": step, "files": names]
        try outputs.stage(try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .prettyPrinted]), for: dir.appendingPathComponent("summary.json"))
        try outputs.publish()
        OutputFolder.remove(stale, keeping: names, in: dir)
        print("\(file): ran \(steps) steps of \(step) s; wrote \(names.count) files to \(output)")
    }
}

/// `spike nir export --model net.safetensors --dt S --output net.nir`.
public struct NIRExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a trained SpikeKit checkpoint as a NIR graph.",
        discussion: "The per-step parameters are converted to NIR's continuous ones at --dt seconds (written to the graph's metadata as dt). What NIR cannot express is refused with one line naming the layer; --approximate allows the documented approximations (Norse's CubaLIF update order).")
    @Option(help: "A checkpoint written by spike train.") var model: String
    @Option(help: "Time step in seconds.") var dt: Double
    @Option(help: "The .nir file to write.") var output: String
    @Flag(help: "Allow documented approximations.") var approximate = false
    public init() {}

    public func run() throws {
        let (model, spec, _, _) = try Checkpoint.load(from: URL(fileURLWithPath: self.model))
        do {
            let g = try NIRExport.graph(model, inputShape: [spec.inputs], options: .init(dt: dt, approximate: approximate))
            try NIRFile.write(g, to: URL(fileURLWithPath: output))
        } catch let e as NIRError { throw CLIError("\(self.model): \(e.message)") }
    }
}

/// `spike nir convert IN OUT`: reads any supported layout and writes the 1.0.x layout.
public struct NIRConvert: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "convert", abstract: "Rewrite a NIR file (any layout read) in the 1.0.x layout, or a NIRGraphData file as one.")
    @Argument(help: "The .nir file to read.") var input: String
    @Argument(help: "The .nir file to write.") var output: String
    public init() {}
    public func run() throws {
        // A NIRGraphData file (recordings) is rewritten as one.
        if let data = try? NIRDataFile.read(url: URL(fileURLWithPath: input)) {
            do { try NIRDataFile.write(data, to: URL(fileURLWithPath: output)) } catch let e as NIRError { throw CLIError("\(output): \(e.message)") }
            return
        }
        let g = try loadNIR(input)
        do { try NIRFile.write(g, to: URL(fileURLWithPath: output)) } catch let e as NIRError { throw CLIError("\(output): \(e.message)") }
    }
}

/// `spike train --nir FILE`: fine-tunes an imported NIR graph on the Randman task of `spike train`.
enum NIRTraining {
    /// Trains `file`'s network (its Input's size = Randman units, its Output's size = classes) and writes the
    /// trained graph to `save` when given. Returns the summary line.
    static func run(file: String, dt: Double?, data: RandmanConfig, readoutName: String, readoutParameters: [String: String],
                    options: TrainingOptions, save: String?) throws -> String {
        let g = try loadNIR(file)
        guard let step = dt ?? g.metadataDt else { throw CLIError("\(file): no dt in its metadata; give --dt SECONDS") }
        let net: NIRNetwork
        do { net = try NIRNetwork(g, options: NIRRunOptions(dt: step)) } catch let e as NIRError { throw CLIError("\(file): \(e.message)") }
        guard net.inputNames.count == 1, net.outputNames.count == 1 else { throw CLIError("\(file): fine-tuning needs one Input and one Output") }
        let inShape = net.shapes[net.inputNames[0]]!, outShape = net.shapes[net.outputNames[0]]!
        guard inShape == [data.units] else { throw CLIError("\(file): Input has shape \(inShape), the dataset \(data.units) units (--units)") }
        guard outShape == [data.classes] else { throw CLIError("\(file): Output has shape \(outShape), the dataset \(data.classes) classes (--classes)") }
        let outputs = try save.map { try StagedOutputs([URL(fileURLWithPath: $0)]) }
        let readout = try Readout.named(readoutName, parameters: readoutParameters)
        let full = try SpikeDataset.randman(data)
        let (train, test) = full.split(trainFraction: options.trainFraction)
        let trainSet = try options.input(of: train), testSet = try options.input(of: test)
        func accuracy() throws -> Float {
            try Trainer.evaluate(net, readout: readout, data: testSet, batchSize: 256, options: options).accuracy
        }
        let before = try accuracy()
        _ = try Trainer.fit(net, readout: readout, train: trainSet, test: testSet, options: options, report: { _ in })
        let after = try accuracy()
        if let save, let outputs {
            do {
                try outputs.stage(URL(fileURLWithPath: save)) { try NIRFile.write(net.trainedGraph(), to: $0) }
            } catch let e as NIRError { throw CLIError("\(save): \(e.message)") }
            try outputs.publish()
        }
        return String(format: "test accuracy %.4f (before fine-tuning %.4f)", after, before)
    }
}
