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
    @Option(help: "Readout: \(Readout.names.joined(separator: ", ")) (default: max-membrane for dense networks and shd-rnn; count for csnn, dvsgesture and model files; voltage-sum for vgg11 and sew-resnet18).") var readout: String?
    @Option(name: .customLong("readout-set"), help: "Readout parameter NAME=VALUE (e.g. correct_rate=0.8, gradient=soft).") var readoutAssignments: [String] = []
    @Option(parsing: .unconditional, help: "LI readout time constant in steps.") var readoutTau: Float = 10
    @Option(parsing: .unconditional, help: "Gain on PyTorch's default weight initialisation.") var weightGain: Float = 4
    @Option(name: .customLong("epochs"), parsing: .unconditional, help: "Epochs (default 20; with --resume, the checkpoint's).") var epochsOption: Int?
    var epochs: Int { epochsOption ?? 20 }
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
    @Option(help: "Train a reference architecture on the data set's frames: \(ModelFile.architectures.joined(separator: ", ")) (see docs/CONV.md).") var arch: String?
    @Option(parsing: .unconditional, help: "--arch dvsgesture: channels of the convolutions (the reference: 128).") var channels: Int?
    @Option(name: .customLong("arch-set"), help: "Further --arch option NAME=VALUE as in model files (e.g. hidden=256, pool_size=1, batch_norm=true, connect=iand).") var archAssignments: [String] = []
    @Option(help: "Train the network of this model file (JSON or YAML layer list, see docs/CONV.md) on the data set's frames.") var modelFile: String?
    @Option(help: "Learning-rate schedule: none, step, cosine or one-cycle (PyTorch's StepLR, CosineAnnealingLR with T_max = epochs, OneCycleLR with max_lr = --lr).") var schedule = "none"
    @Option(parsing: .unconditional, help: "--schedule step: epochs between decays.") var stepSize = 30
    @Option(parsing: .unconditional, help: "--schedule step: decay factor.") var gamma = 0.1
    @Option(name: .customLong("min-lr"), parsing: .unconditional, help: "--schedule cosine: the final learning rate (eta_min).") var minLearningRate = 0.0
    @Option(help: "Parameters without weight decay, comma-separated: bias, norm (BatchNorm parameters), or state-dict keys/prefixes.") var noDecay: String?
    @Flag(help: "Evaluate on the test split after every epoch (shown in the progress lines and the metrics log).") var testEachEpoch = false
    @Option(help: "Continue the run of this checkpoint (written by --save after an epoch, with its .optimizer.safetensors): the same model, data and options; gives the bits of an uninterrupted run. --save defaults to this file.") var resume: String?
    @Option(help: "Start from the weights of this safetensors file (a PyTorch state_dict saved with safetensors.torch.save_file); prints what matched.") var initWeights: String?
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
        if resume != nil || arch != nil || modelFile != nil {
            try runModule(printing: printing)
            return nil
        }
        if let initWeights { throw CLIError("--init-weights \(initWeights): applies to --arch and --model-file networks") }
        let readout = self.readout ?? "max-membrane"
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
        let options = try trainingOptions(dataName: dataSpec.name, keepFrames: false)
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
        // The checkpoint's destinations (the state dict, the optimizer file for --resume, the metrics log) are
        // validated before training and written, all or nothing, at the end; under mpirun by rank 0 alone.
        let isRoot = Distributed.world.isRoot
        let saveURL = save.map { URL(fileURLWithPath: $0) }
        let outputs = try saveURL.map { u in
            isRoot ? try StagedOutputs([u, TrainingCheckpoint.optimizerURL(for: u), MetricsLog.urls(for: u).jsonl, MetricsLog.urls(for: u).csv]) : nil
        } ?? nil
        let (trainData, testData, described) = try dataSpec.load(trainFraction: options.trainFraction)
        let (train, test) = (try options.input(ofAny: trainData), try options.input(ofAny: testData))
        let inputs = train.stepShape.reduce(1, *), classes = train.classes
        let spec = network(inputs: inputs, classes: classes)
        try spec.validate()
        if let data = dataSpec.randman { try Trainer.checkMemory(spec: spec, steps: steps, batchSize: min(batchSize, data.sampleCount)) }
        let display = ProgressDisplay()
        if isRoot && printing { FileHandle.standardError.write(Data("\(described); network \(inputs)-\(sizes.map(String.init).joined(separator: "-"))-\(classes) \(neuron) + \(readout)\n".utf8)) }
        var last: TrainingState?
        let (model, summary) = try parallel.train(spec: spec, train: train, test: test, options: options, printing: printing,
                                                  epochEnd: { last = $0 }, report: { if printing { display.update($0) } })
        guard isRoot else { return summary }
        if let u = saveURL, let outputs {
            let c = try Checkpoint.make(model, model: .network(spec), data: dataSpec, training: options, state: last)
            try outputs.stage(u) { try c.writeStateDict(to: $0) }
            try outputs.stage(TrainingCheckpoint.optimizerURL(for: u)) { try c.writeOptimizerState(to: $0) }
            let log = MetricsLog.urls(for: u)
            try outputs.stage(Data(try MetricsLog.jsonLines(c.history).utf8), for: log.jsonl)
            try outputs.stage(Data(MetricsLog.csv(c.history).utf8), for: log.csv)
            try outputs.publish()
        }
        if !printing { return summary }
        if let w = summary.warning { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        if json { try printJSON(summary) } else {
            print(String(format: "test accuracy %.4f (train %.4f) in %.1f s, %.0f samples/s", summary.testAccuracy,
                         summary.trainAccuracy, summary.seconds, summary.samplesPerSecond))
        }
        return summary
    }
}

