import ArgumentParser
import Foundation
import SpikeKit

/// `spike bench`: the timed work of ../shared/bench/peers, in SpikeKit, for side-by-side comparison.
public struct Bench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Time SpikeKit on the peer benchmarks (lif-layer, train-step, density sweep, cuba).",
        subcommands: [LIFLayerBench.self, TrainStepBench.self, DensitySweep.self, CUBABench.self, ConvStepBench.self, ConvDensitySweep.self, DataBench.self])
    public init() {}
}

/// Median of `xs`.
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}

/// Wall time of `body` in seconds.
func timed(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

/// Peak resident memory of this process in MiB (getrusage).
func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// The lif-layer work: Linear (no bias, PyTorch init times 4) + LIF (decay 0.9: tau 10, decay_input false,
/// threshold 1, hard reset 0, ATan) over Bernoulli input spikes of `rate`, loss = sum of output spikes.
/// With `neuron` another layer (`benchNeuronLayer`: any spiking zoo model) takes the LIF's place, and the
/// weights are multiplied by `gain` (the peers' `--gain` for models whose input is a current).
struct LIFLayerWork {
    let x: Variable
    let linear: Linear
    let layer: any Module
    /// The two layers as one network (the peers' nn.Sequential): its inference runs them fused.
    let net: Sequential

    init(steps: Int, batch: Int, inputs: Int, outputs: Int, rate: Float, neuron: (any Module)? = nil, gain: Float = 1) {
        Memory.keepFreedMemory()
        var rng = SeededRandom(seed: 0)
        x = Variable(Tensor.bernoulli([steps, batch, inputs], p: rate, rng: &rng))
        linear = Linear(inputs, outputs, bias: false, rng: &rng)
        let bound = 4 / Float(inputs).squareRoot()
        linear.weight.value = Tensor.uniform([outputs, inputs], low: -bound, high: bound, rng: &rng)
        if gain != 1 { linear.weight.value = linear.weight.value * gain }
        layer = neuron ?? SpikingLayer(LIF(tau: 10, decayInput: false, threshold: 1, reset: .hard(0), surrogate: .atan))
        net = Sequential(layers: [linear, layer])
    }

    /// Forward and backward; returns the output spike count.
    func trainStep() -> Float {
        linear.zeroGrad()
        let out = net(x)
        let loss = out.sum()
        loss.backward()
        return loss.value.scalar
    }

    /// Forward only, without recording: the output spikes (counted outside the timed region, as the peers'
    /// forward-only timing does).
    func inference() -> Tensor { Tape.withoutGradients { net(x).value } }

    /// Median seconds of forward + backward and of inference over `repeats` runs after one warm-up each,
    /// and the output spike count.
    func measure(repeats: Int) -> (forwardBackward: Double, forward: Double, spikes: Int) {
        let m = measureWithMinima(repeats: repeats)
        return (m.forwardBackward, m.forward, m.spikes)
    }

    /// Medians and minima (the least disturbed run on a shared machine) of forward + backward and inference.
    /// With `inferenceOnly` the forward + backward is run once (for the spike count) and not timed (NaN).
    func measureWithMinima(repeats: Int, inferenceOnly: Bool = false) -> (forwardBackward: Double, forward: Double, spikes: Int, minForwardBackward: Double, minForward: Double) {
        var spikes: Float = trainStep()
        let fbs = inferenceOnly ? [] : (0..<repeats).map { _ in timed { spikes = trainStep() } }
        _ = inference()
        let fs = (0..<repeats).map { _ in timed { _ = inference() } }
        return (median(fbs), median(fs), Int(spikes), fbs.min() ?? .nan, fs.min() ?? .nan)
    }
}

struct LIFLayerBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lif-layer",
        abstract: "Linear + LIF layer over T steps, forward + backward and inference forward (peers/lif_layer.py).")
    @Option(parsing: .unconditional) var steps = 100
    @Option(parsing: .unconditional) var batch = 16
    @Option(parsing: .unconditional) var inputs = 512
    @Option(parsing: .unconditional) var outputs = 512
    @Option(parsing: .unconditional) var rate: Float = 0.1
    @Option(parsing: .unconditional) var repeats = 5
    @Flag(help: "Time only the inference forward (for profiling it).") var inferenceOnly = false
    @OptionGroup var neuron: BenchNeuronOptions
    @Option(parsing: .unconditional, help: "Factor on the Linear weights (Benchmarks/neuron_layer.py's --gain, 50 for the Norse models).") var gain: Float = 1
    @Flag var json = false

    struct Result: Encodable {
        let steps, batch, inputs, outputs: Int; let rate: Float
        let forwardBackwardSeconds, forwardSeconds: Double; let outputSpikes: Int; let threads: Int; let peakMemoryMiB: Double
        let minForwardBackwardSeconds, minForwardSeconds: Double
    }

    func run() throws {
        guard steps > 0, batch > 0, inputs > 0, outputs > 0, repeats > 0 else { throw CLIError("bench: sizes and repeats must be positive") }
        guard rate >= 0, rate <= 1 else { throw CLIError("bench: rate must be in [0, 1], got \(rate)") }
        try checkBenchMemory(steps: steps, batch: batch, widths: [inputs, outputs], weights: [inputs, outputs])
        guard gain.isFinite, gain > 0 else { throw CLIError("bench: --gain must be a positive number, got \(gain)") }
        let layer = try neuron.layer()
        let m = LIFLayerWork(steps: steps, batch: batch, inputs: inputs, outputs: outputs, rate: rate, neuron: layer, gain: gain)
            .measureWithMinima(repeats: repeats, inferenceOnly: inferenceOnly)
        let (fb, f, spikes) = (m.forwardBackward, m.forward, m.spikes)
        let r = Result(steps: steps, batch: batch, inputs: inputs, outputs: outputs, rate: rate, forwardBackwardSeconds: fb,
                       forwardSeconds: f, outputSpikes: spikes, threads: Parallel.threadCount, peakMemoryMiB: peakMemoryMiB(),
                       minForwardBackwardSeconds: m.minForwardBackward, minForwardSeconds: m.minForward)
        if json { try printJSON(r) } else {
            print(String(format: "lif-layer %@T=%d B=%d %d->%d rate %.3g: forward+backward %.5f s (min %.5f), forward (inference) %.5f s (min %.5f), spikes %d, peak %.0f MiB",
                         neuron.neuron.map { "\($0) " } ?? "", steps, batch, inputs, outputs, rate, fb, m.minForwardBackward, f, m.minForward, spikes, r.peakMemoryMiB))
        }
    }
}

