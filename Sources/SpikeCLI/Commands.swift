import ArgumentParser
import Foundation
import SpikeKit

/// The `spike` command-line tool.
public struct SpikeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "spike",
        abstract: "Build, simulate and train spiking neural networks.",
        subcommands: [Train.self, Eval.self, Neuron.self, EncodeCommand.self, Simulate.self, Bench.self, NIRCommand.self, DataCommand.self])
    public init() {}
}

/// Parses `NAME=VALUE` pairs.
func parseAssignments(_ items: [String]) throws -> [String: String] {
    var out: [String: String] = [:]
    for item in items {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw CLIError("--set expects NAME=VALUE, got '\(item)'")
        }
        out[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    return out
}

func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    print(String(decoding: try enc.encode(value), as: UTF8.self))
}

/// `spike train`: trains a spiking classifier (default: Randman, see README) and reports test accuracy.
public struct Train: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Train a spiking network (default: the embedded Randman task).")

    @OptionGroup var dataOptions: DataOptions
    @Option(parsing: .unconditional, help: "Randman classes.") var classes = 10
    @Option(parsing: .unconditional, help: "Randman input units.") var units = 100
    @Option(parsing: .unconditional, help: "Time steps per sample (Randman; the steps the rate, latency and direct encoders make).") var steps = 50
    @Option(parsing: .unconditional, help: "Randman manifold dimension.") var manifoldDim = 2
    @Option(parsing: .unconditional, help: "Randman smoothness alpha.") var alpha = 2.0
    @Option(parsing: .unconditional, help: "Randman samples per class.") var samplesPerClass = 200
    @Option(parsing: .unconditional, help: "Seed of the dataset.") var dataSeed: UInt64 = 42
    @Option(help: "Input encoding: spike-times (the samples as they are: Randman's spikes, event frames, tensors), rate (Poisson of the values), latency, or direct (the value as input current every step); rate, latency and direct make --steps steps. Default: direct for images (MNIST), spike-times otherwise.") var encoder: String?
    @Option(parsing: .unconditional, help: "Background threads loading and framing batches while the network trains (0: in line).") var loaderThreads = 1
    @Option(help: "Hidden layer sizes, comma-separated.") var hidden = "128"
    @Option(help: "Hidden neuron model: any spiking model of `spike neuron --list` (lif, if, plif, leaky, cuba_lif, adex, ...).") var neuron = "lif"
    @Flag(help: "Hidden layers with recurrent weights (any spiking model; no self-connections unless --self-connections).") var recurrent = false
    @Flag(help: "Let recurrent hidden neurons connect to themselves.") var selfConnections = false
    @Option(help: "Neuron parameter trained with the weights, one value per layer (repeatable; e.g. w for plif, beta for leaky).") var learn: [String] = []
    @Option(parsing: .unconditional, help: "Neuron membrane time constant in steps (lif).") var tau: Float = 10
    @Option(name: .customLong("set"), help: "Further neuron parameter NAME=VALUE (as spike neuron --set).") var assignments: [String] = []
    @Option(help: "Surrogate gradient: sigmoid, atan, fast-sigmoid, triangle, erf, piecewise-quadratic, rectangle, straight-through (default atan for lif and if; other models keep their reference's default unless given).") var surrogate: String?
    @Option(parsing: .unconditional, help: "Surrogate shape parameter (default: the family's).") var surrogateAlpha: Float?
    @Option(help: "Readout: \(Readout.names.joined(separator: ", ")).") var readout = "max-membrane"
    @Option(name: .customLong("readout-set"), help: "Readout parameter NAME=VALUE (e.g. correct_rate=0.8, gradient=soft).") var readoutAssignments: [String] = []
    @Option(parsing: .unconditional, help: "LI readout time constant in steps.") var readoutTau: Float = 10
    @Option(parsing: .unconditional, help: "Gain on PyTorch's default weight initialisation.") var weightGain: Float = 4
    @Option(parsing: .unconditional, help: "Epochs.") var epochs = 20
    @Option(parsing: .unconditional, help: "Batch size.") var batchSize = 64
    @Option(help: "Optimizer: adam, adamw or sgd.") var optimizer = "adam"
    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate.") var learningRate: Float = 5e-3
    @Option(parsing: .unconditional, help: "Weight decay.") var weightDecay: Float = 0
    @Option(parsing: .unconditional, help: "Clip gradients to this global norm.") var clipNorm: Float?
    @Option(parsing: .unconditional, help: "Seed of initialisation and batch order.") var seed: UInt64 = 0
    @Option(help: "Write the trained network to this safetensors file.") var save: String?
    @Flag(help: "Print a one-line JSON summary on stdout.") var json = false
    @Option(help: "Fine-tune this NIR graph instead of building a network (its Input size = --units, Output size = --classes; see docs/NIR.md).") var nir: String?
    @Option(name: .customLong("nir-dt"), help: "Time step in seconds for --nir (default: the file's metadata dt).") var nirDt: Double?
    @Option(name: .customLong("save-nir"), help: "Write the fine-tuned --nir graph to this .nir file.") var saveNIR: String?
    @OptionGroup var parallel: DataParallelCLIOptions
    @OptionGroup var sweepOptions: TrainSweepOptions

    public init() {}

    public func run() throws {
        if !sweepOptions.sweep.isEmpty { return try runSweep() }
        _ = try execute()
    }

    /// Trains as the options say; returns the summary (nil for --nir). `printing` false: nothing on stdout or
    /// stderr (a point of a sweep).
    func execute(printing: Bool = true) throws -> TrainingSummary? {
        Memory.keepFreedMemory()
        var dataSpec = try dataOptions.spec()
        if dataSpec.name == "randman" {
            let data = RandmanConfig(classes: classes, units: units, steps: steps, manifoldDim: manifoldDim, alpha: alpha,
                                     samplesPerClass: samplesPerClass, seed: dataSeed)
            try data.validate()
            dataSpec.randman = data
        }
        if dataSpec.flipLR != nil || dataSpec.dropEvent != nil { dataSpec.augmentSeed = seed }
        if let nir {
            guard Distributed.world.size == 1 else { throw CLIError("--nir: fine-tuning an imported graph runs in one process; run it without mpirun") }
            guard dataSpec.name == "randman", let data = dataSpec.randman else {
                throw CLIError("--nir: fine-tuning an imported graph runs on the randman task only, not --dataset \(dataSpec.name)")
            }
            var options = TrainingOptions()
            options.epochs = epochs; options.batchSize = batchSize; options.optimizer = optimizer
            options.learningRate = learningRate; options.weightDecay = weightDecay; options.clipNorm = clipNorm; options.seed = seed
            options.encoder = encoder ?? "spike-times"; options.steps = steps
            try options.validate()
            print(try NIRTraining.run(file: nir, dt: nirDt, data: data, readoutName: readout,
                                      readoutParameters: try parseAssignments(readoutAssignments), options: options, save: saveNIR))
            return nil
        }
        let sizes = try hidden.split(separator: ",").map { s -> Int in
            guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n > 0 else { throw CLIError("--hidden: '\(s)' is not a positive size") }
            return n
        }
        var params = try parseAssignments(assignments)
        if neuron == "lif", params["tau"] == nil { params["tau"] = "\(tau)" }
        // Hidden layers integrate their input without the 1/tau factor (V = V - V/tau + X), as Zenke &
        // Vogels' networks do; `--set decay_input=true` restores SpikingJelly's default.
        if neuron == "lif", params["decay_input"] == nil { params["decay_input"] = "false" }
        // --surrogate and --surrogate-alpha apply to models with SpikingJelly-style surrogate parameters.
        let info = NeuronRegistry.parameters(of: neuron)
        if let sg = surrogate ?? (["lif", "if"].contains(neuron) ? "atan" : nil), params["surrogate"] == nil {
            guard info.contains(where: { $0.name == "surrogate" }) else {
                throw CLIError("--surrogate: model '\(neuron)' has no surrogate parameter")
            }
            params["surrogate"] = sg
        }
        if let a = surrogateAlpha, params["alpha"] == nil {
            guard info.contains(where: { $0.name == "alpha" && $0.help.contains("surrogate") }) else {
                throw CLIError("--surrogate-alpha: model '\(neuron)' has no surrogate alpha; use --set with its own parameter name")
            }
            params["alpha"] = "\(a)"
        }
        let readoutParameters = try parseAssignments(readoutAssignments)
        let decoder = try Readout.named(readout, parameters: readoutParameters)
        var options = TrainingOptions()
        options.epochs = epochs; options.batchSize = batchSize; options.optimizer = optimizer
        options.learningRate = learningRate; options.weightDecay = weightDecay; options.clipNorm = clipNorm; options.seed = seed
        options.encoder = encoder ?? (["mnist", "fashion-mnist", "kmnist"].contains(dataSpec.name) ? "direct" : "spike-times")
        if options.encodesValues { options.steps = steps }
        if loaderThreads != 1 { options.loaderWorkers = loaderThreads }
        try options.validate()
        // Every size is checked against the memory budget before any work: the data set here, a batch's
        // activations in the trainer.
        func network(inputs: Int, classes: Int) -> NetworkSpec {
            NetworkSpec(inputs: inputs, hidden: sizes, outputs: classes, neuron: neuron, neuronParameters: params,
                        readout: readout, readoutParameters: readoutParameters, membraneOutput: decoder.input == .membrane,
                        readoutTau: readoutTau, weightGain: weightGain, learn: learn.isEmpty ? nil : learn,
                        recurrent: recurrent ? true : nil, selfConnections: selfConnections ? true : nil)
        }
        if let data = dataSpec.randman {
            try network(inputs: units, classes: classes).validate()
            try MemoryBudget.check(bytes: data.estimatedBytes, what: "randman data set (\(classes) classes x \(samplesPerClass) samples x \(units) units)")
        }
        // The checkpoint's destination is validated before training and written, all or nothing, at the end.
        let isRoot = Distributed.world.isRoot   // under mpirun, rank 0 alone prints and writes
        let outputs = try save.map { isRoot ? try StagedOutputs([URL(fileURLWithPath: $0)]) : nil } ?? nil
        let (trainData, testData, described) = try dataSpec.load(trainFraction: options.trainFraction)
        let (train, test) = (try options.input(ofAny: trainData), try options.input(ofAny: testData))
        let inputs = train.stepShape.reduce(1, *), classes = train.classes
        let spec = network(inputs: inputs, classes: classes)
        try spec.validate()
        if let data = dataSpec.randman { try Trainer.checkMemory(spec: spec, steps: steps, batchSize: min(batchSize, data.sampleCount)) }
        let display = ProgressDisplay()
        if isRoot && printing { FileHandle.standardError.write(Data("\(described); network \(inputs)-\(sizes.map(String.init).joined(separator: "-"))-\(classes) \(neuron) + \(readout)\n".utf8)) }
        let (model, summary) = try parallel.train(spec: spec, train: train, test: test, options: options, printing: printing, report: { if printing { display.update($0) } })
        guard isRoot else { return summary }
        if let save, let outputs {
            try outputs.stage(URL(fileURLWithPath: save)) { try Checkpoint.save(model, spec: spec, data: dataSpec, training: options, to: $0) }
            try outputs.publish()
        }
        if !printing { return summary }
        if json { try printJSON(summary) } else {
            print(String(format: "test accuracy %.4f (train %.4f) in %.1f s, %.0f samples/s", summary.testAccuracy,
                         summary.trainAccuracy, summary.seconds, summary.samplesPerSecond))
        }
        return summary
    }
}