extension Train {
    /// The default readout of an architecture or model file.
    static func defaultReadout(arch: String?) -> String {
        switch arch {
        case "shd-rnn": return "max-membrane"
        case "vgg11", "sew-resnet18": return "voltage-sum"
        default: return "count"
        }
    }

    /// Checks that one step of `data` (`[C, H, W]` frames, or features) fits architecture `name`.
    static func checkFits(arch name: String, stepShape s: [Int]) throws {
        let shape = s.map(String.init).joined(separator: "x")
        switch name {
        case "csnn":
            guard s.count == 3, s[1] == 34, s[2] == 34 else { throw CLIError("--arch csnn takes frames [C, 34, 34] (N-MNIST), the data set gives \(shape)") }
        case "dvsgesture":
            guard s.count == 3, s[1] == s[2], s[1] >= 32, s[1] % 32 == 0 else {
                throw CLIError("--arch dvsgesture takes square frames of a side that is a multiple of 32, the data set gives \(shape) (use --downsample or --crop)")
            }
        case "shd-rnn":
            guard s.count == 1 else { throw CLIError("--arch shd-rnn takes one-dimensional steps (SHD: 700 channels), the data set gives \(shape)") }
        default:
            guard s.count == 3, s[1] >= 32, s[2] >= 32 else { throw CLIError("--arch \(name) takes frames [C, H, W] of at least 32x32, the data set gives \(shape)") }
        }
    }

