import ArgumentParser
import Foundation
import SpikeKit

/// Typed access to `--set NAME=VALUE` options with one-line errors and a check for unknown names.
struct OptionValues {
    let context: String
    let values: [String: String]
    let allowed: [String]

    init(_ context: String, _ values: [String: String], allowed: [String]) throws {
        self.context = context; self.values = values; self.allowed = allowed
        for k in values.keys.sorted() where !allowed.contains(k) {
            throw CLIError("\(context): unknown parameter '\(k)' (known: \(allowed.isEmpty ? "none" : allowed.joined(separator: ", ")))")
        }
    }

    func float(_ name: String) throws -> Float? {
        guard let s = values[name] else { return nil }
        guard let d = Double(s), d.isFinite else { throw CLIError("\(context): \(name) must be a number, got '\(s)'") }
        return Float(d)
    }
    func float(_ name: String, _ def: Float) throws -> Float { try float(name) ?? def }
    func int(_ name: String) throws -> Int? {
        guard let s = values[name] else { return nil }
        guard let i = Int(s) else { throw CLIError("\(context): \(name) must be an integer, got '\(s)'") }
        return i
    }
    func bool(_ name: String, _ def: Bool) throws -> Bool {
        guard let s = values[name] else { return def }
        switch s.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw CLIError("\(context): \(name) must be true or false, got '\(s)'")
        }
    }
    func choice(_ name: String, _ def: String, _ options: [String]) throws -> String {
        let s = values[name] ?? def
        guard options.contains(s) else { throw CLIError("\(context): \(name) must be one of \(options.joined(separator: ", ")), got '\(s)'") }
        return s
    }
}