/// `spike eval`: evaluates a checkpoint on the test split of the dataset it was trained on.
public struct Eval: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Evaluate a checkpoint written by spike train --save.")
    @Option(help: "Checkpoint (.safetensors).") var model: String
    @Flag(help: "Print a one-line JSON summary on stdout.") var json = false
    public init() {}

    struct Result: Encodable { let testAccuracy: Float; let testLoss: Float; let testSamples: Int }

    public func run() throws {
        let (net, spec, data, stored) = try Checkpoint.load(from: URL(fileURLWithPath: model))
        var training = stored
        if training.encodesValues, training.steps == nil { training.steps = data.randman?.steps }   // checkpoints before SpikeTraining
        let (_, testData, _) = try data.load(trainFraction: stored.trainFraction)
        let test = try training.input(ofAny: testData)
        guard test.count > 0 else { throw CLIError("test set is empty") }
        try Trainer.check(test, fits: spec, name: "test set")
        let (loss, acc) = try Trainer.evaluate(net, spec: spec, data: test, batchSize: 256, options: training)
        if json { try printJSON(Result(testAccuracy: acc, testLoss: loss, testSamples: test.count)) }
        else { print(String(format: "test accuracy %.4f, loss %.4f on %d samples", acc, loss, test.count)) }
    }
}
