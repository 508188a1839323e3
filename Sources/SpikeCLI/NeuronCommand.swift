import ArgumentParser
import Foundation
import SpikeKit

/// `spike neuron`: runs one neuron model on an input and writes every state trace as .npy.
public struct Neuron: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run one neuron model on an input current and write its spikes and state traces.",
        discussion: "Input: .npy of shape [T] or [T, N] (float32 or float64). Output: DIR/spikes.npy, DIR/v.npy and one DIR/NAME.npy per further state, float32 [T, N], each the state after the step. With --grad-weights R.npy also DIR/grad_input.npy = d sum(R * spikes) / d input through the surrogate gradient and BPTT.")

    @Argument(help: "Model id (see --list).") var model: String?
    @Option(help: "Input .npy, [T] or [T, N].") var input: String?
    @Option(name: .customLong("set"), help: "Model parameter NAME=VALUE (repeatable).") var assignments: [String] = []
    @Option(help: "Integration step in seconds (models that integrate with one).") var dt: Double?
    @Option(help: "Output directory.") var output: String?
    @Option(help: "Weights R (.npy, the input's shape) for grad_input.npy.") var gradWeights: String?
    @Flag(help: "List every model with its parameters, defaults and units.") var list = false

    public init() {}

    public static func listing() -> String {
        var lines: [String] = []
        for id in NeuronRegistry.modelIDs {
            lines.append("\(id): \(NeuronRegistry.describe(id))")
            for p in NeuronRegistry.parameters(of: id) {
                let unit = p.unit.isEmpty ? "" : " [\(p.unit)]"
                lines.append("    \(p.name) = \(p.defaultValue)\(unit)  \(p.help)")
            }
        }
        return lines.joined(separator: "\n")
    }

    public func run() throws {
        if list { print(Self.listing()); return }
        guard let model else { throw CLIError("spike neuron: give a MODEL (one of \(NeuronRegistry.modelIDs.joined(separator: ", "))) or --list") }
        guard let input else { throw CLIError("spike neuron: --input FILE.npy is required") }
        guard let output else { throw CLIError("spike neuron: --output DIR is required") }
        var params: [String: Any] = try parseAssignments(assignments)
        if let dt {
            guard NeuronRegistry.parameters(of: model).contains(where: { $0.name == "dt" }) || !NeuronRegistry.modelIDs.contains(model) else {
                throw CLIError("\(model): discrete-time model, takes no --dt (got \(dt))")
            }
            guard dt > 0, dt.isFinite else { throw CLIError("--dt must be > 0, got \(dt)") }
            params["dt"] = "\(dt)"
        }
        let neuron = try NeuronRegistry.model(model, parameters: params)
        let x = try NPY.read(from: URL(fileURLWithPath: input))
        guard x.rank == 1 || x.rank == 2, x.count > 0 else {
            throw CLIError("\(input): input must have shape [T] or [T, N] with T, N > 0, got \(x.shape)")
        }
        guard x.scalars.allSatisfy({ $0.isFinite }) else { throw CLIError("\(input): input contains NaN or infinity") }
        let T = x.shape[0], N = x.rank == 2 ? x.shape[1] : 1
        var weights: Tensor?
        if let gradWeights {
            let r = try NPY.read(from: URL(fileURLWithPath: gradWeights))
            guard r.count == T * N, r.shape == x.shape || r.shape == [T, N] else {
                throw CLIError("\(gradWeights): shape \(r.shape) does not match the input's \(x.shape)")
            }
            weights = r
        }
        let fwd = neuron.forward(x.scalars, steps: T, elements: N)
        var files: [(String, Tensor)] = []
        if neuron.isSpiking { files.append(("spikes", Tensor(shape: [T, N], scalars: fwd.output))) }
        let S = neuron.stateNames.count
        for (k, name) in neuron.stateNames.enumerated() {
            var trace = [Float](repeating: 0, count: T * N)
            for t in 0..<T { for i in 0..<N { trace[t * N + i] = fwd.states[(t * S + k) * N + i] } }
            files.append((name, Tensor(shape: [T, N], scalars: trace)))
        }
        if let weights {
            let g = neuron.backward(x.scalars, states: fwd.states, gradOutput: weights.scalars, steps: T, elements: N).gradInput
            files.append(("grad_input", Tensor(shape: [T, N], scalars: g)))
        }
        let dir = URL(fileURLWithPath: output)
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        catch { throw CLIError("\(output): cannot create the output directory") }
        for (name, t) in files { try NPY.write(t, to: dir.appendingPathComponent("\(name).npy")) }
    }
}