struct TrainStepBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-step",
        abstract: "One training step (forward, backward, Adam) of the 3-layer spiking MLP of peers/train_step.py.")
    @Option(parsing: .unconditional) var steps = 100
    @Option(parsing: .unconditional) var batch = 64
    @Option(parsing: .unconditional) var inputs = 700
    @Option(parsing: .unconditional) var hidden = 256
    @Option(parsing: .unconditional) var classes = 20
    @Option(parsing: .unconditional) var rate: Float = 0.05
    @Option(parsing: .unconditional) var repeats = 5
    @OptionGroup var neuron: BenchNeuronOptions
    @Flag var json = false

    struct Result: Encodable {
        let seconds: Double; let rates: [Float]; let loss: Float; let threads: Int; let peakMemoryMiB: Double
        let minSeconds: Double
    }

    func run() throws {
        guard steps > 0, batch > 0, inputs > 0, hidden > 0, classes > 1, repeats > 0 else { throw CLIError("bench: sizes must be positive") }
        guard rate >= 0, rate <= 1 else { throw CLIError("bench: rate must be in [0, 1], got \(rate)") }
        try checkBenchMemory(steps: steps, batch: batch, widths: [inputs, hidden, hidden, classes], weights: [inputs, hidden, hidden, classes])
        Memory.keepFreedMemory()
        var rng = SeededRandom(seed: 0)
        let x = Variable(Tensor.bernoulli([steps, batch, inputs], p: rate, rng: &rng))
        let labels = (0..<batch).map { _ in rng.nextInt(below: classes) }
        let dims = [inputs, hidden, hidden, classes], gains: [Float] = [12, 6, 6]
        let linears = (0..<3).map { i -> Linear in
            let l = Linear(dims[i], dims[i + 1], bias: false, rng: &rng)
            l.weight.value = l.weight.value * gains[i]
            return l
        }
        let lifs = try (0..<3).map { _ in try neuron.layer() }
        // Each Linear + LIF pair as a Sequential (as the peers' nn.Sequential; it runs the pair fused).
        let blocks = (0..<3).map { Sequential(layers: [linears[$0], lifs[$0]]) }
        let opt = Adam(linears.flatMap(\.parameters), learningRate: 1e-3)
        var rates: [Float] = [0, 0, 0], loss: Float = 0
        var measureRates = true   // on the warm-up step only, as peers/train_step.py
        func step() {
            opt.zeroGrad()
            var h = x
            for i in 0..<3 {
                h = blocks[i](h)
                if measureRates { rates[i] = h.value.mean() }
            }
            let l = Loss.countCrossEntropy(h, labels: labels)
            l.backward()
            opt.step()
            loss = l.value.scalar
        }
        step()
        measureRates = false
        let r0 = rates
        let times = (0..<repeats).map { _ in timed { step() } }
        let t = median(times)
        let r = Result(seconds: t, rates: r0, loss: loss, threads: Parallel.threadCount, peakMemoryMiB: peakMemoryMiB(),
                       minSeconds: times.min() ?? .nan)
        if json { try printJSON(r) } else {
            print(String(format: "train-step T=%d B=%d %d-%d-%d-%d: %.4f s per step (min %.4f), layer rates %@, peak %.0f MiB",
                         steps, batch, inputs, hidden, hidden, classes, t, r.minSeconds, r0.map { String(format: "%.3f", $0) }.joined(separator: " "), r.peakMemoryMiB))
        }
    }
}

