import SpikeCore
import SpikeCoding

/// A one-line error about a network file, a model file or a named option: the message names the file and the
/// place (`net.json: synapses[2].delay: 0.05 ms is below one step (dt = 0.1 ms)`).
public struct NetworkFileError: Error, CustomStringConvertible, Sendable {
    /// The whole message, one line.
    public let description: String
    /// An error with this message.
    public init(_ message: String) { description = message }
}

/// Typed access to `--set NAME=VALUE` options with one-line errors and a check for unknown names.
package struct OptionValues {
    package let context: String
    package let values: [String: String]
    package let allowed: [String]

    package init(_ context: String, _ values: [String: String], allowed: [String]) throws {
        self.context = context; self.values = values; self.allowed = allowed
        for k in values.keys.sorted() where !allowed.contains(k) {
            throw NetworkFileError("\(context): unknown parameter '\(k)' (known: \(allowed.isEmpty ? "none" : allowed.joined(separator: ", ")))")
        }
    }

    package func float(_ name: String) throws -> Float? {
        guard let s = values[name] else { return nil }
        guard let d = Double(s), d.isFinite else { throw NetworkFileError("\(context): \(name) must be a number, got '\(s)'") }
        return Float(d)
    }
    package func float(_ name: String, _ def: Float) throws -> Float { try float(name) ?? def }
    package func int(_ name: String) throws -> Int? {
        guard let s = values[name] else { return nil }
        guard let i = Int(s) else { throw NetworkFileError("\(context): \(name) must be an integer, got '\(s)'") }
        return i
    }
    package func bool(_ name: String, _ def: Bool) throws -> Bool {
        guard let s = values[name] else { return def }
        switch s.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw NetworkFileError("\(context): \(name) must be true or false, got '\(s)'")
        }
    }
    package func choice(_ name: String, _ def: String, _ options: [String]) throws -> String {
        let s = values[name] ?? def
        guard options.contains(s) else { throw NetworkFileError("\(context): \(name) must be one of \(options.joined(separator: ", ")), got '\(s)'") }
        return s
    }
}

/// SpikeCoding's encoders by name, with their parameters as `NAME=VALUE` strings: the table behind
/// `spike encode METHOD --set NAME=VALUE` and the `encoder` inputs of network files.
public enum EncoderMethods {
    /// Every method name, in the order `spike encode --help` lists them.
    public static let names = ["poisson", "bernoulli", "latency", "relative-latency", "ttfs", "constant-current", "uniform",
                               "weighted-phase", "population", "delta", "constant-current-lif", "adm",
                               "sstb", "mstb", "sine", "cosine", "ramp", "spaic-latency"]

    /// Encodes `x` with `method` (one of `methods`) over `steps` steps, with the method's `--set` parameters
    /// (unknown names are errors); adm also returns the reconstruction from its spikes. `spike encode` and the
    /// encoder inputs of network files use this function.
    public static func encode(method: String, _ x: Tensor, steps: Int, parameters values: [String: String],
                              rng: inout SeededRandom) throws -> (spikes: Tensor, reconstruction: Tensor?) {
        guard names.contains(method) else {
            throw NetworkFileError("unknown encoding method '\(method)' (known: \(names.joined(separator: ", ")))")
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
            guard let neurons = try o.int("neurons") else { throw NetworkFileError("mstb: --set neurons=N is required (the width of the output)") }
            let late = LateSpikePolicy(rawValue: try o.choice("late", "clamp", LateSpikePolicy.allCases.map(\.rawValue)))!
            let lists = try SpikeCoding.Encode.spikeLists(table: x, samples: try o.int("samples"))
            spikes = try SpikeCoding.Encode.multipleSpikesToBinary(lists, neurons: neurons, steps: steps, dt: try o.float("dt", 1), late: late)
        case "sine", "cosine":
            let o = try opts(["frequency", "phase", "offset", "dt"])
            guard let f = try o.float("frequency") else { throw NetworkFileError("\(method): --set frequency=HZ is required") }
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

}
