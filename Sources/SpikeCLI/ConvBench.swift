import ArgumentParser
import Foundation
import SpikeKit

/// The conv-step work of ../shared/bench/peers/conv_train_step.py: one training step (forward, backward, Adam)
/// and one inference forward of snnTorch tutorial 7's N-MNIST CSNN or of SpikingJelly's DVS128 Gesture network
/// (Fang et al. 2021) with `channels` channels, over Bernoulli input spikes.
struct ConvNetWork {
    let net: Sequential
    let x: Variable
    let labels: [Int]
    let vote: Int
    let opt: Adam
    let spiking: [Int]   // indices of the LIF layers (for their firing rates)

    static func lif() -> SpikingLayer<LIF> { SpikingLayer(LIF(tau: 10, decayInput: false, threshold: 1, reset: .hard(0), surrogate: .atan)) }

    init(net name: String, steps: Int, batch: Int, channels: Int, rate: Float, gain: Float) throws {
        Memory.keepFreedMemory()
        var rng = SeededRandom(seed: 0)
        var layers: [any Module] = []
        let shape: [Int]
        switch name {
        case "nmnist":
            shape = [2, 34, 34]; vote = 1
            layers = [Conv2d(2, 12, kernelSize: 5, rng: &rng), MaxPool2d(2), Self.lif(),
                      Conv2d(12, 32, kernelSize: 5, rng: &rng), MaxPool2d(2), Self.lif(),
                      Flatten(), Linear(32 * 5 * 5, 10, rng: &rng), Self.lif()]
        case "dvsgesture":
            shape = [2, 128, 128]; vote = 11
            var c = 2
            for _ in 0..<5 {
                layers += [Conv2d(c, channels, kernelSize: 3, padding: .uniform(1), bias: false, rng: &rng), BatchNorm2d(channels), Self.lif(), MaxPool2d(2)]
                c = channels
            }
            layers += [Flatten(), Dropout(p: 0.5, seed: 1), Linear(channels * 16, 512, rng: &rng), Self.lif(), Dropout(p: 0.5, seed: 2),
                       Linear(512, 110, rng: &rng), Self.lif()]
        default:
            throw CLIError("bench conv-step: --net must be nmnist or dvsgesture, got '\(name)'")
        }
        for l in layers {
            if let c = l as? Conv2d { c.weight.value = c.weight.value * gain }
            if let f = l as? Linear { f.weight.value = f.weight.value * gain }
        }
        spiking = layers.indices.filter { layers[$0] is SpikingLayer<LIF> }
        net = Sequential(layers: layers)
        x = Variable(Tensor.bernoulli([steps, batch] + shape, p: rate, rng: &rng))
        labels = (0..<batch).map { _ in rng.nextInt(below: 10) }
        opt = Adam(net.parameters, learningRate: 1e-3)
    }

    /// Class scores: the mean output over time, averaged over groups of `vote` outputs.
    func scores(_ out: Variable) -> Variable {
        let s = out.mean(axis: 0)
        if vote == 1 { return s }
        return s.reshaped([s.shape[0], s.shape[1] / vote, vote]).mean(axis: 2)
    }

    func trainStep() -> Float {
        net.setTraining(true)
        opt.zeroGrad()
        let loss = Loss.crossEntropy(scores(net(x)), labels: labels)
        loss.backward()
        opt.step()
        return loss.value.scalar
    }

    func inference() -> Tensor {
        net.setTraining(false)
        return Tape.withoutGradients { net(x).value }
    }

    /// Firing rate of each LIF layer on one inference pass (layer by layer).
    func rates() -> [Float] {
        net.setTraining(false)
        return Tape.withoutGradients {
            var h = x, out: [Float] = []
            for (i, l) in net.layers.enumerated() {
                h = l(h)
                if spiking.contains(i) { out.append(h.value.mean()) }
            }
            return out
        }
    }
}