    /// The model-file text of `--arch` for data of `stepShape` and `classes`.
    func archText(_ name: String, stepShape: [Int], classes: Int) throws -> String {
        var fields: [(String, String)] = [("arch", JSON.quote(name))]
        switch name {
        case "shd-rnn": fields += [("inputs", "\(stepShape[0])"), ("classes", "\(classes)")]
        case "dvsgesture":
            guard classes == 11 else { throw CLIError("--arch dvsgesture votes 110 outputs into 11 classes, the data set has \(classes)") }
            fields += [("image_size", "\(stepShape[1])")]
            if let channels { fields.append(("channels", "\(channels)")) }
        default: fields += [("in_channels", "\(stepShape[0])"), ("classes", "\(classes)")]
        }
        if channels != nil, name != "dvsgesture" { throw CLIError("--channels applies to --arch dvsgesture") }
        for (k, v) in try parseAssignments(archAssignments) {
            guard !fields.contains(where: { $0.0 == k }) else { throw CLIError("--arch-set \(k): set from the data set or another option") }
            let value: String
            if Double(v) != nil || v == "true" || v == "false" { value = v } else { value = JSON.quote(v) }
            fields.append((k, value))
        }
        return "{" + fields.map { "\(JSON.quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}\n"
    }

    /// Training options from the flags.
    func trainingOptions(dataName: String, keepFrames: Bool) throws -> TrainingOptions {
        var options = TrainingOptions()
        options.epochs = epochs; options.batchSize = batchSize; options.optimizer = optimizer
        options.learningRate = learningRate; options.weightDecay = weightDecay; options.clipNorm = clipNorm; options.seed = seed
        options.encoder = encoder ?? (["mnist", "fashion-mnist", "kmnist"].contains(dataName) ? "direct" : "spike-times")
        if options.encodesValues { options.steps = steps }
        if loaderThreads != 1 { options.loaderWorkers = loaderThreads }
        options.schedule = try LearningRateSchedule.parse(schedule, stepSize: stepSize, gamma: gamma, minimum: minLearningRate)
        options.noDecay = noDecay.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if testEachEpoch { options.evaluateEachEpoch = true }
        if keepFrames { options.keepFrames = true }
        try options.validate()
        return options
    }

    /// `--arch`, `--model-file` and `--resume`: any module on the data set's frames, with a checkpoint and
    /// metrics log after every epoch.
    /// Under mpirun or with `--chunk`, trains through `Trainer.fitDataParallel` (rank 0 alone logs and writes the
    /// checkpoint; a checkpoint resumes at any number of ranks).
    func runModule(printing: Bool = true) throws {
        let isRoot = Distributed.world.isRoot
        let log = { (s: String) in if isRoot && printing { FileHandle.standardError.write(Data((s + "\n").utf8)) } }
        var module: any Module
        var description: ModelDescription
        var dataSpec: DataSpec
        var options: TrainingOptions
        var state: TrainingState? = nil
        let saveURL = (save ?? resume).map { URL(fileURLWithPath: $0) }
        if let resume {
            guard arch == nil, modelFile == nil, initWeights == nil else {
                throw CLIError("--resume takes the network from the checkpoint; drop --arch, --model-file and --init-weights")
            }
            let loaded = try Checkpoint.loadModule(from: URL(fileURLWithPath: resume), optimizer: true)
            guard let s = loaded.checkpoint.state else { throw CLIError("\(resume): written after training, not between epochs; nothing to resume") }
            (module, description, dataSpec, options, state) = (loaded.model, loaded.checkpoint.model, loaded.data, loaded.checkpoint.training, s)
            if let e = epochsOption { options.epochs = e; try options.validate() }
            if case .network = description { options.keepFrames = options.keepFrames ?? false }
            guard s.epochsDone < options.epochs else {
                throw CLIError("\(resume): \(s.epochsDone) of \(options.epochs) epochs are done; give --epochs N with N > \(s.epochsDone) to train on")
            }
            log("resuming \(resume) after epoch \(s.epochsDone) of \(options.epochs)")
        } else {
            guard arch == nil || modelFile == nil else { throw CLIError("give either --arch or --model-file, not both") }
            guard nir == nil else { throw CLIError("--nir cannot be combined with --arch or --model-file") }
            dataSpec = try dataOptions.spec()
            guard dataSpec.name != "randman" else { throw CLIError("--arch and --model-file train on a data set of frames or features: give --dataset and --data") }
            if dataSpec.flipLR != nil || dataSpec.dropEvent != nil { dataSpec.augmentSeed = seed }
            options = try trainingOptions(dataName: dataSpec.name, keepFrames: true)
            let (probe, _, _) = try dataSpec.load(trainFraction: options.trainFraction)
            let stepShape = try options.input(ofAny: probe).stepShape, classes = probe.classes
            if let arch {
                guard ModelFile.architectures.contains(arch) else { throw CLIError("--arch: unknown architecture '\(arch)' (known: \(ModelFile.architectures.joined(separator: ", ")))") }
                try Self.checkFits(arch: arch, stepShape: stepShape)
                description = .modelFile(name: "arch.json", text: try archText(arch, stepShape: stepShape, classes: classes))
            } else {
                let path = modelFile!
                let data: Data
                do { data = try InputFile.read(path: path) }
                catch let SpikeIOError.cannotRead(_, reason) { throw CLIError("\(path): cannot read the model file: \(reason)") }
                let plan = try ModelFile.parse(Array(data), file: path)
                if let shape = plan.inputShape, shape != stepShape, shape.reduce(1, *) != stepShape.reduce(1, *) || shape.count > 1 {
                    throw CLIError("\(path): input_shape \(shape) but the data set's steps are \(stepShape)")
                }
                if let out = plan.outputShape, out != [classes] {
                    throw CLIError("\(path): the network gives \(out) outputs per step, the data set has \(classes) classes")
                }
                let text = String(decoding: data, as: UTF8.self)
                if let a = Self.architecture(of: text) { try Self.checkFits(arch: a, stepShape: stepShape) }
                description = .modelFile(name: (path as NSString).lastPathComponent, text: text)
            }
            options.readout = readout ?? Self.defaultReadout(arch: arch)
            let ra = try parseAssignments(readoutAssignments)
            if !ra.isEmpty { options.readoutParameters = ra }
            guard case let .modelFile(name, text) = description else { fatalError("unreachable") }
            module = try ModelFile.parse(Array(text.utf8), file: name).build(seed: seed)
            if let initWeights {
                let (tensors, _) = try SafeTensors.read(from: URL(fileURLWithPath: initWeights))
                let report = try StateDict.load(tensors, into: module, strict: false, file: (initWeights as NSString).lastPathComponent)
                log("--init-weights \(initWeights): \(report)")
                guard !report.matched.isEmpty else { throw CLIError("--init-weights \(initWeights): no tensor matches the network's keys") }
            }
        }
        let readoutName = options.readout ?? "max-membrane"
        let readout: Readout
        if case let .network(spec) = description { readout = try spec.makeReadout() } else {
            readout = try Readout.named(readoutName, parameters: options.readoutParameters ?? [:])
        }
        // The destinations are validated before any work; each epoch then rewrites the four files atomically.
        let outputs = try saveURL.map { u in
            isRoot ? try StagedOutputs([u, TrainingCheckpoint.optimizerURL(for: u), MetricsLog.urls(for: u).jsonl, MetricsLog.urls(for: u).csv]) : nil
        } ?? nil
        defer { outputs?.discard() }
        let (trainData, testData, described) = try dataSpec.load(trainFraction: options.trainFraction)
        let (train, test) = (try options.input(ofAny: trainData), try options.input(ofAny: testData))
        // Memory: one sample through the network, scaled to a batch.
        let sample = try train.sample(at: 0, epoch: 0)
        let first = try options.encode(sample.input.reshaped([sample.input.shape[0], 1] + Array(sample.input.shape.dropFirst())), epoch: -1, batch: 0)
        let batchBytes = Trainer.estimateBatchBytes(module, sample: first, batchSize: min(options.batchSize, train.count))
        try MemoryBudget.check(bytes: batchBytes, what: "a training batch of \(options.batchSize) samples (\(first.shape[0]) steps of \(Array(first.shape.dropFirst(2)))) through the network")
        let params = module.parameters.reduce(0) { $0 + $1.value.count }
        log("\(described); \(Self.describe(description)) (\(params) parameters) + \(readoutName); about \(MemoryBudget.describe(batchBytes ?? 0)) per batch")
        let display = ProgressDisplay()
        let epochEnd = { (st: TrainingState) throws in
            guard let url = saveURL, isRoot else { return }
            try Checkpoint.make(module, model: description, data: dataSpec, training: options, state: st).write(to: url)
            try MetricsLog.write(st.history, besides: url)
        }
        let report = { (p: TrainingProgress) in if printing { display.update(p) } }
        let summary: TrainingSummary
        if parallel.isDataParallel {
            let timing = DataParallelTiming()
            summary = try Trainer.fitDataParallel(module, readout: readout, train: train, test: test, options: options,
                                                  parallel: parallel.dataParallelOptions, on: Distributed.world, timing: timing,
                                                  resume: state, epochEnd: epochEnd, report: report)
            if printing { parallel.printTiming(timing) }
        } else {
            summary = try Trainer.fit(module, readout: readout, train: train, test: test, options: options, resume: state,
                                      epochEnd: epochEnd, report: report)
        }
        guard isRoot, printing else { return }
        if let w = summary.warning { log("warning: \(w)") }
        if json { try printJSON(summary) } else {
            print(String(format: "test accuracy %.4f (train %.4f) in %.1f s, %.0f samples/s", summary.testAccuracy,
                         summary.trainAccuracy, summary.seconds, summary.samplesPerSecond)
                  + (saveURL.map { "; checkpoint \($0.path), metrics \(MetricsLog.urls(for: $0).csv.lastPathComponent)" } ?? ""))
        }
    }

    /// The `arch` of an architecture's model-file text written by `archText`, else nil.
    static func architecture(of text: String) -> String? {
        guard case let .object(members)? = try? JSON.parse(document: Array(text.utf8)),
              let v = members.first(where: { $0.0 == "arch" })?.1, case let .string(name) = v else { return nil }
        return name
    }

    static func describe(_ d: ModelDescription) -> String {
        switch d {
        case let .network(spec): return "network \(([spec.inputs] + spec.hidden + [spec.outputs]).map(String.init).joined(separator: "-"))"
        case let .modelFile(name, text): return name == "arch.json" ? "architecture \(text.trimmingCharacters(in: .whitespacesAndNewlines))" : "model file \(name)"
        case .custom: return "custom network"
        }
    }
}

/// `spike eval`: evaluates a checkpoint on the test split of the dataset it was trained on, or of another one.
public struct Eval: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Evaluate a checkpoint written by spike train --save (on its own data set's test split, or on --dataset/--data).")
    @Option(help: "Checkpoint (.safetensors).") var model: String
    @Option(help: "Evaluate on this data set's test split instead of the checkpoint's (\(DataSpec.names.filter { $0 != "randman" }.joined(separator: ", "))); frame options as spike train's (default: the checkpoint's).") var dataset: String?
    @Option(help: "Data folder (inputs .npy for --dataset npy).") var data: String?
    @Option(help: "Labels .npy for --dataset npy.") var labels: String?
    @OptionGroup var frameOptions: FrameOptions
    @Flag(help: "Print a one-line JSON summary on stdout.") var json = false
    public init() {}

    struct Result: Encodable { let testAccuracy: Float; let testLoss: Float; let testSamples: Int }

    public func run() throws {
        let url = URL(fileURLWithPath: model)
        let (net, checkpoint, stored) = try Checkpoint.loadModule(from: url)
        var training = checkpoint.training
        var dataSpec = stored
        if dataset != nil || data != nil {
            guard let dataset, let data else { throw CLIError("give both --dataset and --data to evaluate on other data") }
            var s = DataSpec(name: dataset)
            s.path = data; s.labels = labels
            // Frame options: the ones given, else the checkpoint's (same framing as in training).
            let given = try frameOptions.apply(to: s)
            let anyFrame = given.frames != nil || given.timeWindow != nil || given.eventCount != nil
            if s.isEvents, !anyFrame { s.frames = stored.frames; s.timeWindow = stored.timeWindow; s.eventCount = stored.eventCount; s.overlap = stored.overlap }
            else { s.frames = given.frames; s.timeWindow = given.timeWindow; s.eventCount = given.eventCount; s.overlap = given.overlap }
            s.downsample = given.downsample ?? (s.isEvents ? stored.downsample : nil)
            s.crop = given.crop ?? (s.isEvents ? stored.crop : nil)
            s.denoise = given.denoise ?? (s.isEvents ? stored.denoise : nil)
            try s.validate()
            dataSpec = s
        }
        if training.encodesValues, training.steps == nil { training.steps = dataSpec.randman?.steps }   // checkpoints before SpikeTraining
        let (_, testData, _) = try dataSpec.load(trainFraction: training.trainFraction)
        let test = try training.input(ofAny: testData)
        guard test.count > 0 else { throw CLIError("test set is empty") }
        let loss: Float, acc: Float
        if case let .network(spec) = checkpoint.model {
            try Trainer.check(test, fits: spec, name: "test set")
            (loss, acc) = try Trainer.evaluate(net as! Sequential, spec: spec, data: test, batchSize: 256, options: training)
        } else {
            if case let .modelFile(name, text) = checkpoint.model {
                let plan = try ModelFile.parse(Array(text.utf8), file: name)
                let step = test.stepShape
                if let shape = plan.inputShape, shape.reduce(1, *) != step.reduce(1, *) {
                    throw CLIError("\(dataSpec.name): steps of \(step), the network takes \(shape)")
                }
                if let arch = Train.architecture(of: text) { try Train.checkFits(arch: arch, stepShape: step) }
                if let out = plan.outputShape, out != [test.classes] { throw CLIError("\(dataSpec.name): \(test.classes) classes, the network gives \(out)") }
            }
            let readout = try Readout.named(training.readout ?? "max-membrane", parameters: training.readoutParameters ?? [:])
            (loss, acc) = try Trainer.evaluate(net, readout: readout, data: test, batchSize: 64, options: training)
        }
        if json { try printJSON(Result(testAccuracy: acc, testLoss: loss, testSamples: test.count)) }
        else { print(String(format: "test accuracy %.4f, loss %.4f on %d samples (%@)", acc, loss, test.count, dataSpec.name)) }
    }
}