struct DensitySweep: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweep",
        abstract: "The lif-layer work over input rates 0.01 to 0.5: the sparse/dense crossover.")
    @Option(parsing: .unconditional) var steps = 100
    @Option(parsing: .unconditional) var batch = 16
    @Option(parsing: .unconditional) var inputs = 512
    @Option(parsing: .unconditional) var outputs = 512
    @Option(parsing: .unconditional) var repeats = 3
    @Flag var json = false

    struct Row: Encodable { let rate: Float; let forwardBackwardSeconds: Double; let forwardSeconds: Double; let outputSpikes: Int }

    func run() throws {
        guard steps > 0, batch > 0, inputs > 0, outputs > 0, repeats > 0 else { throw CLIError("bench: sizes and repeats must be positive") }
        try checkBenchMemory(steps: steps, batch: batch, widths: [inputs, outputs], weights: [inputs, outputs])
        var rows: [Row] = []
        for rate: Float in [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5] {
            let (fb, f, spikes) = LIFLayerWork(steps: steps, batch: batch, inputs: inputs, outputs: outputs, rate: rate)
                .measure(repeats: repeats)
            rows.append(Row(rate: rate, forwardBackwardSeconds: fb, forwardSeconds: f, outputSpikes: spikes))
            if !json { print(String(format: "rate %.2f: forward+backward %.5f s, forward %.5f s, spikes %d", rate, fb, f, spikes)) }
        }
        if json { try printJSON(rows) }
    }
}

/// Refuses a benchmark whose tensors exceed the memory budget: the activations (`steps x batch x` every width,
/// kept for the backward, four float32 each) and the weights between consecutive widths.
func checkBenchMemory(steps: Int, batch: Int, widths: [Int], weights: [Int]) throws {
    let activations = MemoryBudget.sum(widths.map { MemoryBudget.product([steps, batch, $0, 16]) })
    let w = MemoryBudget.sum(zip(weights, weights.dropFirst()).map { MemoryBudget.product([$0, $1, 16]) })
    try MemoryBudget.check(bytes: MemoryBudget.sum([activations, w]), what: "bench: \(steps) steps x batch \(batch) x widths \(widths.map(String.init).joined(separator: "-"))")
}

/// `--neuron ID [--set NAME=VALUE ...]` of `spike bench lif-layer` and `train-step`: the spiking layer that
/// takes the benchmark LIF's place.
struct BenchNeuronOptions: ParsableArguments {
    @Option(help: "Zoo model in place of the benchmark's LIF (any spiking model of `spike neuron --list`); its defaults unless --set. Benchmarks/neuron_layer.py maps each id to its reference framework's class.") var neuron: String?
    @Option(name: .customLong("set"), help: "Parameter NAME=VALUE of the --neuron model (repeatable, as spike neuron --set).") var assignments: [String] = []
    @Option(help: "Surrogate gradient of the benchmark's LIF, or of the --neuron model (as --set surrogate=NAME): \(Surrogate.Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var surrogate: String?

    /// The benchmark's LIF (tau 10, decay_input false, threshold 1, hard reset 0, ATan) without `--neuron`,
    /// else a `SpikingLayer` of the named model with its parameters.
    func layer() throws -> any Module {
        var kind = Surrogate.Kind.atan
        if let name = surrogate {
            guard let k = Surrogate.Kind(rawValue: name) else {
                throw CLIError("bench: --surrogate \(name) is not one of \(Surrogate.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kind = k
        }
        guard let id = neuron else {
            guard assignments.isEmpty else { throw CLIError("bench: --set needs --neuron") }
            return SpikingLayer(LIF(tau: 10, decayInput: false, threshold: 1, reset: .hard(0), surrogate: Surrogate(kind)))
        }
        var parameters = try parseAssignments(assignments)
        if let name = surrogate {
            guard parameters["surrogate"] == nil else { throw CLIError("bench: both --surrogate and --set surrogate=") }
            parameters["surrogate"] = name
        }
        return try benchNeuronLayer(id: id, parameters: parameters)
    }
}

/// A `SpikingLayer` of zoo model `id` built with `parameters` (registry names and values), LIF and IF by their
/// concrete types (as `NetworkSpec.neuronLayer`); throws for unknown ids or parameters and non-spiking models.
func benchNeuronLayer(id: String, parameters: [String: String]) throws -> any Module {
    switch id {
    case "lif": return SpikingLayer(try NeuronRegistry.lif(parameters: parameters))
    case "if": return SpikingLayer(try NeuronRegistry.ifModel(parameters: parameters))
    default:
        let model = try NeuronRegistry.entry(id).build(parameters)
        guard type(of: model).isSpiking else { throw CLIError("bench: --neuron \(id) does not spike; choose a spiking model") }
        func layer<M: NeuronModel>(_ m: M) -> any Module { SpikingLayer(m) }
        return layer(model)
    }
}