struct ConvStepBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conv-step",
        abstract: "One training step and one inference forward of the conv networks of peers/conv_train_step.py.")
    @Option(help: "nmnist or dvsgesture") var net = "nmnist"
    @Option var steps: Int?
    @Option var batch: Int?
    @Option var channels = 32
    @Option var rate: Float = 0.05
    @Option var gain: Float = 3
    @Option var repeats = 3
    @Flag var json = false

    struct Result: Encodable {
        let net: String; let steps, batch: Int; let seconds, minSeconds, forwardSeconds: Double; let loss: Float
        let rates: [Float]; let threads: Int; let peakMemoryMiB: Double
    }

    func run() throws {
        let T = steps ?? (net == "nmnist" ? 30 : 16), B = batch ?? (net == "nmnist" ? 32 : 8)
        guard T > 0, B > 0, channels > 0, repeats > 0 else { throw CLIError("bench conv-step: sizes and repeats must be positive") }
        guard rate >= 0, rate <= 1 else { throw CLIError("bench conv-step: rate must be in [0, 1], got \(rate)") }
        let w = try ConvNetWork(net: net, steps: T, batch: B, channels: channels, rate: rate, gain: gain)
        var loss = w.trainStep()
        _ = w.inference()
        var times: [Double] = [], ftimes: [Double] = []
        for _ in 0..<repeats {
            times.append(timed { loss = w.trainStep() })
            ftimes.append(timed { _ = w.inference() })
        }
        let r = Result(net: net, steps: T, batch: B, seconds: median(times), minSeconds: times.min()!, forwardSeconds: median(ftimes), loss: loss,
                       rates: w.rates(), threads: Parallel.threadCount, peakMemoryMiB: peakMemoryMiB())
        if json { try printJSON(r) } else {
            print(String(format: "conv-step net=%@ T=%d B=%d: %.4f s per step (min %.4f), forward %.4f s, loss %.4f, rates %@, peak %.0f MiB",
                         net, T, B, r.seconds, r.minSeconds, r.forwardSeconds, loss, r.rates.map { String(format: "%.3f", $0) }.joined(separator: " "),
                         r.peakMemoryMiB))
        }
    }
}

/// The conv kernels' density crossover: one Conv2d layer timed forced spike-driven and forced dense at a range of
/// input densities (forward and weight gradient driven by the input, input gradient by the output gradient).
struct ConvDensitySweep: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conv-sweep",
        abstract: "Conv2d forward, weight gradient and input gradient, spike-driven against dense, over input densities.")
    @Option var batch = 64
    @Option var inChannels = 32
    @Option var outChannels = 32
    @Option var size = 32
    @Option var kernel = 3
    @Option var repeats = 3
    @Option(help: "spike-driven kernels: 0 best, 1 portable, 2 AVX-512 general scatter loops")
    var isa: Int32 = 0
    @Flag var json = false

    struct Row: Encodable {
        let density: Float
        let spikeForward, denseForward, spikeWeightGradient, denseWeightGradient, spikeInputGradient, denseInputGradient: Double
    }

    func run() throws {
        guard batch > 0, inChannels > 0, outChannels > 0, size >= kernel, kernel > 0, repeats > 0 else { throw CLIError("bench conv-sweep: sizes must be positive") }
        guard (0...2).contains(isa) else { throw CLIError("bench conv-sweep: --isa must be 0, 1 or 2, got \(isa)") }
        Conv2D.isa = isa
        defer { Conv2D.isa = 0 }
        Memory.keepFreedMemory()
        var rng = SeededRandom(seed: 0)
        let conv = Conv2d(inChannels, outChannels, kernelSize: kernel, padding: .same, rng: &rng)
        let g = conv.geometry(height: size, width: size)
        let w = conv.weight.value
        var rows: [Row] = []
        defer { Conv2D.path = .automatic }
        for d: Float in [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0] {
            let x = d >= 1 ? Tensor.uniform([batch, inChannels, size, size], rng: &rng) : Tensor.bernoulli([batch, inChannels, size, size], p: d, rng: &rng)
            var gy = Tensor.uniform([batch, outChannels, size, size], low: -1, high: 1, rng: &rng)
            if d < 1 { gy = gy * Tensor.bernoulli(gy.shape, p: d, rng: &rng) }
            func time(_ path: Conv2D.Path, _ body: () -> Void) -> Double {
                Conv2D.path = path
                body()
                return median((0..<repeats).map { _ in timed(body) })
            }
            let row = Row(density: d,
                          spikeForward: time(.spikeDriven) { _ = Conv2D.forward(x, weight: w, bias: nil, geometry: g) },
                          denseForward: time(.dense) { _ = Conv2D.forward(x, weight: w, bias: nil, geometry: g) },
                          spikeWeightGradient: time(.spikeDriven) { _ = Conv2D.weightGradient(x, gy, geometry: g) },
                          denseWeightGradient: time(.dense) { _ = Conv2D.weightGradient(x, gy, geometry: g) },
                          spikeInputGradient: time(.spikeDriven) { _ = Conv2D.inputGradient(gy, weight: w, geometry: g) },
                          denseInputGradient: time(.dense) { _ = Conv2D.inputGradient(gy, weight: w, geometry: g) })
            rows.append(row)
            if !json {
                print(String(format: "density %.2f: forward %.5f / %.5f s, weight gradient %.5f / %.5f s, input gradient %.5f / %.5f s (spike-driven / dense)",
                             d, row.spikeForward, row.denseForward, row.spikeWeightGradient, row.denseWeightGradient, row.spikeInputGradient, row.denseInputGradient))
            }
        }
        if json { try printJSON(rows) }
    }
}