/// `spike encode`: turns values or a signal from a .npy file into spikes with any encoder.
public struct EncodeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode values (or a signal) from a .npy file into spikes, and optionally plot them.",
        discussion: """
        Methods and their --set parameters:
          poisson               max_rate (Hz, optional), dt (s, 1e-3)          values in [0, 1] -> [T, ...]
          bernoulli             (none)                                         values in [0, 1] -> [T, ...]
          latency               tau 1, threshold 0.01, first_spike_time 0, clip, normalize, linear, bypass (false)
          relative-latency      amp 1, scale 0.9999999, cut_fraction 0.8      [B, N] (or [N]) -> [T, B, N]
          ttfs                  dt 1, tau, t_max, threshold 0.2, code logarithmic|linear
          constant-current      amp 1
          uniform               (none)
          weighted-phase        phases (default T)
          population            neurons 10, min 0, max 1, sigma, centres bohte|endpoints, output spikes|currents, min_response 0.1
          delta                 threshold 0.1, padding false, off_spikes false   input already [T, ...]
          constant-current-lif  tau_mem_inv 100, v_th 1, v_reset 0, v_leak 0, dt 1e-3
          adm                   threshold_up 0.1, threshold_down 0.1, refractory 0   signal [T] or [T, N] -> [T, ..., 2N] (UP then DOWN)
          sstb                  dt 1, late error|clamp|drop (error)            one spike time per neuron (inf: none) -> [T, ...]
          mstb                  neurons (required), samples, dt 1, late clamp  rows (time, neuron) [K, 2] or (sample, time, neuron) [K, 3] -> [T, B, neurons]
          sine                  frequency (Hz, required), phase 0, offset 0, dt (s, 1e-3)   amplitudes [...] -> [T, ...] currents
          cosine                as sine, phase pi/2 added (SPAIC Cosine_Generator)
          ramp                  start 0                                        end values [...] -> [T, ...] currents, start to end
          spaic-latency         max_scale 1, cut_off false                     SPAIC Latency: min-max normalised, one spike at trunc(max_scale (T-1)(1-x'))
        """)

    public static let methods = ["poisson", "bernoulli", "latency", "relative-latency", "ttfs", "constant-current", "uniform",
                                 "weighted-phase", "population", "delta", "constant-current-lif", "adm",
                                 "sstb", "mstb", "sine", "cosine", "ramp", "spaic-latency"]

    @Argument(help: "Encoding method (see below).") var method: String
    @Option(help: "Input .npy (float32 or float64).") var input: String
    @Option(parsing: .unconditional, help: "Time steps T.") var steps = 100
    @Option(name: .customLong("set"), help: "Method parameter NAME=VALUE (repeatable).") var assignments: [String] = []
    @Option(parsing: .unconditional, help: "Seed of stochastic encoders.") var seed: UInt64 = 0
    @Option(help: "Output spikes .npy.") var output: String
    @Option(help: "Draw a raster (and for adm, the signal with its reconstruction) to this SVG file.") var plot: String?
    @Option(help: "adm only: write the reconstruction from the spikes to this .npy.") var reconstruct: String?

    public init() {}

    public func run() throws {
        guard Self.methods.contains(method) else {
            throw CLIError("unknown encoding method '\(method)' (known: \(Self.methods.joined(separator: ", ")))")
        }
        if reconstruct != nil && method != "adm" { throw CLIError("--reconstruct is for adm only") }
        // Every output is validated now and published together at the end (all or nothing).
        let outputs = try StagedOutputs([output, plot, reconstruct].compactMap { $0.map { URL(fileURLWithPath: $0) } })
        let x = try NPY.read(from: URL(fileURLWithPath: input))
        guard x.count > 0 else { throw CLIError("\(input): input is empty (shape \(x.shape))") }
        let values = try parseAssignments(assignments)
        var rng = SeededRandom(seed: seed)
        let (spikes, recon) = try Self.encode(method: method, x, steps: steps, parameters: values, rng: &rng)
        try outputs.stage(URL(fileURLWithPath: output)) { try NPY.write(spikes, to: $0) }
        if let reconstruct, let recon { try outputs.stage(URL(fileURLWithPath: reconstruct)) { try NPY.write(recon, to: $0) } }
        if let plot {
            let T = spikes.shape.first ?? 0, rest = T > 0 ? spikes.count / T : 0
            var svg = SVGPlot.raster(spikes.scalars, steps: T, neurons: rest, title: "\(method) encoding of \(URL(fileURLWithPath: input).lastPathComponent)")
            if let recon, rest > 0 {
                let channels = recon.count / max(1, T)
                let signal = (0..<T).map { x.scalars[$0 * channels] }, rebuilt = (0..<T).map { recon.scalars[$0 * channels] }
                svg = SVGPlot.traces([("signal", signal), ("reconstruction", rebuilt)], steps: T, title: "adm: channel 0 and its reconstruction")
                    .replacingOccurrences(of: "</svg>\n", with: "") + rasterInset(spikes, T: T, rest: rest) + "</svg>\n"
            }
            try outputs.stage(Data(svg.utf8), for: URL(fileURLWithPath: plot))
        }
        try outputs.publish()
        let count = spikes.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        FileHandle.standardError.write(Data("\(method): wrote \(spikes.shape) with \(count) events to \(output)\n".utf8))
    }

    /// Encodes `x` with `method` (one of `methods`) over `steps` steps, with the method's `--set` parameters
    /// (unknown names are errors); adm also returns the reconstruction from its spikes. `spike simulate`'s
    /// encoder inputs use the same function.
    public static func encode(method: String, _ x: Tensor, steps: Int, parameters values: [String: String],
                              rng: inout SeededRandom) throws -> (spikes: Tensor, reconstruction: Tensor?) {
        guard methods.contains(method) else {
            throw CLIError("unknown encoding method '\(method)' (known: \(methods.joined(separator: ", ")))")
        }
        var recon: Tensor?
        let spikes: Tensor
        func opts(_ allowed: [String]) throws -> OptionValues { try OptionValues(method, values, allowed: allowed) }
        switch method {
        case "poisson":
            let o = try opts(["max_rate", "dt"])
            spikes = try SpikeCoding.Encode.poisson(x, steps: steps, maxRate: try o.float("max_rate"), dt: try o.float("dt", 1e-3), rng: &rng)
        case "bernoulli":
            _ = try opts([])
            spikes = try SpikeCoding.Encode.bernoulli(x, steps: steps, rng: &rng)
        case "latency":
            let o = try opts(["tau", "threshold", "first_spike_time", "clip", "normalize", "linear", "bypass"])
            spikes = try SpikeCoding.Encode.latency(x, steps: steps, tau: try o.float("tau", 1), threshold: try o.float("threshold", 0.01),
                                                    firstSpikeTime: try o.int("first_spike_time") ?? 0, clip: try o.bool("clip", false),
                                                    normalize: try o.bool("normalize", false), linear: try o.bool("linear", false),
                                                    bypass: try o.bool("bypass", false))
        case "relative-latency":
            let o = try opts(["amp", "scale", "cut_fraction"])
            let xx = x.rank == 1 ? x.reshaped([1, x.count]) : x
            spikes = try SpikeCoding.Encode.relativeLatency(xx, steps: steps, amp: try o.float("amp", 1), scale: try o.float("scale", 0.9999999),
                                                            cutFraction: try o.float("cut_fraction", 0.8))
        case "ttfs":
            let o = try opts(["dt", "tau", "t_max", "threshold", "code"])
            let code = FirstSpikeCode(rawValue: try o.choice("code", "logarithmic", FirstSpikeCode.allCases.map(\.rawValue)))!
            spikes = try SpikeCoding.Encode.timeToFirstSpike(x, steps: steps, dt: try o.float("dt", 1), tau: try o.float("tau"),
                                                             threshold: try o.float("threshold", 0.2), tMax: try o.float("t_max"), code: code)
        case "constant-current":
            let o = try opts(["amp"])
            spikes = try SpikeCoding.Encode.constantCurrent(x, steps: steps, amp: try o.float("amp", 1))
        case "uniform":
            _ = try opts([])
            spikes = try SpikeCoding.Encode.uniform(x, steps: steps)
        case "weighted-phase":
            let o = try opts(["phases"])
            spikes = try SpikeCoding.Encode.weightedPhase(x, steps: steps, phases: try o.int("phases"))
        case "population":
            let o = try opts(["neurons", "min", "max", "sigma", "centres", "output", "min_response"])
            let centres = PopulationCentres(rawValue: try o.choice("centres", "bohte", PopulationCentres.allCases.map(\.rawValue)))!
            let output: PopulationOutput = try o.choice("output", "spikes", ["spikes", "currents"]) == "currents"
                ? .currents : .spikes(minResponse: try o.float("min_response", 0.1))
            spikes = try SpikeCoding.Encode.population(x, steps: steps, neurons: try o.int("neurons") ?? 10, min: try o.float("min", 0),
                                                       max: try o.float("max", 1), sigma: try o.float("sigma"), centres: centres, output: output)
        case "delta":
            let o = try opts(["threshold", "padding", "off_spikes"])
            spikes = try SpikeCoding.Encode.delta(x, threshold: try o.float("threshold", 0.1), padding: try o.bool("padding", false),
                                                  offSpikes: try o.bool("off_spikes", false))
        case "constant-current-lif":
            let o = try opts(["tau_mem_inv", "v_th", "v_reset", "v_leak", "dt"])
            let p = CurrentLIFParameters(tauMemInv: try o.float("tau_mem_inv", 100), threshold: try o.float("v_th", 1),
                                         reset: try o.float("v_reset", 0), leak: try o.float("v_leak", 0))
            spikes = try SpikeCoding.Encode.constantCurrentLIF(x, steps: steps, parameters: p, dt: try o.float("dt", 1e-3))
        case "sstb":
            let o = try opts(["dt", "late"])
            let late = LateSpikePolicy(rawValue: try o.choice("late", "error", LateSpikePolicy.allCases.map(\.rawValue)))!
            spikes = try SpikeCoding.Encode.singleSpikeToBinary(x, steps: steps, dt: try o.float("dt", 1), late: late)
        case "mstb":
            let o = try opts(["neurons", "samples", "dt", "late"])
            guard let neurons = try o.int("neurons") else { throw CLIError("mstb: --set neurons=N is required (the width of the output)") }
            let late = LateSpikePolicy(rawValue: try o.choice("late", "clamp", LateSpikePolicy.allCases.map(\.rawValue)))!
            let lists = try SpikeCoding.Encode.spikeLists(table: x, samples: try o.int("samples"))
            spikes = try SpikeCoding.Encode.multipleSpikesToBinary(lists, neurons: neurons, steps: steps, dt: try o.float("dt", 1), late: late)
        case "sine", "cosine":
            let o = try opts(["frequency", "phase", "offset", "dt"])
            guard let f = try o.float("frequency") else { throw CLIError("\(method): --set frequency=HZ is required") }
            let phase = try o.float("phase", 0) + (method == "cosine" ? Float.pi / 2 : 0)
            spikes = try Generate.sine(amplitudes: x, frequency: f, phase: phase, offset: try o.float("offset", 0), steps: steps,
                                       dt: try o.float("dt", 1e-3))
        case "spaic-latency":
            let o = try opts(["max_scale", "cut_off"])
            spikes = try SpikeCoding.Encode.spaicLatency(x, steps: steps, maxScale: try o.float("max_scale"), cutOff: try o.bool("cut_off", false))
        case "ramp":
            let o = try opts(["start"])
            spikes = try Generate.ramp(from: try o.float("start", 0), to: x, steps: steps)
        default: // adm
            let o = try opts(["threshold_up", "threshold_down", "refractory"])
            let adm = try ADM(thresholdUp: try o.float("threshold_up", 0.1), thresholdDown: try o.float("threshold_down", 0.1),
                              refractory: try o.int("refractory") ?? 0)
            let enc = try adm.encode(x)
            spikes = enc.concatenated
            let initial = x.rank == 1 ? Tensor(x.scalars[0]) : x[time: 0]
            recon = try adm.reconstruct(enc, initialValue: initial)
        }
        return (spikes, recon)
    }

    /// UP (black) and DOWN (red) events of channel 0 as ticks along the bottom of the trace plot.
    func rasterInset(_ spikes: Tensor, T: Int, rest: Int) -> String {
        var s = ""
        let n = rest / 2
        for t in 0..<T {
            let x = 50 + (Double(t) + 0.5) * (800 - 75) / Double(max(1, T))
            if spikes.scalars[t * rest] != 0 { s += "<line x1=\"\(x)\" y1=\"340\" x2=\"\(x)\" y2=\"330\" stroke=\"black\"/>\n" }
            if n > 0, spikes.scalars[t * rest + n] != 0 { s += "<line x1=\"\(x)\" y1=\"345\" x2=\"\(x)\" y2=\"335\" stroke=\"crimson\"/>\n" }
        }
        return s
    }
}
